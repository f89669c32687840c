//! `berth logs TARGET [-f] [--tail N] [--since DUR] [--timestamps]`.

use crate::app::runtime::unix_now;
use crate::backend::{Backend, BackendError};
use crate::logs::{LogEvent, LogRequest, LogTarget, format_timestamp};
use std::io::Write;
use tokio::sync::mpsc;

pub struct LogsArgs {
    pub target: String,
    pub follow: bool,
    pub tail: Option<u64>,
    pub since_secs: Option<u64>,
    pub timestamps: bool,
}

pub async fn logs(
    backend: &dyn Backend,
    args: LogsArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let snap = backend.snapshot().await?;
    let target = resolve(&snap, &args.target)?;
    let show_source = matches!(target, LogTarget::Service(_));
    let req = LogRequest {
        target,
        tail: args.tail,
        since: args.since_secs.map(|s| unix_now() - s as i64),
        follow: args.follow,
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
                    if show_source {
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

/// A service as `ls services` names it, a unique service name, or a container.
fn resolve(snap: &crate::domain::Snapshot, target: &str) -> Result<LogTarget, BackendError> {
    if let Some(s) = snap
        .services
        .iter()
        .find(|s| s.qualified_name() == target && s.stack.is_some())
    {
        return Ok(LogTarget::Service(s.id.clone()));
    }
    let by_name: Vec<_> = snap
        .services
        .iter()
        .filter(|s| s.stack.is_some() && s.name == target)
        .collect();
    if let [one] = by_name.as_slice()
        && !snap.containers.iter().any(|c| c.name == target)
    {
        return Ok(LogTarget::Service(one.id.clone()));
    }
    let found = crate::backend::docker::select_target(
        &LogTarget::Container(target.to_owned()),
        snap.containers.iter(),
    );
    if found.is_empty() {
        return Err(BackendError::NotFound {
            what: format!("no container or service named {target:?}"),
            hint: " (see `berth ls containers` and `berth ls services`)".into(),
        });
    }
    Ok(LogTarget::Container(target.to_owned()))
}
