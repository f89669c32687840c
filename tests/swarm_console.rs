//! The swarm as the console sees it, on the test bed's 3-node swarm (the
//! host's engine as manager, two workers in containers): stacks, services
//! and tasks on every node, counts that follow the swarm, tasks listed only
//! while they are on screen, failing services, merged logs, and a worker
//! that goes down and comes back.

mod common;

use berth::backend::docker::{DockerBackend, resolve_endpoint};
use berth::backend::{Backend, BackendEvent, BackendKind, Interest};
use berth::domain::{ServiceKind, ServiceMode, Snapshot, StackKind};
use berth::logs::LogTarget;
use common::IMAGE_V1;
use common::live::{Tail, Watching};
use common::swarm::{SwarmService, SwarmStack, require_swarm};
use std::collections::HashSet;
use std::time::Duration;

/// Tests that take a worker away run alone; the others share the swarm.
static WORKERS: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

async fn swarm_backend() -> DockerBackend {
    require_swarm();
    let b = DockerBackend::connect_swarm(resolve_endpoint(None), true)
        .await
        .expect("berth connects to the manager");
    assert_eq!(b.kind(), BackendKind::Swarm);
    b
}

fn service<'a>(snap: &'a Snapshot, stack: &str, name: &str) -> Option<&'a berth::domain::Service> {
    snap.services
        .iter()
        .find(|s| s.stack.as_deref() == Some(stack) && s.name == name)
}

fn running_tasks_nodes(snap: &Snapshot, service_id: &str) -> HashSet<String> {
    snap.containers
        .iter()
        .filter(|c| c.service_id == service_id)
        .filter(|c| {
            c.task
                .as_ref()
                .is_some_and(|t| !t.history && t.state == "running")
        })
        .map(|c| c.node.clone())
        .collect()
}

#[tokio::test]
async fn a_deployed_stack_shows_its_services_and_tasks_on_all_three_nodes() {
    let _shared = WORKERS.read().await;
    let backend = swarm_backend().await;
    let stack = SwarmStack::deploy(
        "console",
        r#"
version: "3.8"
services:
  web:
    image: local/busybox:1
    command: ["sleep", "3000"]
    init: true
    stop_grace_period: 1s
    deploy:
      replicas: 3
      endpoint_mode: dnsrr
      labels: {berth.test: "1"}
      placement:
        max_replicas_per_node: 1
  agent:
    image: local/busybox:1
    command: ["sleep", "3000"]
    init: true
    stop_grace_period: 1s
    deploy:
      mode: global
      endpoint_mode: dnsrr
      labels: {berth.test: "1"}
"#,
    );
    backend.set_interest(Interest::All);
    let mut w = Watching::start(&backend);
    let name = stack.name.clone();
    w.until(Duration::from_secs(60), |s| {
        let (Some(web), Some(agent)) = (service(s, &name, "web"), service(s, &name, "agent"))
        else {
            return false;
        };
        web.replicas_running == 3
            && agent.replicas_running == 3
            && running_tasks_nodes(s, &web.id).len() == 3
            && running_tasks_nodes(s, &agent.id).len() == 3
    })
    .await
    .unwrap_or_else(|e| panic!("the stack never showed 3 tasks on 3 nodes: {e}"));

    let snap = w.latest.clone();
    let web = service(&snap, &name, "web").expect("web");
    assert_eq!(web.kind, ServiceKind::Swarm);
    assert_eq!(web.mode, ServiceMode::Replicated);
    assert_eq!(web.replicas_desired, 3);
    assert_eq!(web.image, "local/busybox:1");
    let agent = service(&snap, &name, "agent").expect("agent");
    assert_eq!(agent.mode, ServiceMode::Global);
    let st = snap
        .stacks
        .iter()
        .find(|s| s.name == name)
        .expect("the stack is listed");
    assert_eq!(st.kind, StackKind::Swarm);
    assert_eq!(st.services, 2);
    // Tasks are named as `docker service ps` names them, with their slot.
    let mut slots: Vec<u64> = snap
        .containers
        .iter()
        .filter(|c| c.service_id == web.id)
        .filter_map(|c| c.task.as_ref().filter(|t| !t.history)?.slot)
        .collect();
    slots.sort();
    assert_eq!(slots, [1, 2, 3]);
    assert!(
        snap.containers
            .iter()
            .any(|c| c.name == format!("{name}_web.1")),
        "tasks are named stack_service.slot"
    );
    // Every node is there, the manager leads, and per-node counts are known.
    let nodes: Vec<_> = snap.nodes.iter().map(|n| n.name.as_str()).collect();
    for n in ["worker1", "worker2"] {
        assert!(nodes.contains(&n), "{nodes:?}");
    }
    assert!(snap.nodes.iter().any(|n| n.leader && n.role == "manager"));
    assert!(
        snap.nodes
            .iter()
            .all(|n| n.state != "ready" || n.containers_running >= 2),
        "each ready node runs a web and an agent task: {:?}",
        snap.nodes
    );
}

