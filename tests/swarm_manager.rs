//! A Docker engine that is a Swarm manager: its task containers belong to a
//! Swarm service (never mislabelled as Compose), and the plain-engine
//! operations leave them alone. Runs on a throwaway engine (its own socket
//! and network namespace), so the shared engine never joins a swarm.

mod common;

use berth::backend::Backend;
use berth::backend::docker::DockerBackend;
use berth::domain::{OpKind, OpRequest, ServiceKind, StackKind, resolve};
use common::live::Watching;
use common::spare_engine::SpareEngine;
use std::time::Duration;

/// Removes the service and waits for its containers, so the engine stops fast.
struct Service<'a> {
    host: &'a str,
    name: &'a str,
}

impl Drop for Service<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["-H", self.host, "service", "rm", self.name])
            .output();
        common::wait_until(Duration::from_secs(15), Duration::from_millis(200), || {
            std::process::Command::new("docker")
                .args(["-H", self.host, "ps", "-aq"])
                .output()
                .is_ok_and(|o| o.status.success() && o.stdout.is_empty())
        });
    }
}

#[tokio::test]
async fn swarm_tasks_are_containers_of_a_swarm_service_and_refuse_plain_operations() {
    common::require_engine();
    let engine = SpareEngine::start("swarm");
    let host = engine.endpoint();
    common::docker(&[
        "-H",
        &host,
        "swarm",
        "init",
        "--advertise-addr",
        "127.0.0.1",
        "--listen-addr",
        "127.0.0.1:2377",
    ]);
    engine.load_image(common::IMAGE_V1);
    let _svc = Service {
        host: &host,
        name: "shop_web",
    };
    common::docker(&[
        "-H",
        &host,
        "service",
        "create",
        "-d",
        "--name",
        "shop_web",
        "--replicas",
        "2",
        "--init",
        "--stop-grace-period",
        "1s",
        "--no-resolve-image",
        "--container-label",
        "com.docker.stack.namespace=shop",
        common::IMAGE_V1,
        "sleep",
        "300",
    ]);
    let service_id = common::docker(&[
        "-H", &host, "service", "inspect", "--format", "{{.ID}}", "shop_web",
    ]);

    let backend = DockerBackend::connect(host.clone())
        .await
        .expect("connects to the spare engine");
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        s.containers
            .iter()
            .filter(|c| c.state.is_running() && c.service_id == service_id)
            .count()
            == 2
    })
    .await
    .expect("both tasks show as containers of the swarm service");
    let snap = w.latest.clone();
    let svc = snap
        .services
        .iter()
        .find(|s| s.id == service_id)
        .expect("the swarm service is listed");
    assert_eq!(svc.kind, ServiceKind::Swarm, "{svc:?}");
    assert_eq!(svc.name, "shop_web");
    assert_eq!(svc.stack.as_deref(), Some("shop"));
    assert!(
        !snap.services.iter().any(|s| s.kind == ServiceKind::Compose),
        "nothing is mislabelled compose: {:?}",
        snap.services
    );
    let stack = snap
        .stacks
        .iter()
        .find(|s| s.name == "shop")
        .expect("stack");
    assert_eq!(stack.kind, StackKind::Swarm);
    let node = &snap.nodes[0];
    for c in snap
        .containers
        .iter()
        .filter(|c| c.service_id == service_id)
    {
        assert_eq!(c.service_kind, ServiceKind::Swarm);
        assert_eq!(c.node_id, node.id, "a container carries its node's id");
    }

    // Restarting a task container by hand would fight the swarm: refused, with why.
    let task = snap
        .containers
        .iter()
        .find(|c| c.service_id == service_id)
        .expect("a task");
    let target = resolve(&snap, &task.name).expect("the task resolves");
    let why = backend
        .capabilities(&target)
        .check(OpKind::Restart)
        .expect_err("refused");
    assert!(why.contains("Swarm"), "{why}");
    let err = backend
        .plan(OpRequest {
            kind: OpKind::Redeploy,
            target,
            replicas: None,
        })
        .await
        .expect_err("the plan is refused too");
    assert!(err.to_string().contains("Swarm"), "{err}");
}
