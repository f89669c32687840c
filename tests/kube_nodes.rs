//! Node operations on the test bed's cluster, on its second node
//! `berth-node2` (tainted: only pods that tolerate it go there): cordon keeps
//! the pods and shows in the snapshot, drain evicts them to `berth-node`
//! while a disruption budget makes it wait, a pod without a controller
//! makes the drain plan refuse, uncordon brings the node back, and the
//! headless commands do the same with an audit line.
//!
//! The node is shared by the tests of this file (and by anyone running them
//! at the same time in another binary): every test holds a file lock while
//! it works on the node, and a guard uncordons it however the test ends.

mod common;

use berth::backend::kube::{KubeBackend, KubeTarget};
use berth::backend::{Backend, CancellationToken};
use berth::domain::{NodeRef, OpEvent, OpKind, OpRequest, Outcome, Plan, Step, TargetRef};
use common::headless::{audit, berth, data_home, stderr};
use common::kube::{
    NODE, NODE2, POD_IMAGE_V1, TestNamespace, admin_kubeconfig, kubectl, require_node2,
    wait_pods_running,
};
use common::live::Watching;
use common::pty::Tui;
use common::{berth_bin, unique_name, wait_until};
use std::fs::File;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const LOCK: &str = "/tmp/berth-kube-nodes.lock";

/// Held while a test works on [`NODE2`]: one node test at a time.
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

/// Uncordons [`NODE2`] when the test ends, however it ends.
struct Uncordon;

impl Drop for Uncordon {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(admin_kubeconfig())
            .args(["uncordon", NODE2])
            .output();
    }
}

async fn backend() -> KubeBackend {
    require_node2();
    KubeBackend::connect(&KubeTarget {
        kubeconfig: Some(admin_kubeconfig()),
        context: None,
        namespace: None,
    })
    .await
    .expect("berth connects with the test bed's kubeconfig")
}

fn node2() -> TargetRef {
    TargetRef::Node(NodeRef {
        id: kubectl(&["get", "node", NODE2, "-o", "jsonpath={.metadata.uid}"]),
        name: NODE2.to_owned(),
    })
}

fn req(kind: OpKind) -> OpRequest {
    OpRequest {
        kind,
        target: node2(),
        replicas: None,
    }
}

fn unschedulable() -> bool {
    kubectl(&["get", "node", NODE2, "-o", "jsonpath={.spec.unschedulable}"]) == "true"
}

/// A Deployment of `replicas` pods that tolerate node2's taint and prefer
/// node2 (they land there, and can move to berth-node).
fn to_node2_yaml(name: &str, replicas: u32) -> String {
    let toward_node2 = format!(
        r#"      tolerations:
      - {{key: berth.test/node2, operator: Exists, effect: NoSchedule}}
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions:
              - {{key: kubernetes.io/hostname, operator: In, values: [{NODE2}]}}
"#
    );
    common::kube::workload_yaml(
        "Deployment",
        name,
        POD_IMAGE_V1,
        replicas,
        "sleep 3000",
        &toward_node2,
    )
}

/// `name node` of each pod with label `app=APP` in `ns`.
fn pods_and_nodes(ns: &str, app: &str) -> Vec<(String, String)> {
    let text = kubectl(&[
        "get",
        "pods",
        "-n",
        ns,
        "-l",
        &format!("app={app}"),
        "-o",
        r#"jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}"#,
    ]);
    let mut out: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(p, n)| (p.to_owned(), n.to_owned()))
        .collect();
    out.sort();
    out
}

/// The Deployment's 2 pods running on node2.
fn two_pods_on_node2(ns: &TestNamespace, app: &str) -> Vec<String> {
    ns.apply(&to_node2_yaml(app, 2));
    let names = wait_pods_running(&ns.name, &format!("app={app}"), 2, Duration::from_secs(90));
    let placed = pods_and_nodes(&ns.name, app);
    assert!(
        placed.iter().all(|(_, n)| n == NODE2),
        "the pods prefer {NODE2}: {placed:?}"
    );
    names
}

/// Starts `plan`; its events arrive on the receiver, `Finished` last.
fn start(backend: &KubeBackend, plan: Plan) -> mpsc::Receiver<OpEvent> {
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(backend.execute(plan, tx, CancellationToken::new()));
    rx
}

/// Events until one satisfies `pred` (returned with it) or `timeout`.
async fn until(
    rx: &mut mpsc::Receiver<OpEvent>,
    seen: &mut Vec<OpEvent>,
    timeout: Duration,
    pred: impl Fn(&OpEvent) -> bool,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(ev)) => {
                let hit = pred(&ev);
                let finished = matches!(ev, OpEvent::Finished { .. });
                seen.push(ev);
                if hit {
                    return;
                }
                assert!(!finished, "ended before the event looked for: {seen:#?}");
            }
            Ok(None) => panic!("execute ended without Finished: {seen:#?}"),
            Err(_) => panic!("nothing looked for within {timeout:?}: {seen:#?}"),
        }
    }
}

