//! Traefik's HTTP API (v2 and v3, `--api.insecure` on port 8080 or behind
//! a router): the routers and services Traefik really runs, their errors
//! and their servers' health. Parsing here is pure; [`fetch`] reads a
//! running Traefik, [`apply`] folds what it says into berth's routes.
//!
//! Shapes, as Traefik 3.7 answers (checked on the test bed):
//! - `GET /api/version`: `{"Version":"3.7.15","Codename":…,"startDate":…}`.
//! - `GET /api/overview`: `{"http":{…},"providers":["Docker"],…}`.
//! - `GET /api/http/routers`: `[{"name":"web@docker","provider":"docker",
//!   "rule":…,"ruleSyntax":"v2" (only when set),"service":"web" (without
//!   the provider when it is the router's own),"entryPoints":[…],
//!   "middlewares":["auth@docker"],"tls":{…} (only with TLS),"status":
//!   "enabled"|"disabled"|"warning","error":["…"] (only with errors)}]`.
//! - `GET /api/http/services`: `[{"name":"web@docker","status":…,
//!   "loadBalancer":{"servers":[{"url":…}]},"serverStatus":{url:"UP"|"DOWN"}}]`;
//!   without a health check every server stays `UP`.
//! - Lists are paged (`?per_page=&page=`, default 100 a page): the header
//!   `X-Next-Page` names the next page, and is `1` on the last one; a page
//!   past the end is a 400.
//! - A stopped container's (or a Docker-unhealthy one's) routers and
//!   services vanish within ~2 s: no error, no DOWN server, its hosts
//!   answer 404. DOWN comes only from Traefik's own health check
//!   (`loadbalancer.healthcheck.*`), and then the router stays enabled and
//!   answers 503. Errors of the docker provider itself ("port is missing",
//!   a router defined twice) reach only Traefik's log: the router is absent.

mod apply;
mod fetch;

pub use apply::{apply, find_api};
pub use fetch::{fetch, fetch_paged};

use serde::Deserialize;
use std::collections::BTreeMap;

/// One HTTP router as Traefik runs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiRouter {
    /// With its provider: `web@docker`.
    pub name: String,
    pub provider: String,
    pub rule: String,
    /// As Traefik gives it: `web` (the router's provider) or `api@internal`.
    pub service: String,
    pub entry_points: Vec<String>,
    pub middlewares: Vec<String>,
    /// `enabled`, `disabled` (it serves nothing) or `warning`.
    pub status: String,
    pub errors: Vec<String>,
    pub tls: bool,
}

impl ApiRouter {
    /// The service's full name: `web@docker` for `web` on a docker router.
    pub fn service_name(&self) -> String {
        if self.service.contains('@') || self.provider.is_empty() {
            self.service.clone()
        } else {
            format!("{}@{}", self.service, self.provider)
        }
    }
}

/// One HTTP service and the health of its servers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiService {
    pub name: String,
    pub status: String,
    /// Each server's URL and `UP` or `DOWN` (`UNKNOWN` when Traefik lists
    /// the server without a status), in the load balancer's order.
    pub server_status: Vec<(String, String)>,
    pub errors: Vec<String>,
}

/// What one reading of a Traefik's API found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiState {
    /// `3.7.15`.
    pub version: String,
    /// The providers it runs, as the overview names them: `Docker`, `Swarm`.
    pub providers: Vec<String>,
    pub routers: Vec<ApiRouter>,
    pub services: Vec<ApiService>,
}

impl ApiState {
    /// True when Traefik reads container labels (its docker or swarm
    /// provider), so a labelled router it lacks is one it does not serve.
    pub fn reads_labels(&self) -> bool {
        let label_provider =
            |p: &str| p.eq_ignore_ascii_case("docker") || p.eq_ignore_ascii_case("swarm");
        self.providers.iter().any(|p| label_provider(p))
            || self.routers.iter().any(|r| label_provider(&r.provider))
    }

