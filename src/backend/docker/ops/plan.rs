//! Plans: what an operation will do, read from the engine before anything
//! changes. The texts shared by every kind live here.

use super::NODE_OPS_ARE_SWARMS;
use super::engine::Engine;
use super::lifecycle::count;
use super::members::{self, Member};
use super::{redeploy, rollback, scale};
use crate::backend::BackendError;
use crate::domain::{OpKind, OpRequest, Plan, TargetRef};

/// "redeploy shop/web on docker unix:///var/run/docker.sock"
pub fn head(req: &OpRequest, endpoint: &str) -> String {
    format!(
        "{} {} on docker {endpoint}",
        req.kind.label(),
        req.target.name()
    )
}

pub fn one_at_a_time() -> String {
    "each replica: create <short-id>_<name>, stop the old, start the new and wait until it runs \
     (healthy if it has a healthcheck), then remove the old (volumes kept); a replacement that \
     does not run puts the old container back"
        .to_owned()
}

/// A lone replica is down while it is replaced: say so.
pub fn only_replica(req: &OpRequest, ms: &[Member]) -> Vec<String> {
    let doing = match req.kind {
        OpKind::Restart => "restarting",
        _ => "replaced",
    };
    match (ms, &req.target) {
        // A container, or a standalone container's own service.
        ([m], t) if matches!(t, TargetRef::Container(_)) || t.name() == m.name => {
            vec![format!("{} is down while it is {doing}", m.name)]
        }
        ([m], _) => vec![format!(
            "{} has one container ({}): it is down while it is {doing}",
            req.target.name(),
            m.name,
        )],
        _ => Vec::new(),
    }
}

pub async fn plan(eng: &Engine, req: OpRequest) -> Result<Plan, BackendError> {
    let ms = members::of_target(eng, &req.target).await?;
    match req.kind {
        OpKind::Redeploy => redeploy::plan(eng, req, ms).await,
        OpKind::Rollback => rollback::plan(eng, req, ms).await,
        OpKind::Scale => scale::plan(eng, req, ms).await,
        OpKind::Restart | OpKind::Stop | OpKind::Start => Ok(lifecycle(&eng.endpoint, req, ms)),
        OpKind::Drain | OpKind::Pause | OpKind::Activate => {
            Err(BackendError::Unsupported(NODE_OPS_ARE_SWARMS.to_owned()))
        }
    }
}

fn lifecycle(endpoint: &str, req: OpRequest, ms: Vec<Member>) -> Plan {
    let running = ms.iter().filter(|m| m.running).count();
    let stopped = ms.len() - running;
    let what = match req.kind {
        OpKind::Restart if ms.len() == 1 => format!(
            "restarts {} and waits until it runs again (healthy if it has a healthcheck)",
            ms[0].name
        ),
        OpKind::Restart => format!(
            "{} restarted one at a time, each running again (healthy if it has a healthcheck) before the next",
            count(ms.len())
        ),
        OpKind::Stop if running == 0 => {
            format!("nothing runs: {} already stopped", count(ms.len()))
        }
        OpKind::Stop => format!("stops {} (kept, they can be started again)", count(running)),
        _ if stopped == 0 => format!("nothing to start: {} already running", count(ms.len())),
        _ => format!("starts {} one at a time", count(stopped)),
    };
    let mut warnings = Vec::new();
    if req.kind == OpKind::Restart {
        warnings = only_replica(&req, &ms);
    } else if req.kind == OpKind::Stop && running > 0 {
        warnings.push(format!("{} stops serving", req.target.name()));
    }
    Plan {
        summary: format!("{} — {what}", head(&req, endpoint)),
        details: Vec::new(),
        warnings,
        replicas: ms.into_iter().map(|m| m.name).collect(),
        confirm_twice: false,
        revision: None,
        request: req,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ServiceKind, ServiceMode, ServiceRef};

    fn req(kind: OpKind) -> OpRequest {
        OpRequest {
            kind,
            target: TargetRef::Service(ServiceRef {
                id: "shop/web".into(),
                name: "shop/web".into(),
                kind: ServiceKind::Compose,
                mode: ServiceMode::Replicated,
            }),
            replicas: None,
        }
    }

    fn ms(running: &[bool]) -> Vec<Member> {
        running
            .iter()
            .enumerate()
            .map(|(i, r)| Member {
                id: format!("id{i}"),
                name: format!("shop_web_{}", i + 1),
                number: i as u32 + 1,
                running: *r,
            })
            .collect()
    }

    #[test]
    fn lifecycle_plans_name_the_engine_the_target_and_the_change() {
        let eng = "unix:///var/run/docker.sock";
        let p = lifecycle(eng, req(OpKind::Restart), ms(&[true, true]));
        assert_eq!(
            p.summary,
            "restart shop/web on docker unix:///var/run/docker.sock — 2 containers restarted one at a \
             time, each running again (healthy if it has a healthcheck) before the next"
        );
        assert_eq!(p.replicas, ["shop_web_1", "shop_web_2"]);
        let p = lifecycle(eng, req(OpKind::Start), ms(&[true, false]));
        assert!(
            p.summary.ends_with("— starts 1 container one at a time"),
            "{}",
            p.summary
        );
        let p = lifecycle(eng, req(OpKind::Restart), ms(&[true]));
        assert_eq!(
            p.warnings.len(),
            1,
            "a lone replica is down while it restarts"
        );
    }
}
