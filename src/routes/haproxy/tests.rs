use super::*;
use crate::domain::{
    Container, ContainerState, RouteSource, RouteStatus, Service, ServiceKind, Snapshot, TaskInfo,
};
use proptest::prelude::*;
use std::collections::HashMap;

/// A small team's edge: TLS on 443, HTTP redirected, routing by host and path.
const EDGE: &str = r#"
global
    log /dev/log local0
    maxconn 4096
    user haproxy

defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s

frontend http-in
    bind :80
    redirect scheme https code 301 if !{ ssl_fc }

frontend https-in
    bind :443 ssl crt /etc/haproxy/certs/example.org.pem alpn h2,http/1.1
    mode http
    acl host_grafana hdr(host) -i grafana.example.org
    acl host_prom    hdr(host) -i prometheus.example.org prom.example.org
    acl is_api       path_beg /api
    acl host_shop    req.hdr(host) -m str shop.example.org
    acl is_admin     path_beg /admin
    use_backend grafana if host_grafana
    use_backend prometheus if host_prom
    use_backend shop_api if host_shop is_api !is_admin
    use_backend shop if host_shop
    default_backend web

backend grafana
    mode http
    server grafana1 172.18.0.5:3000 check inter 2s

backend prometheus
    server prom prometheus:9090 check

backend shop_api
    balance roundrobin
    server api1 shop-api-1:8080 check
    server api2 shop-api-2:8080 check

backend shop
    server shop1 10.9.9.9:80

backend web
    server web1 192.168.1.10:8080 check
"#;

fn container(id: &str, name: &str, stack: Option<&str>, service: Option<&str>) -> Container {
    Container {
        id: id.into(),
        name: name.into(),
        state: ContainerState::Running,
        stack: stack.map(Into::into),
        service: service.map(Into::into),
        service_id: match (stack, service) {
            (Some(st), Some(s)) => format!("{st}/{s}"),
            _ => name.into(),
        },
        service_kind: if stack.is_some() {
            ServiceKind::Compose
        } else {
            ServiceKind::Standalone
        },
        ..Container::default()
    }
}

fn snapshot() -> Snapshot {
    Snapshot {
        containers: vec![
            container("c-grafana", "grafana", None, None),
            container(
                "c-prom",
                "monitoring-prometheus-1",
                Some("monitoring"),
                Some("prometheus"),
            ),
            container("c-api1", "shop-api-1", Some("shop"), Some("api")),
            container("c-api2", "shop-api-2", Some("shop"), Some("api")),
        ],
        services: vec![
            Service {
                id: "shop/api".into(),
                name: "api".into(),
                stack: Some("shop".into()),
                ..Service::default()
            },
            Service {
                id: "grafana".into(),
                name: "grafana".into(),
                ..Service::default()
            },
        ],
        ..Snapshot::default()
    }
}

fn find<'a>(routes: &'a [crate::domain::Route], name: &str) -> &'a crate::domain::Route {
    routes.iter().find(|r| r.name == name).unwrap_or_else(|| {
        panic!(
            "no route {name} in {:?}",
            routes.iter().map(|r| &r.name).collect::<Vec<_>>()
        )
    })
}

#[test]
fn an_edge_config_reads_its_frontends_backends_and_servers() {
    let cfg = parse(EDGE);
    assert_eq!(cfg.problems, vec![]);
    let names: Vec<&str> = cfg.frontends.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["http-in", "https-in"]);
    let https = &cfg.frontends[1];
    assert_eq!(https.binds.len(), 1);
    assert!(https.binds[0].tls);
    assert_eq!(https.binds[0].address, ":443");
    assert_eq!(
        https.binds[0].crt.as_deref(),
        Some("/etc/haproxy/certs/example.org.pem")
    );
    assert_eq!(
        https.default_backend.as_ref().map(|d| d.0.as_str()),
        Some("web")
    );
    assert_eq!(https.use_backends.len(), 4);
    assert_eq!(https.use_backends[2].text, "if host_shop is_api !is_admin");
    let api = cfg
        .backends
        .iter()
        .find(|b| b.name == "shop_api")
        .expect("shop_api");
    assert_eq!(api.servers.len(), 2);
    assert_eq!(api.servers[1].address, "shop-api-2");
    assert_eq!(api.servers[1].port, Some(8080));
    assert_eq!(cfg.backends.len(), 5);
}