    /// The major version (2, 3), when the version string has one.
    pub fn major(&self) -> Option<u32> {
        self.version
            .trim_start_matches('v')
            .split('.')
            .next()?
            .parse()
            .ok()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRouter {
    #[serde(default)]
    name: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    entry_points: Vec<String>,
    #[serde(default)]
    middlewares: Vec<String>,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "error")]
    errors: Vec<String>,
    #[serde(default)]
    tls: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawService {
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    load_balancer: Option<RawLoadBalancer>,
    #[serde(default)]
    server_status: BTreeMap<String, String>,
    #[serde(default, rename = "error")]
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct RawLoadBalancer {
    #[serde(default)]
    servers: Vec<RawServer>,
}

#[derive(Deserialize)]
struct RawServer {
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct RawVersion {
    #[serde(rename = "Version")]
    version: String,
}

#[derive(Deserialize)]
struct RawOverview {
    #[serde(default)]
    providers: Vec<String>,
}

fn json_error(what: &str, e: serde_json::Error) -> String {
    format!("traefik API: cannot read {what}: {e}")
}

/// `GET /api/http/routers`, one page.
pub fn parse_routers(json: &str) -> Result<Vec<ApiRouter>, String> {
    let raw: Vec<RawRouter> = serde_json::from_str(json).map_err(|e| json_error("routers", e))?;
    Ok(raw
        .into_iter()
        .map(|r| {
            // Older answers may leave the provider out; the name carries it.
            let provider = if r.provider.is_empty() {
                r.name
                    .rsplit_once('@')
                    .map(|(_, p)| p.to_string())
                    .unwrap_or_default()
            } else {
                r.provider
            };
            ApiRouter {
                name: r.name,
                provider,
                rule: r.rule,
                service: r.service,
                entry_points: r.entry_points,
                middlewares: r.middlewares,
                status: r.status,
                errors: r.errors,
                tls: r.tls.is_some_and(|t| !t.is_null()),
            }
        })
        .collect())
}

/// `GET /api/http/services`, one page.
pub fn parse_services(json: &str) -> Result<Vec<ApiService>, String> {
    let raw: Vec<RawService> = serde_json::from_str(json).map_err(|e| json_error("services", e))?;
    Ok(raw
        .into_iter()
        .map(|s| {
            let mut status = s.server_status;
            let mut servers: Vec<(String, String)> = Vec::new();
            for server in s.load_balancer.map(|lb| lb.servers).unwrap_or_default() {
                let state = status
                    .remove(&server.url)
                    .unwrap_or_else(|| "UNKNOWN".into());
                servers.push((server.url, state));
            }
            // Statuses of servers the load balancer no longer lists.
            servers.extend(status);
            ApiService {
                name: s.name,
                status: s.status,
                server_status: servers,
                errors: s.errors,
            }
        })
        .collect())
}

/// `GET /api/version`: the version string.
pub fn parse_version(json: &str) -> Result<String, String> {
    let raw: RawVersion = serde_json::from_str(json).map_err(|e| json_error("version", e))?;
    Ok(raw.version)
}

/// `GET /api/overview`: the providers Traefik runs.
pub fn parse_providers(json: &str) -> Result<Vec<String>, String> {
    let raw: RawOverview = serde_json::from_str(json).map_err(|e| json_error("overview", e))?;
    Ok(raw.providers)
}

/// The page after `current`, from the `X-Next-Page` header: Traefik sends
/// `1` on the last page, so only a later page continues.
pub fn next_page(header: Option<&str>, current: u32) -> Option<u32> {
    let next: u32 = header?.trim().parse().ok()?;
    (next > current).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTERS: &str = include_str!("testdata/traefik-3.7-routers.json");
    const SERVICES: &str = include_str!("testdata/traefik-3.7-services.json");
    const VERSION: &str = include_str!("testdata/traefik-3.7-version.json");
    const OVERVIEW: &str = include_str!("testdata/traefik-3.7-overview.json");

    fn router<'a>(all: &'a [ApiRouter], name: &str) -> &'a ApiRouter {
        all.iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no router {name}"))
    }

    #[test]
    fn routers_from_a_real_traefik_3_7() {
        let all = parse_routers(ROUTERS).expect("parses");
        assert_eq!(all.len(), 7);

        let b = router(&all, "b@docker");
        assert_eq!(b.provider, "docker");
        assert_eq!(b.rule, "Host(`b.test`,`b2.test`)");
        assert_eq!(b.service, "b");
        assert_eq!(b.service_name(), "b@docker");
        assert_eq!(b.entry_points, vec!["web"]);
        assert_eq!(b.middlewares, vec!["auth@docker"]);
        assert_eq!(b.status, "enabled");
        assert!(b.errors.is_empty());
        assert!(!b.tls);

        // v3 reads several hosts in Host() as an error unless ruleSyntax=v2.
        let bad = router(&all, "bad@docker");
        assert_eq!(bad.status, "disabled");
        assert_eq!(bad.errors.len(), 1);
        assert!(
            bad.errors[0].contains("unexpected number of parameters; got 2"),
            "{:?}",
            bad.errors
        );

        let nomw = router(&all, "nomw@docker");
        assert_eq!(nomw.status, "disabled");
        assert_eq!(
            nomw.errors,
            vec!["middleware \"missing@docker\" does not exist"]
        );

        assert!(router(&all, "sec@docker").tls);

        // The API's own router: a priority beyond i64 rounding, an internal service.
        let api = router(&all, "api@internal");
        assert_eq!(api.service_name(), "api@internal");
        assert_eq!(api.provider, "internal");
    }

    #[test]
    fn services_with_servers_up_and_down() {
        let all = parse_services(SERVICES).expect("parses");
        let b = all.iter().find(|s| s.name == "b@docker").expect("b");
        assert_eq!(b.status, "enabled");
        assert_eq!(
            b.server_status,
            vec![("http://172.17.0.6:8080".to_string(), "UP".to_string())]
        );
        // A health-checked server whose httpd died: DOWN, the service stays enabled.
        let h = all.iter().find(|s| s.name == "h@docker").expect("h");
        assert_eq!(h.status, "enabled");
        assert_eq!(
            h.server_status,
            vec![("http://172.17.0.7:8080".to_string(), "DOWN".to_string())]
        );
        // Internal services have no load balancer.
        let api = all.iter().find(|s| s.name == "api@internal").expect("api");
        assert!(api.server_status.is_empty());
    }

    #[test]
    fn version_and_providers() {
        assert_eq!(parse_version(VERSION).expect("parses"), "3.7.15");
        assert_eq!(parse_providers(OVERVIEW).expect("parses"), vec!["Docker"]);
        let st = ApiState {
            version: "3.7.15".into(),
            providers: vec!["Docker".into()],
            ..ApiState::default()
        };
        assert!(st.reads_labels());
        assert_eq!(st.major(), Some(3));
    }

    #[test]
    fn v2_shapes_parse_too() {
        // Traefik 2.x: no ruleSyntax, tls as an empty object, no provider in
        // some answers (taken from the name then), status warning.
        let json = r#"[{"entryPoints":["websecure"],"service":"shop-svc","rule":"Host(`shop.example.org`) && PathPrefix(`/api`)",
            "tls":{},"status":"warning","error":["some warning"],"using":["websecure"],"name":"shop@docker"}]"#;
        let all = parse_routers(json).expect("parses");
        assert_eq!(all[0].provider, "docker");
        assert!(all[0].tls);
        assert_eq!(all[0].status, "warning");
        assert_eq!(all[0].service_name(), "shop-svc@docker");
        assert_eq!(
            parse_version(r#"{"Version":"2.11.2","Codename":"mimolette"}"#).expect("v"),
            "2.11.2"
        );
    }

