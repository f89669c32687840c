//! Kubernetes backend: one kube-rs watcher per kind (nodes, namespaces,
//! Deployments, StatefulSets, DaemonSets, ReplicaSets, pods; Services,
//! Endpoints, Ingresses and, where their CRD is served, Traefik
//! IngressRoutes for the routes), with the
//! default backoff, each object slimmed to what berth shows (slim.rs) into
//! a store of its own (store.rs). The stores are
//! turned into a snapshot after each coalesced batch of changes; a watch
//! that breaks (a stopped apiserver) is resumed, or re-listed after a 410
//! Gone, by the watcher itself while the status bar says "reconnecting". A
//! pod that is on a node but does not start gets its latest Warning event
//! (events.rs).

mod connect;
mod contexts;
mod convert;
mod crd;
mod events;
mod ingress;
mod ingressroute;
mod logs;
mod ops;
mod slim;
mod store;
mod targets;
mod watch;

pub use connect::{KubeTarget, kubeconfig_exists};
pub use contexts::{Contexts, KubeContext, read as read_contexts, startup_target};

use super::{Backend, BackendError, BackendEvent, BackendKind, CancellationToken};
use crate::backend::report::Report;
use crate::domain::{Capabilities, OpEvent, OpRequest, Plan, Snapshot, TargetRef};
use crate::logs::{LogEvent, LogRequest};
use futures::FutureExt;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A connected Kubernetes cluster (one kubeconfig context).
pub struct KubeBackend {
    client: kube::Client,
    endpoint: String,
    namespace: Option<String>,
    /// The watcher's latest snapshot: which pods a log view reads.
    latest: tokio::sync::watch::Sender<Option<Arc<Snapshot>>>,
}

impl KubeBackend {
    /// Connects with the kubeconfig's `context` (its current one by
    /// default), to `namespace` or every namespace.
    pub async fn connect(target: &KubeTarget) -> Result<KubeBackend, BackendError> {
        let (client, endpoint) = connect::client(target).await?;
        Ok(KubeBackend {
            client,
            endpoint,
            namespace: target.namespace.clone(),
            latest: tokio::sync::watch::channel(None).0,
        })
    }

    /// Whether the apiserver answers these credentials (`GET /version`
    /// within 10 s), or why not: a console switching to another context
    /// stays where it is unless it does.
    pub async fn reachable(&self) -> Result<(), String> {
        match tokio::time::timeout(Duration::from_secs(10), self.client.apiserver_version()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                // The innermost cause says it best ("Connection refused").
                let mut cause: &dyn std::error::Error = &e;
                while let Some(inner) = cause.source() {
                    cause = inner;
                }
                let why = match cause.to_string() {
                    c if c == e.to_string() => c,
                    c => format!("{e}: {c}"),
                };
                Err(format!("{}: {why}", self.endpoint))
            }
            Err(_) => Err(format!("{}: no answer in 10 s", self.endpoint)),
        }
    }
}

impl Backend for KubeBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Kubernetes
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn snapshot(&self) -> BoxFuture<'_, Result<Snapshot, BackendError>> {
        async move {
            let snap = list_once(&self.client, &self.namespace, &self.endpoint).await?;
            Ok((*snap).clone())
        }
        .boxed()
    }

    fn watch(&self, tx: mpsc::Sender<BackendEvent>) -> BoxFuture<'static, ()> {
        let watcher = watch::Watcher::new(self.client.clone(), self.namespace.clone());
        let latest = self.latest.clone();
        let client = self.client.clone();
        async move {
            let (inner, mut rx) = mpsc::channel(16);
            let run = watcher.run(inner, false);
            // The stuck pods' events, read from the watcher's snapshots.
            let (raw_tx, raw_rx) = tokio::sync::watch::channel(None);
            let (notes_tx, mut notes_rx) = tokio::sync::watch::channel(events::Notes::new());
            let events = events::follow(client, raw_rx, notes_tx);
            // Adds the events' reasons to each snapshot, and keeps the
            // latest for log views on the way through.
            let relay = async {
                let mut raw: Option<Arc<Snapshot>> = None;
                loop {
                    let ev = tokio::select! {
                        ev = rx.recv() => match ev {
                            Some(BackendEvent::Snapshot(s)) => {
                                raw_tx.send_replace(Some(s.clone()));
                                let shown = events::annotate(&s, &notes_rx.borrow());
                                raw = Some(s);
                                BackendEvent::Snapshot(shown)
                            }
                            Some(ev) => ev,
                            None => return,
                        },
                        Ok(()) = notes_rx.changed() => match &raw {
                            Some(s) => BackendEvent::Snapshot(events::annotate(s, &notes_rx.borrow_and_update())),
                            None => continue,
                        },
                    };
                    if let BackendEvent::Snapshot(s) = &ev {
                        latest.send_replace(Some(s.clone()));
                    }
                    if tx.send(ev).await.is_err() {
                        return;
                    }
                }
            };
            tokio::select! {
                _ = run => {}
                _ = relay => {}
                _ = events => {}
            }
        }
        .boxed()
    }

    fn logs(&self, req: LogRequest, tx: mpsc::Sender<LogEvent>) -> BoxFuture<'static, ()> {
        let client = self.client.clone();
        let updates = self.latest.subscribe();
        let known = updates.borrow().clone();
        let namespace = self.namespace.clone();
        let endpoint = self.endpoint.clone();
        async move {
            // Headless has no watcher: list once.
            let snap = match known {
                Some(s) => s,
                None => match list_once(&client, &namespace, &endpoint).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = tx.send(LogEvent::Error(e.to_string())).await;
                        let _ = tx.send(LogEvent::Ended).await;
                        return;
                    }
                },
            };
            logs::run(client, snap, Some(updates), req, tx).await;
        }
        .boxed()
    }

    fn capabilities(&self, target: &TargetRef) -> Capabilities {
        ops::capabilities(target)
    }

    fn plan(&self, req: OpRequest) -> BoxFuture<'static, Result<Plan, BackendError>> {
        ops::plan(self.client.clone(), req).boxed()
    }

    fn execute(
        &self,
        plan: Plan,
        tx: mpsc::Sender<OpEvent>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        let client = self.client.clone();
        async move {
            let rep = Report::new(tx, cancel);
            let end = ops::execute(client, &plan, &rep).await;
            rep.finish(end).await;
        }
        .boxed()
    }
}

/// One listing of the cluster (headless `ls`, and logs without a watcher):
/// the first snapshot a watcher sends, or why none came within 30 s.
async fn list_once(
    client: &kube::Client,
    namespace: &Option<String>,
    endpoint: &str,
) -> Result<Arc<Snapshot>, BackendError> {
    let (tx, mut rx) = mpsc::channel(16);
    let watcher = watch::Watcher::new(client.clone(), namespace.clone());
    let task = tokio::spawn(watcher.run(tx, true));
    let mut last_error = None;
    let deadline = tokio::time::sleep(Duration::from_secs(30));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(BackendEvent::Snapshot(s)) => {
                    task.abort();
                    return Ok(s);
                }
                Some(BackendEvent::Connection(super::ConnectionState::Reconnecting { error, .. })) => {
                    last_error = Some(error);
                }
                Some(_) => {}
                None => break,
            },
            _ = &mut deadline => break,
        }
    }
    task.abort();
    Err(BackendError::Unreachable {
        engine: "Kubernetes API server",
        endpoint: endpoint.to_owned(),
        reason: last_error.unwrap_or_else(|| "no answer in 30 s".into()),
        hint: "check the kubeconfig context (--context) and that the apiserver runs".into(),
    })
}
