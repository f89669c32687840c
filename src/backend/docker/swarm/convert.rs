//! Swarm API objects -> domain model. Pure functions, unit-tested on the
//! JSON a real manager returned.

use super::ports::Published;
use crate::backend::docker::convert::{LABEL_STACK_NAMESPACE, clean, short_id};
use crate::domain::{
    Container, ContainerState, Node, Service, ServiceKind, ServiceMode, TaskInfo, UpdateState,
};
use crate::logs::timestamp::parse_docker_timestamp;
use bollard::models::{
    Node as SwarmNode, NodeSpecAvailabilityEnum, Service as SwarmService, Task, TaskState,
};
use std::collections::HashMap;

/// What a task needs from its service and node to be shown.
#[derive(Debug, Default)]
pub struct Names {
    /// Service id -> (full swarm name, stack).
    pub services: HashMap<String, (String, Option<String>)>,
    /// Node id -> hostname.
    pub nodes: HashMap<String, String>,
}

impl Names {
    pub fn new(services: &[SwarmService], nodes: &[SwarmNode]) -> Names {
        let services = services
            .iter()
            .filter_map(|s| {
                let id = s.id.clone()?;
                let spec = s.spec.as_ref();
                let name = clean(spec.and_then(|s| s.name.as_deref()).unwrap_or_default());
                Some((id, (name, stack_of(s))))
            })
            .collect();
        let nodes = nodes
            .iter()
            .filter_map(|n| Some((n.id.clone()?, node_name(n))))
            .collect();
        Names { services, nodes }
    }
}

fn unix(date: Option<&String>) -> i64 {
    date.and_then(|d| parse_docker_timestamp(d))
        .map(|n| n / 1_000_000_000)
        .unwrap_or_default()
}

fn stack_of(s: &SwarmService) -> Option<String> {
    s.spec
        .as_ref()
        .and_then(|s| s.labels.as_ref())
        .and_then(|l| l.get(LABEL_STACK_NAMESPACE))
        .filter(|v| !v.is_empty())
        .map(|v| clean(v))
}

pub fn node_name(n: &SwarmNode) -> String {
    clean(
        n.description
            .as_ref()
            .and_then(|d| d.hostname.as_deref())
            .or(n.spec.as_ref().and_then(|s| s.name.as_deref()))
            .unwrap_or_default(),
    )
}

