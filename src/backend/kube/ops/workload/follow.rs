//! Following a change until the workload converges, as `kubectl rollout
//! status` judges it, with a row per pod: the object and its pods are read
//! every 500 ms. New pods go creating → running, old ones stopping →
//! removed. A new pod stuck on an image or crash loop for 30 s ends it
//! (the progress deadline is 10 min by default: too long to stare at);
//! cancelling only stops the watching.

use super::object::{Object, WorkloadId};
use super::pods;
use super::rollout_status::{self, Rollout};
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::Step;
use k8s_openapi::api::core::v1::Pod;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(500);
/// The longest an operation follows its change.
const LIMIT: Duration = Duration::from_secs(600);
/// A new pod stuck this long on a reason waiting will not cure fails it.
const STUCK_FOR: Duration = Duration::from_secs(30);
/// Once the controller is done, how long old pods may take to go.
const TERMINATING_GRACE: Duration = Duration::from_secs(30);
const MAX_READ_ERRORS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// A new pod template rolls out: every pod listed before is replaced.
    Rollout,
    /// This many pods, all ready.
    Scale(i32),
    /// One pod was deleted; its controller creates a replacement.
    PodRestart { uid: String },
}

pub struct Follow<'a> {
    pub client: &'a kube::Client,
    pub rep: &'a Report,
    pub id: WorkloadId,
    pub goal: Goal,
    /// The pods listed before the change: uid → name.
    pub before: HashMap<String, String>,
    /// The last word when it converged.
    pub converged: String,
}

type Row = (Step, bool, Option<String>);

/// Stuck pods' reasons, for a failure message.
fn failing(pods: &[Pod], old: &HashMap<String, String>) -> Vec<String> {
    pods.iter()
        .filter(|p| !old.contains_key(pods::uid(p)))
        .filter_map(|p| Some(format!("{}: {}", pods::name(p), pods::stuck_reason(p)?)))
        .collect()
}

/// How long new pods have been stuck. A crash-looping container runs
/// for a moment between back-offs: only a pod fine for [`STUCK_FOR`] in a
/// row starts its clock again.
#[derive(Default)]
struct Stuck {
    since: HashMap<String, Instant>,
    fine_since: HashMap<String, Instant>,
    now_stuck: HashSet<String>,
}

impl Stuck {
    fn observe(&mut self, uid: &str, stuck: bool, now: Instant) {
        if stuck {
            self.since.entry(uid.to_owned()).or_insert(now);
            self.fine_since.remove(uid);
            self.now_stuck.insert(uid.to_owned());
        } else {
            self.now_stuck.remove(uid);
            let fine = *self.fine_since.entry(uid.to_owned()).or_insert(now);
            if now.duration_since(fine) >= STUCK_FOR {
                self.since.remove(uid);
            }
        }
    }

    /// Stuck now, and for long enough.
    fn failed(&self, uid: &str, now: Instant) -> bool {
        self.now_stuck.contains(uid)
            && self
                .since
                .get(uid)
                .is_some_and(|t| now.duration_since(*t) >= STUCK_FOR)
    }
}

