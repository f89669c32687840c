//! Node availability on a swarm: drain, pause (cordon) and activate.
//!
//! `swarm::ops` calls three functions for a [`TargetRef::Node`]:
//!
//! - [`capabilities`]`(&TargetRef) -> Capabilities`: for a node, drain, pause
//!   and activate apply and every other operation is refused with a reason;
//!   for a service or a container only the node operations are listed
//!   (refused), for the caller to merge with its own.
//! - [`plan`]`(&Docker, endpoint: &str, OpRequest) -> Result<Plan, BackendError>`:
//!   reads the node, every task the swarm wants running and the services;
//!   changes nothing. A node already at the wanted availability is an error.
//! - [`execute`]`(&Docker, endpoint: &str, &OpRequest, &Report) -> End`: the
//!   caller makes the reporter (`Report::new(tx, cancel)`) and sends the end
//!   (`rep.finish(end)`); `execute` only sends steps and messages. It checks
//!   the capability again and re-reads the node (the plan may be old), sets
//!   the availability in the node's spec with its `Version` (retried once
//!   when someone else changed the node meanwhile), then for a drain follows
//!   the node's tasks every 500 ms until none is wanted running there and
//!   every moved replica runs on another node: one `Step::Moved` per task
//!   (detail `→ worker2`). A replacement the scheduler cannot place shows
//!   the task's error ("no suitable node …"); when only such ones are left
//!   for 10 s the drain ends `Failed`, saying the node is drained and what
//!   stays pending. Pause and activate converge once the node's inspect
//!   shows the new availability. Cancelling stops following; the swarm goes
//!   on with what it was doing.
//!
//! A drain moves a task only after it has stopped (docker/docs#9917): a
//! service whose every replica runs on the node is down in between, and the
//! plan says so.

use crate::backend::BackendError;
use crate::backend::docker::connect::classify;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, NodeRef, OpKind, OpRequest, Plan, Step, TargetRef};
use bollard::Docker;
use bollard::models::{
    Node, NodeSpecAvailabilityEnum as Avail, NodeSpecRoleEnum, NodeState, Service, Task, TaskState,
};
use bollard::query_parameters::{
    ListNodesOptions, ListServicesOptions, ListTasksOptionsBuilder, UpdateNodeOptions,
};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How often a drain looks at the tasks.
const POLL: Duration = Duration::from_millis(500);
/// Left with replacements the scheduler cannot place for this long, a drain
/// ends and says so (the swarm keeps them pending).
const UNPLACEABLE: Duration = Duration::from_secs(10);
/// Pause and activate show in the node's inspect at once; allow this long.
const SETTLE: Duration = Duration::from_secs(10);
/// Failed reads in a row before a drain stops following.
const READ_FAILURES: u32 = 5;

/// Which operations apply to `target` here, and why the others do not.
pub fn capabilities(target: &TargetRef) -> Capabilities {
    if !matches!(target, TargetRef::Node(_)) {
        return Capabilities(
            OpKind::ALL
                .iter()
                .filter(|k| k.is_node_op())
                .map(|&k| {
                    (
                        k,
                        Err(format!(
                            "{} applies to a swarm node, not a {}: select one in the nodes view",
                            k.label(),
                            target.noun()
                        )),
                    )
                })
                .collect(),
        );
    }
    Capabilities(
        OpKind::ALL
            .iter()
            .map(|&k| {
                let why = match k {
                    _ if k.is_node_op() => return (k, Ok(())),
                    OpKind::Scale => "a service",
                    _ => "a service or a container",
                };
                (
                    k,
                    Err(format!("{} applies to {why}, not a node", k.label())),
                )
            })
            .collect(),
    )
}

/// Reads the node and what runs on it, and says what `req` would do.
/// Changes nothing.
pub async fn plan(docker: &Docker, endpoint: &str, req: OpRequest) -> Result<Plan, BackendError> {
    capabilities(&req.target)
        .check(req.kind)
        .map_err(BackendError::Unsupported)?;
    let TargetRef::Node(node) = &req.target else {
        return Err(BackendError::Unsupported(format!(
            "{} applies to a swarm node",
            req.kind.label()
        )));
    };
    let view = read(docker, endpoint, node).await?;
    build(req, endpoint, &view).map_err(BackendError::Unsupported)
}

