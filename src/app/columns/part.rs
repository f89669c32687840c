//! Columns of a pod's containers (Kubernetes, one level below a pod).

use super::{Column, KindColumn, Sort, Tone, age, col, flex, num};
use crate::domain::{ContainerPart, PartState};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartColumn {
    Name,
    Type,
    State,
    Reason,
    Ready,
    Restarts,
    Last,
    Image,
    Age,
    Message,
}

/// Reasons that mean the container cannot run until someone acts.
const FAILING: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "OOMKilled",
    "Error",
    "ContainerCannotRun",
];

impl KindColumn for PartColumn {
    type Item = ContainerPart;
    const ALL: &'static [Self] = &[
        Self::Name,
        Self::Type,
        Self::State,
        Self::Reason,
        Self::Ready,
        Self::Restarts,
        Self::Last,
        Self::Image,
        Self::Age,
        Self::Message,
    ];

    fn spec(self) -> Column {
        match self {
            Self::Name => flex("NAME", 14, 0),
            Self::Type => col("TYPE", 4, 2),
            Self::State => col("STATE", 10, 0),
            Self::Reason => col("REASON", 20, 0),
            Self::Ready => col("READY", 5, 1),
            Self::Restarts => num("RESTARTS", 8, 1),
            Self::Last => col("LAST EXIT", 20, 3),
            Self::Image => flex("IMAGE", 14, 4),
            Self::Age => num("AGE", 5, 5),
            Self::Message => flex("MESSAGE", 12, 6),
        }
    }

    fn cell(self, p: &ContainerPart, now: i64) -> Cow<'_, str> {
        match self {
            Self::Name => p.name.as_str().into(),
            Self::Type => if p.init { "init" } else { "app" }.into(),
            Self::State => p.state.label().into(),
            Self::Reason => match p.exit_code {
                Some(code) if p.reason.is_empty() => format!("exit {code}").into(),
                Some(code) => format!("{}, exit {code}", p.reason).into(),
                None => p.reason.as_str().into(),
            },
            Self::Ready => if p.ready { "yes" } else { "no" }.into(),
            Self::Restarts => p.restarts.to_string().into(),
            Self::Last => p.last_termination.as_str().into(),
            Self::Image => p.image.as_str().into(),
            Self::Age => age(p.since, now).into(),
            Self::Message => p.message.as_str().into(),
        }
    }

    fn sort(self) -> Sort<ContainerPart> {
        match self {
            // Init containers first, as they run.
            Self::Name => Sort::Value(|a, b| b.init.cmp(&a.init)),
            Self::State => Sort::Value(|a, b| a.state.cmp(&b.state)),
            Self::Restarts => Sort::Value(|a, b| a.restarts.cmp(&b.restarts)),
            Self::Age => Sort::Value(|a, b| b.since.cmp(&a.since)),
            _ => Sort::Text,
        }
    }

    fn tone(self, p: &ContainerPart) -> Tone {
        let failing = FAILING.contains(&p.reason.as_str());
        match self {
            Self::State | Self::Reason => match p.state {
                _ if failing => Tone::Error,
                PartState::Running => Tone::Ok,
                PartState::Terminated if p.exit_code == Some(0) => Tone::Stopped,
                PartState::Terminated => Tone::Error,
                PartState::Waiting | PartState::Unknown => Tone::Transient,
            },
            Self::Ready if p.ready => Tone::Ok,
            Self::Ready if p.state == PartState::Running => Tone::Unhealthy,
            Self::Restarts if p.restarts > 0 => Tone::Warn,
            Self::Last if !p.last_termination.is_empty() => Tone::Warn,
            Self::Type if p.init => Tone::Stopped,
            _ => Tone::Base,
        }
    }
}
