//! Log sessions: one container, or every container of a service merged.
//! Members are re-resolved whenever the watcher publishes a snapshot, so new
//! replicas join and restarted containers resume where they left off.

use super::connect::classify;
use super::swarm::logs::{Source, members};
use crate::domain::{Container, Snapshot};
use crate::logs::{
    LineSplitter, LogEvent, LogLine, LogRequest, LogStream, LogTarget, split_docker_timestamp,
};
use bollard::Docker;
use bollard::container::LogOutput;
use bollard::query_parameters::{ListContainersOptionsBuilder, LogsOptionsBuilder};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// Longest line kept whole; longer ones are split (a runaway line must not eat memory).
const MAX_LINE_BYTES: usize = 64 * 1024;
/// Lines sent to the app in one message at most.
pub(in crate::backend::docker) const BATCH: usize = 512;
/// The follow stream after the history asks for this many lines back and
/// drops those already shown: it covers what was written between the two
/// requests. Resuming by `since` instead makes json-file decode the whole
/// file (seconds on a busy container).
const FOLLOW_OVERLAP: u64 = 10_000;

pub struct Session {
    docker: Docker,
    endpoint: String,
    snapshots: watch::Receiver<Arc<Snapshot>>,
    req: LogRequest,
    /// Set for a swarm service or task: members are tasks, listed again
    /// every [`TASK_POLL`] (they have no events).
    swarm: Option<Source>,
}

/// How often a followed swarm service's tasks are listed again.
const TASK_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Per container: where its stream got to, so a resumed stream skips what was shown.
#[derive(Default)]
struct Progress {
    last_ts: Option<i64>,
    streaming: bool,
    /// The first stream after the history continues it: no "joined" news.
    quiet_start: bool,
}

impl Session {
    pub fn new(
        docker: Docker,
        endpoint: String,
        snapshots: watch::Receiver<Arc<Snapshot>>,
        req: LogRequest,
    ) -> Self {
        Session {
            docker,
            endpoint,
            snapshots,
            req,
            swarm: None,
        }
    }

    /// Reads a swarm service's tasks (or one task) instead of containers.
    pub fn of_swarm(mut self, source: Source) -> Self {
        self.swarm = Some(source);
        self
    }

    pub async fn run(mut self, tx: mpsc::Sender<LogEvent>) {
        // The engine keeps no earlier run's logs apart from the current ones.
        if self.req.previous {
            let _ = tx
                .send(LogEvent::Error(
                    "previous logs are Kubernetes only: a container's logs here span its restarts"
                        .into(),
                ))
                .await;
            let _ = tx.send(LogEvent::Ended).await;
            return;
        }
        // The first membership comes from a fresh listing: the watcher may not run (headless).
        let mut members = match self.list_members().await {
            Ok(m) => m,
            Err(e) => {
                let _ = tx.send(LogEvent::Error(e)).await;
                let _ = tx.send(LogEvent::Ended).await;
                return;
            }
        };
        if members.is_empty() {
            let what = match &self.req.target {
                LogTarget::Container(c) => format!("no container named {c}"),
                LogTarget::Service(s) => format!("no containers for service {s}"),
                LogTarget::Part { .. } => "a container of a pod: Kubernetes only".into(),
            };
            let _ = tx.send(LogEvent::Error(what)).await;
            let _ = tx.send(LogEvent::Ended).await;
            return;
        }
        self.snapshots.mark_unchanged();
        let history_start = crate::backend::unix_now();
        let mut progress = match self.history(&members, &tx).await {
            Some(p) => p,
            None => return,
        };
        if !self.req.follow {
            let _ = tx.send(LogEvent::Ended).await;
            return;
        }
        let mut tasks: JoinSet<(String, Option<i64>)> = JoinSet::new();
        let mut poll = tokio::time::interval(TASK_POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            for c in &members {
                let p = progress.entry(c.id.clone()).or_default();
                if p.streaming || !c.state.is_running() {
                    continue;
                }
                p.streaming = true;
                let name: Arc<str> = Arc::from(c.name.as_str());
                if !p.quiet_start && tx.send(LogEvent::SourceJoined(name.clone())).await.is_err() {
                    return;
                }
                let first_after_history = p.quiet_start;
                p.quiet_start = false;
                // Continue the history from a window that overlaps it; after a
                // restart (or with no history) resume by time, which is cheap
                // then. Lines already shown are skipped by their timestamp.
                let (tail, since) = match (first_after_history, p.last_ts) {
                    (true, Some(_)) => (Some(FOLLOW_OVERLAP), None),
                    (_, last) => (
                        None,
                        Some(last.map(|ns| ns / 1_000_000_000).unwrap_or(history_start)),
                    ),
                };
                let stream = OneStream {
                    docker: self.docker.clone(),
                    endpoint: self.endpoint.clone(),
                    id: c.id.clone(),
                    name,
                    tail,
                    since,
                    skip_through: p.last_ts,
                    follow: true,
                    task: self.swarm.is_some(),
                };
                let tx = tx.clone();
                tasks.spawn(async move {
                    let id = stream.id.clone();
                    (id, stream.run(&tx).await)
                });
            }
            tokio::select! {
                done = tasks.join_next(), if !tasks.is_empty() => {
                    if let Some(Ok((id, last))) = done {
                        let name = members.iter().find(|c| c.id == id).map(|c| Arc::from(c.name.as_str()));
                        if let Some(p) = progress.get_mut(&id) {
                            p.streaming = false;
                            p.last_ts = last.or(p.last_ts);
                        }
                        if self.req.follow
                            && let Some(name) = name
                            && tx.send(LogEvent::SourceLeft(name)).await.is_err()
                        {
                            return;
                        }
                        // A container that stopped and started again before the watcher
                        // noticed would be missed: look again now.
                        if self.req.follow
                            && let Ok(m) = self.list_members().await
                        {
                            members = m;
                        }
                    }
                }
                _ = poll.tick(), if self.swarm.is_some() => {
                    if let Ok(m) = self.list_members().await {
                        members = m;
                    }
                }
                changed = self.snapshots.changed(), if self.swarm.is_none() => {
                    if changed.is_err() {
                        // No watcher: membership stays as first listed.
                        std::future::pending::<()>().await;
                    }
                    let snap = self.snapshots.borrow_and_update().clone();
                    members = self.members_in(&snap);
                }
                _ = tx.closed() => return,
            }
        }
    }

