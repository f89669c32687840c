//! Follows the cluster: a watcher per kind feeds a [`Store`] of slimmed
//! objects; every change marks the snapshot stale, and after [`COALESCE`]
//! the stores are read once into a new snapshot, sent only when it differs
//! from the last. At start-up the first page of each kind is drawn at once
//! (the status bar says "loading"), the whole listing as soon as it is in.

use super::store::{Applied, Store};
use super::targets::{Targets, Template};
use super::{convert, crd, ingress, ingressroute, slim};
use crate::backend::docker::convert::clean;
use crate::backend::{BackendEvent, COALESCE, ConnectionState};
use crate::domain::{Container, Route, Service, Snapshot, Stack, StackKind};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Endpoints, Namespace, Node, Pod, Service as KubeService};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DynamicObject};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Objects asked for per page when a kind is listed.
const PAGE: u32 = 500;
/// While every kind fails, how often the API server is asked whether it
/// answers again, and how long for: a watch that resumes where it was (no
/// new listing) says so only with its next event, which may be long.
const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// What a kind's watcher reports.
pub(super) enum Change {
    /// Its objects changed (so its watch works again, if it had failed).
    Changed(usize),
    /// Its first listing has brought a page (or more) of objects.
    Page(usize),
    /// Its listing is complete.
    Listed(usize),
    /// Listing or watching failed (the watcher retries with backoff).
    Failed(usize, String),
    /// The user may not list this kind: said, not retried as an outage.
    Forbidden(usize),
    /// The cluster does not serve this kind (a CRD not installed): it
    /// simply has no objects.
    Absent(usize),
}

/// The kinds, in the order their watchers are numbered; the last ones
/// are Traefik's IngressRoutes in [`crd::GROUPS`]' order.
const KINDS: [&str; 12] = [
    "nodes",
    "namespaces",
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "pods",
    "services",
    "endpoints",
    "ingresses",
    "ingressroutes.traefik.io",
    "ingressroutes.traefik.containo.us",
];
/// The first IngressRoute kind's number.
const INGRESSROUTES: usize = 10;

struct Stores {
    nodes: Store<Node>,
    namespaces: Store<Namespace>,
    deployments: Store<Deployment>,
    statefulsets: Store<StatefulSet>,
    daemonsets: Store<DaemonSet>,
    replicasets: Store<ReplicaSet>,
    pods: Store<Pod>,
    services: Store<KubeService>,
    endpoints: Store<Endpoints>,
    ingresses: Store<Ingress>,
    /// IngressRoutes of each of [`crd::GROUPS`], empty where not served.
    ingressroutes: Vec<(&'static str, Store<DynamicObject>)>,
}

pub struct Watcher {
    client: kube::Client,
    namespace: Option<String>,
}

impl Watcher {
    pub fn new(client: kube::Client, namespace: Option<String>) -> Watcher {
        Watcher { client, namespace }
    }

