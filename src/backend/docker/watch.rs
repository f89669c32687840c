//! Follows the engine: one full listing, then the events API. Events are
//! merged for [`COALESCE`], then only the containers they named are
//! re-listed. A broken stream means a full resync once the engine answers.
//! Each request is watched for a hang (see [`Watchdog`]); while nothing
//! else is asked, a `/_ping` every [`PING_EVERY`] notices one.

use super::connect::classify;
use super::list::{self, Model};
use super::swarm::cluster::Cluster;
use super::watchdog::{self, Ticket, Watchdog};
use crate::backend::{BackendError, BackendEvent, COALESCE, ConnectionState, Interest};
use crate::domain::Snapshot;
use bollard::Docker;
use bollard::models::{EventMessage, EventMessageTypeEnum};
use bollard::query_parameters::EventsOptionsBuilder;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Inspects running at once to learn restart counts; keeps startup light.
const INSPECT_CONCURRENCY: usize = 4;

/// Quiet time after which the engine is pinged, to notice a hang even
/// when nothing changes: a hang then shows within 2 + 5 s. A ping is one
/// small request on the socket; it never redraws anything.
const PING_EVERY: Duration = Duration::from_secs(2);

/// How often a swarm's services (their task counts) and the tasks on
/// screen are listed again: tasks have no events.
const SWARM_POLL: Duration = Duration::from_secs(2);

pub struct Watcher {
    docker: Docker,
    endpoint: String,
    latest: watch::Sender<Arc<Snapshot>>,
    /// On a swarm manager: what the console shows, which decides the tasks listed.
    swarm: Option<watch::Receiver<Interest>>,
}

/// The engine's containers and, on a manager, the swarm.
struct Known {
    model: Model,
    cluster: Option<Cluster>,
}

impl Known {
    fn snapshot(&self) -> Snapshot {
        match &self.cluster {
            Some(c) => c.merge(&self.model),
            None => self.model.snapshot(),
        }
    }
}

impl Watcher {
    pub fn new(
        docker: Docker,
        endpoint: String,
        latest: watch::Sender<Arc<Snapshot>>,
        swarm: Option<watch::Receiver<Interest>>,
    ) -> Self {
        Watcher {
            docker,
            endpoint,
            latest,
            swarm,
        }
    }

    async fn load(&self) -> Result<Known, BackendError> {
        let model = Model::load(&self.docker, &self.endpoint).await?;
        let cluster = match &self.swarm {
            Some(_) => Some(self.load_cluster().await?),
            None => None,
        };
        Ok(Known { model, cluster })
    }

    async fn load_cluster(&self) -> Result<Cluster, BackendError> {
        let interest = self
            .swarm
            .as_ref()
            .map(|rx| rx.borrow().clone())
            .unwrap_or_default();
        Cluster::load(&self.docker, &interest, crate::backend::unix_now())
            .await
            .map_err(|e| classify(&self.endpoint, &e))
    }