/// A service's name without its stack's prefix (`shop_web` in stack
/// `shop` is `web`), as `stack/service` reads best.
pub fn short_name(full: &str, stack: Option<&str>) -> String {
    stack
        .and_then(|st| full.strip_prefix(st))
        .and_then(|rest| rest.strip_prefix('_'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(full)
        .to_owned()
}

/// `repo:tag@sha256:…` -> (`repo:tag`, `Some(sha256:…)`).
pub fn split_digest(image: &str) -> (String, Option<String>) {
    match image.split_once('@') {
        Some((name, digest)) if !digest.is_empty() => (name.to_owned(), Some(digest.to_owned())),
        Some((name, _)) => (name.to_owned(), None),
        None => (image.to_owned(), None),
    }
}

/// A swarm node; `tasks` are (running, all current) when its tasks are listed.
pub fn node(n: &SwarmNode, tasks: Option<(u32, u32)>) -> Node {
    let spec = n.spec.as_ref();
    let desc = n.description.as_ref();
    let status = n.status.as_ref();
    let manager = n.manager_status.as_ref();
    let mut labels: Vec<String> = spec
        .and_then(|s| s.labels.as_ref())
        .map(|l| l.iter().map(|(k, v)| clean(&format!("{k}={v}"))).collect())
        .unwrap_or_default();
    labels.sort();
    let platform = desc.and_then(|d| d.platform.as_ref());
    let resources = desc.and_then(|d| d.resources.as_ref());
    let (running, total) = tasks.unwrap_or_default();
    Node {
        id: n.id.clone().unwrap_or_default(),
        name: node_name(n),
        role: spec
            .and_then(|s| s.role)
            .map(|r| r.to_string())
            .unwrap_or_default(),
        state: status
            .and_then(|s| s.state)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into()),
        engine_version: clean(
            desc.and_then(|d| d.engine.as_ref())
                .and_then(|e| e.engine_version.as_deref())
                .unwrap_or_default(),
        ),
        os: clean(platform.and_then(|p| p.os.as_deref()).unwrap_or_default()),
        arch: clean(
            platform
                .and_then(|p| p.architecture.as_deref())
                .unwrap_or_default(),
        ),
        cpus: resources
            .and_then(|r| r.nano_cpus)
            .map(|n| (n / 1_000_000_000).max(0) as u32)
            .unwrap_or_default(),
        memory_bytes: resources
            .and_then(|r| r.memory_bytes)
            .unwrap_or_default()
            .max(0) as u64,
        containers_running: running,
        containers_total: total,
        availability: spec
            .and_then(|s| s.availability)
            .map(|a| match a {
                NodeSpecAvailabilityEnum::EMPTY => String::new(),
                a => a.to_string(),
            })
            .unwrap_or_default(),
        leader: manager.and_then(|m| m.leader).unwrap_or(false),
        address: clean(
            status
                .and_then(|s| s.addr.as_deref())
                .filter(|a| !a.is_empty() && *a != "0.0.0.0")
                .or(manager.and_then(|m| m.addr.as_deref()))
                .unwrap_or_default(),
        ),
        labels,
        message: clean(
            status
                .and_then(|s| s.message.as_deref())
                .unwrap_or_default(),
        ),
    }
}

/// A swarm service with its counts from `GET /services?status=true`;
/// `problem` is why its tasks keep failing, when they do.
pub fn service(s: &SwarmService, problem: Option<String>) -> Service {
    let spec = s.spec.as_ref();
    let full = clean(spec.and_then(|s| s.name.as_deref()).unwrap_or_default());
    let stack = stack_of(s);
    let image = spec
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.as_deref())
        .unwrap_or_default();
    let (image, digest) = split_digest(&clean(image));
    let mode = spec.and_then(|s| s.mode.as_ref());
    let mode = match mode {
        Some(m) if m.global.is_some() => ServiceMode::Global,
        Some(m) if m.replicated_job.is_some() => ServiceMode::ReplicatedJob,
        Some(m) if m.global_job.is_some() => ServiceMode::GlobalJob,
        _ => ServiceMode::Replicated,
    };
    let status = s.service_status.as_ref();
    let running = status.and_then(|st| st.running_tasks).unwrap_or_default() as u32;
    let desired = status.and_then(|st| st.desired_tasks).unwrap_or_default() as u32;
    let update = s
        .update_status
        .as_ref()
        .and_then(|u| Some((u.state?.to_string(), u.message.clone())))
        .filter(|(state, _)| !state.is_empty() && state != "completed")
        .map(|(state, message)| UpdateState {
            state,
            message: clean(&message.unwrap_or_default()),
        });
    let mut ports: Vec<String> = s
        .endpoint
        .as_ref()
        .and_then(|e| e.ports.as_ref())
        .into_iter()
        .flatten()
        .map(|p| Published::of(p).listed())
        .collect();
    ports.sort();
    ports.dedup();
    Service {
        id: s.id.clone().unwrap_or_default(),
        name: short_name(&full, stack.as_deref()),
        stack,
        kind: ServiceKind::Swarm,
        image,
        replicas_running: running,
        replicas_desired: desired,
        ports: ports.join(", "),
        created: unix(s.created_at.as_ref()),
        mode,
        digest,
        update,
        problem,
        revision: None,
        route_labels: crate::backend::docker::convert::route_labels(
            spec.and_then(|s| s.labels.as_ref()),
        ),
        routes: Vec::new(),
    }
}

/// Whether the orchestrator has given up on a task: history.
fn superseded(desired: Option<TaskState>) -> bool {
    matches!(
        desired,
        Some(TaskState::SHUTDOWN | TaskState::REMOVE | TaskState::ORPHANED)
    )
}

