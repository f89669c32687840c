//! rollback: back to the previous spec the swarm keeps
//! (`POST /services/{id}/update?rollback=previous`). The swarm keeps one:
//! a second rollback rolls forward again.

use super::diff::differences;
use super::plan::{current_replicas, head, tasks};
use super::previous;
use super::redeploy::short_image;
use super::service::{image_of, in_progress_warning, lone_replica_warning};
use super::update::{self, How};
use super::watch::{Flavor, Watch};
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::docker::ops::report::{End, Report};
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
    let mut warnings = Vec::new();
    warnings.extend(lone_replica_warning(&svc, &display));
    warnings.extend(in_progress_warning(&svc, &display));
    Ok(Plan {
        summary: format!(
            "{} — {} back to the previous spec (image {})",
            head(&req, &eng.endpoint),
            tasks(rows.len()),
            short_image(&image_of(&previous))
        ),
        details,
        warnings,
        replicas: rows,
        confirm_twice: false,
        revision: Some(svc.version),
        request: req,
    })
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
    if rep.cancelled() {
        return End::cancelled("cancelled before anything changed");
    }
    // The engine swaps in the previous spec it keeps; the spec sent only
    // carries the version.
    let sent = update::send(
        eng,
        rep,
        req.target.id(),
        plan.revision,
        How::Rollback,
        None,
        |svc| Ok(svc.spec.clone()),
    )
    .await;
    let svc = match sent {
        Ok(s) => s,
        Err(e) => return End::failed(format!("rollback {display}: {e}; nothing was changed")),
    };
    Watch {
        eng,
        rep,
        id: svc.id.clone(),
        display: display.clone(),
        flavor: Flavor::Rollback,
        before: svc.update.clone(),
        planned: plan.replicas.clone(),
        converged: format!("{display} rolled back: every task runs {back_to}"),
    }
    .run()
    .await
}
