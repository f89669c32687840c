//! Columns of the stack list.

use super::{Column, KindColumn, Sort, Tone, col, flex, num, optional, replicas_tone};
use crate::domain::Stack;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackColumn {
    Name,
    Kind,
    Services,
    Containers,
    Path,
    Apps,
}

impl KindColumn for StackColumn {
    type Item = Stack;
    const ALL: &'static [Self] = &[
        Self::Name,
        Self::Kind,
        Self::Services,
        Self::Containers,
        Self::Path,
        Self::Apps,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Name => flex("NAME", 16, 0),
            Self::Kind => col("KIND", 8, 3),
            Self::Services => num("SERVICES", 8, 1),
            Self::Containers => col("CONTAINERS", 10, 0),
            Self::Path => optional(flex("PATH", 10, 2)),
            Self::Apps => optional(flex("APPS", 10, 3)),
        }
    }

    fn cell(self, s: &Stack, _now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => s.name.as_str().into(),
            Self::Kind => s.kind.label().into(),
            Self::Services => s.services.to_string().into(),
            Self::Containers => format!("{}/{}", s.containers_running, s.containers_total).into(),
            Self::Path => s.working_dir.as_deref().unwrap_or("").into(),
            Self::Apps => s.apps.join(", ").into(),
        }
    }

    fn sort(self) -> Sort<Stack> {
        match self {
            Self::Services => Sort::Value(|a, b| a.services.cmp(&b.services)),
            Self::Containers => Sort::Value(|a, b| {
                (a.containers_running, a.containers_total)
                    .cmp(&(b.containers_running, b.containers_total))
            }),
            _ => Sort::Text,
        }
    }

    fn tone(self, s: &Stack) -> Tone {
        match self {
            Self::Containers => replicas_tone(s.containers_running, s.containers_total),
            _ => Tone::Base,
        }
    }
}
