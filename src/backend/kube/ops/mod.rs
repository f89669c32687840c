//! Operations on a Kubernetes cluster, behind the backend's capabilities →
//! plan → execute, with kubectl's semantics (OPERATIONS.md): workloads in
//! `workload` (scale, rollout restart, undo, followed like `kubectl rollout
//! status`), nodes in `node` (cordon, uncordon, drain; a drain's pods are
//! sorted in `node_pods` and evicted in `node_drain`).

mod node;
mod node_drain;
mod node_pods;
mod workload;

use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, OpRequest, Plan, TargetRef};

/// Which operations apply to `target`, and why the others do not.
pub fn capabilities(target: &TargetRef) -> Capabilities {
    match target {
        TargetRef::Node(_) => node::capabilities(target),
        _ => workload::capabilities(target),
    }
}

/// Reads the cluster and says what `req` would do. Changes nothing.
pub async fn plan(client: kube::Client, req: OpRequest) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    match req.target {
        TargetRef::Node(_) => node::plan(client, req).await,
        _ => workload::plan(client, req).await,
    }
}

/// Carries out `plan`, reporting progress on `rep` until it converges.
pub async fn execute(client: kube::Client, plan: &Plan, rep: &Report) -> End {
    let req = &plan.request;
    if let Err(why) = capabilities(&req.target).check(req.kind) {
        return End::failed(why);
    }
    match req.target {
        TargetRef::Node(_) => node::execute(client, plan, rep).await,
        _ => workload::execute(client, plan, rep).await,
    }
}
