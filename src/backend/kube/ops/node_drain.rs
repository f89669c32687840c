//! The eviction half of a drain (the node is already cordoned): every pod a
//! drain evicts (see `node_pods`) gets an Eviction, the API that respects
//! PodDisruptionBudgets. An eviction a budget refuses (429 Too Many
//! Requests) is retried every [`RETRY`] with the budget named in the
//! pod's step; a pod is done when it is gone from the node, and its
//! replacement's node is named when it is visible. Bounded by [`TIMEOUT`]:
//! then the drain fails naming the pods still there. The node stays
//! cordoned however it ends, as with kubectl.
//!
//! kube-rs's client retries a 429 by itself (up to 15 times, backing off to
//! minutes), so a refused eviction would not come back for minutes: a
//! running pod is evicted only when the budgets covering it allow it (their
//! status is what the apiserver checks), and an eviction that still gets
//! caught in those retries (another eviction took the last allowance) is
//! given up after [`EVICT_WAIT`] and tried again later.

use super::node::{api_error, list_budgets, node_pods, policy_resource};
use super::node_pods::{Budget, NodePod, PodClass, classify_all, pods};
use crate::backend::report::{End, Report};
use crate::domain::Step;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ApiResource, DynamicObject, EvictParams, ListParams};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// How often an eviction a disruption budget refused is tried again.
pub const RETRY: Duration = Duration::from_secs(5);
/// How long a drain goes on before it fails with the pods still there.
pub const TIMEOUT: Duration = Duration::from_secs(300);
/// How often the node's pods are read while evicted ones terminate.
const POLL: Duration = Duration::from_secs(1);
/// Failed reads in a row before the drain stops following.
const READ_FAILURES: u32 = 5;
/// An eviction not answered within this is taken as refused for now.
const EVICT_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// To evict (again) at `next_try`.
    ToEvict,
    /// Evicted (or already terminating): waiting for it to be gone.
    Evicted,
    Gone,
    Failed(String),
}

struct Tracked {
    pod: NodePod,
    labels: BTreeMap<String, String>,
    /// Running: its eviction is subject to disruption budgets.
    running: bool,
    state: State,
    next_try: Instant,
    /// The last budget refusal shown, so it is shown once per change.
    waiting: Option<String>,
}

/// What the Eviction API answered.
enum Evicted {
    Yes,
    /// The pod is gone already.
    Gone,
    /// A disruption budget does not allow it now: why.
    Budget(String),
    Refused(String),
}

