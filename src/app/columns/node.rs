//! Columns of the node list.

use super::format::bytes;
use super::{Column, KindColumn, Sort, Tone, col, flex, num};
use crate::domain::Node;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeColumn {
    Name,
    Role,
    State,
    Engine,
    OsArch,
    Cpus,
    Memory,
    Running,
    Total,
    Availability,
    Address,
    Labels,
}

impl KindColumn for NodeColumn {
    type Item = Node;
    const ALL: &'static [Self] = &[
        Self::Name,
        Self::Role,
        Self::State,
        Self::Engine,
        Self::OsArch,
        Self::Cpus,
        Self::Memory,
        Self::Running,
        Self::Total,
        Self::Availability,
        Self::Address,
        Self::Labels,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Name => flex("NAME", 16, 0),
            Self::Role => col("ROLE", 8, 2),
            Self::State => col("STATE", 7, 0),
            Self::Engine => col("ENGINE", 12, 3),
            Self::OsArch => col("OS/ARCH", 20, 4),
            Self::Cpus => num("CPUS", 4, 3),
            Self::Memory => num("MEMORY", 8, 3),
            Self::Running => num("RUNNING", 7, 1),
            Self::Total => num("TOTAL", 5, 1),
            Self::Availability => col("AVAIL", 8, 4),
            Self::Address => col("ADDRESS", 15, 5),
            Self::Labels => flex("LABELS", 10, 6),
        }
    }

    fn cell(self, n: &Node, _now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => n.name.as_str().into(),
            Self::Role if n.leader => "leader".into(),
            Self::Role => n.role.as_str().into(),
            Self::State => n.state.as_str().into(),
            Self::Engine => n.engine_version.as_str().into(),
            Self::OsArch => format!("{}/{}", n.os, n.arch).into(),
            Self::Cpus => n.cpus.to_string().into(),
            Self::Memory => bytes(n.memory_bytes).into(),
            Self::Running => n.containers_running.to_string().into(),
            Self::Total => n.containers_total.to_string().into(),
            Self::Availability => n.availability.as_str().into(),
            Self::Address => n.address.as_str().into(),
            Self::Labels => n.labels.join(",").into(),
        }
    }

    fn sort(self) -> Sort<Node> {
        match self {
            Self::Cpus => Sort::Value(|a, b| a.cpus.cmp(&b.cpus)),
            Self::Memory => Sort::Value(|a, b| a.memory_bytes.cmp(&b.memory_bytes)),
            Self::Running => Sort::Value(|a, b| a.containers_running.cmp(&b.containers_running)),
            Self::Total => Sort::Value(|a, b| a.containers_total.cmp(&b.containers_total)),
            _ => Sort::Text,
        }
    }

    fn tone(self, n: &Node) -> Tone {
        match self {
            Self::State if n.state != "ready" => Tone::Error,
            Self::Availability if !matches!(n.availability.as_str(), "" | "active") => Tone::Warn,
            _ => Tone::Base,
        }
    }
}
