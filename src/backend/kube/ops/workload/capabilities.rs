//! What applies to a Kubernetes workload and to one of its pods, and why
//! the rest does not.

use super::object::{Kind, WorkloadId};
use crate::domain::{Capabilities, ContainerRef, OpKind, ServiceKind, ServiceRef};

fn all(f: impl Fn(OpKind) -> Result<(), String>) -> Capabilities {
    Capabilities(OpKind::ALL.iter().map(|&k| (k, f(k))).collect())
}

fn node_only(k: OpKind, what: &str) -> String {
    format!("{} applies to a node, not to {what}", k.label())
}

/// A Deployment, StatefulSet or DaemonSet.
pub fn of_workload(s: &ServiceRef) -> Capabilities {
    let Some(id) = WorkloadId::parse(&s.id) else {
        return Capabilities::none(&format!(
            "{} is not a Deployment, StatefulSet or DaemonSet: berth has no operation for it",
            s.name
        ));
    };
    let display = id.display();
    let daemon = id.kind == Kind::DaemonSet;
    all(|k| match k {
        OpKind::Restart | OpKind::Redeploy | OpKind::Rollback => Ok(()),
        OpKind::Scale if daemon => Err(format!(
            "{display}: a DaemonSet runs one pod per eligible node: it has no replica count to \
             scale"
        )),
        OpKind::Scale => Ok(()),
        OpKind::Stop if daemon => Err(format!(
            "Kubernetes has no stop, and {display} cannot scale to 0: delete it, or narrow its \
             nodeSelector"
        )),
        OpKind::Stop => Err(format!(
            "Kubernetes has no stop for a workload: scale {display} to 0 instead"
        )),
        OpKind::Start if daemon => Err(format!(
            "Kubernetes has no start: {display} runs on every eligible node by itself"
        )),
        OpKind::Start => Err(format!(
            "Kubernetes has no start for a workload: scale {display} up from 0 instead"
        )),
        OpKind::Drain | OpKind::Pause | OpKind::Activate => Err(node_only(k, &display)),
    })
}

/// A pod: its controller owns it, so every change but a restart (delete,
/// and the controller creates a new one) goes through the workload.
pub fn of_pod(c: &ContainerRef) -> Capabilities {
    let pod = &c.name;
    let owner = (c.service_kind == ServiceKind::Workload)
        .then(|| WorkloadId::parse(&c.service_id))
        .flatten();
    let Some(owner) = owner else {
        let bare = format!(
            "{pod} belongs to no Deployment, StatefulSet or DaemonSet: nothing would recreate it"
        );
        return all(|k| match k {
            OpKind::Restart => Err(format!(
                "{bare}, so deleting it to restart it could lose it; Kubernetes cannot restart a \
                 pod in place"
            )),
            OpKind::Drain | OpKind::Pause | OpKind::Activate => {
                Err(node_only(k, &format!("pod {pod}")))
            }
            _ => Err(format!(
                "{bare}: it has no replicas, template or revisions to {}",
                k.label()
            )),
        });
    };
    let workload = owner.display();
    all(|k| match k {
        OpKind::Restart => Ok(()),
        OpKind::Scale | OpKind::Redeploy | OpKind::Rollback => Err(format!(
            "{pod} is a pod of {workload}, whose controller would undo a change made to one pod: \
             operate on {workload}"
        )),
        OpKind::Stop | OpKind::Start => Err(format!(
            "Kubernetes has no {} for a pod ({workload} would start another): scale {workload} \
             instead, or restart the pod",
            k.label()
        )),
        OpKind::Drain | OpKind::Pause | OpKind::Activate => {
            Err(node_only(k, &format!("pod {pod}")))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ServiceMode;

    fn workload(id: &str, mode: ServiceMode) -> ServiceRef {
        ServiceRef {
            id: id.into(),
            name: "shop/web".into(),
            kind: ServiceKind::Workload,
            mode,
        }
    }

    fn pod(service_id: &str, kind: ServiceKind) -> ContainerRef {
        ContainerRef {
            id: "uid-1".into(),
            name: "web-5d8f-abcde".into(),
            service_id: service_id.into(),
            service_kind: kind,
        }
    }

    #[test]
    fn deployments_and_statefulsets_scale_restart_redeploy_and_roll_back() {
        for id in ["shop/deployment/web", "shop/statefulset/web"] {
            let c = of_workload(&workload(id, ServiceMode::Replicated));
            for k in [
                OpKind::Scale,
                OpKind::Restart,
                OpKind::Redeploy,
                OpKind::Rollback,
            ] {
                assert_eq!(c.check(k), Ok(()), "{id} {k:?}");
            }
            let stop = c.check(OpKind::Stop).expect_err("no stop");
            assert!(stop.contains("to 0 instead"), "{stop}");
        }
    }

    #[test]
    fn a_daemonset_refuses_scale_with_the_reason() {
        let c = of_workload(&workload("shop/daemonset/mon", ServiceMode::Global));
        assert_eq!(
            c.check(OpKind::Scale),
            Err(
                "daemonset shop/mon: a DaemonSet runs one pod per eligible node: it has no \
                 replica count to scale"
                    .to_owned()
            )
        );
        assert_eq!(c.check(OpKind::Redeploy), Ok(()));
        assert_eq!(c.check(OpKind::Rollback), Ok(()));
    }

    #[test]
    fn a_pod_names_its_workload_and_only_restarts_when_a_controller_owns_it() {
        let c = of_pod(&pod("shop/deployment/web", ServiceKind::Workload));
        assert_eq!(c.check(OpKind::Restart), Ok(()));
        for k in [OpKind::Scale, OpKind::Redeploy, OpKind::Rollback] {
            let why = c.check(k).expect_err("refused");
            assert!(why.contains("operate on deployment shop/web"), "{why}");
        }
        let bare = of_pod(&pod("shop/pod/lonely", ServiceKind::Standalone));
        let why = bare.check(OpKind::Restart).expect_err("a bare pod");
        assert!(why.contains("could lose it"), "{why}");
    }
}