    pub async fn run(self, tx: mpsc::Sender<BackendEvent>) {
        let mut lost_at: Option<Instant> = None;
        let mut backoff = Duration::from_millis(250);
        loop {
            if tx.is_closed() {
                return;
            }
            let started = crate::backend::unix_now();
            let load = self.load();
            // While reconnecting the status already says the engine is away.
            let loaded = if lost_at.is_some() {
                load.await
            } else {
                match Watchdog::default().watch(&tx, load).await {
                    Some(r) => r,
                    None => return,
                }
            };
            let known = match loaded {
                Ok(k) => k,
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
            let reason = self.follow(known, started, &tx).await;
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
    async fn follow(&self, mut known: Known, since: i64, tx: &mpsc::Sender<BackendEvent>) -> Ended {
        let types = if self.swarm.is_some() {
            vec!["container", "service", "node"]
        } else {
            vec!["container"]
        };
        let filters = HashMap::from([("type", types)]);
        let opts = EventsOptionsBuilder::new()
            .since(&since.to_string())
            .filters(&filters)
            .build();
        let mut events = Box::pin(self.docker.events(Some(opts)));

        // Restart counts come from one inspect each; on a busy host that
        // takes a while, so the newest containers (the ones likely to be
        // restarting) are asked first: the queue is taken from its end.
        let mut by_age: Vec<_> = known.model.containers.values().collect();
        by_age.sort_by_key(|c| c.created);
        let mut inspect_queue: Vec<String> = by_age.into_iter().map(|c| c.id.clone()).collect();
        let mut interest = self.swarm.clone();
        let mut poll_at = tokio::time::Instant::now() + SWARM_POLL;
        // A service or node event, or a changed interest: list the swarm again.
        let mut swarm_stale = false;
        let mut last: Option<Arc<Snapshot>> = None;
        let mut requests: FuturesUnordered<BoxFuture<'static, (Ticket, Answer)>> =
            FuturesUnordered::new();
        let mut inspecting = 0;
        let mut dog = Watchdog::default();
        let mut pinging = false;
        let mut ping_at = tokio::time::Instant::now() + PING_EVERY;
        let mut changed: HashSet<String> = HashSet::new();
        let mut flush_at: Option<tokio::time::Instant> = None;
        // Restart counts learned since the last publish.
        let mut dirty = false;
        if !self.publish(&known, &mut last, tx).await {
            return Ended::ReceiverGone;
        }

        loop {
            while inspecting < INSPECT_CONCURRENCY {
                let Some(id) = inspect_queue.pop() else { break };
                let docker = self.docker.clone();
                let ticket = dog.begin(tokio::time::Instant::now());
                inspecting += 1;
                requests.push(Box::pin(async move {
                    let n = list::restart_count(&docker, &id).await;
                    (ticket, Answer::Restarts(id, n))
                }));
            }
            let deadline =
                flush_at.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(ev)) => {
                        ping_at = tokio::time::Instant::now() + PING_EVERY;
                        if matches!(ev.typ, Some(EventMessageTypeEnum::SERVICE | EventMessageTypeEnum::NODE)) {
                            swarm_stale = true;
                            flush_at.get_or_insert_with(|| tokio::time::Instant::now() + COALESCE);
                        } else if let Some(id) = relevant(&ev) {
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
                Some((ticket, answer)) = requests.next(), if !requests.is_empty() => {
                    let now = tokio::time::Instant::now();
                    if let Some(state) = dog.end(ticket, answer.answered(), now)
                        && tx.send(BackendEvent::Connection(state)).await.is_err()
                    {
                        return Ended::ReceiverGone;
                    }
                    if answer.answered() {
                        ping_at = now + PING_EVERY;
                    }
                    match answer {
                        Answer::Restarts(id, count) => {
                            inspecting -= 1;
                            if let (Some(c), Ok(Some(n))) = (known.model.containers.get_mut(&id), count)
                                && c.restart_count != Some(n)
                            {
                                c.restart_count = Some(n);
                                dirty = true;
                                flush_at.get_or_insert_with(|| tokio::time::Instant::now() + COALESCE);
                            }
                        }
                        Answer::Ping(Ok(_)) => pinging = false,
                        // Past the client's timeout: the reconnect path takes over.
                        Answer::Ping(Err(e)) => {
                            return Ended::StreamBroken(format!("the engine did not answer: {e}"));
                        }
                    }
                }
                _ = tokio::time::sleep_until(ping_at), if !pinging => {
                    pinging = true;
                    let docker = self.docker.clone();
                    let ticket = dog.begin(tokio::time::Instant::now());
                    requests.push(Box::pin(async move { (ticket, Answer::Ping(docker.ping().await)) }));
                }
                _ = watchdog::sleep_until(dog.deadline()) => {
                    if let Some(state) = dog.due(tokio::time::Instant::now())
                        && tx.send(BackendEvent::Connection(state)).await.is_err()
                    {
                        return Ended::ReceiverGone;
                    }
                }
                _ = tokio::time::sleep_until(deadline), if flush_at.is_some() => {
                    flush_at = None;
                    let ids: Vec<String> = changed.drain().collect();
                    let refresh = known.model.refresh(&self.docker, &self.endpoint, &ids);
                    match dog.watch(tx, refresh).await {
                        None => return Ended::ReceiverGone,
                        Some(Err(e)) => return Ended::StreamBroken(e.to_string()),
                        Some(Ok(())) => {}
                    }
                    if swarm_stale {
                        swarm_stale = false;
                        poll_at = tokio::time::Instant::now() + SWARM_POLL;
                        match dog.watch(tx, self.load_cluster()).await {
                            None => return Ended::ReceiverGone,
                            Some(Err(e)) => return Ended::StreamBroken(e.to_string()),
                            Some(Ok(c)) => known.cluster = Some(c),
                        }
                        dirty = true;
                    }
                    if (dirty || !ids.is_empty()) && !self.publish(&known, &mut last, tx).await {
                        return Ended::ReceiverGone;
                    }
                    dirty = false;
                }
                changed = changed_interest(&mut interest) => {
                    if !changed {
                        interest = None;
                        continue;
                    }
                    swarm_stale = true;
                    flush_at = Some(tokio::time::Instant::now());
                }
                _ = tokio::time::sleep_until(poll_at), if self.swarm.is_some() => {
                    poll_at = tokio::time::Instant::now() + SWARM_POLL;
                    ping_at = poll_at + PING_EVERY;
                    match dog.watch(tx, self.load_cluster()).await {
                        None => return Ended::ReceiverGone,
                        Some(Err(e)) => return Ended::StreamBroken(e.to_string()),
                        Some(Ok(c)) => known.cluster = Some(c),
                    }
                    if !self.publish(&known, &mut last, tx).await {
                        return Ended::ReceiverGone;
                    }
                }
                _ = tx.closed() => return Ended::ReceiverGone,
            }
        }
    }

    /// Sends the snapshot unless it equals the `last` one sent: a poll
    /// that finds nothing new costs no redraw.
    async fn publish(
        &self,
        known: &Known,
        last: &mut Option<Arc<Snapshot>>,
        tx: &mpsc::Sender<BackendEvent>,
    ) -> bool {
        let snap = known.snapshot();
        if last.as_deref() == Some(&snap) {
            return true;
        }
        let snap = Arc::new(snap);
        *last = Some(snap.clone());
        self.latest.send_replace(snap.clone());
        tx.send(BackendEvent::Snapshot(snap)).await.is_ok()
    }
}

/// Waits for the console's interest to change; false once it never can.
async fn changed_interest(rx: &mut Option<watch::Receiver<Interest>>) -> bool {
    match rx {
        Some(rx) => rx.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

enum Ended {
    ReceiverGone,
    StreamBroken(String),
}

/// What a request made alongside the event stream came back with.
enum Answer {
    Restarts(String, Result<Option<u32>, bollard::errors::Error>),
    Ping(Result<String, bollard::errors::Error>),
}

impl Answer {
    /// Whether the engine answered, even with an error of its own (a 404
    /// for a container removed meanwhile); a transport failure is no answer.
    fn answered(&self) -> bool {
        let engine_said = |r: Result<(), &bollard::errors::Error>| match r {
            Ok(()) => true,
            Err(e) => matches!(e, bollard::errors::Error::DockerResponseServerError { .. }),
        };
        match self {
            Answer::Restarts(_, r) => engine_said(r.as_ref().map(|_| ())),
            Answer::Ping(r) => engine_said(r.as_ref().map(|_| ())),
        }
    }
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

/// Events after which a container's restart count is asked again. `die`
/// too: answers to concurrent inspects can arrive out of order, and the one
/// asked after the last exit is the count that stays on screen.
fn restarts_matter(ev: &EventMessage) -> bool {
    matches!(
        ev.action.as_deref(),
        Some("start" | "restart" | "create" | "die")
    )
}
