//! Node plans from hand-built objects (the real cluster is in
//! tests/kube_nodes.rs).

use super::*;
use crate::domain::NodeRef;
use serde_json::json;

fn node(name: &str, cordoned: bool, taint: bool) -> Node {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": format!("uid-{name}")},
        "spec": {
            "unschedulable": cordoned,
            "taints": if taint {
                json!([{"key": "berth.test/node2", "value": "true", "effect": "NoSchedule"}])
            } else { json!([]) }
        },
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}
    }))
    .expect("a node")
}

fn pod(name: &str, owner: Option<(&str, &str)>, extra: serde_json::Value) -> Pod {
    let mut v = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"),
                     "labels": {"app": "web"}},
        "spec": {"nodeName": "n2", "containers": [{"name": "c", "image": "busybox"}]},
        "status": {"phase": "Running"}
    });
    if let Some((kind, owner)) = owner {
        v["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind,
            "name": owner, "uid": format!("uid-{owner}"), "controller": true}]);
    }
    if let Some(vols) = extra.get("volumes") {
        v["spec"]["volumes"] = vols.clone();
    }
    serde_json::from_value(v).expect("a pod")
}

fn req(kind: OpKind) -> OpRequest {
    OpRequest {
        kind,
        target: TargetRef::Node(NodeRef {
            id: "uid-n2".into(),
            name: "n2".into(),
        }),
        replicas: None,
    }
}

fn web_pods() -> Vec<Pod> {
    vec![
        pod("web-1", Some(("ReplicaSet", "web-7d")), json!({})),
        pod("web-2", Some(("ReplicaSet", "web-7d")), json!({})),
        pod("agent-x", Some(("DaemonSet", "agent")), json!({})),
    ]
}

#[test]
fn capabilities_allow_node_operations_and_refuse_workload_ones() {
    let t = req(OpKind::Drain).target;
    let c = capabilities(&t);
    for k in [OpKind::Drain, OpKind::Pause, OpKind::Activate] {
        assert_eq!(c.check(k), Ok(()), "{k:?}");
    }
    for k in [
        OpKind::Scale,
        OpKind::Redeploy,
        OpKind::Rollback,
        OpKind::Restart,
        OpKind::Stop,
        OpKind::Start,
    ] {
        let why = c.check(k).expect_err("refused");
        assert!(why.contains("not a node"), "{why}");
    }
}

#[test]
fn cordon_says_the_pods_stay_and_refuses_a_cordoned_node() {
    let others = [node("n1", false, false)];
    let p = build(
        req(OpKind::Pause),
        &node("n2", false, true),
        &web_pods(),
        &[],
        &others,
    )
    .expect("a plan");
    assert_eq!(
        p.summary,
        "cordon node n2: it takes no new pods; its 3 pods stay"
    );
    assert!(
        p.details
            .contains(&"stays: shop/web-1 (ReplicaSet web-7d)".to_owned())
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let again = build(
        req(OpKind::Pause),
        &node("n2", true, true),
        &web_pods(),
        &[],
        &others,
    );
    assert_eq!(again, Err("n2 is already cordoned".to_owned()));
}

#[test]
fn uncordon_refuses_a_schedulable_node() {
    let others = [node("n1", false, false)];
    let p = build(
        req(OpKind::Activate),
        &node("n2", true, true),
        &[],
        &[],
        &others,
    )
    .expect("a plan");
    assert!(
        p.summary
            .starts_with("uncordon node n2: it takes pods again"),
        "{}",
        p.summary
    );
    let again = build(
        req(OpKind::Activate),
        &node("n2", false, true),
        &[],
        &[],
        &others,
    );
    assert_eq!(again, Err("n2 is already schedulable".to_owned()));
}

#[test]
fn drain_lists_evictions_skips_and_budgets() {
    let b: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "web-pdb", "namespace": "shop"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
        "status": {"disruptionsAllowed": 0}
    }))
    .expect("a budget");
    let budgets = [Budget::from_dynamic(&b).expect("parsed")];
    let mut pods = web_pods();
    pods.push(pod(
        "cache-1",
        Some(("StatefulSet", "cache")),
        json!({"volumes": [{"name": "tmp", "emptyDir": {}}]}),
    ));
    let p = build(
        req(OpKind::Drain),
        &node("n2", false, true),
        &pods,
        &budgets,
        &[node("n1", false, false)],
    )
    .expect("a plan");
    assert!(
        p.summary
            .starts_with("drain node n2: cordon it, then evict 3 pods"),
        "{}",
        p.summary
    );
    assert!(
        p.summary.ends_with("; 1 pod stays (DaemonSet or static)"),
        "{}",
        p.summary
    );
    assert_eq!(p.replicas, ["shop/cache-1", "shop/web-1", "shop/web-2"]);
    assert!(
        p.details
            .contains(&"evicts: shop/web-1 (ReplicaSet web-7d)".to_owned())
    );
    assert!(
        p.details
            .iter()
            .any(|d| d.starts_with("skips: shop/agent-x (DaemonSet agent)"))
    );
    assert!(
        p.details.contains(
            &"disruption budget shop/web-pdb (minAvailable 2, allows 0 now) covers shop/cache-1, shop/web-1, shop/web-2"
                .to_owned()
        ),
        "{:?}",
        p.details
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("web-pdb allows 0 evictions now")),
        "{:?}",
        p.warnings
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.starts_with("shop/cache-1 has emptyDir volumes")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn drain_refuses_pods_without_a_controller_and_names_them() {
    let mut pods = web_pods();
    pods.push(pod("lonely", None, json!({})));
    let err = build(
        req(OpKind::Drain),
        &node("n2", false, true),
        &pods,
        &[],
        &[node("n1", false, false)],
    )
    .expect_err("refused");
    assert!(err.contains("shop/lonely"), "{err}");
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn drain_warns_when_no_other_node_takes_pods() {
    let p = build(
        req(OpKind::Drain),
        &node("n2", true, false),
        &web_pods(),
        &[],
        &[node("n1", false, true)],
    )
    .expect("a plan");
    assert!(
        p.summary.contains("(already cordoned): it stays cordoned"),
        "{}",
        p.summary
    );
    assert!(
        p.warnings.iter().any(|w| w.starts_with("no other node")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn budget_refusals_name_the_budget() {
    use super::node_drain::budget_refusal;
    assert_eq!(
        budget_refusal(
            "The disruption budget web-pdb needs 2 healthy pods and has 2 currently",
            "Cannot evict pod as it would violate the pod's disruption budget."
        ),
        "waiting: disruption budget web-pdb allows 0 (needs 2 healthy pods and has 2)"
    );
    assert_eq!(
        budget_refusal(
            "The disruption budget web-pdb is still being processed by the server.",
            ""
        ),
        "waiting: disruption budget web-pdb is still being processed by the server."
    );
    assert_eq!(
        budget_refusal("", "Too many requests"),
        "waiting: Too many requests"
    );
}
