//! The runtime's side of operations: it asks the backend what the reducer
//! wants (capabilities, plans), runs confirmed plans each on a channel of
//! its own so several run at once, and appends the audit trail. Kept out of
//! the event loop so it can be tested with a scripted backend.

use super::{AppState, Command, Msg};
use crate::audit::{Audit, AuditContext};
use crate::backend::{Backend, CancellationToken};
use crate::domain::{OpEvent, OpRequest, Outcome, Plan};
use std::sync::Arc;
use std::task::Poll;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A running operation.
struct OpSession {
    id: u64,
    rx: mpsc::Receiver<OpEvent>,
    cancel: CancellationToken,
    started: Instant,
}

type PlanReply = (OpRequest, Result<Plan, String>);

pub(super) struct OpRunner {
    backend: Arc<dyn Backend>,
    audit: Audit,
    ctx: AuditContext,
    plan_tx: mpsc::Sender<PlanReply>,
    plan_rx: mpsc::Receiver<PlanReply>,
    ops: Vec<OpSession>,
}

impl OpRunner {
    pub fn new(backend: Arc<dyn Backend>, audit: Audit, ctx: AuditContext) -> OpRunner {
        let (plan_tx, plan_rx) = mpsc::channel(4);
        OpRunner {
            backend,
            audit,
            ctx,
            plan_tx,
            plan_rx,
            ops: Vec::new(),
        }
    }

    /// Performs an operation command. A capability check is answered at
    /// once (the returned message); plans and progress come from [`next`].
    /// Other commands are not this runner's and are ignored.
    ///
    /// [`next`]: OpRunner::next
    pub fn perform(&mut self, cmd: Command) -> Option<Msg> {
        match cmd {
            Command::Check { req } => {
                let result = self.backend.capabilities(&req.target).check(req.kind);
                return Some(Msg::Checked { req, result });
            }
            Command::Prepare { req } => {
                let plan = self.backend.plan(req.clone());
                let tx = self.plan_tx.clone();
                tokio::spawn(async move {
                    let result = plan.await.map_err(|e| e.to_string());
                    let _ = tx.send((req, result)).await;
                });
            }
            Command::Execute { id, plan } => {
                let (tx, rx) = mpsc::channel(64);
                let cancel = CancellationToken::new();
                tokio::spawn(self.backend.execute(plan, tx, cancel.clone()));
                self.ops.push(OpSession {
                    id,
                    rx,
                    cancel,
                    started: Instant::now(),
                });
            }
            Command::CancelOp { id } => {
                if let Some(op) = self.ops.iter().find(|o| o.id == id) {
                    op.cancel.cancel();
                }
            }
            Command::Audit {
                req,
                result,
                message,
                duration_ms,
            } => self
                .audit
                .write(self.ctx.record(&req, &result, &message, duration_ms)),
            Command::OpenLogs { .. }
            | Command::CloseLogs { .. }
            | Command::SaveLogs { .. }
            | Command::ListContexts { .. }
            | Command::Connect { .. }
            | Command::Adopt
            | Command::Quit => {}
        }
        None
    }

    /// The next plan or progress event. Cancel-safe: nothing is taken from
    /// a channel unless it is returned.
    pub async fn next(&mut self) -> Msg {
        tokio::select! {
            Some((req, result)) = self.plan_rx.recv() => Msg::Planned { req, result },
            (id, event, elapsed_ms) = next_op_event(&mut self.ops), if !self.ops.is_empty() => {
                Msg::Op { id, event, elapsed_ms }
            }
        }
    }

    /// New operations go to `backend` (after `:ctx` / `:ns`), audited with
    /// its endpoint.
    pub fn set_backend(&mut self, backend: Arc<dyn Backend>) {
        self.ctx.endpoint = backend.endpoint().to_owned();
        self.backend = backend;
    }

    pub fn running(&self) -> usize {
        self.ops.len()
    }

    /// Asks every running operation to stop at its next safe point, then
    /// feeds their last events to the reducer until they end or `until`
    /// passes; what is still running then is audited as cancelled.
    pub async fn stop_all(&mut self, state: &mut AppState, until: Instant) {
        for op in &self.ops {
            op.cancel.cancel();
        }
        while !self.ops.is_empty() {
            let Ok(msg) = tokio::time::timeout_at(until, self.next()).await else {
                break;
            };
            for cmd in super::update(state, msg) {
                self.perform(cmd);
            }
        }
        for op in &self.ops {
            if let Some(e) = state.operation(op.id) {
                let ms = op.started.elapsed().as_millis() as u64;
                let why = "berth quit before it reached a safe point; check the target's state";
                self.audit
                    .write(self.ctx.record(&e.op.plan.request, "cancelled", why, ms));
            }
        }
    }
}

/// The next event of any running operation, with the time since it started.
/// An operation leaves the list with its last event; a channel that closes
/// without `Finished` (the task died) is reported as failed.
async fn next_op_event(ops: &mut Vec<OpSession>) -> (u64, OpEvent, u64) {
    std::future::poll_fn(|cx| {
        for i in 0..ops.len() {
            let Poll::Ready(ev) = ops[i].rx.poll_recv(cx) else {
                continue;
            };
            let ms = ops[i].started.elapsed().as_millis() as u64;
            let id = ops[i].id;
            let event = ev.unwrap_or_else(|| OpEvent::Finished {
                outcome: Outcome::Failed,
                message: "the operation stopped without a result".into(),
            });
            if matches!(event, OpEvent::Finished { .. }) {
                ops.remove(i);
            }
            return Poll::Ready((id, event, ms));
        }
        Poll::Pending
    })
    .await
}
