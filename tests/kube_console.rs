//! The Kubernetes backend against the test bed's control plane and kubelet
//! (scripts/testbed, kube part): what the console lists, live.

mod common;

use berth::backend::kube::{KubeBackend, KubeTarget};
use berth::backend::{Backend, BackendKind, ConnectionState};
use berth::domain::{ServiceKind, ServiceMode, StackKind};
use common::kube::{POD_IMAGE_V1, TestNamespace, deployment_yaml, kubectl, require_kube};
use common::live::Watching;
use std::time::{Duration, Instant};

async fn backend(namespace: Option<&str>) -> KubeBackend {
    require_kube();
    let b = KubeBackend::connect(&KubeTarget {
        kubeconfig: Some(common::kube::admin_kubeconfig()),
        context: None,
        namespace: namespace.map(str::to_owned),
    })
    .await
    .expect("berth connects with the test bed's kubeconfig");
    assert_eq!(b.kind(), BackendKind::Kubernetes);
    b
}

#[tokio::test]
async fn a_deployment_created_outside_berth_appears_within_2_s_with_its_pods() {
    let backend = backend(None).await;
    let ns = TestNamespace::create("live");
    let mut w = Watching::start(&backend);
    w.until_connection(Duration::from_secs(30), |c| {
        *c == ConnectionState::Connected
    })
    .await
    .expect("connected");
    w.until(Duration::from_secs(30), |s| {
        s.stacks.iter().any(|st| st.name == ns.name)
    })
    .await
    .expect("the test namespace is a stack");

    let started = Instant::now();
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 2, "sleep 3000"));
    let id = format!("{}/deployment/web", ns.name);
    w.until(Duration::from_secs(2), |s| {
        s.services.iter().any(|x| x.id == id)
    })
    .await
    .unwrap_or_else(|e| panic!("the deployment did not show within 2 s: {e}"));
    eprintln!(
        "deployment shown {:?} after kubectl apply",
        started.elapsed()
    );

    w.until(Duration::from_secs(90), |s| {
        let running = s
            .containers
            .iter()
            .filter(|c| c.service_id == id && c.state.is_running())
            .count();
        running == 2
            && s.services
                .iter()
                .any(|x| x.id == id && x.replicas_running == 2 && x.replicas_desired == 2)
    })
    .await
    .unwrap_or_else(|e| panic!("its 2 pods never ran: {e}"));

    let snap = w.latest.clone();
    let web = snap.services.iter().find(|x| x.id == id).expect("web");
    assert_eq!(web.kind, ServiceKind::Workload);
    assert_eq!(web.mode, ServiceMode::Replicated);
    assert_eq!(web.stack.as_deref(), Some(ns.name.as_str()));
    let st = snap
        .stacks
        .iter()
        .find(|s| s.name == ns.name)
        .expect("namespace");
    assert_eq!(st.kind, StackKind::Namespace);
    assert_eq!((st.services, st.containers_running), (1, 2));
    let pod = snap
        .containers
        .iter()
        .find(|c| c.service_id == id)
        .expect("a pod");
    assert!(pod.name.starts_with("web-"), "{}", pod.name);
    assert!(pod.status.starts_with("Running 1/1"), "{}", pod.status);
    assert!(!pod.node.is_empty(), "the pod's node is known");
    assert!(
        snap.nodes
            .iter()
            .any(|n| n.name == pod.node && n.state == "ready" && n.containers_running >= 2),
        "its node is ready and counts its pods: {:?}",
        snap.nodes
    );

    // Scaled outside berth: followed.
    kubectl(&["-n", &ns.name, "scale", "deployment/web", "--replicas=1"]);
    w.until(Duration::from_secs(60), |s| {
        s.services
            .iter()
            .any(|x| x.id == id && x.replicas_desired == 1 && x.replicas_running == 1)
            && s.containers.iter().filter(|c| c.service_id == id).count() == 1
    })
    .await
    .unwrap_or_else(|e| panic!("the scale to 1 was not followed: {e}"));
}

#[tokio::test]
async fn one_namespace_shows_only_its_own_objects() {
    let ns = TestNamespace::create("scoped");
    ns.apply(&deployment_yaml("api", POD_IMAGE_V1, 1, "sleep 3000"));
    let backend = backend(Some(&ns.name)).await;
    let snap = backend.snapshot().await.expect("a listing");
    assert!(
        snap.services
            .iter()
            .any(|s| s.id == format!("{}/deployment/api", ns.name))
    );
    assert!(
        snap.services
            .iter()
            .all(|s| s.stack.as_deref() == Some(ns.name.as_str())),
        "only the namespace's workloads"
    );
    assert!(
        snap.stacks.iter().all(|s| s.name == ns.name),
        "{:?}",
        snap.stacks
    );
    assert!(!snap.nodes.is_empty(), "nodes are cluster-wide");
}

