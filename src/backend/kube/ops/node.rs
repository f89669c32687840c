//! Node operations on a Kubernetes cluster, as kubectl does them:
//! cordon ([`OpKind::Pause`]: `spec.unschedulable = true`), uncordon
//! ([`OpKind::Activate`]) and drain ([`OpKind::Drain`]: cordon, then evict
//! every pod through the Eviction API, in `node_drain`).
//!
//! - [`capabilities`]: a node allows the three; workload operations on a
//!   node are refused with a reason.
//! - [`plan`]: reads the node, its pods and the disruption budgets; changes
//!   nothing. Cordoning a cordoned node or uncordoning a schedulable one is
//!   refused ("already cordoned", as kubectl says and does nothing). A
//!   drain is refused when the node runs pods without a controller (kubectl
//!   refuses them without --force): they would be deleted for good.
//! - [`execute`]: re-reads the node (the plan may be old), changes it, and
//!   for cordon/uncordon ends once the node object shows the change.

use super::node_drain;
use super::node_pods::{Budget, NodePod, PodClass, classify_all, pods};
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, OpKind, OpRequest, Plan, TargetRef};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use kube::api::{ApiResource, DynamicObject, ListParams};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Cordon and uncordon show in the node object at once; allow this long.
const SETTLE: Duration = Duration::from_secs(10);

/// Which operations apply to a node, and why the others do not.
pub fn capabilities(_target: &TargetRef) -> Capabilities {
    Capabilities(
        OpKind::ALL
            .iter()
            .map(|&k| {
                if k.is_node_op() {
                    (k, Ok(()))
                } else {
                    (
                        k,
                        Err(format!(
                            "{} applies to a workload (Deployment, StatefulSet, DaemonSet) or a pod, \
                             not a node; a node can be drained, cordoned (pause) or uncordoned \
                             (activate)",
                            k.label()
                        )),
                    )
                }
            })
            .collect(),
    )
}

/// kubectl's word for the operation.
pub fn verb(kind: OpKind) -> &'static str {
    match kind {
        OpKind::Pause => "cordon",
        OpKind::Activate => "uncordon",
        other => other.label(),
    }
}

/// Reads the node, its pods and the budgets, and says what `req` would do.
pub async fn plan(client: kube::Client, req: OpRequest) -> Result<Plan, BackendError> {
    let TargetRef::Node(node) = &req.target else {
        return Err(BackendError::Unsupported(format!(
            "{} applies to a node",
            verb(req.kind)
        )));
    };
    let n = get_node(&client, &node.name).await?;
    let on_node = node_pods(&client, &node.name).await?;
    let budgets = if req.kind == OpKind::Drain {
        list_budgets(&client).await?.0
    } else {
        Vec::new()
    };
    let nodes: Api<Node> = Api::all(client);
    let others: Vec<Node> = nodes
        .list(&ListParams::default())
        .await
        .map_err(|e| api_error(e, "nodes"))?
        .items
        .into_iter()
        .filter(|o| o.metadata.name.as_deref() != Some(node.name.as_str()))
        .collect();
    build(req.clone(), &n, &on_node, &budgets, &others).map_err(BackendError::Unsupported)
}

/// Carries out the plan, reporting on `rep`; never sends `Finished`.
pub async fn execute(client: kube::Client, plan: &Plan, rep: &Report) -> End {
    let req = &plan.request;
    let TargetRef::Node(node) = &req.target else {
        return End::failed(format!("{} applies to a node", verb(req.kind)));
    };
    if rep.cancelled() {
        return End::cancelled("cancelled before anything changed");
    }
    let name = node.name.as_str();
    let want = match req.kind {
        OpKind::Pause | OpKind::Drain => true,
        OpKind::Activate => false,
        other => return End::failed(format!("{} applies to a workload", other.label())),
    };
    if let Err(e) = set_unschedulable(&client, name, want, rep).await {
        return End::failed(format!("{name}: {e}"));
    }
    if req.kind == OpKind::Drain {
        return node_drain::run(client, name, rep).await;
    }
    settle(&client, name, want, rep).await
}

/// Cordons or uncordons (kube-rs: a merge patch of `spec.unschedulable`).
pub async fn set_unschedulable(
    client: &kube::Client,
    name: &str,
    want: bool,
    rep: &Report,
) -> Result<(), BackendError> {
    let n = get_node(client, name).await?;
    if cordoned(&n) == want {
        rep.message(format!("{name} was already {}", word(want)))
            .await;
        return Ok(());
    }
    let nodes: Api<Node> = Api::all(client.clone());
    let done = if want {
        nodes.cordon(name).await
    } else {
        nodes.uncordon(name).await
    };
    done.map_err(|e| api_error(e, &format!("node {name}")))?;
    rep.message(format!(
        "{name}: {}",
        if want { "cordoned" } else { "uncordoned" }
    ))
    .await;
    Ok(())
}