impl Follow<'_> {
    fn left_as_is(&self) -> String {
        match self.goal {
            Goal::Rollout => "the rollout is left as is (the old pods that still run keep \
                              serving); rollback (B) puts the previous revision back"
                .to_owned(),
            Goal::Scale(_) => "berth stopped following it".to_owned(),
            Goal::PodRestart { .. } => format!("{} is left as is", self.id.display()),
        }
    }

    fn watch_hint(&self) -> String {
        match self.goal {
            Goal::Rollout => format!("kubectl rollout status {}", self.id.kubectl()),
            _ => format!("kubectl get {}", self.id.kubectl()),
        }
    }

    pub async fn run(self) -> End {
        let display = self.id.display();
        let started = Instant::now();
        let mut shown: HashMap<String, Row> = HashMap::new();
        let mut present: HashMap<String, String> = self.before.clone();
        let mut stuck = Stuck::default();
        let mut said = String::new();
        let mut done_at: Option<Instant> = None;
        let mut read_errors = 0;
        let mut first = true;
        loop {
            if self.rep.cancelled() {
                return End::cancelled(format!(
                    "stopped watching {display}: the cluster carries on with the change by \
                     itself ({})",
                    self.watch_hint()
                ));
            }
            if started.elapsed() >= LIMIT {
                return End::failed(format!(
                    "{display} did not converge within {} min ({said}): the cluster carries on \
                     by itself ({})",
                    LIMIT.as_secs() / 60,
                    self.watch_hint()
                ));
            }
            let looked = async {
                let obj = Object::get(self.client, &self.id).await?;
                let pods = pods::list(self.client, &self.id, &obj).await?;
                Ok::<_, BackendError>((obj, pods))
            }
            .await;
            let (obj, pods) = match looked {
                Ok(x) => {
                    read_errors = 0;
                    x
                }
                Err(BackendError::NotFound { .. }) => {
                    return End::failed(format!("{display} was deleted meanwhile"));
                }
                Err(e) => {
                    read_errors += 1;
                    if read_errors >= MAX_READ_ERRORS {
                        return End::failed(format!(
                            "lost sight of {display}: {e}; the cluster carries on by itself"
                        ));
                    }
                    tokio::time::sleep(POLL).await;
                    continue;
                }
            };
            // Pods gone since the last look.
            let now_uids: HashSet<&str> = pods.iter().map(pods::uid).collect();
            for (uid, name) in &present {
                if !now_uids.contains(uid.as_str()) && self.mine(uid) {
                    let row = (Step::Removed, true, None);
                    if shown.get(name) != Some(&row) {
                        self.rep.step(name, row.0, row.1, row.2.clone()).await;
                        shown.insert(name.clone(), row);
                    }
                }
            }
            present = pods
                .iter()
                .map(|p| (pods::uid(p).to_owned(), pods::name(p).to_owned()))
                .collect();
            for p in &pods {
                let uid = pods::uid(p);
                let old = self.before.contains_key(uid);
                let row = if old {
                    if !self.mine(uid) {
                        continue;
                    }
                    // An old pod shows once it goes; when scaling, the
                    // ones kept show running from the first look.
                    let kept = matches!(self.goal, Goal::Scale(_)) && first && pods::ready(p);
                    if !(pods::terminating(p) || kept) {
                        continue;
                    }
                    pods::step_of(p)
                } else {
                    stuck.observe(uid, pods::stuck_reason(p).is_some(), Instant::now());
                    pods::step_of(p)
                };
                let name = pods::name(p).to_owned();
                if shown.get(&name) != Some(&row) {
                    self.rep.step(&name, row.0, row.1, row.2.clone()).await;
                    shown.insert(name, row);
                }
            }
            first = false;
            if let Some(p) = pods
                .iter()
                .find(|p| stuck.failed(pods::uid(p), Instant::now()))
            {
                return End::failed(format!(
                    "{display}: the new pod {} has been stuck for {} s: {}; {}",
                    pods::name(p),
                    STUCK_FOR.as_secs(),
                    pods::stuck_reason(p).unwrap_or_default(),
                    self.left_as_is()
                ));
            }
            let (controller_done, words) = match self.progress(&obj, &pods) {
                Ok(x) => x,
                Err(why) => {
                    let failing = failing(&pods, &self.before);
                    let pods_words = if failing.is_empty() {
                        String::new()
                    } else {
                        format!("; failing pods: {}", failing.join("; "))
                    };
                    return End::failed(format!(
                        "{display}: {why}{pods_words}; {}",
                        self.left_as_is()
                    ));
                }
            };
            if words != said {
                self.rep.message(words.clone()).await;
                said = words;
            }
            if controller_done {
                let lingering: Vec<&Pod> = pods
                    .iter()
                    .filter(|p| self.before.contains_key(pods::uid(p)) && self.mine(pods::uid(p)))
                    // Old pods still running once the controller is done
                    // are meant to stay (a StatefulSet's partition).
                    .filter(|p| pods::terminating(p))
                    .collect();
                let since = *done_at.get_or_insert_with(Instant::now);
                if lingering.is_empty() {
                    return End::converged(self.converged.clone());
                }
                if since.elapsed() >= TERMINATING_GRACE {
                    let names: Vec<&str> = lingering.iter().map(|p| pods::name(p)).collect();
                    return End::converged(format!(
                        "{}; still terminating: {}",
                        self.converged,
                        names.join(", ")
                    ));
                }
            } else {
                done_at = None;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether an old pod is this operation's to show: all of them, but
    /// for a pod restart only the deleted one.
    fn mine(&self, uid: &str) -> bool {
        match &self.goal {
            Goal::PodRestart { uid: target } => target == uid || !self.before.contains_key(uid),
            _ => true,
        }
    }

    /// Whether the controller is done, and a line on how far it is; `Err`
    /// when it gave up.
    fn progress(&self, obj: &Object, pods: &[Pod]) -> Result<(bool, String), String> {
        let live: Vec<&Pod> = pods.iter().filter(|p| !pods::terminating(p)).collect();
        let ready = live.iter().filter(|p| pods::ready(p)).count() as i32;
        let live_n = live.len() as i32;
        let terminating = pods.len() as i32 - live_n;
        let gone = |n: i32| {
            if n > 0 {
                format!(", {n} terminating")
            } else {
                String::new()
            }
        };
        match &self.goal {
            Goal::Rollout => match rollout_status::of(obj) {
                Rollout::Done => Ok((
                    true,
                    format!(
                        "{ready} of {live_n} pods ready, rolled out{}",
                        gone(terminating)
                    ),
                )),
                Rollout::Waiting(w) => Ok((false, w)),
                Rollout::Failed(f) => Err(f),
            },
            Goal::Scale(want) => {
                if obj.observed() && obj.wanted() != *want {
                    return Err(format!(
                        "its replicas were set to {} meanwhile (by someone else, or a \
                         HorizontalPodAutoscaler)",
                        obj.wanted()
                    ));
                }
                let done = obj.observed()
                    && obj.wanted() == *want
                    && obj.ready() == *want
                    && live_n == *want
                    && ready == *want;
                Ok((
                    done,
                    format!("{ready} of {want} ready{}", gone(terminating)),
                ))
            }
            Goal::PodRestart { uid } => {
                let want = obj.wanted();
                let done = !pods.iter().any(|p| pods::uid(p) == uid)
                    && obj.observed()
                    && obj.ready() >= want
                    && live_n == want
                    && ready == want;
                Ok((
                    done,
                    format!("{ready} of {want} ready{}", gone(terminating)),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_loop_is_stuck_though_it_runs_between_back_offs() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut st = Stuck::default();
        st.observe("p", true, at(2));
        st.observe("p", false, at(12)); // ran for a moment
        st.observe("p", true, at(13));
        assert!(!st.failed("p", at(20)));
        assert!(st.failed("p", at(33)), "30 s since it first got stuck");
        // Running (and so not stuck) at that moment: not failed.
        st.observe("p", false, at(34));
        assert!(!st.failed("p", at(35)));
        // Fine for 30 s in a row: the clock starts again.
        st.observe("p", false, at(64));
        st.observe("p", true, at(65));
        assert!(!st.failed("p", at(70)));
        assert!(st.failed("p", at(95)));
    }
}
