//! What Traefik's API says about berth's routes: the router's errors, its
//! servers' health, or that Traefik does not serve it at all; and where a
//! Traefik with its API open runs.

use super::{ApiRouter, ApiService, ApiState};
use crate::domain::{Container, ContainerState, Route, RouteSource, RouteStatus, Snapshot};
use std::collections::HashMap;

/// Providers whose routers come from labels: `docker` (v2 also for Swarm),
/// `swarm` (v3's own Swarm provider).
const LABEL_PROVIDERS: [&str; 2] = ["docker", "swarm"];

fn add_problem(route: &mut Route, problem: String) {
    if !route.problems.contains(&problem) {
        route.problems.push(problem);
    }
}

/// Folds Traefik's view into `routes` declared by labels (v2/v3): a route
/// named `web` is Traefik's `web@docker` or `web@swarm`. Its status comes
/// from its service's servers (all DOWN: down; any UP: up), a disabled
/// router is down, the router's errors become problems. A labelled route
/// Traefik lacks is a problem when Traefik reads labels at all, unless it
/// has no backend (Traefik drops routers of stopped containers).
pub fn apply(routes: &mut [Route], api: &ApiState) {
    let routers: HashMap<&str, &ApiRouter> =
        api.routers.iter().map(|r| (r.name.as_str(), r)).collect();
    let services: HashMap<&str, &ApiService> =
        api.services.iter().map(|s| (s.name.as_str(), s)).collect();
    let reads_labels = api.reads_labels();
    for route in routes.iter_mut() {
        match route.source {
            RouteSource::TraefikV2 => {}
            RouteSource::TraefikV1 => {
                // v2 and v3 ignore `traefik.frontend.*` labels entirely.
                if reads_labels && api.major().is_some_and(|m| m >= 2) {
                    add_problem(
                        route,
                        format!(
                            "traefik {} does not read v1 labels (traefik.frontend.*)",
                            api.version
                        ),
                    );
                }
                continue;
            }
            _ => continue,
        }
        let router = LABEL_PROVIDERS
            .iter()
            .find_map(|p| routers.get(format!("{}@{p}", route.name).as_str()).copied());
        let Some(router) = router else {
            if reads_labels && route.status != RouteStatus::NoBackend {
                add_problem(route, "traefik does not serve this router".into());
            }
            continue;
        };
        for e in &router.errors {
            add_problem(route, format!("traefik: {e}"));
        }
        if router.status == "disabled" {
            route.status = RouteStatus::Down;
            route.status_detail = "traefik: router disabled".into();
            continue;
        }
        let Some(service) = services.get(router.service_name().as_str()) else {
            continue;
        };
        let total = service.server_status.len();
        let up = service
            .server_status
            .iter()
            .filter(|(_, s)| s == "UP")
            .count();
        let down = service
            .server_status
            .iter()
            .filter(|(_, s)| s == "DOWN")
            .count();
        if up > 0 {
            route.status = RouteStatus::Up;
            route.status_detail = if down > 0 {
                format!("traefik: {down} of {total} servers down")
            } else {
                String::new()
            };
        } else if down > 0 && down == total {
            route.status = RouteStatus::Down;
            route.status_detail = "traefik: servers down".into();
        }
    }
}

/// The API port a Traefik command line opens without authentication:
/// `--api.insecure` serves on the `traefik` entrypoint, :8080 unless
/// `--entrypoints.traefik.address` moves it. Flags are case-insensitive.
fn insecure_api_port(command: &str) -> Option<u16> {
    let mut insecure = false;
    let mut port = 8080;
    for token in command.split_whitespace() {
        let token = token
            .trim_matches(|c| c == '"' || c == '\'')
            .to_ascii_lowercase();
        match token.as_str() {
            "--api.insecure" | "--api.insecure=true" => insecure = true,
            "--api.insecure=false" => insecure = false,
            _ => {
                let moved = token.strip_prefix("--entrypoints.traefik.address=");
                if let Some(p) = moved.and_then(|a| a.rsplit_once(':')?.1.parse().ok()) {
                    port = p;
                }
            }
        }
    }
    insecure.then_some(port)
}

