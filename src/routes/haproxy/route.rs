//! An haproxy config's routes: one per `use_backend`, one for the default
//! backend, matched to the snapshot's containers by server address.

use super::acl::{AclRef, PREDEFINED, Test};
use super::{Config, Frontend, Pool, UseBackend};
use crate::domain::{Backend, Container, Route, RouteSource, RouteStatus, Snapshot};
use std::collections::HashMap;

/// How many of a section's problems each of its routes repeats.
const SECTION_PROBLEMS: usize = 5;

/// Server addresses that name a container: its name, its compose or swarm
/// service name, and a swarm service's full name (`stack_web`, also as
/// `tasks.stack_web`), each to the container's id. Running containers win
/// over stopped ones; among those, the first listed.
pub fn name_addresses(snap: &Snapshot) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let running = snap.containers.iter().filter(|c| c.state.is_running());
    let others = snap.containers.iter().filter(|c| !c.state.is_running());
    for c in running.chain(others) {
        let mut names = vec![c.name.clone()];
        if let Some(service) = &c.service {
            names.push(service.clone());
            if c.task.is_some() {
                let full = match &c.stack {
                    Some(stack) => format!("{stack}_{service}"),
                    None => service.clone(),
                };
                names.push(format!("tasks.{full}"));
                names.push(full);
            }
        }
        for name in names {
            map.entry(name).or_insert_with(|| c.id.clone());
        }
    }
    map
}

/// Every server address berth can match: each container's IP on each of
/// its networks, then the names of [`name_addresses`].
pub fn addresses(snap: &Snapshot) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let running = snap.containers.iter().filter(|c| c.state.is_running());
    for c in running {
        for (_, ip) in &c.networks {
            if !ip.is_empty() {
                map.entry(ip.clone()).or_insert_with(|| c.id.clone());
            }
        }
    }
    for (name, id) in name_addresses(snap) {
        map.entry(name).or_insert(id);
    }
    map
}

/// The routes `cfg` declares. `origin` says where it was read (a file, or
/// `container:/path`); `addresses` maps a server address (an IP or a host
/// name, see [`addresses`]) to the id of the container it reaches.
pub fn routes(
    cfg: &Config,
    origin: &str,
    snap: &Snapshot,
    addresses: &HashMap<String, String>,
) -> Vec<Route> {
    let mut out = Vec::new();
    for fr in &cfg.frontends {
        let ctx = Ctx {
            cfg,
            fr,
            origin,
            snap,
            addresses,
        };
        for (i, ub) in fr.use_backends.iter().enumerate() {
            out.push(ctx.route(&ub.backend, Some(ub), ub.line, &format!("{i}")));
        }
        match &fr.default_backend {
            Some((name, line)) => out.push(ctx.route(name, None, *line, "default")),
            // A listen section's own servers take what no rule sends elsewhere.
            None if fr.listen && cfg.backends.iter().any(|b| b.listen && b.name == fr.name) => {
                out.push(ctx.route(&fr.name, None, fr.lines.0, "default"));
            }
            None => {}
        }
    }
    out
}

struct Ctx<'a> {
    cfg: &'a Config,
    fr: &'a Frontend,
    origin: &'a str,
    snap: &'a Snapshot,
    addresses: &'a HashMap<String, String>,
}

