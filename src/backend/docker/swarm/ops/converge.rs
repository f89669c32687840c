//! Where a service's tasks stand, folded the way `docker service update`
//! shows convergence: only tasks of the current spec on nodes that are not
//! down, one task per slot (per node for global services) — the one with
//! the lowest desired state, then the lowest state —, and a slot counts
//! once its task should run and runs.

use super::service::Mode;
use crate::domain::Step;
use bollard::models::{Task, TaskState};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Task states in lifecycle order; 0 for those progress ignores (remove,
/// orphaned).
pub fn rank(s: TaskState) -> u8 {
    use TaskState as T;
    match s {
        T::NEW => 1,
        T::ALLOCATED => 2,
        T::PENDING => 3,
        T::ASSIGNED => 4,
        T::ACCEPTED => 5,
        T::PREPARING => 6,
        T::READY => 7,
        T::STARTING => 8,
        T::RUNNING => 9,
        T::COMPLETE => 10,
        T::SHUTDOWN => 11,
        T::FAILED => 12,
        T::REJECTED => 13,
        T::REMOVE | T::ORPHANED => 0,
    }
}

/// Past running: the task will not run (again).
pub fn terminal(s: TaskState) -> bool {
    rank(s) > rank(TaskState::RUNNING)
}

/// A replicated service's slot, or the node of a global one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Slot(i64),
    Node(String),
}

/// The task that stands for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotTask {
    pub node_id: String,
    pub state: TaskState,
    pub desired: TaskState,
    /// The engine's error, else its message for a failed task.
    pub error: String,
}

impl SlotTask {
    fn of(t: &Task) -> Option<SlotTask> {
        let status = t.status.clone().unwrap_or_default();
        let state = status.state?;
        let desired = t.desired_state?;
        if rank(state) == 0 || rank(desired) == 0 {
            return None;
        }
        let mut error = status.err.unwrap_or_default();
        if error.is_empty() && matches!(state, TaskState::FAILED | TaskState::REJECTED) {
            error = status.message.unwrap_or_default();
        }
        Some(SlotTask {
            node_id: t.node_id.clone().unwrap_or_default(),
            state,
            desired,
            error,
        })
    }
}

/// One task per slot (per node when `per_node`): the lowest desired state
/// wins, then the lowest state. Tasks on nodes not in `active` are left
/// out (a task not placed yet has no node and stays).
pub fn by_slot(
    tasks: &[Task],
    active: &HashSet<String>,
    per_node: bool,
) -> BTreeMap<Key, SlotTask> {
    let mut out: BTreeMap<Key, SlotTask> = BTreeMap::new();
    for t in tasks {
        let Some(st) = SlotTask::of(t) else { continue };
        if !st.node_id.is_empty() && !active.contains(&st.node_id) {
            continue;
        }
        let key = if per_node {
            if st.node_id.is_empty() {
                continue;
            }
            Key::Node(st.node_id.clone())
        } else {
            Key::Slot(t.slot.unwrap_or_default())
        };
        let better = match out.get(&key) {
            None => true,
            Some(old) => (rank(st.desired), rank(st.state)) < (rank(old.desired), rank(old.state)),
        };
        if better {
            out.insert(key, st);
        }
    }
    out
}

/// How far a service is: tasks that count against those wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Running (completed, for a job).
    pub done: u64,
    pub wanted: u64,
    pub converged: bool,
}

pub fn tally(mode: Mode, slots: &BTreeMap<Key, SlotTask>) -> Tally {
    let running = |t: &&SlotTask| !terminal(t.desired) && t.state == TaskState::RUNNING;
    let complete = |t: &&SlotTask| t.state == TaskState::COMPLETE;
    let (done, wanted) = match mode {
        Mode::Replicated(n) => (slots.values().filter(running).count() as u64, n),
        Mode::Global => (
            slots.values().filter(running).count() as u64,
            slots.values().filter(|t| !terminal(t.desired)).count() as u64,
        ),
        Mode::ReplicatedJob(n) => (slots.values().filter(complete).count() as u64, n),
        Mode::GlobalJob => {
            let done = slots.values().filter(complete).count() as u64;
            (done, slots.len() as u64)
        }
    };
    // A global service or job with no task yet has not begun: wait.
    let begun = wanted > 0 || matches!(mode, Mode::Replicated(_) | Mode::ReplicatedJob(_));
    Tally {
        done,
        wanted,
        converged: begun
            && if mode.is_job() {
                done >= wanted
            } else {
                done == wanted
            },
    }
}

