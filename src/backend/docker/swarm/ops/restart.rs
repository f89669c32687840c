//! restart: every task replaced by a new one of the same spec, by raising
//! `TaskTemplate.ForceUpdate` (`docker service update --force`).

use super::plan::{current_replicas, head, tasks};
use super::service::{self, in_progress_warning, lone_replica_warning, rollout_words};
use super::update::{self, How};
use super::watch::{Flavor, Watch};
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::docker::ops::report::{End, Report};
use crate::domain::{OpRequest, Plan};

pub async fn plan(eng: &Engine, req: OpRequest) -> Result<Plan, BackendError> {
    let svc = service::inspect(eng, req.target.id()).await?;
    let display = req.target.name().to_owned();
    let rows = current_replicas(eng, &svc).await?;
    let mut warnings = Vec::new();
    warnings.extend(lone_replica_warning(&svc, &display));
    warnings.extend(in_progress_warning(&svc, &display));
    Ok(Plan {
        summary: format!(
            "{} — {} replaced by new ones of the same spec",
            head(&req, &eng.endpoint),
            tasks(rows.len())
        ),
        details: vec![rollout_words(&svc.spec)],
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
    if rep.cancelled() {
        return End::cancelled("cancelled before anything changed");
    }
    let sent = update::send(
        eng,
        rep,
        req.target.id(),
        plan.revision,
        How::Spec,
        None,
        |svc| {
            let mut spec = svc.spec.clone();
            let task = spec.task_template.get_or_insert_with(Default::default);
            task.force_update = Some(task.force_update.unwrap_or(0) + 1);
            Ok(spec)
        },
    )
    .await;
    let svc = match sent {
        Ok(s) => s,
        Err(e) => return End::failed(format!("restart {display}: {e}; nothing was changed")),
    };
    Watch {
        eng,
        rep,
        id: svc.id.clone(),
        display: display.clone(),
        flavor: Flavor::Update,
        before: svc.update.clone(),
        planned: plan.replicas.clone(),
        converged: format!("{display} restarted: every task was replaced and runs"),
    }
    .run()
    .await
}
