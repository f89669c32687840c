//! Operations: what an operator asks a backend to change, what the backend
//! says it will do before anything changes (the plan), and how it reports
//! progress until the change converges. Plain data shared by every backend,
//! the console and the headless commands.

use super::{Service, ServiceKind, ServiceMode};
use serde::{Deserialize, Serialize};

/// The operations berth can run. Every one of them changes the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    Restart,
    Stop,
    Start,
    Redeploy,
    Rollback,
    Scale,
    /// A node takes no new tasks and its tasks move elsewhere.
    Drain,
    /// A node takes no new tasks; those it runs stay (cordon).
    Pause,
    /// A paused or drained node takes tasks again (uncordon).
    Activate,
}

impl OpKind {
    pub const ALL: [OpKind; 9] = [
        OpKind::Restart,
        OpKind::Stop,
        OpKind::Start,
        OpKind::Redeploy,
        OpKind::Rollback,
        OpKind::Scale,
        OpKind::Drain,
        OpKind::Pause,
        OpKind::Activate,
    ];

    /// Operations that change a node's availability, not a workload.
    pub fn is_node_op(self) -> bool {
        matches!(self, OpKind::Drain | OpKind::Pause | OpKind::Activate)
    }

    pub fn label(self) -> &'static str {
        match self {
            OpKind::Restart => "restart",
            OpKind::Stop => "stop",
            OpKind::Start => "start",
            OpKind::Redeploy => "redeploy",
            OpKind::Rollback => "rollback",
            OpKind::Scale => "scale",
            OpKind::Drain => "drain",
            OpKind::Pause => "pause",
            OpKind::Activate => "activate",
        }
    }
}

/// A service as the backend knows it: `id` is the key its containers carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRef {
    pub id: String,
    /// As `ls services` prints it (`stack/service`).
    pub name: String,
    pub kind: ServiceKind,
    pub mode: ServiceMode,
}

impl ServiceRef {
    /// The reference of a listed service.
    pub fn of(s: &Service) -> ServiceRef {
        ServiceRef {
            id: s.id.clone(),
            name: s.qualified_name(),
            kind: s.kind,
            mode: s.mode,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerRef {
    pub id: String,
    pub name: String,
    /// The owner's [`ServiceRef::id`] and kind.
    pub service_id: String,
    pub service_kind: ServiceKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    pub id: String,
    pub name: String,
}

/// What an operation or a log view acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRef {
    Service(ServiceRef),
    Container(ContainerRef),
    Node(NodeRef),
}

impl TargetRef {
    /// The name an operator reads and types.
    pub fn name(&self) -> &str {
        match self {
            TargetRef::Service(s) => &s.name,
            TargetRef::Container(c) => &c.name,
            TargetRef::Node(n) => &n.name,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            TargetRef::Service(s) => &s.id,
            TargetRef::Container(c) => &c.id,
            TargetRef::Node(n) => &n.id,
        }
    }

    /// "service", "container", "node".
    pub fn noun(&self) -> &'static str {
        match self {
            TargetRef::Service(_) => "service",
            TargetRef::Container(_) => "container",
            TargetRef::Node(_) => "node",
        }
    }
}

/// One operation as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpRequest {
    pub kind: OpKind,
    pub target: TargetRef,
    /// For scale: the number of replicas wanted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
}

impl OpRequest {
    /// "scale shop/web to 3", "redeploy shop/web".
    pub fn describe(&self) -> String {
        match (self.kind, self.replicas) {
            (OpKind::Scale, Some(n)) => format!("scale {} to {n}", self.target.name()),
            (k, _) => format!("{} {}", k.label(), self.target.name()),
        }
    }
}

/// Which operations apply to a target; for the others, why not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities(pub Vec<(OpKind, Result<(), String>)>);

impl Capabilities {
    /// Every operation refused for the same reason.
    pub fn none(why: &str) -> Capabilities {
        Capabilities(
            OpKind::ALL
                .iter()
                .map(|k| (*k, Err(why.to_owned())))
                .collect(),
        )
    }

    pub fn check(&self, kind: OpKind) -> Result<(), String> {
        self.0
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| Err(format!("{} is not supported here", kind.label())))
    }
}

/// What the backend will do, computed from the engine before asking: the
/// confirmation shows it, and `execute` carries it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub request: OpRequest,
    /// One sentence naming the engine, the target and what changes.
    pub summary: String,
    /// Further lines: differences, the order of the work.
    pub details: Vec<String>,
    /// What the operator must know before saying yes.
    pub warnings: Vec<String>,
    /// The replicas the operation touches, in the order it will.
    pub replicas: Vec<String>,
    /// Ask a second time (scaling to 0 stops the service).
    pub confirm_twice: bool,
    /// The version of the engine object the plan was read from (a swarm
    /// service's or node's `Version.Index`): execute updates from it, so a
    /// change made in between is noticed rather than silently overwritten.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// Where one replica is in an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Waiting,
    Pulling,
    Creating,
    Stopping,
    Starting,
    Restarting,
    Running,
    Healthy,
    /// Replaced: the old container is gone, the new one runs.
    OldRemoved,
    Stopped,
    Removed,
    /// The replica could not be changed; the old one was put back.
    Restored,
    Failed,
    /// A swarm slot runs a task of the new spec.
    Updated,
    /// A swarm task moved off a drained node (or is about to).
    Moved,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::Waiting => "waiting",
            Step::Pulling => "pulling",
            Step::Creating => "creating",
            Step::Stopping => "stopping",
            Step::Starting => "starting",
            Step::Restarting => "restarting",
            Step::Running => "running",
            Step::Healthy => "healthy",
            Step::OldRemoved => "old removed",
            Step::Stopped => "stopped",
            Step::Removed => "removed",
            Step::Restored => "restored",
            Step::Failed => "failed",
            Step::Updated => "updated",
            Step::Moved => "moved",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Everything reached the wanted state.
    Converged,
    /// It stopped on an error; nothing is left half-done.
    Failed,
    /// A replacement could not run; the old container runs again.
    Restored,
    /// The operator stopped it; the replica in hand was finished first.
    Cancelled,
    /// The update failed and the engine rolled it back by itself
    /// (swarm `failure_action: rollback`).
    RolledBack,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Converged => "converged",
            Outcome::Failed => "failed",
            Outcome::Restored => "restored",
            Outcome::Cancelled => "cancelled",
            Outcome::RolledBack => "rolled back",
        }
    }
}

