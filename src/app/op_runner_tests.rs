//! The runtime's operation side against a scripted backend: no engine, no
//! terminal. (Each real backend is proven against its real engine.)

use super::op_runner::OpRunner;
use super::*;
use crate::audit::{Audit, AuditContext};
use crate::backend::{Backend, BackendError, BackendEvent, BackendKind, CancellationToken};
use crate::domain::fixtures::NOW;
use crate::domain::{
    Capabilities, OpEvent, OpKind, OpRequest, Operation, Outcome, Plan, ServiceKind, ServiceMode,
    ServiceRef, Snapshot, Step, TargetRef,
};
use crate::logs::{LogEvent, LogRequest};
use futures::FutureExt;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Says yes to everything but scale, plans by echoing the request, and
/// executes by sending its script.
#[derive(Clone, Default)]
struct Scripted {
    events: Vec<OpEvent>,
    /// Waits for cancellation before finishing.
    until_cancelled: bool,
    /// Ends without `Finished`, as a task that died.
    dies: bool,
}

impl Backend for Scripted {
    fn kind(&self) -> BackendKind {
        BackendKind::Docker
    }
    fn endpoint(&self) -> &str {
        "scripted"
    }
    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>> {
        async { Ok(Snapshot::default()) }.boxed()
    }
    fn watch(&self, _tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()> {
        async {}.boxed()
    }
    fn logs(&self, _req: LogRequest, _tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()> {
        async {}.boxed()
    }
    fn capabilities(&self, _target: &TargetRef) -> Capabilities {
        Capabilities(
            OpKind::ALL
                .iter()
                .map(|&k| match k {
                    OpKind::Scale => (k, Err("scripted: no scaling here".to_owned())),
                    _ => (k, Ok(())),
                })
                .collect(),
        )
    }
    fn plan(&self, req: OpRequest) -> BoxFuture<'static, Result<Plan, BackendError>> {
        async move {
            if req.kind == OpKind::Rollback {
                return Err(BackendError::Engine("no previous image".into()));
            }
            Ok(plan(req))
        }
        .boxed()
    }
    fn execute(
        &self,
        _plan: Plan,
        tx: mpsc::Sender<OpEvent>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        let me = self.clone();
        async move {
            for ev in me.events {
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
            if me.dies {
                return;
            }
            let outcome = if me.until_cancelled {
                cancel.cancelled().await;
                Outcome::Cancelled
            } else {
                Outcome::Converged
            };
            let message = outcome.label().to_owned();
            let _ = tx.send(OpEvent::Finished { outcome, message }).await;
        }
        .boxed()
    }
}

fn req(kind: OpKind, name: &str) -> OpRequest {
    OpRequest {
        kind,
        target: TargetRef::Service(ServiceRef {
            id: name.into(),
            name: name.into(),
            kind: ServiceKind::Compose,
            mode: ServiceMode::Replicated,
        }),
        replicas: None,
    }
}

fn plan(request: OpRequest) -> Plan {
    Plan {
        summary: request.describe(),
        request,
        details: vec![],
        warnings: vec![],
        replicas: vec!["a".into()],
        confirm_twice: false,
        revision: None,
    }
}

fn step(replica: &str, step: Step) -> OpEvent {
    OpEvent::Step {
        replica: replica.into(),
        step,
        done: true,
        detail: None,
    }
}

fn runner(backend: Scripted, audit: Audit) -> OpRunner {
    let ctx = AuditContext {
        via: "console",
        backend: "docker".into(),
        endpoint: "scripted".into(),
    };
    OpRunner::new(Arc::new(backend), audit, ctx)
}

fn no_audit() -> Audit {
    Audit::open(None).0
}

async fn next(r: &mut OpRunner) -> Msg {
    tokio::time::timeout(Duration::from_secs(5), r.next())
        .await
        .expect("a message within 5 s")
}

#[tokio::test]
async fn a_check_is_answered_at_once_and_a_plan_arrives_later() {
    let mut r = runner(Scripted::default(), no_audit());
    let scale = req(OpKind::Scale, "shop/web");
    let Some(Msg::Checked { result, .. }) = r.perform(Command::Check { req: scale }) else {
        panic!("checked at once")
    };
    assert_eq!(result, Err("scripted: no scaling here".into()));

    let redeploy = req(OpKind::Redeploy, "shop/web");
    assert!(
        r.perform(Command::Prepare {
            req: redeploy.clone()
        })
        .is_none()
    );
    let Msg::Planned { req: got, result } = next(&mut r).await else {
        panic!("planned")
    };
    assert_eq!(got, redeploy);
    assert_eq!(result.map(|p| p.summary), Ok("redeploy shop/web".into()));

    r.perform(Command::Prepare {
        req: req(OpKind::Rollback, "shop/web"),
    });
    let Msg::Planned { result, .. } = next(&mut r).await else {
        panic!("planned")
    };
    assert_eq!(
        result.map(|p| p.summary),
        Err("the engine refused: no previous image".into())
    );
}

/// Every event of every operation until each has finished, by id.
async fn run_to_end(r: &mut OpRunner, ids: &[u64]) -> Vec<(u64, OpEvent)> {
    let mut seen = Vec::new();
    let mut open: Vec<u64> = ids.to_vec();
    while !open.is_empty() {
        let Msg::Op { id, event, .. } = next(r).await else {
            panic!("only progress expected")
        };
        if matches!(event, OpEvent::Finished { .. }) {
            open.retain(|&i| i != id);
        }
        seen.push((id, event));
    }
    seen
}

#[tokio::test]
async fn two_operations_run_at_once_each_on_its_own_channel() {
    let backend = Scripted {
        events: vec![step("a", Step::Pulling), step("a", Step::OldRemoved)],
        ..Scripted::default()
    };
    let mut r = runner(backend, no_audit());
    for (id, name) in [(1, "shop/web"), (2, "shop/api")] {
        r.perform(Command::Execute {
            id,
            plan: plan(req(OpKind::Redeploy, name)),
        });
    }
    assert_eq!(r.running(), 2);
    let seen = run_to_end(&mut r, &[1, 2]).await;
    for id in [1, 2] {
        let mine: Vec<&OpEvent> = seen
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, e)| e)
            .collect();
        assert_eq!(mine.len(), 3, "{id}: {mine:?}");
        assert_eq!(mine[0], &step("a", Step::Pulling));
        assert!(matches!(
            mine[2],
            OpEvent::Finished {
                outcome: Outcome::Converged,
                ..
            }
        ));
    }
}