#[test]
fn edge_routes_by_host_and_path_to_containers() {
    let cfg = parse(EDGE);
    let snap = snapshot();
    let mut addresses = name_addresses(&snap);
    addresses.insert("172.18.0.5".into(), "c-grafana".into());
    let routes = routes(&cfg, "edge.cfg", &snap, &addresses);
    let names: Vec<&str> = routes.iter().map(|r| r.name.as_str()).collect();
    // The http-in frontend only redirects: no route.
    assert_eq!(
        names,
        [
            "https-in/grafana",
            "https-in/prometheus",
            "https-in/shop_api",
            "https-in/shop",
            "https-in/web"
        ]
    );

    let grafana = find(&routes, "https-in/grafana");
    assert_eq!(grafana.source, RouteSource::Haproxy);
    assert_eq!(grafana.rule, "if host_grafana");
    assert_eq!(grafana.hosts, ["grafana.example.org"]);
    assert!(grafana.paths.is_empty());
    assert_eq!(grafana.entrypoints, [":443"]);
    assert!(grafana.tls);
    assert_eq!(grafana.tls_detail, "crt /etc/haproxy/certs/example.org.pem");
    assert_eq!(grafana.service, "grafana");
    assert_eq!(grafana.service_id, "grafana");
    assert_eq!(grafana.port, Some(3000));
    assert_eq!(grafana.backends.len(), 1);
    assert_eq!(grafana.backends[0].container_id, "c-grafana");
    assert_eq!(grafana.backends[0].address, "172.18.0.5");
    assert!(grafana.problems.is_empty(), "{:?}", grafana.problems);

    // Matched by compose service name; several hosts in one ACL.
    let prom = find(&routes, "https-in/prometheus");
    assert_eq!(prom.hosts, ["prometheus.example.org", "prom.example.org"]);
    assert_eq!(prom.service, "prometheus");
    assert_eq!(prom.service_id, "monitoring/prometheus");
    assert_eq!(prom.stack.as_deref(), Some("monitoring"));
    assert_eq!(prom.backends[0].container_id, "c-prom");

    // AND by juxtaposition; the negated ACL claims nothing.
    let api = find(&routes, "https-in/shop_api");
    assert_eq!(api.hosts, ["shop.example.org"]);
    assert_eq!(api.paths, ["/api*"]);
    assert_eq!(api.service, "shop/api");
    let ids: Vec<&str> = api
        .backends
        .iter()
        .map(|b| b.container_id.as_str())
        .collect();
    assert_eq!(ids, ["c-api1", "c-api2"]);

    // A server that is no container: a note, the route still stands.
    let shop = find(&routes, "https-in/shop");
    assert_eq!(shop.service, "shop");
    assert_eq!(shop.backends[0].container_id, "");
    assert_eq!(shop.backends[0].port, 80);
    assert_eq!(shop.status, RouteStatus::Unknown);
    assert_eq!(shop.problems.len(), 1);
    assert!(
        shop.problems[0].starts_with("note: server shop1 (10.9.9.9:80)"),
        "{:?}",
        shop.problems
    );

    let web = find(&routes, "https-in/web");
    assert_eq!(web.rule, "default_backend");
    assert!(web.hosts.is_empty(), "the default backend takes any host");
    assert_eq!(web.hosts_text(), "*");

    // Ids are unique: the app keys its rows by them.
    let mut ids: Vec<&str> = routes.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), routes.len());
}

