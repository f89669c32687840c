//! Traefik's IngressRoute custom resource as routes: one per entry of
//! `spec.routes`, its `match` parsed for hosts and paths, with the
//! IngressRoute's entrypoints and TLS and the route's middlewares and
//! Services. Read from the object's JSON: no Rust type of Traefik's CRD.
//! Pure.

use super::targets::{PortRef, Reach, Targets};
use crate::backend::docker::convert::clean;
use crate::domain::{Route, RouteSource};
use crate::routes::rule::{Syntax, parse_v2};
use kube::api::DynamicObject;
use serde_json::Value;

/// The CRD's groups: Traefik v3 (and v2.10+), and v2's older one.
pub const GROUP_V3: &str = "traefik.io";
pub const GROUP_V2: &str = "traefik.containo.us";

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(clean)
        .collect()
}

/// The rule grammar of a route: its own `syntax` (Traefik v3), else the
/// group's Traefik version.
fn syntax(route: &Value, group: &str) -> Syntax {
    match route["syntax"].as_str() {
        Some("v2") => Syntax::V2,
        Some("v3") => Syntax::V3,
        _ if group == GROUP_V2 => Syntax::V2,
        _ => Syntax::V3,
    }
}

/// "certresolver le, secret shop-tls": what `spec.tls` uses.
fn tls_detail(tls: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(r) = tls["certResolver"].as_str().filter(|s| !s.is_empty()) {
        parts.push(format!("certresolver {r}"));
    }
    if let Some(s) = tls["secretName"].as_str().filter(|s| !s.is_empty()) {
        parts.push(format!("secret {s}"));
    }
    if parts.is_empty() {
        "default certificate".into()
    } else {
        clean(&parts.join(", "))
    }
}

/// A reference's name, with its namespace when it gives one.
fn reference(v: &Value) -> Option<String> {
    let name = v["name"].as_str()?;
    Some(clean(&match v["namespace"].as_str() {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_owned(),
    }))
}

/// Where one of a route's services leads.
fn service(ns: &str, s: &Value, targets: &Targets<'_>) -> Option<Reach> {
    let name = s["name"].as_str()?;
    let namespace = s["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or(ns);
    if s["kind"].as_str() == Some("TraefikService") {
        return Some(Reach {
            service: clean(&format!("{namespace}/{name} (TraefikService)")),
            ..Reach::default()
        });
    }
    let port = match &s["port"] {
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map_or(PortRef::Unset, PortRef::Number),
        Value::String(p) => match p.parse::<i32>() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(p),
        },
        _ => PortRef::Unset,
    };
    Some(targets.reach(namespace, name, port))
}

