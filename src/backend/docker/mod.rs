//! Docker Engine backend (plain engine and Compose projects).

mod connect;
mod convert;
mod group;
mod list;
mod logs;
mod ops;
mod watch;
mod watchdog;

pub use connect::{DEFAULT_SOCKET, connect, docker_configured, resolve_endpoint};

use crate::backend::{Backend, BackendError, BackendEvent, BackendKind, CancellationToken};
use crate::domain::{Capabilities, OpEvent, OpRequest, Plan, Snapshot, TargetRef};
use crate::logs::{LogEvent, LogRequest};
use bollard::Docker;
use futures::FutureExt;
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::{mpsc, watch as tokio_watch};

/// A connected Docker Engine.
pub struct DockerBackend {
    endpoint: String,
    docker: Docker,
    /// The watcher's latest snapshot, for log sessions that follow a service's replicas.
    latest: tokio_watch::Sender<Arc<Snapshot>>,
}

impl DockerBackend {
    /// Connects to `endpoint` (see [`resolve_endpoint`]) and negotiates the API version.
    pub async fn connect(endpoint: String) -> Result<DockerBackend, BackendError> {
        let docker = connect::connect(&endpoint).await?;
        let (latest, _) = tokio_watch::channel(Arc::new(Snapshot::default()));
        Ok(DockerBackend {
            endpoint,
            docker,
            latest,
        })
    }
}

impl Backend for DockerBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Docker
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>> {
        async move {
            let model = list::Model::load(&self.docker, &self.endpoint).await?;
            Ok(model.snapshot())
        }
        .boxed()
    }

    fn watch(&self, tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()> {
        let watcher = watch::Watcher::new(
            self.docker.clone(),
            self.endpoint.clone(),
            self.latest.clone(),
        );
        watcher.run(tx).boxed()
    }

    fn logs(&self, req: LogRequest, tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()> {
        let session = logs::Session::new(
            self.docker.clone(),
            self.endpoint.clone(),
            self.latest.subscribe(),
            req,
        );
        session.run(tx).boxed()
    }

    fn capabilities(&self, target: &TargetRef) -> Capabilities {
        ops::capabilities(target)
    }

    fn plan(&self, req: OpRequest) -> BoxFuture<'static, Result<Plan, BackendError>> {
        ops::plan(self.docker.clone(), self.endpoint.clone(), req).boxed()
    }

    fn execute(
        &self,
        plan: Plan,
        tx: mpsc::Sender<OpEvent>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        ops::execute(self.docker.clone(), self.endpoint.clone(), plan, tx, cancel).boxed()
    }
}
