//! restart: every task replaced by a new one of the same spec, by raising
//! `TaskTemplate.ForceUpdate` (`docker service update --force`).

use super::apply::{Change, apply};
use super::plan::{current_replicas, rollout};
use super::service::{self, rollout_words};
use super::watch::Flavor;
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan};

pub async fn plan(eng: &Engine, req: OpRequest) -> Result<Plan, BackendError> {
    let svc = service::inspect(eng, req.target.id()).await?;
    let rows = current_replicas(eng, &svc).await?;
    let details = vec![rollout_words(&svc.spec)];
    Ok(rollout(
        eng,
        req,
        &svc,
        rows,
        "replaced by new ones of the same spec",
        details,
        Vec::new(),
    ))
}

pub async fn execute(eng: &Engine, rep: &Report, plan: &Plan) -> End {
    let display = plan.request.target.name();
    let change = Change {
        flavor: Flavor::Update,
        creds: None,
        sent: None,
        converged: format!("{display} restarted: every task was replaced and runs"),
    };
    apply(eng, rep, plan, change, |svc| {
        let mut spec = svc.spec.clone();
        let task = spec.task_template.get_or_insert_with(Default::default);
        task.force_update = Some(task.force_update.unwrap_or(0) + 1);
        Ok(spec)
    })
    .await
}
