//! Operations on Kubernetes workloads with kubectl's semantics
//! (OPERATIONS.md): scale through the scale subresource, restart and
//! redeploy as `rollout restart`, rollback as `rollout undo`, each followed
//! as `rollout status` judges it; a pod's restart deletes it so its
//! controller creates a replacement.

mod capabilities;
mod errors;
mod follow;
mod object;
mod pod_restart;
mod pods;
mod restart;
mod revisions;
mod rollout_status;
mod scale;
mod template_diff;
mod undo;

use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, OpKind, OpRequest, Plan, TargetRef};
use object::WorkloadId;

pub fn capabilities(target: &TargetRef) -> Capabilities {
    match target {
        TargetRef::Service(s) => capabilities::of_workload(s),
        TargetRef::Container(c) => capabilities::of_pod(c),
        TargetRef::Node(n) => Capabilities::none(&format!(
            "{} is a node: the workload operations do not apply",
            n.name
        )),
    }
}

fn workload(req: &OpRequest) -> Result<WorkloadId, String> {
    WorkloadId::parse(req.target.id()).ok_or_else(|| {
        format!(
            "{} is not a Deployment, StatefulSet or DaemonSet",
            req.target.name()
        )
    })
}

pub async fn plan(client: kube::Client, req: OpRequest) -> Result<Plan, BackendError> {
    if let TargetRef::Container(_) = req.target {
        return match req.kind {
            OpKind::Restart => pod_restart::plan(client, req).await,
            k => Err(BackendError::Unsupported(format!(
                "{} does not apply to a pod",
                k.label()
            ))),
        };
    }
    let id = workload(&req).map_err(BackendError::Unsupported)?;
    match req.kind {
        OpKind::Scale => scale::plan(client, id, req).await,
        OpKind::Restart | OpKind::Redeploy => restart::plan(client, id, req).await,
        OpKind::Rollback => undo::plan(client, id, req).await,
        k => Err(BackendError::Unsupported(format!(
            "{} does not apply to a Kubernetes workload",
            k.label()
        ))),
    }
}

pub async fn execute(client: kube::Client, plan: &Plan, rep: &Report) -> End {
    let req = &plan.request;
    if let TargetRef::Container(_) = req.target {
        return match req.kind {
            OpKind::Restart => pod_restart::execute(client, rep, plan).await,
            k => End::failed(format!("{} does not apply to a pod", k.label())),
        };
    }
    let id = match workload(req) {
        Ok(id) => id,
        Err(e) => return End::failed(e),
    };
    match req.kind {
        OpKind::Scale => scale::execute(client, id, rep, plan).await,
        OpKind::Restart | OpKind::Redeploy => restart::execute(client, id, rep, plan).await,
        OpKind::Rollback => undo::execute(client, id, rep, plan).await,
        k => End::failed(format!(
            "{} does not apply to a Kubernetes workload",
            k.label()
        )),
    }
}
