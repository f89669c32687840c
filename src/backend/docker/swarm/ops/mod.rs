//! Operations on swarm services and nodes: scale, redeploy (pinned to the
//! registry's digest), rollback, restart, and node availability.

mod node;

use crate::backend::docker::ops::report::{End, Report};
use crate::backend::{BackendError, CancellationToken};
use crate::domain::{Capabilities, OpEvent, OpKind, OpRequest, Plan, ServiceKind, TargetRef};
use bollard::Docker;
use tokio::sync::mpsc;

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
    let mut caps = node::capabilities(target);
    if !matches!(target, TargetRef::Node(_)) {
        // The node operations say why not; service operations are to come.
        caps.0
            .extend(OpKind::ALL.iter().filter(|k| !k.is_node_op()).map(|&k| {
                (
                    k,
                    Err("swarm service operations are not in this build yet".into()),
                )
            }));
    }
    caps
}

/// Reads the swarm and says what `req` would do. Changes nothing.
pub async fn plan(docker: Docker, endpoint: String, req: OpRequest) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    match req.target {
        TargetRef::Node(_) => node::plan(&docker, &endpoint, req).await,
        _ => Err(BackendError::Unsupported("not yet".into())),
    }
}

/// Carries out `plan`, reporting progress on `tx`; `Finished` comes last.
pub async fn execute(
    docker: Docker,
    endpoint: String,
    plan: Plan,
    tx: mpsc::Sender<OpEvent>,
    cancel: CancellationToken,
) {
    let rep = Report::new(tx, cancel);
    let end = match plan.request.target {
        TargetRef::Node(_) => node::execute(&docker, &endpoint, &plan.request, &rep).await,
        _ => End::failed("swarm operations are not in this build yet"),
    };
    rep.finish(end).await;
}
