//! Columns of the service list.

use super::{Column, KindColumn, Sort, Tone, age, col, flex, num, optional, replicas_tone};
use crate::domain::{Service, ServiceKind, ServiceMode};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceColumn {
    Name,
    Stack,
    Kind,
    Replicas,
    Image,
    Revision,
    Ports,
    Routes,
    Age,
    Status,
}

impl KindColumn for ServiceColumn {
    type Item = Service;
    const ALL: &'static [Self] = &[
        Self::Name,
        Self::Stack,
        Self::Kind,
        Self::Replicas,
        Self::Image,
        Self::Revision,
        Self::Ports,
        Self::Routes,
        Self::Age,
        Self::Status,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Name => flex("NAME", 16, 0),
            Self::Stack => col("STACK", 12, 2),
            Self::Kind => col("KIND", 12, 4),
            Self::Replicas => col("REPLICAS", 8, 0),
            Self::Image => flex("IMAGE", 14, 1),
            Self::Revision => optional(num("REV", 3, 5)),
            Self::Ports => col("PORTS", 14, 3),
            Self::Routes => optional(col("ROUTES", 18, 5)),
            Self::Age => num("AGE", 5, 1),
            Self::Status => flex("STATUS", 10, 4),
        }
    }

    fn cell(self, s: &Service, now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => s.name.as_str().into(),
            Self::Stack => s.stack.as_deref().unwrap_or("-").into(),
            // A workload says which: deployment, statefulset, daemonset.
            Self::Kind if s.kind == ServiceKind::Workload => {
                s.id.split('/').nth(1).unwrap_or(s.kind.label()).into()
            }
            Self::Kind => match s.mode {
                ServiceMode::Replicated => s.kind.label().into(),
                mode => format!("{} {}", s.kind.label(), mode.label()).into(),
            },
            Self::Replicas => format!("{}/{}", s.replicas_running, s.replicas_desired).into(),
            Self::Image => match s.digest.as_deref().and_then(short_digest) {
                Some(d) => format!("{}@{d}", s.image).into(),
                None => s.image.as_str().into(),
            },
            Self::Revision => s.revision.as_deref().unwrap_or("").into(),
            Self::Ports => s.ports.as_str().into(),
            Self::Routes => match s.routes.as_slice() {
                [] => "".into(),
                [one] => one.as_str().into(),
                [first, rest @ ..] => format!("{first} +{}", rest.len()).into(),
            },
            Self::Age => age(s.created, now).into(),
            Self::Status => status(s).into(),
        }
    }

    /// `ls` names services the way `logs TARGET` takes them.
    fn plain(self, s: &Service, now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => s.qualified_name().into(),
            _ => self.cell(s, now),
        }
    }

    fn sort(self) -> Sort<Service> {
        match self {
            Self::Replicas => Sort::Value(|a, b| {
                (a.replicas_running, a.replicas_desired)
                    .cmp(&(b.replicas_running, b.replicas_desired))
            }),
            // Ascending age is newest first.
            Self::Age => Sort::Value(|a, b| b.created.cmp(&a.created)),
            _ => Sort::Text,
        }
    }

    fn tone(self, s: &Service) -> Tone {
        match self {
            Self::Replicas => replicas_tone(s.replicas_running, s.replicas_desired),
            Self::Status if s.problem.is_some() => Tone::Error,
            Self::Status => match s.update.as_ref().map(|u| u.state.as_str()) {
                Some("paused" | "rollback_paused") => Tone::Error,
                Some("rollback_started" | "rollback_completed") => Tone::Warn,
                Some(_) => Tone::Transient,
                None => Tone::Base,
            },
            _ => Tone::Base,
        }
    }
}

/// The first 12 hex digits of `sha256:…`, as `docker images --digests` is read.
fn short_digest(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    hex.get(..12)
}

/// A rollout in progress or stopped, and failing tasks, in the engine's words.
fn status(s: &Service) -> String {
    let update = s.update.as_ref().map(|u| {
        let word = match u.state.as_str() {
            "rollback_started" => "rolling back",
            "rollback_paused" => "rollback paused",
            "rollback_completed" => "rolled back",
            other => other,
        };
        if u.message.is_empty() {
            word.to_owned()
        } else {
            format!("{word}: {}", u.message)
        }
    });
    let problem = s.problem.as_ref().map(|p| format!("failing: {p}"));
    match (update, problem) {
        (Some(u), Some(p)) => format!("{u}; {p}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    }
}