async fn run_to_end(backend: &KubeBackend, plan: Plan, timeout: Duration) -> Vec<OpEvent> {
    let mut rx = start(backend, plan);
    let mut seen = Vec::new();
    until(&mut rx, &mut seen, timeout, |e| {
        matches!(e, OpEvent::Finished { .. })
    })
    .await;
    seen
}

fn finished(events: &[OpEvent]) -> (Outcome, String) {
    match events.last() {
        Some(OpEvent::Finished { outcome, message }) => (*outcome, message.clone()),
        other => panic!("no Finished event: {other:?}"),
    }
}

#[tokio::test]
async fn cordon_keeps_the_pods_and_shows_in_the_snapshot_then_uncordon_returns_the_node() {
    let backend = backend().await;
    let _lock = node_lock();
    let _uncordon = Uncordon;
    let ns = TestNamespace::create("knode-cordon");
    let pods = two_pods_on_node2(&ns, "web");

    let plan = backend.plan(req(OpKind::Pause)).await.expect("a plan");
    assert!(
        plan.summary
            .starts_with(&format!("cordon node {NODE2}: it takes no new pods; its ")),
        "{}",
        plan.summary
    );
    for p in &pods {
        let line = plan
            .details
            .iter()
            .find(|d| d.contains(&format!("{}/{p}", ns.name)));
        assert!(
            line.is_some_and(|l| l.starts_with("stays: ") && l.contains("(ReplicaSet web-")),
            "{p} listed as staying: {:?}",
            plan.details
        );
    }
    let events = run_to_end(&backend, plan, Duration::from_secs(30)).await;
    let (outcome, message) = finished(&events);
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(message.contains("cordoned"), "{message}");
    assert!(unschedulable(), "the node object says unschedulable");

    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        s.nodes
            .iter()
            .any(|n| n.name == NODE2 && n.availability == "cordoned")
    })
    .await
    .expect("berth's snapshot shows the node cordoned");
    let placed = pods_and_nodes(&ns.name, "web");
    assert_eq!(
        placed.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        pods,
        "the same pods"
    );
    assert!(placed.iter().all(|(_, n)| n == NODE2), "{placed:?}");

    let again = backend.plan(req(OpKind::Pause)).await;
    assert!(
        again
            .as_ref()
            .is_err_and(|e| e.to_string().contains("already cordoned")),
        "{again:?}"
    );

    let plan = backend.plan(req(OpKind::Activate)).await.expect("a plan");
    assert!(
        plan.summary
            .starts_with(&format!("uncordon node {NODE2}: it takes pods again")),
        "{}",
        plan.summary
    );
    let (outcome, message) = finished(&run_to_end(&backend, plan, Duration::from_secs(30)).await);
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(!unschedulable());
    w.until(Duration::from_secs(30), |s| {
        s.nodes
            .iter()
            .any(|n| n.name == NODE2 && n.availability == "active")
    })
    .await
    .expect("berth's snapshot shows the node schedulable");
    let again = backend.plan(req(OpKind::Activate)).await;
    assert!(
        again
            .as_ref()
            .is_err_and(|e| e.to_string().contains("already schedulable")),
        "{again:?}"
    );
}

