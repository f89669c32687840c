//! Pod logs: one container of a pod, every container of a pod, or every
//! pod of a workload, merged. A line is named by its pod, or `pod/container`
//! when the pod has several. While following, the pod set is read again
//! from each new snapshot: pods that start join the stream, pods that go
//! leave it. Lines are read as the apiserver streams them
//! (`timestamps=true`), split and sanitised like Docker's.

use crate::domain::{Container, ContainerPart, PartState, Snapshot};
use crate::logs::{LogEvent, LogLine, LogRequest, LogStream, LogTarget, split_docker_timestamp};
use futures::{AsyncBufReadExt, FutureExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};

/// Lines sent to the app in one message at most.
const BATCH: usize = 512;

/// The watcher's snapshots, as the backend keeps them.
pub type Latest = watch::Receiver<Option<Arc<Snapshot>>>;

/// The pods `target` names in `snap`: a pod by uid or name, or a workload's.
pub fn pods_of<'a>(snap: &'a Snapshot, target: &LogTarget) -> Vec<&'a Container> {
    let pod = |want: &str| {
        snap.containers
            .iter()
            .filter(|c| c.id == want || c.name == want)
            .take(1)
            .collect()
    };
    match target {
        LogTarget::Container(want) => pod(want),
        LogTarget::Part { pod: want, .. } => pod(want),
        LogTarget::Service(key) => snap
            .containers
            .iter()
            .filter(|c| c.service_id == *key)
            .collect(),
    }
}

/// One stream: a container of a pod, in one of its runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    pod_id: String,
    /// `None` only for a pod whose containers are not known.
    container: Option<String>,
    /// The container's restart count: a new run is a new stream.
    run: u32,
}

#[derive(Debug, Clone)]
struct Want {
    key: Key,
    namespace: String,
    pod: String,
    /// What its lines are named: `pod`, or `pod/container`.
    source: Arc<str>,
}

/// Whether a container has logs to read now. Opening, a container that
/// ended (or waits to restart) has its last run's; later, only a running
/// one is joined, so a run already read is not read twice.
fn has_logs(part: &ContainerPart, opening: bool) -> bool {
    match part.state {
        PartState::Running => true,
        PartState::Terminated => opening,
        PartState::Waiting => opening && part.restarts > 0,
        PartState::Unknown => false,
    }
}

/// The streams `req` asks for in `snap`.
fn wanted(snap: &Snapshot, req: &LogRequest, opening: bool) -> Vec<Want> {
    let mut out = Vec::new();
    for pod in pods_of(snap, &req.target) {
        let namespace = pod.stack.clone().unwrap_or_default();
        // Every container of the pod, init ones once they ran.
        let parts: Vec<&ContainerPart> = pod
            .parts
            .iter()
            .filter(|p| match &req.target {
                LogTarget::Part { container, .. } => p.name == *container,
                _ => !p.init || p.state != PartState::Waiting,
            })
            .filter(|p| match &req.target {
                // Asked for by name: tried, and the apiserver says why not.
                LogTarget::Part { .. } => true,
                _ if req.previous => p.restarts > 0 || !p.last_termination.is_empty(),
                _ => true,
            })
            .collect();
        if pod.parts.is_empty() {
            out.push(Want {
                key: Key {
                    pod_id: pod.id.clone(),
                    container: None,
                    run: pod.restart_count.unwrap_or(0),
                },
                namespace: namespace.clone(),
                pod: pod.name.clone(),
                source: Arc::from(pod.name.as_str()),
            });
            continue;
        }
        let several = pod.parts.iter().filter(|p| !p.init).count() > 1
            || matches!(req.target, LogTarget::Part { .. })
            || parts.iter().any(|p| p.init);
        for p in parts {
            // History of one named container is asked for whatever its
            // state (the apiserver says why there is none).
            let asked = req.previous || !req.follow && matches!(req.target, LogTarget::Part { .. });
            if !asked && !has_logs(p, opening) {
                continue;
            }
            let source = if several {
                format!("{}/{}", pod.name, p.name)
            } else {
                pod.name.clone()
            };
            out.push(Want {
                key: Key {
                    pod_id: pod.id.clone(),
                    container: Some(p.name.clone()),
                    run: p.restarts,
                },
                namespace: namespace.clone(),
                pod: pod.name.clone(),
                source: Arc::from(source),
            });
        }
    }
    out
}

/// Why nothing streams, when nothing does.
fn nothing_to_read(snap: &Snapshot, req: &LogRequest) -> String {
    let pods = pods_of(snap, &req.target);
    match (&req.target, pods.first()) {
        (LogTarget::Container(c), None) => format!("no pod named {c}"),
        (LogTarget::Part { pod, .. }, None) => format!("no pod named {pod}"),
        (LogTarget::Service(s), None) => format!("no pods for {s}"),
        (_, Some(p)) if req.previous => {
            format!("{}: no previous run (no container of it restarted)", p.name)
        }
        (_, Some(p)) => format!("{}: no container started yet ({})", p.name, p.status),
    }
}

