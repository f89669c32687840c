//! Node operations on the test bed's swarm (the host engine as manager, two
//! dind workers `worker1` and `worker2`): drain moves a worker's tasks and
//! activate brings it back, a drain plan warns about a service that runs
//! only there, pause keeps the tasks, and what cannot be done says why.
//!
//! The swarm is shared with other test files: every node change here is
//! short, made while holding a file lock (one node test at a time, across
//! test binaries), and undone by a guard however the test ends.

mod common;

use berth::backend::docker::{DockerBackend, resolve_endpoint};
use berth::backend::{Backend, CancellationToken};
use berth::domain::{
    NodeRef, OpEvent, OpKind, OpRequest, Outcome, Plan, ServiceKind, ServiceMode, ServiceRef, Step,
    TargetRef,
};
use common::swarm::{SwarmService, push_image, require_swarm};
use common::{Tags, docker, docker_ok, unique_name, wait_until};
use std::fs::File;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const LOCK: &str = "/tmp/berth-swarm-nodes.lock";

/// Held while a test changes a node: one node test at a time.
fn node_lock() -> File {
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(LOCK)
        .unwrap_or_else(|e| panic!("cannot open {LOCK}: {e}"));
    f.lock()
        .unwrap_or_else(|e| panic!("cannot lock {LOCK}: {e}"));
    f
}

/// Sets the node back to active when the test ends, however it ends.
struct Restore(&'static str);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = docker_ok(&["node", "update", "--availability", "active", self.0]);
    }
}

/// A service of `replicas` tasks of an image of the test bed's registry
/// (its default command serves http), created with `args`; waits until
/// they run. `tags` removes the local image when the test ends (declare it
/// before the service).
fn service(tags: &mut Tags, test: &str, replicas: u32, args: &[&str]) -> SwarmService {
    let repo = unique_name(&format!("berth-test/{test}"));
    let image = push_image(tags, &format!("{repo}:1"), test);
    let n = replicas.to_string();
    let mut all = vec!["--replicas", n.as_str()];
    all.extend_from_slice(args);
    let svc = SwarmService::create(test, &image, &all, &[]);
    svc.wait_running(replicas as usize, Duration::from_secs(60));
    svc
}

/// `(task name, node)` of each task of the service that runs and is meant to.
fn running_tasks(svc: &SwarmService) -> Vec<(String, String)> {
    svc.tasks()
        .into_iter()
        .filter(|t| t.state == "running" && t.desired == "running")
        .map(|t| (format!("{}.{}", svc.name, t.slot), t.node))
        .collect()
}

fn availability(node: &str) -> String {
    docker(&[
        "node",
        "inspect",
        "--format",
        "{{.Spec.Availability}}",
        node,
    ])
}

fn node_target(name: &str) -> TargetRef {
    TargetRef::Node(NodeRef {
        id: docker(&["node", "inspect", "--format", "{{.ID}}", name]),
        name: name.to_owned(),
    })
}

fn req(kind: OpKind, node: &str) -> OpRequest {
    OpRequest {
        kind,
        target: node_target(node),
        replicas: None,
    }
}

async fn manager() -> DockerBackend {
    DockerBackend::connect_swarm(resolve_endpoint(None), true)
        .await
        .expect("berth connects to the swarm manager")
}

/// Runs `plan` to its end; every event, the last being `Finished`.
async fn execute(backend: &DockerBackend, plan: Plan) -> Vec<OpEvent> {
    let (tx, mut rx) = mpsc::channel(256);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(backend.execute(plan, tx, cancel.clone()));
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(ev)) => {
                let last = matches!(ev, OpEvent::Finished { .. });
                events.push(ev);
                if last {
                    break;
                }
            }
            Ok(None) => panic!("execute ended without Finished: {events:?}"),
            Err(_) => {
                cancel.cancel();
                panic!("no end within 120 s: {events:?}");
            }
        }
    }
    let _ = task.await;
    events
}

fn finished(events: &[OpEvent]) -> (Outcome, String) {
    match events.last() {
        Some(OpEvent::Finished { outcome, message }) => (*outcome, message.clone()),
        other => panic!("no Finished at the end: {other:?}"),
    }
}

/// The last step each replica reached: `(step, done, detail)`.
fn last_step<'a>(events: &'a [OpEvent], replica: &str) -> Option<(Step, bool, &'a str)> {
    events.iter().rev().find_map(|e| match e {
        OpEvent::Step {
            replica: r,
            step,
            done,
            detail,
        } if r == replica => Some((*step, *done, detail.as_deref().unwrap_or_default())),
        _ => None,
    })
}

/// Plans and runs `kind` on `node`, expecting it to converge.
async fn converge(backend: &DockerBackend, kind: OpKind, node: &str) -> Vec<OpEvent> {
    let plan = backend.plan(req(kind, node)).await.expect("plan");
    let events = execute(backend, plan).await;
    let (outcome, message) = finished(&events);
    assert_eq!(outcome, Outcome::Converged, "{message}: {events:?}");
    events
}

