//! Routes from Traefik labels on real containers, compose projects and
//! swarm services, probed from this host: `berth ls routes -o json`, and
//! the console's route feed seeing a backend stop answering.

mod common;

use berth::backend::Backend;
use berth::domain::RouteStatus;
use berth::routes::feed::{self, FeedConfig, Watching as RouteWatching};
use berth::routes::live::{self, Live};
use berth::routes::probe;
use common::headless::{berth, data_home, stderr};
use common::live::{Watching, local_backend};
use common::swarm::{SwarmService, require_swarm};
use common::*;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// busybox httpd serving the image's /var/www on `port`, in the foreground.
fn httpd(port: &str) -> Vec<String> {
    ["httpd", "-f", "-p", port, "-h", "/var/www"]
        .map(String::from)
        .to_vec()
}

/// `berth ls routes -o json`, only the routes whose hosts mention `tag`.
fn routes_tagged(tag: &str) -> Vec<Value> {
    let home = data_home("routes");
    let out = berth(&home, &["ls", "routes", "-o", "json"]);
    assert!(out.status.success(), "ls routes failed: {}", stderr(&out));
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
    all.into_iter()
        .filter(|r| {
            r["hosts"].as_array().is_some_and(|h| {
                h.iter()
                    .any(|h| h.as_str().is_some_and(|h| h.contains(tag)))
            })
        })
        .collect()
}

