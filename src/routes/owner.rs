//! What Traefik reads labels from, as its providers see it: a container, a
//! compose service's containers (one name, several servers), or a swarm
//! service (its own labels, its tasks as servers).

use super::traefik::{self, Traefik};
use crate::domain::{Backend, Container, RouteStatus, ServiceKind, Snapshot};
use std::collections::BTreeMap;

pub struct Owner<'a> {
    /// Traefik's name for it before normalizing: the container's name,
    /// `<service>-<project>` for compose, the swarm service's full name.
    pub name: String,
    pub labels: &'a [(String, String)],
    /// The berth service it is, qualified, and its key.
    pub service: String,
    pub service_id: String,
    pub stack: Option<String>,
    pub swarm: bool,
    /// Its replicas (not history tasks), running or not.
    pub members: Vec<&'a Container>,
    /// Running replicas whose labels differ from the first one's.
    pub disagree: bool,
    /// Running replicas a swarm service has, from its counts (tasks are
    /// listed only for what is on screen).
    pub running: u32,
}

impl Owner<'_> {
    /// Ports the container exposes (tcp), lowest first.
    pub fn exposed(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .members
            .first()
            .map(|c| {
                c.ports
                    .iter()
                    .filter(|p| p.protocol == "tcp")
                    .map(|p| p.container_port)
                    .collect()
            })
            .unwrap_or_default();
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    fn running(&self) -> impl Iterator<Item = &&Container> {
        self.members.iter().filter(|c| c.state.is_running())
    }

    /// The servers behind it on `port`: each running replica's address on
    /// the network Traefik would use.
    pub fn backends(
        &self,
        port: Option<u16>,
        network: Option<&str>,
        traefik: Option<&Traefik>,
    ) -> Vec<Backend> {
        let Some(port) = port else { return Vec::new() };
        self.running()
            .filter_map(|c| {
                address(c, network, traefik).map(|address| Backend {
                    container_id: c.id.clone(),
                    address,
                    port,
                })
            })
            .collect()
    }

    /// No backend when nothing runs; otherwise unknown until probed.
    pub fn initial_status(&self) -> RouteStatus {
        let running = if self.swarm {
            self.running
        } else {
            self.running().count() as u32
        };
        if running == 0 {
            RouteStatus::NoBackend
        } else {
            RouteStatus::Unknown
        }
    }

    /// What is wrong with the network Traefik would reach it on.
    pub fn network_problems(
        &self,
        network: Option<&str>,
        traefik: Option<&Traefik>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some(c) = self.running().next() else {
            return out;
        };
        // A swarm task's networks are not listed here; host networking
        // needs no shared network.
        if c.networks.is_empty() || c.networks.iter().any(|(n, _)| n == "host") {
            return out;
        }
        let names: Vec<&str> = c.networks.iter().map(|(n, _)| n.as_str()).collect();
        if let Some(net) = network {
            if !names.contains(&net) {
                out.push(format!(
                    "traefik.docker.network={net}: the container is not on it (it is on {})",
                    names.join(", ")
                ));
            }
            if let Some(t) = traefik
                && !t.networks.iter().any(|n| n == net)
            {
                out.push(format!("Traefik ({}) is not on network {net}", t.name));
            }
        } else if let Some(t) = traefik
            && !t.networks.iter().any(|n| n == "host")
            && !names.iter().any(|n| t.networks.iter().any(|tn| tn == n))
        {
            out.push(format!(
                "Traefik ({}) shares no network with it (Traefik: {}; it: {})",
                t.name,
                t.networks.join(", "),
                names.join(", ")
            ));
        }
        out
    }
}

/// The address Traefik would dial: on the labelled network, else one it
/// shares with Traefik, else the first.
fn address(c: &Container, network: Option<&str>, traefik: Option<&Traefik>) -> Option<String> {
    let on = |name: &str| {
        c.networks
            .iter()
            .find(|(n, ip)| n == name && !ip.is_empty())
            .map(|(_, ip)| ip.clone())
    };
    if let Some(ip) = network.and_then(on) {
        return Some(ip);
    }
    if let Some(ip) = traefik.and_then(|t| t.networks.iter().find_map(|n| on(n))) {
        return Some(ip);
    }
    c.networks
        .iter()
        .find(|(_, ip)| !ip.is_empty())
        .map(|(_, ip)| ip.clone())
}

/// Everything in `snap` that carries Traefik labels, Traefik itself aside.
pub fn owners(snap: &Snapshot) -> Vec<Owner<'_>> {
    let mut groups: BTreeMap<String, Owner<'_>> = BTreeMap::new();
    for c in &snap.containers {
        if c.route_labels.is_empty()
            || c.service_kind == ServiceKind::Swarm
            || traefik::is_traefik(c)
        {
            continue;
        }
        let name = match (c.service_kind, &c.service, &c.stack) {
            (ServiceKind::Compose, Some(s), Some(p)) => format!("{s}-{p}"),
            _ => c.name.clone(),
        };
        let owner = groups.entry(name.clone()).or_insert_with(|| Owner {
            name,
            labels: &c.route_labels,
            service: c
                .stack
                .as_ref()
                .zip(c.service.as_ref())
                .map(|(p, s)| format!("{p}/{s}"))
                .unwrap_or_else(|| c.name.clone()),
            service_id: c.service_id.clone(),
            stack: c.stack.clone(),
            swarm: false,
            members: Vec::new(),
            disagree: false,
            running: 0,
        });
        // The labels of a running replica are the ones Traefik reads.
        let first_running = owner.members.iter().all(|m| !m.state.is_running());
        if c.state.is_running() {
            if first_running {
                owner.labels = &c.route_labels;
            } else if owner.labels != c.route_labels.as_slice() {
                owner.disagree = true;
            }
        }
        owner.members.push(c);
    }
    let mut out: Vec<Owner<'_>> = groups.into_values().collect();
    for s in snap
        .services
        .iter()
        .filter(|s| s.kind == ServiceKind::Swarm && !s.route_labels.is_empty())
    {
        let full = match &s.stack {
            Some(stack) => format!("{stack}_{}", s.name),
            None => s.name.clone(),
        };
        out.push(Owner {
            name: full,
            labels: &s.route_labels,
            service: s.qualified_name(),
            service_id: s.id.clone(),
            stack: s.stack.clone(),
            swarm: true,
            members: snap
                .containers_of_service(&s.id)
                .filter(|c| !c.task.as_ref().is_some_and(|t| t.history))
                .collect(),
            disagree: false,
            running: s.replicas_running,
        });
    }
    out
}

/// Traefik's names: runs of anything but letters and digits become one
/// `-`, none at either end.
pub fn normalize(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized_as_traefik_does() {
        assert_eq!(normalize("web-shop"), "web-shop");
        assert_eq!(normalize("shop_web"), "shop-web");
        assert_eq!(normalize("/my..app__1"), "my-app-1");
    }
}