#[tokio::test]
async fn draining_a_worker_moves_its_tasks_and_activate_brings_it_back() {
    require_swarm();
    let _lock = node_lock();
    // At most 2 per node: 3 replicas spread over the 3 nodes, and fit on
    // the other two once worker1 is drained.
    let mut tags = Tags::default();
    let svc = service(&mut tags, "drain", 3, &["--replicas-max-per-node", "2"]);
    let _restore = Restore("worker1");
    let backend = manager().await;
    let target = node_target("worker1");
    assert_eq!(backend.capabilities(&target).check(OpKind::Drain), Ok(()));

    let on_worker: Vec<String> = running_tasks(&svc)
        .into_iter()
        .filter(|(_, node)| node == "worker1")
        .map(|(name, _)| name)
        .collect();
    assert!(!on_worker.is_empty(), "spread puts a task on worker1");
    let plan = backend
        .plan(req(OpKind::Drain, "worker1"))
        .await
        .expect("plan");
    assert!(
        plan.summary
            .starts_with("drain node worker1 (now active) on swarm "),
        "{}",
        plan.summary
    );
    for t in &on_worker {
        assert!(plan.replicas.contains(t), "{t} in {:?}", plan.replicas);
        assert!(plan.details[0].contains(t.as_str()), "{:?}", plan.details);
    }

    let started = Instant::now();
    let events = execute(&backend, plan).await;
    let (outcome, message) = finished(&events);
    eprintln!(
        "drain took {:.1}s: {message}",
        started.elapsed().as_secs_f64()
    );
    // Another test's task that cannot move may fail the drain; ours must not.
    if outcome != Outcome::Converged {
        assert_eq!(outcome, Outcome::Failed, "{message}");
        assert!(
            !message.contains(&svc.name),
            "our tasks fit elsewhere: {message}"
        );
    }
    for t in &on_worker {
        let (step, done, detail) = last_step(&events, t).expect("a step for each task");
        assert_eq!((step, done), (Step::Moved, true), "{t}: {events:?}");
        assert!(
            detail.starts_with("→ ") && !detail.contains("worker1"),
            "{detail}"
        );
    }
    assert_eq!(availability("worker1"), "drain");
    let now = running_tasks(&svc);
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(!now.iter().any(|(_, n)| n == "worker1"), "{now:?}");

    let plan = backend
        .plan(req(OpKind::Activate, "worker1"))
        .await
        .expect("plan");
    assert!(
        plan.summary.contains("(now drained)") && plan.summary.contains("not moved back"),
        "{}",
        plan.summary
    );
    let events = execute(&backend, plan).await;
    assert_eq!(finished(&events).0, Outcome::Converged, "{events:?}");
    assert_eq!(availability("worker1"), "active");
}

#[tokio::test]
async fn a_drain_warns_about_a_service_that_runs_only_there_and_says_when_it_cannot_move() {
    require_swarm();
    let _lock = node_lock();
    let mut tags = Tags::default();
    let svc = service(
        &mut tags,
        "lone",
        1,
        &["--constraint", "node.hostname==worker1"],
    );
    let _restore = Restore("worker1");
    let backend = manager().await;
    let plan = backend
        .plan(req(OpKind::Drain, "worker1"))
        .await
        .expect("plan");
    let want = format!(
        "{}: its 1 replica runs on worker1: it is down until the swarm reschedules it",
        svc.name
    );
    assert!(plan.warnings.contains(&want), "{:?}", plan.warnings);
    let task = format!("{}.1", svc.name);
    assert!(plan.replicas.contains(&task), "{:?}", plan.replicas);

    // Bound to worker1, it has nowhere to go: the drain says so and ends.
    let events = execute(&backend, plan).await;
    let (outcome, message) = finished(&events);
    eprintln!("{message}");
    assert_eq!(outcome, Outcome::Failed, "{message}");
    assert!(
        message.starts_with("worker1 is drained, but") && message.contains(&task),
        "{message}"
    );
    let (step, done, detail) = last_step(&events, &task).expect("a step");
    assert_eq!((step, done), (Step::Failed, true));
    assert!(detail.contains("no suitable node"), "{detail}");

    // Active again, the swarm starts it there.
    converge(&backend, OpKind::Activate, "worker1").await;
    let back = wait_until(Duration::from_secs(30), Duration::from_millis(300), || {
        running_tasks(&svc) == [(task.clone(), "worker1".to_owned())]
    });
    assert!(back, "{:?}", running_tasks(&svc));
}