/// Carries out `req` on the node, reporting on `rep`; see the module's
/// documentation. Never sends `Finished`: the caller does, with the result.
pub async fn execute(docker: &Docker, endpoint: &str, req: &OpRequest, rep: &Report) -> End {
    if let Err(why) = capabilities(&req.target).check(req.kind) {
        return End::failed(why);
    }
    let (TargetRef::Node(node), Some(want)) = (&req.target, wanted(req.kind)) else {
        return End::failed(format!("{} applies to a swarm node", req.kind.label()));
    };
    if rep.cancelled() {
        return End::cancelled("cancelled before anything changed");
    }
    // What runs there before the change: the tasks a drain follows.
    let before = match read(docker, endpoint, node).await {
        Ok(v) => v,
        Err(e) => return End::failed(e.to_string()),
    };
    let name = hostname(&before.node).to_owned();
    let was = availability(&before.node);
    match set_availability(docker, endpoint, node, want).await {
        Ok(true) => {
            rep.message(format!("{name}: availability {was} → {want}"))
                .await
        }
        Ok(false) => {
            rep.message(format!("{name} was already {}", word(want)))
                .await
        }
        Err(e) => return End::failed(format!("{name}: {e}")),
    }
    if want == Avail::DRAIN {
        follow_drain(docker, endpoint, before, rep).await
    } else {
        settle(docker, endpoint, node, &name, want, &before, rep).await
    }
}

/// What a plan, and the start of a drain, read from the swarm.
struct View {
    node: Node,
    /// Every node: names, and who else could take tasks.
    nodes: Vec<Node>,
    /// Every task the swarm wants running, on any node.
    running: Vec<Task>,
    services: Vec<Service>,
}

impl View {
    fn node_id(&self) -> &str {
        self.node.id.as_deref().unwrap_or_default()
    }
}

async fn read(docker: &Docker, endpoint: &str, node: &NodeRef) -> Result<View, BackendError> {
    let err = |e: bollard::errors::Error| classify(endpoint, &e);
    let (found, nodes, running, services) = tokio::join!(
        inspect(docker, endpoint, node),
        docker.list_nodes(None::<ListNodesOptions>),
        wanted_running(docker),
        docker.list_services(None::<ListServicesOptions>),
    );
    Ok(View {
        node: found?,
        nodes: nodes.map_err(err)?,
        running: running.map_err(err)?,
        services: services.map_err(err)?,
    })
}

/// The node by id, or by name when the id is not the swarm's (a listing
/// that knew only the engine's id).
async fn inspect(docker: &Docker, endpoint: &str, node: &NodeRef) -> Result<Node, BackendError> {
    let not_found = |e: bollard::errors::Error| {
        if is_404(&e) {
            BackendError::NotFound {
                what: format!("node {}", node.name),
                hint: " in the swarm (docker node ls lists them)".to_owned(),
            }
        } else {
            classify(endpoint, &e)
        }
    };
    match docker.inspect_node(&node.id).await {
        Ok(n) => Ok(n),
        Err(e) if is_404(&e) && !node.name.is_empty() && node.name != node.id => {
            docker.inspect_node(&node.name).await.map_err(not_found)
        }
        Err(e) => Err(not_found(e)),
    }
}

