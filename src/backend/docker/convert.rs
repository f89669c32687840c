//! Engine data -> domain model. Pure functions, unit-tested on fixtures.

use crate::domain::{Container, ContainerState, Health, Node, PortMapping, ServiceKind};
use bollard::models::{ContainerSummary, SystemInfo};

pub const LABEL_COMPOSE_PROJECT: &str = "com.docker.compose.project";
pub const LABEL_COMPOSE_SERVICE: &str = "com.docker.compose.service";
pub const LABEL_COMPOSE_ONEOFF: &str = "com.docker.compose.oneoff";
pub const LABEL_COMPOSE_WORKDIR: &str = "com.docker.compose.project.working_dir";
pub const LABEL_STACK_NAMESPACE: &str = "com.docker.stack.namespace";
pub const LABEL_SWARM_SERVICE: &str = "com.docker.swarm.service.name";
pub const LABEL_SWARM_SERVICE_ID: &str = "com.docker.swarm.service.id";

/// The engine host a container runs on.
pub struct Host<'a> {
    pub name: &'a str,
    pub id: &'a str,
}

/// One container from the list endpoint, with its owner service and node.
pub fn container(summary: &ContainerSummary, host: &Host<'_>) -> Container {
    let labels = summary.labels.as_ref();
    let label = |k: &str| {
        labels
            .and_then(|l| l.get(k))
            .filter(|v| !v.is_empty())
            .map(|v| clean(v))
    };
    let name = summary
        .names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_owned())
        .unwrap_or_else(|| short_id(summary.id.as_deref().unwrap_or_default()).to_owned());
    // `docker-compose run` containers are not replicas of the service: show
    // them on their own. Swarm tasks belong to their swarm service, whose
    // name already carries the stack's prefix.
    let swarm = label(LABEL_SWARM_SERVICE).zip(label(LABEL_SWARM_SERVICE_ID));
    let (stack, service, service_id, service_kind) =
        match (label(LABEL_COMPOSE_PROJECT), label(LABEL_COMPOSE_SERVICE)) {
            _ if is_oneoff(summary) => (None, None, name.clone(), ServiceKind::Standalone),
            (Some(p), Some(s)) => {
                let id = format!("{p}/{s}");
                (Some(p), Some(s), id, ServiceKind::Compose)
            }
            _ => match swarm {
                Some((svc, id)) => (
                    label(LABEL_STACK_NAMESPACE),
                    Some(svc),
                    id,
                    ServiceKind::Swarm,
                ),
                None => (None, None, name.clone(), ServiceKind::Standalone),
            },
        };
    let status = clean(summary.status.as_deref().unwrap_or_default());
    let mut ports: Vec<PortMapping> = summary
        .ports
        .iter()
        .flatten()
        .map(|p| PortMapping {
            host_ip: p.ip.clone(),
            host_port: p.public_port,
            container_port: p.private_port,
            protocol: p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into()),
        })
        .collect();
    ports.sort_by_key(|p| (p.container_port, p.host_port));
    Container {
        id: summary.id.clone().unwrap_or_default(),
        name,
        state: ContainerState::parse(&summary.state.map(|s| s.to_string()).unwrap_or_default()),
        health: health_from_status(&status),
        status,
        image: image_name(summary.image.as_deref().unwrap_or_default()),
        ports,
        created: summary.created.unwrap_or_default(),
        restart_count: None,
        stack,
        service,
        service_id,
        service_kind,
        node: host.name.to_owned(),
        node_id: host.id.to_owned(),
        command: clean(summary.command.as_deref().unwrap_or_default()),
        task: None,
        parts: Vec::new(),
        networks: networks(summary),
        route_labels: route_labels(labels),
    }
}

/// The networks a container is on, with its IPv4 address on each.
fn networks(summary: &ContainerSummary) -> Vec<(String, String)> {
    let mut nets: Vec<(String, String)> = summary
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .into_iter()
        .flatten()
        .map(|(name, ep)| {
            let ip = ep.ip_address.as_deref().unwrap_or_default();
            (clean(name), clean(ip))
        })
        .collect();
    nets.sort();
    nets
}

/// The `traefik.*` labels among `labels`, sorted, cleaned for the screen.
pub fn route_labels(
    labels: Option<&std::collections::HashMap<String, String>>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = labels
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("traefik."))
        .map(|(k, v)| (clean(k), clean(v)))
        .collect();
    out.sort();
    out
}

/// The image as `docker ps` shows it: a container made from an image id
/// (a rollback, or a tag that moved) shows the short id, not 71 characters.
pub fn image_name(image: &str) -> String {
    match image.strip_prefix("sha256:") {
        Some(hex) => short_id(hex).to_owned(),
        None => clean(image),
    }
}

/// API 1.41 lists health only inside the status text: "Up 3 minutes (healthy)".
pub fn health_from_status(status: &str) -> Health {
    if status.contains("(unhealthy)") {
        Health::Unhealthy
    } else if status.contains("(healthy)") {
        Health::Healthy
    } else if status.contains("(health: starting)") {
        Health::Starting
    } else {
        Health::None
    }
}

