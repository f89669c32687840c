//! Everything the console shows, in one place. The reducer changes it; the
//! UI only reads it.

use super::layout;
use super::list::ListState;
use super::logview::LogView;
use super::view::{Scope, View};
use crate::backend::{BackendKind, ConnectionState};
use crate::config::Mode;
use crate::domain::Snapshot;
use std::sync::Arc;

/// A screen on the navigation stack.
#[derive(Debug)]
pub enum Screen {
    List(Box<ListState>),
    Logs(Box<LogView>),
}

/// Text being typed at the bottom line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Filter {
        text: String,
        before: Option<String>,
    },
    Search {
        text: String,
    },
    Command {
        text: String,
    },
}

impl Prompt {
    pub fn text(&self) -> &str {
        match self {
            Prompt::Filter { text, .. } | Prompt::Search { text } | Prompt::Command { text } => {
                text
            }
        }
    }
    pub fn text_mut(&mut self) -> &mut String {
        match self {
            Prompt::Filter { text, .. } | Prompt::Search { text } | Prompt::Command { text } => {
                text
            }
        }
    }
    pub fn sigil(&self) -> &'static str {
        match self {
            Prompt::Filter { .. } => "/",
            Prompt::Search { .. } => "search: ",
            Prompt::Command { .. } => ":",
        }
    }
}

/// Startup settings the reducer needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub backend: BackendKind,
    pub endpoint: String,
    pub read_only: bool,
    /// Lines of history a new log view opens with.
    pub log_tail: u64,
    /// Lines a log view keeps at most.
    pub log_capacity: usize,
    /// Where saved logs go.
    pub save_dir: std::path::PathBuf,
}

#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    pub snapshot: Arc<Snapshot>,
    /// Whether a first snapshot arrived (an empty list then means "none").
    pub loaded: bool,
    pub connection: ConnectionState,
    pub last_error: Option<String>,
    /// A passing notice (saved file, unknown command).
    pub message: Option<String>,
    pub screens: Vec<Screen>,
    pub prompt: Option<Prompt>,
    /// Help overlay, with its scroll.
    pub help: Option<usize>,
    pub show_log_pane: bool,
    pub size: (u16, u16),
    /// Unix seconds, advanced by ticks (ages).
    pub now: i64,
    /// Set by every change that must be drawn; the runtime clears it after drawing.
    pub dirty: bool,
    pub quit: bool,
    pub next_session: u64,
}

impl AppState {
    pub fn new(settings: Settings, size: (u16, u16), now: i64) -> Self {
        AppState {
            settings,
            snapshot: Arc::new(Snapshot::default()),
            loaded: false,
            connection: ConnectionState::Connecting,
            last_error: None,
            message: None,
            screens: vec![Screen::List(Box::new(ListState::new(
                View::Containers,
                Scope::default(),
            )))],
            prompt: None,
            help: None,
            show_log_pane: false,
            size,
            now,
            dirty: true,
            quit: false,
            next_session: 1,
        }
    }

    pub fn screen(&self) -> &Screen {
        // The stack is never empty: the root screen is replaced, not popped.
        &self.screens[self.screens.len() - 1]
    }

    pub fn screen_mut(&mut self) -> &mut Screen {
        let last = self.screens.len() - 1;
        &mut self.screens[last]
    }

    pub fn view(&self) -> View {
        match self.screen() {
            Screen::List(l) => l.view,
            Screen::Logs(_) => View::Logs,
        }
    }

    /// The keymap table in force, or `None` while a prompt takes raw keys.
    pub fn key_mode(&self) -> Option<Mode> {
        if self.prompt.is_some() {
            None
        } else if self.help.is_some() {
            Some(Mode::Help)
        } else if matches!(self.screen(), Screen::Logs(_)) {
            Some(Mode::Logs)
        } else {
            Some(Mode::List)
        }
    }

    /// Rows available to the current list or log body.
    pub fn body_height(&self) -> usize {
        layout::body_rows(self.size, self.show_log_pane, self.view() == View::Logs)
    }

    pub fn logs(&self) -> Option<&LogView> {
        self.screens.iter().rev().find_map(|s| match s {
            Screen::Logs(l) => Some(l.as_ref()),
            Screen::List(_) => None,
        })
    }

    /// Whether a list shows an age under a minute (shown in seconds).
    pub fn has_fresh_ages(&self) -> bool {
        let fresh = |created: i64| created > 0 && self.now - created < 60;
        match self.screen() {
            Screen::List(l) => match l.view {
                View::Containers => self.snapshot.containers.iter().any(|c| fresh(c.created)),
                View::Services => self.snapshot.services.iter().any(|s| fresh(s.created)),
                _ => false,
            },
            Screen::Logs(_) => false,
        }
    }
}
