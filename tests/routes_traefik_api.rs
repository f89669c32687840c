//! berth's Traefik API client against a real Traefik (local/traefik:3 from
//! `scripts/testbed up docker`) routing to real busybox httpd containers by
//! their v2 labels: what `fetch` reads, what `apply` makes of it, and what
//! Traefik reports when a backend container stops.

mod common;

use berth::domain::{Route, RouteSource, RouteStatus};
use berth::routes::traefik_api;
use common::traefik::{fetch_until, ip_of, run_label, start_traefik};
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// `secret` for user `test`, as `openssl passwd -apr1` makes it.
const AUTH_USERS: &str = "test:$apr1$berthslt$CxxqjEMo8DAd1djveZnxL1";

/// A raw HTTP/1.0 request to Traefik's `web` entrypoint: (status, body).
fn request(ip: &str, host: &str, auth: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect((ip, 80)).unwrap_or_else(|e| panic!("connect {ip}:80: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let auth = auth
        .map(|a| format!("Authorization: Basic {a}\r\n"))
        .unwrap_or_default();
    write!(s, "GET / HTTP/1.0\r\nHost: {host}\r\n{auth}\r\n").expect("send request");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read answer");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn route(name: &str) -> Route {
    Route {
        name: name.into(),
        source: RouteSource::TraefikV2,
        ..Route::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traefik_api_shows_labelled_routers_and_a_stopped_backend() {
    require_engine();
    let run = unique_name("tapi");
    let (tr, web, shop) = (
        format!("{run}-traefik"),
        format!("{run}-web"),
        format!("{run}-shop"),
    );
    let mut cleanup = Cleanup::new();
    cleanup.container(&tr).container(&web).container(&shop);
    let url = start_traefik(&tr, &run, &[("web", ":80")], &[]);
    let run_label = run_label(&run);
    run_container(
        &web,
        IMAGE_V1,
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
        &[
            "-l",
            &run_label,
            "-l",
            "traefik.http.routers.web.rule=Host(`web.test`)",
            "-l",
            "traefik.http.routers.web.entrypoints=web",
            "-l",
            "traefik.http.services.web.loadbalancer.server.port=8080",
        ],
    );
    let users = format!("traefik.http.middlewares.auth.basicauth.users={AUTH_USERS}");
    run_container(
        &shop,
        IMAGE_V1,
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
        &[
            "-l",
            &run_label,
            // Two hosts in one Host(): v2's grammar, which v3 reads only with ruleSyntax=v2.
            "-l",
            "traefik.http.routers.shop.rule=Host(`shop.test`,`www.shop.test`)",
            "-l",
            "traefik.http.routers.shop.ruleSyntax=v2",
            "-l",
            "traefik.http.routers.shop.middlewares=auth",
            "-l",
            &users,
            // The same rule without ruleSyntax: v3 disables the router.
            "-l",
            "traefik.http.routers.legacy.rule=Host(`old.test`,`older.test`)",
            "-l",
            "traefik.http.routers.legacy.service=shop",
            "-l",
            "traefik.http.services.shop.loadbalancer.server.port=8080",
        ],
    );
    let (tr_ip, web_ip, shop_ip) = (ip_of(&tr), ip_of(&web), ip_of(&shop));

    let st = fetch_until(&url, Duration::from_secs(20), |st| {
        ["web@docker", "shop@docker", "legacy@docker"]
            .iter()
            .all(|n| st.routers.iter().any(|r| r.name == *n))
            && ["web@docker", "shop@docker"]
                .iter()
                .all(|n| st.services.iter().any(|s| s.name == *n))
    })
    .await;
    assert!(st.version.starts_with("3."), "version {}", st.version);
    assert_eq!(st.providers, vec!["Docker"]);

    let router = |n: &str| st.routers.iter().find(|r| r.name == n).unwrap().clone();
    let web_r = router("web@docker");
    assert_eq!(
        (web_r.provider.as_str(), web_r.rule.as_str()),
        ("docker", "Host(`web.test`)")
    );
    assert_eq!(web_r.entry_points, vec!["web"]);
    assert_eq!(web_r.service_name(), "web@docker");
    assert_eq!(web_r.status, "enabled");
    let shop_r = router("shop@docker");
    assert_eq!(shop_r.rule, "Host(`shop.test`,`www.shop.test`)");
    assert_eq!(shop_r.middlewares, vec!["auth@docker"]);
    assert_eq!(shop_r.status, "enabled");
    assert!(shop_r.errors.is_empty(), "{:?}", shop_r.errors);
    let legacy = router("legacy@docker");
    assert_eq!(legacy.status, "disabled");
    assert!(
        legacy
            .errors
            .iter()
            .any(|e| e.contains("unexpected number of parameters")),
        "{:?}",
        legacy.errors
    );
    // Only this test's containers, plus Traefik's own internal routers.
    assert!(
        st.routers
            .iter()
            .all(|r| r.provider == "docker" || r.provider == "internal")
    );
    assert_eq!(
        st.routers.iter().filter(|r| r.provider == "docker").count(),
        3
    );

    // Paging: 5 routers (3 labelled; api, dashboard) and 5 services (2
    // labelled; api, dashboard, noop) read 2 a page come out the same.
    let paged = traefik_api::fetch_paged(&url, Duration::from_secs(5), 2)
        .await
        .expect("paged fetch");
    assert_eq!(paged.routers, st.routers);
    assert_eq!(paged.services, st.services);
    assert!(
        st.routers.len() > 2 && st.services.len() > 2,
        "more than one page"
    );

    let service = |n: &str| st.services.iter().find(|s| s.name == n).unwrap().clone();
    assert_eq!(
        service("web@docker").server_status,
        vec![(format!("http://{web_ip}:8080"), "UP".to_string())]
    );
    assert_eq!(
        service("shop@docker").server_status,
        vec![(format!("http://{shop_ip}:8080"), "UP".to_string())]
    );

    // Traefik really routes by those rules.
    assert_eq!(request(&tr_ip, "web.test", None), (200, "v1\n".to_string()));
    assert_eq!(
        request(&tr_ip, "www.shop.test", None).0,
        401,
        "basic auth guards shop"
    );
    // base64("test:secret")
    assert_eq!(
        request(&tr_ip, "www.shop.test", Some("dGVzdDpzZWNyZXQ=")),
        (200, "v1\n".to_string())
    );
    assert_eq!(
        request(&tr_ip, "old.test", None).0,
        404,
        "a disabled router serves nothing"
    );

    let mut routes = vec![route("web"), route("shop"), route("legacy"), route("ghost")];
    traefik_api::apply(&mut routes, &st);
    assert_eq!(routes[0].status, RouteStatus::Up);
    assert_eq!(routes[1].status, RouteStatus::Up);
    assert!(routes[0].problems.is_empty() && routes[1].problems.is_empty());
    assert_eq!(routes[2].status, RouteStatus::Down);
    assert_eq!(routes[2].status_detail, "traefik: router disabled");
    assert!(
        routes[2].problems[0].starts_with("traefik: error while parsing rule"),
        "{:?}",
        routes[2].problems
    );
    assert_eq!(
        routes[3].problems,
        vec!["traefik does not serve this router"]
    );

    // A backend container stops: Traefik drops its router and its service
    // (no error, no DOWN server: they are gone), and the host answers 404.
    docker(&["stop", &web]);
    let t0 = Instant::now();
    let st = fetch_until(&url, Duration::from_secs(20), |st| {
        !st.routers.iter().any(|r| r.name == "web@docker")
    })
    .await;
    eprintln!(
        "traefik dropped web@docker {} ms after the stop returned",
        t0.elapsed().as_millis()
    );
    assert!(
        !st.services.iter().any(|s| s.name == "web@docker"),
        "its service is gone too"
    );
    assert!(
        st.routers
            .iter()
            .any(|r| r.name == "shop@docker" && r.status == "enabled")
    );
    assert_eq!(request(&tr_ip, "web.test", None).0, 404);

    // berth knows the container stopped (no backend): no "not served" problem
    // then; a route berth still thinks has backends is flagged.
    let mut stopped = route("web");
    stopped.status = RouteStatus::NoBackend;
    let mut routes = vec![stopped, route("web")];
    traefik_api::apply(&mut routes, &st);
    assert!(routes[0].problems.is_empty());
    assert_eq!(
        routes[1].problems,
        vec!["traefik does not serve this router"]
    );
    drop(cleanup);
}

#[tokio::test]
async fn fetch_from_a_closed_port_fails_quickly_and_says_where() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    let err = traefik_api::fetch(&url, Duration::from_secs(5))
        .await
        .expect_err("nothing listens");
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t0.elapsed()
    );
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

#[tokio::test]
async fn fetch_gives_up_at_its_deadline() {
    // A listener that accepts but never answers: the deadline ends the wait.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let t0 = Instant::now();
    let err = traefik_api::fetch(&url, Duration::from_millis(500))
        .await
        .expect_err("no answer");
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t0.elapsed()
    );
    assert!(err.contains("no answer within 500 ms"), "{err}");
    drop(listener);
}
