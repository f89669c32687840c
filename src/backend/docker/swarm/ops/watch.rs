//! Watching a service converge after a change, as `docker service update`
//! does: every few hundred milliseconds the service (its update state) and
//! the tasks of its current spec, one row per slot, until the tasks run and
//! stay up for the spec's monitor window; a paused update or a rollback by
//! the swarm ends it with the engine's words.

use super::converge::{Key, SlotTask, by_slot, failures, replica_name, step_of, tally};
use super::service::{self, Svc};
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::report::{End, Report};
use crate::domain::Step;
use bollard::models::{NodeState, ServiceUpdateStatus, ServiceUpdateStatusStateEnum as S, Task};
use bollard::query_parameters::{ListNodesOptions, ListTasksOptionsBuilder};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Between two looks at the service.
const POLL: Duration = Duration::from_millis(300);
/// Failed reads in a row before the watch gives up.
const MAX_READ_ERRORS: u32 = 10;

/// What was changed, which decides what "arrived" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// The number of replicas: no update runs, tasks come and go.
    Scale,
    /// A new spec the swarm rolls out (redeploy, restart).
    Update,
    /// Back to the previous spec (rollback=previous).
    Rollback,
}

pub struct Watch<'a> {
    pub eng: &'a Engine,
    pub rep: &'a Report,
    /// The service's id.
    pub id: String,
    /// The name the operator reads (`shop/shop_web`).
    pub display: String,
    pub flavor: Flavor,
    /// The update status before the change: seen again, it is not ours.
    pub before: Option<ServiceUpdateStatus>,
    /// The replica rows of the plan.
    pub planned: Vec<String>,
    /// The last word when it converged.
    pub converged: String,
}

struct Seen {
    svc: Svc,
    /// Tasks of the current spec.
    tasks: Vec<Task>,
    /// Every task the swarm still lists for the service, older specs
    /// included: a task that failed stays here after a rollback made its
    /// spec an old one.
    history: Vec<Task>,
    active: HashSet<String>,
    hostnames: HashMap<String, String>,
}

async fn tasks(eng: &Engine, id: &str, current: bool) -> Result<Vec<Task>, BackendError> {
    let mut filters: HashMap<&str, Vec<&str>> = HashMap::from([("service", vec![id])]);
    if current {
        filters.insert("_up-to-date", vec!["true"]);
    }
    let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
    eng.docker
        .list_tasks(Some(opts))
        .await
        .map_err(|e| eng.err(e))
}

async fn look(eng: &Engine, id: &str) -> Result<Seen, BackendError> {
    let (svc, tasks, history, nodes) = tokio::try_join!(
        service::inspect(eng, id),
        tasks(eng, id, true),
        tasks(eng, id, false),
        async {
            eng.docker
                .list_nodes(None::<ListNodesOptions>)
                .await
                .map_err(|e| eng.err(e))
        },
    )?;
    let mut active = HashSet::new();
    let mut hostnames = HashMap::new();
    for n in nodes {
        let Some(id) = n.id else { continue };
        let status = n.status.unwrap_or_default();
        if status.state != Some(NodeState::DOWN) {
            active.insert(id.clone());
        }
        if let Some(h) = n.description.and_then(|d| d.hostname) {
            hostnames.insert(id, h);
        }
    }
    Ok(Seen {
        svc,
        tasks,
        history,
        active,
        hostnames,
    })
}

fn same_status(a: &ServiceUpdateStatus, b: &ServiceUpdateStatus) -> bool {
    a.state == b.state && a.started_at == b.started_at && a.message == b.message
}

fn with_message(head: &str, msg: &str) -> String {
    if msg.is_empty() {
        head.to_owned()
    } else {
        format!("{head}: {msg}")
    }
}