    /// Every member's history at once, merged by time and sent in order.
    /// Returns where each member got to, or `None` when nobody listens.
    async fn history(
        &self,
        members: &[Container],
        tx: &mpsc::Sender<LogEvent>,
    ) -> Option<HashMap<String, Progress>> {
        let fetches = members.iter().map(|c| {
            let stream = OneStream {
                docker: self.docker.clone(),
                endpoint: self.endpoint.clone(),
                id: c.id.clone(),
                name: Arc::from(c.name.as_str()),
                tail: self.req.tail,
                since: self.req.since,
                skip_through: None,
                follow: false,
                task: self.swarm.is_some(),
            };
            async move {
                let (htx, mut hrx) = mpsc::channel(64);
                let producer = async move { stream.run(&htx).await };
                let consumer = async {
                    let mut lines = Vec::new();
                    let mut errors = Vec::new();
                    while let Some(ev) = hrx.recv().await {
                        match ev {
                            LogEvent::Lines(l) => lines.extend(l),
                            other => errors.push(other),
                        }
                    }
                    (lines, errors)
                };
                let (last, (lines, errors)) = tokio::join!(producer, consumer);
                (c.id.clone(), last, lines, errors)
            }
        });
        let mut progress = HashMap::new();
        let mut merged = Vec::new();
        for (id, last, lines, errors) in futures::future::join_all(fetches).await {
            for e in errors {
                tx.send(e).await.ok()?;
            }
            merged.extend(lines);
            progress.insert(
                id,
                Progress {
                    last_ts: last,
                    streaming: false,
                    quiet_start: true,
                },
            );
        }
        // Stable: lines without a timestamp keep their place among their own.
        merged.sort_by_key(|l| l.ts.unwrap_or(i64::MIN));
        let mut rest = merged.into_iter().peekable();
        while rest.peek().is_some() {
            let batch: Vec<LogLine> = rest.by_ref().take(BATCH).collect();
            tx.send(LogEvent::Lines(batch)).await.ok()?;
        }
        Some(progress)
    }

    async fn list_members(&self) -> Result<Vec<Container>, String> {
        if let Some(source) = &self.swarm {
            return members(&self.docker, source).await;
        }
        let summaries = self
            .docker
            .list_containers(Some(ListContainersOptionsBuilder::new().all(true).build()))
            .await
            .map_err(|e| classify(&self.endpoint, &e).to_string())?;
        let containers: Vec<Container> = summaries
            .iter()
            .map(|s| {
                let host = super::convert::Host { name: "", id: "" };
                super::convert::container(s, &host)
            })
            .collect();
        Ok(select(&self.req.target, containers.iter()))
    }

    fn members_in(&self, snap: &Snapshot) -> Vec<Container> {
        select(&self.req.target, snap.containers.iter())
    }
}

/// The containers a target names: a container by exact name, full or short
/// id (unique prefix of at least 4); a service by its key.
pub fn select<'a>(
    target: &LogTarget,
    containers: impl Iterator<Item = &'a Container>,
) -> Vec<Container> {
    let all: Vec<&Container> = containers.collect();
    match target {
        LogTarget::Service(key) => all
            .into_iter()
            .filter(|c| c.service_id == *key)
            .cloned()
            .collect(),
        LogTarget::Container(want) => {
            if let Some(c) = all.iter().find(|c| c.name == *want || c.id == *want) {
                return vec![(*c).clone()];
            }
            let by_prefix: Vec<&&Container> = all
                .iter()
                .filter(|c| want.len() >= 4 && c.id.starts_with(want.as_str()))
                .collect();
            match by_prefix.as_slice() {
                [one] => vec![(**one).clone()],
                _ => Vec::new(),
            }
        }
        LogTarget::Part { .. } => Vec::new(),
    }
}