fn is_404(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// Every task whose desired state is running.
async fn wanted_running(docker: &Docker) -> Result<Vec<Task>, bollard::errors::Error> {
    let filters = HashMap::from([("desired-state", vec!["running"])]);
    docker
        .list_tasks(Some(
            ListTasksOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
}

/// Sets the node's availability, keeping the rest of its spec. `Ok(false)`
/// when it already was. Someone else changing the node between the read
/// and the update ("update out of sequence") costs one retry.
async fn set_availability(
    docker: &Docker,
    endpoint: &str,
    node: &NodeRef,
    want: Avail,
) -> Result<bool, BackendError> {
    let mut retried = false;
    loop {
        let n = inspect(docker, endpoint, node).await?;
        if availability(&n) == want {
            return Ok(false);
        }
        let id = n.id.clone().unwrap_or_else(|| node.id.clone());
        let version = n.version.as_ref().and_then(|v| v.index).ok_or_else(|| {
            BackendError::Engine(format!("node {} has no version to update", node.name))
        })?;
        let mut spec = n.spec.unwrap_or_default();
        spec.availability = Some(want);
        let opts = UpdateNodeOptions {
            version: version as i64,
        };
        match docker.update_node(&id, spec, opts).await {
            Ok(()) => return Ok(true),
            Err(e) if !retried && out_of_sync(&e) => retried = true,
            Err(e) => return Err(classify(endpoint, &e)),
        }
    }
}

/// The swarm's answer to an update made with an old version.
fn out_of_sync(e: &bollard::errors::Error) -> bool {
    let text = e.to_string();
    text.contains("out of sequence") || text.contains("out of sync")
}

fn wanted(kind: OpKind) -> Option<Avail> {
    match kind {
        OpKind::Drain => Some(Avail::DRAIN),
        OpKind::Pause => Some(Avail::PAUSE),
        OpKind::Activate => Some(Avail::ACTIVE),
        _ => None,
    }
}

fn availability(n: &Node) -> Avail {
    n.spec
        .as_ref()
        .and_then(|s| s.availability)
        .unwrap_or(Avail::ACTIVE)
}

/// "active", "paused", "drained".
fn word(a: Avail) -> &'static str {
    match a {
        Avail::ACTIVE | Avail::EMPTY => "active",
        Avail::PAUSE => "paused",
        Avail::DRAIN => "drained",
    }
}

fn hostname(n: &Node) -> &str {
    n.description
        .as_ref()
        .and_then(|d| d.hostname.as_deref())
        .or_else(|| n.spec.as_ref().and_then(|s| s.name.as_deref()))
        .or(n.id.as_deref())
        .unwrap_or("node")
}

fn is_manager(n: &Node) -> bool {
    n.spec.as_ref().and_then(|s| s.role) == Some(NodeSpecRoleEnum::MANAGER)
        || n.manager_status.is_some()
}

fn ready(n: &Node) -> bool {
    n.status.as_ref().and_then(|s| s.state) == Some(NodeState::READY)
}

fn is_global(s: &Service) -> bool {
    s.spec
        .as_ref()
        .and_then(|s| s.mode.as_ref())
        .is_some_and(|m| m.global.is_some() || m.global_job.is_some())
}

fn service_name(s: &Service) -> &str {
    s.spec
        .as_ref()
        .and_then(|s| s.name.as_deref())
        .or(s.id.as_deref())
        .unwrap_or_default()
}

fn state(t: &Task) -> Option<TaskState> {
    t.status.as_ref().and_then(|s| s.state)
}

fn is_running(t: &Task) -> bool {
    state(t) == Some(TaskState::RUNNING)
}

/// Done with: the task's container is gone or never came.
fn is_over(t: &Task) -> bool {
    matches!(
        state(t),
        Some(
            TaskState::COMPLETE
                | TaskState::SHUTDOWN
                | TaskState::FAILED
                | TaskState::REJECTED
                | TaskState::REMOVE
                | TaskState::ORPHANED
        )
    )
}

fn on_node(t: &Task, node_id: &str) -> bool {
    t.node_id.as_deref() == Some(node_id)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// A task on the drained node, as the plan and the progress name it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Moving {
    /// `shop_web.2`; `agent.worker1` for a global service's task.
    name: String,
    task_id: String,
    service_id: String,
    service: String,
    /// The replica's slot; `None` for a global service's task, which
    /// stops and is not moved.
    slot: Option<i64>,
}

/// The node's tasks the swarm wants running, by service name and slot.
fn moving(node_id: &str, node_name: &str, running: &[Task], services: &[Service]) -> Vec<Moving> {
    let by_id: HashMap<&str, &Service> = services
        .iter()
        .filter_map(|s| Some((s.id.as_deref()?, s)))
        .collect();
    let mut out: Vec<Moving> = running
        .iter()
        .filter(|t| on_node(t, node_id))
        .map(|t| {
            let service_id = t.service_id.clone().unwrap_or_default();
            let svc = by_id.get(service_id.as_str());
            let service = svc
                .map(|s| service_name(s).to_owned())
                .unwrap_or_else(|| service_id.chars().take(12).collect());
            let global = svc.is_some_and(|s| is_global(s)) || t.slot.is_none();
            let slot = if global { None } else { t.slot };
            let name = match slot {
                Some(n) => format!("{service}.{n}"),
                None => format!("{service}.{node_name}"),
            };
            Moving {
                name,
                task_id: t.id.clone().unwrap_or_default(),
                service_id,
                service,
                slot,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.service.as_str(), a.slot, a.name.as_str()).cmp(&(b.service.as_str(), b.slot, &b.name))
    });
    out
}

/// The plan, from what was read.
fn build(req: OpRequest, endpoint: &str, v: &View) -> Result<Plan, String> {
    let want =
        wanted(req.kind).ok_or_else(|| format!("{} is no node operation", req.kind.label()))?;
    let name = hostname(&v.node).to_owned();
    let now = availability(&v.node);
    if now == want {
        return Err(format!("{name} is already {}", word(want)));
    }
    let id = v.node_id();
    let head = format!(
        "{} node {name} (now {}) on swarm {endpoint}",
        req.kind.label(),
        word(now)
    );
    let tasks = moving(id, &name, &v.running, &v.services);
    let mut details = Vec::new();
    let mut warnings = Vec::new();
    let mut replicas = Vec::new();
    let others_take = v
        .nodes
        .iter()
        .any(|n| n.id.as_deref() != Some(id) && availability(n) == Avail::ACTIVE && ready(n));
    let last_manager = is_manager(&v.node)
        && !v.nodes.iter().any(|n| {
            n.id.as_deref() != Some(id) && is_manager(n) && availability(n) == Avail::ACTIVE
        });
    let what = match want {
        Avail::DRAIN => {
            let (moved, stopped): (Vec<&Moving>, Vec<&Moving>) =
                tasks.iter().partition(|m| m.slot.is_some());
            let mut what = if moved.is_empty() {
                "no task moves".to_owned()
            } else {
                format!(
                    "{} stop there and move to other nodes",
                    plural(moved.len(), "task")
                )
            };
            if !stopped.is_empty() {
                what.push_str(&if stopped.len() == 1 {
                    "; 1 task of a global service stops".to_owned()
                } else {
                    format!("; {} tasks of global services stop", stopped.len())
                });
            }
            if !moved.is_empty() {
                let names: Vec<&str> = moved.iter().map(|m| m.name.as_str()).collect();
                details.push(format!("moves: {}", names.join(", ")));
                details.push(format!(
                    "each task stops on {name} before the swarm starts it on another node; \
                     berth follows until every moved replica runs"
                ));
            }
            warnings.extend(lone_services(id, &name, &moved, &v.running));
            for m in &stopped {
                warnings.push(format!(
                    "{} (global): its task on {name} stops and is not moved",
                    m.service
                ));
            }
            if !others_take {
                warnings.push(if moved.is_empty() {
                    "no other node is active and ready: the swarm has no node left to run tasks"
                        .to_owned()
                } else {
                    "no other node is active and ready: the moved tasks have nowhere to go and \
                     stay pending"
                        .to_owned()
                });
            }
            replicas = tasks.iter().map(|m| m.name.clone()).collect();
            what
        }
        Avail::PAUSE => {
            if !others_take {
                warnings.push(
                    "no other node is active and ready: new tasks have nowhere to go".to_owned(),
                );
            }
            match tasks.len() {
                0 => "takes no new tasks; it runs none".to_owned(),
                1 => "takes no new tasks; the 1 task it runs stays".to_owned(),
                n => format!("takes no new tasks; the {n} tasks it runs stay"),
            }
        }
        Avail::ACTIVE | Avail::EMPTY => {
            if now == Avail::DRAIN {
                details.push(
                    "to spread a service over the nodes again: docker service update --force \
                     SERVICE"
                        .to_owned(),
                );
            }
            "takes tasks again; running tasks are not moved back (swarm does not rebalance)"
                .to_owned()
        }
    };
    if last_manager && want != Avail::ACTIVE {
        warnings.push(format!(
            "{name} is the last active manager: tasks that must run on a manager \
             (node.role==manager) have nowhere to go"
        ));
    }
    Ok(Plan {
        summary: format!("{head} — {what}"),
        details,
        warnings,
        replicas,
        confirm_twice: false,
        // The node is read again (and its version) when it is changed.
        revision: None,
        request: req,
    })
}

/// Replicated services whose every running replica is on the node: down
/// from the moment their tasks stop until the swarm starts them elsewhere.
fn lone_services(node_id: &str, name: &str, moved: &[&Moving], running: &[Task]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for m in moved {
        if !seen.insert(m.service_id.as_str()) {
            continue;
        }
        let up: Vec<&Task> = running
            .iter()
            .filter(|t| t.service_id.as_deref() == Some(m.service_id.as_str()) && is_running(t))
            .collect();
        let here = up.iter().filter(|t| on_node(t, node_id)).count();
        if here == 0 || here != up.len() {
            continue;
        }
        out.push(if here == 1 {
            format!(
                "{}: its 1 replica runs on {name}: it is down until the swarm reschedules it",
                m.service
            )
        } else {
            format!(
                "{}: all {here} replicas run on {name}: it is down until the swarm reschedules them",
                m.service
            )
        });
    }
    out
}

/// Pause and activate: done once the node's inspect shows it.
async fn settle(
    docker: &Docker,
    endpoint: &str,
    node: &NodeRef,
    name: &str,
    want: Avail,
    before: &View,
    rep: &Report,
) -> End {
    let started = Instant::now();
    loop {
        if rep.cancelled() {
            return End::cancelled(format!(
                "stopped waiting; {name} was asked to be {}",
                word(want)
            ));
        }
        match inspect(docker, endpoint, node).await {
            Ok(n) if availability(&n) == want => break,
            Ok(n) if started.elapsed() >= SETTLE => {
                return End::failed(format!(
                    "{name} still shows as {} after {}s",
                    word(availability(&n)),
                    SETTLE.as_secs()
                ));
            }
            Err(e) if started.elapsed() >= SETTLE => return End::failed(e.to_string()),
            _ => tokio::time::sleep(POLL / 5).await,
        }
    }
    let runs = before
        .running
        .iter()
        .filter(|t| on_node(t, before.node_id()))
        .count();
    End::converged(match want {
        Avail::PAUSE => format!(
            "{name} is paused: it takes no new tasks; {} it runs {}",
            plural(runs, "task"),
            if runs == 1 { "stays" } else { "stay" }
        ),
        _ => format!("{name} is active: it takes tasks again (running tasks are not moved back)"),
    })
}

/// One task's row in the progress of a drain.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    name: String,
    step: Step,
    done: bool,
    detail: Option<String>,
    /// The replacement waits for a node the scheduler cannot find.
    unplaceable: bool,
}

impl Row {
    fn new(m: &Moving, step: Step, done: bool, detail: impl Into<String>) -> Row {
        Row {
            name: m.name.clone(),
            step,
            done,
            detail: Some(detail.into()),
            unplaceable: false,
        }
    }
}

/// Where each followed task is: `running` holds every task the swarm wants
/// running, `old` the followed tasks themselves (whatever their desired
/// state), `live` the ids of the services that still exist.
fn progress(
    followed: &[Moving],
    running: &[Task],
    old: &[Task],
    node_id: &str,
    node_names: &HashMap<String, String>,
    live: &HashSet<String>,
) -> Vec<Row> {
    let node_name = |id: Option<&str>| -> String {
        let id = id.unwrap_or_default();
        node_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.chars().take(12).collect())
    };
    let here = node_name(Some(node_id));
    followed
        .iter()
        .map(|m| {
            let still_wanted = running
                .iter()
                .any(|t| t.id.as_deref() == Some(m.task_id.as_str()));
            // A task the swarm no longer lists has long stopped.
            let stopping = old
                .iter()
                .find(|t| t.id.as_deref() == Some(m.task_id.as_str()))
                .is_some_and(|t| !is_over(t));
            if !live.contains(&m.service_id) {
                return Row::new(m, Step::Removed, true, "service removed");
            }
            if still_wanted {
                return Row::new(m, Step::Waiting, false, format!("on {here}"));
            }
            let Some(slot) = m.slot else {
                return if stopping {
                    Row::new(m, Step::Stopping, false, "global: not moved")
                } else {
                    Row::new(m, Step::Stopped, true, "global: not moved")
                };
            };
            let mut repl: Vec<&Task> = running
                .iter()
                .filter(|t| {
                    t.service_id.as_deref() == Some(m.service_id.as_str())
                        && t.slot == Some(slot)
                        && !on_node(t, node_id)
                })
                .collect();
            repl.sort_by_key(|t| !is_running(t));
            let Some(new) = repl.first() else {
                return if stopping {
                    Row::new(m, Step::Stopping, false, format!("on {here}"))
                } else {
                    Row::new(
                        m,
                        Step::Waiting,
                        false,
                        "waiting for the swarm to reschedule it",
                    )
                };
            };
            let to = format!("→ {}", node_name(new.node_id.as_deref()));
            if is_running(new) {
                return Row::new(m, Step::Moved, true, to);
            }
            if stopping {
                return Row::new(m, Step::Stopping, false, format!("on {here}"));
            }
            let err = new
                .status
                .as_ref()
                .and_then(|s| s.err.as_deref())
                .filter(|e| !e.is_empty());
            let assigned = new.node_id.as_deref().is_some_and(|n| !n.is_empty());
            match (assigned, err) {
                (false, Some(e)) => Row {
                    unplaceable: true,
                    ..Row::new(m, Step::Waiting, false, e)
                },
                (false, None) => Row::new(m, Step::Waiting, false, "being scheduled"),
                (true, Some(e)) => Row::new(m, Step::Starting, false, format!("{to}: {e}")),
                (true, None) => Row::new(m, Step::Starting, false, to),
            }
        })
        .collect()
}

