//! Traefik's IngressRoute custom resources: whether the cluster serves
//! their CRD, asked once at start with API discovery, then watched like
//! every other kind. A CRD that is not installed is no error: that kind
//! simply has no objects.

use super::ingressroute::{GROUP_V2, GROUP_V3};
use super::slim;
use super::store::Store;
use super::watch::{Change, pump};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::watcher;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// The groups an IngressRoute comes in: Traefik v3 (and v2.10+), v2.
pub const GROUPS: [&str; 2] = [GROUP_V3, GROUP_V2];
const VERSION: &str = "v1alpha1";
const KIND: &str = "IngressRoute";
const PLURAL: &str = "ingressroutes";
/// While discovery fails (the apiserver away), how long between tries.
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Follows the IngressRoutes of `group` into the returned store, once
/// discovery says the cluster serves them; reports as `index`.
pub(super) fn follow(
    client: kube::Client,
    namespace: Option<String>,
    group: &'static str,
    index: usize,
    changes: &mpsc::Sender<Change>,
    tasks: &mut JoinSet<()>,
) -> Store<DynamicObject> {
    let store = Store::new();
    let (writer, changes) = (store.clone(), changes.clone());
    tasks.spawn(async move {
        let mut wait = Duration::from_secs(1);
        loop {
            let said = match served(&client, group).await {
                Ok(true) => break,
                Ok(false) => Change::Absent(index),
                Err(kube::Error::Api(s)) if s.code == 403 => Change::Forbidden(index),
                Err(e) => Change::Failed(index, e.to_string()),
            };
            let again = matches!(said, Change::Failed(..));
            if changes.send(said).await.is_err() || !again {
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RETRY_MAX);
        }
        let gvk = GroupVersionKind::gvk(group, VERSION, KIND);
        let ar = ApiResource::from_gvk_with_plural(&gvk, PLURAL);
        let api = match &namespace {
            Some(ns) => Api::namespaced_with(client, ns, &ar),
            None => Api::all_with(client, &ar),
        };
        pump(
            api,
            watcher::Config::default(),
            index,
            slim::custom,
            writer,
            changes,
        )
        .await;
    });
    store
}

/// Whether `group`/v1alpha1 serves ingressroutes (an unknown group
/// version is a 404).
async fn served(client: &kube::Client, group: &str) -> Result<bool, kube::Error> {
    match client
        .list_api_group_resources(&format!("{group}/{VERSION}"))
        .await
    {
        Ok(list) => Ok(list.resources.iter().any(|r| r.name == PLURAL)),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}