impl Ctx<'_> {
    fn route(&self, backend: &str, rule: Option<&UseBackend>, line: usize, key: &str) -> Route {
        let fr = self.fr;
        let mut problems = self.section_problems(fr.lines);
        let (hosts, paths) = match rule {
            Some(ub) => self.claims(ub, &mut problems),
            None => (Vec::new(), Vec::new()),
        };
        let text = match rule {
            Some(ub) if ub.text.is_empty() => "always".to_owned(),
            Some(ub) => ub.text.clone(),
            None if fr.default_backend.is_some() => "default_backend".to_owned(),
            None => "listen".to_owned(),
        };
        let ssl = fr.binds.iter().find(|b| b.tls);
        let mut route = Route {
            id: format!("haproxy:{}:{}:{key}", self.origin, fr.name),
            name: format!("{}/{backend}", fr.name),
            source: RouteSource::Haproxy,
            rule: text,
            hosts,
            paths,
            entrypoints: fr.binds.iter().map(|b| b.address.clone()).collect(),
            tls: ssl.is_some(),
            tls_detail: ssl
                .and_then(|b| b.crt.as_ref())
                .map(|c| format!("crt {c}"))
                .unwrap_or_default(),
            service: backend.to_owned(),
            ..Route::default()
        };
        let what = if rule.is_some() {
            format!("use_backend {backend} (line {line})")
        } else {
            format!("default_backend {backend} (line {line})")
        };
        if backend.contains("%[") {
            problems.push(format!(
                "{what}: the backend is chosen at run time; berth cannot tell which"
            ));
            route.problems = problems;
            return route;
        }
        let Some(pool) = self.pool(backend) else {
            problems.push(format!("{what}: no backend named {backend}"));
            route.status = RouteStatus::NoBackend;
            route.problems = problems;
            return route;
        };
        if pool.lines != fr.lines {
            problems.extend(self.section_problems(pool.lines));
        }
        if pool.servers.is_empty() {
            problems.push(format!("backend {backend} has no server"));
            route.status = RouteStatus::NoBackend;
        }
        let default_port = fr.binds.iter().find_map(|b| b.port());
        let mut reached: Option<&Container> = None;
        for s in &pool.servers {
            let port = s.port.or(default_port).unwrap_or_default();
            let id = self
                .addresses
                .get(&s.address)
                .or_else(|| self.addresses.get(&s.address.to_ascii_lowercase()));
            let container = id.and_then(|id| self.snap.containers.iter().find(|c| &c.id == id));
            match container {
                Some(c) => {
                    reached = reached.or(Some(c));
                }
                None => problems.push(format!(
                    "note: server {} ({}) of backend {backend} is no container berth knows; \
                     it may run outside",
                    s.name,
                    join_port(&s.address, port)
                )),
            }
            route.backends.push(Backend {
                container_id: container.map(|c| c.id.clone()).unwrap_or_default(),
                address: s.address.clone(),
                port,
            });
        }
        route.port = route.backends.first().map(|b| b.port).filter(|p| *p != 0);
        if let Some(c) = reached {
            route.service_id = c.service_id.clone();
            route.service = self
                .snap
                .services
                .iter()
                .find(|s| s.id == c.service_id)
                .map(|s| s.qualified_name())
                .or_else(|| c.service.clone())
                .unwrap_or_else(|| c.name.clone());
            route.stack = c.stack.clone();
        }
        route.problems = problems;
        route
    }

    /// What could not be read in a section, for each of its routes: the
    /// first few, then how many more (a broken file must not multiply into
    /// every route).
    fn section_problems(&self, (first, last): (usize, usize)) -> Vec<String> {
        let mut inside = self
            .cfg
            .problems
            .iter()
            .filter(|p| (first..=last).contains(&p.line));
        let mut out: Vec<String> = inside
            .by_ref()
            .take(SECTION_PROBLEMS)
            .map(|p| p.to_string())
            .collect();
        let more = inside.count();
        if more > 0 {
            out.push(format!("and {more} more problems in lines {first}-{last}"));
        }
        out
    }

    /// The backend by name: a `backend` section, else a `listen` one.
    fn pool(&self, name: &str) -> Option<&Pool> {
        let named = || self.cfg.backends.iter().filter(move |b| b.name == name);
        named().find(|b| !b.listen).or_else(|| named().next())
    }

    /// Hosts and paths the condition's ACLs claim; a negated ACL, or an
    /// `unless` condition, claims nothing.
    fn claims(&self, ub: &UseBackend, problems: &mut Vec<String>) -> (Vec<String>, Vec<String>) {
        let (mut hosts, mut paths) = (Vec::new(), Vec::new());
        let Some(cond) = &ub.condition else {
            return (hosts, paths);
        };
        for term in cond.any_of.iter().flatten() {
            let tests: Vec<&Test> = match &term.acl {
                AclRef::Inline(test) => vec![test],
                AclRef::Named(name) => {
                    let found: Vec<&Test> = self
                        .fr
                        .acls
                        .iter()
                        .filter(|a| &a.name == name)
                        .map(|a| &a.test)
                        .collect();
                    if found.is_empty() && !PREDEFINED.contains(&name.as_str()) {
                        problems.push(format!(
                            "use_backend {} (line {}): no acl named {name} in {}",
                            ub.backend, ub.line, self.fr.name
                        ));
                    }
                    found
                }
            };
            if term.negated || cond.unless {
                continue;
            }
            for test in tests {
                let (list, into) = match test {
                    Test::Hosts(h) => (h, &mut hosts),
                    Test::Paths(p) => (p, &mut paths),
                    Test::Other(_) => continue,
                };
                for v in list {
                    if !into.contains(v) {
                        into.push(v.clone());
                    }
                }
            }
        }
        (hosts, paths)
    }
}

fn join_port(address: &str, port: u16) -> String {
    match (port, address.contains(':')) {
        (0, _) => address.to_owned(),
        (p, true) => format!("[{address}]:{p}"),
        (p, false) => format!("{address}:{p}"),
    }
}