/// Follows a drained node's tasks until none is wanted running there and
/// every moved replica runs elsewhere.
async fn follow_drain(docker: &Docker, endpoint: &str, first: View, rep: &Report) -> End {
    let node_id = first.node_id().to_owned();
    let name = hostname(&first.node).to_owned();
    let mut followed = moving(&node_id, &name, &first.running, &first.services);
    let mut shown: HashMap<String, (Step, bool, Option<String>)> = HashMap::new();
    let mut stuck_since: Option<Instant> = None;
    let mut failures = 0;
    let mut first = Some(first);
    loop {
        if rep.cancelled() {
            let left = followed
                .iter()
                .filter(|m| !shown.get(&m.name).is_some_and(|(_, done, _)| *done))
                .count();
            return End::cancelled(format!(
                "stopped following: {name} is drained; {} still on the move (the swarm goes on)",
                plural(left, "task")
            ));
        }
        let read = match first.take() {
            Some(v) => Ok((v.running, v.nodes, v.services)),
            None => poll(docker, endpoint).await,
        };
        let (running, nodes, services) = match read {
            Ok(r) => {
                failures = 0;
                r
            }
            Err(e) => {
                failures += 1;
                if failures >= READ_FAILURES {
                    return End::failed(format!(
                        "{name} is drained, but its tasks could not be followed: {e}"
                    ));
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        // A task placed there between the plan and the drain moves too.
        let known: HashSet<String> = followed.iter().map(|m| m.task_id.clone()).collect();
        followed.extend(
            moving(&node_id, &name, &running, &services)
                .into_iter()
                .filter(|m| !known.contains(&m.task_id)),
        );
        let ids: Vec<String> = followed.iter().map(|m| m.task_id.clone()).collect();
        let old = match tasks_by_id(docker, &ids).await {
            Ok(t) => t,
            Err(e) => {
                failures += 1;
                if failures >= READ_FAILURES {
                    return End::failed(format!(
                        "{name} is drained, but its tasks could not be followed: {}",
                        classify(endpoint, &e)
                    ));
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        let names: HashMap<String, String> = nodes
            .iter()
            .filter_map(|n| Some((n.id.clone()?, hostname(n).to_owned())))
            .collect();
        let live: HashSet<String> = services.iter().filter_map(|s| s.id.clone()).collect();
        let rows = progress(&followed, &running, &old, &node_id, &names, &live);
        for r in &rows {
            let now = (r.step, r.done, r.detail.clone());
            if shown.get(&r.name) != Some(&now) {
                rep.step(&r.name, r.step, r.done, r.detail.clone()).await;
                shown.insert(r.name.clone(), now);
            }
        }
        let still_there = running.iter().any(|t| on_node(t, &node_id));
        let open: Vec<&Row> = rows.iter().filter(|r| !r.done).collect();
        if !still_there && open.is_empty() {
            return End::converged(drained(&name, &rows));
        }
        if !still_there && open.iter().all(|r| r.unplaceable) {
            let since = *stuck_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= UNPLACEABLE {
                for r in &open {
                    rep.step(&r.name, Step::Failed, true, r.detail.clone())
                        .await;
                }
                let why: Vec<String> = open
                    .iter()
                    .map(|r| format!("{}: {}", r.name, r.detail.as_deref().unwrap_or_default()))
                    .collect();
                return End::failed(format!(
                    "{name} is drained, but {} cannot be placed on another node ({}); the swarm \
                     keeps {} pending until a node can take {}",
                    plural(open.len(), "task"),
                    why.join("; "),
                    if open.len() == 1 { "it" } else { "them" },
                    if open.len() == 1 { "it" } else { "them" },
                ));
            }
        } else {
            stuck_since = None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// One look at the swarm during a drain.
async fn poll(
    docker: &Docker,
    endpoint: &str,
) -> Result<(Vec<Task>, Vec<Node>, Vec<Service>), BackendError> {
    let (running, nodes, services) = tokio::try_join!(
        wanted_running(docker),
        docker.list_nodes(None::<ListNodesOptions>),
        docker.list_services(None::<ListServicesOptions>),
    )
    .map_err(|e| classify(endpoint, &e))?;
    Ok((running, nodes, services))
}

async fn tasks_by_id(docker: &Docker, ids: &[String]) -> Result<Vec<Task>, bollard::errors::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let filters = HashMap::from([("id", ids.to_vec())]);
    docker
        .list_tasks(Some(
            ListTasksOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
}

/// "worker1 is drained: 3 tasks moved to other nodes, 1 global task stopped"
fn drained(name: &str, rows: &[Row]) -> String {
    let count = |s: Step| rows.iter().filter(|r| r.step == s).count();
    let mut parts = Vec::new();
    if count(Step::Moved) > 0 {
        parts.push(format!(
            "{} moved to other nodes",
            plural(count(Step::Moved), "task")
        ));
    }
    if count(Step::Stopped) > 0 {
        parts.push(match count(Step::Stopped) {
            1 => "1 task of a global service stopped".to_owned(),
            n => format!("{n} tasks of global services stopped"),
        });
    }
    if count(Step::Removed) > 0 {
        parts.push(match count(Step::Removed) {
            1 => "1 task of a removed service gone".to_owned(),
            n => format!("{n} tasks of removed services gone"),
        });
    }
    if parts.is_empty() {
        format!("{name} is drained: it ran no tasks")
    } else {
        format!("{name} is drained: {}", parts.join(", "))
    }
}

#[cfg(test)]
#[path = "node_tests.rs"]
mod tests;
