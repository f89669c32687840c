//! Pod logs: one pod, or every pod of a workload, each line prefixed by its
//! pod. Lines are read as the apiserver streams them (`timestamps=true`),
//! split and sanitised like Docker's.

use crate::domain::{Container, Snapshot};
use crate::logs::{LogEvent, LogLine, LogRequest, LogStream, LogTarget, split_docker_timestamp};
use futures::{AsyncBufReadExt, FutureExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Lines sent to the app in one message at most.
const BATCH: usize = 512;

/// The pods `target` names in `snap`: a pod by uid or name, or a workload's.
pub fn pods_of<'a>(snap: &'a Snapshot, target: &LogTarget) -> Vec<&'a Container> {
    match target {
        LogTarget::Container(want) => snap
            .containers
            .iter()
            .filter(|c| c.id == *want || c.name == *want)
            .take(1)
            .collect(),
        LogTarget::Service(key) => snap
            .containers
            .iter()
            .filter(|c| c.service_id == *key)
            .collect(),
    }
}

/// Streams the logs of `pods` until each ends (or, following, until `tx`
/// closes), then says `Ended`.
pub async fn run(
    client: kube::Client,
    pods: Vec<Container>,
    req: LogRequest,
    tx: mpsc::Sender<LogEvent>,
) {
    if pods.is_empty() {
        let what = match &req.target {
            LogTarget::Container(c) => format!("no pod named {c}"),
            LogTarget::Service(s) => format!("no pods for {s}"),
        };
        let _ = tx.send(LogEvent::Error(what)).await;
        let _ = tx.send(LogEvent::Ended).await;
        return;
    }
    let mut streams = JoinSet::new();
    for pod in pods {
        let ns = pod.stack.clone().unwrap_or_default();
        let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
        let lp = LogParams {
            follow: req.follow,
            tail_lines: req.tail.map(|n| n.min(i64::MAX as u64) as i64),
            since_seconds: req.since.map(|s| (crate::backend::unix_now() - s).max(1)),
            timestamps: true,
            ..LogParams::default()
        };
        let tx = tx.clone();
        streams.spawn(async move {
            let source: Arc<str> = Arc::from(pod.name.as_str());
            let reader = match api.log_stream(&pod.name, &lp).await {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(LogEvent::Error(format!("{}: {e}", pod.name))).await;
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
                        let _ = tx.send(LogEvent::Error(format!("{}: {e}", pod.name))).await;
                        break;
                    }
                }
            }
            if !batch.is_empty() && tx.send(LogEvent::Lines(batch)).await.is_err() {
                return;
            }
            if lp.follow {
                let _ = tx.send(LogEvent::SourceLeft(source)).await;
            }
        });
    }
    while streams.join_next().await.is_some() {}
    let _ = tx.send(LogEvent::Ended).await;
}
