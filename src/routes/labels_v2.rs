//! Traefik v2/v3 labels (`traefik.http.routers.<r>.rule`, …) into routes,
//! with Traefik's defaults where labels are left out (OPERATIONS.md):
//! one service named after the container, one router with the default
//! rule when there is exactly one service, a router without a service
//! linked to the only one.

use super::owner::{Owner, normalize};
use super::rule::{self, Syntax};
use super::traefik::Traefik;
use super::{middleware, split_list};
use crate::domain::{Backend, Route, RouteSource, RouteStatus};
use std::collections::{BTreeMap, HashMap};

/// Properties by name, keyed by lowercase property path.
type Props = BTreeMap<String, String>;

/// The routers, services and middlewares one owner's labels declare.
#[derive(Default)]
pub struct Declared {
    routers: BTreeMap<String, Props>,
    services: BTreeMap<String, Props>,
    pub middlewares: BTreeMap<String, Vec<(String, String)>>,
}

/// Whether these labels use the v2/v3 keys.
pub fn applies(labels: &[(String, String)]) -> bool {
    labels
        .iter()
        .any(|(k, _)| k.to_ascii_lowercase().starts_with("traefik.http."))
}

pub fn declared(labels: &[(String, String)]) -> Declared {
    let mut d = Declared::default();
    for (k, v) in labels {
        let Some(rest) = strip_prefix_ci(k, "traefik.http.") else {
            continue;
        };
        let mut parts = rest.splitn(3, '.');
        let (Some(kind), Some(name), Some(prop)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let prop = prop.to_ascii_lowercase();
        let value = v.clone();
        match kind.to_ascii_lowercase().as_str() {
            "routers" => {
                d.routers
                    .entry(name.to_owned())
                    .or_default()
                    .insert(prop, value);
            }
            "services" => {
                d.services
                    .entry(name.to_owned())
                    .or_default()
                    .insert(prop, value);
            }
            "middlewares" => d
                .middlewares
                .entry(name.to_owned())
                .or_default()
                .push((prop, value)),
            _ => {}
        }
    }
    d
}

/// What every owner declares, for references across containers
/// (`auth@docker` defined by another container's labels).
#[derive(Default)]
pub struct Shared {
    pub middlewares: HashMap<String, (String, Vec<String>)>,
    pub services: HashMap<String, SharedService>,
    /// Each middleware's options (sorted), to find those that owners
    /// define differently: Traefik drops them.
    middleware_options: HashMap<String, Vec<(String, String)>>,
    conflicting: std::collections::HashSet<String>,
}

/// A service as a router of another owner reaches it: Traefik sends that
/// router to the defining container's servers.
pub struct SharedService {
    pub service: String,
    pub service_id: String,
    pub port: Option<u16>,
    pub backends: Vec<Backend>,
    pub status: RouteStatus,
}

impl Shared {
    pub fn add(&mut self, owner: &Owner<'_>, d: &Declared, traefik: Option<&Traefik>) {
        for (name, opts) in &d.middlewares {
            self.middlewares
                .entry(name.clone())
                .or_insert_with(|| middleware::describe(opts));
            let mut sorted = opts.clone();
            sorted.sort();
            match self.middleware_options.get(name) {
                Some(first) if *first != sorted => {
                    self.conflicting.insert(name.clone());
                }
                Some(_) => {}
                None => {
                    self.middleware_options.insert(name.clone(), sorted);
                }
            }
        }
        let network = label(owner.labels, "traefik.docker.network");
        let exposed = owner.exposed();
        for (name, props) in &d.services {
            self.services.entry(name.clone()).or_insert_with(|| {
                // Its port problems are told on the owner's own routes.
                let port = port(owner, name, props, &exposed, &mut Vec::new());
                SharedService {
                    service: owner.service.clone(),
                    service_id: owner.service_id.clone(),
                    port,
                    backends: owner.backends(port, network, traefik),
                    status: owner.initial_status(),
                }
            });
        }
    }
}

/// The owner's routes, each with its router's configuration as Traefik
/// compares it when several containers define the same router (`None`
/// for a route that is no router).
pub fn routes(
    owner: &Owner<'_>,
    shared: &Shared,
    traefik: Option<&Traefik>,
) -> Vec<(Route, Option<String>)> {
    let d = declared(owner.labels);
    let default_name = normalize(&owner.name);
    let mut services = d.services.clone();
    if services.is_empty() {
        services.insert(default_name.clone(), Props::new());
    }
    let mut routers = d.routers.clone();
    let mut owner_problems = Vec::new();
    if owner.disagree {
        owner_problems.push(
            "its replicas' labels differ: Traefik drops the router (defined multiple times with \
             different configurations)"
                .to_owned(),
        );
    }
    if routers.is_empty() {
        if services.len() == 1 {
            routers.insert(default_name.clone(), Props::new());
        } else {
            // Traefik makes no router; say so where the operator looks.
            let names: Vec<&str> = services.keys().map(String::as_str).collect();
            let mut r = base(owner, &default_name);
            r.problems = owner_problems;
            r.problems.push(format!(
                "several services ({}) and no router: Traefik makes no route",
                names.join(", ")
            ));
            return vec![(r, None)];
        }
    }
    let network = label(owner.labels, "traefik.docker.network");
    let exposed = owner.exposed();
    // Traefik gives every service of the owner its servers, used by a
    // router or not, and skips the whole owner when one has no port.
    let ports: BTreeMap<&str, (Option<u16>, Vec<String>)> = services
        .iter()
        .map(|(name, props)| {
            let mut problems = Vec::new();
            let p = port(owner, name, props, &exposed, &mut problems);
            (name.as_str(), (p, problems))
        })
        .collect();
    let mut out = Vec::new();
    for (name, props) in &routers {
        let mut r = base(owner, name);
        r.problems = owner_problems.clone();
        let text = props
            .get("rule")
            .cloned()
            .unwrap_or_else(|| format!("Host(`{default_name}`)"));
        let syntax = match props.get("rulesyntax").map(String::as_str) {
            Some("v2") => Syntax::V2,
            Some("v3") => Syntax::V3,
            _ => traefik.map(|t| t.syntax).unwrap_or(Syntax::V2),
        };
        let parsed = rule::parse_v2(&text, syntax);
        super::set_rule(&mut r, text, parsed);
        r.entrypoints = props
            .get("entrypoints")
            .map(|e| split_list(e))
            .unwrap_or_default();
        let tls_props: Vec<(&String, &String)> =
            props.iter().filter(|(k, _)| k.starts_with("tls")).collect();
        r.tls = tls_props
            .iter()
            .any(|(k, v)| k.as_str() != "tls" || v.eq_ignore_ascii_case("true"));
        r.tls_detail = props
            .get("tls.certresolver")
            .map(|c| format!("certresolver {c}"))
            .unwrap_or_default();
        if let (Some(t), Some(c)) = (traefik, props.get("tls.certresolver")) {
            r.problems.extend(t.resolver_problem(c.trim()));
        }
        for m in props
            .get("middlewares")
            .map(|m| split_list(m))
            .unwrap_or_default()
        {
            r.middlewares
                .push(middleware_text(&m, &d, shared, &mut r.problems));
        }
        let mut own: Option<String> = None;
        let service = match props.get("service") {
            Some(s) => Some(s.clone()),
            None if services.len() == 1 => services.keys().next().cloned(),
            None => {
                let names: Vec<&str> = services.keys().map(String::as_str).collect();
                r.problems.push(format!(
                    "router {name} names no service and the labels define several ({}): Traefik drops it",
                    names.join(", ")
                ));
                None
            }
        };
        let config = format!("{props:?} {service:?}");
        if let Some(svc) = service {
            let local = svc
                .strip_suffix("@docker")
                .or_else(|| svc.strip_suffix("@swarm"))
                .unwrap_or(&svc);
            match ports.get(local) {
                Some((port, problems)) => {
                    own = Some(local.to_owned());
                    r.port = *port;
                    r.problems.extend(problems.iter().cloned());
                    r.backends = owner.backends(r.port, network, traefik);
                    r.status = owner.initial_status();
                    r.problems.extend(owner.network_problems(network, traefik));
                }
                None if svc.contains('@')
                    && !svc.ends_with("@docker")
                    && !svc.ends_with("@swarm") =>
                {
                    r.service = svc.clone();
                    r.service_id.clear();
                }
                None => match shared.services.get(local) {
                    Some(other) => {
                        r.service = other.service.clone();
                        r.service_id = other.service_id.clone();
                        r.port = other.port;
                        r.backends = other.backends.clone();
                        r.status = other.status;
                    }
                    None => r
                        .problems
                        .push(format!("router {name}: service {svc} is not defined")),
                },
            }
        }
        for (svc, (port, problems)) in &ports {
            // Its own service's problems are told above.
            if port.is_none() && own.as_deref() != Some(*svc) {
                for p in problems {
                    r.problems.push(format!(
                        "service {svc}: {p}: Traefik skips every router of {}",
                        owner.name
                    ));
                }
            }
        }
        out.push((r, Some(config)));
    }
    out
}

fn base(owner: &Owner<'_>, name: &str) -> Route {
    Route {
        id: format!("traefik-v2/{}/{name}", owner.name),
        name: name.to_owned(),
        source: RouteSource::TraefikV2,
        service: owner.service.clone(),
        service_id: owner.service_id.clone(),
        stack: owner.stack.clone(),
        status: owner.initial_status(),
        ..Route::default()
    }
}

/// The server port: the label, else the lowest exposed port; a swarm
/// service exposes none to Traefik.
fn port(
    owner: &Owner<'_>,
    service: &str,
    props: &Props,
    exposed: &[u16],
    problems: &mut Vec<String>,
) -> Option<u16> {
    let key = format!("traefik.http.services.{service}.loadbalancer.server.port");
    match props.get("loadbalancer.server.port") {
        Some(p) => match p.trim().parse::<u16>() {
            Ok(port) => {
                if !owner.swarm && !exposed.is_empty() && !exposed.contains(&port) {
                    problems.push(format!(
                        "port {port} is not exposed by the container (it exposes {})",
                        join_ports(exposed)
                    ));
                }
                Some(port)
            }
            Err(_) => {
                problems.push(format!("{key}={p} is not a port"));
                None
            }
        },
        None if owner.swarm => {
            problems.push(format!(
                "a swarm service needs the label {key}: Traefik does not read a service's ports"
            ));
            None
        }
        None => match exposed.first() {
            Some(p) => Some(*p),
            None => {
                problems.push(format!(
                    "port is missing: no label {key} and the container exposes no port"
                ));
                None
            }
        },
    }
}

pub fn join_ports(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A middleware by what it does, looked up in these labels, then in every
/// container's (`name@docker`); one from another provider by its name.
fn middleware_text(
    name: &str,
    d: &Declared,
    shared: &Shared,
    problems: &mut Vec<String>,
) -> String {
    let local = name
        .strip_suffix("@docker")
        .or_else(|| name.strip_suffix("@swarm"))
        .unwrap_or(name);
    if shared.conflicting.contains(local) {
        problems.push(format!(
            "middleware {local} is defined by several containers with different \
             configurations: Traefik drops it and disables this router"
        ));
    }
    if let Some(opts) = d.middlewares.get(local) {
        let (text, p) = middleware::describe(opts);
        problems.extend(p);
        return text;
    }
    if let Some((text, p)) = shared.middlewares.get(local) {
        problems.extend(p.iter().cloned());
        return text.clone();
    }
    if !name.contains('@') || local != name {
        problems.push(format!(
            "middleware {name} is not defined by any container's labels"
        ));
    }
    name.to_owned()
}

pub fn label<'a>(labels: &'a [(String, String)], key: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

pub fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}
