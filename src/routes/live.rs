//! What the route feed learns beyond the snapshot — routes from haproxy
//! configs, probe results, notes about the sources — and how it is laid
//! over the snapshot's routes. Pure: the app composes on each change.

use super::lint;
use super::probe::{self, Probe, Target};
use crate::domain::{Route, RouteStatus, Snapshot};
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// Routes from haproxy configs (a file, or read from containers).
    pub extra: Vec<Route>,
    /// Probe results by backend (`address:port`).
    pub probes: HashMap<String, Probe>,
    /// What went wrong reading a source: "haproxy.cfg: no such file".
    pub notes: Vec<String>,
    /// The last reading of Traefik's API, when one answers.
    pub api: Option<std::sync::Arc<super::traefik_api::ApiState>>,
}

impl Live {
    pub fn is_empty(&self) -> bool {
        self.extra.is_empty()
            && self.probes.is_empty()
            && self.notes.is_empty()
            && self.api.is_none()
    }
}

/// The snapshot's routes with `live` laid over them, linted as a whole.
pub fn compose(snap: &Snapshot, live: &Live) -> Vec<Route> {
    let mut routes: Vec<Route> = snap.routes.iter().chain(&live.extra).cloned().collect();
    if let Some(api) = &live.api {
        super::traefik_api::apply(&mut routes, api);
    }
    for r in &mut routes {
        // Traefik's own health check saw its servers down: that stands.
        let traefik_down = r.status == RouteStatus::Down && r.status_detail.starts_with("traefik:");
        if !traefik_down {
            apply_probes(r, &live.probes);
        }
    }
    lint::duplicates(&mut routes);
    routes
}

/// Up when a backend answers (the fastest one's latency), down when all
/// that were probed do not; a route without backends keeps its status.
fn apply_probes(r: &mut Route, probes: &HashMap<String, Probe>) {
    if r.backends.is_empty() {
        return;
    }
    let found: Vec<&Probe> = r
        .backends
        .iter()
        .filter_map(|b| probes.get(&probe::key(&b.address, b.port)))
        .collect();
    if found.is_empty() {
        return;
    }
    let up: Vec<&&Probe> = found
        .iter()
        .filter(|p| p.status == RouteStatus::Up)
        .collect();
    let down: Vec<&&Probe> = found
        .iter()
        .filter(|p| p.status == RouteStatus::Down)
        .collect();
    if let Some(fastest) = up.iter().min_by_key(|p| p.latency_ms.unwrap_or(u32::MAX)) {
        r.status = RouteStatus::Up;
        r.latency_ms = fastest.latency_ms;
        r.status_detail = match down.first() {
            Some(d) => format!("{} of {} down: {}", down.len(), r.backends.len(), d.detail),
            None => fastest.detail.clone(),
        };
    } else if let Some(d) = down.first() {
        r.status = RouteStatus::Down;
        r.latency_ms = None;
        r.status_detail = d.detail.clone();
    } else {
        r.status = RouteStatus::Unknown;
        r.status_detail = found[0].detail.clone();
    }
}

/// What to probe for `routes`: each backend once, asked as its first
/// route's host and path (a plain one, not a pattern).
pub fn targets<'a>(routes: impl IntoIterator<Item = &'a Route>) -> Vec<Target> {
    let mut seen: HashMap<String, Target> = HashMap::new();
    for r in routes {
        let host = r
            .hosts
            .iter()
            .find(|h| !h.starts_with('~') && !h.contains('*'))
            .cloned()
            .unwrap_or_default();
        let path = r
            .paths
            .iter()
            .find(|p| !p.starts_with('~'))
            .map(|p| p.trim_end_matches('*').to_owned())
            .filter(|p| p.starts_with('/'))
            .unwrap_or_else(|| "/".into());
        for b in r
            .backends
            .iter()
            .filter(|b| !b.address.is_empty() && b.port > 0)
        {
            let t = Target {
                address: b.address.clone(),
                port: b.port,
                host: host.clone(),
                path: path.clone(),
            };
            seen.entry(t.key()).or_insert(t);
        }
    }
    let mut out: Vec<Target> = seen.into_values().collect();
    out.sort();
    out
}

/// Whether a new probe result is worth a redraw: the status or detail
/// changed, or the latency is another order of things — more than 5 times
/// or less than a fifth of the shown one, and 20 ms apart. A loaded host
/// makes a fast backend's latency jump between 10 and 50 ms from one probe
/// to the next; redrawing each jump would be noise, and cost.
pub fn differs(old: &Probe, new: &Probe) -> bool {
    if old.status != new.status || old.detail != new.detail {
        return true;
    }
    match (old.latency_ms, new.latency_ms) {
        (Some(a), Some(b)) => {
            let (lo, hi) = (a.min(b), a.max(b));
            hi - lo > JITTER_MS && hi > lo.max(1).saturating_mul(5)
        }
        (a, b) => a.is_some() != b.is_some(),
    }
}

/// What to do with a probe result, given what is shown and what was seen
/// once and not shown yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing worth a redraw.
    Same,
    /// A latency of another order, seen for the first time: kept aside.
    Hold,
    /// Show it: the first result, a change of status, or a latency of
    /// another order that the probe before saw too.
    Show,
}

