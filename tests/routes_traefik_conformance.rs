//! Conformance: the routers berth derives from Traefik labels are the
//! routers a real Traefik (local/traefik:3, docker provider) makes of the
//! same labels. Each Traefik router `name@docker` must be a berth route
//! `name` with the same rule, entrypoints, middlewares (count and order)
//! and servers; each route berth shows that Traefik does not serve (or
//! disables) must carry a problem saying why.

mod common;

use berth::backend::Backend;
use berth::domain::Route;
use berth::routes::traefik_api::{ApiRouter, ApiState};
use common::live::local_backend;
use common::traefik::{fetch_until, run_label, start_traefik};
use common::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// `secret` for user `test`, as `openssl passwd -apr1` makes it.
const AUTH_USERS: &str = "test:$apr1$berthslt$CxxqjEMo8DAd1djveZnxL1";
/// The entrypoints this Traefik has: a router without any is on all of them.
const ENTRYPOINTS: [(&str, &str); 2] = [("web", ":80"), ("websecure", ":443")];

/// busybox httpd on 8080, labelled for this run's Traefik.
fn httpd(name: &str, run: &str, labels: &[String], extra: &[&str]) {
    let run_label = run_label(run);
    let mut args: Vec<&str> = vec!["-l", &run_label];
    for l in labels {
        args.extend(["-l", l.as_str()]);
    }
    args.extend_from_slice(extra);
    run_container(
        name,
        IMAGE_V1,
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
        &args,
    );
}

/// `traefik.http.<key>=<value>` labels.
fn labels(pairs: &[(String, &str)]) -> Vec<String> {
    pairs
        .iter()
        .map(|(k, v)| format!("traefik.http.{k}={v}"))
        .collect()
}

/// The ERR lines of Traefik's log that name router `name@docker`: some
/// errors ("Router uses a nonexistent certificate resolver") reach only
/// the log while the API says the router is enabled. Failing to reach
/// the ACME CA is the test bed's (it has none), not the labels'.
fn logged_errors(log: &str, router: &str) -> Vec<String> {
    let tail = format!("{router}@docker");
    log.lines()
        .filter(|l| l.contains("ERR") && l.contains(&tail))
        .filter(|l| !l.contains("Unable to obtain ACME certificate"))
        .map(str::to_owned)
        .collect()
}

