//! Columns of the route list: which host and path reach which service,
//! whether it answers, and what is wrong with its declaration.

use super::{Column, KindColumn, Sort, Tone, col, flex, optional};
use crate::domain::{Route, RouteStatus};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteColumn {
    Hosts,
    Paths,
    Service,
    Port,
    Status,
    Entrypoints,
    Tls,
    Middlewares,
    Name,
    Source,
    Problems,
}

impl KindColumn for RouteColumn {
    type Item = Route;
    const ALL: &'static [Self] = &[
        Self::Hosts,
        Self::Paths,
        Self::Service,
        Self::Port,
        Self::Status,
        Self::Entrypoints,
        Self::Tls,
        Self::Middlewares,
        Self::Name,
        Self::Source,
        Self::Problems,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Hosts => flex("HOSTS", 18, 0),
            Self::Paths => col("PATHS", 8, 2),
            Self::Service => col("SERVICE", 14, 0),
            Self::Port => col("PORT", 5, 4),
            Self::Status => col("STATUS", 12, 0),
            Self::Entrypoints => col("ENTRY", 8, 5),
            Self::Tls => col("TLS", 4, 5),
            Self::Middlewares => optional(col("MIDDLEWARES", 14, 6)),
            Self::Name => col("NAME", 12, 7),
            Self::Source => col("SOURCE", 12, 8),
            Self::Problems => flex("PROBLEMS", 12, 1),
        }
    }

    fn cell(self, r: &Route, _now: i64) -> Cow<'_, str> {
        match self {
            Self::Hosts => r.hosts_text().into(),
            Self::Paths => r.paths_text().into(),
            Self::Service => r.service.as_str().into(),
            Self::Port => r.port.map(|p| p.to_string()).unwrap_or_default().into(),
            Self::Status => status_text(r).into(),
            Self::Entrypoints => r.entrypoints.join(",").into(),
            Self::Tls => if r.tls { "tls" } else { "" }.into(),
            Self::Middlewares => r.middlewares.join(", ").into(),
            Self::Name => r.name.as_str().into(),
            Self::Source => r.source.label().into(),
            Self::Problems => match r.problems.as_slice() {
                [] => "".into(),
                [one] => one.as_str().into(),
                [first, rest @ ..] => format!("({}) {first}", rest.len() + 1).into(),
            },
        }
    }

    fn plain(self, r: &Route, now: i64) -> Cow<'_, str> {
        match self {
            Self::Problems => r.problems.join("; ").into(),
            _ => self.cell(r, now),
        }
    }

    fn sort(self) -> Sort<Route> {
        match self {
            Self::Status => {
                Sort::Value(|a, b| (a.status, a.latency_ms).cmp(&(b.status, b.latency_ms)))
            }
            Self::Port => Sort::Value(|a, b| a.port.cmp(&b.port)),
            Self::Problems => Sort::Value(|a, b| b.problems.len().cmp(&a.problems.len())),
            _ => Sort::Text,
        }
    }

    fn tone(self, r: &Route) -> Tone {
        match self {
            Self::Status => match r.status {
                RouteStatus::Up => Tone::Ok,
                RouteStatus::Down | RouteStatus::NoBackend => Tone::Error,
                RouteStatus::Unknown => Tone::Stopped,
            },
            Self::Problems if !r.problems.is_empty() => Tone::Warn,
            _ => Tone::Base,
        }
    }
}

/// "up 3 ms", "down", "no backend", "unknown".
pub fn status_text(r: &Route) -> String {
    match (r.status, r.latency_ms) {
        (RouteStatus::Up, Some(0)) => "up <1 ms".into(),
        (RouteStatus::Up, Some(ms)) => format!("up {ms} ms"),
        (s, _) => s.label().into(),
    }
}
