//! `berth logs TARGET [-f] [--tail N] [--since DUR] [--timestamps]
//! [--previous] [--container NAME]`.

use crate::app::runtime::unix_now;
use crate::backend::{Backend, BackendKind};
use crate::domain::{Snapshot, TargetRef};
use crate::logs::{LogEvent, LogRequest, LogTarget, format_timestamp};
use std::io::Write;
use tokio::sync::mpsc;

pub struct LogsArgs {
    pub target: String,
    pub follow: bool,
    pub tail: Option<u64>,
    pub since_secs: Option<u64>,
    pub timestamps: bool,
    /// The previous run (Kubernetes).
    pub previous: bool,
    /// One container of the pod (Kubernetes).
    pub container: Option<String>,
}

pub async fn logs(
    backend: &dyn Backend,
    args: LogsArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let snap = backend.snapshot().await?;
    let mut target = resolve(backend, &snap, &args.target)?;
    if args.previous && backend.kind() != BackendKind::Kubernetes {
        anyhow::bail!("--previous is Kubernetes only: a container's logs here span its restarts");
    }
    if let Some(container) = args.container {
        match target {
            LogTarget::Container(pod) if backend.kind() == BackendKind::Kubernetes => {
                target = LogTarget::Part { pod, container }
            }
            _ => anyhow::bail!("--container names a container of a pod (Kubernetes)"),
        }
    }
    let show_source = matches!(target, LogTarget::Service(_));
    // A pod's containers merged are named `pod/container`; one asked for by name is not.
    let one_part = matches!(target, LogTarget::Part { .. });
    let req = LogRequest {
        target,
        tail: args.tail,
        since: args.since_secs.map(|s| unix_now() - s as i64),
        follow: args.follow && !args.previous,
        previous: args.previous,
    };
    // Following a service: the watcher tells the session about new replicas.
    let (btx, mut brx) = mpsc::channel(4);
    let watcher = args.follow.then(|| tokio::spawn(backend.watch(btx)));
    let drain = tokio::spawn(async move { while brx.recv().await.is_some() {} });
    let (tx, mut rx) = mpsc::channel(64);
    let session = tokio::spawn(backend.logs(req, tx));
    let mut failure = None;
    let mut printed = 0usize;
    while let Some(ev) = rx.recv().await {
        match ev {
            LogEvent::Lines(lines) => {
                for l in &lines {
                    if args.timestamps {
                        let ts = l.ts.map(format_timestamp).unwrap_or_default();
                        write!(out, "{ts} ")?;
                    }
                    if show_source || !one_part && l.source.contains('/') {
                        write!(out, "{} | ", l.source)?;
                    }
                    writeln!(out, "{}", l.text)?;
                }
                printed += lines.len();
                out.flush()?;
            }
            LogEvent::Error(e) => {
                eprintln!("berth: {e}");
                failure = Some(e);
            }
            LogEvent::Ended => break,
            LogEvent::SourceJoined(_) | LogEvent::SourceLeft(_) => {}
        }
    }
    session.abort();
    drain.abort();
    if let Some(w) = watcher {
        w.abort();
    }
    match failure {
        Some(e) if printed == 0 => Err(anyhow::anyhow!(e)),
        _ => Ok(()),
    }
}

/// The target as `berth ls` names it, resolved by the backend.
fn resolve(backend: &dyn Backend, snap: &Snapshot, name: &str) -> anyhow::Result<LogTarget> {
    match backend.resolve(snap, name)? {
        TargetRef::Service(s) => Ok(LogTarget::Service(s.id)),
        TargetRef::Container(c) => Ok(LogTarget::Container(c.id)),
        TargetRef::Node(n) => Err(anyhow::anyhow!(
            "{} is a node: logs come from a service or a container",
            n.name
        )),
    }
}