/// What differs between Traefik's routers and berth's routes, one line each.
fn differences(st: &ApiState, log: &str, routes: &[Route]) -> Vec<String> {
    let mut out = Vec::new();
    let all_entrypoints: Vec<String> = ENTRYPOINTS.iter().map(|(e, _)| e.to_string()).collect();
    let docker: Vec<&ApiRouter> = st
        .routers
        .iter()
        .filter(|r| r.provider == "docker")
        .collect();
    for tr in &docker {
        let name = tr.name.trim_end_matches("@docker");
        let found: Vec<&Route> = routes.iter().filter(|r| r.name == name).collect();
        let [r] = found.as_slice() else {
            out.push(format!(
                "{name}: Traefik has it ({}), berth has {} routes of that name",
                tr.status,
                found.len()
            ));
            continue;
        };
        if tr.rule != r.rule {
            out.push(format!(
                "{name}: rule: Traefik {:?}, berth {:?}",
                tr.rule, r.rule
            ));
        }
        let mut eps = if r.entrypoints.is_empty() {
            all_entrypoints.clone()
        } else {
            r.entrypoints.clone()
        };
        eps.sort();
        let mut teps = tr.entry_points.clone();
        teps.sort();
        if eps != teps {
            out.push(format!(
                "{name}: entrypoints: Traefik {teps:?}, berth {:?}",
                r.entrypoints
            ));
        }
        if tr.middlewares.len() != r.middlewares.len() {
            out.push(format!(
                "{name}: middlewares: Traefik {:?}, berth {:?}",
                tr.middlewares, r.middlewares
            ));
        }
        if tr.tls != r.tls {
            out.push(format!("{name}: tls: Traefik {}, berth {}", tr.tls, r.tls));
        }
        let service = tr.service_name();
        let traefik_servers: BTreeSet<String> = st
            .services
            .iter()
            .find(|s| s.name == service)
            .map(|s| s.server_status.iter().map(|(u, _)| u.clone()).collect())
            .unwrap_or_default();
        let berth_servers: BTreeSet<String> = r
            .backends
            .iter()
            .map(|b| format!("http://{}:{}", b.address, b.port))
            .collect();
        if traefik_servers != berth_servers {
            out.push(format!(
                "{name}: servers of {service}: Traefik {traefik_servers:?}, berth {berth_servers:?}"
            ));
        }
        let logged = logged_errors(log, name);
        let clean = tr.status == "enabled" && tr.errors.is_empty() && logged.is_empty();
        if clean && !r.problems.is_empty() {
            out.push(format!(
                "{name}: Traefik serves it without error, berth says {:?}",
                r.problems
            ));
        }
        if !clean && r.problems.is_empty() {
            out.push(format!(
                "{name}: Traefik says {} {:?} {logged:?}, berth sees no problem",
                tr.status, tr.errors
            ));
        }
    }
    for r in routes {
        let served = docker
            .iter()
            .any(|tr| tr.name.trim_end_matches("@docker") == r.name);
        if !served && r.problems.is_empty() {
            out.push(format!(
                "{}: berth shows it with no problem, Traefik does not have it",
                r.name
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn berth_derives_the_routers_traefik_makes_of_the_same_labels() {
    require_engine();
    let run = unique_name("tconf");
    let n = |s: &str| format!("{run}-{s}");
    let host = |s: &str| format!("Host(`{s}.{run}.test`)");
    let mut cleanup = Cleanup::new();
    let names = [
        "traefik",
        "dflt",
        "multi",
        "lone",
        "two",
        "tworr",
        "mw",
        "user",
        "ep",
        "tls",
        "v2",
        "prio",
        "noport",
        "ref",
        "ref2",
        "half",
        "dupa",
        "dupb",
        "cfa",
        "cfb",
        "dot.Name_1",
        "case",
    ];
    for s in names {
        cleanup.container(&n(s));
    }
    let project = n("c");
    let compose_dir = std::env::temp_dir().join(format!("berth-test-compose-{project}"));
    cleanup.project(&project, &compose_dir);

    // `le` is an ACME resolver that can reach no CA; `nope` is not defined.
    let url = start_traefik(
        &n("traefik"),
        &run,
        &ENTRYPOINTS,
        &[
            "--certificatesresolvers.le.acme.email=ops@example.test",
            "--certificatesresolvers.le.acme.storage=/tmp/acme.json",
            "--certificatesresolvers.le.acme.caserver=http://127.0.0.1:1/directory",
            "--certificatesresolvers.le.acme.httpchallenge.entrypoint=web",
        ],
    );

    // Defaults: enabled, two exposed ports: the lowest one, the default rule.
    httpd(
        &n("dflt"),
        &run,
        &["traefik.enable=true".into()],
        &["--expose", "9090", "--expose", "8080"],
    );
    // A compose service of two replicas: one router, two servers. On the
    // default bridge, where Traefik is: on the project's own network berth
    // rightly says Traefik shares none with it (Traefik still lists it).
    let yaml = format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {IMAGE_V1}\n    \
         command: [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n    init: true\n    \
         stop_grace_period: 1s\n    scale: 2\n    expose: [\"8080\"]\n    \
         network_mode: bridge\n    labels:\n      \
         berth.test: \"1\"\n      berth.test.run: \"{run}\"\n      traefik.enable: \"true\"\n"
    );
    compose_up(&project, &yaml);
    // Two routers, one explicit service.
    httpd(
        &n("multi"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("ma")), &host("ma")),
            (format!("routers.{}.service", n("ma")), &n("msvc")),
            (
                format!("routers.{}.rule", n("mb")),
                &format!("{} && PathPrefix(`/b`)", host("mb")),
            ),
            (format!("routers.{}.service", n("mb")), &n("msvc")),
            (
                format!("services.{}.loadbalancer.server.port", n("msvc")),
                "8080",
            ),
        ]),
        &[],
    );
    // A router without a service: linked to the only one.
    httpd(
        &n("lone"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("lone")), &host("lone")),
            (
                format!("services.{}.loadbalancer.server.port", n("lonesvc")),
                "8080",
            ),
        ]),
        &[],
    );
    // Two services: the router without a service is dropped.
    httpd(
        &n("two"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("orphan")), &host("orphan")),
            (format!("routers.{}.rule", n("s1r")), &host("s1r")),
            (format!("routers.{}.service", n("s1r")), &n("s1")),
            (
                format!("services.{}.loadbalancer.server.port", n("s1")),
                "8080",
            ),
            (
                format!("services.{}.loadbalancer.server.port", n("s2")),
                "8080",
            ),
        ]),
        &[],
    );
    // A router using another container's service: its servers; the
    // container's own default service still needs a port, or Traefik
    // skips the whole container.
    for (s, extra) in [("ref", &["--expose", "8080"][..]), ("ref2", &[][..])] {
        httpd(
            &n(s),
            &run,
            &labels(&[
                (format!("routers.{}.rule", n(s)), &host(s)),
                (
                    format!("routers.{}.service", n(s)),
                    &format!("{}@docker", n("msvc")),
                ),
            ]),
            extra,
        );
    }
    // One of two services has no port: Traefik skips the container.
    httpd(
        &n("half"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("h1r")), &host("h1r")),
            (format!("routers.{}.service", n("h1r")), &n("h1")),
            (
                format!("services.{}.loadbalancer.server.port", n("h1")),
                "8080",
            ),
            (
                format!("services.{}.loadbalancer.passhostheader", n("h2")),
                "true",
            ),
        ]),
        &[],
    );
    // One router on two containers: the same configuration makes one
    // router with both servers, different ones make none.
    for (s, rule) in [
        ("dupa", host("dup")),
        ("dupb", host("dup")),
        ("cfa", host("cfa")),
        ("cfb", host("cfb")),
    ] {
        let router = if s.starts_with("dup") { "dup" } else { "cf" };
        // A middleware the cf containers define differently: dropped.
        let cmw = format!("middlewares.{}.stripprefix.prefixes", n("cmw"));
        let mut l = labels(&[
            (format!("routers.{}.rule", n(router)), &rule),
            (
                format!("services.{}.loadbalancer.server.port", n(router)),
                "8080",
            ),
        ]);
        if router == "cf" {
            l.extend(labels(&[(cmw, &format!("/{s}"))]));
        }
        httpd(&n(s), &run, &l, &[]);
    }
    // The default name of a container named with dots, capitals and `_`.
    httpd(
        &n("dot.Name_1"),
        &run,
        &["traefik.enable=true".into()],
        &["--expose", "8080"],
    );
    // Names are case-sensitive: `Strip` is not the `strip` defined (here
    // as on the mw container: the same middleware twice is one).
    httpd(
        &n("case"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("Case")), &host("case")),
            (format!("routers.{}.Middlewares", n("Case")), &n("Strip")),
            (
                format!("middlewares.{}.stripprefix.prefixes", n("strip")),
                "/api",
            ),
        ]),
        &["--expose", "8080"],
    );
    // Two services and no router: Traefik makes none.
    httpd(
        &n("tworr"),
        &run,
        &labels(&[
            (
                format!("services.{}.loadbalancer.server.port", n("t1")),
                "8080",
            ),
            (
                format!("services.{}.loadbalancer.server.port", n("t2")),
                "8080",
            ),
        ]),
        &[],
    );
    // Middlewares, referenced with and without @docker.
    httpd(
        &n("mw"),
        &run,
        &labels(&[
            (
                format!("middlewares.{}.basicauth.users", n("auth")),
                AUTH_USERS,
            ),
            (
                format!("middlewares.{}.redirectscheme.scheme", n("redir")),
                "https",
            ),
            (
                format!("middlewares.{}.stripprefix.prefixes", n("strip")),
                "/api",
            ),
            (format!("routers.{}.rule", n("mw1")), &host("mw1")),
            (
                format!("routers.{}.middlewares", n("mw1")),
                &format!("{},{}@docker", n("auth"), n("strip")),
            ),
            (format!("routers.{}.rule", n("mw2")), &host("mw2")),
            (
                format!("routers.{}.middlewares", n("mw2")),
                &format!("{}@docker", n("redir")),
            ),
            (
                format!("services.{}.loadbalancer.server.port", n("mw")),
                "8080",
            ),
        ]),
        &[],
    );
    // Middlewares another container defines, and one nobody defines.
    httpd(
        &n("user"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("ext")), &host("ext")),
            (
                format!("routers.{}.middlewares", n("ext")),
                &format!("{}@docker,{}", n("auth"), n("strip")),
            ),
            (format!("routers.{}.rule", n("missing")), &host("missing")),
            (
                format!("routers.{}.middlewares", n("missing")),
                &n("nosuch"),
            ),
            (format!("routers.{}.service", n("missing")), &n("usersvc")),
            (format!("routers.{}.service", n("ext")), &n("usersvc")),
            (
                format!("services.{}.loadbalancer.server.port", n("usersvc")),
                "8080",
            ),
        ]),
        &[],
    );
    // Entrypoints.
    httpd(
        &n("ep"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("ep1")), &host("ep1")),
            (format!("routers.{}.entrypoints", n("ep1")), "websecure"),
            (format!("routers.{}.rule", n("ep2")), &host("ep2")),
            (
                format!("routers.{}.entrypoints", n("ep2")),
                "web, websecure",
            ),
            (format!("routers.{}.service", n("ep1")), &n("ep")),
            (format!("routers.{}.service", n("ep2")), &n("ep")),
            (
                format!("services.{}.loadbalancer.server.port", n("ep")),
                "8080",
            ),
        ]),
        &[],
    );
    // TLS: plain, with a defined resolver, with an undefined one.
    httpd(
        &n("tls"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("tls1")), &host("tls1")),
            (format!("routers.{}.tls", n("tls1")), "true"),
            (format!("routers.{}.entrypoints", n("tls1")), "websecure"),
            (format!("routers.{}.service", n("tls1")), &n("tls")),
            (format!("routers.{}.rule", n("tls2")), &host("tls2")),
            (format!("routers.{}.tls.certresolver", n("tls2")), "le"),
            (format!("routers.{}.service", n("tls2")), &n("tls")),
            (format!("routers.{}.rule", n("tls3")), &host("tls3")),
            (format!("routers.{}.tls.certresolver", n("tls3")), "nope"),
            (format!("routers.{}.service", n("tls3")), &n("tls")),
            (
                format!("services.{}.loadbalancer.server.port", n("tls")),
                "8080",
            ),
        ]),
        &[],
    );
    // Two hosts in one Host(): v2's grammar, disabled by v3 without ruleSyntax.
    httpd(
        &n("v2"),
        &run,
        &labels(&[
            (
                format!("routers.{}.rule", n("legacy")),
                &format!("Host(`old.{run}.test`,`older.{run}.test`)"),
            ),
            (format!("routers.{}.service", n("legacy")), &n("v2")),
            (
                format!("routers.{}.rule", n("v2ok")),
                &format!("Host(`v2.{run}.test`,`www.v2.{run}.test`)"),
            ),
            (format!("routers.{}.rulesyntax", n("v2ok")), "v2"),
            (format!("routers.{}.service", n("v2ok")), &n("v2")),
            (
                format!("services.{}.loadbalancer.server.port", n("v2")),
                "8080",
            ),
        ]),
        &[],
    );
    // Priority (berth does not show it), and a middleware the cf containers
    // define differently.
    httpd(
        &n("prio"),
        &run,
        &labels(&[
            (format!("routers.{}.rule", n("prio")), &host("prio")),
            (format!("routers.{}.priority", n("prio")), "42"),
            (format!("routers.{}.middlewares", n("prio")), &n("cmw")),
        ]),
        &["--expose", "8080"],
    );
    // No port at all: Traefik skips the container.
    httpd(&n("noport"), &run, &["traefik.enable=true".into()], &[]);

    let expected: Vec<String> = [
        n("dflt"),
        format!("web-{project}"),
        n("ma"),
        n("mb"),
        n("lone"),
        n("s1r"),
        n("mw1"),
        n("mw2"),
        n("ext"),
        n("ep1"),
        n("ep2"),
        n("tls1"),
        n("tls2"),
        n("v2ok"),
        n("legacy"),
        n("prio"),
        n("ref"),
        n("dup"),
        n("dot-Name-1"),
        n("Case"),
    ]
    .iter()
    .map(|r| format!("{r}@docker"))
    .collect();
    fetch_until(&url, Duration::from_secs(30), |st| {
        expected
            .iter()
            .all(|e| st.routers.iter().any(|r| &r.name == e))
    })
    .await;
    // Let the provider settle what it has not made yet (the dropped ones).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let st = fetch_until(&url, Duration::from_secs(10), |_| true).await;

    let backend = local_backend().await;
    let snap = backend.snapshot().await.expect("snapshot");
    let routes: Vec<Route> = snap
        .routes
        .iter()
        .filter(|r| r.id.contains(&run))
        .cloned()
        .collect();
    let log = docker(&["logs", &n("traefik")]);
    let diffs = differences(&st, &log, &routes);
    assert!(
        diffs.is_empty(),
        "berth and Traefik differ:\n{}\n\nTraefik: {:#?}\nberth: {routes:#?}",
        diffs.join("\n"),
        st.routers
    );

    // The cases themselves, as a user reads them.
    let traefik = |name: &str| {
        st.routers
            .iter()
            .find(|r| r.name == format!("{name}@docker"))
            .cloned()
    };
    let berth = |name: &str| {
        routes
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("berth has no route {name}: {routes:#?}"))
    };
    let docker_routers = st.routers.iter().filter(|r| r.provider == "docker").count();
    assert_eq!(docker_routers, expected.len() + 2, "plus missing and tls3");
    // Case kept, but nothing but letters and digits.
    assert!(berth(&n("dot-Name-1")).problems.is_empty());
    assert!(
        berth(&n("Case"))
            .problems
            .iter()
            .any(|p| p.contains(&format!("{} is not defined", n("Strip"))))
    );
    // Defaults: the container's name, the lowest exposed port.
    let dflt = berth(&n("dflt"));
    assert_eq!(dflt.rule, format!("Host(`{}`)", n("dflt")));
    assert_eq!(dflt.port, Some(8080));
    // compose: `<service>-<project>`, both replicas behind it.
    assert_eq!(berth(&format!("web-{project}")).backends.len(), 2);
    // Dropped by Traefik, explained by berth.
    for (name, why) in [
        (n("orphan"), "names no service"),
        (n("tworr"), "several services"),
        (n("noport"), "port is missing"),
        (n("ref2"), "Traefik skips every router"),
        (n("h1r"), "Traefik skips every router"),
        (n("cf"), "different configurations"),
    ] {
        assert!(traefik(&name).is_none(), "Traefik has {name}");
        let r = berth(&name);
        assert!(
            r.problems.iter().any(|p| p.contains(why)),
            "{name}: {:?}",
            r.problems
        );
    }
    // The same router on two containers: one route, both servers.
    assert_eq!(berth(&n("dup")).backends.len(), 2);
    // A middleware defined differently on two containers.
    assert_eq!(traefik(&n("prio")).expect("listed").status, "disabled");
    assert!(
        berth(&n("prio"))
            .problems
            .iter()
            .any(|p| p.contains("several containers with different configurations"))
    );
    // Another container's service: its servers.
    assert_eq!(berth(&n("ref")).backends, berth(&n("ma")).backends);
    // Disabled by Traefik v3: a v2 rule without ruleSyntax.
    let legacy = traefik(&n("legacy")).expect("Traefik lists it");
    assert_eq!(legacy.status, "disabled");
    assert!(
        berth(&n("legacy"))
            .problems
            .iter()
            .any(|p| p.contains("Traefik v3")),
        "{:?}",
        berth(&n("legacy")).problems
    );
    assert!(berth(&n("v2ok")).problems.is_empty());
    // A middleware nobody defines disables the router.
    let missing = traefik(&n("missing")).expect("Traefik lists it");
    assert_eq!(missing.status, "disabled");
    assert!(
        berth(&n("missing"))
            .problems
            .iter()
            .any(|p| p.contains(&n("nosuch")))
    );
    // Middlewares in order, wherever they are defined.
    for name in [n("mw1"), n("ext")] {
        assert_eq!(
            berth(&name).middlewares,
            vec!["basic auth (1 user)", "strip prefix /api"],
            "{name}"
        );
    }
    // A resolver Traefik lacks: enabled in its API, an error in its log,
    // its default certificate on the wire; berth says so.
    let tls3 = traefik(&n("tls3")).expect("Traefik lists it");
    assert_eq!(tls3.status, "enabled");
    assert!(!logged_errors(&log, &n("tls3")).is_empty(), "{log}");
    assert!(
        berth(&n("tls3"))
            .problems
            .iter()
            .any(|p| p.contains("certresolver nope is not defined")),
        "{:?}",
        berth(&n("tls3")).problems
    );
    assert!(berth(&n("tls2")).problems.is_empty(), "le is defined");
    drop(cleanup);
}