pub fn verdict(shown: Option<&Probe>, held: Option<&Probe>, new: &Probe) -> Verdict {
    let Some(old) = shown else {
        return Verdict::Show;
    };
    if !differs(old, new) {
        return Verdict::Same;
    }
    let status_moved = old.status != new.status || old.detail != new.detail;
    let confirmed = held.is_some_and(|h| differs(old, h) && !differs(h, new));
    if status_moved || confirmed {
        Verdict::Show
    } else {
        Verdict::Hold
    }
}

/// Latency moves smaller than this are never news.
const JITTER_MS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Backend;

    fn route(name: &str, backends: &[(&str, u16)]) -> Route {
        Route {
            id: name.into(),
            name: name.into(),
            hosts: vec!["a.example.org".into(), "~{x:.+}.example.org".into()],
            paths: vec!["/api*".into()],
            backends: backends
                .iter()
                .map(|(a, p)| Backend {
                    container_id: String::new(),
                    address: a.to_string(),
                    port: *p,
                })
                .collect(),
            ..Route::default()
        }
    }

    fn p(status: RouteStatus, ms: Option<u32>, detail: &str) -> Probe {
        Probe {
            status,
            latency_ms: ms,
            detail: detail.into(),
        }
    }

    #[test]
    fn one_backend_up_makes_the_route_up_and_says_how_many_are_down() {
        let snap = Snapshot {
            routes: vec![route("r", &[("10.0.0.1", 80), ("10.0.0.2", 80)])],
            ..Snapshot::default()
        };
        let mut live = Live::default();
        live.probes.insert(
            "10.0.0.1:80".into(),
            p(RouteStatus::Up, Some(3), "HTTP 200"),
        );
        live.probes.insert(
            "10.0.0.2:80".into(),
            p(RouteStatus::Down, None, "connection refused"),
        );
        let r = &compose(&snap, &live)[0];
        assert_eq!((r.status, r.latency_ms), (RouteStatus::Up, Some(3)));
        assert_eq!(r.status_detail, "1 of 2 down: connection refused");
        live.probes
            .insert("10.0.0.1:80".into(), p(RouteStatus::Down, None, "HTTP 502"));
        let r = &compose(&snap, &live)[0];
        assert_eq!(
            (r.status, r.status_detail.as_str()),
            (RouteStatus::Down, "HTTP 502")
        );
    }

    #[test]
    fn targets_ask_as_the_plain_host_and_path_once_per_backend() {
        let routes = vec![
            route("a", &[("10.0.0.1", 80)]),
            route("b", &[("10.0.0.1", 80), ("", 80)]),
        ];
        let t = targets(&routes);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].host.as_str(), t[0].path.as_str()),
            ("a.example.org", "/api")
        );
    }

    #[test]
    fn one_slow_answer_is_held_two_are_shown_a_status_at_once() {
        let shown = p(RouteStatus::Up, Some(3), "HTTP 200");
        let slow = p(RouteStatus::Up, Some(400), "HTTP 200");
        assert_eq!(verdict(None, None, &shown), Verdict::Show);
        assert_eq!(verdict(Some(&shown), None, &slow), Verdict::Hold);
        assert_eq!(
            verdict(
                Some(&shown),
                Some(&slow),
                &p(RouteStatus::Up, Some(2), "HTTP 200")
            ),
            Verdict::Same
        );
        assert_eq!(
            verdict(
                Some(&shown),
                Some(&slow),
                &p(RouteStatus::Up, Some(380), "HTTP 200")
            ),
            Verdict::Show
        );
        let down = p(RouteStatus::Down, None, "connection refused");
        assert_eq!(verdict(Some(&shown), None, &down), Verdict::Show);
    }

    #[test]
    fn jitter_is_not_a_change() {
        let fast = p(RouteStatus::Up, Some(0), "HTTP 200");
        assert!(!differs(&fast, &p(RouteStatus::Up, Some(2), "HTTP 200")));
        assert!(!differs(&fast, &p(RouteStatus::Up, Some(15), "HTTP 200")));
        assert!(differs(&fast, &p(RouteStatus::Up, Some(40), "HTTP 200")));
        assert!(differs(&fast, &p(RouteStatus::Down, None, "HTTP 502")));
        // What a loaded host does to a fast backend: 12, 52, 16, 41 ms.
        let loaded = p(RouteStatus::Up, Some(12), "HTTP 200");
        for ms in [52, 16, 41, 22] {
            assert!(
                !differs(&loaded, &p(RouteStatus::Up, Some(ms), "HTTP 200")),
                "{ms}"
            );
        }
        let slow = p(RouteStatus::Up, Some(100), "HTTP 200");
        assert!(!differs(&slow, &p(RouteStatus::Up, Some(300), "HTTP 200")));
        assert!(differs(&slow, &p(RouteStatus::Up, Some(900), "HTTP 200")));
        assert!(differs(&slow, &p(RouteStatus::Up, Some(10), "HTTP 200")));
    }
}
