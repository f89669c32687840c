//! What flows into the reducer and what it asks the runtime to do.

use super::Action;
use crate::backend::BackendEvent;
use crate::backend::kube::{Contexts, KubeTarget};
use crate::domain::{OpEvent, OpRequest, Plan};
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
    /// The backend's answer to [`Command::Check`]: whether `req` applies.
    Checked {
        req: OpRequest,
        result: Result<(), String>,
    },
    /// The backend's answer to [`Command::Prepare`]: the plan, or why none.
    Planned {
        req: OpRequest,
        result: Result<Plan, String>,
    },
    /// Progress of a running operation; `elapsed_ms` since it was started.
    Op {
        id: u64,
        event: OpEvent,
        elapsed_ms: u64,
    },
    /// The notice with this id has been shown long enough.
    NoticeExpired(u64),
    /// The kubeconfig's contexts, for [`Command::ListContexts`].
    Contexts {
        pick: Option<String>,
        result: Result<Contexts, String>,
    },
    /// The route feed's probe results and extra routes.
    Routes(std::sync::Arc<crate::routes::live::Live>),
    /// [`Command::Connect`] answered: the new backend's endpoint (the
    /// runtime holds the backend until [`Command::Adopt`]), or why not.
    Connected {
        target: KubeTarget,
        result: Result<String, String>,
    },
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
    /// Ask the backend whether the operation applies to its target.
    Check {
        req: OpRequest,
    },
    /// Ask the backend for the plan of `req` (changes nothing).
    Prepare {
        req: OpRequest,
    },
    /// Carry out a confirmed plan as operation `id`.
    Execute {
        id: u64,
        plan: Plan,
    },
    /// Stop operation `id` at its next safe point.
    CancelOp {
        id: u64,
    },
    /// Append a line to the audit trail.
    Audit {
        req: OpRequest,
        /// converged, failed, restored, cancelled, refused, declined.
        result: String,
        message: String,
        duration_ms: u64,
    },
    /// Read the kubeconfig's contexts; switch to `pick` when given, else
    /// offer them in a picker.
    ListContexts {
        pick: Option<String>,
    },
    /// Connect a backend for another Kubernetes context or namespace.
    Connect {
        target: KubeTarget,
    },
    /// Watch, list and operate through the backend just connected, in
    /// place of the old one.
    Adopt,
    Quit,
}