pub async fn run(client: kube::Client, name: &str, rep: &Report) -> End {
    let started = Instant::now();
    let listed = match node_pods(&client, name).await {
        Ok(p) => p,
        Err(e) => return End::failed(format!("{name} is cordoned, but not drained: {e}")),
    };
    let classified = classify_all(&listed);
    let bare: Vec<String> = classified
        .iter()
        .filter(|p| p.class == PodClass::Bare && !p.terminating)
        .map(NodePod::key)
        .collect();
    if !bare.is_empty() {
        return End::failed(format!(
            "{name} is cordoned, but not drained: pods without a controller are on it now \
             (kubectl drain refuses them without --force): {}",
            bare.join(", ")
        ));
    }
    let staying = classified
        .iter()
        .filter(|p| matches!(p.class, PodClass::DaemonSet | PodClass::Mirror))
        .count();
    let by_uid: BTreeMap<&str, &Pod> = listed
        .iter()
        .filter_map(|p| Some((p.metadata.uid.as_deref()?, p)))
        .collect();
    // Budgets are read in the version the cluster serves; without leave
    // to read them, evictions are posted and the apiserver decides.
    let budgets = list_budgets(&client)
        .await
        .ok()
        .map(|(_, v)| policy_resource(v, "PodDisruptionBudget", "poddisruptionbudgets"));
    let mut tracked: Vec<Tracked> = classified
        .into_iter()
        .filter(|p| p.evicted() || p.terminating)
        .filter(|p| p.class != PodClass::DaemonSet && p.class != PodClass::Mirror)
        .map(|p| Tracked {
            labels: by_uid
                .get(p.uid.as_str())
                .and_then(|pod| pod.metadata.labels.clone())
                .unwrap_or_default(),
            running: by_uid.get(p.uid.as_str()).is_some_and(|pod| {
                pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
            }),
            state: if p.terminating {
                State::Evicted
            } else {
                State::ToEvict
            },
            next_try: started,
            waiting: None,
            pod: p,
        })
        .collect();
    for t in tracked.iter().filter(|t| t.state == State::Evicted) {
        rep.step(
            &t.pod.key(),
            Step::Moved,
            false,
            Some("already terminating".into()),
        )
        .await;
    }
    let mut read_failures = 0;
    loop {
        if rep.cancelled() {
            return End::cancelled(format!(
                "stopped following: {name} stays cordoned; {} evicted, {} still on it",
                pods(count(&tracked, |s| matches!(
                    s,
                    State::Evicted | State::Gone
                ))),
                pods(count(&tracked, |s| *s == State::ToEvict)),
            ));
        }
        let now = Instant::now();
        // Each namespace's budgets, read once a round.
        let mut read: HashMap<String, Vec<Budget>> = HashMap::new();
        for t in tracked
            .iter_mut()
            .filter(|t| t.state == State::ToEvict && t.next_try <= now)
        {
            let key = t.pod.key();
            let blocked = match (&budgets, t.running) {
                (Some(res), true) => {
                    if !read.contains_key(&t.pod.namespace) {
                        let list = budgets_in(&client, res, &t.pod.namespace).await;
                        read.insert(t.pod.namespace.clone(), list);
                    }
                    read[&t.pod.namespace]
                        .iter()
                        .find(|b| b.allowed < 1 && b.covers(&t.pod.namespace, &t.labels))
                        .map(Budget::waiting)
                }
                _ => None,
            };
            let answer = match blocked {
                Some(why) => Evicted::Budget(why),
                None => evict(&client, &t.pod).await,
            };
            match answer {
                Evicted::Yes => {
                    t.state = State::Evicted;
                    rep.step(
                        &key,
                        Step::Moved,
                        false,
                        Some("evicted; terminating".into()),
                    )
                    .await;
                }
                Evicted::Gone => {
                    t.state = State::Gone;
                    rep.step(&key, Step::Moved, true, Some("gone".into())).await;
                }
                Evicted::Budget(why) => {
                    t.next_try = now + RETRY;
                    if t.waiting.as_deref() != Some(why.as_str()) {
                        rep.step(&key, Step::Waiting, false, Some(why.clone()))
                            .await;
                        t.waiting = Some(why);
                    }
                }
                Evicted::Refused(why) => {
                    rep.step(&key, Step::Failed, true, Some(why.clone())).await;
                    t.state = State::Failed(why);
                }
            }
        }
        if tracked.iter().any(|t| t.state == State::Evicted) {
            match node_pods(&client, name).await {
                Ok(now_on) => {
                    read_failures = 0;
                    let here: HashSet<String> = now_on
                        .iter()
                        .filter_map(|p| p.metadata.uid.clone())
                        .collect();
                    for t in tracked
                        .iter_mut()
                        .filter(|t| t.state == State::Evicted && !here.contains(&t.pod.uid))
                    {
                        t.state = State::Gone;
                        let detail = replacement(&client, t, name).await;
                        rep.step(&t.pod.key(), Step::Moved, true, Some(detail))
                            .await;
                    }
                }
                Err(e) => {
                    read_failures += 1;
                    if read_failures >= READ_FAILURES {
                        return End::failed(format!(
                            "{name} stays cordoned; stopped following the drain: {e}"
                        ));
                    }
                }
            }
        }
        let left: Vec<&Tracked> = tracked
            .iter()
            .filter(|t| matches!(t.state, State::ToEvict | State::Evicted))
            .collect();
        if left.is_empty() {
            break;
        }
        if started.elapsed() >= TIMEOUT {
            let names: Vec<String> = left
                .iter()
                .map(|t| match &t.waiting {
                    Some(w) if t.state == State::ToEvict => format!("{} ({w})", t.pod.key()),
                    _ => t.pod.key(),
                })
                .collect();
            return End::failed(format!(
                "{name} is cordoned but not drained after {} min; still on it: {}",
                TIMEOUT.as_secs() / 60,
                names.join(", ")
            ));
        }
        tokio::time::sleep(POLL).await;
    }
    let failed: Vec<String> = tracked
        .iter()
        .filter_map(|t| match &t.state {
            State::Failed(why) => Some(format!("{}: {why}", t.pod.key())),
            _ => None,
        })
        .collect();
    let gone = count(&tracked, |s| *s == State::Gone);
    if !failed.is_empty() {
        return End::failed(format!(
            "{name} is cordoned; {} evicted; could not evict {}",
            pods(gone),
            failed.join("; ")
        ));
    }
    let mut msg = format!("drained {name}: {} evicted", pods(gone));
    if staying > 0 {
        msg.push_str(&format!("; {} (DaemonSet or static) stay", pods(staying)));
    }
    End::converged(msg)
}

