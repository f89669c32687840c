//! Operations on swarm services and nodes: scale, redeploy (pinned to the
//! registry's digest), rollback, restart, and node availability.

use crate::backend::{BackendError, CancellationToken};
use crate::domain::{Capabilities, OpEvent, OpRequest, Outcome, Plan, ServiceKind, TargetRef};
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
pub fn capabilities(_target: &TargetRef) -> Capabilities {
    Capabilities::none("swarm operations are not in this build yet")
}

/// Reads the swarm and says what `req` would do. Changes nothing.
pub async fn plan(
    _docker: Docker,
    _endpoint: String,
    req: OpRequest,
) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    Err(BackendError::Unsupported("not yet".into()))
}

/// Carries out `plan`, reporting progress on `tx`; `Finished` comes last.
pub async fn execute(
    _docker: Docker,
    _endpoint: String,
    _plan: Plan,
    tx: mpsc::Sender<OpEvent>,
    _cancel: CancellationToken,
) {
    let _ = tx
        .send(OpEvent::Finished {
            outcome: Outcome::Failed,
            message: "swarm operations are not in this build yet".into(),
        })
        .await;
}
