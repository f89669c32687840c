//! The pods of a workload (those its controller owns, through its
//! ReplicaSets for a Deployment) and what a progress row shows for each.

use super::errors::api_error;
use super::object::{Object, WorkloadId};
use crate::backend::BackendError;
use crate::domain::Step;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;
use kube::core::Selector;
use std::collections::HashSet;

/// Container reasons that do not go away by waiting: the kubelet retries
/// with a back-off, the pod never becomes ready.
const STUCK: [&str; 8] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

fn list_params(obj: &Object) -> Result<ListParams, String> {
    let Some(sel) = obj.selector().cloned() else {
        return Ok(ListParams::default());
    };
    let sel: Selector = sel.try_into().map_err(|e| format!("its selector: {e}"))?;
    Ok(ListParams::default().labels_from(&sel))
}

fn controller_uid(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> Option<&str> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| o.uid.as_str())
}

/// The ReplicaSets a Deployment owns.
pub async fn replicasets(
    client: &kube::Client,
    id: &WorkloadId,
    obj: &Object,
) -> Result<Vec<ReplicaSet>, BackendError> {
    let lp = list_params(obj).map_err(BackendError::Unsupported)?;
    let list = Api::<ReplicaSet>::namespaced(client.clone(), &id.namespace)
        .list(&lp)
        .await
        .map_err(|e| api_error(&format!("list the ReplicaSets of {}", id.display()), e))?;
    Ok(list
        .items
        .into_iter()
        .filter(|rs| controller_uid(&rs.metadata) == Some(obj.uid()))
        .collect())
}

/// The workload's pods, by name.
pub async fn list(
    client: &kube::Client,
    id: &WorkloadId,
    obj: &Object,
) -> Result<Vec<Pod>, BackendError> {
    let owners: HashSet<String> = match obj {
        Object::Deployment(_) => replicasets(client, id, obj)
            .await?
            .iter()
            .filter_map(|rs| rs.metadata.uid.clone())
            .collect(),
        _ => HashSet::from([obj.uid().to_owned()]),
    };
    let lp = list_params(obj).map_err(BackendError::Unsupported)?;
    let list = Api::<Pod>::namespaced(client.clone(), &id.namespace)
        .list(&lp)
        .await
        .map_err(|e| api_error(&format!("list the pods of {}", id.display()), e))?;
    let mut pods: Vec<Pod> = list
        .items
        .into_iter()
        .filter(|p| controller_uid(&p.metadata).is_some_and(|u| owners.contains(u)))
        .collect();
    pods.sort_by(|a, b| name(a).cmp(name(b)));
    Ok(pods)
}

pub fn name(p: &Pod) -> &str {
    p.metadata.name.as_deref().unwrap_or_default()
}

pub fn uid(p: &Pod) -> &str {
    p.metadata.uid.as_deref().unwrap_or_default()
}

pub fn terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

/// Running with every container ready.
pub fn ready(p: &Pod) -> bool {
    let status = p.status.as_ref();
    status.and_then(|s| s.phase.as_deref()) == Some("Running")
        && status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// A container's reason that waiting will not cure, with the kubelet's
/// message: "ErrImageNeverPull: Container image … is not present".
pub fn stuck_reason(p: &Pod) -> Option<String> {
    let status = p.status.as_ref()?;
    status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .find_map(|cs| {
            let w = cs.state.as_ref()?.waiting.as_ref()?;
            let reason = w.reason.as_deref()?;
            STUCK.contains(&reason).then(|| match w.message.as_deref() {
                Some(m) if !m.is_empty() => format!("{reason}: {m}"),
                _ => reason.to_owned(),
            })
        })
}

fn on_node(p: &Pod, what: &str) -> String {
    match p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
        Some(n) if !n.is_empty() => format!("{what} on {n}"),
        _ => what.to_owned(),
    }
}

/// The progress row of a pod the operation brought (or keeps): its step,
/// whether nothing more will happen to it, and the kubelet's words.
pub fn step_of(p: &Pod) -> (Step, bool, Option<String>) {
    if terminating(p) {
        return (Step::Stopping, false, Some(on_node(p, "shutting down")));
    }
    if let Some(why) = stuck_reason(p) {
        return (Step::Failed, false, Some(why));
    }
    if ready(p) {
        return (Step::Running, true, Some(on_node(p, "ready")));
    }
    let status = p.status.as_ref();
    match status.and_then(|s| s.phase.as_deref()) {
        Some("Running") => (
            Step::Starting,
            false,
            Some(on_node(p, "running, not ready")),
        ),
        Some("Succeeded") | Some("Failed") => (
            Step::Failed,
            false,
            Some(crate::backend::kube::convert::pod_reason(p)),
        ),
        _ => {
            let scheduled = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some_and(|n| !n.is_empty());
            if scheduled {
                (Step::Creating, false, Some(on_node(p, "scheduled")))
            } else {
                (
                    Step::Waiting,
                    false,
                    Some(crate::backend::kube::convert::pod_reason(p)),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(v: serde_json::Value) -> Pod {
        serde_json::from_value(v).expect("pod")
    }

    #[test]
    fn a_pod_steps_from_creating_to_running_and_a_bad_image_fails() {
        let creating = pod(serde_json::json!({
            "metadata": {"name": "web-1"},
            "spec": {"nodeName": "n1", "containers": [{"name": "main"}]},
            "status": {"phase": "Pending", "containerStatuses": [{"name": "main", "ready": false,
                "restartCount": 0, "image": "", "imageID": "",
                "state": {"waiting": {"reason": "ContainerCreating"}}}]}
        }));
        assert_eq!(step_of(&creating).0, Step::Creating);
        let running = pod(serde_json::json!({
            "metadata": {"name": "web-1"},
            "spec": {"nodeName": "n1", "containers": [{"name": "main"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
        }));
        assert_eq!(
            step_of(&running),
            (Step::Running, true, Some("ready on n1".to_owned()))
        );
        let never = pod(serde_json::json!({
            "metadata": {"name": "web-2"},
            "spec": {"nodeName": "n1", "containers": [{"name": "main"}]},
            "status": {"phase": "Pending", "containerStatuses": [{"name": "main", "ready": false,
                "restartCount": 0, "image": "", "imageID": "",
                "state": {"waiting": {"reason": "ErrImageNeverPull",
                    "message": "Container image \"docker.io/local/missing:1\" is not present with pull policy of Never"}}}]}
        }));
        let (step, done, detail) = step_of(&never);
        assert_eq!((step, done), (Step::Failed, false));
        assert_eq!(
            detail.as_deref(),
            Some(
                "ErrImageNeverPull: Container image \"docker.io/local/missing:1\" is not present \
                 with pull policy of Never"
            )
        );
        let mut gone = running.clone();
        gone.metadata.deletion_timestamp = creating.metadata.creation_timestamp.clone().or(Some(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
            ),
        ));
        assert_eq!(step_of(&gone).0, Step::Stopping);
    }
}
