//! Follows the engine: one full listing, then the events API. Events are
//! merged for [`COALESCE`], then only the containers they named are
//! re-listed. A broken stream means a full resync once the engine answers.

use super::list::{self, Model};
use crate::backend::{BackendEvent, COALESCE, ConnectionState};
use crate::domain::Snapshot;
use bollard::Docker;
use bollard::models::{EventMessage, EventMessageTypeEnum};
use bollard::query_parameters::EventsOptionsBuilder;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Inspects running at once to learn restart counts; keeps startup light.
const INSPECT_CONCURRENCY: usize = 4;

pub struct Watcher {
    docker: Docker,
    endpoint: String,
    latest: watch::Sender<Arc<Snapshot>>,
}

impl Watcher {
    pub fn new(docker: Docker, endpoint: String, latest: watch::Sender<Arc<Snapshot>>) -> Self {
        Watcher {
            docker,
            endpoint,
            latest,
        }
    }

    pub async fn run(self, tx: mpsc::Sender<BackendEvent>) {
        let mut lost_at: Option<Instant> = None;
        let mut backoff = Duration::from_millis(250);
        loop {
            if tx.is_closed() {
                return;
            }
            let started = unix_now();
            let model = match Model::load(&self.docker, &self.endpoint).await {
                Ok(m) => m,
                Err(e) => {
                    let since = *lost_at.get_or_insert_with(Instant::now);
                    tracing::warn!("listing failed: {e}");
                    let state = ConnectionState::Reconnecting {
                        for_secs: since.elapsed().as_secs(),
                        error: e.to_string(),
                    };
                    if tx.send(BackendEvent::Connection(state)).await.is_err() {
                        return;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = tx.closed() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
            };
            if lost_at.take().is_some() {
                tracing::info!("engine at {} is back; resynced", self.endpoint);
            }
            backoff = Duration::from_millis(250);
            if tx
                .send(BackendEvent::Connection(ConnectionState::Connected))
                .await
                .is_err()
            {
                return;
            }
            let reason = self.follow(model, started, &tx).await;
            match reason {
                Ended::ReceiverGone => return,
                Ended::StreamBroken(why) => {
                    tracing::warn!("event stream ended: {why}; resyncing");
                    lost_at = Some(Instant::now());
                    let state = ConnectionState::Reconnecting {
                        for_secs: 0,
                        error: why,
                    };
                    if tx.send(BackendEvent::Connection(state)).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Sends the model, then keeps it current from events until the stream breaks.
    async fn follow(&self, mut model: Model, since: i64, tx: &mpsc::Sender<BackendEvent>) -> Ended {
        let filters = HashMap::from([("type", vec!["container"])]);
        let opts = EventsOptionsBuilder::new()
            .since(&since.to_string())
            .filters(&filters)
            .build();
        let mut events = Box::pin(self.docker.events(Some(opts)));

        let mut inspect_queue: Vec<String> = model.containers.keys().cloned().collect();
        let mut inspecting = FuturesUnordered::new();
        let mut changed: HashSet<String> = HashSet::new();
        let mut flush_at: Option<tokio::time::Instant> = None;
        // Restart counts learned since the last publish.
        let mut dirty = false;
        if !self.publish(&model, tx).await {
            return Ended::ReceiverGone;
        }

        loop {
            while inspecting.len() < INSPECT_CONCURRENCY {
                let Some(id) = inspect_queue.pop() else { break };
                let docker = self.docker.clone();
                inspecting.push(async move {
                    let n = list::restart_count(&docker, &id).await;
                    (id, n)
                });
            }
            let deadline =
                flush_at.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(ev)) => {
                        if let Some(id) = relevant(&ev) {
                            if restarts_matter(&ev) {
                                inspect_queue.push(id.clone());
                            }
                            changed.insert(id);
                            flush_at.get_or_insert_with(|| tokio::time::Instant::now() + COALESCE);
                        }
                    }
                    Some(Err(e)) => return Ended::StreamBroken(e.to_string()),
                    None => return Ended::StreamBroken("the engine closed the event stream".into()),
                },
                Some((id, count)) = inspecting.next(), if !inspecting.is_empty() => {
                    if let (Some(c), Some(n)) = (model.containers.get_mut(&id), count)
                        && c.restart_count != Some(n)
                    {
                        c.restart_count = Some(n);
                        dirty = true;
                        flush_at.get_or_insert_with(|| tokio::time::Instant::now() + COALESCE);
                    }
                }
                _ = tokio::time::sleep_until(deadline), if flush_at.is_some() => {
                    flush_at = None;
                    let ids: Vec<String> = changed.drain().collect();
                    if let Err(e) = model.refresh(&self.docker, &self.endpoint, &ids).await {
                        return Ended::StreamBroken(e.to_string());
                    }
                    if (dirty || !ids.is_empty()) && !self.publish(&model, tx).await {
                        return Ended::ReceiverGone;
                    }
                    dirty = false;
                }
                _ = tx.closed() => return Ended::ReceiverGone,
            }
        }
    }

    async fn publish(&self, model: &Model, tx: &mpsc::Sender<BackendEvent>) -> bool {
        let snap = Arc::new(model.snapshot());
        self.latest.send_replace(snap.clone());
        tx.send(BackendEvent::Snapshot(snap)).await.is_ok()
    }
}

enum Ended {
    ReceiverGone,
    StreamBroken(String),
}

/// The container an event is about, unless the event changes nothing we show
/// (exec and attach happen constantly with health checks and `docker exec`).
fn relevant(ev: &EventMessage) -> Option<String> {
    if ev.typ != Some(EventMessageTypeEnum::CONTAINER) {
        return None;
    }
    let action = ev.action.as_deref().unwrap_or_default();
    let ignored = action.starts_with("exec_")
        || matches!(
            action,
            "attach"
                | "detach"
                | "resize"
                | "top"
                | "archive-path"
                | "extract-to-dir"
                | "export"
                | "commit"
                | "copy"
        );
    if ignored {
        return None;
    }
    ev.actor.as_ref().and_then(|a| a.id.clone())
}

fn restarts_matter(ev: &EventMessage) -> bool {
    matches!(ev.action.as_deref(), Some("start" | "restart" | "create"))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
