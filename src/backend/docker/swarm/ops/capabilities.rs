//! What applies to a swarm service and to one of its tasks, and why the
//! rest does not.

use crate::domain::{Capabilities, ContainerRef, OpKind, ServiceMode, ServiceRef};

/// The operations of a swarm service.
pub fn of_service(s: &ServiceRef) -> Capabilities {
    let name = &s.name;
    let job = matches!(s.mode, ServiceMode::ReplicatedJob | ServiceMode::GlobalJob);
    let scale = match s.mode {
        ServiceMode::Replicated => Ok(()),
        ServiceMode::Global => Err(format!(
            "{name} is a global service: it runs one task on every eligible node and cannot scale"
        )),
        ServiceMode::GlobalJob => Err(format!(
            "{name} is a global job: it runs once on every eligible node and cannot scale"
        )),
        ServiceMode::ReplicatedJob => Err(format!(
            "{name} is a replicated job: its tasks run to completion, so there are no replicas \
             to keep running; scale applies to replicated services"
        )),
    };
    let stop = if job {
        format!("{name} is a swarm job: it has no stop, its tasks end by themselves")
    } else if s.mode == ServiceMode::Global {
        format!(
            "a swarm service has no stop, and {name} is global (it cannot scale to 0): \
             remove it, or narrow its placement constraints"
        )
    } else {
        format!("a swarm service has no stop: scale {name} to 0 instead")
    };
    let start = if job {
        format!("{name} is a swarm job: it has no start; restart runs it again")
    } else if s.mode == ServiceMode::Global {
        format!("a swarm service has no start: {name} is global and runs wherever it may")
    } else {
        format!("a swarm service has no start: scale {name} up from 0 instead")
    };
    Capabilities(
        OpKind::ALL
            .iter()
            .map(|&k| {
                let r = match k {
                    OpKind::Restart | OpKind::Redeploy | OpKind::Rollback => Ok(()),
                    OpKind::Scale => scale.clone(),
                    OpKind::Stop => Err(stop.clone()),
                    OpKind::Start => Err(start.clone()),
                    OpKind::Drain | OpKind::Pause | OpKind::Activate => Err(format!(
                        "{} applies to a node, not to a service such as {name}",
                        k.label()
                    )),
                };
                (k, r)
            })
            .collect(),
    )
}

/// The service a task belongs to, as its container is named
/// (`<service>.<slot or node>.<task id>`); the service's id otherwise.
pub fn service_of_task(c: &ContainerRef) -> &str {
    match c.name.split_once('.') {
        Some((service, rest)) if !service.is_empty() && rest.contains('.') => service,
        _ => &c.service_id,
    }
}

/// A task of a swarm service: the swarm owns it, every change goes
/// through its service.
pub fn of_task(c: &ContainerRef) -> Capabilities {
    let service = service_of_task(c);
    Capabilities::none(&format!(
        "{} is a task of the swarm service {service}: the swarm replaces its tasks by itself, \
         so a change made here would be undone; operate on the service {service}",
        c.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ServiceKind;

    fn service(mode: ServiceMode) -> ServiceRef {
        ServiceRef {
            id: "k3j2".into(),
            name: "shop/shop_web".into(),
            kind: ServiceKind::Swarm,
            mode,
        }
    }

    #[test]
    fn a_replicated_service_restarts_redeploys_rolls_back_and_scales() {
        let c = of_service(&service(ServiceMode::Replicated));
        for k in [
            OpKind::Restart,
            OpKind::Redeploy,
            OpKind::Rollback,
            OpKind::Scale,
        ] {
            assert_eq!(c.check(k), Ok(()), "{k:?}");
        }
        let stop = c.check(OpKind::Stop).expect_err("no stop");
        assert!(stop.contains("scale shop/shop_web to 0"), "{stop}");
        let drain = c.check(OpKind::Drain).expect_err("a node's");
        assert!(drain.contains("applies to a node"), "{drain}");
    }

    #[test]
    fn global_services_and_jobs_refuse_scale_with_the_reason() {
        let why = of_service(&service(ServiceMode::Global))
            .check(OpKind::Scale)
            .expect_err("global");
        assert_eq!(
            why,
            "shop/shop_web is a global service: it runs one task on every eligible node and \
             cannot scale"
        );
        assert!(
            of_service(&service(ServiceMode::GlobalJob))
                .check(OpKind::Scale)
                .is_err_and(|e| e.contains("cannot scale"))
        );
        assert!(
            of_service(&service(ServiceMode::ReplicatedJob))
                .check(OpKind::Scale)
                .is_err_and(|e| e.contains("run to completion"))
        );
        assert_eq!(
            of_service(&service(ServiceMode::Global)).check(OpKind::Redeploy),
            Ok(())
        );
    }

    #[test]
    fn a_task_refuses_everything_and_names_its_service() {
        let task = ContainerRef {
            id: "c0ffee".into(),
            name: "shop_web.2.x8k2m1b0tq1z".into(),
            service_id: "k3j2".into(),
            service_kind: ServiceKind::Swarm,
        };
        let caps = of_task(&task);
        for k in OpKind::ALL {
            let why = caps.check(k).expect_err("refused");
            assert!(why.contains("operate on the service shop_web"), "{why}");
        }
        let odd = ContainerRef {
            name: "renamed".into(),
            ..task
        };
        assert_eq!(service_of_task(&odd), "k3j2");
    }
}
