//! An Ingress (networking.k8s.io/v1) as routes: one per path of each rule
//! (a rule without paths and the default backend are one each), with a
//! rule made up as Traefik would write it (`Host(`a.example.org`) &&
//! PathPrefix(`/api`)`), TLS from `spec.tls`, Traefik's router annotations,
//! and the Service each path leads to. Pure.

use super::targets::{PortRef, Reach, Targets};
use crate::backend::docker::convert::clean;
use crate::domain::{Route, RouteSource};
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use std::collections::BTreeMap;

const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
const MIDDLEWARES_ANNOTATION: &str = "traefik.ingress.kubernetes.io/router.middlewares";
const ENTRYPOINTS_ANNOTATION: &str = "traefik.ingress.kubernetes.io/router.entrypoints";

/// A comma-separated annotation's items, as written.
pub fn list_annotation(annotations: Option<&BTreeMap<String, String>>, key: &str) -> Vec<String> {
    annotations
        .and_then(|a| a.get(key))
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(clean)
                .collect()
        })
        .unwrap_or_default()
}

/// One route of an Ingress before its backend is resolved.
struct Entry<'a> {
    host: Option<&'a str>,
    /// The path and whether it matches exactly (`pathType: Exact`).
    path: Option<(&'a str, bool)>,
    backend: &'a IngressBackend,
}

pub fn routes(ing: &Ingress, targets: &Targets<'_>) -> Vec<Route> {
    let meta = &ing.metadata;
    let ns = meta.namespace.as_deref().unwrap_or_default();
    let name = meta.name.as_deref().unwrap_or_default();
    let Some(spec) = ing.spec.as_ref() else {
        return Vec::new();
    };
    let annotations = meta.annotations.as_ref();
    let class = spec
        .ingress_class_name
        .as_deref()
        .or_else(|| {
            annotations
                .and_then(|a| a.get(CLASS_ANNOTATION))
                .map(String::as_str)
        })
        .map(clean);
    let middlewares = list_annotation(annotations, MIDDLEWARES_ANNOTATION);
    let entrypoints = list_annotation(annotations, ENTRYPOINTS_ANNOTATION);

    let mut entries = Vec::new();
    for rule in spec.rules.iter().flatten() {
        let host = rule.host.as_deref().filter(|h| !h.is_empty());
        match rule.http.as_ref() {
            Some(http) => entries.extend(http.paths.iter().map(|p| {
                Entry {
                    host,
                    path: p
                        .path
                        .as_deref()
                        .filter(|p| !p.is_empty())
                        .map(|path| (path, p.path_type == "Exact")),
                    backend: &p.backend,
                }
            })),
            // A host with no paths goes to the default backend.
            None => entries.extend(spec.default_backend.as_ref().map(|backend| Entry {
                host,
                path: None,
                backend,
            })),
        }
    }
    if let Some(backend) = spec.default_backend.as_ref() {
        entries.push(Entry {
            host: None,
            path: None,
            backend,
        });
    }

    let qualified = clean(&format!("{ns}/{name}"));
    let several = entries.len() > 1;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut matchers = Vec::new();
            let mut hosts = Vec::new();
            let mut paths = Vec::new();
            if let Some(h) = e.host {
                matchers.push(format!("Host(`{h}`)"));
                hosts.push(clean(h));
            }
            if let Some((p, exact)) = e.path {
                if exact {
                    matchers.push(format!("Path(`{p}`)"));
                    paths.push(clean(p));
                } else {
                    matchers.push(format!("PathPrefix(`{p}`)"));
                    paths.push(clean(&format!("{p}*")));
                }
            }
            let default = e.host.is_none() && e.path.is_none();
            let rule = if default {
                "(default backend)".to_owned()
            } else {
                clean(&matchers.join(" && "))
            };
            let route_name = match (several, default) {
                (false, _) => qualified.clone(),
                (true, true) => format!("{qualified} (default)"),
                (true, false) => clean(&format!(
                    "{qualified} {}{}",
                    e.host.unwrap_or_default(),
                    e.path.map(|p| p.0).unwrap_or_default()
                )),
            };
            // A TLS entry without hosts covers every host of the Ingress.
            let tls = spec.tls.iter().flatten().find(|t| match &t.hosts {
                Some(h) if !h.is_empty() => e.host.is_some_and(|host| h.iter().any(|x| x == host)),
                _ => true,
            });
            let reach = backend(ns, e.backend, targets);
            Route {
                id: format!("ingress/{ns}/{name}/{i}"),
                name: route_name,
                source: RouteSource::Ingress,
                rule,
                hosts,
                paths,
                entrypoints: entrypoints.clone(),
                class: class.clone(),
                tls: tls.is_some(),
                tls_detail: tls
                    .map(|t| match t.secret_name.as_deref() {
                        Some(s) if !s.is_empty() => clean(&format!("secret {s}")),
                        _ => "default certificate".to_owned(),
                    })
                    .unwrap_or_default(),
                middlewares: middlewares.clone(),
                status: Reach::status(std::slice::from_ref(&reach)),
                service: reach.service,
                service_id: reach.service_id,
                port: reach.port,
                stack: Some(clean(ns)),
                backends: reach.backends,
                problems: reach.problems,
                ..Route::default()
            }
        })
        .collect()
}