#[tokio::test]
async fn a_workloads_logs_merge_its_pods_each_line_named_by_its_pod() {
    let backend = backend(None).await;
    let ns = TestNamespace::create("logs");
    ns.apply(&deployment_yaml(
        "talk",
        POD_IMAGE_V1,
        2,
        "i=0; while true; do echo \"hello $i from $(hostname)\"; i=$((i+1)); sleep 0.5; done",
    ));
    common::kube::wait_pods_running(&ns.name, "app=talk", 2, Duration::from_secs(90));
    let mut w = Watching::start(&backend);
    let id = format!("{}/deployment/talk", ns.name);
    w.until(Duration::from_secs(30), |s| {
        s.containers
            .iter()
            .filter(|c| c.service_id == id && c.state.is_running())
            .count()
            == 2
    })
    .await
    .expect("both pods listed");
    let pods: Vec<String> = w
        .latest
        .containers
        .iter()
        .filter(|c| c.service_id == id)
        .map(|c| c.name.clone())
        .collect();

    // Followed: lines from both pods, each named by its pod, timestamped.
    let mut tail = common::live::Tail::start(
        &backend,
        berth::logs::LogTarget::Service(id.clone()),
        Some(5),
        true,
    );
    tail.until(Duration::from_secs(30), |t| {
        pods.iter()
            .all(|p| t.lines.iter().any(|l| &*l.source == p.as_str()))
    })
    .await
    .unwrap_or_else(|e| panic!("lines from both pods never came: {e}"));
    let line = &tail.lines[0];
    assert!(line.text.starts_with("hello "), "{}", line.text);
    assert!(line.ts.is_some(), "timestamps are kept");

    // One pod, history only (once it has more than 3 lines): ends by itself.
    assert!(common::wait_until(
        Duration::from_secs(20),
        Duration::from_millis(200),
        || kubectl(&["-n", &ns.name, "logs", &pods[0]]).lines().count() > 3
    ));
    let mut one = common::live::Tail::start(
        &backend,
        berth::logs::LogTarget::Container(pods[0].clone()),
        Some(3),
        false,
    );
    one.until(Duration::from_secs(20), |t| t.ended)
        .await
        .expect("the history ends");
    assert_eq!(one.lines.len(), 3, "{:?}", one.texts());
    assert!(one.lines.iter().all(|l| &*l.source == pods[0].as_str()));
}

/// A user allowed one namespace only: the kinds it may not list are said
/// ("forbidden: list nodes (cluster-wide)") while its namespace is shown.
#[tokio::test]
async fn a_user_limited_to_one_namespace_is_told_what_it_may_not_see() {
    require_kube();
    let ns = common::kube::LIMITED_NAMESPACE;
    let name = common::unique_name("limited").replace('-', "");
    common::kube::apply(ns, &deployment_yaml(&name, POD_IMAGE_V1, 1, "sleep 3000"));
    struct Remove(String);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = common::kube::kubectl_as(
                &common::kube::admin_kubeconfig(),
                &[
                    "-n",
                    common::kube::LIMITED_NAMESPACE,
                    "delete",
                    "deployment",
                    &self.0,
                    "--wait=false",
                ],
            );
        }
    }
    let _remove = Remove(name.clone());
    let target = |namespace: Option<&str>| KubeTarget {
        kubeconfig: Some(common::kube::limited_kubeconfig()),
        context: None,
        namespace: namespace.map(str::to_owned),
    };

    let scoped = KubeBackend::connect(&target(Some(ns)))
        .await
        .expect("connects");
    let snap = scoped.snapshot().await.expect("its namespace is listed");
    assert!(
        snap.services
            .iter()
            .any(|s| s.id == format!("{ns}/deployment/{name}")),
        "{:?}",
        snap.services
    );
    for want in [
        "forbidden: list nodes (cluster-wide)",
        "forbidden: list namespaces (cluster-wide)",
    ] {
        assert!(
            snap.problems.iter().any(|p| p == want),
            "{:?}",
            snap.problems
        );
    }
    assert!(
        !snap.problems.iter().any(|p| p.contains("pods")),
        "pods in its namespace are allowed: {:?}",
        snap.problems
    );

    // Every namespace: pods and workloads are refused too, and said so.
    let everywhere = KubeBackend::connect(&target(None)).await.expect("connects");
    let snap = everywhere
        .snapshot()
        .await
        .expect("a listing, not an error");
    assert!(
        snap.problems
            .iter()
            .any(|p| p == "forbidden: list pods in all namespaces"),
        "{:?}",
        snap.problems
    );
}

/// A namespace says what runs in it by its workloads' labels (a Helm
/// release and its chart), and a Deployment shows the revision that
/// `kubectl rollout history` numbers, following a new rollout.
#[tokio::test]
async fn a_namespace_names_its_helm_release_and_a_deployment_its_revision() {
    let ns = TestNamespace::create("apps");
    let backend = backend(Some(&ns.name)).await;
    let helm = deployment_yaml("web", POD_IMAGE_V1, 1, "sleep 3000").replacen(
        "labels: {app: web, berth.test: \"1\"}",
        "labels: {app: web, berth.test: \"1\", app.kubernetes.io/managed-by: Helm, \
         app.kubernetes.io/instance: shop, helm.sh/chart: web-1.2.0}",
        1,
    );
    assert!(helm.contains("helm.sh/chart"), "the labels went in: {helm}");
    ns.apply(&helm);
    let id = format!("{}/deployment/web", ns.name);
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        s.stacks
            .iter()
            .any(|st| st.name == ns.name && st.apps == ["shop (helm web-1.2.0)"])
            && s.services
                .iter()
                .any(|x| x.id == id && x.revision.as_deref() == Some("1"))
    })
    .await
    .unwrap_or_else(|e| panic!("the release and revision 1 never showed: {e}"));

    kubectl(&[
        "-n",
        &ns.name,
        "set",
        "image",
        "deployment/web",
        &format!("main={}", common::kube::POD_IMAGE_V2),
    ]);
    w.until(Duration::from_secs(30), |s| {
        s.services
            .iter()
            .any(|x| x.id == id && x.revision.as_deref() == Some("2"))
    })
    .await
    .unwrap_or_else(|e| panic!("the new rollout's revision 2 never showed: {e}"));
}