impl Watch<'_> {
    /// The update state of `svc` when it is news (not the one from before).
    fn fresh_state(&self, svc: &Svc) -> Option<S> {
        let now = svc.update.as_ref()?;
        if self.before.as_ref().is_some_and(|b| same_status(b, now)) {
            return None;
        }
        svc.update_state()
    }

    pub async fn run(self) -> End {
        let arrived = match self.flavor {
            Flavor::Scale => Step::Running,
            Flavor::Update | Flavor::Rollback => Step::Updated,
        };
        let mut shown: HashMap<String, (Step, bool, Option<String>)> = HashMap::new();
        let mut said_state: Option<(S, String)> = None;
        let mut said_count: Option<(u64, u64)> = None;
        let mut converged_at: Option<Instant> = None;
        let mut read_errors = 0;
        // Failed tasks already told (or there before the change).
        let mut failed_seen: Option<HashSet<String>> = None;
        // The swarm's name for it, once read (what `docker service ps` takes).
        let mut swarm_name = self.id.clone();
        loop {
            if self.rep.cancelled() {
                return End::cancelled(format!(
                    "stopped watching {}: the swarm carries on with the change by itself \
                     (docker service ps {swarm_name})",
                    self.display
                ));
            }
            let seen = match look(self.eng, &self.id).await {
                Ok(s) => {
                    read_errors = 0;
                    s
                }
                Err(e @ BackendError::NotFound { .. }) => return End::failed(e.to_string()),
                Err(e) => {
                    read_errors += 1;
                    if read_errors >= MAX_READ_ERRORS {
                        return End::failed(format!(
                            "lost sight of {}: {e}; the swarm carries on by itself",
                            self.display
                        ));
                    }
                    tokio::time::sleep(POLL).await;
                    continue;
                }
            };
            let svc = &seen.svc;
            swarm_name.clone_from(&svc.name);
            let state = self.fresh_state(svc);
            let msg = svc.update_message();
            if let Some(s) = state
                && said_state.as_ref() != Some(&(s, msg.clone()))
            {
                self.rep
                    .message(with_message(&format!("update {s}"), &msg))
                    .await;
                said_state = Some((s, msg.clone()));
            }
            let mode = svc.mode();
            let failed = failures(&seen.history, mode.is_global());
            // Failures listed at the first look happened before the change.
            let known =
                failed_seen.get_or_insert_with(|| failed.iter().map(|f| f.0.clone()).collect());
            for (task, key, error) in failed {
                if known.insert(task) {
                    let name = replica_name(&svc.name, &key, &seen.hostnames);
                    let row = (Step::Failed, false, Some(error));
                    self.rep.step(&name, row.0, row.1, row.2.clone()).await;
                    shown.insert(name, row);
                }
            }
            let slots = by_slot(&seen.tasks, &seen.active, mode.is_global());
            for (key, task) in &slots {
                let name = replica_name(&svc.name, key, &seen.hostnames);
                let host = seen
                    .hostnames
                    .get(&task.node_id)
                    .map(String::as_str)
                    .unwrap_or_default();
                let mut row = step_of(task, arrived, mode.is_job(), host);
                // Rolling out, a slot whose task of this spec is gone
                // waits for its new task (a rollback's spec had tasks once).
                if row.0 == Step::Removed && self.flavor != Flavor::Scale {
                    row = (
                        Step::Waiting,
                        false,
                        Some("waiting for its new task".to_owned()),
                    );
                }
                if shown.get(&name) != Some(&row) {
                    self.rep.step(&name, row.0, row.1, row.2.clone()).await;
                    shown.insert(name, row);
                }
            }
            match state {
                Some(S::PAUSED) => {
                    return End::failed(with_message(
                        &format!("the update of {} paused", self.display),
                        &msg,
                    ));
                }
                Some(S::ROLLBACK_PAUSED) => {
                    return End::failed(with_message(
                        &format!("the rollback of {} paused", self.display),
                        &msg,
                    ));
                }
                Some(S::ROLLBACK_COMPLETED) if self.flavor != Flavor::Rollback => {
                    return End::rolled_back(with_message(
                        &format!(
                            "the swarm rolled {} back to its previous spec",
                            self.display
                        ),
                        &msg,
                    ));
                }
                _ => {}
            }
            let t = tally(mode, &slots);
            if said_count != Some((t.done, t.wanted)) {
                let what = if mode.is_job() {
                    "completed"
                } else {
                    "running"
                };
                self.rep
                    .message(format!("{} of {} tasks {what}", t.done, t.wanted))
                    .await;
                said_count = Some((t.done, t.wanted));
            }
            let busy = matches!(state, Some(S::UPDATING | S::ROLLBACK_STARTED));
            if t.converged && !busy {
                if mode.is_job() || t.wanted == 0 {
                    return self.finish(&slots, &seen, &shown).await;
                }
                let monitor = service::monitor(&svc.spec);
                let since = match converged_at {
                    Some(at) => at,
                    None => {
                        self.rep
                            .message(format!(
                                "every task runs: watching them for {}s (the monitor window)",
                                monitor.as_secs_f64()
                            ))
                            .await;
                        *converged_at.insert(Instant::now())
                    }
                };
                let update_done = match self.flavor {
                    Flavor::Update => state == Some(S::COMPLETED),
                    Flavor::Rollback => state == Some(S::ROLLBACK_COMPLETED),
                    Flavor::Scale => false,
                };
                if update_done || since.elapsed() >= monitor {
                    return self.finish(&slots, &seen, &shown).await;
                }
            } else if converged_at.take().is_some() {
                let why = slots
                    .values()
                    .find(|t| !t.error.is_empty())
                    .map(|t| t.error.clone())
                    .unwrap_or_else(|| "a task stopped running".to_owned());
                self.rep
                    .message(format!("task failure detected while watching: {why}"))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Rows of the plan no task stands for any more were scaled away.
    async fn finish(
        &self,
        slots: &std::collections::BTreeMap<Key, SlotTask>,
        seen: &Seen,
        shown: &HashMap<String, (Step, bool, Option<String>)>,
    ) -> End {
        if self.flavor == Flavor::Scale {
            let present: HashSet<String> = slots
                .keys()
                .map(|k| replica_name(&seen.svc.name, k, &seen.hostnames))
                .collect();
            let gone: BTreeSet<&String> = self
                .planned
                .iter()
                .chain(shown.keys())
                .filter(|n| !present.contains(*n))
                .collect();
            for name in gone {
                self.rep.step(name, Step::Removed, true, None).await;
            }
        }
        End::converged(self.converged.clone())
    }
}
