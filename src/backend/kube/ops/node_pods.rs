//! What a drain does with each pod on the node, by kubectl's rules
//! (`kubectl drain`, k8s.io/kubectl/pkg/drain/filters.go), and which
//! disruption budgets cover them. Pure: the plan and the drain read the
//! cluster and hand the objects here.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudgetSpec, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::DynamicObject;
use std::collections::BTreeMap;

/// The annotation the kubelet puts on the API's copy of a static pod.
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// One pod on the node and what a drain does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePod {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// `ReplicaSet web-7d9c`, or empty for a pod without a controller.
    pub owner: String,
    /// The controller's uid: its replacement pods carry it too.
    pub owner_uid: String,
    pub class: PodClass,
    /// Has emptyDir volumes: their data goes with the pod.
    pub local_data: bool,
    /// Already being deleted: waited for, not evicted.
    pub terminating: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodClass {
    /// Evicted: its controller makes a replacement elsewhere.
    Evict,
    /// Finished (Succeeded or Failed): evicted, nothing replaces it.
    Finished,
    /// Owned by a DaemonSet, which would put it right back: skipped.
    DaemonSet,
    /// The API's copy of a static pod; the kubelet owns it: skipped.
    Mirror,
    /// No controller: deleted for good. kubectl refuses without --force.
    Bare,
}

impl NodePod {
    /// `namespace/name`, as the plan and the progress name it.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `shop/web-1 (ReplicaSet web-7d9c)`.
    pub fn described(&self) -> String {
        if self.owner.is_empty() {
            self.key()
        } else {
            format!("{} ({})", self.key(), self.owner)
        }
    }

    pub fn evicted(&self) -> bool {
        matches!(self.class, PodClass::Evict | PodClass::Finished)
    }
}

/// The pod as a drain treats it.
pub fn classify(p: &Pod) -> NodePod {
    let meta = &p.metadata;
    let controller = meta
        .owner_references
        .as_ref()
        .and_then(|o| o.iter().find(|o| o.controller == Some(true)));
    let phase = p
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default();
    let mirror = meta
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION));
    let class = match controller {
        Some(c) if c.kind == "DaemonSet" => PodClass::DaemonSet,
        _ if mirror => PodClass::Mirror,
        _ if phase == "Succeeded" || phase == "Failed" => PodClass::Finished,
        Some(_) => PodClass::Evict,
        None => PodClass::Bare,
    };
    let local_data = p
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
    NodePod {
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        owner: controller
            .map(|c| format!("{} {}", c.kind, c.name))
            .unwrap_or_default(),
        owner_uid: controller.map(|c| c.uid.clone()).unwrap_or_default(),
        class,
        local_data,
        terminating: meta.deletion_timestamp.is_some(),
    }
}

/// Every pod on the node, sorted by namespace and name.
pub fn classify_all(pods: &[Pod]) -> Vec<NodePod> {
    let mut out: Vec<NodePod> = pods.iter().map(classify).collect();
    out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    out
}

/// A PodDisruptionBudget as the plan names it. Read as policy/v1beta1 (a
/// 1.20 apiserver has no policy/v1; its fields are the same).
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub namespace: String,
    pub name: String,
    /// `minAvailable 2`, `maxUnavailable 1`.
    pub rule: String,
    /// Evictions it allows now.
    pub allowed: i32,
    /// Healthy pods it needs, and has.
    pub desired: i32,
    pub healthy: i32,
    selector: Option<LabelSelector>,
}

impl Budget {
    pub fn from_dynamic(o: &DynamicObject) -> Option<Budget> {
        let spec: PodDisruptionBudgetSpec =
            serde_json::from_value(o.data.get("spec")?.clone()).ok()?;
        let status: Option<PodDisruptionBudgetStatus> = o
            .data
            .get("status")
            .and_then(|s| serde_json::from_value(s.clone()).ok());
        let show = |q: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match q {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        let rule = match (&spec.min_available, &spec.max_unavailable) {
            (Some(m), _) => format!("minAvailable {}", show(m)),
            (None, Some(m)) => format!("maxUnavailable {}", show(m)),
            (None, None) => "no rule".to_owned(),
        };
        Some(Budget {
            namespace: o.metadata.namespace.clone().unwrap_or_default(),
            name: o.metadata.name.clone().unwrap_or_default(),
            rule,
            allowed: status.as_ref().map(|s| s.disruptions_allowed).unwrap_or(0),
            desired: status.as_ref().map(|s| s.desired_healthy).unwrap_or(0),
            healthy: status.as_ref().map(|s| s.current_healthy).unwrap_or(0),
            selector: spec.selector,
        })
    }

    /// Why an eviction of a pod it covers waits: the apiserver's words for
    /// a refusal (429), from the budget's status.
    pub fn waiting(&self) -> String {
        format!(
            "waiting: disruption budget {} allows {} (needs {} healthy pods and has {})",
            self.name, self.allowed, self.desired, self.healthy
        )
    }

    /// The budget covers the pod: same namespace, and its selector (which
    /// must select something: an empty or missing one selects nothing in
    /// policy/v1beta1) matches the pod's labels.
    pub fn covers(&self, namespace: &str, labels: &BTreeMap<String, String>) -> bool {
        self.namespace == namespace
            && self
                .selector
                .as_ref()
                .is_some_and(|s| !is_empty(s) && selects(s, labels))
    }
}

fn is_empty(s: &LabelSelector) -> bool {
    s.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
}

/// A label selector's meaning (apimachinery's `LabelSelectorAsSelector`).
fn selects(s: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let exact = s
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let exprs = s.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let has = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => has.is_some_and(|v| values.contains(v)),
            "NotIn" => has.is_none_or(|v| !values.contains(v)),
            "Exists" => has.is_some(),
            "DoesNotExist" => has.is_none(),
            _ => false,
        }
    });
    exact && exprs
}

/// `2 pods`, `1 pod`.
pub fn pods(n: usize) -> String {
    if n == 1 {
        "1 pod".to_owned()
    } else {
        format!("{n} pods")
    }
}

#[cfg(test)]
#[path = "node_pods_tests.rs"]
mod tests;
