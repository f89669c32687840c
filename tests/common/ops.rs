//! Planning and carrying out operations through berth's own backend, as the
//! console does, for the tests of the engine's and the swarm's operations.

use berth::backend::{Backend, CancellationToken};
use berth::domain::{OpEvent, OpKind, OpRequest, Outcome, Plan, Step, TargetRef};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub fn req(kind: OpKind, target: &TargetRef, replicas: Option<u32>) -> OpRequest {
    OpRequest {
        kind,
        target: target.clone(),
        replicas,
    }
}

/// The backend's plan for `r`, printed for a failing test's output.
pub async fn plan(backend: &dyn Backend, r: OpRequest) -> Plan {
    let what = r.describe();
    let p = backend
        .plan(r)
        .await
        .unwrap_or_else(|e| panic!("plan {what}: {e}"));
    eprintln!(
        "plan: {}\n  details: {:?}\n  warnings: {:?}\n  replicas: {:?}",
        p.summary, p.details, p.warnings, p.replicas
    );
    p
}

/// Runs a plan to its end, waiting at most `patience` for each event;
/// returns every event, the outcome and the message. `Finished` comes
/// exactly once, last.
pub async fn execute_within(
    backend: &dyn Backend,
    p: Plan,
    patience: Duration,
) -> (Vec<OpEvent>, Outcome, String) {
    let events = events(backend, p, patience, None).await;
    let Some(OpEvent::Finished { outcome, message }) = events.last().cloned() else {
        panic!("Finished must be the last event: {events:?}");
    };
    let finished = events
        .iter()
        .filter(|e| matches!(e, OpEvent::Finished { .. }))
        .count();
    assert_eq!(finished, 1, "exactly one Finished: {events:?}");
    (events, outcome, message)
}

/// Runs a plan and asks it to stop once a replica reports step `at`;
/// returns the outcome and message of the `Finished` that comes last.
pub async fn execute_cancelled_at(
    backend: &dyn Backend,
    p: Plan,
    at: Step,
    patience: Duration,
) -> (Outcome, String) {
    let events = events(backend, p, patience, Some(at)).await;
    let Some(OpEvent::Finished { outcome, message }) = events.last().cloned() else {
        panic!("Finished last: {events:?}");
    };
    (outcome, message)
}

/// Every event of carrying out `p`, cancelled at the first step `cancel_at`
/// when given.
async fn events(
    backend: &dyn Backend,
    p: Plan,
    patience: Duration,
    cancel_at: Option<Step>,
) -> Vec<OpEvent> {
    let (tx, mut rx) = mpsc::channel(256);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(backend.execute(p, tx, cancel.clone()));
    let mut events = Vec::new();
    let t0 = Instant::now();
    while let Some(ev) = tokio::time::timeout(patience, rx.recv())
        .await
        .unwrap_or_else(|_| panic!("an event within {} s", patience.as_secs()))
    {
        let ms = t0.elapsed().as_millis();
        // With --nocapture: where an operation spends its time.
        match &ev {
            OpEvent::Step {
                replica,
                step,
                detail,
                ..
            } => {
                eprintln!(
                    "  {ms:>6} ms {replica}: {} {}",
                    step.label(),
                    detail.as_deref().unwrap_or_default()
                );
                if cancel_at == Some(*step) {
                    cancel.cancel();
                }
            }
            OpEvent::Message { text } => eprintln!("  {ms:>6} ms {text}"),
            OpEvent::Finished { outcome, message } => {
                eprintln!("finished in {ms} ms: {outcome:?}: {message}")
            }
        }
        events.push(ev);
    }
    task.await.expect("execute finishes");
    events
}