#[tokio::test]
async fn cancel_reaches_the_running_operation() {
    let backend = Scripted {
        events: vec![step("a", Step::Running)],
        until_cancelled: true,
        ..Scripted::default()
    };
    let mut r = runner(backend, no_audit());
    r.perform(Command::Execute {
        id: 7,
        plan: plan(req(OpKind::Redeploy, "shop/web")),
    });
    assert!(matches!(next(&mut r).await, Msg::Op { id: 7, .. }));
    r.perform(Command::CancelOp { id: 7 });
    let Msg::Op { event, .. } = next(&mut r).await else {
        panic!("progress")
    };
    assert!(matches!(
        event,
        OpEvent::Finished {
            outcome: Outcome::Cancelled,
            ..
        }
    ));
}

#[tokio::test]
async fn an_operation_that_dies_is_reported_failed() {
    let backend = Scripted {
        dies: true,
        ..Scripted::default()
    };
    let mut r = runner(backend, no_audit());
    r.perform(Command::Execute {
        id: 1,
        plan: plan(req(OpKind::Restart, "shop/web")),
    });
    let seen = run_to_end(&mut r, &[1]).await;
    assert_eq!(
        seen,
        vec![(
            1,
            OpEvent::Finished {
                outcome: Outcome::Failed,
                message: "the operation stopped without a result".into(),
            }
        )]
    );
}

#[tokio::test]
async fn quitting_stops_operations_and_audits_how_they_ended() {
    let dir = std::env::temp_dir().join(format!("berth-op-runner-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (audit, writer) = Audit::open(Some(&dir));
    let backend = Scripted {
        until_cancelled: true,
        ..Scripted::default()
    };
    let mut r = runner(backend, audit);
    let settings = Settings {
        backend: BackendKind::Docker,
        endpoint: "scripted".into(),
        read_only: false,
        log_tail: 10,
        log_capacity: 10,
        save_dir: std::env::temp_dir(),
        audit_dir: None,
        routes: Default::default(),
    };
    let mut state = AppState::new(settings, (80, 24), NOW);
    let p = plan(req(OpKind::Redeploy, "shop/web"));
    state.operations.push(OpEntry {
        op: Operation::new(1, p.clone(), NOW),
        took_ms: None,
    });
    r.perform(Command::Execute { id: 1, plan: p });
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    r.stop_all(&mut state, until).await;
    assert_eq!(r.running(), 0);
    assert_eq!(
        state.operation(1).and_then(|e| e.op.outcome),
        Some(Outcome::Cancelled)
    );
    drop(r);
    writer.finish();
    let text = std::fs::read_to_string(dir.join(crate::audit::FILE_NAME)).unwrap_or_default();
    assert!(text.contains("\"result\":\"cancelled\""), "{text}");
    assert!(text.contains("\"via\":\"console\""), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
