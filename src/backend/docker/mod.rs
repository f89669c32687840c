//! Docker Engine backend: a plain engine with its Compose projects, and,
//! on a swarm manager, the whole swarm.

mod connect;
pub(crate) mod convert;
mod group;
mod haproxy;
mod list;
mod logs;
mod ops;
pub mod swarm;
mod watch;
mod watchdog;

pub use connect::{DEFAULT_SOCKET, connect, docker_configured, resolve_endpoint};

use crate::backend::report::Report;
use crate::backend::{
    Backend, BackendError, BackendEvent, BackendKind, CancellationToken, ContainerFile, Interest,
};
use crate::domain::{Capabilities, OpEvent, OpRequest, Plan, Snapshot, TargetRef};
use crate::logs::{LogEvent, LogRequest};
use bollard::Docker;
use futures::FutureExt;
use futures::future::BoxFuture;
use ops::engine::Engine;
use std::sync::Arc;
use tokio::sync::{mpsc, watch as tokio_watch};

/// A connected Docker Engine.
pub struct DockerBackend {
    endpoint: String,
    docker: Docker,
    /// Shows and operates the whole swarm (the engine is a manager).
    swarm: bool,
    /// Said once at startup (a worker sees only itself).
    note: Option<String>,
    /// The watcher's latest snapshot, for log sessions that follow a service's replicas.
    latest: tokio_watch::Sender<Arc<Snapshot>>,
    /// What the console shows: on a swarm, the tasks listed.
    interest: tokio_watch::Sender<Interest>,
}

impl DockerBackend {
    /// Connects to `endpoint` (see [`resolve_endpoint`]) as a plain
    /// engine, whatever its swarm membership, and negotiates the API version.
    pub async fn connect(endpoint: String) -> Result<DockerBackend, BackendError> {
        let docker = connect::connect(&endpoint).await?;
        let (latest, _) = tokio_watch::channel(Arc::new(Snapshot::default()));
        let (interest, _) = tokio_watch::channel(Interest::default());
        Ok(DockerBackend {
            endpoint,
            docker,
            swarm: false,
            note: None,
            latest,
            interest,
        })
    }

    /// Connects and shows the swarm when the engine is a manager; on a
    /// worker, the engine alone with a note saying so. With `require`, an
    /// engine that is no manager is an error.
    pub async fn connect_swarm(
        endpoint: String,
        require: bool,
    ) -> Result<DockerBackend, BackendError> {
        let mut backend = DockerBackend::connect(endpoint).await?;
        let membership = swarm::membership(&backend.docker)
            .await
            .map_err(|e| connect::classify(&backend.endpoint, &e))?;
        match membership {
            swarm::Membership::Manager => backend.swarm = true,
            swarm::Membership::Worker { managers } if !require => {
                backend.note = Some(swarm::worker_note(&managers));
            }
            other if require => {
                let what = match other {
                    swarm::Membership::Worker { managers } => swarm::worker_note(&managers),
                    _ => "this engine is not in a swarm (docker swarm init makes it a manager)"
                        .to_owned(),
                };
                return Err(BackendError::Unsupported(format!(
                    "--backend swarm needs a swarm manager at {}: {what}",
                    backend.endpoint
                )));
            }
            _ => {}
        }
        Ok(backend)
    }
}

impl Backend for DockerBackend {
    fn kind(&self) -> BackendKind {
        if self.swarm {
            BackendKind::Swarm
        } else {
            BackendKind::Docker
        }
    }

    fn note(&self) -> Option<String> {
        self.note.clone()
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>> {
        async move {
            let model = list::Model::load(&self.docker, &self.endpoint).await?;
            if !self.swarm {
                return Ok(model.snapshot());
            }
            let cluster = swarm::cluster::Cluster::load(
                &self.docker,
                &Interest::All,
                crate::backend::unix_now(),
            )
            .await
            .map_err(|e| connect::classify(&self.endpoint, &e))?;
            Ok(cluster.merge(&model))
        }
        .boxed()
    }

    fn watch(&self, tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()> {
        let watcher = watch::Watcher::new(
            self.docker.clone(),
            self.endpoint.clone(),
            self.latest.clone(),
            self.swarm.then(|| self.interest.subscribe()),
        );
        watcher.run(tx).boxed()
    }

    fn set_interest(&self, interest: Interest) {
        self.interest.send_if_modified(|now| {
            let changed = *now != interest;
            *now = interest;
            changed
        });
    }

    fn logs(&self, req: LogRequest, tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()> {
        let session = logs::Session::new(
            self.docker.clone(),
            self.endpoint.clone(),
            self.latest.subscribe(),
            req.clone(),
        );
        if !self.swarm {
            return session.run(tx).boxed();
        }
        let docker = self.docker.clone();
        let snap = self.latest.borrow().clone();
        async move {
            match swarm::log_source(&docker, &snap, &req.target).await {
                Some(source) => session.of_swarm(source).run(tx).await,
                None => session.run(tx).await,
            }
        }
        .boxed()
    }

    fn haproxy_configs(&self, snap: Arc<Snapshot>) -> BoxFuture<'static, Vec<ContainerFile>> {
        haproxy::configs(self.docker.clone(), snap).boxed()
    }

    fn capabilities(&self, target: &TargetRef) -> Capabilities {
        if self.swarm && swarm::ops::handles(target) {
            swarm::ops::capabilities(target)
        } else {
            ops::capabilities(target)
        }
    }

    fn plan(&self, req: OpRequest) -> BoxFuture<'static, Result<Plan, BackendError>> {
        if self.swarm && swarm::ops::handles(&req.target) {
            swarm::ops::plan(self.docker.clone(), self.endpoint.clone(), req).boxed()
        } else {
            ops::plan(self.docker.clone(), self.endpoint.clone(), req).boxed()
        }
    }

    fn execute(
        &self,
        plan: Plan,
        tx: mpsc::Sender<OpEvent>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        let eng = Engine {
            docker: self.docker.clone(),
            endpoint: self.endpoint.clone(),
        };
        let on_swarm = self.swarm && swarm::ops::handles(&plan.request.target);
        async move {
            let rep = Report::new(tx, cancel);
            let end = if on_swarm {
                swarm::ops::run(&eng, &rep, &plan).await
            } else {
                ops::run(&eng, &rep, &plan.request).await
            };
            // Either way `Finished` comes last, with how it ended.
            rep.finish(end).await;
        }
        .boxed()
    }
}
