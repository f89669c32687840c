//! A workload's rollout history as `kubectl rollout undo` reads it: a
//! Deployment's ReplicaSets (annotation `deployment.kubernetes.io/revision`),
//! a StatefulSet's or DaemonSet's ControllerRevisions (`.revision`, the
//! template in `data`); "previous" is the second newest.

use super::errors::api_error;
use super::object::{Object, WorkloadId};
use super::pods::replicasets;
use super::template_diff::without_hash;
use crate::backend::BackendError;
use k8s_openapi::api::apps::v1::{ControllerRevision, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::Api;
use kube::api::ListParams;
use std::collections::BTreeMap;

pub const REVISION: &str = "deployment.kubernetes.io/revision";

/// ReplicaSet annotations that are the Deployment's bookkeeping, never
/// carried over by an undo (kubectl's list).
pub const BOOKKEEPING: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// One entry of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub number: i64,
    /// The ReplicaSet or ControllerRevision that holds it.
    pub holder: String,
    /// Without `pod-template-hash`.
    pub template: PodTemplateSpec,
    /// A ReplicaSet's annotations (the change-cause among them).
    pub annotations: BTreeMap<String, String>,
}

/// The revision rolled back to, and the newest one.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub current: i64,
    pub previous: Revision,
}

fn owned_by(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, uid: &str) -> bool {
    meta.owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.uid == uid)
}

/// A Deployment's history from its ReplicaSets, oldest first.
pub fn from_replicasets(owner_uid: &str, sets: &[ReplicaSet]) -> Vec<Revision> {
    let mut out: Vec<Revision> = sets
        .iter()
        .filter(|rs| owned_by(&rs.metadata, owner_uid))
        .filter_map(|rs| {
            let annotations = rs.metadata.annotations.clone().unwrap_or_default();
            let number = annotations.get(REVISION)?.parse().ok()?;
            Some(Revision {
                number,
                holder: rs.metadata.name.clone().unwrap_or_default(),
                template: without_hash(rs.spec.as_ref()?.template.as_ref()?),
                annotations,
            })
        })
        .collect();
    out.sort_by_key(|r| r.number);
    out
}

/// A StatefulSet's or DaemonSet's history from its ControllerRevisions,
/// oldest first. `data` is `{"spec":{"template":{…,"$patch":"replace"}}}`.
pub fn from_controller_revisions(owner_uid: &str, revs: &[ControllerRevision]) -> Vec<Revision> {
    let mut out: Vec<Revision> = revs
        .iter()
        .filter(|r| owned_by(&r.metadata, owner_uid))
        .filter_map(|r| {
            let mut template = r.data.as_ref()?.0.pointer("/spec/template")?.clone();
            if let Some(o) = template.as_object_mut() {
                o.remove("$patch");
            }
            Some(Revision {
                number: r.revision,
                holder: r.metadata.name.clone().unwrap_or_default(),
                template: serde_json::from_value(template).ok()?,
                annotations: BTreeMap::new(),
            })
        })
        .collect();
    out.sort_by_key(|r| r.number);
    out
}

/// The second newest revision, or why there is none, in kubectl's words.
pub fn pick(
    display: &str,
    history: &[Revision],
    controller_revisions: bool,
) -> Result<Pick, String> {
    match history {
        [] if !controller_revisions => Err(format!(
            "no rollout history found for {display}: no ReplicaSet of it carries a revision"
        )),
        [] => Err(format!(
            "no rollout history found for {display}: it owns no ControllerRevision"
        )),
        [only] if controller_revisions => Err(format!(
            "no last revision to roll back to: {display} has only revision {}",
            only.number
        )),
        [only] => Err(format!(
            "no previous revision to roll back to: {display} has only revision {}",
            only.number
        )),
        [.., previous, current] => Ok(Pick {
            current: current.number,
            previous: previous.clone(),
        }),
    }
}

/// Reads the history of `obj` from the API server.
pub async fn history(
    client: &kube::Client,
    id: &WorkloadId,
    obj: &Object,
) -> Result<Vec<Revision>, BackendError> {
    match obj {
        Object::Deployment(_) => Ok(from_replicasets(
            obj.uid(),
            &replicasets(client, id, obj).await?,
        )),
        _ => {
            let mut lp = ListParams::default();
            if let Some(sel) = obj.selector().cloned()
                && let Ok(sel) = kube::core::Selector::try_from(sel)
            {
                lp = lp.labels_from(&sel);
            }
            let list = Api::<ControllerRevision>::namespaced(client.clone(), &id.namespace)
                .list(&lp)
                .await
                .map_err(|e| {
                    api_error(
                        &format!("list the controller revisions of {}", id.display()),
                        e,
                    )
                })?;
            Ok(from_controller_revisions(obj.uid(), &list.items))
        }
    }
}

