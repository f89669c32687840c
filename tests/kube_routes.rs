//! Routes on Kubernetes: Ingresses and Traefik IngressRoutes on the test
//! bed's control plane (scripts/testbed, kube part), as berth's backend
//! shows them: hosts, paths, TLS, the workload behind the Service and its
//! ready pods as the backends to probe, and what is wrong.

mod common;

use berth::domain::{Backend, Route, RouteSource, RouteStatus, Snapshot};
use berth::routes::probe::{Target, probe};
use common::kube::{
    POD_IMAGE_V1, TestNamespace, deployment_yaml, kubectl, kubectl_stdin, wait_pods_running,
};
use common::live::Watching;
use std::time::Duration;

/// Pods starting, the endpoints controller catching up.
const CONVERGE: Duration = Duration::from_secs(90);
/// A change already in the apiserver reaching berth's snapshot.
const FOLLOW: Duration = Duration::from_secs(10);

/// A Deployment `name` of `replicas` busybox httpd pods on port 8080 and
/// a Service `name` selecting them, port `http` 80 -> 8080.
fn web_and_service(ns: &TestNamespace, name: &str, replicas: u32) {
    ns.apply(&deployment_yaml(
        name,
        POD_IMAGE_V1,
        replicas,
        "exec httpd -f -p 8080 -h /var/www",
    ));
    ns.apply(&service_yaml(name, name));
}

/// A Service `name` selecting pods labelled `app: APP`, port http 80 -> 8080.
fn service_yaml(name: &str, app: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels: {{berth.test: "1"}}
spec:
  selector: {{app: {app}}}
  ports:
  - name: http
    port: 80
    targetPort: 8080
    protocol: TCP
"#
    )
}

/// The pods' (IP, uid) with `app=NAME` in `ns`, sorted.
fn pod_addresses(ns: &str, name: &str) -> Vec<(String, String)> {
    let list: serde_json::Value = serde_json::from_str(&kubectl(&[
        "get",
        "pods",
        "-n",
        ns,
        "-l",
        &format!("app={name}"),
        "-o",
        "json",
    ]))
    .expect("kubectl get pods -o json");
    let mut out: Vec<(String, String)> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["status"]["podIP"].as_str().unwrap_or_default().to_owned(),
                p["metadata"]["uid"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn route<'a>(s: &'a Snapshot, name: &str) -> Option<&'a Route> {
    s.routes.iter().find(|r| r.name == name)
}

/// Installs the test IngressRoute CRD (tests/fixtures; idempotent: every
/// test may) and waits until the API server serves it. It stays installed:
/// other tests running now may use it.
fn install_ingressroute_crd() {
    let crd = include_str!("fixtures/ingressroute-crd.yaml");
    kubectl_stdin(&["apply", "-f", "-"], crd);
    kubectl(&[
        "wait",
        "--for=condition=established",
        "--timeout=60s",
        "crd/ingressroutes.traefik.io",
    ]);
}