/// Streams the logs `req` asks for until each stream ends, then says
/// `Ended`. Following a workload (or a pod not started yet), `latest`
/// brings new snapshots: streams start and stop with the pods in them;
/// it ends when `tx` closes, or when a followed pod is gone.
pub async fn run(
    client: kube::Client,
    first: Arc<Snapshot>,
    mut latest: Option<Latest>,
    req: LogRequest,
    tx: mpsc::Sender<LogEvent>,
) {
    let follow = req.follow && !req.previous;
    let initial = wanted(&first, &req, true);
    let no_pods = pods_of(&first, &req.target).is_empty();
    if initial.is_empty() && (no_pods || !follow) {
        let _ = tx
            .send(LogEvent::Error(nothing_to_read(&first, &req)))
            .await;
        let _ = tx.send(LogEvent::Ended).await;
        return;
    }
    if !follow {
        latest = None;
    } else if initial.is_empty() {
        // Said until the first container starts and joins.
        let _ = tx
            .send(LogEvent::Error(nothing_to_read(&first, &req)))
            .await;
    }
    let mut streams: JoinSet<Key> = JoinSet::new();
    let mut running: HashMap<Key, (AbortHandle, Arc<str>)> = HashMap::new();
    // Streams that ended by themselves: not restarted for the same run.
    let mut done: std::collections::HashSet<Key> = Default::default();
    let start = |w: Want, streams: &mut JoinSet<Key>| {
        let api: Api<Pod> = Api::namespaced(client.clone(), &w.namespace);
        let lp = LogParams {
            follow,
            container: w.key.container.clone(),
            previous: req.previous,
            tail_lines: req.tail.map(|n| n.min(i64::MAX as u64) as i64),
            since_seconds: req.since.map(|s| (crate::backend::unix_now() - s).max(1)),
            timestamps: true,
            ..LogParams::default()
        };
        let tx = tx.clone();
        let key = w.key.clone();
        let source = w.source.clone();
        let handle = streams.spawn(async move {
            read(api, w.pod, w.source, lp, tx).await;
            key
        });
        (handle, source)
    };
    for w in initial {
        let key = w.key.clone();
        running.insert(key, start(w, &mut streams));
    }
    loop {
        tokio::select! {
            ended = streams.join_next(), if !streams.is_empty() => {
                if let Some(Ok(key)) = ended
                    && let Some((_, source)) = running.remove(&key)
                {
                    if follow {
                        let _ = tx.send(LogEvent::SourceLeft(source)).await;
                    }
                    done.insert(key);
                }
            }
            changed = async {
                match latest.as_mut() {
                    Some(l) => l.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            } => {
                if !changed {
                    latest = None;
                    continue;
                }
                let Some(snap) = latest.as_mut().and_then(|l| l.borrow_and_update().clone()) else {
                    continue;
                };
                let want = wanted(&snap, &req, false);
                // Gone (the pod, or this run of its container): leaves.
                let gone: Vec<Key> = running
                    .keys()
                    .filter(|k| !still_there(&snap, &req, k))
                    .cloned()
                    .collect();
                for k in gone {
                    if let Some((handle, source)) = running.remove(&k) {
                        handle.abort();
                        let _ = tx.send(LogEvent::SourceLeft(source)).await;
                    }
                }
                for w in want {
                    if running.contains_key(&w.key) || done.contains(&w.key) {
                        continue;
                    }
                    let _ = tx.send(LogEvent::SourceJoined(w.source.clone())).await;
                    let key = w.key.clone();
                    running.insert(key, start(w, &mut streams));
                }
                // A followed pod that is gone ends the view; a workload
                // keeps waiting for pods.
                if !matches!(req.target, LogTarget::Service(_))
                    && pods_of(&snap, &req.target).is_empty()
                    && running.is_empty()
                {
                    break;
                }
            }
            _ = tx.closed() => return,
        }
        if running.is_empty() && latest.is_none() {
            break;
        }
    }
    streams.abort_all();
    let _ = tx.send(LogEvent::Ended).await;
}

/// Whether the pod of a running stream is still listed (a stream of an
/// older run of a container ends by itself).
fn still_there(snap: &Snapshot, req: &LogRequest, key: &Key) -> bool {
    pods_of(snap, &req.target)
        .iter()
        .any(|p| p.id == key.pod_id)
}

/// Reads one stream line by line into batches until it ends.
async fn read(
    api: Api<Pod>,
    pod: String,
    source: Arc<str>,
    lp: LogParams,
    tx: mpsc::Sender<LogEvent>,
) {
    let reader = match api.log_stream(&pod, &lp).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(LogEvent::Error(format!("{source}: {e}"))).await;
            return;
        }
    };
    // Raw bytes, not `lines()`: a line that is not UTF-8 is shown
    // (sanitised), never an error that ends the stream.
    let mut reader = std::pin::pin!(reader);
    let mut batch: Vec<LogLine> = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Waits for a line only when none is ready: what is already
        // buffered goes out as one batch.
        let read = match reader.read_until(b'\n', &mut buf).now_or_never() {
            Some(r) => r,
            None => {
                if !batch.is_empty()
                    && tx
                        .send(LogEvent::Lines(std::mem::take(&mut batch)))
                        .await
                        .is_err()
                {
                    return;
                }
                reader.read_until(b'\n', &mut buf).await
            }
        };
        match read {
            Ok(0) => break,
            Ok(_) => {
                let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
                let (ts, rest) = split_docker_timestamp(line);
                batch.push(LogLine::from_raw(
                    source.clone(),
                    LogStream::Stdout,
                    ts,
                    rest,
                ));
                if batch.len() >= BATCH
                    && tx
                        .send(LogEvent::Lines(std::mem::take(&mut batch)))
                        .await
                        .is_err()
                {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(LogEvent::Error(format!("{source}: {e}"))).await;
                break;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(LogEvent::Lines(batch)).await;
    }
}