/// The Deployment's annotations after an undo: the ReplicaSet's, but the
/// bookkeeping ones stay the Deployment's own (kubectl's rule).
pub fn undo_annotations(
    deployment: &BTreeMap<String, String>,
    rs: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = deployment
        .iter()
        .filter(|(k, _)| BOOKKEEPING.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in rs {
        if !BOOKKEEPING.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(name: &str, owner: &str, revision: Option<&str>, image: &str) -> ReplicaSet {
        let mut annotations = serde_json::Map::new();
        if let Some(r) = revision {
            annotations.insert(REVISION.into(), json!(r));
        }
        annotations.insert(
            "kubernetes.io/change-cause".into(),
            json!(format!("set {image}")),
        );
        serde_json::from_value(json!({
            "metadata": {"name": name, "annotations": annotations,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                    "name": "web", "uid": owner, "controller": true}]},
            "spec": {"selector": {}, "template": {
                "metadata": {"labels": {"app": "web", "pod-template-hash": name}},
                "spec": {"containers": [{"name": "main", "image": image}]}}}
        }))
        .expect("replicaset")
    }

    #[test]
    fn a_deployments_previous_revision_is_the_second_highest_of_its_own_replicasets() {
        let sets = vec![
            rs("web-3", "d1", Some("3"), "x:3"),
            rs("web-1", "d1", Some("1"), "x:1"),
            rs("web-10", "d1", Some("10"), "x:10"),
            rs("other", "d2", Some("11"), "x:11"),
            rs("odd", "d1", None, "x:0"),
        ];
        let h = from_replicasets("d1", &sets);
        assert_eq!(
            h.iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![1, 3, 10],
            "numeric order, another owner's and unnumbered ones left out"
        );
        let p = pick("deployment shop/web", &h, false).expect("a previous one");
        assert_eq!((p.current, p.previous.number), (10, 3));
        assert_eq!(p.previous.holder, "web-3");
        let labels = p
            .previous
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone());
        assert_eq!(
            labels.map(|l| l.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["app".to_owned()]),
            "pod-template-hash is dropped"
        );
    }

    #[test]
    fn without_a_previous_revision_it_says_so_as_kubectl_does() {
        let one = from_replicasets("d1", &[rs("web-1", "d1", Some("1"), "x:1")]);
        assert_eq!(
            pick("deployment shop/web", &one, false),
            Err(
                "no previous revision to roll back to: deployment shop/web has only revision 1"
                    .to_owned()
            )
        );
        assert!(
            pick("deployment shop/web", &[], false)
                .is_err_and(|e| e.starts_with("no rollout history found"))
        );
    }

    fn cr(name: &str, owner: &str, revision: i64, image: &str) -> ControllerRevision {
        serde_json::from_value(json!({
            "metadata": {"name": name, "ownerReferences": [{"apiVersion": "apps/v1",
                "kind": "DaemonSet", "name": "mon", "uid": owner, "controller": true}]},
            "revision": revision,
            "data": {"spec": {"template": {"$patch": "replace",
                "metadata": {"labels": {"app": "mon"}},
                "spec": {"containers": [{"name": "main", "image": image}]}}}}
        }))
        .expect("controller revision")
    }

    #[test]
    fn controller_revisions_sort_by_revision_and_the_second_last_is_previous() {
        let revs = vec![
            cr("mon-b", "u1", 3, "x:2"),
            cr("mon-a", "u1", 2, "x:1"),
            cr("else", "u2", 9, "x:9"),
        ];
        let h = from_controller_revisions("u1", &revs);
        let p = pick("daemonset shop/mon", &h, true).expect("previous");
        assert_eq!((p.current, p.previous.number), (3, 2));
        let image = p
            .previous
            .template
            .spec
            .as_ref()
            .and_then(|s| s.containers[0].image.clone());
        assert_eq!(image.as_deref(), Some("x:1"));
        let one = from_controller_revisions("u1", &revs[..1]);
        assert_eq!(
            pick("daemonset shop/mon", &one, true),
            Err(
                "no last revision to roll back to: daemonset shop/mon has only revision 3"
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_undo_carries_the_replicasets_annotations_but_not_the_bookkeeping() {
        let deploy = BTreeMap::from([
            (REVISION.to_owned(), "4".to_owned()),
            ("team".to_owned(), "a".to_owned()),
        ]);
        let rs = BTreeMap::from([
            (REVISION.to_owned(), "2".to_owned()),
            ("kubernetes.io/change-cause".to_owned(), "v1".to_owned()),
        ]);
        assert_eq!(
            undo_annotations(&deploy, &rs),
            BTreeMap::from([
                (REVISION.to_owned(), "4".to_owned()),
                ("kubernetes.io/change-cause".to_owned(), "v1".to_owned()),
            ])
        );
    }
}