/// Whether a compose container was made by `docker-compose run`.
fn is_oneoff(summary: &ContainerSummary) -> bool {
    summary
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_COMPOSE_ONEOFF))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The engine host as a node; container counts are filled from the listing.
pub fn node(info: &SystemInfo, engine_version: &str, containers: &[Container]) -> Node {
    Node {
        id: info.id.clone().unwrap_or_default(),
        name: info.name.clone().unwrap_or_default(),
        role: "engine".into(),
        state: "ready".into(),
        engine_version: engine_version.to_owned(),
        os: info.operating_system.clone().unwrap_or_default(),
        arch: info.architecture.clone().unwrap_or_default(),
        cpus: info.ncpu.unwrap_or_default().max(0) as u32,
        memory_bytes: info.mem_total.unwrap_or_default().max(0) as u64,
        containers_running: containers.iter().filter(|c| c.state.is_running()).count() as u32,
        containers_total: containers.len() as u32,
        ..Node::default()
    }
}

/// Labels and commands are whatever someone wrote: no control character
/// may reach the terminal through them.
pub fn clean(s: &str) -> String {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect()
    } else {
        s.to_owned()
    }
}

pub fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerSummaryStateEnum, PortSummary, PortSummaryTypeEnum};
    use std::collections::HashMap;

    const HOST: Host<'static> = Host {
        name: "host1",
        id: "ID1",
    };

    #[test]
    fn swarm_tasks_belong_to_their_swarm_service() {
        let c = container(
            &summary(
                "shop_web.1.abc",
                &[
                    (LABEL_STACK_NAMESPACE, "shop"),
                    (LABEL_SWARM_SERVICE, "shop_web"),
                    (LABEL_SWARM_SERVICE_ID, "svcid123"),
                ],
                "Up 1 second",
            ),
            &HOST,
        );
        assert_eq!(c.stack.as_deref(), Some("shop"));
        assert_eq!(c.service.as_deref(), Some("shop_web"));
        assert_eq!(c.service_id, "svcid123");
        assert_eq!(c.service_kind, ServiceKind::Swarm);
    }

    fn summary(name: &str, labels: &[(&str, &str)], status: &str) -> ContainerSummary {
        ContainerSummary {
            id: Some(format!("{name:0>64}")),
            names: Some(vec![format!("/{name}")]),
            image: Some("local/busybox:1".into()),
            state: Some(ContainerSummaryStateEnum::RUNNING),
            status: Some(status.into()),
            created: Some(1_700_000_000),
            labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<HashMap<_, _>>(),
            ),
            ports: Some(vec![
                PortSummary {
                    ip: Some("0.0.0.0".into()),
                    private_port: 80,
                    public_port: Some(8080),
                    typ: Some(PortSummaryTypeEnum::TCP),
                },
                PortSummary {
                    ip: Some("::".into()),
                    private_port: 80,
                    public_port: Some(8080),
                    typ: Some(PortSummaryTypeEnum::TCP),
                },
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn compose_labels_give_stack_and_service() {
        let c = container(
            &summary(
                "shop-web-1",
                &[
                    (LABEL_COMPOSE_PROJECT, "shop"),
                    (LABEL_COMPOSE_SERVICE, "web"),
                ],
                "Up 2 minutes (healthy)",
            ),
            &HOST,
        );
        assert_eq!(c.name, "shop-web-1");
        assert_eq!(c.stack.as_deref(), Some("shop"));
        assert_eq!(c.service.as_deref(), Some("web"));
        assert_eq!(c.service_id, "shop/web");
        assert_eq!(c.service_kind, ServiceKind::Compose);
        assert_eq!(c.state, ContainerState::Running);
        assert_eq!(c.health, Health::Healthy);
        assert_eq!((c.node.as_str(), c.node_id.as_str()), ("host1", "ID1"));
        assert_eq!(
            c.ports_text(),
            "8080->80/tcp",
            "v4 and v6 bindings fold into one"
        );
    }

    #[test]
    fn a_plain_container_is_its_own_service() {
        let c = container(&summary("lonely", &[], "Up 1 second"), &HOST);
        assert_eq!(c.stack, None);
        assert_eq!(c.service_id, "lonely");
        assert_eq!(c.service_kind, ServiceKind::Standalone);
        assert_eq!(c.health, Health::None);
    }

    #[test]
    fn compose_run_containers_stand_alone() {
        let c = container(
            &summary(
                "shop-web-run-1",
                &[
                    (LABEL_COMPOSE_PROJECT, "shop"),
                    (LABEL_COMPOSE_SERVICE, "web"),
                    (LABEL_COMPOSE_ONEOFF, "True"),
                ],
                "Up 1 second",
            ),
            &HOST,
        );
        assert_eq!(c.stack, None);
        assert_eq!(c.service_id, "shop-web-run-1");
    }

    #[test]
    fn control_characters_in_labels_never_pass() {
        let c = container(
            &summary(
                "x",
                &[
                    (LABEL_COMPOSE_PROJECT, "evil\x1b]0;t\x07"),
                    (LABEL_COMPOSE_SERVICE, "s\r"),
                ],
                "Up",
            ),
            &HOST,
        );
        let key = format!("{:?}{:?}{}", c.stack, c.service, c.service_id);
        assert!(!key.chars().any(char::is_control), "{key:?}");
    }

    #[test]
    fn images_made_from_an_id_show_the_short_id() {
        assert_eq!(
            image_name("sha256:1351d707abda7df34a83670000000000000000000000000000000000000000aa"),
            "1351d707abda"
        );
        assert_eq!(image_name("127.0.0.1:5000/app:1"), "127.0.0.1:5000/app:1");
    }

    #[test]
    fn health_words_are_read_from_the_status() {
        assert_eq!(
            health_from_status("Up 5 s (health: starting)"),
            Health::Starting
        );
        assert_eq!(health_from_status("Up 5 s (unhealthy)"), Health::Unhealthy);
        assert_eq!(health_from_status("Exited (0) 3 s ago"), Health::None);
    }
}