#[tokio::test]
async fn the_replica_count_follows_a_scale_and_tasks_are_listed_only_on_screen() {
    let _shared = WORKERS.read().await;
    let backend = swarm_backend().await;
    let svc = SwarmService::create("count", IMAGE_V1, &["--replicas", "1"], &["sleep", "3000"]);
    let id = svc.id();
    let mut w = Watching::start(&backend);
    // Nothing on screen lists tasks: the service is there, its tasks are not.
    w.until(Duration::from_secs(30), |s| {
        s.services
            .iter()
            .any(|x| x.id == id && x.replicas_running == 1)
    })
    .await
    .expect("the service shows 1/1");
    assert!(
        !w.latest.containers.iter().any(|c| c.service_id == id),
        "tasks are not listed while no task list is on screen"
    );

    common::docker(&["service", "scale", "-d", &format!("{}=3", svc.name)]);
    w.until(Duration::from_secs(30), |s| {
        s.services
            .iter()
            .any(|x| x.id == id && x.replicas_running == 3 && x.replicas_desired == 3)
    })
    .await
    .expect("the count reaches 3/3 without any task list on screen");

    // The service's task list on screen: its tasks come, and only its own.
    backend.set_interest(Interest::Service(id.clone()));
    w.until(Duration::from_secs(10), |s| {
        running_tasks_nodes(s, &id).len() >= 2
            && s.containers
                .iter()
                .filter(|c| c.task.is_some())
                .all(|c| c.service_id == id)
    })
    .await
    .expect("the service's tasks are listed once on screen");

    common::docker(&["service", "scale", "-d", &format!("{}=1", svc.name)]);
    w.until(Duration::from_secs(30), |s| {
        s.services
            .iter()
            .any(|x| x.id == id && x.replicas_running == 1 && x.replicas_desired == 1)
            && s.containers
                .iter()
                .filter(|c| c.service_id == id)
                .filter(|c| c.task.as_ref().is_some_and(|t| !t.history))
                .count()
                == 1
    })
    .await
    .expect("scaled down to 1: one current task, the others history");
}

#[tokio::test]
async fn nothing_is_sent_while_the_swarm_does_not_change() {
    let _shared = WORKERS.read().await;
    let backend = swarm_backend().await;
    let svc = SwarmService::create("idle", IMAGE_V1, &["--replicas", "2"], &["sleep", "3000"]);
    let id = svc.id();
    backend.set_interest(Interest::Service(id.clone()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let task = tokio::spawn(backend.watch(tx));
    // Settle: both tasks running and a first snapshot with them.
    let mut previous = None;
    let settle = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = rx.recv().await {
            if let BackendEvent::Snapshot(s) = ev {
                let done = running_tasks_nodes(&s, &id).len() == 2
                    && s.services
                        .iter()
                        .any(|x| x.id == id && x.replicas_running == 2);
                previous = Some(s);
                if done {
                    return;
                }
            }
        }
    })
    .await;
    assert!(settle.is_ok(), "the service never settled");
    // Several polls pass (one every 2 s). Another test may change the swarm
    // meanwhile, so snapshots may come; none may repeat the one before it,
    // and ours stays as it was.
    let mut sent = 0;
    let _ = tokio::time::timeout(Duration::from_secs(7), async {
        while let Some(ev) = rx.recv().await {
            if let BackendEvent::Snapshot(s) = ev {
                sent += 1;
                assert_ne!(
                    previous.as_deref(),
                    Some(&*s),
                    "an unchanged snapshot was sent"
                );
                assert!(
                    s.services
                        .iter()
                        .any(|x| x.id == id && x.replicas_running == 2),
                    "ours changed: {:?}",
                    s.services.iter().find(|x| x.id == id)
                );
                previous = Some(s);
            }
        }
    })
    .await;
    task.abort();
    eprintln!("{sent} snapshot(s) in 7 s of polling, each with a change");
}