#[tokio::test]
async fn pause_keeps_the_tasks_and_activate_returns_the_node() {
    require_swarm();
    let _lock = node_lock();
    // One task on each node.
    let mut tags = Tags::default();
    let svc = service(&mut tags, "pause", 3, &["--replicas-max-per-node", "1"]);
    let _restore = Restore("worker2");
    let backend = manager().await;
    let on_worker2 = |svc: &SwarmService| -> Vec<String> {
        svc.tasks()
            .into_iter()
            .filter(|t| t.node == "worker2" && t.state == "running" && t.desired == "running")
            .map(|t| t.id)
            .collect()
    };
    let before = on_worker2(&svc);
    assert_eq!(before.len(), 1, "{:?}", svc.tasks());
    let plan = backend
        .plan(req(OpKind::Pause, "worker2"))
        .await
        .expect("plan");
    assert!(
        plan.summary.contains("(now active)") && plan.summary.contains("takes no new tasks"),
        "{}",
        plan.summary
    );
    assert!(plan.replicas.is_empty(), "{:?}", plan.replicas);
    let events = execute(&backend, plan).await;
    let (outcome, message) = finished(&events);
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(message.starts_with("worker2 is paused"), "{message}");
    assert_eq!(availability("worker2"), "pause");
    assert_eq!(on_worker2(&svc), before, "the same task runs on worker2");

    converge(&backend, OpKind::Activate, "worker2").await;
    assert_eq!(availability("worker2"), "active");
    assert_eq!(on_worker2(&svc), before, "activate moves nothing");
}

#[tokio::test]
async fn what_cannot_be_done_to_a_node_says_why() {
    require_swarm();
    let _lock = node_lock();
    let backend = manager().await;
    // Already there.
    let err = backend
        .plan(req(OpKind::Activate, "worker2"))
        .await
        .expect_err("worker2 is active");
    assert_eq!(err.to_string(), "worker2 is already active");
    {
        let _restore = Restore("worker2");
        docker(&["node", "update", "--availability", "drain", "worker2"]);
        let err = backend
            .plan(req(OpKind::Drain, "worker2"))
            .await
            .expect_err("worker2 is drained");
        assert_eq!(err.to_string(), "worker2 is already drained");
    }
    assert_eq!(availability("worker2"), "active");

    // Not an operation of a node; not a node's operation.
    let why = backend
        .capabilities(&node_target("worker2"))
        .check(OpKind::Restart)
        .expect_err("refused");
    assert_eq!(
        why,
        "restart applies to a service or a container, not a node"
    );
    let service = TargetRef::Service(ServiceRef {
        id: "x".into(),
        name: "shop_web".into(),
        kind: ServiceKind::Swarm,
        mode: ServiceMode::Replicated,
    });
    let why = backend
        .capabilities(&service)
        .check(OpKind::Drain)
        .expect_err("refused");
    assert!(why.starts_with("drain applies to a node"), "{why}");
    // A node that is not in the swarm.
    let err = backend
        .plan(OpRequest {
            kind: OpKind::Drain,
            target: TargetRef::Node(NodeRef {
                id: "nosuchnode0000".into(),
                name: "nosuchnode".into(),
            }),
            replicas: None,
        })
        .await
        .expect_err("no such node");
    assert!(
        err.to_string().contains("node nosuchnode not found"),
        "{err}"
    );
}

/// `berth drain worker1 --yes --wait` and `berth activate worker1 --yes
/// --wait` from a shell: the node as `berth ls nodes` names it, the change
/// made and waited for, one audit line each.
#[test]
fn headless_drain_and_activate_name_the_node_as_ls_does() {
    require_swarm();
    let _lock = node_lock();
    let _restore = Restore("worker1");
    let home = std::env::temp_dir().join(unique_name("berth-nodes-cli"));
    std::fs::create_dir_all(&home).expect("mkdir");
    let berth = |args: &[&str]| {
        std::process::Command::new(common::berth_bin())
            .args(args)
            .env("XDG_DATA_HOME", &home)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("berth runs")
    };
    let listed = String::from_utf8_lossy(&berth(&["ls", "nodes"]).stdout).into_owned();
    assert!(
        listed.lines().any(|l| l.starts_with("worker1 ")),
        "{listed}"
    );
    for (cmd, want) in [("drain", "drain"), ("activate", "active")] {
        let out = berth(&[cmd, "worker1", "--yes", "--wait", "--timeout", "60"]);
        assert!(
            out.status.success(),
            "berth {cmd} worker1: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(availability("worker1"), want, "after berth {cmd}");
    }
    let audit = std::fs::read_to_string(home.join("berth").join("audit.jsonl"))
        .expect("the audit file is written");
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
        .collect();
    for kind in ["drain", "activate"] {
        assert!(
            lines
                .iter()
                .any(|l| l.to_string().contains(kind) && l.to_string().contains("worker1")),
            "no audit line for {kind}: {audit}"
        );
    }
    let _ = std::fs::remove_dir_all(&home);
}
