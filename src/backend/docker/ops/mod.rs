//! Operations on a plain Docker Engine and its Compose projects: what
//! applies to what (capabilities), the plan shown before anything changes,
//! and the execution that reports each replica's steps.

use crate::backend::{BackendError, CancellationToken};
use crate::domain::{
    Capabilities, OpEvent, OpKind, OpRequest, Outcome, Plan, ServiceKind, TargetRef,
};
use bollard::Docker;
use tokio::sync::mpsc;

/// Which operations a target supports on this engine, and why not.
pub fn capabilities(target: &TargetRef) -> Capabilities {
    let kind = match target {
        TargetRef::Service(s) => s.kind,
        TargetRef::Container(c) => c.service_kind,
        TargetRef::Node(_) => {
            return Capabilities::none(
                "a plain Docker engine has no node operations (drain and pause are Swarm's)",
            );
        }
    };
    if kind == ServiceKind::Swarm {
        return Capabilities::none(&format!(
            "{} belongs to a Swarm service: the swarm would undo a change made to its containers; \
             operate on the service with the Swarm backend",
            target.name()
        ));
    }
    let scale = match (target, kind) {
        (TargetRef::Service(_), ServiceKind::Compose) => Ok(()),
        (TargetRef::Container(c), ServiceKind::Compose) => Err(format!(
            "scale applies to a service: select {} in the services view",
            c.service_id
        )),
        _ => Err(format!(
            "{} is a standalone container, not a compose service: it cannot scale",
            target.name()
        )),
    };
    Capabilities(
        OpKind::ALL
            .iter()
            .map(|&k| {
                (
                    k,
                    if k == OpKind::Scale {
                        scale.clone()
                    } else {
                        Ok(())
                    },
                )
            })
            .collect(),
    )
}

/// Reads the engine and says what `req` would do. Changes nothing.
pub async fn plan(
    _docker: Docker,
    _endpoint: String,
    req: OpRequest,
) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    Err(BackendError::Unsupported(format!(
        "{} is not implemented yet",
        req.describe()
    )))
}

/// Carries out `plan`, reporting progress on `tx`.
pub async fn execute(
    _docker: Docker,
    _endpoint: String,
    plan: Plan,
    tx: mpsc::Sender<OpEvent>,
    _cancel: CancellationToken,
) {
    let _ = tx
        .send(OpEvent::Finished {
            outcome: Outcome::Failed,
            message: format!("{} is not implemented yet", plan.request.describe()),
        })
        .await;
}