/// What a replica row shows for its slot's task: the step, whether
/// nothing more will happen to it, and the engine's words. `arrived` is
/// the step of a slot that runs what the operation wanted.
pub fn step_of(t: &SlotTask, arrived: Step, job: bool, node: &str) -> (Step, bool, Option<String>) {
    use TaskState as T;
    let on = |what: &str| {
        if node.is_empty() {
            what.to_owned()
        } else {
            format!("{what} on {node}")
        }
    };
    let error = || (!t.error.is_empty()).then(|| t.error.clone());
    if job && t.state == T::COMPLETE {
        return (arrived, true, Some(on("completed")));
    }
    // A job's tasks are meant to complete.
    let wanted_running = !terminal(t.desired) || (job && t.desired == T::COMPLETE);
    if wanted_running {
        return match t.state {
            T::RUNNING => (arrived, true, Some(on("running"))),
            T::PREPARING => (
                Step::Pulling,
                false,
                Some(on("preparing (pulling the image)")),
            ),
            T::READY | T::STARTING => (Step::Starting, false, Some(on("starting"))),
            s if terminal(s) => (Step::Failed, false, error().or_else(|| Some(s.to_string()))),
            s => (
                Step::Waiting,
                false,
                error().or_else(|| Some(s.to_string())),
            ),
        };
    }
    match t.state {
        s if !terminal(s) => (Step::Stopping, false, Some(on("shutting down"))),
        T::FAILED | T::REJECTED => (Step::Failed, false, error()),
        _ => (Step::Removed, true, None),
    }
}