fn count(tracked: &[Tracked], f: impl Fn(&State) -> bool) -> usize {
    tracked.iter().filter(|t| f(&t.state)).count()
}

/// The namespace's budgets; none when they cannot be read (the eviction
/// then tells).
async fn budgets_in(client: &kube::Client, res: &ApiResource, ns: &str) -> Vec<Budget> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, res);
    api.list(&ListParams::default())
        .await
        .map(|l| l.items.iter().filter_map(Budget::from_dynamic).collect())
        .unwrap_or_default()
}

/// One Eviction (kube-rs posts it without an apiVersion: the apiserver
/// reads it as its own version of Eviction, policy/v1beta1 on 1.20).
async fn evict(client: &kube::Client, p: &NodePod) -> Evicted {
    let api: Api<Pod> = Api::namespaced(client.clone(), &p.namespace);
    let params = EvictParams::default();
    let answer = tokio::time::timeout(EVICT_WAIT, api.evict(&p.name, &params)).await;
    let Ok(answer) = answer else {
        return Evicted::Budget(format!(
            "waiting: the apiserver asks to retry the eviction (a disruption budget allows \
             none now); trying again every {} s",
            RETRY.as_secs()
        ));
    };
    match answer {
        Ok(_) => Evicted::Yes,
        Err(kube::Error::Api(s)) if s.code == 404 => Evicted::Gone,
        Err(kube::Error::Api(s)) if s.code == 429 => {
            let cause = s
                .details
                .as_ref()
                .and_then(|d| d.causes.first())
                .map(|c| c.message.clone())
                .unwrap_or_default();
            Evicted::Budget(budget_refusal(&cause, &s.message))
        }
        Err(e) => Evicted::Refused(api_error(e, &format!("eviction of {}", p.key())).to_string()),
    }
}

/// The step's words for a refusal by a disruption budget, from the
/// apiserver's cause ("The disruption budget web-pdb needs 2 healthy pods
/// and has 2 currently").
pub fn budget_refusal(cause: &str, message: &str) -> String {
    let Some(rest) = cause.strip_prefix("The disruption budget ") else {
        return format!(
            "waiting: {}",
            if cause.is_empty() { message } else { cause }
        );
    };
    let (budget, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    if let Some(needs) = tail.strip_prefix("needs ") {
        format!(
            "waiting: disruption budget {budget} allows 0 (needs {})",
            needs.trim_end_matches(" currently")
        )
    } else {
        format!("waiting: disruption budget {budget} {tail}")
    }
}

/// Where the evicted pod's replacement went, if one is visible: a pod of
/// the same controller (and labels) that is not the evicted one.
async fn replacement(client: &kube::Client, t: &Tracked, drained: &str) -> String {
    if t.pod.owner_uid.is_empty() || t.labels.is_empty() {
        return "gone".into();
    }
    let selector: Vec<String> = t.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let api: Api<Pod> = Api::namespaced(client.clone(), &t.pod.namespace);
    let Ok(list) = api
        .list(&ListParams::default().labels(&selector.join(",")))
        .await
    else {
        return "gone".into();
    };
    let newest = list
        .items
        .iter()
        .filter(|p| {
            p.metadata.uid.as_deref() != Some(t.pod.uid.as_str())
                && p.metadata.deletion_timestamp.is_none()
                && p.metadata.owner_references.as_ref().is_some_and(|o| {
                    o.iter()
                        .any(|o| o.controller == Some(true) && o.uid == t.pod.owner_uid)
                })
        })
        .max_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
    match newest {
        None => "gone; no replacement seen yet".into(),
        Some(p) => {
            let pod = p.metadata.name.as_deref().unwrap_or_default();
            match p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
                Some(n) if n != drained => format!("gone; replacement {pod} → {n}"),
                Some(n) => format!("gone; replacement {pod} on {n}"),
                None => format!("gone; replacement {pod} not scheduled yet"),
            }
        }
    }
}
