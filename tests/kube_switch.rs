//! Switching the console's Kubernetes context and namespace (`:ctx`,
//! `:ns`) through the backend factory the console uses, on the test bed's
//! control plane: one kubeconfig holding the admin's context and the
//! limited user's.

mod common;

use berth::backend::kube::{KubeTarget, startup_target};
use berth::backend::{Backend, BackendError, KubeSwitcher, Switcher};
use berth::domain::{OpKind, OpRequest, ServiceRef, Snapshot, TargetRef};
use common::kube::{
    ADMIN_CONTEXT, LIMITED_CONTEXT, LIMITED_NAMESPACE, MergedKubeconfig, POD_IMAGE_V1,
    TestNamespace, admin_kubeconfig, deployment_yaml, require_kube,
};
use common::live::Watching;
use std::sync::Arc;
use std::time::Duration;

async fn snapshot_until(
    backend: &dyn Backend,
    what: &str,
    pred: impl FnMut(&Snapshot) -> bool,
) -> Arc<Snapshot> {
    let mut w = Watching::start(backend);
    w.until(Duration::from_secs(60), pred)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    w.latest.clone()
}

fn has_workload(s: &Snapshot, ns: &str, name: &str) -> bool {
    let id = format!("{ns}/deployment/{name}");
    s.services.iter().any(|x| x.id == id)
}

#[tokio::test]
async fn switching_context_changes_what_is_seen_and_a_namespace_narrows_it() {
    require_kube();
    let cfg = MergedKubeconfig::create();
    let switcher = KubeSwitcher {
        kubeconfig: Some(cfg.path.clone()),
        read_only: false,
    };
    let contexts = switcher.contexts().expect("the contexts are read");
    assert_eq!(contexts.current.as_deref(), Some(ADMIN_CONTEXT));
    let limited = contexts.get(LIMITED_CONTEXT).expect("the limited context");
    assert_eq!(limited.namespace.as_deref(), Some(LIMITED_NAMESPACE));

    let ns = TestNamespace::create("switch");
    ns.apply(&deployment_yaml("mine", POD_IMAGE_V1, 0, "sleep 3000"));
    let other = TestNamespace::create("switchother");
    other.apply(&deployment_yaml("theirs", POD_IMAGE_V1, 0, "sleep 3000"));
    let limited_name = common::unique_name("sw").replace('-', "");
    common::kube::apply(
        LIMITED_NAMESPACE,
        &deployment_yaml(&limited_name, POD_IMAGE_V1, 0, "sleep 3000"),
    );
    struct Remove(String);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = common::kube::kubectl_as(
                &admin_kubeconfig(),
                &[
                    "-n",
                    LIMITED_NAMESPACE,
                    "delete",
                    "deployment",
                    &self.0,
                    "--wait=false",
                ],
            );
        }
    }
    let _remove = Remove(limited_name.clone());

    // Where the console starts: the admin's context sets no namespace: all.
    let start = startup_target(Some(cfg.path.clone()), None, None, false);
    assert_eq!(start.context.as_deref(), Some(ADMIN_CONTEXT));
    assert_eq!(start.namespace, None);
    let admin = switcher
        .connect(start.clone())
        .await
        .expect("admin connects");
    let snap = snapshot_until(admin.as_ref(), "admin sees both test namespaces", |s| {
        has_workload(s, &ns.name, "mine") && has_workload(s, &other.name, "theirs")
    })
    .await;
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    assert!(!snap.nodes.is_empty());

    // `:ns NAME`: the same context, that namespace only.
    let one = switcher
        .connect(KubeTarget {
            namespace: Some(ns.name.clone()),
            ..start.clone()
        })
        .await
        .expect("one namespace");
    let snap = snapshot_until(one.as_ref(), "its own workload", |s| {
        has_workload(s, &ns.name, "mine")
    })
    .await;
    assert!(
        snap.services
            .iter()
            .all(|s| s.stack.as_deref() == Some(ns.name.as_str())),
        "only that namespace's workloads: {:?}",
        snap.services.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    assert!(snap.stacks.iter().all(|s| s.name == ns.name));

    // `:ctx berth-limited`: its own namespace, and what it may not list is said.
    let target = KubeTarget {
        kubeconfig: Some(cfg.path.clone()),
        context: Some(LIMITED_CONTEXT.into()),
        namespace: limited.namespace.clone(),
    };
    let lim = switcher.connect(target).await.expect("limited connects");
    assert!(
        lim.endpoint().contains(LIMITED_CONTEXT),
        "{}",
        lim.endpoint()
    );
    let snap = snapshot_until(lim.as_ref(), "the limited user's workload", |s| {
        has_workload(s, LIMITED_NAMESPACE, &limited_name)
    })
    .await;
    assert!(
        !has_workload(&snap, &ns.name, "mine"),
        "other namespaces are not seen"
    );
    assert!(
        snap.problems
            .iter()
            .any(|p| p == "forbidden: list nodes (cluster-wide)"),
        "{:?}",
        snap.problems
    );
    assert!(snap.nodes.is_empty());
}

#[tokio::test]
async fn a_context_that_cannot_be_reached_is_refused_with_one_clear_reason() {
    require_kube();
    let cfg = MergedKubeconfig::create();
    let switcher = KubeSwitcher {
        kubeconfig: Some(cfg.path.clone()),
        read_only: false,
    };
    let nowhere = KubeTarget {
        kubeconfig: Some(cfg.path.clone()),
        context: Some("nowhere".into()),
        namespace: None,
    };
    let started = std::time::Instant::now();
    let err = match switcher.connect(nowhere).await {
        Ok(_) => panic!("a context with no API server connected"),
        Err(e) => e,
    };
    assert!(
        err.contains("https://127.0.0.1:1")
            && err.contains("nowhere")
            && err.contains("Connection refused"),
        "names where it tried: {err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    eprintln!("unreachable: {err}");
    let missing = KubeTarget {
        kubeconfig: Some(cfg.path.clone()),
        context: Some("no-such-context".into()),
        namespace: None,
    };
    let err = switcher.connect(missing).await.err().expect("refused");
    assert!(err.contains("no-such-context"), "{err}");
    eprintln!("missing: {err}");
}

#[tokio::test]
async fn a_read_only_console_stays_read_only_after_a_switch() {
    require_kube();
    let cfg = MergedKubeconfig::create();
    let switcher = KubeSwitcher {
        kubeconfig: Some(cfg.path.clone()),
        read_only: true,
    };
    let backend = switcher
        .connect(KubeTarget {
            kubeconfig: Some(cfg.path.clone()),
            context: Some(LIMITED_CONTEXT.into()),
            namespace: Some(LIMITED_NAMESPACE.into()),
        })
        .await
        .expect("connects");
    let req = OpRequest {
        kind: OpKind::Restart,
        target: TargetRef::Service(ServiceRef {
            id: format!("{LIMITED_NAMESPACE}/deployment/anything"),
            name: format!("{LIMITED_NAMESPACE}/anything"),
            kind: berth::domain::ServiceKind::Workload,
            mode: berth::domain::ServiceMode::Replicated,
        }),
        replicas: None,
    };
    match backend.plan(req).await {
        Err(BackendError::ReadOnly(_)) => {}
        other => panic!("the read-only guard refuses: {other:?}"),
    }
}
