//! The step every service operation ends with: send the change to the
//! service, unless cancelled first, and watch the swarm converge on it.

use super::service::Svc;
use super::update::{self, How};
use super::watch::{Flavor, Watch};
use crate::backend::docker::ops::engine::Engine;
use crate::backend::report::{End, Report};
use crate::domain::Plan;
use bollard::auth::DockerCredentials;
use bollard::models::ServiceSpec;

/// What one operation sends and what it says along the way.
pub struct Change {
    /// What the watch waits for; a rollback also asks the swarm for its
    /// previous spec instead of running the spec sent.
    pub flavor: Flavor,
    /// Registry credentials sent along (redeploy pulls a new digest).
    pub creds: Option<DockerCredentials>,
    /// Said once the swarm took the change, before the watch.
    pub sent: Option<String>,
    /// The last word once the swarm converged.
    pub converged: String,
}

/// Sends `edit` of the planned service at the plan's version and watches
/// the tasks until the swarm converges. A failed send changed nothing, and
/// says so after the operation and service it was for.
pub async fn apply(
    eng: &Engine,
    rep: &Report,
    plan: &Plan,
    change: Change,
    edit: impl Fn(&Svc) -> Result<ServiceSpec, String>,
) -> End {
    let req = &plan.request;
    let display = req.target.name().to_owned();
    if rep.cancelled() {
        return End::cancelled("cancelled before anything changed");
    }
    let how = match change.flavor {
        Flavor::Rollback => How::Rollback,
        Flavor::Scale | Flavor::Update => How::Spec,
    };
    let sent = update::send(
        eng,
        rep,
        req.target.id(),
        plan.revision,
        how,
        change.creds,
        edit,
    )
    .await;
    let svc = match sent {
        Ok(s) => s,
        Err(e) => {
            return End::failed(format!(
                "{} {display}: {e}; nothing was changed",
                req.kind.label()
            ));
        }
    };
    if let Some(said) = change.sent {
        rep.message(said).await;
    }
    Watch {
        eng,
        rep,
        id: svc.id.clone(),
        display,
        flavor: change.flavor,
        before: svc.update.clone(),
        planned: plan.replicas.clone(),
        converged: change.converged,
    }
    .run()
    .await
}
