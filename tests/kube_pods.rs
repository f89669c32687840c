//! A pod's containers one level down and the reasons a pod does not run,
//! as berth's Kubernetes backend reports them from the test bed.

mod common;

use berth::app::columns::Row;
use berth::app::view::View;
use berth::app::{Action, AppState, Msg, Screen, Settings, update};
use berth::backend::{BackendEvent, BackendKind};
use berth::domain::{Container, PartState, Snapshot};
use common::kube::{TestNamespace, backend, container_yaml, pod_yaml};
use common::live::Watching;
use std::time::Duration;

fn pod<'a>(s: &'a Snapshot, ns: &str, name: &str) -> Option<&'a Container> {
    s.containers
        .iter()
        .find(|c| c.stack.as_deref() == Some(ns) && c.name == name)
}

#[tokio::test]
async fn a_pending_pod_shows_the_schedulers_reason() {
    let backend = backend().await;
    let ns = TestNamespace::create("pending");
    ns.apply(&pod_yaml(
        "nowhere",
        &format!(
            "  nodeSelector: {{berth-test/no-such-label: \"true\"}}\n  containers:\n{}",
            container_yaml("main", "sleep 3000")
        ),
    ));
    let mut w = Watching::start(&backend);
    let took = w
        .until(Duration::from_secs(60), |s| {
            pod(s, &ns.name, "nowhere").is_some_and(|p| p.status.contains("nodes are available"))
        })
        .await
        .unwrap_or_else(|e| panic!("the scheduler's reason never showed: {e}"));
    let p = pod(&w.latest, &ns.name, "nowhere").expect("listed");
    eprintln!("reason shown {took:?} after the watch began: {}", p.status);
    // "0/1 nodes are available: 1 node(s) didn't match node selector." (the
    // words differ between versions, and with the nodes there are).
    assert!(
        p.status.starts_with("Pending: 0/") && p.status.contains("didn't match"),
        "{}",
        p.status
    );
    // Not started anywhere: its container is named, its state not known.
    assert_eq!(p.parts.len(), 1);
    assert_eq!(p.parts[0].name, "main");
    assert_eq!(p.parts[0].state, PartState::Unknown);
}

#[tokio::test]
async fn a_pod_with_an_init_container_lists_both_one_level_down() {
    let backend = backend().await;
    let ns = TestNamespace::create("init");
    ns.apply(&pod_yaml(
        "staged",
        &format!(
            "  initContainers:\n{}  containers:\n{}",
            container_yaml("prepare", "echo prepared"),
            container_yaml("serve", "sleep 3000")
        ),
    ));
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(90), |s| {
        pod(s, &ns.name, "staged").is_some_and(|p| {
            p.parts
                .iter()
                .any(|c| c.name == "serve" && c.state == PartState::Running && c.ready)
        })
    })
    .await
    .unwrap_or_else(|e| panic!("the pod never ran: {e}"));
    let snap = w.latest.clone();
    let p = pod(&snap, &ns.name, "staged").expect("listed");
    let [prepare, serve] = &p.parts[..] else {
        panic!("two containers: {:?}", p.parts)
    };
    assert!(prepare.init && !serve.init);
    assert_eq!(prepare.state, PartState::Terminated);
    assert_eq!(
        (prepare.reason.as_str(), prepare.exit_code),
        ("Completed", Some(0))
    );
    assert_eq!(prepare.image, common::kube::POD_IMAGE_V1);
    assert_eq!((serve.restarts, serve.ready), (0, true));

    // The console: enter on the pod lists them, init first and marked.
    let mut state = AppState::new(
        Settings {
            backend: BackendKind::Kubernetes,
            endpoint: "test bed".into(),
            read_only: true,
            log_tail: 100,
            log_capacity: 1000,
            save_dir: std::env::temp_dir(),
            audit_dir: None,
            routes: Default::default(),
        },
        (200, 40),
        berth::backend::unix_now(),
    );
    update(
        &mut state,
        Msg::Backend(BackendEvent::Snapshot(snap.clone())),
    );
    update(&mut state, Msg::Action(Action::ViewContainers));
    if let Screen::List(l) = state.screen_mut() {
        // Only this pod: the cluster may hold thousands of others.
        l.filter = Some(berth::logs::Filter::new("^staged$"));
    }
    update(
        &mut state,
        Msg::Backend(BackendEvent::Snapshot(snap.clone())),
    );
    update(&mut state, Msg::Action(Action::Open));
    let Screen::List(l) = state.screen() else {
        panic!("a list")
    };
    assert_eq!(l.view, View::Parts);
    let rows: Vec<String> = l
        .rows
        .iter()
        .filter_map(|&i| Row::get(&snap, View::Parts, i))
        .map(|r| (0..4).map(|c| r.cell(c, 0)).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows,
        [
            "prepare init terminated Completed, exit 0",
            "serve app running "
        ]
    );
}

/// A pod on the node whose volume cannot be mounted: its status has no
/// reason (Pending, ContainerCreating), its Warning event has.
#[tokio::test]
async fn a_pod_that_cannot_mount_its_volume_shows_the_kubelets_event() {
    let backend = backend().await;
    let ns = TestNamespace::create("mount");
    ns.apply(&pod_yaml(
        "unmounted",
        &format!(
            "  volumes:\n  - name: cfg\n    configMap: {{name: no-such-configmap}}\n  containers:\n{}    \
             volumeMounts: [{{name: cfg, mountPath: /cfg}}]\n",
            container_yaml("main", "sleep 3000")
        ),
    ));
    let mut w = Watching::start(&backend);
    let took = w
        .until(Duration::from_secs(90), |s| {
            pod(s, &ns.name, "unmounted").is_some_and(|p| p.status.contains("FailedMount"))
        })
        .await
        .unwrap_or_else(|e| {
            let p = pod(&w.latest, &ns.name, "unmounted").map(|p| p.status.clone());
            panic!("the mount failure never showed: {e}; status {p:?}")
        });
    let p = pod(&w.latest, &ns.name, "unmounted").expect("listed");
    eprintln!("shown {took:?} after the watch began: {}", p.status);
    assert!(
        p.status.starts_with("Pending: FailedMount: ") && p.status.contains("no-such-configmap"),
        "{}",
        p.status
    );
}