#[tokio::test]
async fn an_ingress_shows_hosts_paths_tls_and_the_deployments_ready_pods_and_goes_when_deleted() {
    let backend = common::kube::backend().await;
    let ns = TestNamespace::create("routes-ing");
    web_and_service(&ns, "web", 2);
    ns.apply(
        r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  labels: {berth.test: "1"}
  annotations:
    traefik.ingress.kubernetes.io/router.middlewares: "shop-auth@kubernetescrd"
spec:
  ingressClassName: traefik
  tls:
  - hosts: [shop.example.org]
    secretName: shop-tls
  rules:
  - host: shop.example.org
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: web
            port: {name: http}
"#,
    );
    wait_pods_running(&ns.name, "app=web", 2, CONVERGE);
    let name = format!("{}/web", ns.name);
    let mut w = Watching::start(&backend);
    w.until(CONVERGE, |s| {
        route(s, &name).is_some_and(|r| r.backends.len() == 2)
    })
    .await
    .unwrap_or_else(|e| panic!("route {name} with 2 backends: {e}"));

    let snap = w.latest.clone();
    let r = route(&snap, &name).expect("route");
    assert_eq!(r.source, RouteSource::Ingress);
    assert_eq!(r.rule, "Host(`shop.example.org`) && PathPrefix(`/api`)");
    assert_eq!(r.hosts, ["shop.example.org"]);
    assert_eq!(r.paths, ["/api*"]);
    assert_eq!((r.tls, r.tls_detail.as_str()), (true, "secret shop-tls"));
    assert_eq!(r.class.as_deref(), Some("traefik"));
    assert_eq!(r.middlewares, ["shop-auth@kubernetescrd"]);
    assert!(r.entrypoints.is_empty());
    // The Service's port; the Deployment behind it, as the services list names it.
    assert_eq!(r.port, Some(80));
    assert_eq!(r.service, name);
    let deployment = format!("{}/deployment/web", ns.name);
    assert_eq!(r.service_id, deployment);
    // The Deployment lists the route that reaches it.
    let web = snap.services.iter().find(|s| s.id == deployment);
    assert_eq!(
        web.map(|s| s.routes.clone()).unwrap_or_default(),
        ["shop.example.org/api*"]
    );
    assert_eq!(r.stack.as_deref(), Some(ns.name.as_str()));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_ne!(r.status, RouteStatus::NoBackend);
    // Its backends are the pods, on the container port, as the snapshot's pods.
    let want: Vec<Backend> = pod_addresses(&ns.name, "web")
        .into_iter()
        .map(|(ip, uid)| Backend {
            container_id: uid,
            address: ip,
            port: 8080,
        })
        .collect();
    let mut got = r.backends.clone();
    got.sort_by(|a, b| a.address.cmp(&b.address));
    assert_eq!(got, want);
    for b in &r.backends {
        assert!(
            snap.containers
                .iter()
                .any(|c| c.id == b.container_id && c.service_id == deployment),
            "backend {b:?} is a pod of the Deployment in the snapshot"
        );
        // And a prober on this host reaches it: the pod's httpd answers.
        let p = probe(&Target {
            address: b.address.clone(),
            port: b.port,
            host: "shop.example.org".into(),
            path: "/api".into(),
        })
        .await;
        assert_eq!(p.status, RouteStatus::Up, "{b:?}: {p:?}");
    }

    // Scaled to one pod: one backend.
    kubectl(&["-n", &ns.name, "scale", "deployment/web", "--replicas=1"]);
    w.until(CONVERGE, |s| {
        route(s, &name).is_some_and(|r| r.backends.len() == 1)
    })
    .await
    .unwrap_or_else(|e| panic!("one backend after the scale to 1: {e}"));

    kubectl(&["-n", &ns.name, "delete", "ingress", "web"]);
    w.until(FOLLOW, |s| route(s, &name).is_none())
        .await
        .unwrap_or_else(|e| panic!("the deleted Ingress's route went: {e}"));
}