/// `shop_web.2` for a slot, `shop_web.worker-1` for a node (its hostname).
pub fn replica_name(service: &str, key: &Key, hostnames: &HashMap<String, String>) -> String {
    match key {
        Key::Slot(n) => format!("{service}.{n}"),
        Key::Node(id) => {
            let host = hostnames
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.chars().take(12).collect());
            format!("{service}.{host}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::TaskStatus;

    fn task(slot: i64, node: &str, state: TaskState, desired: TaskState, err: &str) -> Task {
        Task {
            slot: Some(slot),
            node_id: Some(node.into()),
            desired_state: Some(desired),
            status: Some(TaskStatus {
                state: Some(state),
                err: (!err.is_empty()).then(|| err.to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn active(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    use TaskState as T;

    #[test]
    fn per_slot_the_lowest_desired_state_wins() {
        let tasks = vec![
            // Slot 1: the old task shuts down while the new one starts.
            task(1, "a", T::RUNNING, T::SHUTDOWN, ""),
            task(1, "a", T::STARTING, T::RUNNING, ""),
            // Slot 2: a failed try, then a running one.
            task(2, "b", T::FAILED, T::SHUTDOWN, "task: non-zero exit (1)"),
            task(2, "b", T::RUNNING, T::RUNNING, ""),
            // Slot 3: on a node that is down: not counted.
            task(3, "gone", T::RUNNING, T::RUNNING, ""),
        ];
        let slots = by_slot(&tasks, &active(&["a", "b"]), false);
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[&Key::Slot(1)].state, T::STARTING);
        assert_eq!(slots[&Key::Slot(2)].state, T::RUNNING);
        let t = tally(Mode::Replicated(2), &slots);
        assert_eq!(
            t,
            Tally {
                done: 1,
                wanted: 2,
                converged: false
            }
        );
        let t = tally(Mode::Replicated(1), &slots);
        assert!(t.converged);
    }

    #[test]
    fn start_first_ties_are_broken_by_the_lower_state() {
        let tasks = vec![
            task(1, "a", T::RUNNING, T::RUNNING, ""),
            task(1, "a", T::PREPARING, T::RUNNING, ""),
        ];
        let slots = by_slot(&tasks, &active(&["a"]), false);
        assert_eq!(slots[&Key::Slot(1)].state, T::PREPARING);
        assert!(!tally(Mode::Replicated(1), &slots).converged);
    }

    #[test]
    fn scaling_to_zero_converges_when_nothing_should_run() {
        let tasks = vec![
            task(1, "a", T::RUNNING, T::SHUTDOWN, ""),
            task(2, "a", T::SHUTDOWN, T::SHUTDOWN, ""),
        ];
        let slots = by_slot(&tasks, &active(&["a"]), false);
        assert_eq!(
            tally(Mode::Replicated(0), &slots),
            Tally {
                done: 0,
                wanted: 0,
                converged: true
            }
        );
        let (step, done, _) = step_of(&slots[&Key::Slot(1)], Step::Running, false, "a");
        assert_eq!((step, done), (Step::Stopping, false));
        let (step, done, _) = step_of(&slots[&Key::Slot(2)], Step::Running, false, "a");
        assert_eq!((step, done), (Step::Removed, true));
    }

    #[test]
    fn a_global_service_wants_one_task_per_node_and_has_not_begun_without_any() {
        assert!(!tally(Mode::Global, &BTreeMap::new()).converged);
        let tasks = vec![
            task(0, "a", T::RUNNING, T::RUNNING, ""),
            task(0, "b", T::PENDING, T::RUNNING, ""),
            task(0, "c", T::RUNNING, T::RUNNING, ""),
        ];
        let slots = by_slot(&tasks, &active(&["a", "b"]), true);
        assert_eq!(
            tally(Mode::Global, &slots),
            Tally {
                done: 1,
                wanted: 2,
                converged: false
            }
        );
        let names: HashMap<String, String> = [("a".to_owned(), "manager".to_owned())].into();
        assert_eq!(
            replica_name("mon", &Key::Node("a".into()), &names),
            "mon.manager"
        );
        assert_eq!(replica_name("web", &Key::Slot(3), &names), "web.3");
    }

    #[test]
    fn failed_tasks_show_the_engines_error() {
        let tasks = vec![
            task(1, "a", T::FAILED, T::RUNNING, "task: non-zero exit (1)"),
            task(
                2,
                "",
                T::PENDING,
                T::RUNNING,
                "No such image: 172.17.0.1:5000/x:1",
            ),
        ];
        let slots = by_slot(&tasks, &active(&["a"]), false);
        let (step, done, detail) = step_of(&slots[&Key::Slot(1)], Step::Updated, false, "a");
        assert_eq!(
            (step, done, detail.as_deref()),
            (Step::Failed, false, Some("task: non-zero exit (1)"))
        );
        let (step, _, detail) = step_of(&slots[&Key::Slot(2)], Step::Updated, false, "");
        assert_eq!(step, Step::Waiting);
        assert_eq!(
            detail.as_deref(),
            Some("No such image: 172.17.0.1:5000/x:1")
        );
        let running = SlotTask {
            node_id: "a".into(),
            state: T::RUNNING,
            desired: T::RUNNING,
            error: String::new(),
        };
        assert_eq!(
            step_of(&running, Step::Updated, false, "worker-1"),
            (Step::Updated, true, Some("running on worker-1".into()))
        );
    }

    #[test]
    fn jobs_count_completions() {
        let tasks = vec![
            task(1, "a", T::COMPLETE, T::COMPLETE, ""),
            task(2, "a", T::RUNNING, T::COMPLETE, ""),
        ];
        let slots = by_slot(&tasks, &active(&["a"]), false);
        assert_eq!(
            tally(Mode::ReplicatedJob(2), &slots),
            Tally {
                done: 1,
                wanted: 2,
                converged: false
            }
        );
    }
}
