//! A route: which host and path reach which service, where it was declared
//! (Traefik labels, an Ingress, an IngressRoute, an haproxy config), what
//! is wrong with it, and whether its backends answer.

use serde::Serialize;

/// Where a route was declared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RouteSource {
    #[serde(rename = "traefik-v1")]
    TraefikV1,
    /// Traefik v2 and v3 labels (`traefik.http.routers.…`): the same keys.
    #[default]
    #[serde(rename = "traefik-v2")]
    TraefikV2,
    #[serde(rename = "ingress")]
    Ingress,
    #[serde(rename = "ingressroute")]
    IngressRoute,
    #[serde(rename = "haproxy")]
    Haproxy,
}

impl RouteSource {
    pub fn label(self) -> &'static str {
        match self {
            Self::TraefikV1 => "traefik-v1",
            Self::TraefikV2 => "traefik-v2",
            Self::Ingress => "ingress",
            Self::IngressRoute => "ingressroute",
            Self::Haproxy => "haproxy",
        }
    }
}

/// Whether a route's backends answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RouteStatus {
    #[serde(rename = "up")]
    Up,
    #[serde(rename = "down")]
    Down,
    /// Nothing runs behind it: no running container, task or pod.
    #[serde(rename = "no backend")]
    NoBackend,
    /// Not probed yet, or not reachable from this host.
    #[default]
    #[serde(rename = "unknown")]
    Unknown,
}

impl RouteStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
            Self::NoBackend => "no backend",
            Self::Unknown => "unknown",
        }
    }
}

/// One address a route sends requests to.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Backend {
    /// The container (task, pod) behind it, as the snapshot names it by id;
    /// empty for a server that is no container berth knows (haproxy).
    pub container_id: String,
    /// An IP address or host name, as the prober dials it.
    pub address: String,
    pub port: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Unique and stable across snapshots: source, owner and name.
    #[serde(skip)]
    pub id: String,
    /// The router's, Ingress rule's, IngressRoute's or frontend's name.
    pub name: String,
    pub source: RouteSource,
    /// The rule as declared (v2/v3 matchers, v1 functions, or one made up
    /// from an Ingress or haproxy ACLs).
    pub rule: String,
    /// Hosts matched; a regular expression starts with `~`. Empty: any host.
    pub hosts: Vec<String>,
    /// Paths matched: `/api*` a prefix, `/login` exact, `~…` a regular
    /// expression. Empty: any path.
    pub paths: Vec<String>,
    pub entrypoints: Vec<String>,
    /// The Ingress class (`spec.ingressClassName` or the older
    /// `kubernetes.io/ingress.class` annotation): which controller serves it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub tls: bool,
    /// What TLS uses: "certresolver le", "secret shop-tls"; empty when none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tls_detail: String,
    /// Each middleware by kind, never its secrets: "basic auth (2 users)".
    pub middlewares: Vec<String>,
    /// The berth service it reaches (`stack/name`), or the name the source
    /// gives it when berth knows no such service.
    pub service: String,
    /// The berth service's key in the snapshot; empty when unknown.
    #[serde(skip)]
    pub service_id: String,
    pub port: Option<u16>,
    /// The stack (compose project, swarm stack, namespace) it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<Backend>,
    pub status: RouteStatus,
    /// The last probe's round trip, or the router's state from Traefik's API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u32>,
    /// Why the status is what it is: "connection refused", "HTTP 502",
    /// "traefik: server DOWN".
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status_detail: String,
    /// Lint: what is wrong with its declaration.
    pub problems: Vec<String>,
}

impl Route {
    /// Hosts for a table cell: `*` when any host matches.
    pub fn hosts_text(&self) -> String {
        if self.hosts.is_empty() {
            "*".into()
        } else {
            self.hosts.join(", ")
        }
    }

    pub fn paths_text(&self) -> String {
        self.paths.join(", ")
    }
}