/// The API of a running Traefik container in `snap` that opens it without
/// authentication (`--api.insecure`), as `http://IP:PORT`; `ip_of` gives
/// the address berth reaches the container at.
pub fn find_api(snap: &Snapshot, ip_of: impl Fn(&Container) -> Option<String>) -> Option<String> {
    snap.containers
        .iter()
        .filter(|c| {
            c.state == ContainerState::Running && c.image.to_ascii_lowercase().contains("traefik")
        })
        .find_map(|c| {
            let port = insecure_api_port(&c.command)?;
            let ip = ip_of(c)?;
            if ip.contains(':') && !ip.starts_with('[') {
                Some(format!("http://[{ip}]:{port}"))
            } else {
                Some(format!("http://{ip}:{port}"))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::super::{parse_routers, parse_services};
    use super::*;

    fn state() -> ApiState {
        ApiState {
            version: "3.7.15".into(),
            providers: vec!["Docker".into()],
            routers: parse_routers(include_str!("../testdata/traefik-3.7-routers.json"))
                .expect("routers"),
            services: parse_services(include_str!("../testdata/traefik-3.7-services.json"))
                .expect("services"),
        }
    }

    fn route(name: &str) -> Route {
        Route {
            name: name.into(),
            source: RouteSource::TraefikV2,
            ..Route::default()
        }
    }

    #[test]
    fn status_and_errors_from_the_real_capture() {
        let mut routes = vec![
            route("b"),
            route("h"),
            route("bad"),
            route("nomw"),
            route("ghost"),
        ];
        apply(&mut routes, &state());
        let [b, h, bad, nomw, ghost] = &routes[..] else {
            panic!("five routes")
        };

        assert_eq!(b.status, RouteStatus::Up);
        assert!(b.problems.is_empty(), "{:?}", b.problems);

        assert_eq!(h.status, RouteStatus::Down);
        assert_eq!(h.status_detail, "traefik: servers down");

        assert_eq!(bad.status, RouteStatus::Down);
        assert_eq!(bad.status_detail, "traefik: router disabled");
        assert_eq!(bad.problems.len(), 1);
        assert!(
            bad.problems[0]
                .starts_with("traefik: error while parsing rule Host(`x.test`,`y.test`)")
        );

        assert_eq!(
            nomw.problems,
            vec!["traefik: middleware \"missing@docker\" does not exist"]
        );

        assert_eq!(ghost.status, RouteStatus::Unknown);
        assert_eq!(ghost.problems, vec!["traefik does not serve this router"]);
    }

    #[test]
    fn applying_twice_adds_nothing_twice() {
        let mut routes = vec![route("bad"), route("ghost")];
        let st = state();
        apply(&mut routes, &st);
        apply(&mut routes, &st);
        assert_eq!(routes[0].problems.len(), 1);
        assert_eq!(routes[1].problems.len(), 1);
    }

    #[test]
    fn swarm_provider_and_partial_health() {
        let st = ApiState {
            version: "3.7.15".into(),
            providers: vec!["Swarm".into()],
            routers: parse_routers(
                r#"[{"name":"stack_web@swarm","provider":"swarm","service":"stack_web","rule":"Host(`w`)","status":"enabled"}]"#,
            )
            .expect("routers"),
            services: parse_services(
                r#"[{"name":"stack_web@swarm","status":"enabled","serverStatus":{"http://10.0.1.5:80":"UP","http://10.0.1.6:80":"DOWN"}}]"#,
            )
            .expect("services"),
        };
        let mut routes = vec![route("stack_web")];
        apply(&mut routes, &st);
        assert_eq!(routes[0].status, RouteStatus::Up);
        assert_eq!(routes[0].status_detail, "traefik: 1 of 2 servers down");
    }

    #[test]
    fn unserved_only_when_traefik_reads_labels_and_the_route_has_backends() {
        let mut stopped = route("gone");
        stopped.status = RouteStatus::NoBackend;
        let mut routes = vec![stopped, route("gone2")];
        apply(&mut routes, &state());
        assert!(
            routes[0].problems.is_empty(),
            "stopped containers are not routed by Traefik"
        );
        assert_eq!(routes[1].problems.len(), 1);

        // A Traefik with only the file provider says nothing about labels.
        let file_only = ApiState {
            version: "3.7.15".into(),
            providers: vec!["File".into()],
            ..ApiState::default()
        };
        let mut routes = vec![route("web")];
        apply(&mut routes, &file_only);
        assert!(routes[0].problems.is_empty());
    }

    #[test]
    fn v1_labels_under_traefik_3_and_other_sources_untouched() {
        let mut v1 = route("web");
        v1.source = RouteSource::TraefikV1;
        let mut ingress = route("b");
        ingress.source = RouteSource::Ingress;
        let mut routes = vec![v1, ingress];
        apply(&mut routes, &state());
        assert_eq!(
            routes[0].problems,
            vec!["traefik 3.7.15 does not read v1 labels (traefik.frontend.*)"]
        );
        assert_eq!(routes[1], {
            let mut r = route("b");
            r.source = RouteSource::Ingress;
            r
        });
    }

    fn traefik(command: &str, state: ContainerState) -> Container {
        Container {
            id: "t1".into(),
            image: "traefik:v3.1".into(),
            command: command.into(),
            state,
            ..Container::default()
        }
    }

    #[test]
    fn finds_a_running_traefik_with_an_open_api() {
        let ip = |_: &Container| Some("172.18.0.3".to_string());
        let mut snap = Snapshot::default();
        snap.containers.push(traefik(
            "/entrypoint.sh --api.insecure=true --providers.docker",
            ContainerState::Exited,
        ));
        assert_eq!(find_api(&snap, ip), None, "not running");
        snap.containers.push(traefik(
            "traefik --providers.docker --api.dashboard=true",
            ContainerState::Running,
        ));
        assert_eq!(find_api(&snap, ip), None, "api not insecure");
        snap.containers.push(traefik(
            "/entrypoint.sh --api.insecure --entryPoints.traefik.address=:9000",
            ContainerState::Running,
        ));
        assert_eq!(
            find_api(&snap, ip).as_deref(),
            Some("http://172.18.0.3:9000")
        );
        assert_eq!(find_api(&snap, |_| None), None, "no address");
        assert_eq!(
            find_api(&snap, |_| Some("fd00::3".into())).as_deref(),
            Some("http://[fd00::3]:9000")
        );

        let mut other = Snapshot::default();
        let mut c = traefik("nginx --api.insecure=true", ContainerState::Running);
        c.image = "nginx:1".into();
        other.containers.push(c);
        assert_eq!(find_api(&other, ip), None, "not a traefik image");
        other.containers.push(traefik(
            "--api.insecure=true --api.insecure=false",
            ContainerState::Running,
        ));
        assert_eq!(find_api(&other, ip), None, "the last flag wins");
        other.containers.push(traefik(
            "traefik --api.insecure=true",
            ContainerState::Running,
        ));
        assert_eq!(
            find_api(&other, ip).as_deref(),
            Some("http://172.18.0.3:8080")
        );
    }
}