/// Where an Ingress backend leads: a Service, or another resource (a
/// bucket) berth does not follow.
fn backend(ns: &str, b: &IngressBackend, targets: &Targets<'_>) -> Reach {
    if let Some(svc) = b.service.as_ref() {
        let port = match svc.port.as_ref() {
            Some(p) => match (p.number, p.name.as_deref()) {
                (Some(n), _) => PortRef::Number(n),
                (None, Some(name)) => PortRef::Name(name),
                (None, None) => PortRef::Unset,
            },
            None => PortRef::Unset,
        };
        return targets.reach(ns, &svc.name, port);
    }
    match b.resource.as_ref() {
        Some(r) => Reach {
            service: clean(&format!("{ns}/{} {}", r.kind, r.name)),
            ..Reach::default()
        },
        None => Reach {
            problems: vec!["backend names no service".into()],
            ..Reach::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::kube::targets::tests::shop;
    use crate::domain::RouteStatus;

    fn ingress(v: serde_json::Value) -> Ingress {
        let mut i: Ingress = serde_json::from_value(v).expect("ingress");
        crate::backend::kube::slim::ingress(&mut i);
        i
    }

    #[test]
    fn each_path_is_a_route_with_its_rule_tls_class_and_traefik_annotations() {
        let i = ingress(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop",
                "annotations": {
                    "kubernetes.io/ingress.class": "old",
                    "traefik.ingress.kubernetes.io/router.middlewares": "shop-auth@kubernetescrd, shop-gzip@kubernetescrd",
                    "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
                    "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"ingressClassName": "traefik",
                "tls": [{"hosts": ["shop.example.org"], "secretName": "shop-tls"}],
                "rules": [
                    {"host": "shop.example.org", "http": {"paths": [
                        {"path": "/api", "pathType": "Prefix",
                         "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                        {"path": "/login", "pathType": "Exact",
                         "backend": {"service": {"name": "web", "port": {"name": "http"}}}}]}},
                    {"host": "admin.example.org", "http": {"paths": [
                        {"path": "/", "pathType": "ImplementationSpecific",
                         "backend": {"service": {"name": "web", "port": {"name": "admin"}}}}]}}],
                "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}
        }));
        let f = shop();
        let routes = routes(&i, &f.targets());
        type Row<'a> = (&'a str, &'a str, Vec<String>, Vec<String>, bool, &'a str);
        let got: Vec<Row<'_>> = routes
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.rule.as_str(),
                    r.hosts.clone(),
                    r.paths.clone(),
                    r.tls,
                    r.tls_detail.as_str(),
                )
            })
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                (
                    "shop/web shop.example.org/api",
                    "Host(`shop.example.org`) && PathPrefix(`/api`)",
                    s(&["shop.example.org"]),
                    s(&["/api*"]),
                    true,
                    "secret shop-tls"
                ),
                (
                    "shop/web shop.example.org/login",
                    "Host(`shop.example.org`) && Path(`/login`)",
                    s(&["shop.example.org"]),
                    s(&["/login"]),
                    true,
                    "secret shop-tls"
                ),
                (
                    "shop/web admin.example.org/",
                    "Host(`admin.example.org`) && PathPrefix(`/`)",
                    s(&["admin.example.org"]),
                    s(&["/*"]),
                    false,
                    ""
                ),
                (
                    "shop/web (default)",
                    "(default backend)",
                    vec![],
                    vec![],
                    false,
                    ""
                ),
            ]
        );
        for r in &routes {
            assert_eq!(r.source, RouteSource::Ingress);
            assert_eq!(r.class.as_deref(), Some("traefik"));
            assert_eq!(
                r.middlewares,
                ["shop-auth@kubernetescrd", "shop-gzip@kubernetescrd"]
            );
            assert_eq!(r.entrypoints, ["websecure"]);
            assert_eq!(r.stack.as_deref(), Some("shop"));
            assert_eq!(r.service, "shop/web");
            assert!(r.problems.is_empty(), "{:?}", r.problems);
        }
        let ports: Vec<_> = routes.iter().map(|r| r.port).collect();
        assert_eq!(ports, [Some(80), Some(80), Some(9000), Some(80)]);
        assert_eq!(routes[2].backends[0].port, 9000);
        let ids: std::collections::HashSet<_> = routes.iter().map(|r| &r.id).collect();
        assert_eq!(ids.len(), 4, "ids are unique");
    }

    #[test]
    fn one_path_is_named_by_its_ingress_and_a_missing_service_is_said() {
        let i = ingress(serde_json::json!({
            "metadata": {"name": "api", "namespace": "shop",
                "annotations": {"kubernetes.io/ingress.class": "nginx"}},
            "spec": {"tls": [{"secretName": "wild"}], "rules": [{"http": {"paths": [
                {"path": "/v1", "pathType": "Prefix",
                 "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}}]}
        }));
        let f = shop();
        let r = &routes(&i, &f.targets())[0];
        assert_eq!(r.name, "shop/api");
        assert_eq!(r.rule, "PathPrefix(`/v1`)");
        assert!(r.hosts.is_empty());
        assert_eq!(r.class.as_deref(), Some("nginx"));
        // A TLS entry without hosts covers the Ingress's every host.
        assert_eq!((r.tls, r.tls_detail.as_str()), (true, "secret wild"));
        assert_eq!(r.problems, ["service shop/api does not exist"]);
        assert_eq!(r.service, "shop/api");
        assert_eq!(r.service_id, "");
        assert_eq!(r.port, Some(8080));
        assert_eq!(r.status, RouteStatus::Unknown);
        assert!(r.middlewares.is_empty() && r.entrypoints.is_empty());
    }
}
