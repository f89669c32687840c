//! What a route's backend Service reaches: the workload its selector picks
//! (as the snapshot names it), its port, and its ready endpoints as the
//! addresses a prober dials. Shared by Ingresses and IngressRoutes; pure.

use crate::backend::docker::convert::clean;
use crate::domain::{self, Backend, RouteStatus};
use k8s_openapi::api::core::v1::{Endpoints, Service as KubeService, ServicePort};
use std::collections::{BTreeMap, HashMap};

/// How a route names its Service's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortRef<'a> {
    Number(i32),
    Name(&'a str),
    /// Not given: the Service's only port, if it has one.
    Unset,
}

/// A workload's pods' labels, to match a Service's selector against.
pub struct Template<'a> {
    pub namespace: &'a str,
    /// Its key in the snapshot (`ns/kind/name`).
    pub service_id: String,
    pub labels: &'a BTreeMap<String, String>,
}

/// Where one Service of a route leads.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// The berth service (`ns/name`), else the Service's own `ns/name`.
    pub service: String,
    pub service_id: String,
    /// The Service's port the route uses.
    pub port: Option<u16>,
    pub backends: Vec<Backend>,
    pub problems: Vec<String>,
    /// Whether the Service exists.
    pub exists: bool,
}

impl Reach {
    /// No backend behind a Service that exists: nothing to probe.
    pub fn status(reaches: &[Reach]) -> RouteStatus {
        let none = reaches.iter().all(|r| r.backends.is_empty());
        if none && reaches.iter().any(|r| r.exists) {
            RouteStatus::NoBackend
        } else {
            RouteStatus::Unknown
        }
    }
}

/// The Services, Endpoints and workloads a snapshot's routes resolve
/// against, by `namespace/name`.
pub struct Targets<'a> {
    services: HashMap<String, &'a KubeService>,
    endpoints: HashMap<String, &'a Endpoints>,
    templates: Vec<Template<'a>>,
    /// A pod's uid -> its workload's key, for a Service whose selector
    /// picks pods no known workload template matches.
    pod_service: HashMap<&'a str, &'a str>,
    /// The snapshot's services by key, for their `ns/name`.
    known: HashMap<&'a str, &'a domain::Service>,
}

fn key(ns: Option<&str>, name: Option<&str>) -> String {
    format!("{}/{}", ns.unwrap_or_default(), name.unwrap_or_default())
}

