//! Why a scheduled pod does not start when its status does not say: the
//! kubelet's latest Warning event of the pod (FailedMount,
//! FailedCreatePodSandBox). The scheduler's reason is in the pod's
//! PodScheduled condition already; events are read only for pods that are
//! on a node, Pending and past [`STUCK_AFTER`], each by its uid, at most
//! [`MAX_PODS`] per round: never a cluster-wide event list.

use crate::backend::docker::convert::clean;
use crate::domain::{Container, ContainerState, PartState, Snapshot};
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Pods asked about per round at most (the oldest stuck ones).
pub const MAX_PODS: usize = 20;
/// How often the stuck pods' events are read.
pub const EVERY: Duration = Duration::from_secs(5);
/// Seconds a pod may take to start before its events are read.
pub const STUCK_AFTER: i64 = 10;

/// Pod uid -> "FailedMount: MountVolume.SetUp failed ...".
pub type Notes = HashMap<String, String>;

/// Pods on a node that stay Pending with no reason in their status: their
/// containers are not created yet. Oldest first, at most [`MAX_PODS`].
pub fn stuck(snap: &Snapshot, now: i64) -> Vec<&Container> {
    let mut pods: Vec<&Container> = snap
        .containers
        .iter()
        .filter(|c| {
            c.state == ContainerState::Created
                && !c.node.is_empty()
                && c.status.starts_with("Pending ")
                && c.created > 0
                && now - c.created >= STUCK_AFTER
                && c.parts.iter().all(|p| {
                    matches!(p.state, PartState::Waiting | PartState::Unknown)
                        && matches!(
                            p.reason.as_str(),
                            "" | "ContainerCreating" | "PodInitializing"
                        )
                })
        })
        .collect();
    pods.sort_by_key(|c| c.created);
    pods.truncate(MAX_PODS);
    pods
}

/// The newest Warning among `events`, as "Reason: message".
pub fn latest_warning(events: &[Event]) -> Option<String> {
    let when = |e: &Event| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0.as_second())
            .or_else(|| e.event_time.as_ref().map(|t| t.0.as_second()))
            .unwrap_or_default()
    };
    let e = events
        .iter()
        .filter(|e| e.type_.as_deref() == Some("Warning"))
        .max_by_key(|e| when(e))?;
    let reason = e.reason.as_deref().unwrap_or("Warning");
    Some(clean(&match e.message.as_deref() {
        Some(m) if !m.is_empty() => format!("{reason}: {}", m.trim()),
        _ => reason.to_owned(),
    }))
}

/// `snap` with each noted pod's status saying why it waits:
/// "Pending: FailedMount: ... 0/1", as the scheduler's reason reads.
pub fn annotate(snap: &Arc<Snapshot>, notes: &Notes) -> Arc<Snapshot> {
    let noted = |c: &Container| notes.contains_key(&c.id) && c.status.starts_with("Pending ");
    if !snap.containers.iter().any(noted) {
        return snap.clone();
    }
    let mut out = (**snap).clone();
    for c in &mut out.containers {
        if let Some(note) = notes.get(&c.id)
            && let Some(rest) = c.status.strip_prefix("Pending ")
        {
            c.status = format!("Pending: {note} {rest}");
        }
    }
    Arc::new(out)
}

