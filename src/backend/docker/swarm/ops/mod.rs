//! Operations on swarm services and nodes, behind the backend's
//! capabilities → plan → execute: scale, redeploy (pinned to the
//! registry's digest), rollback and restart of a service, each watched
//! until the swarm converges; node availability in `node`.

mod apply;
mod capabilities;
mod converge;
mod diff;
mod digest;
mod node;
mod plan;
mod previous;
mod redeploy;
mod restart;
mod rollback;
mod scale;
mod service;
mod update;
mod watch;

use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, OpKind, OpRequest, Plan, ServiceKind, TargetRef};
use bollard::Docker;

/// Whether `target` is the swarm's to operate on (a swarm service, one of
/// its tasks, or a node) rather than the plain engine's.
pub fn handles(target: &TargetRef) -> bool {
    match target {
        TargetRef::Service(s) => s.kind == ServiceKind::Swarm,
        TargetRef::Container(c) => c.service_kind == ServiceKind::Swarm,
        TargetRef::Node(_) => true,
    }
}

/// Which operations apply to a swarm target, and why the others do not.
pub fn capabilities(target: &TargetRef) -> Capabilities {
    match target {
        TargetRef::Service(s) => capabilities::of_service(s),
        TargetRef::Container(c) => capabilities::of_task(c),
        TargetRef::Node(_) => node::capabilities(target),
    }
}

/// Reads the swarm and says what `req` would do. Changes nothing.
pub async fn plan(docker: Docker, endpoint: String, req: OpRequest) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    let eng = Engine { docker, endpoint };
    if let TargetRef::Node(_) = req.target {
        return node::plan(&eng.docker, &eng.endpoint, req).await;
    }
    match req.kind {
        OpKind::Scale => scale::plan(&eng, req).await,
        OpKind::Redeploy => redeploy::plan(&eng, req).await,
        OpKind::Restart => restart::plan(&eng, req).await,
        OpKind::Rollback => rollback::plan(&eng, req).await,
        k => Err(BackendError::Unsupported(format!(
            "{} does not apply to a swarm service",
            k.label()
        ))),
    }
}

/// Carries out `plan`, reporting progress on `rep`. Cancelling stops the
/// watch: the swarm carries on with a change sent.
pub(in crate::backend::docker) async fn run(eng: &Engine, rep: &Report, plan: &Plan) -> End {
    let req = &plan.request;
    if let Err(why) = capabilities(&req.target).check(req.kind) {
        return End::failed(why);
    }
    if let TargetRef::Node(_) = req.target {
        return node::execute(&eng.docker, &eng.endpoint, &plan.request, rep).await;
    }
    match req.kind {
        OpKind::Scale => scale::execute(eng, rep, plan).await,
        OpKind::Redeploy => redeploy::execute(eng, rep, plan).await,
        OpKind::Restart => restart::execute(eng, rep, plan).await,
        OpKind::Rollback => rollback::execute(eng, rep, plan).await,
        k => End::failed(format!("{} does not apply to a swarm service", k.label())),
    }
}