#[tokio::test]
async fn drain_waits_for_a_disruption_budget_then_moves_the_pods_to_berth_node() {
    let backend = backend().await;
    let _lock = node_lock();
    let _uncordon = Uncordon;
    let ns = TestNamespace::create("knode-drain");
    let pods = two_pods_on_node2(&ns, "web");
    ns.apply(
        r#"apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
"#,
    );
    // The disruption controller has counted the pods: 0 evictions allowed.
    let counted = wait_until(Duration::from_secs(30), Duration::from_millis(250), || {
        kubectl(&[
            "get",
            "pdb",
            "web-pdb",
            "-n",
            &ns.name,
            "-o",
            "jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}",
        ]) == "2/0"
    });
    assert!(counted, "the budget counts 2 healthy pods and allows 0");

    let plan = backend.plan(req(OpKind::Drain)).await.expect("a plan");
    let keys: Vec<String> = pods.iter().map(|p| format!("{}/{p}", ns.name)).collect();
    for k in &keys {
        assert!(plan.replicas.contains(k), "{k} in {:?}", plan.replicas);
        assert!(
            plan.details
                .iter()
                .any(|d| d.starts_with(&format!("evicts: {k} (ReplicaSet web-"))),
            "{:?}",
            plan.details
        );
    }
    let budget = format!(
        "disruption budget {}/web-pdb (minAvailable 2, allows 0 now)",
        ns.name
    );
    assert!(
        plan.details.iter().any(|d| d.starts_with(&budget)),
        "{:?}",
        plan.details
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("web-pdb allows 0 evictions now")),
        "{:?}",
        plan.warnings
    );
    assert!(!unschedulable(), "a plan changes nothing");

    let started = Instant::now();
    let mut rx = start(&backend, plan);
    let mut seen = Vec::new();
    until(&mut rx, &mut seen, Duration::from_secs(60), |e| {
        matches!(e, OpEvent::Step { replica, step: Step::Waiting, detail: Some(d), .. }
            if keys.contains(replica) && d.contains("disruption budget web-pdb allows 0"))
    })
    .await;
    eprintln!(
        "budget reported {:?} after the drain started",
        started.elapsed()
    );
    assert!(unschedulable(), "the drain cordoned the node first");
    // The budget holds: both pods still run on node2 a retry later.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let placed = pods_and_nodes(&ns.name, "web");
    assert_eq!(
        placed,
        pods.iter()
            .map(|p| (p.clone(), NODE2.to_owned()))
            .collect::<Vec<_>>()
    );

    kubectl(&["delete", "pdb", "web-pdb", "-n", &ns.name]);
    let relaxed = Instant::now();
    until(&mut rx, &mut seen, Duration::from_secs(120), |e| {
        matches!(e, OpEvent::Finished { .. })
    })
    .await;
    let (outcome, message) = finished(&seen);
    assert_eq!(outcome, Outcome::Converged, "{message}: {seen:#?}");
    eprintln!(
        "drain converged {:?} after the budget was deleted: {message}",
        relaxed.elapsed()
    );
    for k in &keys {
        let last = seen.iter().rev().find_map(|e| match e {
            OpEvent::Step {
                replica,
                step,
                done,
                detail,
            } if replica == k => Some((*step, *done, detail.clone())),
            _ => None,
        });
        let Some((step, done, detail)) = last else {
            panic!("no step for {k}: {seen:#?}")
        };
        assert_eq!((step, done), (Step::Moved, true), "{k}: {detail:?}");
        let detail = detail.unwrap_or_default();
        assert!(detail.starts_with("gone"), "{k}: {detail}");
    }
    assert!(
        seen.iter()
            .any(|e| matches!(e, OpEvent::Step { detail: Some(d), .. }
            if d.contains(&format!("→ {NODE}")))),
        "a replacement named on {NODE}: {seen:#?}"
    );
    let back = wait_pods_running(&ns.name, "app=web", 2, Duration::from_secs(90));
    assert!(back.iter().all(|p| !pods.contains(p)), "new pods: {back:?}");
    let placed = pods_and_nodes(&ns.name, "web");
    assert!(placed.iter().all(|(_, n)| n == NODE), "{placed:?}");
    assert!(unschedulable(), "a drained node stays cordoned");

    let plan = backend.plan(req(OpKind::Activate)).await.expect("a plan");
    let (outcome, message) = finished(&run_to_end(&backend, plan, Duration::from_secs(30)).await);
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(!unschedulable(), "uncordoned");
}

#[tokio::test]
async fn a_pod_without_a_controller_makes_the_drain_plan_refuse_and_name_it() {
    let backend = backend().await;
    let _lock = node_lock();
    let _uncordon = Uncordon;
    let ns = TestNamespace::create("knode-bare");
    ns.apply(&format!(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: lonely
  labels: {{app: lonely}}
spec:
  nodeName: {NODE2}
  terminationGracePeriodSeconds: 1
  tolerations:
  - {{key: berth.test/node2, operator: Exists, effect: NoSchedule}}
  containers:
  - name: main
    image: {POD_IMAGE_V1}
    imagePullPolicy: Never
    command: ["sh", "-c", "sleep 3000"]
"#
    ));
    wait_pods_running(&ns.name, "app=lonely", 1, Duration::from_secs(60));
    let err = backend
        .plan(req(OpKind::Drain))
        .await
        .expect_err("the plan refuses");
    let text = err.to_string();
    assert!(text.contains(&format!("{}/lonely", ns.name)), "{text}");
    assert!(text.contains("--force"), "{text}");
    assert!(!unschedulable(), "nothing changed");
    // Cordon is fine: the pod stays.
    assert!(backend.plan(req(OpKind::Pause)).await.is_ok());
    // Workload operations on a node say why not.
    let caps = backend.capabilities(&node2());
    for k in [OpKind::Scale, OpKind::Restart, OpKind::Rollback] {
        let why = caps.check(k).expect_err("refused on a node");
        assert!(why.contains("not a node"), "{why}");
    }
}