/// Reads the stuck pods' events every [`EVERY`] from the snapshots in
/// `raw`, and says the notes in `notes` when they change. Ends when either
/// channel closes.
pub async fn follow(
    client: kube::Client,
    mut raw: watch::Receiver<Option<Arc<Snapshot>>>,
    notes: watch::Sender<Notes>,
) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = notes.closed() => return,
        }
        let Some(snap) = raw.borrow_and_update().clone() else {
            continue;
        };
        let mut found = Notes::new();
        for pod in stuck(&snap, crate::backend::unix_now()) {
            let ns = pod.stack.as_deref().unwrap_or_default();
            let api: Api<Event> = Api::namespaced(client.clone(), ns);
            let lp = ListParams::default()
                .fields(&format!("involvedObject.uid={},type=Warning", pod.id))
                .limit(50);
            match api.list(&lp).await {
                Ok(list) => {
                    if let Some(w) = latest_warning(&list.items) {
                        found.insert(pod.id.clone(), w);
                    }
                }
                // Events may be forbidden to this user: the status stays as it is.
                Err(e) => tracing::debug!("events of {}: {e}", pod.name),
            }
        }
        notes.send_if_modified(|n| {
            let changed = *n != found;
            if changed {
                *n = found;
            }
            changed
        });
        if raw.has_changed().is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContainerPart;

    fn pod(id: &str, status: &str, node: &str, created: i64, reason: &str) -> Container {
        Container {
            id: id.into(),
            name: id.into(),
            state: ContainerState::Created,
            status: status.into(),
            node: node.into(),
            created,
            stack: Some("ns".into()),
            parts: vec![ContainerPart {
                name: "main".into(),
                state: PartState::Waiting,
                reason: reason.into(),
                ..ContainerPart::default()
            }],
            ..Container::default()
        }
    }

    #[test]
    fn only_scheduled_pods_that_stay_pending_without_a_reason_are_asked_about() {
        let snap = Snapshot {
            containers: vec![
                pod("mount", "Pending 0/1", "n1", 100, "ContainerCreating"),
                pod("fresh", "Pending 0/1", "n1", 195, "ContainerCreating"),
                pod("unscheduled", "Pending 0/1", "", 100, ""),
                pod(
                    "nowhere",
                    "Pending: 0/1 nodes are available 0/1",
                    "",
                    100,
                    "",
                ),
                pod("pull", "ErrImagePull 0/1", "n1", 100, "ErrImagePull"),
            ],
            ..Snapshot::default()
        };
        let ids: Vec<&str> = stuck(&snap, 200).iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["mount"]);
        let many = Snapshot {
            containers: (0..100)
                .map(|i| pod(&format!("p{i}"), "Pending 0/1", "n1", 100 - i, ""))
                .collect(),
            ..Snapshot::default()
        };
        let picked = stuck(&many, 200);
        assert_eq!(picked.len(), MAX_PODS, "bounded");
        assert_eq!(picked[0].id, "p99", "oldest first");
    }

    #[test]
    fn the_newest_warning_names_the_pod_in_its_status() {
        let events: Vec<Event> = serde_json::from_value(serde_json::json!([
            {"metadata": {"name": "a"}, "involvedObject": {}, "type": "Warning",
                "reason": "FailedMount", "lastTimestamp": "2026-01-01T00:00:05Z",
                "message": "MountVolume.SetUp failed for volume \"cfg\" : configmap \"missing\" not found\u{1b}[2J"},
            {"metadata": {"name": "b"}, "involvedObject": {}, "type": "Warning",
                "reason": "FailedScheduling", "lastTimestamp": "2026-01-01T00:00:01Z",
                "message": "old"},
            {"metadata": {"name": "c"}, "involvedObject": {}, "type": "Normal",
                "reason": "Scheduled", "lastTimestamp": "2026-01-01T00:00:09Z",
                "message": "assigned"}
        ]))
        .expect("events");
        let w = latest_warning(&events).expect("a warning");
        assert!(
            w.starts_with("FailedMount: MountVolume.SetUp failed for volume \"cfg\""),
            "{w}"
        );
        assert!(!w.contains('\u{1b}'), "{w:?}");
        let snap = Arc::new(Snapshot {
            containers: vec![pod("u1", "Pending 0/1", "n1", 1, "ContainerCreating")],
            ..Snapshot::default()
        });
        let same = annotate(&snap, &Notes::new());
        assert!(Arc::ptr_eq(&same, &snap), "nothing noted: no copy");
        let noted = annotate(&snap, &Notes::from([("u1".to_owned(), w.clone())]));
        assert_eq!(noted.containers[0].status, format!("Pending: {w} 0/1"));
    }
}