#[tokio::test]
async fn a_service_whose_tasks_keep_failing_is_marked_with_the_engines_error() {
    let _shared = WORKERS.read().await;
    let backend = swarm_backend().await;
    let svc = SwarmService::create(
        "failing",
        IMAGE_V1,
        &["--replicas", "1", "--restart-delay", "1s"],
        &["sh", "-c", "exit 3"],
    );
    let id = svc.id();
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(40), |s| {
        s.services
            .iter()
            .any(|x| x.id == id && x.problem.as_deref().is_some_and(|p| p.contains("exit")))
    })
    .await
    .unwrap_or_else(|e| panic!("the failing service was never marked: {e}"));
    // Its tasks on screen carry the error; the failed ones are history.
    backend.set_interest(Interest::Service(id.clone()));
    w.until(Duration::from_secs(10), |s| {
        s.containers.iter().any(|c| {
            c.service_id == id
                && c.task
                    .as_ref()
                    .is_some_and(|t| t.error.contains("non-zero exit (3)"))
        })
    })
    .await
    .expect("a task shows `task: non-zero exit (3)`");
}

#[tokio::test]
async fn merged_service_logs_carry_lines_from_tasks_on_both_workers() {
    let _shared = WORKERS.read().await;
    let backend = swarm_backend().await;
    let svc = SwarmService::create(
        "logs",
        IMAGE_V1,
        &["--replicas", "3", "--replicas-max-per-node", "1"],
        &[
            "sh",
            "-c",
            "i=0; while true; do echo \"tick $i from $(hostname)\"; i=$((i+1)); sleep 0.5; done",
        ],
    );
    let id = svc.id();
    svc.wait_running(3, Duration::from_secs(40));
    let mut tail = Tail::start(&backend, LogTarget::Service(id.clone()), Some(20), true);
    tail.until(Duration::from_secs(30), |t| {
        let sources: HashSet<&str> = t.lines.iter().map(|l| &*l.source).collect();
        ["@worker1", "@worker2"]
            .iter()
            .all(|w| sources.iter().any(|s| s.ends_with(w)))
    })
    .await
    .unwrap_or_else(|e| panic!("lines from both workers never came: {e}"));
    let line = tail
        .lines
        .iter()
        .find(|l| l.source.ends_with("@worker1"))
        .expect("a line from worker1");
    assert!(
        line.source.starts_with(&format!("{}.", svc.name)),
        "the source names the task: {}",
        line.source
    );
    assert!(line.text.starts_with("tick "), "{}", line.text);
    assert!(line.ts.is_some(), "lines keep their timestamps");
}

#[tokio::test]
async fn a_worker_that_goes_down_is_shown_down_then_ready_again() {
    let _alone = WORKERS.write().await;
    let backend = swarm_backend().await;
    let mut w = Watching::start(&backend);
    let ready =
        |s: &Snapshot, name: &str| s.nodes.iter().any(|n| n.name == name && n.state == "ready");
    w.until(Duration::from_secs(60), |s| ready(s, "worker2"))
        .await
        .expect("worker2 is ready to begin with");
    let restart = common::swarm::kill_worker("berth-worker2");
    w.until(Duration::from_secs(90), |s| {
        s.nodes
            .iter()
            .any(|n| n.name == "worker2" && n.state == "down")
    })
    .await
    .unwrap_or_else(|e| panic!("worker2 never showed down: {e}"));
    // Down is no failure: the rest keeps coming.
    assert!(ready(&w.latest, "worker1"));
    assert!(restart.start(), "the worker's engine starts again");
    w.until(Duration::from_secs(120), |s| ready(s, "worker2"))
        .await
        .unwrap_or_else(|e| panic!("worker2 never came back: {e}"));
}

#[tokio::test]
async fn the_backend_is_chosen_by_the_engines_place_in_the_swarm() {
    require_swarm();
    let auto = DockerBackend::connect_swarm(resolve_endpoint(None), false)
        .await
        .expect("connects");
    assert_eq!(auto.kind(), BackendKind::Swarm, "a manager shows the swarm");
    assert!(auto.note().is_none());
    let plain = DockerBackend::connect(resolve_endpoint(None))
        .await
        .expect("connects");
    assert_eq!(
        plain.kind(),
        BackendKind::Docker,
        "--backend docker: the engine alone"
    );
    // A worker's engine knows no cluster: it says where to look.
    // The worker's own engine, through its container's root.
    let pid = common::docker(&["inspect", "--format", "{{.State.Pid}}", "berth-worker1"]);
    let worker = format!("unix:///proc/{pid}/root/var/run/docker.sock");
    let on_worker = DockerBackend::connect_swarm(worker.clone(), false)
        .await
        .expect("connects to the worker's engine");
    assert_eq!(on_worker.kind(), BackendKind::Docker);
    let note = on_worker.note().expect("a worker says so");
    assert!(
        note.contains("swarm worker") && note.contains("manager"),
        "{note}"
    );
    let forced = DockerBackend::connect_swarm(worker, true).await;
    assert!(
        forced.is_err_and(|e| e.to_string().contains("needs a swarm manager")),
        "--backend swarm on a worker is a clear error"
    );
}