impl<'a> Targets<'a> {
    pub fn new(
        services: impl Iterator<Item = &'a KubeService>,
        endpoints: impl Iterator<Item = &'a Endpoints>,
        mut templates: Vec<Template<'a>>,
        snapshot_services: &'a [domain::Service],
        containers: &'a [domain::Container],
    ) -> Targets<'a> {
        templates.sort_by(|a, b| a.service_id.cmp(&b.service_id));
        Targets {
            services: services
                .map(|s| {
                    let m = &s.metadata;
                    (key(m.namespace.as_deref(), m.name.as_deref()), s)
                })
                .collect(),
            endpoints: endpoints
                .map(|e| {
                    let m = &e.metadata;
                    (key(m.namespace.as_deref(), m.name.as_deref()), e)
                })
                .collect(),
            templates,
            pod_service: containers
                .iter()
                .map(|c| (c.id.as_str(), c.service_id.as_str()))
                .collect(),
            known: snapshot_services
                .iter()
                .map(|s| (s.id.as_str(), s))
                .collect(),
        }
    }

    /// Where Service `name` in `ns` leads on `port`, and what is wrong.
    pub fn reach(&self, ns: &str, name: &str, port: PortRef<'_>) -> Reach {
        let qualified = clean(&format!("{ns}/{name}"));
        let Some(svc) = self.services.get(&format!("{ns}/{name}")) else {
            return Reach {
                problems: vec![format!("service {qualified} does not exist")],
                port: match port {
                    PortRef::Number(n) => u16::try_from(n).ok(),
                    _ => None,
                },
                service: qualified,
                ..Reach::default()
            };
        };
        let spec = svc.spec.as_ref();
        let ports: &[ServicePort] = spec.and_then(|s| s.ports.as_deref()).unwrap_or_default();
        let found = match port {
            PortRef::Number(n) => ports.iter().find(|p| p.port == n),
            PortRef::Name(n) => ports.iter().find(|p| p.name.as_deref() == Some(n)),
            PortRef::Unset => match ports {
                [one] => Some(one),
                _ => None,
            },
        };
        let mut reach = Reach {
            exists: true,
            port: match (found, port) {
                (Some(p), _) => u16::try_from(p.port).ok(),
                (None, PortRef::Number(n)) => u16::try_from(n).ok(),
                _ => None,
            },
            ..Reach::default()
        };
        match (found, port) {
            (Some(_), _) => {}
            (None, PortRef::Number(n)) => reach
                .problems
                .push(format!("service {qualified} has no port {n}")),
            (None, PortRef::Name(n)) => reach
                .problems
                .push(clean(&format!("service {qualified} has no port named {n}"))),
            (None, PortRef::Unset) => reach.problems.push(format!(
                "no port given and service {qualified} has {} ports",
                ports.len()
            )),
        }
        if let Some(sp) = found {
            reach.backends = self.backends(ns, name, svc, sp);
        }
        let (service, service_id) = self.workload(ns, svc, &reach.backends).unwrap_or_default();
        reach.service = if service.is_empty() {
            qualified
        } else {
            service
        };
        reach.service_id = service_id;
        reach
    }

    /// The ready endpoints of Service port `sp`, or the external name an
    /// ExternalName Service stands for.
    fn backends(&self, ns: &str, name: &str, svc: &KubeService, sp: &ServicePort) -> Vec<Backend> {
        let spec = svc.spec.as_ref();
        if spec.and_then(|s| s.type_.as_deref()) == Some("ExternalName") {
            return spec
                .and_then(|s| s.external_name.as_deref())
                .map(|host| Backend {
                    container_id: String::new(),
                    address: clean(host),
                    port: u16::try_from(sp.port).unwrap_or_default(),
                })
                .into_iter()
                .collect();
        }
        let Some(ep) = self.endpoints.get(&format!("{ns}/{name}")) else {
            return Vec::new();
        };
        // The endpoints controller names each endpoint port as its
        // Service port (both unnamed on a one-port Service).
        let wanted = sp.name.as_deref().unwrap_or_default();
        let mut out: Vec<Backend> = ep
            .subsets
            .iter()
            .flatten()
            .filter_map(|s| {
                let port = s
                    .ports
                    .iter()
                    .flatten()
                    .find(|p| p.name.as_deref().unwrap_or_default() == wanted)?;
                Some((s, u16::try_from(port.port).ok()?))
            })
            .flat_map(|(s, port)| {
                s.addresses.iter().flatten().map(move |a| Backend {
                    container_id: a
                        .target_ref
                        .as_ref()
                        .filter(|r| r.kind.as_deref() == Some("Pod"))
                        .and_then(|r| r.uid.as_deref())
                        .map(clean)
                        .unwrap_or_default(),
                    address: clean(&a.ip),
                    port,
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The workload a Service's selector picks, as (`ns/name`, key): one
    /// whose pod template carries every selected label, else the one the
    /// Service's ready pods belong to.
    fn workload(
        &self,
        ns: &str,
        svc: &KubeService,
        backends: &[Backend],
    ) -> Option<(String, String)> {
        let selector = svc.spec.as_ref().and_then(|s| s.selector.as_ref());
        let by_selector = selector.filter(|s| !s.is_empty()).and_then(|sel| {
            self.templates
                .iter()
                .find(|t| t.namespace == ns && sel.iter().all(|(k, v)| t.labels.get(k) == Some(v)))
        });
        let id = match by_selector {
            Some(t) => t.service_id.as_str(),
            None => backends
                .iter()
                .filter_map(|b| self.pod_service.get(b.container_id.as_str()))
                .copied()
                .find(|id| self.known.contains_key(id))?,
        };
        let s = self.known.get(id)?;
        let stack = s.stack.as_deref().unwrap_or(ns);
        Some((format!("{stack}/{}", s.name), s.id.clone()))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Targets over Services and Endpoints given as JSON, a Deployment
    /// `web` in `shop` whose pods carry `app: web`, and its pod `pod-1`.
    pub struct Fixture {
        services: Vec<KubeService>,
        endpoints: Vec<Endpoints>,
        labels: BTreeMap<String, String>,
        known: Vec<domain::Service>,
        containers: Vec<domain::Container>,
    }

    impl Fixture {
        pub fn new(services: Vec<serde_json::Value>, endpoints: Vec<serde_json::Value>) -> Fixture {
            Fixture {
                services: services
                    .into_iter()
                    .map(|v| serde_json::from_value(v).expect("service"))
                    .collect(),
                endpoints: endpoints
                    .into_iter()
                    .map(|v| serde_json::from_value(v).expect("endpoints"))
                    .collect(),
                labels: [("app".to_owned(), "web".to_owned())].into(),
                known: vec![domain::Service {
                    id: "shop/deployment/web".into(),
                    name: "web".into(),
                    stack: Some("shop".into()),
                    ..domain::Service::default()
                }],
                containers: vec![domain::Container {
                    id: "pod-1".into(),
                    service_id: "shop/deployment/web".into(),
                    ..domain::Container::default()
                }],
            }
        }

        pub fn targets(&self) -> Targets<'_> {
            Targets::new(
                self.services.iter(),
                self.endpoints.iter(),
                vec![Template {
                    namespace: "shop",
                    service_id: "shop/deployment/web".into(),
                    labels: &self.labels,
                }],
                &self.known,
                &self.containers,
            )
        }
    }

    /// Service `web` in `shop` selecting `app: web`, ports http 80 -> 8080
    /// and admin 9000; one ready pod 10.1.0.7 (and one not ready).
    pub fn shop() -> Fixture {
        Fixture::new(
            vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"selector": {"app": "web"}, "ports": [
                    {"name": "http", "port": 80, "targetPort": 8080},
                    {"name": "admin", "port": 9000}]}
            })],
            vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "subsets": [{"addresses": [{"ip": "10.1.0.7",
                        "targetRef": {"kind": "Pod", "name": "web-x", "uid": "pod-1"}}],
                    "ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 9000}]}]
            })],
        )
    }

    #[test]
    fn a_service_port_by_number_or_name_leads_to_the_ready_pods_target_port() {
        let f = shop();
        let t = f.targets();
        for port in [PortRef::Number(80), PortRef::Name("http")] {
            let r = t.reach("shop", "web", port);
            assert_eq!(r.service, "shop/web");
            assert_eq!(r.service_id, "shop/deployment/web");
            assert_eq!(r.port, Some(80));
            assert_eq!(
                r.backends,
                [Backend {
                    container_id: "pod-1".into(),
                    address: "10.1.0.7".into(),
                    port: 8080
                }]
            );
            assert!(r.problems.is_empty() && r.exists);
        }
        // Two ports and none named: which one is not known.
        let r = t.reach("shop", "web", PortRef::Unset);
        assert_eq!(
            r.problems,
            ["no port given and service shop/web has 2 ports"]
        );
    }

    #[test]
    fn a_missing_service_or_port_is_a_problem_and_no_endpoints_is_no_backend() {
        let f = shop();
        let t = f.targets();
        let r = t.reach("shop", "api", PortRef::Number(80));
        assert_eq!(r.problems, ["service shop/api does not exist"]);
        assert_eq!((r.service.as_str(), r.exists), ("shop/api", false));
        assert_eq!(
            Reach::status(std::slice::from_ref(&r)),
            RouteStatus::Unknown
        );
        let r = t.reach("shop", "web", PortRef::Number(8080));
        assert_eq!(r.problems, ["service shop/web has no port 8080"]);
        assert_eq!(r.port, Some(8080));
        let r = t.reach("shop", "web", PortRef::Name("https"));
        assert_eq!(r.problems, ["service shop/web has no port named https"]);
        assert!(r.backends.is_empty());

        // A Service whose pods are not ready: no problem, no backend.
        let f = Fixture::new(
            vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}
            })],
            vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "subsets": [{"notReadyAddresses": [{"ip": "10.1.0.7"}], "ports": [{"port": 80}]}]
            })],
        );
        let t = f.targets();
        let r = t.reach("shop", "web", PortRef::Number(80));
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        // Its selector still names the Deployment.
        assert_eq!(r.service_id, "shop/deployment/web");
        assert_eq!(
            Reach::status(std::slice::from_ref(&r)),
            RouteStatus::NoBackend
        );
    }

    #[test]
    fn an_external_name_service_is_its_host() {
        let f = Fixture::new(
            vec![serde_json::json!({
                "metadata": {"name": "ext", "namespace": "shop"},
                "spec": {"type": "ExternalName", "externalName": "api.example.net",
                    "ports": [{"port": 443}]}
            })],
            vec![],
        );
        let r = f.targets().reach("shop", "ext", PortRef::Number(443));
        assert_eq!(r.service, "shop/ext");
        assert_eq!(r.service_id, "");
        assert_eq!(r.backends[0].address, "api.example.net");
        assert_eq!(r.backends[0].port, 443);
    }
}
