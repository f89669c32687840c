//! Operations on a plain Docker Engine and its Compose projects: what
//! applies to what (capabilities), the plan shown before anything changes,
//! and the execution that reports each replica's steps.

pub(in crate::backend::docker) mod auth;
pub(in crate::backend::docker) mod engine;
pub(in crate::backend::docker) mod image;
mod lifecycle;
mod members;
mod plan;
mod recreate;
mod redeploy;
mod rollback;
mod rollout;
mod scale;
mod wait;

use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, OpKind, OpRequest, Plan, ServiceKind, TargetRef};
use bollard::Docker;
use engine::Engine;

pub const NODE_OPS_ARE_SWARMS: &str =
    "a plain Docker engine has no node operations (drain, pause and activate are Swarm's)";

/// Which operations a target supports on this engine, and why not.
pub fn capabilities(target: &TargetRef) -> Capabilities {
    let kind = match target {
        TargetRef::Service(s) => s.kind,
        TargetRef::Container(c) => c.service_kind,
        TargetRef::Node(_) => return Capabilities::none(NODE_OPS_ARE_SWARMS),
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
                    } else if k.is_node_op() {
                        Err(format!("{} applies to a swarm node", k.label()))
                    } else {
                        Ok(())
                    },
                )
            })
            .collect(),
    )
}

/// Reads the engine and says what `req` would do. Changes nothing.
pub async fn plan(docker: Docker, endpoint: String, req: OpRequest) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    plan::plan(&Engine { docker, endpoint }, req).await
}

/// Carries out the plan of `req`, reporting progress on `rep`.
pub(in crate::backend::docker) async fn run(eng: &Engine, rep: &Report, req: &OpRequest) -> End {
    if let Err(why) = capabilities(&req.target).check(req.kind) {
        return End::failed(why);
    }
    // The engine as it is now, not as it was planned: replicas may have
    // come and gone since.
    let members = match members::of_target(eng, &req.target).await {
        Ok(m) => m,
        Err(e) => return End::failed(e.to_string()),
    };
    match req.kind {
        OpKind::Restart => lifecycle::restart(eng, rep, &members).await,
        OpKind::Stop => lifecycle::stop(eng, rep, &members).await,
        OpKind::Start => lifecycle::start(eng, rep, &members).await,
        OpKind::Redeploy => redeploy::execute(eng, rep, &members).await,
        OpKind::Rollback => rollback::execute(eng, rep, &members).await,
        OpKind::Scale => scale::execute(eng, rep, req, &members).await,
        OpKind::Drain | OpKind::Pause | OpKind::Activate => End::failed(NODE_OPS_ARE_SWARMS),
    }
}
