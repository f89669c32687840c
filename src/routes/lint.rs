//! Lint across routes: what no single declaration shows.

use crate::domain::Route;
use std::collections::HashMap;

/// Two routes that claim the same host and path on a shared entrypoint:
/// Traefik picks one by priority (the longer rule), so which one answers
/// is rarely what was meant. Routes to the same service do not clash
/// (an http and an https router for one site).
pub fn duplicates(routes: &mut [Route]) {
    let mut claims: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, r) in routes.iter().enumerate() {
        let hosts = if r.hosts.is_empty() {
            vec!["*".to_owned()]
        } else {
            r.hosts.clone()
        };
        let paths = if r.paths.is_empty() {
            vec!["/*".to_owned()]
        } else {
            r.paths.clone()
        };
        for h in &hosts {
            for p in &paths {
                claims
                    .entry((h.to_ascii_lowercase(), p.clone()))
                    .or_default()
                    .push(i);
            }
        }
    }
    let mut found: Vec<(usize, String)> = Vec::new();
    for ((host, path), idx) in &claims {
        if host == "*" && path == "/*" {
            continue;
        }
        for &a in idx {
            for &b in idx {
                let (ra, rb) = (&routes[a], &routes[b]);
                if a == b
                    || !share_entrypoint(ra, rb)
                    || !share_class(ra, rb)
                    || same_target(ra, rb)
                {
                    continue;
                }
                found.push((
                    a,
                    format!(
                        "{host}{} is also claimed by {} {} (to {})",
                        if path == "/*" {
                            String::new()
                        } else {
                            format!(" {path}")
                        },
                        rb.source.label(),
                        rb.name,
                        rb.service
                    ),
                ));
            }
        }
    }
    found.sort();
    found.dedup();
    // Idempotent: the backend lints its own routes, and the console lints
    // them again once other sources (haproxy configs) join them.
    for (i, p) in found {
        if !routes[i].problems.contains(&p) {
            routes[i].problems.push(p);
        }
    }
}

fn share_entrypoint(a: &Route, b: &Route) -> bool {
    a.entrypoints.is_empty()
        || b.entrypoints.is_empty()
        || a.entrypoints.iter().any(|e| b.entrypoints.contains(e))
}

/// Ingresses of different classes are served by different controllers:
/// the same host and path on both do not clash.
fn share_class(a: &Route, b: &Route) -> bool {
    match (&a.class, &b.class) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn same_target(a: &Route, b: &Route) -> bool {
    (!a.service_id.is_empty() && a.service_id == b.service_id)
        || (a.service_id.is_empty() && a.service == b.service)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(name: &str, host: &str, path: &str, service: &str, eps: &[&str]) -> Route {
        Route {
            name: name.into(),
            hosts: vec![host.into()],
            paths: if path.is_empty() {
                vec![]
            } else {
                vec![path.into()]
            },
            service: service.into(),
            service_id: service.into(),
            entrypoints: eps.iter().map(|e| e.to_string()).collect(),
            ..Route::default()
        }
    }

    #[test]
    fn the_same_host_and_path_to_two_services_is_named_on_both() {
        let mut routes = vec![
            route("a", "shop.example.org", "/api*", "api", &["web"]),
            route("b", "shop.example.org", "/api*", "legacy", &[]),
            route("c", "shop.example.org", "", "web", &["web"]),
        ];
        duplicates(&mut routes);
        // Linting again (the console, after the backend) adds nothing.
        duplicates(&mut routes);
        assert_eq!(routes[0].problems.len(), 1, "{:?}", routes[0].problems);
        assert!(routes[0].problems[0].contains("also claimed by traefik-v2 b (to legacy)"));
        assert!(routes[1].problems[0].contains("claimed by traefik-v2 a"));
        assert!(routes[2].problems.is_empty());
    }

    #[test]
    fn http_and_https_routers_of_one_site_do_not_clash() {
        let mut routes = vec![
            route("web", "shop.example.org", "", "shop", &["web"]),
            route("websecure", "shop.example.org", "", "shop", &["websecure"]),
            route("other", "shop.example.org", "", "other", &["websecure"]),
        ];
        duplicates(&mut routes);
        assert!(routes[0].problems.is_empty());
        assert_eq!(routes[1].problems.len(), 1);
        assert_eq!(routes[2].problems.len(), 1);
    }

    #[test]
    fn ingresses_of_different_classes_do_not_clash() {
        let class = |r: Route, c: &str| Route {
            class: Some(c.into()),
            ..r
        };
        let mut routes = vec![
            class(route("a", "shop.example.org", "/*", "a", &[]), "nginx"),
            class(route("b", "shop.example.org", "/*", "b", &[]), "traefik"),
            class(route("c", "shop.example.org", "/*", "c", &[]), "traefik"),
        ];
        duplicates(&mut routes);
        assert!(routes[0].problems.is_empty(), "{:?}", routes[0].problems);
        assert_eq!(routes[1].problems.len(), 1, "{:?}", routes[1].problems);
        assert!(routes[2].problems[0].contains("also claimed by traefik-v2 b"));
    }
}