#[test]
fn missing_and_empty_backends_are_problems() {
    let cfg = parse(
        "frontend fe\n  bind *:80\n  acl a hdr(host) -i a.org\n  use_backend api if a\n  use_backend empty if b\n  default_backend web\nbackend empty\n  mode http\nbackend web\n  server w web:80\n",
    );
    let r = routes(&cfg, "x.cfg", &Snapshot::default(), &HashMap::new());
    let api = find(&r, "fe/api");
    assert_eq!(api.status, RouteStatus::NoBackend);
    assert_eq!(
        api.problems,
        ["use_backend api (line 4): no backend named api"]
    );
    let empty = find(&r, "fe/empty");
    assert_eq!(empty.status, RouteStatus::NoBackend);
    assert!(
        empty
            .problems
            .contains(&"backend empty has no server".to_owned()),
        "{:?}",
        empty.problems
    );
    assert!(
        empty
            .problems
            .contains(&"use_backend empty (line 5): no acl named b in fe".to_owned()),
        "{:?}",
        empty.problems
    );
    let web = find(&r, "fe/web");
    assert_eq!(web.entrypoints, ["*:80"]);
    assert!(!web.tls);
    assert_eq!(web.problems.len(), 1, "only the note: {:?}", web.problems);
}

#[test]
fn acl_fetches_and_methods_in_route_notation() {
    let cfg = parse(
        r#"frontend fe
  bind :80
  acl d  hdr_dom(host) -i example.org
  acl b  hdr_beg(host) -i api.
  acl m  hdr(host) -m end .example.net
  acl r  req.hdr(Host),lower -m reg ^app[0-9]+\.org$
  acl s  req.ssl_sni -i secure.example.org
  acl pe path /login
  acl pb path_beg /static/ /assets/
  acl pr path_reg ^/v[12]/
  acl pn path_end .php
  acl ub url_beg /dl
  acl px hdr(x-forwarded-proto) https
  acl fo hdr(host) -m found
  use_backend be if d || b or m r s
  use_backend be if pe pb pr pn ub px fo
  use_backend be if { hdr(host) -i inline.org } { path_beg /in }
  use_backend be unless d
  use_backend be if !{ path_beg /x } TRUE METH_GET
backend be
  server s 1.2.3.4:80
"#,
    );
    assert_eq!(cfg.problems, vec![]);
    let r = routes(&cfg, "t", &Snapshot::default(), &HashMap::new());
    assert_eq!(
        r[0].hosts,
        [
            "example.org",
            "~^api\\.",
            "~\\.example\\.net$",
            "~^app[0-9]+\\.org$",
            "secure.example.org"
        ]
    );
    assert!(r[0].paths.is_empty());
    assert!(
        r[1].hosts.is_empty(),
        "x-forwarded-proto and -m found claim no host"
    );
    assert_eq!(
        r[1].paths,
        [
            "/login",
            "/static/*",
            "/assets/*",
            "~^/v[12]/",
            "~\\.php$",
            "/dl*"
        ]
    );
    assert_eq!(r[2].hosts, ["inline.org"]);
    assert_eq!(r[2].paths, ["/in*"]);
    assert!(r[3].hosts.is_empty(), "unless claims nothing");
    assert_eq!(r[3].rule, "unless d");
    assert!(r[4].paths.is_empty(), "a negated inline acl claims nothing");
    assert!(
        r[4].problems.iter().all(|p| !p.contains("no acl named")),
        "{:?}",
        r[4].problems
    );
}

#[test]
fn listen_sections_bind_and_serve_in_one() {
    let cfg = parse(
        "listen stats\n  bind :8404\n  stats enable\nlisten db 0.0.0.0:5432\n  mode tcp\n  server pg1 postgres:5432 check\n  server pg2 \"10.0.0.2\"\n",
    );
    assert_eq!(cfg.problems, vec![]);
    let snap = Snapshot {
        containers: vec![container("c-pg", "postgres", None, None)],
        ..Snapshot::default()
    };
    let r = routes(&cfg, "t", &snap, &name_addresses(&snap));
    // stats has no server; db serves itself.
    let db = find(&r, "db/db");
    assert_eq!(db.entrypoints, ["0.0.0.0:5432"]);
    assert_eq!(db.rule, "listen");
    assert_eq!(db.backends[0].container_id, "c-pg");
    assert_eq!(
        db.backends[1].port, 5432,
        "no port: the one the client connected to"
    );
    let stats = find(&r, "stats/stats");
    assert_eq!(stats.status, RouteStatus::NoBackend);
    assert_eq!(cfg.frontends[1].mode.as_deref(), Some("tcp"));
}

