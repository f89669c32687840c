//! Where a rollout stands, as `kubectl rollout status` decides it
//! (OPERATIONS.md): nothing counts until the controller has observed the
//! latest generation.

use super::object::Object;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollout {
    Done,
    /// Still going: how far, in a line for the operator.
    Waiting(String),
    /// The controller gave up (a Deployment's progress deadline).
    Failed(String),
}

const UNSEEN: &str = "waiting for the controller to observe the change";

pub fn of(obj: &Object) -> Rollout {
    match obj {
        Object::Deployment(d) => deployment(d),
        Object::StatefulSet(s) => statefulset(s),
        Object::DaemonSet(d) => daemonset(d),
    }
}

pub fn deployment(d: &Deployment) -> Rollout {
    let generation = d.metadata.generation.unwrap_or(0);
    let Some(status) = d.status.as_ref() else {
        return Rollout::Waiting(UNSEEN.into());
    };
    if status.observed_generation.unwrap_or(0) < generation {
        return Rollout::Waiting(UNSEEN.into());
    }
    if let Some(c) = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "Progressing")
        && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    {
        return Rollout::Failed(format!(
            "the progress deadline was exceeded: {}",
            c.message
                .as_deref()
                .unwrap_or("ProgressDeadlineExceeded")
                .trim_end_matches('.')
        ));
    }
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let total = status.replicas.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    if updated < want || total > updated || available < updated {
        let old = if total > updated {
            format!(", {} old pending termination", total - updated)
        } else {
            String::new()
        };
        return Rollout::Waiting(format!(
            "{updated} of {want} updated, {available} available{old}"
        ));
    }
    Rollout::Done
}

pub fn statefulset(s: &StatefulSet) -> Rollout {
    let generation = s.metadata.generation.unwrap_or(0);
    let Some(status) = s.status.as_ref() else {
        return Rollout::Waiting(UNSEEN.into());
    };
    let observed = status.observed_generation.unwrap_or(0);
    if observed == 0 || observed < generation {
        return Rollout::Waiting(UNSEEN.into());
    }
    let spec = s.spec.as_ref();
    let want = spec.and_then(|s| s.replicas).unwrap_or(1);
    let ready = status.ready_replicas.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let progress = || format!("{ready} of {want} ready, {updated} updated");
    if ready < want {
        return Rollout::Waiting(progress());
    }
    let partition = spec
        .and_then(|s| s.update_strategy.as_ref())
        .filter(|u| u.type_.as_deref().unwrap_or("RollingUpdate") == "RollingUpdate")
        .and_then(|u| u.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0);
    if partition > 0 {
        return if updated < want - partition {
            Rollout::Waiting(format!(
                "{updated} of {} updated (partition {partition})",
                want - partition
            ))
        } else {
            Rollout::Done
        };
    }
    if status.update_revision != status.current_revision {
        return Rollout::Waiting(progress());
    }
    Rollout::Done
}

pub fn daemonset(d: &DaemonSet) -> Rollout {
    let generation = d.metadata.generation.unwrap_or(0);
    let Some(status) = d.status.as_ref() else {
        return Rollout::Waiting(UNSEEN.into());
    };
    if status.observed_generation.unwrap_or(0) < generation {
        return Rollout::Waiting(UNSEEN.into());
    }
    let desired = status.desired_number_scheduled;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    let available = status.number_available.unwrap_or(0);
    if updated < desired || available < desired {
        return Rollout::Waiting(format!(
            "{updated} of {desired} updated, {available} available"
        ));
    }
    Rollout::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(generation: i64, status: serde_json::Value) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": 3, "selector": {}, "template": {}},
            "status": status,
        }))
        .expect("deployment")
    }

    #[test]
    fn a_deployment_is_done_only_once_observed_updated_and_available() {
        let fresh = json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3,
            "availableReplicas": 3});
        // Right after a patch the controller has not seen generation 2 yet.
        assert_eq!(
            deployment(&deploy(2, fresh.clone())),
            Rollout::Waiting(UNSEEN.into())
        );
        assert_eq!(deployment(&deploy(1, fresh)), Rollout::Done);
        let rolling = json!({"observedGeneration": 2, "replicas": 5, "updatedReplicas": 3,
            "availableReplicas": 2});
        assert_eq!(
            deployment(&deploy(2, rolling)),
            Rollout::Waiting("3 of 3 updated, 2 available, 2 old pending termination".into())
        );
    }

    #[test]
    fn a_progress_deadline_fails_with_the_conditions_message() {
        let stuck = json!({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 1,
            "availableReplicas": 3, "conditions": [{"type": "Progressing", "status": "False",
            "reason": "ProgressDeadlineExceeded",
            "message": "ReplicaSet \"web-6d4\" has timed out progressing."}]});
        assert_eq!(
            deployment(&deploy(2, stuck)),
            Rollout::Failed(
                "the progress deadline was exceeded: ReplicaSet \"web-6d4\" has timed out \
                 progressing"
                    .into()
            )
        );
    }

    #[test]
    fn a_statefulset_waits_for_ready_pods_and_the_update_revision() {
        let ss = |status: serde_json::Value| -> StatefulSet {
            serde_json::from_value(json!({
                "metadata": {"name": "db", "generation": 2},
                "spec": {"replicas": 2, "selector": {}, "serviceName": "db", "template": {}},
                "status": status,
            }))
            .expect("statefulset")
        };
        let mid = json!({"observedGeneration": 2, "replicas": 2, "readyReplicas": 2,
            "updatedReplicas": 1, "currentRevision": "db-1", "updateRevision": "db-2"});
        assert_eq!(
            statefulset(&ss(mid)),
            Rollout::Waiting("2 of 2 ready, 1 updated".into())
        );
        let done = json!({"observedGeneration": 2, "replicas": 2, "readyReplicas": 2,
            "updatedReplicas": 2, "currentRevision": "db-2", "updateRevision": "db-2"});
        assert_eq!(statefulset(&ss(done)), Rollout::Done);
    }

    #[test]
    fn a_daemonset_is_done_when_every_scheduled_pod_is_updated_and_available() {
        let ds = |updated: i32, available: i32| -> DaemonSet {
            serde_json::from_value(json!({
                "metadata": {"name": "mon", "generation": 3},
                "spec": {"selector": {}, "template": {}},
                "status": {"observedGeneration": 3, "desiredNumberScheduled": 1,
                    "currentNumberScheduled": 1, "numberMisscheduled": 0, "numberReady": 1,
                    "updatedNumberScheduled": updated, "numberAvailable": available},
            }))
            .expect("daemonset")
        };
        assert_eq!(
            daemonset(&ds(0, 1)),
            Rollout::Waiting("0 of 1 updated, 1 available".into())
        );
        assert_eq!(daemonset(&ds(1, 1)), Rollout::Done);
    }
}