/// A task as one copy of its service. Current tasks are named as `docker
/// service ps` names them (`shop_web.1`; a global service's by hostname,
/// `shop_agent.worker1`); history tasks get their id after it
/// (`shop_web.1.3f2a…`), as their containers are named, so they sort after
/// the current one.
pub fn task(t: &Task, names: &Names) -> Container {
    let id = t.id.clone().unwrap_or_default();
    let service_id = t.service_id.clone().unwrap_or_default();
    let (full, stack) = names
        .services
        .get(&service_id)
        .cloned()
        .unwrap_or_else(|| (short_id(&service_id).to_owned(), None));
    let node_id = t.node_id.clone().unwrap_or_default();
    let node = names
        .nodes
        .get(&node_id)
        .cloned()
        .unwrap_or_else(|| short_id(&node_id).to_owned());
    let status = t.status.as_ref();
    let state = status.and_then(|s| s.state);
    let history = superseded(t.desired_state);
    let slot = t.slot.filter(|s| *s > 0).map(|s| s as u64);
    let base = match slot {
        Some(n) => format!("{full}.{n}"),
        // A global service's task is its node's: named after the host.
        None => format!("{full}.{node}"),
    };
    let name = if history {
        format!("{base}.{}", short_id(&id))
    } else {
        base
    };
    let image = t
        .spec
        .as_ref()
        .and_then(|s| s.container_spec.as_ref())
        .and_then(|c| c.image.as_deref())
        .unwrap_or_default();
    let (image, _) = split_digest(&clean(image));
    let err = clean(status.and_then(|s| s.err.as_deref()).unwrap_or_default());
    let message = clean(
        status
            .and_then(|s| s.message.as_deref())
            .unwrap_or_default(),
    );
    let state_word = state.map(|s| s.to_string()).unwrap_or_default();
    let desired_word = t.desired_state.map(|s| s.to_string()).unwrap_or_default();
    let mut ports: Vec<crate::domain::PortMapping> = status
        .and_then(|s| s.port_status.as_ref())
        .and_then(|p| p.ports.as_ref())
        .into_iter()
        .flatten()
        .map(|p| crate::domain::PortMapping {
            host_ip: None,
            host_port: p.published_port.and_then(|n| u16::try_from(n).ok()),
            container_port: p
                .target_port
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or_default(),
            protocol: p
                .protocol
                .map(|p| p.to_string())
                .unwrap_or_else(|| "tcp".into()),
        })
        .collect();
    ports.sort_by_key(|p| (p.container_port, p.host_port));
    Container {
        id,
        name,
        state: container_state(state),
        status: if err.is_empty() { message } else { err.clone() },
        image,
        ports,
        created: unix(t.created_at.as_ref()),
        stack: stack.clone(),
        service: Some(short_name(&full, stack.as_deref())),
        service_id,
        service_kind: ServiceKind::Swarm,
        node,
        node_id,
        task: Some(TaskInfo {
            slot,
            state: state_word,
            desired_state: desired_word,
            error: err,
            container_id: status
                .and_then(|s| s.container_status.as_ref())
                .and_then(|c| c.container_id.clone())
                .unwrap_or_default(),
            history,
        }),
        ..Container::default()
    }
}

/// The nearest container state, for colour and counts; the task's own word
/// is kept in [`TaskInfo::state`].
fn container_state(s: Option<TaskState>) -> ContainerState {
    match s {
        Some(TaskState::RUNNING) => ContainerState::Running,
        Some(TaskState::COMPLETE | TaskState::SHUTDOWN) => ContainerState::Exited,
        Some(TaskState::FAILED | TaskState::REJECTED | TaskState::ORPHANED) => ContainerState::Dead,
        Some(TaskState::REMOVE) => ContainerState::Removing,
        Some(_) => ContainerState::Created,
        None => ContainerState::Unknown,
    }
}

