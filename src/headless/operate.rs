//! `berth scale|redeploy|rollback|restart|stop|start TARGET` and
//! `berth drain|pause|activate NODE`: the console's operations for scripts. The same confirmation text, asked on a terminal;
//! without one nothing changes unless `--yes`. Every request is audited.

use crate::audit::{Audit, AuditContext};
use crate::backend::{Backend, CancellationToken};
use crate::cli::Output;
use crate::domain::{NodeRef, OpEvent, OpKind, OpRequest, Operation, Outcome, Plan, TargetRef};
use anyhow::{Context, anyhow};
use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long a cancelled operation may take to reach its safe point.
const CANCEL_GRACE: Duration = Duration::from_secs(60);

pub struct OperateArgs {
    pub kind: OpKind,
    pub target: String,
    pub replicas: Option<u32>,
    pub yes: bool,
    pub wait: bool,
    pub timeout: Duration,
    pub output: Output,
    pub read_only: bool,
}

/// Runs one operation; `Err` carries the one message to print (exit 1).
pub async fn operate(
    backend: &dyn Backend,
    audit: &Audit,
    args: OperateArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let ctx = AuditContext {
        via: "headless",
        backend: backend.kind().label().to_owned(),
        endpoint: backend.endpoint().to_owned(),
    };
    let snap = backend.snapshot().await?;
    // A node operation looks for a node of that name first.
    let node = snap
        .nodes
        .iter()
        .find(|n| args.kind.is_node_op() && (n.name == args.target || n.id == args.target));
    let target = match node {
        Some(n) => TargetRef::Node(NodeRef {
            id: n.id.clone(),
            name: n.name.clone(),
        }),
        None => backend.resolve(&snap, &args.target)?,
    };
    let req = OpRequest {
        kind: args.kind,
        target,
        replicas: args.replicas,
    };
    let refuse = |why: String| -> anyhow::Error {
        audit.write(ctx.record(&req, "refused", &why, 0));
        anyhow!("{why}")
    };
    if args.read_only {
        return Err(refuse(format!(
            "refused: {}: berth runs read-only (--read-only); nothing was changed",
            req.describe()
        )));
    }
    if let Err(why) = backend.capabilities(&req.target).check(req.kind) {
        return Err(refuse(format!("{}: {why}", req.describe())));
    }
    let plan = match backend.plan(req.clone()).await {
        Ok(p) => p,
        Err(e) => {
            let why = format!("{}: {e}", req.describe());
            audit.write(ctx.record(&req, "failed", &why, 0));
            return Err(anyhow!(why));
        }
    };
    let json = args.output == Output::Json;
    // The confirmation goes where a person reads it, never into JSON output.
    eprint!("{}", confirmation_text(&plan));
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(refuse(format!(
                "{}: not confirmed: there is no terminal to ask on; pass --yes to run it",
                req.describe()
            )));
        }
        let mut asks = vec!["Proceed? [y/N] ".to_owned()];
        if plan.confirm_twice {
            asks.push(format!(
                "This stops every replica of {}. Really proceed? [y/N] ",
                req.target.name()
            ));
        }
        for ask in asks {
            if !ask_yes(&ask)? {
                audit.write(ctx.record(&req, "declined", "not confirmed", 0));
                return Err(anyhow!("{}: not done", req.describe()));
            }
        }
    }

    let started = Instant::now();
    let (tx, mut rx) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(backend.execute(plan.clone(), tx, cancel.clone()));
    let mut op = Operation::new(0, plan, crate::app::runtime::unix_now());
    let deadline = tokio::time::Instant::now() + args.timeout;
    let mut timed_out = false;
    loop {
        let ev = tokio::select! {
            ev = rx.recv() => ev,
            _ = tokio::time::sleep_until(deadline), if !timed_out => {
                timed_out = true;
                cancel.cancel();
                eprintln!(
                    "berth: {} did not converge within {}s: cancelling at the next safe point",
                    req.describe(),
                    args.timeout.as_secs()
                );
                continue;
            }
            _ = tokio::time::sleep(CANCEL_GRACE), if timed_out => None,
        };
        let Some(ev) = ev else { break };
        op.apply(&ev, crate::app::runtime::unix_now());
        if args.wait {
            if json {
                serde_json::to_writer(&mut *out, &ev)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", progress_line(&op, &ev))?;
            }
            out.flush()?;
        }
        if matches!(ev, OpEvent::Finished { .. }) {
            break;
        }
    }
    task.abort();
    let took = started.elapsed();
    let (outcome, message) = match (op.outcome, op.result.clone()) {
        (Some(o), Some(m)) => (o, m),
        _ => (
            Outcome::Failed,
            "the operation ended without a result (see berth's log)".to_owned(),
        ),
    };
    let result = if timed_out && outcome != Outcome::Converged {
        "timeout"
    } else {
        outcome.label()
    };
    audit.write(ctx.record(&req, result, &message, took.as_millis() as u64));
    if json {
        let (done, total) = op.done();
        let summary = serde_json::json!({
            "operation": req.describe(),
            "action": req.kind.label(),
            "target": req.target.name(),
            "outcome": outcome.label(),
            "timed_out": timed_out,
            "message": message,
            "duration_ms": took.as_millis() as u64,
            "replicas_done": done,
            "replicas_total": total,
            "replicas": op.replicas,
        });
        serde_json::to_writer(&mut *out, &summary)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}: {} in {:.1}s — {message}",
            req.describe(),
            outcome.label(),
            took.as_secs_f64()
        )?;
    }
    out.flush()?;
    if outcome == Outcome::Converged && !timed_out {
        Ok(())
    } else if timed_out {
        Err(anyhow!(
            "{}: timed out after {}s ({}): {message}",
            req.describe(),
            args.timeout.as_secs(),
            outcome.label()
        ))
    } else {
        Err(anyhow!(
            "{}: {}: {message}",
            req.describe(),
            outcome.label()
        ))
    }
}

/// The text the console's confirmation shows, as lines.
pub fn confirmation_text(plan: &Plan) -> String {
    let mut s = format!("{}\n", plan.summary);
    for d in &plan.details {
        s.push_str(&format!("  {d}\n"));
    }
    for w in &plan.warnings {
        s.push_str(&format!("  warning: {w}\n"));
    }
    s
}

fn progress_line(op: &Operation, ev: &OpEvent) -> String {
    let (done, total) = op.done();
    match ev {
        OpEvent::Step {
            replica,
            step,
            detail,
            ..
        } => {
            let detail = detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            format!("[{done}/{total}] {replica}: {}{detail}", step.label())
        }
        OpEvent::Message { text } => format!("[{done}/{total}] {text}"),
        OpEvent::Finished { outcome, message } => {
            format!("[{done}/{total}] {}: {message}", outcome.label())
        }
    }
}

fn ask_yes(question: &str) -> anyhow::Result<bool> {
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the answer")?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
