//! What flows into the reducer and what it asks the runtime to do.

use super::Action;
use crate::backend::BackendEvent;
use crate::logs::{LogEvent, LogRequest};
use crossterm::event::KeyEvent;
use std::path::PathBuf;

/// Everything the reducer reacts to.
#[derive(Debug)]
pub enum Msg {
    /// A key bound in the active keymap.
    Action(Action),
    /// A raw key, while a prompt (filter, command, search) takes text.
    Key(KeyEvent),
    Resize(u16, u16),
    Backend(BackendEvent),
    Log {
        session: u64,
        event: LogEvent,
    },
    /// Wall clock moved (ages in lists); unix seconds.
    Tick(i64),
    /// A save finished: where, how many lines, or why not.
    Saved(Result<(PathBuf, usize), String>),
}

/// Side effects the reducer asks for; the runtime performs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    OpenLogs {
        session: u64,
        req: LogRequest,
    },
    CloseLogs {
        session: u64,
    },
    /// Write the shown lines of the log view to a file.
    SaveLogs {
        session: u64,
    },
    Quit,
}