    #[test]
    fn servers_without_a_status_and_statuses_without_a_server() {
        let json = r#"[{"name":"x@docker","status":"enabled","loadBalancer":{"servers":[{"url":"http://a:1"},{"url":"http://b:1"}]},
            "serverStatus":{"http://b:1":"DOWN","http://c:1":"UP"}}]"#;
        let all = parse_services(json).expect("parses");
        let pairs: Vec<(&str, &str)> = all[0]
            .server_status
            .iter()
            .map(|(u, s)| (u.as_str(), s.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("http://a:1", "UNKNOWN"),
                ("http://b:1", "DOWN"),
                ("http://c:1", "UP")
            ]
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "{",
            "{}",
            "null",
            "[1]",
            "<html>404</html>",
            "[{\"name\": 5}]",
        ] {
            assert!(parse_routers(bad).is_err(), "{bad}");
            assert!(parse_services(bad).is_err(), "{bad}");
        }
        let err = parse_routers("<html>").expect_err("not json");
        assert!(err.starts_with("traefik API: cannot read routers"), "{err}");
        assert!(parse_version("[]").is_err());
    }

    #[test]
    fn paging_follows_x_next_page_until_it_points_back() {
        assert_eq!(next_page(Some("2"), 1), Some(2));
        assert_eq!(next_page(Some("1"), 1), None, "last page says 1");
        assert_eq!(next_page(Some("1"), 3), None);
        assert_eq!(next_page(None, 1), None);
        assert_eq!(next_page(Some("x"), 1), None);
    }
}
