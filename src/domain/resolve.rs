//! Turning what an operator typed into a typed target: the names `berth ls`
//! prints. One rule for every backend and every headless command.

use super::{Container, ContainerRef, NodeRef, ServiceRef, Snapshot, TargetRef};

/// A service as `ls services` names it (`stack/service`), a service name
/// that is unique and no container's name, a container by name, full id or
/// unique id prefix (4 or more characters), or a node by name.
pub fn resolve(snap: &Snapshot, name: &str) -> Result<TargetRef, String> {
    let service = |s: &super::Service| TargetRef::Service(ServiceRef::of(s));
    if let Some(s) = snap
        .services
        .iter()
        .find(|s| s.stack.is_some() && s.qualified_name() == name)
    {
        return Ok(service(s));
    }
    let container = find_container(snap, name);
    let by_name: Vec<_> = snap
        .services
        .iter()
        .filter(|s| s.stack.is_some() && s.name == name)
        .collect();
    match (by_name.as_slice(), container) {
        ([one], None) => return Ok(service(one)),
        (_, Some(c)) => return Ok(container_ref(c)),
        _ => {}
    }
    if let Some(n) = snap.nodes.iter().find(|n| n.name == name || n.id == name) {
        return Ok(TargetRef::Node(NodeRef {
            id: n.id.clone(),
            name: n.name.clone(),
        }));
    }
    if by_name.len() > 1 {
        let names: Vec<String> = by_name.iter().map(|s| s.qualified_name()).collect();
        return Err(format!(
            "{name:?} names several services: {}; write stack/service",
            names.join(", ")
        ));
    }
    Err(format!(
        "no service, container or node named {name:?} (see `berth ls services` and `berth ls containers`)"
    ))
}

/// The typed reference of a listed container.
pub fn container_ref(c: &Container) -> TargetRef {
    TargetRef::Container(ContainerRef {
        id: c.id.clone(),
        name: c.name.clone(),
        service_id: c.service_id.clone(),
        service_kind: c.service_kind,
    })
}

fn find_container<'a>(snap: &'a Snapshot, want: &str) -> Option<&'a Container> {
    if let Some(c) = snap
        .containers
        .iter()
        .find(|c| c.name == want || c.id == want)
    {
        return Some(c);
    }
    let mut by_prefix = snap
        .containers
        .iter()
        .filter(|c| want.len() >= 4 && c.id.starts_with(want));
    match (by_prefix.next(), by_prefix.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::sample;

    #[test]
    fn services_containers_and_nodes_by_the_names_ls_prints() {
        let snap = sample();
        let got = |n: &str| resolve(&snap, n).map(|t| (t.noun(), t.name().to_owned()));
        assert_eq!(got("shop/web"), Ok(("service", "shop/web".into())));
        assert_eq!(got("web"), Ok(("service", "shop/web".into())));
        assert_eq!(got("shop-web-1"), Ok(("container", "shop-web-1".into())));
        assert_eq!(got("prod-1"), Ok(("node", "prod-1".into())));
        // A standalone container is found as a container.
        assert_eq!(
            got("lonely-worker"),
            Ok(("container", "lonely-worker".into()))
        );
        let id_prefix = &snap.containers[4].id[..8];
        assert_eq!(got(id_prefix), Ok(("container", "shop-web-1".into())));
        assert!(got("nope").is_err_and(|e| e.contains("berth ls")));
    }
}
