//! Columns of the container list.

use super::{Column, KindColumn, Sort, Tone, age, col, flex, num};
use crate::domain::{Container, ContainerState, Health};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerColumn {
    Name,
    State,
    Health,
    Image,
    Service,
    Ports,
    Restarts,
    Age,
    Node,
    Status,
    Id,
}

impl KindColumn for ContainerColumn {
    type Item = Container;
    const ALL: &'static [Self] = &[
        Self::Name,
        Self::State,
        Self::Health,
        Self::Image,
        Self::Service,
        Self::Ports,
        Self::Restarts,
        Self::Age,
        Self::Node,
        Self::Status,
        Self::Id,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Name => flex("NAME", 18, 0),
            Self::State => col("STATE", 10, 0),
            Self::Health => col("HEALTH", 9, 1),
            Self::Image => flex("IMAGE", 14, 3),
            Self::Service => flex("SERVICE", 14, 4),
            Self::Ports => col("PORTS", 14, 5),
            Self::Restarts => num("RESTARTS", 8, 1),
            Self::Age => num("AGE", 5, 1),
            Self::Node => col("NODE", 10, 5),
            Self::Status => flex("STATUS", 12, 6),
            Self::Id => col("CONTAINER", 12, 7),
        }
    }

    fn cell(self, c: &Container, now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => c.name.as_str().into(),
            Self::State => match &c.task {
                Some(t) => t.state.as_str().into(),
                None => c.state.label().into(),
            },
            Self::Health => c.health.label().into(),
            Self::Image => c.image.as_str().into(),
            Self::Service => match (&c.stack, &c.service) {
                (Some(st), Some(sv)) => format!("{st}/{sv}").into(),
                _ => "-".into(),
            },
            Self::Ports => c.ports_text().into(),
            Self::Restarts => c
                .restart_count
                .map(|n| n.to_string())
                .unwrap_or_default()
                .into(),
            Self::Age => age(c.created, now).into(),
            Self::Node => c.node.as_str().into(),
            Self::Status => match &c.task {
                // `docker service ps`: what the orchestrator wants, and why not.
                Some(t) if t.desired_state != t.state && !t.desired_state.is_empty() => {
                    let wants = format!("desired {}", t.desired_state);
                    if c.status.is_empty() {
                        wants.into()
                    } else {
                        format!("{wants}: {}", c.status).into()
                    }
                }
                Some(_) => c.status.as_str().into(),
                None => exit_status(&c.status).into(),
            },
            // A task's container, once it has one; else the container itself.
            Self::Id => match &c.task {
                Some(t) => short(&t.container_id).into(),
                None => short(&c.id).into(),
            },
        }
    }

    fn sort(self) -> Sort<Container> {
        match self {
            Self::State => Sort::Value(|a, b| a.state.cmp(&b.state)),
            // Worst health first.
            Self::Health => Sort::Value(|a, b| b.health.cmp(&a.health)),
            Self::Restarts => Sort::Value(|a, b| a.restart_count.cmp(&b.restart_count)),
            // Ascending age is newest first.
            Self::Age => Sort::Value(|a, b| b.created.cmp(&a.created)),
            _ => Sort::Text,
        }
    }

    fn tone(self, c: &Container) -> Tone {
        if c.task.as_ref().is_some_and(|t| t.history) {
            return match self {
                Self::State if c.state == ContainerState::Dead => Tone::Error,
                _ => Tone::Stopped,
            };
        }
        match self {
            Self::State => match c.state {
                ContainerState::Running => Tone::Ok,
                ContainerState::Exited | ContainerState::Created => Tone::Stopped,
                ContainerState::Dead => Tone::Error,
                _ => Tone::Transient,
            },
            Self::Health => match c.health {
                Health::Unhealthy => Tone::Unhealthy,
                Health::Healthy => Tone::Ok,
                Health::Starting => Tone::Transient,
                Health::None => Tone::Base,
            },
            Self::Restarts if c.restart_count.unwrap_or(0) > 0 => Tone::Warn,
            Self::Status if c.task.as_ref().is_some_and(|t| !t.error.is_empty()) => Tone::Error,
            _ => Tone::Base,
        }
    }
}

/// Docker's status text holds an age that is stale as soon as it is listed
/// ("Up 3 minutes", "Exited (137) 5 minutes ago"): only the exit code is
/// kept, the AGE column and the state say the rest. Other backends' words
/// (a pod's reason, ready count and IP) are shown whole.
fn exit_status(status: &str) -> &str {
    let coded = status.starts_with("Exited (") || status.starts_with("Restarting (");
    match status.find(')') {
        Some(end) if coded => &status[..=end],
        _ if status.starts_with("Up ")
            || matches!(status, "Created" | "Dead" | "Removal In Progress") =>
        {
            ""
        }
        _ => status,
    }
}

/// The 12 characters `docker ps` shows of an id.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