    fn api<K>(&self) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        match &self.namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    /// Sends snapshots and connection states until `tx` closes; with
    /// `once`, ends after the first snapshot.
    pub async fn run(self, tx: mpsc::Sender<BackendEvent>, once: bool) {
        let (changes, mut rx) = mpsc::channel::<Change>(256);
        let mut tasks = JoinSet::new();
        let namespaces_cfg = match &self.namespace {
            Some(ns) => watcher::Config::default().fields(&format!("metadata.name={ns}")),
            None => watcher::Config::default(),
        };
        let stores = Stores {
            nodes: follow(
                Api::all(self.client.clone()),
                watcher::Config::default(),
                0,
                slim::node,
                false,
                &changes,
                &mut tasks,
            ),
            namespaces: follow(
                Api::all(self.client.clone()),
                namespaces_cfg,
                1,
                slim::namespace,
                false,
                &changes,
                &mut tasks,
            ),
            deployments: follow(
                self.api(),
                watcher::Config::default(),
                2,
                slim::deployment,
                false,
                &changes,
                &mut tasks,
            ),
            statefulsets: follow(
                self.api(),
                watcher::Config::default(),
                3,
                slim::statefulset,
                false,
                &changes,
                &mut tasks,
            ),
            daemonsets: follow(
                self.api(),
                watcher::Config::default(),
                4,
                slim::daemonset,
                false,
                &changes,
                &mut tasks,
            ),
            replicasets: follow(
                self.api(),
                watcher::Config::default(),
                5,
                slim::replicaset,
                false,
                &changes,
                &mut tasks,
            ),
            pods: follow(
                self.api(),
                watcher::Config::default(),
                6,
                slim::pod,
                !once,
                &changes,
                &mut tasks,
            ),
            services: follow(
                self.api(),
                watcher::Config::default(),
                7,
                slim::service,
                false,
                &changes,
                &mut tasks,
            ),
            endpoints: follow(
                self.api(),
                watcher::Config::default(),
                8,
                slim::endpoints,
                false,
                &changes,
                &mut tasks,
            ),
            ingresses: follow(
                self.api(),
                watcher::Config::default(),
                9,
                slim::ingress,
                false,
                &changes,
                &mut tasks,
            ),
            ingressroutes: crd::GROUPS
                .iter()
                .enumerate()
                .map(|(i, group)| {
                    let store = crd::follow(
                        self.client.clone(),
                        self.namespace.clone(),
                        group,
                        INGRESSROUTES + i,
                        &changes,
                        &mut tasks,
                    );
                    (*group, store)
                })
                .collect(),
        };
        drop(changes);

        let mut listed = [false; KINDS.len()];
        let mut paged = [false; KINDS.len()];
        let mut failed: [Option<String>; KINDS.len()] = Default::default();
        let mut refused = [false; KINDS.len()];
        let mut absent = [false; KINDS.len()];
        let mut lost_at: Option<Instant> = None;
        let mut flush_at: Option<tokio::time::Instant> = None;
        let mut probe_at: Option<tokio::time::Instant> = None;
        let mut last: Option<Arc<Snapshot>> = None;
        let mut said = ConnectionState::Connecting;
        let started = Instant::now();
        if tx
            .send(BackendEvent::Connection(said.clone()))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let deadline = flush_at.unwrap_or_else(|| {
                tokio::time::Instant::now() + std::time::Duration::from_secs(3600)
            });
            tokio::select! {
                change = rx.recv() => {
                    let Some(change) = change else { return };
                    // A listing done, or the first page before anything was
                    // drawn, is drawn now; other changes are coalesced.
                    let now = match change {
                        // A watch resumed without a new listing says so only by its events.
                        Change::Changed(i) => {
                            failed[i] = None;
                            false
                        }
                        Change::Page(i) => {
                            paged[i] = true;
                            last.is_none() && !once
                        }
                        Change::Listed(i) => {
                            listed[i] = true;
                            failed[i] = None;
                            refused[i] = false;
                            true
                        }
                        Change::Forbidden(i) => {
                            refused[i] = true;
                            failed[i] = None;
                            false
                        }
                        Change::Absent(i) => {
                            absent[i] = true;
                            failed[i] = None;
                            true
                        }
                        Change::Failed(i, why) => {
                            tracing::warn!("watching {} failed: {why}", KINDS[i]);
                            failed[i] = Some(why);
                            false
                        }
                    };
                    if now {
                        flush_at = Some(tokio::time::Instant::now());
                    } else {
                        flush_at.get_or_insert_with(|| tokio::time::Instant::now() + COALESCE);
                    }
                }
                _ = tokio::time::sleep_until(deadline), if flush_at.is_some() => {
                    flush_at = None;
                    // The apiserver away: every kind it does not refuse fails.
                    let down = failed.iter().any(Option::is_some)
                        && (0..KINDS.len()).all(|i| failed[i].is_some() || refused[i] || absent[i]);
                    if !down {
                        probe_at = None;
                    } else if probe_at.is_none() {
                        probe_at = Some(tokio::time::Instant::now() + PROBE_EVERY);
                    }
                    let settled =
                        |i: usize| listed[i] || refused[i] || absent[i] || failed[i].is_some();
                    // Every kind listed (or failed on its own): the whole picture.
                    let complete = (0..KINDS.len()).all(settled);
                    // Before that, once each kind has at least a page: a first
                    // screen while the rest comes (not for a one-off listing).
                    let first_page = !once
                        && last.is_none()
                        && (0..KINDS.len()).all(|i| settled(i) || paged[i]);
                    let state = if down {
                        let since = *lost_at.get_or_insert_with(Instant::now);
                        let why = failed.iter().flatten().next().cloned().unwrap_or_default();
                        ConnectionState::Reconnecting { for_secs: since.elapsed().as_secs(), error: why }
                    } else if !complete && first_page {
                        ConnectionState::Loading { pods: stores.pods.read().len() }
                    } else if complete {
                        lost_at = None;
                        ConnectionState::Connected
                    } else {
                        said.clone()
                    };
                    if (state != said || matches!(state, ConnectionState::Reconnecting { .. }))
                        && tx.send(BackendEvent::Connection(state.clone())).await.is_err()
                    {
                        return;
                    }
                    said = state;
                    if down || !(complete || first_page) {
                        continue;
                    }
                    let built = Instant::now();
                    let mut snap = stores.snapshot();
                    tracing::debug!(
                        "snapshot: {} pods{} in {:?}, {:?} after the start",
                        snap.containers.len(),
                        if complete { "" } else { " (first page)" },
                        built.elapsed(),
                        started.elapsed()
                    );
                    snap.problems = (0..KINDS.len())
                        .filter(|&i| refused[i])
                        .map(|i| forbidden_text(KINDS[i], self.namespace.as_deref()))
                        .collect();
                    if last.as_deref() == Some(&snap) {
                        continue;
                    }
                    let snap = Arc::new(snap);
                    last = Some(snap.clone());
                    if tx.send(BackendEvent::Snapshot(snap)).await.is_err() || (once && complete) {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(probe_at.unwrap_or(deadline)), if probe_at.is_some() => {
                    probe_at = None;
                    if self.answers().await {
                        // The watches run again, or their next failure says so.
                        failed = Default::default();
                    }
                    flush_at.get_or_insert_with(tokio::time::Instant::now);
                }
                _ = tx.closed() => return,
            }
        }
    }

    /// Whether the API server and its storage answer: one pod's name
    /// listed (a refusal is an answer too).
    async fn answers(&self) -> bool {
        let one = kube::api::ListParams::default().limit(1);
        match tokio::time::timeout(PROBE_TIMEOUT, self.api::<Pod>().list_metadata(&one)).await {
            Ok(Ok(_)) => true,
            Ok(Err(kube::Error::Api(s))) => s.code == 403,
            _ => false,
        }
    }
}

/// "forbidden: list pods in kube-system": what the user may not see.
fn forbidden_text(kind: &str, namespace: Option<&str>) -> String {
    let cluster_wide = matches!(kind, "nodes" | "namespaces");
    match namespace {
        _ if cluster_wide => format!("forbidden: list {kind} (cluster-wide)"),
        Some(ns) => format!("forbidden: list {kind} in {ns}"),
        None => format!("forbidden: list {kind} in all namespaces"),
    }
}

/// Whether the apiserver refused the list or watch (HTTP 403).
fn forbidden(e: &watcher::Error) -> bool {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => s.code == 403,
        watcher::Error::WatchError(s) => s.code == 403,
        _ => false,
    }
}

/// Starts a watcher for one kind, its objects slimmed by `slim` as they
/// arrive; its store is returned, its changes go to `changes` numbered
/// `index`. With `preview`, a first page is also fetched on its own, to be
/// drawn before the listing is complete.
fn follow<K>(
    api: Api<K>,
    cfg: watcher::Config,
    index: usize,
    slim: fn(&mut K),
    preview: bool,
    changes: &mpsc::Sender<Change>,
    tasks: &mut JoinSet<()>,
) -> Store<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + PartialEq + Send + Sync + 'static,
{
    let store = Store::new();
    if preview {
        let (api, store, changes) = (api.clone(), store.clone(), changes.clone());
        tasks.spawn(async move {
            let Ok(list) = api
                .list(&kube::api::ListParams::default().limit(PAGE))
                .await
            else {
                return; // the watcher says what is wrong
            };
            let mut page = list.items;
            page.iter_mut().for_each(slim);
            if !page.is_empty() && store.preview(page) {
                let _ = changes.send(Change::Page(index)).await;
            }
        });
    }
    tasks.spawn(pump(api, cfg, index, slim, store.clone(), changes.clone()));
    store
}

/// Watches one kind into `store` until `changes` closes.
///
/// The watcher lists from the apiserver's watch cache (resourceVersion=0):
/// one answer served from memory, several times faster at 10,000 pods than
/// 20 pages read from etcd one after the other. An apiserver whose cache
/// pages such a list (1.33 and later) sends pages, each drawn as it comes.
pub(super) async fn pump<K>(
    api: Api<K>,
    cfg: watcher::Config,
    index: usize,
    slim: fn(&mut K),
    writer: Store<K>,
    changes: mpsc::Sender<Change>,
) where
    K: Resource + Clone + DeserializeOwned + Debug + PartialEq + Send + Sync + 'static,
{
    let stream = watcher(api, cfg.page_size(PAGE).any_semantic())
        .default_backoff()
        .modify(slim);
    let mut stream = std::pin::pin!(stream);
    while let Some(ev) = stream.next().await {
        let change = match ev {
            Ok(ev) => match writer.apply(ev, PAGE as usize) {
                Applied::Nothing => continue,
                Applied::Changed => Change::Changed(index),
                Applied::Page(_) => Change::Page(index),
                Applied::Listed => Change::Listed(index),
            },
            Err(e) if forbidden(&e) => Change::Forbidden(index),
            Err(e) => Change::Failed(index, e.to_string()),
        };
        if changes.send(change).await.is_err() {
            return;
        }
    }
}

/// A workload's namespace and what its labels say it belongs to.
fn app_in(meta: &kube::api::ObjectMeta) -> Option<(String, String)> {
    Some((meta.namespace.clone()?, convert::app_of(meta)?))
}

/// The namespace's stack, made on first sight.
fn stack_of<'a>(stacks: &'a mut BTreeMap<String, Stack>, name: &str) -> &'a mut Stack {
    stacks.entry(name.to_owned()).or_insert_with(|| Stack {
        name: name.to_owned(),
        id: name.to_owned(),
        kind: StackKind::Namespace,
        ..Stack::default()
    })
}

