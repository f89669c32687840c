//! Routes from real-world label sets, with Traefik's defaults.

use super::from_labels;
use crate::domain::{
    Container, ContainerState, PortMapping, Route, RouteSource, RouteStatus, Service, ServiceKind,
    Snapshot,
};

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

fn container(name: &str, pairs: &[(&str, &str)], exposed: &[u16]) -> Container {
    Container {
        id: format!("id-{name}"),
        name: name.into(),
        state: ContainerState::Running,
        service_id: name.into(),
        service_kind: ServiceKind::Standalone,
        image: "local/busybox:1".into(),
        ports: exposed
            .iter()
            .map(|p| PortMapping {
                host_ip: None,
                host_port: None,
                container_port: *p,
                protocol: "tcp".into(),
            })
            .collect(),
        networks: vec![("front".into(), format!("172.20.0.{}", name.len()))],
        route_labels: labels(pairs),
        ..Container::default()
    }
}

fn compose(service: &str, project: &str, n: u32, pairs: &[(&str, &str)]) -> Container {
    Container {
        id: format!("id-{project}-{service}-{n}"),
        name: format!("{project}_{service}_{n}"),
        stack: Some(project.into()),
        service: Some(service.into()),
        service_id: format!("{project}/{service}"),
        service_kind: ServiceKind::Compose,
        networks: vec![(format!("{project}_default"), format!("172.21.0.{n}"))],
        ..container("x", pairs, &[80])
    }
}

fn snap(containers: Vec<Container>) -> Snapshot {
    Snapshot {
        containers,
        ..Snapshot::default()
    }
}

fn one(routes: &[Route], name: &str) -> Route {
    routes
        .iter()
        .find(|r| r.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("no route {name} in {routes:#?}"))
}

#[test]
fn v1_with_several_hosts_and_basic_auth() {
    let c = container(
        "grafana",
        &[
            ("traefik.enable", "true"),
            (
                "traefik.frontend.rule",
                "Host:grafana.example.org,metrics.example.org",
            ),
            ("traefik.port", "3000"),
            ("traefik.frontend.entryPoints", "http,https"),
            (
                "traefik.frontend.auth.basic",
                "admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/,ops:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/",
            ),
        ],
        &[3000],
    );
    let routes = from_labels(&snap(vec![c]));
    assert_eq!(routes.len(), 1, "{routes:#?}");
    let r = &routes[0];
    assert_eq!(r.source, RouteSource::TraefikV1);
    assert_eq!(r.name, "grafana");
    assert_eq!(r.hosts, vec!["grafana.example.org", "metrics.example.org"]);
    assert_eq!(r.entrypoints, vec!["http", "https"]);
    assert_eq!(r.middlewares, vec!["basic auth (2 users)"]);
    assert_eq!(r.port, Some(3000));
    assert_eq!(r.backends.len(), 1);
    assert_eq!(r.backends[0].address, "172.20.0.7");
    assert_eq!(r.status, RouteStatus::Unknown);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(!serde_json::to_string(r).expect("json").contains("apr1"));
}

#[test]
fn v2_with_several_routers_middlewares_and_tls() {
    let c = container(
        "shop",
        &[
            ("traefik.enable", "true"),
            ("traefik.http.routers.shop.rule", "Host(`shop.example.org`)"),
            ("traefik.http.routers.shop.entrypoints", "web"),
            ("traefik.http.routers.shop.middlewares", "to-https"),
            (
                "traefik.http.routers.shop-secure.rule",
                "Host(`shop.example.org`) && PathPrefix(`/api`)",
            ),
            ("traefik.http.routers.shop-secure.entrypoints", "websecure"),
            ("traefik.http.routers.shop-secure.tls", "true"),
            ("traefik.http.routers.shop-secure.tls.certresolver", "le"),
            (
                "traefik.http.routers.shop-secure.middlewares",
                "shop-auth,strip",
            ),
            (
                "traefik.http.middlewares.to-https.redirectscheme.scheme",
                "https",
            ),
            (
                "traefik.http.middlewares.shop-auth.basicauth.users",
                "u:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/",
            ),
            (
                "traefik.http.middlewares.strip.stripprefix.prefixes",
                "/api",
            ),
            (
                "traefik.http.services.shop.loadbalancer.server.port",
                "8080",
            ),
        ],
        &[8080],
    );
    let routes = from_labels(&snap(vec![c]));
    assert_eq!(routes.len(), 2, "{routes:#?}");
    let web = one(&routes, "shop");
    assert_eq!(web.source, RouteSource::TraefikV2);
    assert_eq!(web.hosts, vec!["shop.example.org"]);
    assert!(web.paths.is_empty());
    assert_eq!(web.middlewares, vec!["redirect to https"]);
    assert!(!web.tls);
    let secure = one(&routes, "shop-secure");
    assert_eq!(secure.paths, vec!["/api*"]);
    assert!(secure.tls);
    assert_eq!(secure.tls_detail, "certresolver le");
    assert_eq!(
        secure.middlewares,
        vec!["basic auth (1 user)", "strip prefix /api"]
    );
    assert_eq!(secure.port, Some(8080));
    assert_eq!(secure.service, "shop");
    assert!(secure.problems.is_empty(), "{:?}", secure.problems);
}