#[test]
fn defaults_give_their_default_backend_and_mode() {
    let cfg = parse(
        "defaults\n  mode http\n  default_backend fallback\nfrontend a\n  bind :80\nbackend fallback\n  server f 127.0.0.1:8080\n",
    );
    let fe = &cfg.frontends[0];
    assert_eq!(fe.mode.as_deref(), Some("http"));
    assert_eq!(fe.default_backend, Some(("fallback".to_owned(), 3)));
    let r = routes(&cfg, "t", &Snapshot::default(), &HashMap::new());
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].name, "a/fallback");
}

#[test]
fn what_cannot_be_read_is_a_problem_with_its_line() {
    let cfg = parse(
        "stray line\nfrontend fe\n  bind\n  acl\n  acl q hdr(host) -f /etc/haproxy/hosts.lst\n  use_backend be if\n  use_backend be when x\n  use_backend be if { path_beg /a\n  use_backend be if a or\n  server s 1.1.1.1:80\n  acl u hdr(host) \"open\nbackend be\n  server\n  server s web:http\n  bind :81\n",
    );
    let lines: Vec<(usize, &str)> = cfg
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (1, "`stray` outside any section"),
            (3, "bind without an address"),
            (4, "acl without a name"),
            (
                5,
                "acl q: patterns from file /etc/haproxy/hosts.lst are not read"
            ),
            (6, "use_backend be: no ACL after `if`"),
            (7, "use_backend be: expected `if` or `unless`, found `when`"),
            (8, "use_backend be: `{` without its `}`"),
            (9, "use_backend be: nothing after `or`"),
            (10, "`server` in a frontend: servers go in a backend"),
            (11, "unterminated \" quote"),
            (13, "server needs a name and an address"),
            (14, "server s: port http is not a number"),
            (15, "`bind` in a backend: it belongs in a frontend"),
        ]
    );
    // The frontend's problems show on its routes, with their lines.
    let r = routes(&cfg, "t", &Snapshot::default(), &HashMap::new());
    assert!(
        r[0].problems
            .iter()
            .any(|p| p == "line 3: bind without an address"),
        "{:?}",
        r[0].problems
    );
    assert!(
        !r[0].problems.iter().any(|p| p.starts_with("line 1:")),
        "{:?}",
        r[0].problems
    );
}

#[test]
fn dynamic_backends_and_server_addresses() {
    let cfg = parse(
        "frontend fe\n  bind :80\n  use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map)]\nbackend be\n  server a [fd00::5]:8080\n  server b ipv4@web:81\n  server c unix@/run/app.sock\n  server d fd00::7:9000\n  server e web:+1\n  server-template app 3 tasks.shop_app:8080 check\n",
    );
    assert_eq!(cfg.problems, vec![]);
    let r = routes(&cfg, "t", &Snapshot::default(), &HashMap::new());
    assert!(
        r[0].problems[0].contains("chosen at run time"),
        "{:?}",
        r[0].problems
    );
    assert_eq!(r[0].rule, "always");
    let s = &cfg.backends[0].servers;
    let got: Vec<(&str, &str, Option<u16>)> = s
        .iter()
        .map(|s| (s.name.as_str(), s.address.as_str(), s.port))
        .collect();
    assert_eq!(
        got,
        [
            ("a", "fd00::5", Some(8080)),
            ("b", "web", Some(81)),
            ("c", "unix@/run/app.sock", None),
            ("d", "fd00::7", Some(9000)),
            ("e", "web", None),
            ("app[3]", "tasks.shop_app", Some(8080)),
        ]
    );
}

