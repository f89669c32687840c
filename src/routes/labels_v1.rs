//! Traefik v1 labels (`traefik.frontend.rule`, `traefik.port`, …), with
//! their segments (`traefik.<segment>.frontend.rule`) each a route.

use super::labels_v2::{join_ports, label};
use super::owner::{Owner, normalize};
use super::traefik::Traefik;
use super::{middleware, rule, split_list};
use crate::domain::{Route, RouteSource};
use std::collections::BTreeMap;

/// First words after `traefik.` that are v1 settings, not segment names.
const RESERVED: &[&str] = &[
    "enable", "port", "protocol", "weight", "backend", "frontend", "docker", "tags", "domain",
    "http", "tcp", "udp", "swarm",
];

/// Whether these labels use the v1 keys.
pub fn applies(labels: &[(String, String)]) -> bool {
    labels.iter().any(|(k, _)| {
        let k = k.to_ascii_lowercase();
        k.starts_with("traefik.frontend.")
            || k == "traefik.port"
            || k == "traefik.backend"
            || k.starts_with("traefik.backend.")
            || segment_of(&k).is_some()
    })
}

/// `traefik.<segment>.frontend.…` / `traefik.<segment>.port`: the segment.
fn segment_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("traefik.")?;
    let (seg, prop) = rest.split_once('.')?;
    let is_v1_prop =
        prop.starts_with("frontend.") || prop == "port" || prop == "protocol" || prop == "weight";
    (!RESERVED.contains(&seg) && is_v1_prop).then_some(seg)
}

pub fn routes(owner: &Owner<'_>, traefik: Option<&Traefik>) -> Vec<Route> {
    // Segment -> its properties (`frontend.rule`, `port`, …); "" the default.
    let mut segments: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (k, v) in owner.labels {
        let lower = k.to_ascii_lowercase();
        if let Some(seg) = segment_of(&lower) {
            let prop = lower[("traefik.".len() + seg.len() + 1)..].to_owned();
            segments
                .entry(seg.to_owned())
                .or_default()
                .insert(prop, v.clone());
        } else if let Some(prop) = lower.strip_prefix("traefik.")
            && (prop.starts_with("frontend.") || prop == "port" || prop == "protocol")
        {
            segments
                .entry(String::new())
                .or_default()
                .insert(prop.to_owned(), v.clone());
        }
    }
    if segments.is_empty() {
        segments.insert(String::new(), BTreeMap::new());
    }
    let backend = label(owner.labels, "traefik.backend")
        .map(str::to_owned)
        .unwrap_or_else(|| normalize(&owner.name));
    let network = label(owner.labels, "traefik.docker.network");
    let exposed = owner.exposed();
    let mut out = Vec::new();
    for (seg, props) in &segments {
        let name = if seg.is_empty() {
            backend.clone()
        } else {
            format!("{backend}-{seg}")
        };
        let mut r = Route {
            id: format!("traefik-v1/{}/{name}", owner.name),
            name,
            source: RouteSource::TraefikV1,
            service: owner.service.clone(),
            service_id: owner.service_id.clone(),
            stack: owner.stack.clone(),
            status: owner.initial_status(),
            ..Route::default()
        };
        if owner.disagree {
            r.problems
                .push("its replicas' labels differ: Traefik serves one of them".into());
        }
        let text = props
            .get("frontend.rule")
            .cloned()
            .unwrap_or_else(|| default_rule(owner));
        let parsed = rule::parse_v1(&text);
        super::set_rule(&mut r, text, parsed);
        r.entrypoints = props
            .get("frontend.entrypoints")
            .map(|e| split_list(e))
            .unwrap_or_default();
        let users = props
            .get("frontend.auth.basic.users")
            .or_else(|| props.get("frontend.auth.basic"));
        if let Some(users) = users {
            r.middlewares
                .push(middleware::users_text("basic auth", users));
            r.problems.extend(middleware::basic_auth_problems(users));
        }
        if let Some(a) = props.get("frontend.auth.forward.address") {
            r.middlewares.push(format!("forward auth {a}"));
        }
        if let Some(e) = props.get("frontend.redirect.entrypoint") {
            r.middlewares.push(format!("redirect to {e}"));
        }
        if props.keys().any(|k| k.starts_with("frontend.headers.")) {
            r.middlewares.push("headers".into());
        }
        r.port = match props.get("port") {
            Some(p) => match p.trim().parse::<u16>() {
                Ok(port) => {
                    if !owner.swarm && !exposed.is_empty() && !exposed.contains(&port) {
                        r.problems.push(format!(
                            "port {port} is not exposed by the container (it exposes {})",
                            join_ports(&exposed)
                        ));
                    }
                    Some(port)
                }
                Err(_) => {
                    r.problems.push(format!("traefik.port={p} is not a port"));
                    None
                }
            },
            None if owner.swarm => {
                r.problems
                    .push("a swarm service needs the label traefik.port".into());
                None
            }
            None => {
                if exposed.len() > 1 {
                    r.problems.push(format!(
                        "no traefik.port and it exposes several ports ({}): Traefik takes the lowest",
                        join_ports(&exposed)
                    ));
                }
                match exposed.first() {
                    Some(p) => Some(*p),
                    None => {
                        r.problems.push("port is missing: no traefik.port label and the container exposes no port".into());
                        None
                    }
                }
            }
        };
        r.backends = owner.backends(r.port, network, traefik);
        r.problems.extend(owner.network_problems(network, traefik));
        out.push(r);
    }
    out
}

/// v1's default: `Host:<service>.<project>` for compose, else the name,
/// with `traefik.domain` when given.
fn default_rule(owner: &Owner<'_>) -> String {
    let compose = owner
        .stack
        .as_deref()
        .and_then(|p| Some((owner.name.strip_suffix(p)?.strip_suffix('-')?, p)));
    let base = match compose {
        Some((svc, project)) if !owner.swarm => format!("{svc}.{project}"),
        _ => normalize(&owner.name),
    };
    match label(owner.labels, "traefik.domain") {
        Some(d) => format!("Host:{base}.{d}"),
        None => format!("Host:{base}"),
    }
}