impl Stores {
    fn snapshot(&self) -> Snapshot {
        let rs: HashMap<String, String> = self
            .replicasets
            .read()
            .iter()
            .filter_map(convert::replicaset_owner)
            .collect();
        let mut containers: Vec<_> = self
            .pods
            .read()
            .iter()
            .map(|p| convert::pod(p, &rs))
            .collect();
        containers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let mut services: Vec<_> = self
            .deployments
            .read()
            .iter()
            .map(convert::deployment)
            .chain(self.statefulsets.read().iter().map(convert::statefulset))
            .chain(self.daemonsets.read().iter().map(convert::daemonset))
            .collect();
        services.sort_by(|a, b| a.id.cmp(&b.id));

        let mut per_node: HashMap<&str, (u32, u32)> = HashMap::new();
        let mut stacks: BTreeMap<String, Stack> = BTreeMap::new();
        for n in self.namespaces.read().iter() {
            stack_of(&mut stacks, &n.name_any());
        }
        for s in &services {
            if let Some(ns) = &s.stack {
                stack_of(&mut stacks, ns).services += 1;
            }
        }
        // What runs in each namespace by its workloads' labels (Helm releases).
        let metas = [
            self.deployments
                .read()
                .iter()
                .map(|d| app_in(&d.metadata))
                .collect::<Vec<_>>(),
            self.statefulsets
                .read()
                .iter()
                .map(|s| app_in(&s.metadata))
                .collect(),
            self.daemonsets
                .read()
                .iter()
                .map(|d| app_in(&d.metadata))
                .collect(),
        ];
        for (ns, app) in metas.into_iter().flatten().flatten() {
            let apps = &mut stack_of(&mut stacks, &ns).apps;
            if !apps.contains(&app) {
                apps.push(app);
            }
        }
        stacks.values_mut().for_each(|s| s.apps.sort());
        for c in &containers {
            let running = u32::from(c.state.is_running());
            let e = per_node.entry(c.node.as_str()).or_default();
            e.0 += running;
            e.1 += 1;
            if let Some(ns) = &c.stack {
                let st = stack_of(&mut stacks, ns);
                st.containers_running += running;
                st.containers_total += 1;
            }
        }
        let mut nodes: Vec<_> = self
            .nodes
            .read()
            .iter()
            .map(|n| {
                let name = n.name_any();
                convert::node(n, per_node.get(name.as_str()).copied().unwrap_or_default())
            })
            .collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        let routes = self.routes(&services, &containers);
        let mut snap = Snapshot {
            nodes,
            stacks: stacks.into_values().collect(),
            services,
            containers,
            problems: Vec::new(),
            routes,
        };
        if !snap.routes.is_empty() {
            crate::routes::lint::duplicates(&mut snap.routes);
            crate::routes::tell_services(&mut snap);
        }
        snap
    }