/// What `execute` reports, in order; `Finished` is always the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum OpEvent {
    /// A replica reached a step; `done` when nothing more will happen to
    /// it. A replica not in the plan (scaling up) is added.
    Step {
        replica: String,
        step: Step,
        done: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A line for the operator: pull progress, the engine's words.
    Message {
        text: String,
    },
    Finished {
        outcome: Outcome,
        message: String,
    },
}

/// One replica's row in the progress view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaProgress {
    pub name: String,
    pub step: Step,
    pub done: bool,
    pub detail: Option<String>,
}

/// Messages an operation keeps at most (the newest).
const MAX_MESSAGES: usize = 200;

/// A running or finished operation, as progress events built it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub id: u64,
    pub plan: Plan,
    /// Unix seconds.
    pub started: i64,
    pub finished: Option<i64>,
    pub replicas: Vec<ReplicaProgress>,
    pub messages: Vec<String>,
    pub outcome: Option<Outcome>,
    /// The last word: what converged, or what failed and why.
    pub result: Option<String>,
}

impl Operation {
    pub fn new(id: u64, plan: Plan, started: i64) -> Operation {
        let replicas = plan
            .replicas
            .iter()
            .map(|name| ReplicaProgress {
                name: name.clone(),
                step: Step::Waiting,
                done: false,
                detail: None,
            })
            .collect();
        Operation {
            id,
            plan,
            started,
            finished: None,
            replicas,
            messages: Vec::new(),
            outcome: None,
            result: None,
        }
    }

    /// Folds one event in; `now` stamps the end.
    pub fn apply(&mut self, ev: &OpEvent, now: i64) {
        match ev {
            OpEvent::Step {
                replica,
                step,
                done,
                detail,
            } => {
                let row = match self.replicas.iter_mut().find(|r| &r.name == replica) {
                    Some(r) => r,
                    None => {
                        self.replicas.push(ReplicaProgress {
                            name: replica.clone(),
                            step: *step,
                            done: false,
                            detail: None,
                        });
                        let last = self.replicas.len() - 1;
                        &mut self.replicas[last]
                    }
                };
                row.step = *step;
                row.done = *done;
                row.detail = detail.clone();
            }
            OpEvent::Message { text } => {
                if self.messages.len() == MAX_MESSAGES {
                    self.messages.remove(0);
                }
                self.messages.push(text.clone());
            }
            OpEvent::Finished { outcome, message } => {
                self.outcome = Some(*outcome);
                self.result = Some(message.clone());
                self.finished = Some(now);
            }
        }
    }

    pub fn is_running(&self) -> bool {
        self.outcome.is_none()
    }

    /// Replicas finished with, and all of them.
    pub fn done(&self) -> (usize, usize) {
        let done = self.replicas.iter().filter(|r| r.done).count();
        (done, self.replicas.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            request: OpRequest {
                kind: OpKind::Redeploy,
                target: TargetRef::Service(ServiceRef {
                    id: "shop/web".into(),
                    name: "shop/web".into(),
                    kind: ServiceKind::Compose,
                    mode: ServiceMode::Replicated,
                }),
                replicas: None,
            },
            summary: "redeploy shop/web".into(),
            details: vec![],
            warnings: vec![],
            replicas: vec!["shop_web_1".into(), "shop_web_2".into()],
            confirm_twice: false,
            revision: None,
        }
    }

    #[test]
    fn progress_counts_finished_replicas_and_adds_new_ones() {
        let mut op = Operation::new(1, plan(), 100);
        assert_eq!(op.done(), (0, 2));
        let step = |r: &str, s, done| OpEvent::Step {
            replica: r.into(),
            step: s,
            done,
            detail: None,
        };
        op.apply(&step("shop_web_1", Step::Creating, false), 101);
        op.apply(&step("shop_web_1", Step::OldRemoved, true), 102);
        op.apply(&step("shop_web_3", Step::Running, false), 103);
        assert_eq!(op.done(), (1, 3));
        assert!(op.is_running());
        op.apply(
            &OpEvent::Finished {
                outcome: Outcome::Converged,
                message: "done".into(),
            },
            104,
        );
        assert!(!op.is_running());
        assert_eq!(op.finished, Some(104));
    }

    #[test]
    fn capabilities_say_why_not() {
        let c = Capabilities(vec![
            (OpKind::Restart, Ok(())),
            (
                OpKind::Scale,
                Err("a standalone container cannot scale".into()),
            ),
        ]);
        assert_eq!(c.check(OpKind::Restart), Ok(()));
        assert!(
            c.check(OpKind::Scale)
                .is_err_and(|e| e.contains("standalone"))
        );
        assert!(c.check(OpKind::Rollback).is_err());
    }

    #[test]
    fn events_serialise_as_one_tagged_object() {
        let ev = OpEvent::Step {
            replica: "a".into(),
            step: Step::OldRemoved,
            done: true,
            detail: None,
        };
        assert_eq!(
            serde_json::to_string(&ev).ok().as_deref(),
            Some(r#"{"event":"step","replica":"a","step":"old_removed","done":true}"#)
        );
    }
}