#[tokio::test]
async fn an_ingress_to_a_missing_service_or_port_says_so_and_no_ready_pod_is_no_backend() {
    let backend = common::kube::backend().await;
    let ns = TestNamespace::create("routes-lint");
    // A Service whose selector picks no pod.
    ns.apply(&service_yaml("idle", "nothing-here"));
    ns.apply(
        r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: lint
  labels: {berth.test: "1"}
  annotations:
    kubernetes.io/ingress.class: nginx
spec:
  rules:
  - host: lint.example.org
    http:
      paths:
      - path: /missing
        pathType: Prefix
        backend:
          service: {name: api, port: {number: 80}}
      - path: /idle
        pathType: Exact
        backend:
          service: {name: idle, port: {number: 80}}
      - path: /wrong
        pathType: Prefix
        backend:
          service: {name: idle, port: {number: 81}}
"#,
    );
    let prefix = format!("{}/lint lint.example.org", ns.name);
    let mut w = Watching::start(&backend);
    w.until(CONVERGE, |s| {
        s.routes
            .iter()
            .filter(|r| r.name.starts_with(&prefix))
            .count()
            == 3
    })
    .await
    .unwrap_or_else(|e| panic!("the Ingress's 3 routes: {e}"));
    let snap = w.latest.clone();
    let missing = route(&snap, &format!("{prefix}/missing")).expect("/missing");
    assert_eq!(
        missing.problems,
        [format!("service {}/api does not exist", ns.name)]
    );
    assert_eq!(missing.service, format!("{}/api", ns.name));
    assert_eq!(missing.class.as_deref(), Some("nginx"));
    let idle = route(&snap, &format!("{prefix}/idle")).expect("/idle");
    assert!(idle.problems.is_empty(), "{:?}", idle.problems);
    assert_eq!(idle.paths, ["/idle"]);
    assert_eq!(idle.status, RouteStatus::NoBackend);
    assert!(idle.backends.is_empty());
    let wrong = route(&snap, &format!("{prefix}/wrong")).expect("/wrong");
    assert_eq!(
        wrong.problems,
        [format!("service {}/idle has no port 81", ns.name)]
    );

    // The missing Service created: the problem goes, its pods come.
    web_and_service(&ns, "api", 1);
    let name = format!("{prefix}/missing");
    w.until(CONVERGE, |s| {
        route(s, &name).is_some_and(|r| r.problems.is_empty() && r.backends.len() == 1)
    })
    .await
    .unwrap_or_else(|e| panic!("the route reaches the new Service's pod: {e}"));
    let snap = w.latest.clone();
    let r = route(&snap, &name).expect("route");
    assert_eq!(r.service_id, format!("{}/deployment/api", ns.name));
}

#[tokio::test]
async fn an_ingressroute_shows_its_entrypoints_middlewares_tls_and_backends() {
    install_ingressroute_crd();
    // Connected after the CRD is served: berth asks discovery at start.
    let backend = common::kube::backend().await;
    let ns = TestNamespace::create("routes-ir");
    web_and_service(&ns, "web", 1);
    ns.apply(
        r#"apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: shop
  labels: {berth.test: "1"}
spec:
  entryPoints: [websecure]
  routes:
  - match: Host(`ir.example.org`) && PathPrefix(`/shop`)
    kind: Rule
    middlewares:
    - name: auth
    services:
    - name: web
      port: 80
  tls:
    certResolver: le
"#,
    );
    wait_pods_running(&ns.name, "app=web", 1, CONVERGE);
    let name = format!("{}/shop", ns.name);
    let mut w = Watching::start(&backend);
    w.until(CONVERGE, |s| {
        route(s, &name).is_some_and(|r| r.backends.len() == 1)
    })
    .await
    .unwrap_or_else(|e| panic!("route {name} with its backend: {e}"));
    let snap = w.latest.clone();
    let r = route(&snap, &name).expect("route");
    assert_eq!(r.source, RouteSource::IngressRoute);
    assert_eq!(r.rule, "Host(`ir.example.org`) && PathPrefix(`/shop`)");
    assert_eq!(r.hosts, ["ir.example.org"]);
    assert_eq!(r.paths, ["/shop*"]);
    assert_eq!(r.entrypoints, ["websecure"]);
    assert_eq!(r.middlewares, ["auth"]);
    assert_eq!((r.tls, r.tls_detail.as_str()), (true, "certresolver le"));
    assert_eq!(r.service, format!("{}/web", ns.name));
    assert_eq!(r.service_id, format!("{}/deployment/web", ns.name));
    assert_eq!(r.port, Some(80));
    let pods = pod_addresses(&ns.name, "web");
    assert_eq!(
        r.backends,
        [Backend {
            container_id: pods[0].1.clone(),
            address: pods[0].0.clone(),
            port: 8080
        }]
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);

    kubectl(&["-n", &ns.name, "delete", "ingressroute", "shop"]);
    w.until(FOLLOW, |s| route(s, &name).is_none())
        .await
        .unwrap_or_else(|e| panic!("the deleted IngressRoute's route went: {e}"));
}
