//! Node plans and drain progress from hand-built swarm objects (the real
//! swarm is in tests/swarm_nodes.rs).

use super::*;
use bollard::models::{
    ManagerStatus, NodeDescription, NodeSpec, NodeStatus, ObjectVersion, ServiceSpec,
    ServiceSpecMode, ServiceSpecModeReplicated, TaskStatus,
};

const EP: &str = "unix:///var/run/docker.sock";

fn node(id: &str, avail: Avail, manager: bool) -> Node {
    Node {
        id: Some(id.into()),
        version: Some(ObjectVersion { index: Some(7) }),
        spec: Some(NodeSpec {
            availability: Some(avail),
            role: Some(if manager {
                NodeSpecRoleEnum::MANAGER
            } else {
                NodeSpecRoleEnum::WORKER
            }),
            ..Default::default()
        }),
        description: Some(NodeDescription {
            hostname: Some(id.into()),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            state: Some(NodeState::READY),
            ..Default::default()
        }),
        manager_status: manager.then(ManagerStatus::default),
        ..Default::default()
    }
}

fn service(name: &str, global: bool) -> Service {
    Service {
        id: Some(format!("id-{name}")),
        spec: Some(ServiceSpec {
            name: Some(name.into()),
            mode: Some(if global {
                ServiceSpecMode {
                    global: Some(HashMap::new()),
                    ..Default::default()
                }
            } else {
                ServiceSpecMode {
                    replicated: Some(ServiceSpecModeReplicated { replicas: Some(1) }),
                    ..Default::default()
                }
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn task(id: &str, service: &str, slot: Option<i64>, node: &str, state: TaskState) -> Task {
    Task {
        id: Some(id.into()),
        service_id: Some(format!("id-{service}")),
        slot,
        node_id: (!node.is_empty()).then(|| node.into()),
        desired_state: Some(TaskState::RUNNING),
        status: Some(TaskStatus {
            state: Some(state),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn req(kind: OpKind) -> OpRequest {
    OpRequest {
        kind,
        target: TargetRef::Node(NodeRef {
            id: "worker1".into(),
            name: "worker1".into(),
        }),
        replicas: None,
    }
}

/// worker1 (active) runs web.1 and web.2 (web.3 is on worker2), db.1 (its
/// only replica) and agent's global task.
fn swarm() -> View {
    let r = TaskState::RUNNING;
    View {
        node: node("worker1", Avail::ACTIVE, false),
        nodes: vec![
            node("manager", Avail::ACTIVE, true),
            node("worker1", Avail::ACTIVE, false),
            node("worker2", Avail::ACTIVE, false),
        ],
        running: vec![
            task("t1", "web", Some(1), "worker1", r),
            task("t2", "web", Some(2), "worker1", r),
            task("t3", "web", Some(3), "worker2", r),
            task("t4", "db", Some(1), "worker1", r),
            task("t5", "agent", None, "worker1", r),
            task("t6", "agent", None, "worker2", r),
        ],
        services: vec![
            service("web", false),
            service("db", false),
            service("agent", true),
        ],
    }
}

#[test]
fn a_node_takes_node_operations_and_refuses_the_others_with_a_reason() {
    let c = capabilities(&req(OpKind::Drain).target);
    for k in [OpKind::Drain, OpKind::Pause, OpKind::Activate] {
        assert_eq!(c.check(k), Ok(()), "{k:?}");
    }
    assert_eq!(
        c.check(OpKind::Restart),
        Err("restart applies to a service or a container, not a node".into())
    );
    assert_eq!(
        c.check(OpKind::Scale),
        Err("scale applies to a service, not a node".into())
    );
    let svc = TargetRef::Service(crate::domain::ServiceRef {
        id: "x".into(),
        name: "shop_web".into(),
        kind: crate::domain::ServiceKind::Swarm,
        mode: crate::domain::ServiceMode::Replicated,
    });
    let why = capabilities(&svc).check(OpKind::Drain).unwrap_err();
    assert!(why.contains("not a service"), "{why}");
}

#[test]
fn a_drain_plan_names_the_tasks_that_move_and_what_goes_down() {
    let p = build(req(OpKind::Drain), EP, &swarm()).expect("plan");
    assert_eq!(
        p.summary,
        format!(
            "drain node worker1 (now active) on swarm {EP} — 3 tasks stop there and move to \
             other nodes; 1 task of a global service stops"
        )
    );
    assert_eq!(p.details[0], "moves: db.1, web.1, web.2");
    assert_eq!(p.replicas, ["agent.worker1", "db.1", "web.1", "web.2"]);
    assert_eq!(
        p.warnings,
        [
            "db: its 1 replica runs on worker1: it is down until the swarm reschedules it",
            "agent (global): its task on worker1 stops and is not moved",
        ]
    );
    assert!(!p.confirm_twice);
}

#[test]
fn every_replica_on_the_node_is_a_warning_but_a_pending_one_elsewhere_is_not_up() {
    let mut v = swarm();
    // web.3 is not running (pending): web's running replicas are all on worker1.
    v.running[2] = task("t3", "web", Some(3), "", TaskState::PENDING);
    let p = build(req(OpKind::Drain), EP, &v).expect("plan");
    assert!(
        p.warnings.iter().any(|w| w
            == "web: all 2 replicas run on worker1: it is down until the swarm reschedules them"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn draining_the_last_node_or_the_last_active_manager_is_a_warning() {
    let mut v = swarm();
    v.nodes[0] = node("manager", Avail::DRAIN, true);
    v.nodes[2] = node("worker2", Avail::PAUSE, false);
    let p = build(req(OpKind::Drain), EP, &v).expect("plan");
    assert!(
        p.warnings.iter().any(|w| w.contains("nowhere to go")),
        "{:?}",
        p.warnings
    );
    let mut v = swarm();
    v.node = node("manager", Avail::ACTIVE, true);
    v.nodes.push(node("manager2", Avail::DRAIN, true));
    let mut r = req(OpKind::Pause);
    r.target = TargetRef::Node(NodeRef {
        id: "manager".into(),
        name: "manager".into(),
    });
    let p = build(r, EP, &v).expect("plan");
    assert_eq!(
        p.warnings,
        [
            "manager is the last active manager: tasks that must run on a manager \
          (node.role==manager) have nowhere to go"
        ]
    );
}

#[test]
fn pause_and_activate_plans_say_what_stays() {
    let p = build(req(OpKind::Pause), EP, &swarm()).expect("plan");
    assert!(
        p.summary
            .ends_with("— takes no new tasks; the 4 tasks it runs stay"),
        "{}",
        p.summary
    );
    assert!(p.replicas.is_empty() && p.warnings.is_empty());
    let mut v = swarm();
    v.node = node("worker1", Avail::DRAIN, false);
    let p = build(req(OpKind::Activate), EP, &v).expect("plan");
    assert_eq!(
        p.summary,
        format!(
            "activate node worker1 (now drained) on swarm {EP} — takes tasks again; running \
             tasks are not moved back (swarm does not rebalance)"
        )
    );
}

#[test]
fn a_node_already_there_is_an_error() {
    let mut v = swarm();
    v.node = node("worker1", Avail::DRAIN, false);
    assert_eq!(
        build(req(OpKind::Drain), EP, &v),
        Err("worker1 is already drained".into())
    );
    assert_eq!(
        build(req(OpKind::Activate), EP, &swarm()),
        Err("worker1 is already active".into())
    );
}

fn rows(v: &View, running: &[Task], old: &[Task]) -> Vec<(String, Step, bool, String)> {
    let followed = moving("worker1", "worker1", &v.running, &v.services);
    let names = ["manager", "worker1", "worker2"]
        .iter()
        .map(|n| (n.to_string(), n.to_string()))
        .collect();
    let live = v.services.iter().filter_map(|s| s.id.clone()).collect();
    progress(&followed, running, old, "worker1", &names, &live)
        .into_iter()
        .map(|r| (r.name, r.step, r.done, r.detail.unwrap_or_default()))
        .collect()
}

fn shutdown(t: &Task, state: TaskState) -> Task {
    Task {
        desired_state: Some(TaskState::SHUTDOWN),
        status: Some(TaskStatus {
            state: Some(state),
            ..Default::default()
        }),
        ..t.clone()
    }
}

#[test]
fn drain_progress_follows_each_task_from_its_node_to_another() {
    let v = swarm();
    let r = TaskState::RUNNING;
    let old: Vec<Task> = v.running.iter().map(|t| shutdown(t, r)).collect();
    // Asked to stop, still running: stopping; not yet asked: waiting.
    let running = vec![v.running[1].clone(), v.running[2].clone()];
    let got = rows(&v, &running, &old);
    assert_eq!(
        got[0],
        (
            "agent.worker1".into(),
            Step::Stopping,
            false,
            "global: not moved".into()
        )
    );
    assert_eq!(
        got[2],
        ("web.1".into(), Step::Stopping, false, "on worker1".into())
    );
    assert_eq!(
        got[3],
        ("web.2".into(), Step::Waiting, false, "on worker1".into())
    );
    // Stopped; web.1 runs on worker2, web.2 starts on manager, db.1 cannot
    // be placed, agent's task is gone.
    let old: Vec<Task> = v
        .running
        .iter()
        .map(|t| shutdown(t, TaskState::SHUTDOWN))
        .collect();
    let mut pending = task("n4", "db", Some(1), "", TaskState::PENDING);
    if let Some(s) = pending.status.as_mut() {
        s.err = Some("no suitable node (scheduling constraints not satisfied on 3 nodes)".into());
    }
    let running = vec![
        v.running[2].clone(),
        task("n1", "web", Some(1), "worker2", r),
        task("n2", "web", Some(2), "manager", TaskState::PREPARING),
        pending,
    ];
    let got = rows(&v, &running, &old);
    assert_eq!(
        got,
        [
            (
                "agent.worker1".into(),
                Step::Stopped,
                true,
                "global: not moved".into()
            ),
            (
                "db.1".into(),
                Step::Waiting,
                false,
                "no suitable node (scheduling constraints not satisfied on 3 nodes)".into()
            ),
            ("web.1".into(), Step::Moved, true, "→ worker2".into()),
            ("web.2".into(), Step::Starting, false, "→ manager".into()),
        ]
    );
    let followed = moving("worker1", "worker1", &v.running, &v.services);
    let live = v.services.iter().filter_map(|s| s.id.clone()).collect();
    let unplaceable: Vec<bool> =
        progress(&followed, &running, &old, "worker1", &HashMap::new(), &live)
            .iter()
            .map(|r| r.unplaceable)
            .collect();
    assert_eq!(unplaceable, [false, true, false, false]);
}

#[test]
fn a_removed_service_is_done_with() {
    let mut v = swarm();
    let followed = moving("worker1", "worker1", &v.running, &v.services);
    v.services.retain(|s| service_name(s) != "db");
    let live: HashSet<String> = v.services.iter().filter_map(|s| s.id.clone()).collect();
    let got = progress(&followed, &[], &[], "worker1", &HashMap::new(), &live);
    assert_eq!((got[1].step, got[1].done), (Step::Removed, true));
    assert_eq!(
        drained("worker1", &got[1..2]),
        "worker1 is drained: 1 task of a removed service gone"
    );
}

#[test]
fn an_update_with_an_old_version_is_retried() {
    let e = bollard::errors::Error::DockerResponseServerError {
        status_code: 500,
        message: "rpc error: code = Unknown desc = update out of sequence".into(),
    };
    assert!(out_of_sync(&e));
}
