//! A fixed, realistic snapshot for render tests and benchmarks (not a fake
//! backend: nothing here talks to an engine).

use super::{
    Container, ContainerState, Health, Node, PortMapping, Service, ServiceKind, ServiceMode,
    Snapshot, Stack, StackKind, TaskInfo, UpdateState,
};

/// Unix time the fixture's ages are measured against.
pub const NOW: i64 = 1_790_000_000;

/// One host running a compose "shop" project, a "monitoring" project and a
/// standalone container, with every state the tables colour.
pub fn sample() -> Snapshot {
    let c = |name: &str,
             stack: Option<&str>,
             svc: Option<&str>,
             state: ContainerState,
             health: Health,
             age: i64| Container {
        id: format!("{:0<64}", name.replace(['-', '_'], "")),
        name: name.into(),
        state,
        health,
        status: String::new(),
        image: if svc == Some("db") {
            "postgres:16".into()
        } else {
            "registry.local/shop/web:1.4.2".into()
        },
        ports: if svc == Some("web") {
            vec![PortMapping {
                host_ip: Some("0.0.0.0".into()),
                host_port: Some(8080),
                container_port: 80,
                protocol: "tcp".into(),
            }]
        } else {
            Vec::new()
        },
        created: NOW - age,
        restart_count: Some(if state == ContainerState::Restarting {
            7
        } else {
            0
        }),
        node: "prod-1".into(),
        node_id: "FD4S:56QC".into(),
        command: String::new(),
        ..member(name, stack, svc)
    };
    use ContainerState::*;
    let containers = vec![
        c(
            "grafana",
            Some("monitoring"),
            Some("grafana"),
            Running,
            Health::Healthy,
            86_400 * 3,
        ),
        c("lonely-worker", None, None, Exited, Health::None, 7200),
        c(
            "prometheus",
            Some("monitoring"),
            Some("prometheus"),
            Restarting,
            Health::None,
            3600,
        ),
        c(
            "shop-db-1",
            Some("shop"),
            Some("db"),
            Running,
            Health::Unhealthy,
            600,
        ),
        c(
            "shop-web-1",
            Some("shop"),
            Some("web"),
            Running,
            Health::Healthy,
            42,
        ),
        c(
            "shop-web-2",
            Some("shop"),
            Some("web"),
            Running,
            Health::Starting,
            42,
        ),
    ];
    let svc = |stack: Option<&str>,
               name: &str,
               kind: ServiceKind,
               running: u32,
               desired: u32,
               image: &str,
               ports: &str,
               age: i64| Service {
        id: stack
            .map(|s| format!("{s}/{name}"))
            .unwrap_or_else(|| name.into()),
        name: name.into(),
        stack: stack.map(Into::into),
        kind,
        image: image.into(),
        replicas_running: running,
        replicas_desired: desired,
        ports: ports.into(),
        created: NOW - age,
        ..Service::default()
    };
    let services = vec![
        svc(
            None,
            "lonely-worker",
            ServiceKind::Standalone,
            0,
            1,
            "registry.local/shop/web:1.4.2",
            "",
            7200,
        ),
        svc(
            Some("monitoring"),
            "grafana",
            ServiceKind::Compose,
            1,
            1,
            "registry.local/shop/web:1.4.2",
            "",
            86_400 * 3,
        ),
        svc(
            Some("monitoring"),
            "prometheus",
            ServiceKind::Compose,
            0,
            1,
            "registry.local/shop/web:1.4.2",
            "",
            3600,
        ),
        svc(
            Some("shop"),
            "db",
            ServiceKind::Compose,
            1,
            1,
            "postgres:16",
            "",
            600,
        ),
        svc(
            Some("shop"),
            "web",
            ServiceKind::Compose,
            2,
            2,
            "registry.local/shop/web:1.4.2",
            "8080->80/tcp",
            42,
        ),
    ];
    let stacks = vec![
        Stack {
            name: "monitoring".into(),
            id: "monitoring".into(),
            kind: StackKind::Compose,
            services: 2,
            containers_running: 1,
            containers_total: 2,
            working_dir: Some("/srv/monitoring".into()),
            apps: vec![],
        },
        Stack {
            name: "shop".into(),
            id: "shop".into(),
            kind: StackKind::Compose,
            services: 2,
            containers_running: 3,
            containers_total: 3,
            working_dir: Some("/srv/shop".into()),
            apps: vec![],
        },
    ];
    let nodes = vec![Node {
        id: "FD4S:56QC".into(),
        name: "prod-1".into(),
        role: "engine".into(),
        state: "ready".into(),
        engine_version: "20.10.24".into(),
        os: "Debian GNU/Linux 12".into(),
        arch: "x86_64".into(),
        cpus: 8,
        memory_bytes: 32 * 1024 * 1024 * 1024,
        containers_running: 4,
        containers_total: 6,
        ..Node::default()
    }];
    Snapshot {
        nodes,
        stacks,
        services,
        containers,
        problems: Vec::new(),
        routes: Vec::new(),
    }
}

/// A container of the compose service `stack/svc`, or a standalone one
/// when either is missing, with the membership a backend would set.
pub fn member(name: &str, stack: Option<&str>, svc: Option<&str>) -> Container {
    Container {
        id: format!("id-{name}"),
        name: name.into(),
        stack: stack.map(Into::into),
        service: svc.map(Into::into),
        service_id: match (stack, svc) {
            (Some(st), Some(sv)) => format!("{st}/{sv}"),
            _ => name.into(),
        },
        service_kind: if stack.is_some() && svc.is_some() {
            ServiceKind::Compose
        } else {
            ServiceKind::Standalone
        },
        ..Container::default()
    }
}

