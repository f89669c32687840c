//! How a drain sorts pods, from pod and budget objects as the apiserver
//! sends them (the real cluster is in tests/kube_nodes.rs).

use super::*;
use serde_json::json;

fn pod(v: serde_json::Value) -> Pod {
    let mut base = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "shop", "uid": "u1"},
        "spec": {"nodeName": "berth-node2", "containers": [{"name": "c", "image": "busybox"}]},
        "status": {"phase": "Running"}
    });
    merge(&mut base, v);
    serde_json::from_value(base).expect("a pod")
}

fn merge(a: &mut serde_json::Value, b: serde_json::Value) {
    match (a, b) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

fn owned_by(kind: &str, name: &str) -> serde_json::Value {
    json!({"metadata": {"ownerReferences": [{
        "apiVersion": "apps/v1", "kind": kind, "name": name, "uid": format!("uid-{name}"),
        "controller": true
    }]}})
}

#[test]
fn a_replicaset_pod_is_evicted_and_names_its_owner() {
    let p = classify(&pod(owned_by("ReplicaSet", "web-7d9c")));
    assert_eq!(p.class, PodClass::Evict);
    assert!(p.evicted());
    assert_eq!(p.described(), "shop/p (ReplicaSet web-7d9c)");
    assert_eq!(p.owner_uid, "uid-web-7d9c");
    assert!(!p.local_data && !p.terminating);
}

#[test]
fn a_daemonset_pod_is_skipped() {
    let p = classify(&pod(owned_by("DaemonSet", "agent")));
    assert_eq!(p.class, PodClass::DaemonSet);
    assert!(!p.evicted());
}

#[test]
fn a_mirror_pod_is_skipped_even_with_an_owner() {
    let mut v = owned_by("Node", "berth-node2");
    merge(
        &mut v,
        json!({"metadata": {"annotations": {"kubernetes.io/config.mirror": "abc"}}}),
    );
    let p = classify(&pod(v));
    assert_eq!(p.class, PodClass::Mirror);
    assert!(!p.evicted());
}

#[test]
fn a_pod_without_a_controller_is_bare_unless_finished() {
    assert_eq!(classify(&pod(json!({}))).class, PodClass::Bare);
    // An owner that is not the controller does not count (kubectl's rule).
    let not_controller = json!({"metadata": {"ownerReferences": [{
        "apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "x"
    }]}});
    assert_eq!(classify(&pod(not_controller)).class, PodClass::Bare);
    let done = classify(&pod(json!({"status": {"phase": "Succeeded"}})));
    assert_eq!(done.class, PodClass::Finished);
    assert!(done.evicted());
}

#[test]
fn emptydir_volumes_are_local_data_and_deletion_is_terminating() {
    let mut v = owned_by("ReplicaSet", "web-1");
    merge(
        &mut v,
        json!({
            "metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"volumes": [
                {"name": "cfg", "configMap": {"name": "cfg"}},
                {"name": "scratch", "emptyDir": {}}
            ]}
        }),
    );
    let p = classify(&pod(v));
    assert!(p.local_data);
    assert!(p.terminating);
    let plain = classify(&pod(
        json!({"spec": {"volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}]}}),
    ));
    assert!(!plain.local_data);
}

#[test]
fn pods_are_sorted_by_namespace_and_name() {
    let a = pod(json!({"metadata": {"name": "b", "namespace": "x"}}));
    let b = pod(json!({"metadata": {"name": "a", "namespace": "y"}}));
    let c = pod(json!({"metadata": {"name": "a", "namespace": "x"}}));
    let keys: Vec<String> = classify_all(&[a, b, c]).iter().map(NodePod::key).collect();
    assert_eq!(keys, ["x/a", "x/b", "y/a"]);
}

fn budget(spec: serde_json::Value, allowed: i32) -> Budget {
    let o: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web-pdb", "namespace": "shop"},
        "spec": spec,
        "status": {"disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 2,
                   "expectedPods": 2}
    }))
    .expect("a budget");
    Budget::from_dynamic(&o).expect("parsed")
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_budget_covers_the_pods_its_selector_matches_in_its_namespace() {
    let b = budget(
        json!({"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}),
        0,
    );
    assert_eq!(b.rule, "minAvailable 2");
    assert_eq!(b.allowed, 0);
    assert_eq!(
        b.waiting(),
        "waiting: disruption budget web-pdb allows 0 (needs 2 healthy pods and has 2)"
    );
    assert!(b.covers("shop", &labels(&[("app", "web"), ("x", "y")])));
    assert!(!b.covers("shop", &labels(&[("app", "db")])));
    assert!(!b.covers("other", &labels(&[("app", "web")])));
}

#[test]
fn budget_selector_expressions_and_empty_selectors() {
    let b = budget(
        json!({"maxUnavailable": "50%", "selector": {"matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["front", "edge"]},
            {"key": "canary", "operator": "DoesNotExist"}
        ]}}),
        1,
    );
    assert_eq!(b.rule, "maxUnavailable 50%");
    assert!(b.covers("shop", &labels(&[("tier", "edge")])));
    assert!(!b.covers("shop", &labels(&[("tier", "edge"), ("canary", "1")])));
    assert!(!b.covers("shop", &labels(&[("tier", "back")])));
    // policy/v1beta1: an empty selector selects no pod.
    let empty = budget(json!({"minAvailable": 1, "selector": {}}), 1);
    assert!(!empty.covers("shop", &labels(&[("app", "web")])));
}
