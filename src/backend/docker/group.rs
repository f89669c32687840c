//! Derives stacks and services from the containers' labels: on a plain
//! engine, compose projects and services exist only as labels.

use crate::domain::{Container, Service, ServiceKind, Stack, StackKind};
use std::collections::{BTreeMap, HashMap};

/// Services (compose services, and each standalone container as one) and
/// stacks (compose projects), sorted by name.
pub fn group(
    containers: &[Container],
    working_dirs: &HashMap<String, String>,
) -> (Vec<Stack>, Vec<Service>) {
    let mut by_service: BTreeMap<String, Vec<&Container>> = BTreeMap::new();
    for c in containers {
        by_service.entry(c.service_id.clone()).or_default().push(c);
    }
    let services: Vec<Service> = by_service
        .into_iter()
        .map(|(key, members)| service(key, &members))
        .collect();

    let mut stacks: BTreeMap<&str, Stack> = BTreeMap::new();
    for svc in &services {
        let Some(name) = svc.stack.as_deref() else {
            continue;
        };
        let st = stacks.entry(name).or_insert_with(|| Stack {
            name: name.to_owned(),
            id: name.to_owned(),
            kind: if svc.kind == ServiceKind::Swarm {
                StackKind::Swarm
            } else {
                StackKind::Compose
            },
            working_dir: working_dirs.get(name).cloned(),
            ..Stack::default()
        });
        st.services += 1;
        st.containers_running += svc.replicas_running;
        st.containers_total += svc.replicas_desired;
    }
    (stacks.into_values().collect(), services)
}

fn service(key: String, members: &[&Container]) -> Service {
    let first = members[0];
    // Until the Swarm backend lists services, a swarm service shows with
    // the tasks this engine runs: desired = those tasks.
    // The newest container's image is what the service runs now.
    let newest = members.iter().max_by_key(|c| c.created).unwrap_or(&first);
    let mut ports: Vec<String> = members
        .iter()
        .flat_map(|c| c.ports.iter().map(|p| p.to_string()))
        .collect();
    ports.sort();
    ports.dedup();
    Service {
        id: key,
        name: first.service.clone().unwrap_or_else(|| first.name.clone()),
        stack: first.stack.clone(),
        kind: first.service_kind,
        image: newest.image.clone(),
        replicas_running: members.iter().filter(|c| c.state.is_running()).count() as u32,
        replicas_desired: members.len() as u32,
        ports: ports.join(", "),
        created: members.iter().map(|c| c.created).min().unwrap_or_default(),
        ..Service::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContainerState;
    use crate::domain::fixtures::member;

    fn c(name: &str, stack: Option<&str>, svc: Option<&str>, state: ContainerState) -> Container {
        Container {
            state,
            image: "local/busybox:1".into(),
            ..member(name, stack, svc)
        }
    }

    #[test]
    fn compose_services_and_standalone_containers() {
        let run = ContainerState::Running;
        let containers = vec![
            c("shop-web-1", Some("shop"), Some("web"), run),
            c(
                "shop-web-2",
                Some("shop"),
                Some("web"),
                ContainerState::Exited,
            ),
            c("shop-db-1", Some("shop"), Some("db"), run),
            c("lonely", None, None, run),
        ];
        let dirs = HashMap::from([("shop".to_string(), "/srv/shop".to_string())]);
        let (stacks, services) = group(&containers, &dirs);
        assert_eq!(stacks.len(), 1);
        let shop = &stacks[0];
        assert_eq!((shop.name.as_str(), shop.services), ("shop", 2));
        assert_eq!((shop.containers_running, shop.containers_total), (2, 3));
        assert_eq!(shop.working_dir.as_deref(), Some("/srv/shop"));
        let names: Vec<String> = services.iter().map(|s| s.qualified_name()).collect();
        assert_eq!(names, ["lonely", "shop/db", "shop/web"]);
        let web = &services[2];
        assert_eq!((web.replicas_running, web.replicas_desired), (1, 2));
        assert_eq!(web.kind, ServiceKind::Compose);
        assert_eq!(services[0].kind, ServiceKind::Standalone);
    }
}