/// Why a service's tasks keep failing: the newest failed or rejected task's
/// error, when it is at most `window` seconds old at `now`.
pub fn failing(tasks: &[Task], service_id: &str, now: i64, window: i64) -> Option<String> {
    tasks
        .iter()
        .filter(|t| t.service_id.as_deref() == Some(service_id))
        .filter_map(|t| {
            let st = t.status.as_ref()?;
            if !matches!(st.state, Some(TaskState::FAILED | TaskState::REJECTED)) {
                return None;
            }
            let at = unix(st.timestamp.as_ref());
            let why = st
                .err
                .as_deref()
                .filter(|e| !e.is_empty())
                .or(st.message.as_deref())
                .unwrap_or("task failed");
            Some((at, clean(why)))
        })
        .filter(|(at, _)| now - at <= window)
        .max_by_key(|(at, _)| *at)
        .map(|(_, why)| why)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects a real manager returned (20.10, API 1.41); the service was
    /// given a stack label, a pinned digest, a host-mode port and a paused
    /// update by hand.
    fn fixtures() -> (SwarmService, Task, SwarmNode) {
        fn parse<T: serde::de::DeserializeOwned>(s: &str) -> T {
            serde_json::from_str(s).expect("fixture parses")
        }
        (
            parse(include_str!("testdata/service.json")),
            parse(include_str!("testdata/task.json")),
            parse(include_str!("testdata/node.json")),
        )
    }

    #[test]
    fn a_service_with_its_stack_digest_ports_and_paused_update() {
        let (svc, _, _) = fixtures();
        let s = service(&svc, Some("task: non-zero exit (1)".into()));
        assert_eq!(s.name, "web");
        assert_eq!(s.stack.as_deref(), Some("shop"));
        assert_eq!(s.qualified_name(), "shop/web");
        assert_eq!(s.kind, ServiceKind::Swarm);
        assert_eq!(s.mode, ServiceMode::Replicated);
        assert_eq!(s.image, "172.17.0.1:5000/shop/web:2");
        assert!(
            s.digest
                .as_deref()
                .is_some_and(|d| d.starts_with("sha256:4f53cda1"))
        );
        assert_eq!((s.replicas_running, s.replicas_desired), (2, 2));
        assert_eq!(s.ports, "8080->80/tcp (host)");
        let u = s.update.expect("a paused update is shown");
        assert_eq!(u.state, "paused");
        assert!(u.message.contains("update paused"));
        assert_eq!(s.problem.as_deref(), Some("task: non-zero exit (1)"));
        assert!(s.created > 1_700_000_000);
    }

    #[test]
    fn a_shut_down_task_is_history_named_after_its_slot_and_id() {
        let (svc, t, node) = fixtures();
        let mut names = Names::new(&[svc], &[node]);
        // The fixture task ran on a worker that the node fixture is not.
        names
            .nodes
            .insert(t.node_id.clone().unwrap_or_default(), "worker1".into());
        let c = task(&t, &names);
        let info = c.task.as_ref().expect("task info");
        assert!(info.history, "desired shutdown is history");
        assert_eq!(info.slot, Some(1));
        assert_eq!(info.state, "shutdown");
        assert_eq!(info.desired_state, "shutdown");
        assert_eq!(c.name, format!("shop_web.1.{}", short_id(&c.id)));
        assert_eq!(c.service.as_deref(), Some("web"));
        assert_eq!(c.stack.as_deref(), Some("shop"));
        assert_eq!(c.node, "worker1");
        assert_eq!(c.state, ContainerState::Exited);
        assert_eq!(c.image, "local/busybox:1");
        assert_eq!(info.container_id.len(), 64);
    }

    #[test]
    fn a_node_with_role_leader_availability_and_address() {
        let (_, _, n) = fixtures();
        let node = node(&n, Some((3, 4)));
        assert_eq!(node.role, "manager");
        assert!(node.leader);
        assert_eq!(node.state, "ready");
        assert_eq!(node.availability, "active");
        assert_eq!(node.address, "172.17.0.1");
        assert!(node.cpus >= 1 && node.memory_bytes > 0);
        assert_eq!((node.containers_running, node.containers_total), (3, 4));
    }

    #[test]
    fn names_and_digests() {
        assert_eq!(short_name("shop_web", Some("shop")), "web");
        assert_eq!(short_name("shop_web", None), "shop_web");
        assert_eq!(short_name("shop", Some("shop")), "shop");
        assert_eq!(short_name("other_web", Some("shop")), "other_web");
        assert_eq!(
            split_digest("a/b:1@sha256:ff"),
            ("a/b:1".into(), Some("sha256:ff".into()))
        );
        // An empty digest (`repo:tag@`) is no digest.
        assert_eq!(split_digest("a/b:1@"), ("a/b:1".into(), None));
        assert_eq!(split_digest("a/b:1"), ("a/b:1".into(), None));
    }

    #[test]
    fn failing_takes_the_newest_recent_failure() {
        let (_, t, _) = fixtures();
        let mut failed = t.clone();
        let status = failed.status.get_or_insert_with(Default::default);
        status.state = Some(TaskState::FAILED);
        status.err = Some("task: non-zero exit (3)".into());
        let at = unix(status.timestamp.as_ref());
        let sid = failed.service_id.clone().unwrap_or_default();
        let tasks = [t, failed];
        assert_eq!(
            failing(&tasks, &sid, at + 10, 120).as_deref(),
            Some("task: non-zero exit (3)")
        );
        assert_eq!(failing(&tasks, &sid, at + 500, 120), None, "too old");
        assert_eq!(failing(&tasks, "other", at, 120), None);
    }
}
