//! Routes: parsing what declares them (Traefik labels and rules, haproxy
//! configs, Traefik's API) into [`crate::domain::Route`]s, and the lint
//! that says what is wrong with them. Pure functions; no I/O here but in
//! the feed, the prober and the API client.

pub mod feed;
pub mod haproxy;
mod labels_v1;
mod labels_v2;
pub mod lint;
pub mod live;
mod middleware;
mod owner;
pub mod probe;
pub mod rule;
#[cfg(test)]
mod rule_props;
mod rule_v1;
mod rule_v2;
pub mod traefik;
pub mod traefik_api;

#[cfg(test)]
mod labels_tests;

use crate::domain::{Route, Snapshot};
use owner::Owner;
use traefik::Traefik;

/// Fills `snap.routes` from its Traefik labels, lints them, and tells each
/// service the hosts that reach it.
pub fn attach(snap: &mut Snapshot) {
    let mut routes = from_labels(snap);
    routes.append(&mut snap.routes);
    lint::duplicates(&mut routes);
    snap.routes = routes;
    tell_services(snap);
}

/// Each service's `routes`: `host/path` of the routes that reach it.
pub fn tell_services(snap: &mut Snapshot) {
    let mut by_service: std::collections::HashMap<&str, Vec<String>> =
        std::collections::HashMap::new();
    for r in &snap.routes {
        if r.service_id.is_empty() {
            continue;
        }
        let hosts = if r.hosts.is_empty() {
            vec!["*".to_owned()]
        } else {
            r.hosts.clone()
        };
        let paths = if r.paths.is_empty() {
            vec![String::new()]
        } else {
            r.paths.clone()
        };
        let list = by_service.entry(r.service_id.as_str()).or_default();
        for h in &hosts {
            for p in &paths {
                let text = format!("{h}{p}");
                if !list.contains(&text) {
                    list.push(text);
                }
            }
        }
    }
    for s in &mut snap.services {
        s.routes = by_service.remove(s.id.as_str()).unwrap_or_default();
    }
}

/// The routes the Traefik labels in `snap` declare: containers' (one
/// owner per compose service) and swarm services' own labels.
pub fn from_labels(snap: &Snapshot) -> Vec<Route> {
    let traefik = Traefik::find(snap);
    let owners = owner::owners(snap);
    let mut shared = labels_v2::Shared::default();
    for o in &owners {
        shared.add(o, &labels_v2::declared(o.labels), traefik.as_ref());
    }
    let mut out = Vec::new();
    for o in &owners {
        let Some(routes) = owner_routes(o, &shared, traefik.as_ref()) else {
            continue;
        };
        out.extend(routes.into_iter().map(|(r, config)| (r, config, o.swarm)));
    }
    let mut out = merge_routers(out);
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Routers of one name that several containers define: Traefik's docker
/// provider keeps one router when their configurations are the same (its
/// service then has every container's servers) and drops it when they
/// differ ("defined multiple times with different configurations").
/// Swarm services are another provider's: never merged with containers.
fn merge_routers(routes: Vec<(Route, Option<String>, bool)>) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    let mut seen: std::collections::HashMap<(String, bool), (usize, String, bool)> =
        std::collections::HashMap::new();
    let mut differ: Vec<usize> = Vec::new();
    for (r, config, swarm) in routes {
        let Some(config) = config else {
            out.push(r);
            continue;
        };
        match seen.get_mut(&(r.name.clone(), swarm)) {
            Some((first, first_config, _)) if *first_config == config => {
                let Some(first) = out.get_mut(*first) else {
                    continue;
                };
                for b in r.backends {
                    if !first.backends.contains(&b) {
                        first.backends.push(b);
                    }
                }
                if first.status == crate::domain::RouteStatus::NoBackend {
                    first.status = r.status;
                }
            }
            Some((first, _, marked)) => {
                if !*marked {
                    differ.push(*first);
                    *marked = true;
                }
                differ.push(out.len());
                out.push(r);
            }
            None => {
                seen.insert((r.name.clone(), swarm), (out.len(), config, false));
                out.push(r);
            }
        }
    }
    for i in differ {
        let Some(r) = out.get_mut(i) else { continue };
        r.problems.push(format!(
            "router {} is defined by several containers with different configurations: \
             Traefik drops it",
            r.name
        ));
    }
    out
}

fn owner_routes(
    o: &Owner<'_>,
    shared: &labels_v2::Shared,
    traefik: Option<&Traefik>,
) -> Option<Vec<(Route, Option<String>)>> {
    let enable =
        labels_v2::label(o.labels, "traefik.enable").map(|v| v.trim().to_ascii_lowercase());
    if enable.as_deref() == Some("false") {
        return None;
    }
    let v2 = labels_v2::applies(o.labels);
    let v1 = labels_v1::applies(o.labels);
    let mut routes = Vec::new();
    if v2 || !v1 {
        routes.extend(labels_v2::routes(o, shared, traefik));
    }
    if v1 {
        routes.extend(labels_v1::routes(o, traefik).into_iter().map(|r| (r, None)));
    }
    if let Some(t) = traefik
        && !t.exposed_by_default
        && enable.as_deref() != Some("true")
    {
        for (r, _) in &mut routes {
            r.problems.push(format!(
                "no traefik.enable=true and Traefik ({}) does not expose containers by default: it ignores these labels",
                t.name
            ));
        }
    }
    Some(routes)
}

/// The rule as written, with the hosts and paths it matches or where it
/// stops parsing.
fn set_rule(r: &mut Route, text: String, parsed: Result<rule::RuleInfo, rule::RuleError>) {
    match parsed {
        Ok(info) => {
            r.hosts = info.hosts;
            r.paths = info.paths;
        }
        Err(e) => r.problems.push(format!("rule does not parse {e}")),
    }
    r.rule = text;
}

/// `a, b,c` -> [a, b, c].
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}