#[test]
fn v3_single_host_rule() {
    let c = container(
        "api",
        &[(
            "traefik.http.routers.api.rule",
            "Host(`api.example.org`) && Path(`/v1/health`)",
        )],
        &[9000],
    );
    let r = &from_labels(&snap(vec![c]))[0];
    assert_eq!(r.hosts, vec!["api.example.org"]);
    assert_eq!(r.paths, vec!["/v1/health"]);
    assert_eq!(r.port, Some(9000), "the lowest exposed port");
}

#[test]
fn defaults_for_a_compose_service_with_only_enable() {
    let a = compose("web", "shop", 1, &[("traefik.enable", "true")]);
    let b = compose("web", "shop", 2, &[("traefik.enable", "true")]);
    let routes = from_labels(&snap(vec![a, b]));
    assert_eq!(routes.len(), 1, "{routes:#?}");
    let r = &routes[0];
    assert_eq!(r.name, "web-shop");
    assert_eq!(r.rule, "Host(`web-shop`)");
    assert_eq!(r.hosts, vec!["web-shop"]);
    assert_eq!(r.service, "shop/web");
    assert_eq!(r.service_id, "shop/web");
    assert_eq!(r.port, Some(80));
    assert_eq!(r.backends.len(), 2, "one server per replica");
}

#[test]
fn v1_default_rule_for_compose_is_service_dot_project() {
    let c = compose("web", "my-shop", 1, &[("traefik.port", "80")]);
    let r = &from_labels(&snap(vec![c]))[0];
    assert_eq!(r.rule, "Host:web.my-shop");
}

#[test]
fn a_router_without_service_links_to_the_only_one_or_is_dropped() {
    let one_service = container(
        "a",
        &[
            ("traefik.http.routers.r.rule", "Host(`a.io`)"),
            ("traefik.http.services.s.loadbalancer.server.port", "80"),
        ],
        &[],
    );
    let r = &from_labels(&snap(vec![one_service]))[0];
    assert_eq!(r.port, Some(80));
    assert!(r.problems.is_empty(), "{:?}", r.problems);

    let two = container(
        "b",
        &[
            ("traefik.http.routers.r.rule", "Host(`b.io`)"),
            ("traefik.http.services.s1.loadbalancer.server.port", "80"),
            ("traefik.http.services.s2.loadbalancer.server.port", "81"),
        ],
        &[],
    );
    let r = &from_labels(&snap(vec![two]))[0];
    assert!(
        r.problems[0].contains("names no service") && r.problems[0].contains("s1, s2"),
        "{:?}",
        r.problems
    );

    let no_router = container(
        "c",
        &[
            ("traefik.http.services.s1.loadbalancer.server.port", "80"),
            ("traefik.http.services.s2.loadbalancer.server.port", "81"),
        ],
        &[],
    );
    let r = &from_labels(&snap(vec![no_router]))[0];
    assert!(r.problems[0].contains("no router"), "{:?}", r.problems);
}

#[test]
fn ports_missing_or_not_exposed() {
    let none = container("a", &[("traefik.http.routers.a.rule", "Host(`a.io`)")], &[]);
    let r = &from_labels(&snap(vec![none]))[0];
    assert!(
        r.problems[0].starts_with("port is missing"),
        "{:?}",
        r.problems
    );
    let wrong = container(
        "b",
        &[("traefik.http.services.b.loadbalancer.server.port", "8080")],
        &[80, 443],
    );
    let r = &from_labels(&snap(vec![wrong]))[0];
    assert_eq!(
        r.problems,
        vec!["port 8080 is not exposed by the container (it exposes 80, 443)"]
    );
}

