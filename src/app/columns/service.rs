//! Columns of the service list.

use super::{Column, KindColumn, Sort, Tone, age, col, flex, num, replicas_tone};
use crate::domain::Service;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceColumn {
    Name,
    Stack,
    Kind,
    Replicas,
    Image,
    Ports,
    Age,
}

impl KindColumn for ServiceColumn {
    type Item = Service;
    const ALL: &'static [Self] = &[
        Self::Name,
        Self::Stack,
        Self::Kind,
        Self::Replicas,
        Self::Image,
        Self::Ports,
        Self::Age,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Name => flex("NAME", 16, 0),
            Self::Stack => col("STACK", 12, 2),
            Self::Kind => col("KIND", 9, 4),
            Self::Replicas => col("REPLICAS", 8, 0),
            Self::Image => flex("IMAGE", 14, 1),
            Self::Ports => col("PORTS", 14, 3),
            Self::Age => num("AGE", 5, 1),
        }
    }

    fn cell(self, s: &Service, now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => s.name.as_str().into(),
            Self::Stack => s.stack.as_deref().unwrap_or("-").into(),
            Self::Kind => s.kind.label().into(),
            Self::Replicas => format!("{}/{}", s.replicas_running, s.replicas_desired).into(),
            Self::Image => s.image.as_str().into(),
            Self::Ports => s.ports.as_str().into(),
            Self::Age => age(s.created, now).into(),
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
            _ => Tone::Base,
        }
    }
}