    /// The Ingresses' and IngressRoutes' routes, resolved against the
    /// Services, Endpoints and workloads; nothing is indexed when there
    /// are none (a 10,000-pod cluster without routes pays nothing).
    fn routes(&self, services: &[Service], containers: &[Container]) -> Vec<Route> {
        let ingresses = self.ingresses.read();
        let custom: Vec<_> = self
            .ingressroutes
            .iter()
            .map(|(group, s)| (*group, s.read()))
            .collect();
        if ingresses.len() == 0 && custom.iter().all(|(_, s)| s.len() == 0) {
            return Vec::new();
        }
        let (deployments, statefulsets, daemonsets) = (
            self.deployments.read(),
            self.statefulsets.read(),
            self.daemonsets.read(),
        );
        let templates = deployments
            .iter()
            .map(|d| {
                (
                    &d.metadata,
                    "deployment",
                    d.spec.as_ref().map(|s| &s.template),
                )
            })
            .chain(statefulsets.iter().map(|s| {
                (
                    &s.metadata,
                    "statefulset",
                    s.spec.as_ref().map(|s| &s.template),
                )
            }))
            .chain(daemonsets.iter().map(|d| {
                (
                    &d.metadata,
                    "daemonset",
                    d.spec.as_ref().map(|s| &s.template),
                )
            }))
            .filter_map(|(meta, kind, template)| {
                let namespace = meta.namespace.as_deref()?;
                Some(Template {
                    namespace,
                    service_id: convert::workload_id(
                        &clean(namespace),
                        kind,
                        &clean(meta.name.as_deref()?),
                    ),
                    labels: template?.metadata.as_ref()?.labels.as_ref()?,
                })
            })
            .collect();
        let (kube_services, endpoints) = (self.services.read(), self.endpoints.read());
        let targets = Targets::new(
            kube_services.iter(),
            endpoints.iter(),
            templates,
            services,
            containers,
        );
        let mut routes: Vec<Route> = ingresses
            .iter()
            .flat_map(|i| ingress::routes(i, &targets))
            .chain(custom.iter().flat_map(|(group, s)| {
                s.iter()
                    .flat_map(|o| ingressroute::routes(o, group, &targets))
                    .collect::<Vec<_>>()
            }))
            .collect();
        routes.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::runtime::watcher::Event;

    fn store_of<K>(objects: Vec<serde_json::Value>) -> Store<K>
    where
        K: Resource + DeserializeOwned + PartialEq,
    {
        let store = Store::new();
        for o in objects {
            let obj: K = serde_json::from_value(o).expect("fixture");
            store.apply(Event::Apply(obj), PAGE as usize);
        }
        store
    }

    #[test]
    fn pods_join_their_deployment_through_its_replicaset_and_count_in_their_namespace() {
        let owner = |kind: &str, name: &str| {
            serde_json::json!([{"apiVersion": "apps/v1", "kind": kind, "name": name,
                "uid": format!("u-{name}"), "controller": true}])
        };
        let pod = |name: &str, phase: &str| {
            serde_json::json!({
                "metadata": {"name": name, "namespace": "shop", "uid": format!("u-{name}"),
                    "ownerReferences": owner("ReplicaSet", "web-1a2b")},
                "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "img:1"}]},
                "status": {"phase": phase, "containerStatuses": [{"name": "c", "ready": phase == "Running",
                    "restartCount": 0, "image": "img:1", "imageID": "",
                    "state": if phase == "Running" { serde_json::json!({"running": {}}) }
                             else { serde_json::json!({"waiting": {"reason": "ContainerCreating"}}) }}]}
            })
        };
        let stores = Stores {
            nodes: store_of(vec![serde_json::json!({
                "metadata": {"name": "node-1", "uid": "n1",
                    "labels": {"node-role.kubernetes.io/control-plane": ""}},
                "spec": {"unschedulable": true},
                "status": {"conditions": [{"type": "Ready", "status": "True"}],
                    "allocatable": {"cpu": "2", "memory": "2Gi"},
                    "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}
            })]),
            namespaces: store_of(vec![
                serde_json::json!({"metadata": {"name": "shop"}}),
                serde_json::json!({"metadata": {"name": "empty"}}),
            ]),
            deployments: store_of(vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop", "generation": 1},
                "spec": {"replicas": 2, "selector": {},
                    "template": {"spec": {"containers": [{"name": "c", "image": "img:1"}]}}},
                "status": {"replicas": 2, "readyReplicas": 1, "updatedReplicas": 2,
                    "availableReplicas": 1, "observedGeneration": 1}
            })]),
            statefulsets: store_of(vec![]),
            daemonsets: store_of(vec![]),
            replicasets: store_of(vec![serde_json::json!({
                "metadata": {"name": "web-1a2b", "namespace": "shop",
                    "ownerReferences": owner("Deployment", "web")},
                "spec": {"selector": {}}
            })]),
            pods: store_of(vec![
                pod("web-1a2b-x", "Running"),
                pod("web-1a2b-y", "Pending"),
            ]),
            services: store_of(vec![]),
            endpoints: store_of(vec![]),
            ingresses: store_of(vec![]),
            ingressroutes: vec![],
        };
        let snap = stores.snapshot();
        let web = &snap.services[0];
        assert_eq!(web.id, "shop/deployment/web");
        assert_eq!((web.replicas_running, web.replicas_desired), (1, 2));
        assert_eq!(
            web.update.as_ref().map(|u| u.state.as_str()),
            Some("progressing")
        );
        assert!(
            snap.containers.iter().all(|c| c.service_id == web.id),
            "{:?}",
            snap.containers
        );
        let shop = snap.stacks.iter().find(|s| s.name == "shop").expect("shop");
        assert_eq!(
            (
                shop.services,
                shop.containers_running,
                shop.containers_total
            ),
            (1, 1, 2)
        );
        assert!(
            snap.stacks
                .iter()
                .any(|s| s.name == "empty" && s.services == 0)
        );
        let node = &snap.nodes[0];
        assert_eq!(node.role, "control-plane");
        assert_eq!(node.availability, "cordoned");
        assert_eq!((node.containers_running, node.containers_total), (1, 2));
        assert_eq!(node.memory_bytes, 2 << 30);
        assert!(snap.routes.is_empty());
    }

    #[test]
    fn an_ingress_and_an_ingressroute_reach_the_deployment_their_service_selects() {
        let ir_store: Store<DynamicObject> = Store::new();
        let mut ir: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
            "metadata": {"name": "web-ir", "namespace": "shop"},
            "spec": {"entryPoints": ["websecure"],
                "routes": [{"match": "Host(`ir.example.org`)", "kind": "Rule",
                    "services": [{"name": "web", "port": "http"}],
                    "middlewares": [{"name": "auth"}]}],
                "tls": {"certResolver": "le"}}
        }))
        .expect("ingressroute");
        slim::custom(&mut ir);
        ir_store.apply(Event::Apply(ir), PAGE as usize);
        let stores = Stores {
            nodes: store_of(vec![]),
            namespaces: store_of(vec![serde_json::json!({"metadata": {"name": "shop"}})]),
            deployments: store_of(vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"replicas": 1, "selector": {},
                    "template": {"metadata": {"labels": {"app": "web", "tier": "front"}},
                        "spec": {"containers": [{"name": "c", "image": "img:1"}]}}}
            })]),
            statefulsets: store_of(vec![]),
            daemonsets: store_of(vec![]),
            replicasets: store_of(vec![]),
            pods: store_of(vec![serde_json::json!({
                "metadata": {"name": "web-x", "namespace": "shop", "uid": "pod-1"},
                "status": {"phase": "Running", "podIP": "10.1.0.7"}
            })]),
            services: store_of(vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"selector": {"app": "web"}, "clusterIP": "10.0.0.9",
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}
            })]),
            endpoints: store_of(vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "subsets": [{"addresses": [{"ip": "10.1.0.7",
                        "targetRef": {"kind": "Pod", "name": "web-x", "uid": "pod-1"}}],
                    "ports": [{"name": "http", "port": 8080}]}]
            })]),
            ingresses: store_of(vec![serde_json::json!({
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"rules": [{"host": "shop.example.org", "http": {"paths": [
                    {"path": "/", "pathType": "Prefix",
                     "backend": {"service": {"name": "web", "port": {"name": "http"}}}}]}}]}
            })]),
            ingressroutes: vec![("traefik.io", ir_store)],
        };
        let snap = stores.snapshot();
        let names: Vec<&str> = snap.routes.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["shop/web", "shop/web-ir"]);
        let backend = crate::domain::Backend {
            container_id: "pod-1".into(),
            address: "10.1.0.7".into(),
            port: 8080,
        };
        for r in &snap.routes {
            assert_eq!(r.service, "shop/web", "{r:?}");
            assert_eq!(r.service_id, "shop/deployment/web");
            assert_eq!(r.port, Some(80));
            assert_eq!(r.backends, std::slice::from_ref(&backend));
            assert!(r.problems.is_empty(), "{:?}", r.problems);
            // The backend is a pod of the snapshot.
            assert!(
                snap.containers
                    .iter()
                    .any(|c| c.id == r.backends[0].container_id)
            );
        }
        let ir = &snap.routes[1];
        assert_eq!(ir.entrypoints, ["websecure"]);
        assert_eq!(ir.middlewares, ["auth"]);
        assert_eq!((ir.tls, ir.tls_detail.as_str()), (true, "certresolver le"));
    }
}