/// `berth cordon|uncordon NODE` from a shell, refused read-only, audited.
#[tokio::test]
async fn headless_cordon_and_uncordon_are_audited_and_refused_read_only() {
    require_node2();
    let _lock = node_lock();
    let _uncordon = Uncordon;
    let home = data_home("knode");
    let config = admin_kubeconfig();
    let config = config.to_str().expect("a UTF-8 path");
    let run = |args: &[&str]| {
        let mut all = vec!["--backend", "kubernetes", "--kubeconfig", config];
        all.extend_from_slice(args);
        berth(&home, &all)
    };
    let out = run(&["--read-only", "cordon", NODE2, "--yes", "--wait"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert!(!unschedulable(), "read-only changed nothing");

    for (cmd, want) in [("cordon", true), ("uncordon", false)] {
        let out = run(&[cmd, NODE2, "--yes", "--wait", "--timeout", "60"]);
        assert!(
            out.status.success(),
            "berth {cmd} {NODE2}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
        assert_eq!(unschedulable(), want, "after berth {cmd}");
    }
    let lines = audit(&home);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["result"], "refused", "{lines:?}");
    for (line, kind) in lines[1..].iter().zip(["pause", "activate"]) {
        let text = line.to_string();
        assert!(text.contains(kind) && text.contains(NODE2), "{text}");
    }
    let _ = std::fs::remove_dir_all(&home);
}

/// The first one-key binding of `action` in keymap table `mode`.
fn key(mode: &str, action: &str) -> String {
    let km = berth::config::Keymap::builtin("default").expect("default keymap");
    let a: berth::app::Action = serde_json::from_value(serde_json::Value::String(action.into()))
        .unwrap_or_else(|_| panic!("{action} is an action"));
    let m = berth::config::Mode::from_table(mode).expect("a keymap table");
    km.keys_for(m, a)
        .into_iter()
        .find(|k| k.chars().count() == 1)
        .unwrap_or_else(|| panic!("{action} has a one-key binding in [{mode}]"))
}

/// From the console: the nodes view, node2 selected, `c` (cordon) with its
/// confirmation and progress, the row showing it cordoned; then `a`.
#[test]
fn the_console_cordons_and_uncordons_a_kubernetes_node_with_the_node_keys() {
    require_node2();
    let _lock = node_lock();
    let _uncordon = Uncordon;
    let t = Duration::from_secs(30);
    let home = std::env::temp_dir().join(unique_name("berth-knode-tui"));
    std::fs::create_dir_all(&home).expect("mkdir");
    let d = home.to_str().expect("utf-8 path");
    let config = admin_kubeconfig();
    let args = [
        "--backend",
        "kubernetes",
        "--kubeconfig",
        config.to_str().expect("utf-8 path"),
    ];
    let env = [
        ("BERTH_CONFIG_DIR", d),
        ("XDG_STATE_HOME", d),
        ("XDG_DATA_HOME", d),
        ("HOME", d),
    ];
    let mut tui = Tui::spawn(berth_bin(), &args, &env, 40, 180);
    tui.wait_for("● connected", t).expect("connected");
    tui.send(&key("global", "view_nodes"));
    tui.send(&key("list", "filter"));
    tui.send(NODE2);
    tui.key("enter");
    tui.wait_screen(t, |s| s.contains("[1/") && s.contains(NODE2))
        .expect("one node left by the filter");

    tui.send(&key("list", "pause_node"));
    tui.wait_for(&format!("cordon node {NODE2}: it takes no new pods"), t)
        .expect("the confirmation shows the plan");
    tui.send(&key("confirm", "confirm"));
    tui.wait_for("converged", t)
        .expect("progress reaches converged");
    assert!(unschedulable(), "cordoned from the console");
    // ESC then a key at once reads as alt-key: a pause on both sides.
    std::thread::sleep(Duration::from_millis(300));
    tui.key("esc");
    tui.wait_screen(t, |s| {
        !s.contains("operations[")
            && s.lines()
                .any(|l| l.contains(NODE2) && l.contains("cordoned"))
    })
    .expect("back in the nodes view, the node's row says cordoned");
    std::thread::sleep(Duration::from_millis(300));

    tui.send(&key("list", "activate_node"));
    tui.wait_for(&format!("uncordon node {NODE2}"), t)
        .expect("the confirmation shows the plan");
    tui.send(&key("confirm", "confirm"));
    tui.wait_for("converged", t)
        .expect("progress reaches converged");
    assert!(!unschedulable(), "uncordoned from the console");
    tui.kill();
    let _ = std::fs::remove_dir_all(&home);
}
