//! `--read-only` at the backend boundary: whatever the console or a script
//! asks, nothing that changes the cluster gets past this wrapper.

use super::{Backend, BackendError, BackendEvent, BackendKind, CancellationToken};
use crate::domain::{Capabilities, OpEvent, OpRequest, Outcome, Plan, Snapshot, TargetRef};
use crate::logs::{LogEvent, LogRequest};
use futures::FutureExt;
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::mpsc;

const WHY: &str = "berth runs read-only (--read-only): nothing may be changed";

/// A backend that reads through and refuses every change.
pub struct ReadOnly(pub Arc<dyn Backend>);

impl Backend for ReadOnly {
    fn kind(&self) -> BackendKind {
        self.0.kind()
    }
    fn endpoint(&self) -> &str {
        self.0.endpoint()
    }
    fn note(&self) -> Option<String> {
        self.0.note()
    }
    fn set_interest(&self, interest: super::Interest) {
        self.0.set_interest(interest)
    }
    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>> {
        self.0.snapshot()
    }
    fn watch(&self, tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()> {
        self.0.watch(tx)
    }
    fn logs(&self, req: LogRequest, tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()> {
        self.0.logs(req, tx)
    }
    fn haproxy_configs(
        &self,
        snap: Arc<Snapshot>,
    ) -> BoxFuture<'static, Vec<super::ContainerFile>> {
        self.0.haproxy_configs(snap)
    }
    fn resolve(&self, snap: &Snapshot, name: &str) -> Result<TargetRef, BackendError> {
        self.0.resolve(snap, name)
    }
    fn capabilities(&self, _target: &TargetRef) -> Capabilities {
        Capabilities::none(WHY)
    }
    fn plan(&self, req: OpRequest) -> BoxFuture<'static, Result<Plan, BackendError>> {
        async move { Err(BackendError::ReadOnly(req.describe())) }.boxed()
    }
    fn execute(
        &self,
        plan: Plan,
        tx: mpsc::Sender<OpEvent>,
        _cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        async move {
            let message = BackendError::ReadOnly(plan.request.describe()).to_string();
            let _ = tx
                .send(OpEvent::Finished {
                    outcome: Outcome::Failed,
                    message,
                })
                .await;
        }
        .boxed()
    }
}
