//! What is drawn over the screen and takes the keys while open: help, the
//! scale prompt, a plan being asked for, the confirmation, and the
//! context or namespace picker. One of them at most, so each key goes to
//! exactly one place.

use super::picker::Picker;
use crate::config::Mode;
use crate::domain::{OpRequest, Plan, TargetRef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The help popup, with its scroll.
    Help { scroll: usize },
    /// Typing the replica count for a scale (digits only).
    Scale {
        target: TargetRef,
        /// What the service wants now, if known.
        current: Option<u32>,
        text: String,
    },
    /// The engine is asked what the request would do.
    Pending { req: OpRequest },
    /// The plan, waiting for yes or no; `again` once a `confirm_twice`
    /// plan was confirmed the first time.
    Confirm { plan: Plan, again: bool },
    /// Choosing a context (`:ctx`) or a namespace (`:ns`); typed text narrows it.
    Pick(Picker),
    /// Everything about one route (by id), drawn live from the snapshot:
    /// its rule, backends with their probes, every problem.
    Describe { route: String, scroll: usize },
}

impl Overlay {
    /// The keymap table in force, or `None` when typed text is wanted.
    pub fn key_mode(&self) -> Option<Mode> {
        match self {
            Overlay::Help { .. } | Overlay::Describe { .. } => Some(Mode::Help),
            Overlay::Scale { .. } | Overlay::Pick(_) => None,
            Overlay::Pending { .. } | Overlay::Confirm { .. } => Some(Mode::Confirm),
        }
    }
}
