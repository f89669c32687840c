//! Engines behind one trait. A backend turns engine data into the domain
//! model, streams changes as [`BackendEvent`]s and runs commands. It never
//! sees UI types.

pub mod docker;
mod error;
mod kube;
mod select;

pub use error::BackendError;
pub use select::{BackendChoice, connect};

use crate::domain::Snapshot;
use crate::logs::{LogEvent, LogRequest};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    Docker,
    Swarm,
    Kubernetes,
}

impl BackendKind {
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Docker => "docker",
            BackendKind::Swarm => "swarm",
            BackendKind::Kubernetes => "kubernetes",
        }
    }
}

/// What the status bar says about the link to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Lost; retrying. `for_secs` counts since the loss.
    Reconnecting {
        for_secs: u64,
        error: String,
    },
}

/// Everything a backend's watcher tells the app.
#[derive(Debug, Clone)]
pub enum BackendEvent {
    Connection(ConnectionState),
    Snapshot(Arc<Snapshot>),
}

/// One engine connection.
pub trait Backend: Send + Sync {
    fn kind(&self) -> BackendKind;
    /// Where it talks to, as the user would write it (`unix:///var/run/docker.sock`).
    fn endpoint(&self) -> &str;
    /// One full listing (headless `ls`, and the watcher's resync).
    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>>;
    /// Follows the engine until `tx` is closed: sends a snapshot after each
    /// coalesced batch of changes, and connection state changes.
    fn watch(&self, tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()>;
    /// Streams logs of a container or a whole service until `tx` is closed,
    /// or, without `follow`, until the history is sent.
    fn logs(&self, req: LogRequest, tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()>;
}

/// How long events are merged before one re-list.
pub const COALESCE: Duration = Duration::from_millis(250);