/// `n` running containers spread over services of 10 stacks (large-table benchmarks).
pub fn many(n: usize) -> Snapshot {
    let containers = (0..n)
        .map(|i| Container {
            id: format!("{i:064x}"),
            name: format!("stack{}-svc{}-{}", i % 10, i % 50, i),
            state: if i % 7 == 0 {
                ContainerState::Exited
            } else {
                ContainerState::Running
            },
            image: format!("registry.local/team/app{}:{}", i % 50, i % 3),
            created: NOW - (i as i64 * 37) % 86_400,
            restart_count: Some((i % 4) as u32),
            stack: Some(format!("stack{}", i % 10)),
            service: Some(format!("svc{}", i % 50)),
            service_id: format!("stack{}/svc{}", i % 10, i % 50),
            node: "prod-1".into(),
            node_id: "FD4S:56QC".into(),
            ..Container::default()
        })
        .collect();
    Snapshot {
        containers,
        ..Snapshot::default()
    }
}

/// A 3-node swarm running stack "shop": a replicated web service mid-update
/// whose tasks keep failing, and a global agent; one worker drained and one
/// down. Every swarm field is set.
pub fn swarm() -> Snapshot {
    let node = |id: &str, name: &str, role: &str, state: &str, avail: &str| Node {
        id: id.into(),
        name: name.into(),
        role: role.into(),
        state: state.into(),
        engine_version: "20.10.24".into(),
        os: "linux".into(),
        arch: "x86_64".into(),
        cpus: 4,
        memory_bytes: 8 * 1024 * 1024 * 1024,
        containers_running: 2,
        containers_total: 3,
        availability: avail.into(),
        leader: role == "manager",
        address: format!("10.0.0.{}", name.len()),
        labels: vec!["zone=a".into()],
        message: if state == "down" {
            "heartbeat failure".into()
        } else {
            String::new()
        },
    };
    let nodes = vec![
        node("n1", "manager1", "manager", "ready", "active"),
        node("n2", "worker1", "worker", "ready", "drain"),
        node("n3", "worker2", "worker", "down", "active"),
    ];
    let web = Service {
        id: "svcweb".into(),
        name: "web".into(),
        stack: Some("shop".into()),
        kind: ServiceKind::Swarm,
        image: "registry.local/shop/web:2".into(),
        replicas_running: 2,
        replicas_desired: 3,
        ports: "8080->80/tcp (host)".into(),
        created: NOW - 3600,
        mode: ServiceMode::Replicated,
        digest: Some(format!("sha256:{}", "ab12".repeat(16))),
        update: Some(UpdateState {
            state: "updating".into(),
            message: "update in progress".into(),
        }),
        problem: Some("task: non-zero exit (1)".into()),
        revision: None,
        route_labels: Vec::new(),
        routes: Vec::new(),
    };
    let agent = Service {
        id: "svcagent".into(),
        name: "agent".into(),
        mode: ServiceMode::Global,
        replicas_running: 2,
        replicas_desired: 2,
        digest: None,
        update: None,
        problem: None,
        ..web.clone()
    };
    let task = |slot: u64, node: &str, state: &str, desired: &str, error: &str, history: bool| {
        let name = if history {
            format!("shop_web.{slot}.old{slot}")
        } else {
            format!("shop_web.{slot}")
        };
        Container {
            id: format!("task{slot}{}", if history { "old" } else { "" }),
            name,
            state: match state {
                "running" => ContainerState::Running,
                "failed" => ContainerState::Dead,
                _ => ContainerState::Exited,
            },
            status: error.into(),
            image: "registry.local/shop/web:2".into(),
            ports: vec![PortMapping {
                host_ip: None,
                host_port: Some(8080),
                container_port: 80,
                protocol: "tcp".into(),
            }],
            created: NOW - 60 * slot as i64,
            restart_count: Some(0),
            stack: Some("shop".into()),
            service: Some("web".into()),
            service_id: "svcweb".into(),
            service_kind: ServiceKind::Swarm,
            node: node.into(),
            node_id: node.into(),
            command: String::new(),
            health: Health::Healthy,
            task: Some(TaskInfo {
                slot: Some(slot),
                state: state.into(),
                desired_state: desired.into(),
                error: error.into(),
                container_id: format!("c{slot}"),
                history,
            }),
            parts: Vec::new(),
            networks: Vec::new(),
            route_labels: Vec::new(),
        }
    };
    let containers = vec![
        task(1, "manager1", "running", "running", "", false),
        task(2, "worker2", "running", "running", "", false),
        task(
            3,
            "manager1",
            "failed",
            "running",
            "task: non-zero exit (1)",
            false,
        ),
        task(3, "worker1", "shutdown", "shutdown", "", true),
    ];
    let stacks = vec![Stack {
        name: "shop".into(),
        id: "shop".into(),
        kind: StackKind::Swarm,
        services: 2,
        containers_running: 4,
        containers_total: 5,
        working_dir: None,
        apps: vec![],
    }];
    Snapshot {
        nodes,
        stacks,
        services: vec![web, agent],
        containers,
        problems: Vec::new(),
        routes: Vec::new(),
    }
}
