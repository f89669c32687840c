//! rollback: back to the previous spec the swarm keeps
//! (`POST /services/{id}/update?rollback=previous`). The swarm keeps one:
//! a second rollback rolls forward again.

use super::apply::{Change, apply};
use super::diff::differences;
use super::plan::{current_replicas, rollout, tasks};
use super::previous;
use super::redeploy::short_image;
use super::service::image_of;
use super::watch::Flavor;
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan};

fn no_previous(display: &str) -> String {
    format!(
        "{display} has no previous spec to roll back to: the swarm keeps one once the service has \
         been updated"
    )
}

pub async fn plan(eng: &Engine, req: OpRequest) -> Result<Plan, BackendError> {
    let svc = previous::inspect(eng, req.target.id()).await?;
    let display = req.target.name().to_owned();
    let Some(previous) = svc.previous.clone() else {
        return Err(BackendError::Unsupported(no_previous(&display)));
    };
    let rows = current_replicas(eng, &svc).await?;
    let mut details = differences(&svc.spec, &previous);
    if details.is_empty() {
        details.push(
            "the previous spec differs in nothing berth compares (image, replicas, env, ports, \
             labels, command)"
                .to_owned(),
        );
    }
    details.push(
        "the swarm keeps one previous spec: a second rollback rolls forward again".to_owned(),
    );
    let rollback_cfg = previous
        .rollback_config
        .as_ref()
        .or(svc.spec.rollback_config.as_ref())
        .and_then(|r| r.parallelism);
    details.push(match rollback_cfg {
        Some(0) => "the swarm replaces every task at once (rollback config)".to_owned(),
        Some(n) => format!(
            "the swarm replaces {} at a time (rollback config)",
            tasks(n as usize)
        ),
        None => "the swarm replaces 1 task at a time (rollback config)".to_owned(),
    });
    let what = format!(
        "back to the previous spec (image {})",
        short_image(&image_of(&previous))
    );
    Ok(rollout(eng, req, &svc, rows, &what, details, Vec::new()))
}

pub async fn execute(eng: &Engine, rep: &Report, plan: &Plan) -> End {
    let req = &plan.request;
    let display = req.target.name().to_owned();
    let back_to = match previous::inspect(eng, req.target.id()).await {
        Ok(s) => match s.previous {
            Some(p) => short_image(&image_of(&p)),
            None => return End::failed(no_previous(&display)),
        },
        Err(e) => return End::failed(e.to_string()),
    };
    let change = Change {
        flavor: Flavor::Rollback,
        creds: None,
        sent: None,
        converged: format!("{display} rolled back: every task runs {back_to}"),
    };
    // The engine swaps in the previous spec it keeps; the spec sent only
    // carries the version.
    apply(eng, rep, plan, change, |svc| Ok(svc.spec.clone())).await
}