/// One container's log stream.
struct OneStream {
    docker: Docker,
    endpoint: String,
    id: String,
    name: Arc<str>,
    tail: Option<u64>,
    since: Option<i64>,
    /// Lines at or before this instant were already shown.
    skip_through: Option<i64>,
    follow: bool,
    /// A swarm task's logs (`/tasks/{id}/logs`), not a container's.
    task: bool,
}

impl OneStream {
    /// Streams until the container stops (follow) or the history is sent.
    /// Returns the timestamp of the last line seen.
    async fn run(self, tx: &mpsc::Sender<LogEvent>) -> Option<i64> {
        let mut opts = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .follow(self.follow)
            .tail(
                &self
                    .tail
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "all".into()),
            );
        if let Some(since) = self.since {
            opts = opts.since(since.clamp(0, i32::MAX as i64) as i32);
        }
        let opts = opts.build();
        let mut stream = if self.task {
            self.docker.task_logs(&self.id, Some(opts)).boxed()
        } else {
            self.docker.logs(&self.id, Some(opts)).boxed()
        }
        .ready_chunks(BATCH);
        let mut out = stdout_err_splitters();
        let mut last_ts = None;
        let mut batch: Vec<LogLine> = Vec::new();
        while let Some(chunks) = stream.next().await {
            for chunk in chunks {
                let (stream_kind, bytes) = match chunk {
                    Ok(LogOutput::StdErr { message }) => (LogStream::Stderr, message),
                    Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                        (LogStream::Stdout, message)
                    }
                    Ok(LogOutput::StdIn { .. }) => continue,
                    Err(e) => {
                        let err = classify(&self.endpoint, &e);
                        // A container removed mid-stream simply leaves.
                        if !matches!(err, crate::backend::BackendError::NotFound { .. }) {
                            let _ = tx
                                .send(LogEvent::Error(format!("{}: {err}", self.name)))
                                .await;
                        }
                        flush(&mut batch, tx).await;
                        return last_ts;
                    }
                };
                let splitter = &mut out[stream_kind as usize];
                splitter.push(&bytes, &mut |line| {
                    let (ts, rest) = split_docker_timestamp(line);
                    if let (Some(ts), Some(skip)) = (ts, self.skip_through)
                        && ts <= skip
                    {
                        return;
                    }
                    last_ts = ts.or(last_ts);
                    batch.push(LogLine::from_raw(self.name.clone(), stream_kind, ts, rest));
                });
            }
            if !flush(&mut batch, tx).await {
                return last_ts;
            }
        }
        for (i, splitter) in out.iter_mut().enumerate() {
            let kind = if i == 0 {
                LogStream::Stdout
            } else {
                LogStream::Stderr
            };
            splitter.flush(&mut |line| {
                let (ts, rest) = split_docker_timestamp(line);
                batch.push(LogLine::from_raw(self.name.clone(), kind, ts, rest));
            });
        }
        flush(&mut batch, tx).await;
        last_ts
    }
}

pub(in crate::backend::docker) fn stdout_err_splitters() -> [LineSplitter; 2] {
    [
        LineSplitter::new(MAX_LINE_BYTES),
        LineSplitter::new(MAX_LINE_BYTES),
    ]
}

/// Sends what was gathered; false when nobody listens any more.
pub(in crate::backend::docker) async fn flush(
    batch: &mut Vec<LogLine>,
    tx: &mpsc::Sender<LogEvent>,
) -> bool {
    if batch.is_empty() {
        return !tx.is_closed();
    }
    tx.send(LogEvent::Lines(std::mem::take(batch)))
        .await
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::member;

    fn c(id: &str, name: &str, stack: Option<&str>, svc: Option<&str>) -> Container {
        Container {
            id: id.into(),
            ..member(name, stack, svc)
        }
    }

    #[test]
    fn targets_resolve_by_name_id_prefix_and_service() {
        let all = [
            c("abcdef0123", "shop-web-1", Some("shop"), Some("web")),
            c("abcd990000", "shop-web-2", Some("shop"), Some("web")),
            c("ffff000000", "lonely", None, None),
        ];
        let names = |t: LogTarget| -> Vec<String> {
            select(&t, all.iter()).into_iter().map(|c| c.name).collect()
        };
        assert_eq!(names(LogTarget::Container("lonely".into())), ["lonely"]);
        assert_eq!(names(LogTarget::Container("ffff".into())), ["lonely"]);
        assert!(
            names(LogTarget::Container("abcd".into())).is_empty(),
            "ambiguous prefix"
        );
        assert!(
            names(LogTarget::Container("ab".into())).is_empty(),
            "too short"
        );
        assert_eq!(
            names(LogTarget::Service("shop/web".into())),
            ["shop-web-1", "shop-web-2"]
        );
        assert_eq!(names(LogTarget::Service("lonely".into())), ["lonely"]);
    }
}