fn named<'a>(routes: &'a [Value], name: &str) -> &'a Value {
    routes
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no route {name} in {routes:#?}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn labelled_containers_and_a_compose_project_show_their_routes() {
    let tag = unique_name("rt");
    let mut cleanup = Cleanup::new();
    // v2: two routers, a redirect, basic auth, TLS with a resolver.
    let shop = unique_name("shop");
    cleanup.container(&shop);
    let v2 = [
        format!("traefik.http.routers.{tag}-web.rule=Host(`shop.{tag}.test`)"),
        format!("traefik.http.routers.{tag}-web.entrypoints=web"),
        format!("traefik.http.routers.{tag}-web.middlewares={tag}-https"),
        format!(
            "traefik.http.routers.{tag}-api.rule=Host(`shop.{tag}.test`) && PathPrefix(`/api`)"
        ),
        format!("traefik.http.routers.{tag}-api.entrypoints=websecure"),
        format!("traefik.http.routers.{tag}-api.tls.certresolver=le"),
        format!("traefik.http.routers.{tag}-api.middlewares={tag}-auth"),
        format!("traefik.http.middlewares.{tag}-https.redirectscheme.scheme=https"),
        format!(
            "traefik.http.middlewares.{tag}-auth.basicauth.users=ops:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"
        ),
        "traefik.http.services.shop.loadbalancer.server.port=8080".to_string(),
    ];
    let mut args: Vec<String> = Vec::new();
    for l in &v2 {
        args.extend(["--label".to_string(), l.clone()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let cmd = httpd("8080");
    let cmdv: Vec<&str> = cmd.iter().map(String::as_str).collect();
    run_container(&shop, IMAGE_V1, &cmdv, &argv);

    // v1: two hosts, a basic-auth hash cut by compose's interpolation, and
    // a port the image does not serve (nothing listens on 9999).
    let legacy = unique_name("legacy");
    cleanup.container(&legacy);
    let rule = format!("traefik.frontend.rule=Host:old.{tag}.test,legacy.{tag}.test");
    run_container(
        &legacy,
        IMAGE_V1,
        &cmdv,
        &[
            "--label",
            &rule,
            "--label",
            "traefik.port=9999",
            "--label",
            "traefik.frontend.auth.basic=ops:/",
            "--expose",
            "8080",
        ],
    );

    // Compose: only traefik.enable, so Traefik's defaults make the route.
    let project = unique_name("rtc");
    let yaml = format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {IMAGE_V1}\n    command: [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/var/www\"]\n    \
         init: true\n    stop_grace_period: 1s\n    scale: 2\n    expose: [\"80\"]\n    labels:\n      berth.test: \"1\"\n      \
         traefik.enable: \"true\"\n      traefik.http.routers.web-{project}.rule: \"Host(`web.{tag}.test`)\"\n"
    );
    let dir = compose_up(&project, &yaml);
    cleanup.project(&project, &dir);

    let ok = wait_until(Duration::from_secs(20), Duration::from_millis(500), || {
        let r = routes_tagged(&tag);
        r.len() == 4 && r.iter().filter(|r| r["status"] == "up").count() == 3
    });
    let routes = routes_tagged(&tag);
    assert!(ok, "expected 4 routes, 3 up: {routes:#?}");

    let web = named(&routes, &format!("{tag}-web"));
    assert_eq!(web["source"], "traefik-v2");
    assert_eq!(strings(&web["hosts"]), vec![format!("shop.{tag}.test")]);
    assert_eq!(strings(&web["entrypoints"]), vec!["web"]);
    assert_eq!(strings(&web["middlewares"]), vec!["redirect to https"]);
    assert_eq!(web["service"], shop.as_str());
    assert_eq!(web["port"], 8080);
    assert_eq!(web["status"], "up", "{web:#}");
    assert!(web["latency_ms"].is_u64());

    let api = named(&routes, &format!("{tag}-api"));
    assert_eq!(strings(&api["paths"]), vec!["/api*"]);
    assert_eq!(api["tls"], true);
    assert_eq!(strings(&api["middlewares"]), vec!["basic auth (1 user)"]);
    assert_eq!(api["problems"], serde_json::json!([]));
    assert!(
        !api.to_string().contains("apr1"),
        "no hash in the output: {api}"
    );

    let old = routes
        .iter()
        .find(|r| r["source"] == "traefik-v1")
        .unwrap_or_else(|| panic!("no v1 route in {routes:#?}"));
    assert_eq!(
        strings(&old["hosts"]),
        vec![format!("old.{tag}.test"), format!("legacy.{tag}.test")]
    );
    assert_eq!(old["status"], "down", "nothing listens on 9999: {old:#}");
    let problems = strings(&old["problems"]).join("\n");
    assert!(
        problems.contains("port 9999 is not exposed by the container (it exposes 8080)"),
        "{problems}"
    );
    assert!(
        problems.contains("basic auth user ops") && problems.contains("$$"),
        "{problems}"
    );

    let compose_route = named(&routes, &format!("web-{project}"));
    assert_eq!(compose_route["service"], format!("{project}/web"));
    assert_eq!(compose_route["port"], 80, "the exposed port");
    assert_eq!(compose_route["backends"].as_array().map(Vec::len), Some(2));
    assert_eq!(compose_route["status"], "up");
}

#[test]
fn a_swarm_service_uses_its_own_labels_and_needs_a_port_label() {
    require_swarm();
    let tag = unique_name("rts");
    let rule_a = format!("traefik.http.routers.{tag}-a.rule=Host(`a.{tag}.test`)");
    let rule_b = format!("traefik.http.routers.{tag}-b.rule=Host(`b.{tag}.test`)");
    let port_b = format!("traefik.http.services.{tag}-b.loadbalancer.server.port=8080");
    let on_manager = ["--constraint", "node.role==manager"];
    let a = SwarmService::create(
        "routes-a",
        IMAGE_V1,
        &[
            on_manager[0],
            on_manager[1],
            "--label",
            &rule_a,
            "--container-label",
            "traefik.enable=false",
        ],
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
    );
    let b = SwarmService::create(
        "routes-b",
        IMAGE_V1,
        &[
            on_manager[0],
            on_manager[1],
            "--label",
            &rule_b,
            "--label",
            &port_b,
        ],
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
    );
    a.wait_running(1, Duration::from_secs(30));
    b.wait_running(1, Duration::from_secs(30));
    let routes = routes_tagged(&tag);
    assert_eq!(routes.len(), 2, "{routes:#?}");
    let ra = named(&routes, &format!("{tag}-a"));
    assert_eq!(
        ra["service"],
        a.name.as_str(),
        "the service's labels, not the task's"
    );
    let problems = strings(&ra["problems"]).join("\n");
    assert!(
        problems.contains("a swarm service needs the label"),
        "{problems}"
    );
    assert_eq!(ra["port"], Value::Null);
    let rb = named(&routes, &format!("{tag}-b"));
    assert_eq!(rb["port"], 8080);
    assert_eq!(rb["problems"], serde_json::json!([]));
    assert_ne!(rb["status"], "no backend", "a task runs: {rb:#}");
}

#[tokio::test]
async fn a_backend_that_stops_answering_is_down_within_seconds() {
    let tag = unique_name("rtd");
    let name = unique_name("rtd");
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    let rule = format!("traefik.http.routers.{tag}.rule=Host(`{tag}.test`)");
    // httpd in the background: the container outlives it when it is killed.
    run_container(
        &name,
        IMAGE_V1,
        &["sh", "-c", "httpd -p 8080 -h /var/www; exec sleep 100000"],
        &[
            "--label",
            &rule,
            "--label",
            "traefik.http.services.s.loadbalancer.server.port=8080",
        ],
    );
    let backend = local_backend().await;
    let mut w = Watching::start(backend.as_ref());
    w.until(Duration::from_secs(10), |s| {
        s.routes
            .iter()
            .any(|r| r.name == tag && !r.backends.is_empty())
    })
    .await
    .expect("the route with its backend");
    let route = w
        .latest
        .routes
        .iter()
        .find(|r| r.name == tag)
        .cloned()
        .expect("route");
    let key = probe::key(&route.backends[0].address, route.backends[0].port);

    let (snap_tx, snap_rx) = watch::channel(w.latest.clone());
    let (_watch_tx, watch_rx) = watch::channel(RouteWatching {
        on: true,
        visible: vec![key.clone()],
    });
    let (tx, mut rx) = mpsc::channel::<Arc<Live>>(8);
    let task = tokio::spawn(feed::run(
        backend.clone() as Arc<dyn Backend>,
        FeedConfig::default(),
        snap_rx,
        watch_rx,
        tx,
    ));
    let snap = w.latest.clone();
    let (_, up) = wait_status(&mut rx, &snap, &tag, RouteStatus::Up).await;
    assert_eq!(up.map(|u| u.1), Some("HTTP 200".to_string()));

    docker(&["exec", &name, "killall", "httpd"]);
    let (took, down) = wait_status(&mut rx, &snap, &tag, RouteStatus::Down).await;
    assert_eq!(down.map(|d| d.1), Some("connection refused".to_string()));
    assert!(
        took <= feed::VISIBLE_EVERY + Duration::from_secs(3),
        "a route on screen shows down within its probe interval; took {took:?}"
    );
    eprintln!("down after {took:?}");
    drop(snap_tx);
    task.abort();

    // A stopped container takes its backend with it at once.
    docker(&["stop", "-t", "1", &name]);
    w.until(Duration::from_secs(10), |s| {
        s.routes
            .iter()
            .any(|r| r.name == tag && r.status == RouteStatus::NoBackend)
    })
    .await
    .expect("no backend once the container stopped");
}

/// Waits for the feed to report `want` for route `name`; how long it took
/// and the status with its detail.
async fn wait_status(
    rx: &mut mpsc::Receiver<Arc<Live>>,
    snap: &berth::domain::Snapshot,
    name: &str,
    want: RouteStatus,
) -> (Duration, Option<(RouteStatus, String)>) {
    let start = Instant::now();
    loop {
        let live = tokio::time::timeout(Duration::from_secs(15), rx.recv())
            .await
            .expect("the feed reports within 15 s")
            .expect("feed alive");
        let found = live::compose(snap, &live)
            .into_iter()
            .find(|r| r.name == name)
            .map(|r| (r.status, r.status_detail));
        if found.as_ref().is_some_and(|(s, _)| *s == want) {
            return (start.elapsed(), found);
        }
    }
}
