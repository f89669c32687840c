//! Engines behind one trait. A backend turns engine data into the domain
//! model, streams changes as [`BackendEvent`]s and runs commands. It never
//! sees UI types.

pub mod docker;
mod error;
mod guard;
pub mod kube;
pub(crate) mod report;
mod select;
mod switch;

pub use error::BackendError;
pub use guard::ReadOnly;
pub use select::{BackendChoice, connect};
pub use switch::{KubeSwitcher, Switcher, guarded};

use crate::domain::{Capabilities, OpEvent, OpRequest, Plan, Snapshot, TargetRef};
use crate::logs::{LogEvent, LogRequest};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
pub use tokio_util::sync::CancellationToken;

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
    /// Connected, the first listing under way: what has come is shown
    /// (`pods` of them so far).
    Loading {
        pods: usize,
    },
    Connected,
    /// Lost; retrying. `for_secs` counts since the loss.
    Reconnecting {
        for_secs: u64,
        error: String,
    },
    /// Reachable, but a request has had no answer for `for_secs` (a hung
    /// engine); clears when it answers.
    NotAnswering {
        for_secs: u64,
    },
}

/// Which replicas the console shows, so that a backend that must poll for
/// them (swarm tasks have no events) asks only for those, and only while
/// they are on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Interest {
    /// No list of replicas is on screen.
    #[default]
    Nothing,
    /// Every replica (the container list, or per-node counts).
    All,
    /// One service's replicas, by [`crate::domain::Service::id`].
    Service(String),
    /// The replicas on one node, by name.
    Node(String),
}

/// Everything a backend's watcher tells the app.
#[derive(Debug, Clone)]
pub enum BackendEvent {
    Connection(ConnectionState),
    Snapshot(Arc<Snapshot>),
}

/// A proxy's config file read from inside a running container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFile {
    /// The container it was read from, by id.
    pub container_id: String,
    /// Where it was read: `haproxy-1:/usr/local/etc/haproxy/haproxy.cfg`.
    pub origin: String,
    /// Its text, or why it could not be read.
    pub text: Result<String, String>,
}

/// One engine connection.
pub trait Backend: Send + Sync {
    fn kind(&self) -> BackendKind;
    /// Where it talks to, as the user would write it (`unix:///var/run/docker.sock`).
    fn endpoint(&self) -> &str;
    /// What the operator should know from the start (a swarm worker sees
    /// only itself).
    fn note(&self) -> Option<String> {
        None
    }
    /// One full listing (headless `ls`, and the watcher's resync).
    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>>;
    /// Follows the engine until `tx` is closed: sends a snapshot after each
    /// coalesced batch of changes, and connection state changes.
    fn watch(&self, tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()>;
    /// What the console shows now; a watcher that polls follows it.
    fn set_interest(&self, _interest: Interest) {}
    /// Streams logs of a container or a whole service until `tx` is closed,
    /// or, without `follow`, until the history is sent.
    fn logs(&self, req: LogRequest, tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()>;

    /// The configs of the haproxy containers in `snap`, read through the
    /// engine (a bind-mounted `haproxy.cfg`). Engines without such
    /// containers have none.
    fn haproxy_configs(&self, _snap: Arc<Snapshot>) -> BoxFuture<'static, Vec<ContainerFile>> {
        Box::pin(async { Vec::new() })
    }

    /// What the operator typed (a name as `ls` prints it) as a typed target.
    fn resolve(&self, snap: &Snapshot, name: &str) -> Result<TargetRef, BackendError> {
        crate::domain::resolve(snap, name).map_err(BackendError::NoTarget)
    }
    /// Which operations apply to `target`, and why the others do not.
    fn capabilities(&self, target: &TargetRef) -> Capabilities;
    /// Asks the engine what `req` would do, changing nothing: the text of
    /// the confirmation. Refuses what `capabilities` refuses.
    fn plan(&self, req: OpRequest) -> BoxFuture<'static, Result<Plan, BackendError>>;
    /// Carries out a plan, sending progress until it converges or fails;
    /// `OpEvent::Finished` is always the last event. `cancel` stops it at
    /// the next safe point (the replica in hand is finished or restored
    /// first) with `Outcome::Cancelled`; so does closing `tx`.
    fn execute(
        &self,
        plan: Plan,
        tx: mpsc::Sender<OpEvent>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()>;
}

/// Unix seconds now: ages, `since` windows, failure windows.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// How long events are merged before one re-list.
pub const COALESCE: Duration = Duration::from_millis(250);
