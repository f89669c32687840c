//! Everything the console shows, in one place. The reducer changes it; the
//! UI only reads it.

use super::layout;
use super::list::ListState;
use super::logview::LogView;
use super::notice::{Level, Notice};
use super::overlay::Overlay;
use super::view::{Scope, View};
use crate::backend::kube::KubeTarget;
use crate::backend::{BackendKind, ConnectionState, Interest};
use crate::config::Mode;
use crate::domain::{Operation, Snapshot};
use std::sync::Arc;

/// A screen on the navigation stack.
#[derive(Debug)]
pub enum Screen {
    List(Box<ListState>),
    Logs(Box<LogView>),
    /// This session's operations; `selected` counts from the newest.
    Operations {
        selected: usize,
    },
}

/// An operation started in this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpEntry {
    pub op: Operation,
    /// How long it took, measured by the runtime (finer than `op.finished`).
    pub took_ms: Option<u64>,
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
    /// Where `audit.jsonl` is appended; `None` writes no audit trail.
    pub audit_dir: Option<std::path::PathBuf>,
    /// Route sources beyond the engine's objects.
    pub routes: crate::routes::feed::FeedConfig,
}

#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    /// What the lists show: the backend's snapshot with the route feed's
    /// findings laid over its routes.
    pub snapshot: Arc<Snapshot>,
    /// The backend's own latest snapshot.
    pub base: Arc<Snapshot>,
    /// Probe results and routes from other sources, from the route feed.
    pub routes_live: Arc<crate::routes::live::Live>,
    /// Whether a first snapshot arrived (an empty list then means "none").
    pub loaded: bool,
    pub connection: ConnectionState,
    /// Why the connection is lost; cleared when it is back.
    pub last_error: Option<String>,
    /// Config warnings, operation results, refusals: not tied to the connection.
    pub notice: Option<Notice>,
    next_notice: u64,
    pub screens: Vec<Screen>,
    pub prompt: Option<Prompt>,
    pub overlay: Option<Overlay>,
    /// In the order started.
    pub operations: Vec<OpEntry>,
    pub show_log_pane: bool,
    pub size: (u16, u16),
    /// Unix seconds, advanced by ticks (ages).
    pub now: i64,
    /// Set by every change that must be drawn; the runtime clears it after drawing.
    pub dirty: bool,
    pub quit: bool,
    pub next_session: u64,
    /// The Kubernetes context and namespace shown; `None` on Docker.
    pub kube: Option<KubeTarget>,
    /// Where `:ctx` / `:ns` is connecting to, until it answers.
    pub switching: Option<KubeTarget>,
}

impl AppState {
    pub fn new(settings: Settings, size: (u16, u16), now: i64) -> Self {
        AppState {
            settings,
            snapshot: Arc::new(Snapshot::default()),
            base: Arc::new(Snapshot::default()),
            routes_live: Arc::default(),
            loaded: false,
            connection: ConnectionState::Connecting,
            last_error: None,
            notice: None,
            next_notice: 1,
            screens: vec![Screen::List(Box::new(ListState::new(
                View::Containers,
                Scope::default(),
            )))],
            prompt: None,
            overlay: None,
            operations: Vec::new(),
            show_log_pane: false,
            size,
            now,
            dirty: true,
            quit: false,
            next_session: 1,
            kube: None,
            switching: None,
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

    /// The list or log view on top; `None` on the operations screen.
    pub fn view(&self) -> Option<View> {
        match self.screen() {
            Screen::List(l) => Some(l.view),
            Screen::Logs(_) => Some(View::Logs),
            Screen::Operations { .. } => None,
        }
    }

    /// The keymap table in force, or `None` while a prompt takes raw keys.
    pub fn key_mode(&self) -> Option<Mode> {
        if self.prompt.is_some() {
            return None;
        }
        if let Some(o) = &self.overlay {
            return o.key_mode();
        }
        Some(match self.screen() {
            Screen::List(_) => Mode::List,
            Screen::Logs(_) => Mode::Logs,
            Screen::Operations { .. } => Mode::Operation,
        })
    }

    /// Rows available to the current list or log body.
    pub fn body_height(&self) -> usize {
        let headerless = !matches!(self.screen(), Screen::List(_));
        layout::body_rows(self.size, self.show_log_pane, headerless)
    }

    pub fn logs(&self) -> Option<&LogView> {
        self.screens.iter().rev().find_map(|s| match s {
            Screen::Logs(l) => Some(l.as_ref()),
            _ => None,
        })
    }

    /// Shows `text` in the status bar until dismissed or timed out.
    pub fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.notice = Some(Notice {
            id: self.next_notice,
            level,
            text: text.into(),
        });
        self.next_notice += 1;
    }

    pub fn operation(&self, id: u64) -> Option<&OpEntry> {
        self.operations.iter().find(|e| e.op.id == id)
    }

    pub fn running_operations(&self) -> impl Iterator<Item = &OpEntry> {
        self.operations.iter().filter(|e| e.op.is_running())
    }

    /// Whether the screen shows a running operation's elapsed seconds.
    pub fn shows_running_clock(&self) -> bool {
        matches!(self.screen(), Screen::Operations { .. })
            && self.running_operations().next().is_some()
    }

    /// The replicas on screen, for a backend that must poll for them: a
    /// container list (scoped to a service or a node, or all), or the node
    /// list with its per-node counts. Nothing under a log view or the
    /// operations screen.
    pub fn interest(&self) -> Interest {
        let Screen::List(l) = self.screen() else {
            return Interest::Nothing;
        };
        match l.view {
            View::Containers => match (&l.scope.service, &l.scope.node) {
                (Some(svc), _) => Interest::Service(svc.clone()),
                (None, Some(node)) => Interest::Node(node.clone()),
                (None, None) => Interest::All,
            },
            View::Nodes => Interest::All,
            _ => Interest::Nothing,
        }
    }

    /// Whether a list shows an age under a minute (shown in seconds).
    pub fn has_fresh_ages(&self) -> bool {
        let fresh = |created: i64| created > 0 && self.now - created < 60;
        match self.screen() {
            Screen::List(l) => match l.view {
                View::Containers => self.snapshot.containers.iter().any(|c| fresh(c.created)),
                View::Services => self.snapshot.services.iter().any(|s| fresh(s.created)),
                View::Parts => self
                    .snapshot
                    .containers
                    .iter()
                    .flat_map(|c| &c.parts)
                    .any(|p| fresh(p.since)),
                _ => false,
            },
            _ => false,
        }
    }
}