#[test]
fn addresses_are_ips_of_running_containers_then_names() {
    let mut web = container("c-web", "web", None, None);
    web.networks = vec![
        ("bridge".into(), "172.17.0.9".into()),
        ("front".into(), "10.1.0.4".into()),
    ];
    let mut gone = container("c-gone", "gone", None, None);
    gone.state = ContainerState::Exited;
    gone.networks = vec![("bridge".into(), "172.17.0.9".into())];
    let snap = Snapshot {
        containers: vec![gone, web],
        ..Snapshot::default()
    };
    let map = addresses(&snap);
    assert_eq!(
        map.get("172.17.0.9").map(String::as_str),
        Some("c-web"),
        "a stopped container's old IP is not its"
    );
    assert_eq!(map.get("10.1.0.4").map(String::as_str), Some("c-web"));
    assert_eq!(map.get("web").map(String::as_str), Some("c-web"));
    assert_eq!(map.get("gone").map(String::as_str), Some("c-gone"));
}

#[test]
fn swarm_tasks_answer_to_their_service_names() {
    let mut task = container("task1", "shop_app.1", Some("shop"), Some("app"));
    task.service_kind = ServiceKind::Swarm;
    task.service_id = "svc-id".into();
    task.task = Some(TaskInfo::default());
    let mut stopped = container("old", "app", None, None);
    stopped.state = ContainerState::Exited;
    let snap = Snapshot {
        containers: vec![stopped, task],
        ..Snapshot::default()
    };
    let map = name_addresses(&snap);
    assert_eq!(map.get("tasks.shop_app").map(String::as_str), Some("task1"));
    assert_eq!(map.get("shop_app").map(String::as_str), Some("task1"));
    assert_eq!(
        map.get("app").map(String::as_str),
        Some("task1"),
        "running wins"
    );
    assert_eq!(map.get("shop_app.1").map(String::as_str), Some("task1"));
}

#[test]
fn a_broken_section_repeats_only_a_few_problems_on_each_route() {
    let mut text = String::from("frontend fe\n  bind :80\n");
    for _ in 0..50 {
        text.push_str("  acl\n");
    }
    text.push_str("  default_backend be\nbackend be\n  server s 1.2.3.4:80\n");
    let cfg = parse(&text);
    assert_eq!(cfg.problems.len(), 50);
    let r = routes(&cfg, "t", &Snapshot::default(), &HashMap::new());
    let section: Vec<&String> = r[0]
        .problems
        .iter()
        .filter(|p| !p.starts_with("note:"))
        .collect();
    assert_eq!(section.len(), 6, "{section:?}");
    assert_eq!(section[5], "and 45 more problems in lines 1-53");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text: parse and routes never panic.
    #[test]
    fn no_input_panics(text in "\\PC*") {
        let cfg = parse(&text);
        let _ = routes(&cfg, "p", &Snapshot::default(), &HashMap::new());
    }

    /// Config-shaped lines in any order, with broken pieces mixed in.
    #[test]
    fn no_config_shaped_input_panics(lines in proptest::collection::vec(prop_oneof![
        Just("frontend f".to_owned()),
        Just("backend b".to_owned()),
        Just("listen l :80".to_owned()),
        Just("defaults".to_owned()),
        Just("global".to_owned()),
        "(bind|acl|use_backend|default_backend|server|server-template|mode) [a-z:!{}|\"'#\\\\ ./%\\[\\]()0-9@,-]{0,40}",
        "acl [a-z]{1,3} (hdr|hdr_dom|hdr_beg|req.hdr|path|path_beg|path_reg|url_beg|ssl_fc_sni)(\\(host\\))? (-i|-m [a-z]{0,4}|-f|--)? [a-z./^$]{0,10}",
        "use_backend [a-z]{1,2} (if|unless)( (!|\\{|\\}|or|\\|\\||[a-z]{1,2}|path_beg|/x))*",
        "server [a-z]{0,2} [a-z0-9:\\[\\]@+./-]{0,20}",
        "\\PC{0,30}",
    ], 0..40)) {
        let text = lines.join("\n");
        let cfg = parse(&text);
        let snap = Snapshot::default();
        let _ = routes(&cfg, "p", &snap, &name_addresses(&snap));
    }
}