/// The routes of IngressRoute `obj` of API group `group`.
pub fn routes(obj: &DynamicObject, group: &str, targets: &Targets<'_>) -> Vec<Route> {
    let meta = &obj.metadata;
    let ns = meta.namespace.as_deref().unwrap_or_default();
    let name = meta.name.as_deref().unwrap_or_default();
    let spec = &obj.data["spec"];
    let entrypoints = strings(&spec["entryPoints"]);
    let tls = spec.get("tls").filter(|t| !t.is_null());
    let class = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubernetes.io/ingress.class"))
        .map(|c| clean(c));
    let qualified = clean(&format!("{ns}/{name}"));
    let list = spec["routes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    list.iter()
        .enumerate()
        .map(|(i, r)| {
            let rule = r["match"].as_str().unwrap_or_default();
            let mut problems = Vec::new();
            let info = if rule.trim().is_empty() {
                problems.push("route has no match rule".to_owned());
                Default::default()
            } else {
                parse_v2(rule, syntax(r, group)).unwrap_or_else(|e| {
                    problems.push(clean(&format!("rule does not parse {e}")));
                    Default::default()
                })
            };
            let reaches: Vec<Reach> = r["services"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| service(ns, s, targets))
                .collect();
            if reaches.is_empty() {
                problems.push("route has no service".into());
            }
            let status = Reach::status(&reaches);
            let mut backends: Vec<_> = reaches.iter().flat_map(|r| r.backends.clone()).collect();
            backends.sort();
            backends.dedup();
            let first = reaches.first();
            Route {
                id: format!("ingressroute/{group}/{ns}/{name}/{i}"),
                name: if list.len() > 1 {
                    format!("{qualified} #{}", i + 1)
                } else {
                    qualified.clone()
                },
                source: RouteSource::IngressRoute,
                rule: clean(rule),
                hosts: info.hosts,
                paths: info.paths,
                entrypoints: entrypoints.clone(),
                class: class.clone(),
                tls: tls.is_some(),
                tls_detail: tls.map(tls_detail).unwrap_or_default(),
                middlewares: r["middlewares"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(reference)
                    .collect(),
                service: reaches
                    .iter()
                    .map(|r| r.service.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                service_id: first.map(|r| r.service_id.clone()).unwrap_or_default(),
                port: first.and_then(|r| r.port),
                stack: Some(clean(ns)),
                backends,
                status,
                problems: problems
                    .into_iter()
                    .chain(reaches.iter().flat_map(|r| r.problems.clone()))
                    .collect(),
                ..Route::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::kube::targets::tests::shop;
    use crate::domain::RouteStatus;

    fn ingressroute(spec: Value) -> DynamicObject {
        let mut o: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
            "metadata": {"name": "shop", "namespace": "shop",
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": spec,
            "status": {}
        }))
        .expect("ingressroute");
        crate::backend::kube::slim::custom(&mut o);
        o
    }

    #[test]
    fn each_route_has_the_entrypoints_tls_its_middlewares_and_services() {
        let o = ingressroute(serde_json::json!({
            "entryPoints": ["web", "websecure"],
            "routes": [
                {"match": "Host(`shop.example.org`) && PathPrefix(`/api`)", "kind": "Rule",
                 "services": [{"name": "web", "port": 80}],
                 "middlewares": [{"name": "auth"}, {"name": "strip", "namespace": "common"}]},
                {"match": "Host(`admin.example.org`)", "kind": "Rule",
                 "services": [{"name": "web", "port": "admin"}, {"name": "api", "port": 8080},
                              {"name": "canary", "kind": "TraefikService"}]}],
            "tls": {"secretName": "shop-tls", "certResolver": "le"}
        }));
        assert!(o.data.get("status").is_none(), "slimmed: the spec only");
        let f = shop();
        let routes = routes(&o, GROUP_V3, &f.targets());
        assert_eq!(routes.len(), 2);
        let (a, b) = (&routes[0], &routes[1]);
        assert_eq!(
            (a.name.as_str(), b.name.as_str()),
            ("shop/shop #1", "shop/shop #2")
        );
        assert_eq!(a.rule, "Host(`shop.example.org`) && PathPrefix(`/api`)");
        assert_eq!(
            (&a.hosts[..], &a.paths[..]),
            (
                &["shop.example.org".to_owned()][..],
                &["/api*".to_owned()][..]
            )
        );
        assert_eq!(b.hosts, ["admin.example.org"]);
        for r in &routes {
            assert_eq!(r.source, RouteSource::IngressRoute);
            assert_eq!(r.entrypoints, ["web", "websecure"]);
            assert_eq!(
                (r.tls, r.tls_detail.as_str()),
                (true, "certresolver le, secret shop-tls")
            );
            assert_eq!(r.stack.as_deref(), Some("shop"));
        }
        assert_eq!(a.middlewares, ["auth", "common/strip"]);
        assert_eq!(a.service, "shop/web");
        assert_eq!(a.service_id, "shop/deployment/web");
        assert_eq!(a.port, Some(80));
        assert_eq!(a.backends.len(), 1);
        assert!(a.problems.is_empty(), "{:?}", a.problems);
        assert!(b.middlewares.is_empty());
        assert_eq!(
            b.service,
            "shop/web, shop/api, shop/canary (TraefikService)"
        );
        assert_eq!((b.port, b.backends[0].port), (Some(9000), 9000));
        assert_eq!(b.problems, ["service shop/api does not exist"]);
        assert_eq!(b.status, RouteStatus::Unknown);
    }

    #[test]
    fn a_route_without_service_or_rule_is_a_problem_and_no_tls_is_none() {
        let o = ingressroute(serde_json::json!({
            "routes": [{"match": "", "kind": "Rule"}]
        }));
        let f = shop();
        let r = &routes(&o, GROUP_V2, &f.targets())[0];
        assert_eq!(r.name, "shop/shop");
        assert_eq!(
            r.problems,
            ["route has no match rule", "route has no service"]
        );
        assert!(!r.tls && r.tls_detail.is_empty());
        assert!(r.entrypoints.is_empty() && r.service.is_empty());
    }

    #[test]
    fn the_rule_syntax_is_the_routes_own_else_the_groups() {
        let v = |s: Value| syntax(&s, GROUP_V3);
        assert_eq!(v(serde_json::json!({})), Syntax::V3);
        assert_eq!(v(serde_json::json!({"syntax": "v2"})), Syntax::V2);
        assert_eq!(syntax(&serde_json::json!({}), GROUP_V2), Syntax::V2);
        assert_eq!(
            syntax(&serde_json::json!({"syntax": "v3"}), GROUP_V2),
            Syntax::V3
        );
    }

    #[test]
    fn a_v2_ingressroute_takes_several_hosts_and_a_bad_rule_says_where() {
        let two = serde_json::json!({
            "routes": [{"match": "Host(`a.example.org`, `b.example.org`)",
                "kind": "Rule", "services": [{"name": "web", "port": 80}]}]
        });
        let f = shop();
        let r = &routes(&ingressroute(two.clone()), GROUP_V2, &f.targets())[0];
        assert_eq!(r.hosts, ["a.example.org", "b.example.org"]);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        // Traefik v3's Host takes one host.
        let r = &routes(&ingressroute(two), GROUP_V3, &f.targets())[0];
        assert!(r.hosts.is_empty());
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert!(
            r.problems[0].starts_with("rule does not parse at column "),
            "{:?}",
            r.problems
        );
    }
}