#[test]
fn a_swarm_service_needs_a_port_label_and_uses_its_own_labels() {
    let svc = Service {
        id: "svc1".into(),
        name: "web".into(),
        stack: Some("shop".into()),
        kind: ServiceKind::Swarm,
        replicas_running: 2,
        route_labels: labels(&[("traefik.http.routers.web.rule", "Host(`shop.example.org`)")]),
        ..Service::default()
    };
    let snap = Snapshot {
        services: vec![svc],
        ..Snapshot::default()
    };
    let r = &from_labels(&snap)[0];
    assert_eq!(r.service, "shop/web");
    assert_eq!(r.service_id, "svc1");
    assert_eq!(r.status, RouteStatus::Unknown);
    assert!(
        r.problems[0].contains("swarm service needs the label"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_rule_that_does_not_parse_says_where() {
    let c = container(
        "a",
        &[("traefik.http.routers.a.rule", "Host(`a.io`) &&")],
        &[80],
    );
    let r = &from_labels(&snap(vec![c]))[0];
    assert!(
        r.problems[0].starts_with("rule does not parse at column"),
        "{:?}",
        r.problems
    );
}

#[test]
fn stopped_and_disabled_containers() {
    let mut stopped = container(
        "a",
        &[("traefik.http.routers.a.rule", "Host(`a.io`)")],
        &[80],
    );
    stopped.state = ContainerState::Exited;
    let off = container(
        "b",
        &[
            ("traefik.enable", "false"),
            ("traefik.http.routers.b.rule", "Host(`b.io`)"),
        ],
        &[80],
    );
    let routes = from_labels(&snap(vec![stopped, off]));
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].status, RouteStatus::NoBackend);
    assert!(routes[0].backends.is_empty());
}

#[test]
fn networks_traefik_does_not_share() {
    let mut traefik = container("proxy", &[], &[80]);
    traefik.image = "traefik:v3.1".into();
    traefik.command = "traefik --providers.docker.exposedByDefault=false".into();
    traefik.networks = vec![("edge".into(), "172.30.0.2".into())];
    let app = container(
        "app",
        &[
            ("traefik.enable", "true"),
            ("traefik.http.routers.app.rule", "Host(`app.io`)"),
        ],
        &[80],
    );
    let labelled = container(
        "app2",
        &[
            ("traefik.enable", "true"),
            ("traefik.docker.network", "edge"),
            ("traefik.http.routers.app2.rule", "Host(`app2.io`)"),
        ],
        &[80],
    );
    let not_enabled = container(
        "app3",
        &[("traefik.http.routers.app3.rule", "Host(`app3.io`)")],
        &[80],
    );
    let routes = from_labels(&snap(vec![traefik, app, labelled, not_enabled]));
    assert_eq!(
        routes.len(),
        3,
        "Traefik's own container makes no route: {routes:#?}"
    );
    let app = one(&routes, "app");
    assert_eq!(
        app.problems,
        vec!["Traefik (proxy) shares no network with it (Traefik: edge; it: front)"]
    );
    let app2 = one(&routes, "app2");
    assert!(app2.problems[0].contains("traefik.docker.network=edge: the container is not on it"));
    let app3 = one(&routes, "app3");
    assert!(
        app3.problems
            .iter()
            .any(|p| p.contains("no traefik.enable=true")),
        "{:?}",
        app3.problems
    );
}

#[test]
fn middlewares_defined_by_another_container() {
    let auth = container(
        "auth",
        &[
            (
                "traefik.http.middlewares.sso.forwardauth.address",
                "http://auth:4181",
            ),
            ("traefik.http.routers.auth.rule", "Host(`auth.io`)"),
        ],
        &[4181],
    );
    let app = container(
        "app",
        &[
            ("traefik.http.routers.app.rule", "Host(`app.io`)"),
            (
                "traefik.http.routers.app.middlewares",
                "sso@docker,gone,compress@file",
            ),
        ],
        &[80],
    );
    let routes = from_labels(&snap(vec![auth, app]));
    let app = one(&routes, "app");
    assert_eq!(
        app.middlewares,
        vec!["forward auth http://auth:4181", "gone", "compress@file"]
    );
    assert_eq!(
        app.problems,
        vec!["middleware gone is not defined by any container's labels"]
    );
}

#[test]
fn replicas_that_disagree() {
    let a = compose(
        "web",
        "shop",
        1,
        &[("traefik.http.routers.w.rule", "Host(`a.io`)")],
    );
    let b = compose(
        "web",
        "shop",
        2,
        &[("traefik.http.routers.w.rule", "Host(`b.io`)")],
    );
    let r = &from_labels(&snap(vec![a, b]))[0];
    assert!(r.problems[0].contains("labels differ"), "{:?}", r.problems);
}

#[test]
fn a_router_to_another_containers_service_reaches_its_servers() {
    let api = container(
        "api",
        &[("traefik.http.services.api.loadbalancer.server.port", "8080")],
        &[8080],
    );
    let edge = |name: &str, exposed: &[u16]| {
        container(
            name,
            &[
                ("traefik.http.routers.edge.rule", "Host(`edge.io`)"),
                ("traefik.http.routers.edge.service", "api@docker"),
            ],
            exposed,
        )
    };
    let routes = from_labels(&snap(vec![api.clone(), edge("edge", &[80])]));
    let r = one(&routes, "edge");
    assert_eq!(r.port, Some(8080));
    assert_eq!(r.backends.len(), 1);
    assert_eq!(r.backends[0].container_id, "id-api");
    assert_eq!(r.service_id, "api");
    assert!(r.problems.is_empty(), "{:?}", r.problems);

    // Its own default service has no port: Traefik skips the container.
    let routes = from_labels(&snap(vec![api, edge("edge2", &[])]));
    let r = one(&routes, "edge");
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].starts_with("service edge2: port is missing")
            && r.problems[0].ends_with("Traefik skips every router of edge2"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_service_without_a_port_drops_the_routers_of_its_container() {
    let c = container(
        "half",
        &[
            ("traefik.http.routers.r.rule", "Host(`a.io`)"),
            ("traefik.http.routers.r.service", "s1"),
            ("traefik.http.services.s1.loadbalancer.server.port", "80"),
            (
                "traefik.http.services.s2.loadbalancer.passhostheader",
                "true",
            ),
        ],
        &[],
    );
    let r = &from_labels(&snap(vec![c]))[0];
    assert_eq!(r.port, Some(80));
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(r.problems[0].contains("service s2: port is missing"));
}

#[test]
fn a_certresolver_traefiks_command_line_lacks() {
    let traefik = Container {
        command: "/entrypoint.sh --certificatesresolvers.le.acme.email=a@b.test".into(),
        image: "traefik:v3.1".into(),
        ..container("proxy", &[], &[80])
    };
    let app = container(
        "app",
        &[
            ("traefik.http.routers.a.rule", "Host(`a.io`)"),
            ("traefik.http.routers.a.tls.certresolver", "le"),
            ("traefik.http.routers.b.rule", "Host(`b.io`)"),
            ("traefik.http.routers.b.tls.certresolver", "letsencrypt"),
        ],
        &[80],
    );
    let routes = from_labels(&snap(vec![traefik, app]));
    assert!(one(&routes, "a").problems.is_empty());
    let b = one(&routes, "b");
    assert_eq!(b.problems.len(), 1, "{:?}", b.problems);
    assert!(
        b.problems[0].contains("certresolver letsencrypt is not defined"),
        "{:?}",
        b.problems
    );
}

#[test]
fn one_router_on_several_containers_merges_or_is_dropped() {
    let same = |name: &str| {
        container(
            name,
            &[
                ("traefik.http.routers.dup.rule", "Host(`dup.io`)"),
                ("traefik.http.services.dup.loadbalancer.server.port", "80"),
            ],
            &[80],
        )
    };
    let routes = from_labels(&snap(vec![same("a"), same("b")]));
    assert_eq!(routes.len(), 1, "{routes:#?}");
    assert_eq!(routes[0].backends.len(), 2);
    assert!(routes[0].problems.is_empty(), "{:?}", routes[0].problems);

    let other = container(
        "c",
        &[
            ("traefik.http.routers.dup.rule", "Host(`other.io`)"),
            ("traefik.http.services.dup.loadbalancer.server.port", "80"),
        ],
        &[80],
    );
    let routes = from_labels(&snap(vec![same("a"), other]));
    assert_eq!(routes.len(), 2);
    for r in &routes {
        assert!(
            r.problems[0].contains("different configurations"),
            "{:?}",
            r.problems
        );
    }
}

#[test]
fn a_middleware_defined_differently_by_two_containers() {
    let def = |name: &str, prefix: &str| {
        container(
            name,
            &[(
                "traefik.http.middlewares.strip.stripprefix.prefixes",
                prefix,
            )],
            &[80],
        )
    };
    let app = container(
        "app",
        &[
            ("traefik.http.routers.app.rule", "Host(`app.io`)"),
            ("traefik.http.routers.app.middlewares", "strip@docker"),
        ],
        &[80],
    );
    let routes = from_labels(&snap(vec![def("a", "/a"), def("b", "/a"), app.clone()]));
    assert!(
        one(&routes, "app").problems.is_empty(),
        "the same twice is one"
    );
    let routes = from_labels(&snap(vec![def("a", "/a"), def("b", "/b"), app]));
    let r = one(&routes, "app");
    assert!(
        r.problems[0].contains("middleware strip is defined by several containers"),
        "{:?}",
        r.problems
    );
}