/// Done once the node object shows the change.
async fn settle(client: &kube::Client, name: &str, want: bool, rep: &Report) -> End {
    let started = Instant::now();
    loop {
        match get_node(client, name).await {
            Ok(n) if cordoned(&n) == want => {
                return End::converged(if want {
                    format!("{name} is cordoned: it takes no new pods; its pods stay")
                } else {
                    format!("{name} is schedulable again: it takes new pods")
                });
            }
            Ok(_) => {}
            Err(e) if started.elapsed() >= SETTLE => return End::failed(e.to_string()),
            Err(_) => {}
        }
        if started.elapsed() >= SETTLE {
            return End::failed(format!(
                "{name} does not show {} after {} s",
                word(want),
                SETTLE.as_secs()
            ));
        }
        if rep.cancelled() {
            return End::cancelled(format!("stopped following; {name} was changed"));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

pub fn cordoned(n: &Node) -> bool {
    n.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
}

fn word(cordoned: bool) -> &'static str {
    if cordoned { "cordoned" } else { "schedulable" }
}

fn ready(n: &Node) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn no_schedule_taints(n: &Node) -> bool {
    n.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|t| t.iter().any(|t| t.effect == "NoSchedule"))
}

pub async fn get_node(client: &kube::Client, name: &str) -> Result<Node, BackendError> {
    let nodes: Api<Node> = Api::all(client.clone());
    nodes.get(name).await.map_err(|e| match e {
        kube::Error::Api(s) if s.code == 404 => BackendError::NotFound {
            what: format!("node {name}"),
            hint: " in the cluster (kubectl get nodes lists them)".to_owned(),
        },
        e => api_error(e, &format!("node {name}")),
    })
}

/// Every pod the API places on the node.
pub async fn node_pods(client: &kube::Client, name: &str) -> Result<Vec<Pod>, BackendError> {
    let all: Api<Pod> = Api::all(client.clone());
    all.list(&ListParams::default().fields(&format!("spec.nodeName={name}")))
        .await
        .map(|l| l.items)
        .map_err(|e| api_error(e, &format!("the pods on {name}")))
}

/// policy/v1beta1 (what a 1.20 apiserver serves), else policy/v1 (1.25 on
/// has only that). The eviction is posted in the same version.
pub fn policy_resource(version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: "policy".into(),
        version: version.into(),
        api_version: format!("policy/{version}"),
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// Every disruption budget, and the policy API version that served them.
pub async fn list_budgets(
    client: &kube::Client,
) -> Result<(Vec<Budget>, &'static str), BackendError> {
    for version in ["v1beta1", "v1"] {
        let res = policy_resource(version, "PodDisruptionBudget", "poddisruptionbudgets");
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &res);
        match api.list(&ListParams::default()).await {
            Ok(l) => {
                return Ok((
                    l.items.iter().filter_map(Budget::from_dynamic).collect(),
                    version,
                ));
            }
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(api_error(e, "pod disruption budgets")),
        }
    }
    Err(BackendError::Engine(
        "the cluster serves no PodDisruptionBudget API (policy/v1beta1 or policy/v1)".to_owned(),
    ))
}

/// The apiserver's answer in one line.
pub fn api_error(e: kube::Error, what: &str) -> BackendError {
    match e {
        kube::Error::Api(s) if s.code == 403 => {
            BackendError::Engine(format!("forbidden to read or change {what}: {}", s.message))
        }
        kube::Error::Api(s) => BackendError::Engine(format!("{what}: {}", s.message)),
        e => BackendError::Engine(format!("{what}: {e}")),
    }
}

fn labels(p: &Pod) -> BTreeMap<String, String> {
    p.metadata.labels.clone().unwrap_or_default()
}

/// The plan from what was read.
fn build(
    req: OpRequest,
    n: &Node,
    on_node: &[Pod],
    budgets: &[Budget],
    others: &[Node],
) -> Result<Plan, String> {
    let name = n.metadata.name.clone().unwrap_or_default();
    let is_cordoned = cordoned(n);
    let classified = classify_all(on_node);
    let mut details = Vec::new();
    let mut warnings = Vec::new();
    let mut replicas = Vec::new();
    let takers = others
        .iter()
        .filter(|o| ready(o) && !cordoned(o) && !no_schedule_taints(o))
        .count();
    let summary = match req.kind {
        OpKind::Pause => {
            if is_cordoned {
                return Err(format!("{name} is already cordoned"));
            }
            let running: Vec<&NodePod> = classified.iter().filter(|p| !p.terminating).collect();
            details.extend(running.iter().map(|p| format!("stays: {}", p.described())));
            format!(
                "cordon node {name}: it takes no new pods; its {} stay{}",
                pods(running.len()),
                if running.len() == 1 { "s" } else { "" }
            )
        }
        OpKind::Activate => {
            if !is_cordoned {
                return Err(format!("{name} is already schedulable"));
            }
            format!(
                "uncordon node {name}: it takes pods again; pods that left it are not moved back"
            )
        }
        OpKind::Drain => drain_plan(
            &name,
            is_cordoned,
            &classified,
            on_node,
            budgets,
            &mut details,
            &mut warnings,
            &mut replicas,
        )?,
        other => {
            return Err(format!(
                "{} applies to a workload, not a node",
                other.label()
            ));
        }
    };
    if takers == 0 && req.kind != OpKind::Activate {
        warnings.push(
            "no other node is Ready, schedulable and without NoSchedule taints: new pods may \
             have nowhere to go and stay Pending"
                .to_owned(),
        );
    }
    Ok(Plan {
        request: req,
        summary,
        details,
        warnings,
        replicas,
        confirm_twice: false,
        revision: None,
    })
}

#[allow(clippy::too_many_arguments)]
fn drain_plan(
    name: &str,
    is_cordoned: bool,
    classified: &[NodePod],
    on_node: &[Pod],
    budgets: &[Budget],
    details: &mut Vec<String>,
    warnings: &mut Vec<String>,
    replicas: &mut Vec<String>,
) -> Result<String, String> {
    let bare: Vec<String> = classified
        .iter()
        .filter(|p| p.class == PodClass::Bare && !p.terminating)
        .map(NodePod::key)
        .collect();
    if !bare.is_empty() {
        return Err(format!(
            "cannot drain {name}: {} no controller and would be deleted for good: {} \
             (kubectl drain refuses them without --force; delete or move them first)",
            if bare.len() == 1 {
                "1 pod has".to_owned()
            } else {
                format!("{} pods have", bare.len())
            },
            bare.join(", ")
        ));
    }
    let evicted: Vec<&NodePod> = classified
        .iter()
        .filter(|p| p.evicted() && !p.terminating)
        .collect();
    let terminating: Vec<&NodePod> = classified.iter().filter(|p| p.terminating).collect();
    let daemons: Vec<&NodePod> = classified
        .iter()
        .filter(|p| p.class == PodClass::DaemonSet && !p.terminating)
        .collect();
    let mirrors: Vec<&NodePod> = classified
        .iter()
        .filter(|p| p.class == PodClass::Mirror && !p.terminating)
        .collect();
    for p in &evicted {
        details.push(format!("evicts: {}", p.described()));
    }
    for p in &daemons {
        details.push(format!(
            "skips: {} (its DaemonSet would put it right back)",
            p.described()
        ));
    }
    for p in &mirrors {
        details.push(format!(
            "skips: {} (a static pod: its kubelet owns it)",
            p.key()
        ));
    }
    for p in &terminating {
        details.push(format!("waits for: {} (already terminating)", p.key()));
    }
    // Budgets covering the pods evicted, with the pods they cover.
    let by_uid: BTreeMap<&str, &Pod> = on_node
        .iter()
        .filter_map(|p| Some((p.metadata.uid.as_deref()?, p)))
        .collect();
    for b in budgets {
        let covered: Vec<String> = evicted
            .iter()
            .filter(|p| {
                by_uid
                    .get(p.uid.as_str())
                    .is_some_and(|pod| b.covers(&p.namespace, &labels(pod)))
            })
            .map(|p| p.key())
            .collect();
        if covered.is_empty() {
            continue;
        }
        details.push(format!(
            "disruption budget {}/{} ({}, allows {} now) covers {}",
            b.namespace,
            b.name,
            b.rule,
            b.allowed,
            covered.join(", ")
        ));
        if (b.allowed as usize) < covered.len() {
            warnings.push(format!(
                "disruption budget {}/{} allows {} eviction{} now: the drain waits for it, \
                 retrying every {} s, at most {} min",
                b.namespace,
                b.name,
                b.allowed,
                if b.allowed == 1 { "" } else { "s" },
                node_drain::RETRY.as_secs(),
                node_drain::TIMEOUT.as_secs() / 60
            ));
        }
    }
    for p in evicted.iter().filter(|p| p.local_data) {
        warnings.push(format!(
            "{} has emptyDir volumes: their data is deleted with the pod (kubectl drain needs \
             --delete-emptydir-data)",
            p.key()
        ));
    }
    replicas.extend(evicted.iter().map(|p| p.key()));
    replicas.extend(terminating.iter().map(|p| p.key()));
    let mut what = format!(
        "drain node {name}{}: {}, then evict {} through the Eviction API (disruption budgets \
         respected); their controllers start replacements on other nodes",
        if is_cordoned {
            " (already cordoned)"
        } else {
            ""
        },
        if is_cordoned {
            "it stays cordoned"
        } else {
            "cordon it"
        },
        pods(evicted.len())
    );
    if !daemons.is_empty() || !mirrors.is_empty() {
        what.push_str(&format!(
            "; {} stay{} (DaemonSet or static)",
            pods(daemons.len() + mirrors.len()),
            if daemons.len() + mirrors.len() == 1 {
                "s"
            } else {
                ""
            }
        ));
    }
    Ok(what)
}

#[cfg(test)]
#[path = "node_tests.rs"]
mod tests;
