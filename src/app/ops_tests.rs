//! Reducer tests for operations: key, check, prompt, plan, confirmation,
//! progress and audit, with plans built by hand (the engines are tested
//! against real ones elsewhere).

use super::update_tests::{act, key, state_with};
use super::*;
use crate::backend::{BackendEvent, ConnectionState};
use crate::domain::fixtures::NOW;
use crate::domain::{
    OpEvent, OpKind, OpRequest, Outcome, Plan, ServiceKind, ServiceMode, ServiceRef, Step,
    TargetRef,
};
use crossterm::event::KeyCode;
use std::sync::Arc;

fn web() -> TargetRef {
    TargetRef::Service(ServiceRef {
        id: "shop/web".into(),
        name: "shop/web".into(),
        kind: ServiceKind::Compose,
        mode: ServiceMode::Replicated,
    })
}

fn plan(kind: OpKind, replicas: Option<u32>) -> Plan {
    Plan {
        request: OpRequest {
            kind,
            target: web(),
            replicas,
        },
        summary: "Docker Engine: replace both containers of compose service shop/web".into(),
        details: vec![],
        warnings: vec![],
        replicas: vec!["shop-web-1".into(), "shop-web-2".into()],
        confirm_twice: false,
        revision: None,
    }
}

/// The services view with shop/web selected.
pub(super) fn on_web(read_only: bool) -> AppState {
    let mut s = state_with(read_only);
    act(&mut s, &[Action::ViewServices, Action::End]);
    s
}

fn audits(cmds: &[Command]) -> Vec<(String, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Audit { req, result, .. } => Some((req.describe(), result.clone())),
            _ => None,
        })
        .collect()
}

fn notice(s: &AppState) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

/// The operation key `a` asks the runtime for a capability check; returns
/// the request and what the reducer does when the check passes.
fn checked_ok(s: &mut AppState, a: Action) -> (OpRequest, Vec<Command>) {
    let req = asked(s, a);
    let cmds = update(
        s,
        Msg::Checked {
            req: req.clone(),
            result: Ok(()),
        },
    );
    (req, cmds)
}

/// The operation key `a` asks the runtime for a capability check.
fn asked(s: &mut AppState, a: Action) -> OpRequest {
    let cmds = act(s, &[a]);
    let [Command::Check { req }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    req.clone()
}

/// Key, capability check, plan: the confirmation is open.
fn confirming(s: &mut AppState, p: Plan) {
    let (req, cmds) = checked_ok(s, Action::Redeploy);
    assert_eq!(cmds, vec![Command::Prepare { req: req.clone() }]);
    assert!(matches!(s.overlay, Some(Overlay::Pending { .. })));
    update(s, Msg::Planned { req, result: Ok(p) });
    assert!(matches!(s.overlay, Some(Overlay::Confirm { .. })));
    assert_eq!(s.key_mode(), Some(crate::config::Mode::Confirm));
}

#[test]
fn scale_prompt_then_plan_then_confirm_opens_the_progress_view() {
    let mut s = on_web(false);
    let cmds = act(&mut s, &[Action::Scale]);
    let req = OpRequest {
        kind: OpKind::Scale,
        target: web(),
        replicas: None,
    };
    assert_eq!(cmds, vec![Command::Check { req: req.clone() }]);
    update(
        &mut s,
        Msg::Checked {
            req,
            result: Ok(()),
        },
    );
    let Some(Overlay::Scale { text, current, .. }) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!((text.as_str(), *current), ("2", Some(2)), "prefilled");
    assert_eq!(s.key_mode(), None, "the prompt takes typed keys");
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Char('x'));
    key(&mut s, KeyCode::Char('3'));
    let cmds = key(&mut s, KeyCode::Enter);
    let want = OpRequest {
        kind: OpKind::Scale,
        target: web(),
        replicas: Some(3),
    };
    assert_eq!(cmds, vec![Command::Prepare { req: want.clone() }]);
    update(
        &mut s,
        Msg::Planned {
            req: want,
            result: Ok(plan(OpKind::Scale, Some(3))),
        },
    );
    let cmds = act(&mut s, &[Action::Confirm]);
    let [Command::Execute { id, plan: p }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(p.request.replicas, Some(3));
    assert_eq!(s.overlay, None);
    assert!(matches!(s.screen(), Screen::Operations { selected: 0 }));
    assert_eq!(s.key_mode(), Some(crate::config::Mode::Operation));
    assert!(s.operation(*id).is_some_and(|e| e.op.is_running()));
}

#[test]
fn an_empty_scale_prompt_does_not_mean_zero() {
    let mut s = on_web(false);
    checked_ok(&mut s, Action::Scale);
    key(&mut s, KeyCode::Backspace);
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(matches!(s.overlay, Some(Overlay::Scale { .. })));
    assert!(
        key(&mut s, KeyCode::Esc).is_empty(),
        "no plan was asked for"
    );
    assert_eq!(s.overlay, None);
    assert!(notice(&s).contains("not done"), "{}", notice(&s));
}

#[test]
fn confirm_twice_asks_again_before_executing() {
    let mut s = on_web(false);
    let mut p = plan(OpKind::Redeploy, None);
    p.confirm_twice = true;
    confirming(&mut s, p);
    let cmds = act(&mut s, &[Action::Confirm]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(matches!(
        s.overlay,
        Some(Overlay::Confirm { again: true, .. })
    ));
    let cmds = act(&mut s, &[Action::Confirm]);
    assert!(matches!(cmds.as_slice(), [Command::Execute { .. }]));
}

#[test]
fn cancel_in_the_confirmation_does_nothing_but_audit_declined() {
    let mut s = on_web(false);
    confirming(&mut s, plan(OpKind::Redeploy, None));
    // A global key falling through the confirm table leaves it open.
    assert!(act(&mut s, &[Action::ViewNodes]).is_empty());
    assert!(matches!(s.overlay, Some(Overlay::Confirm { .. })));
    let cmds = act(&mut s, &[Action::Cancel]);
    assert_eq!(
        audits(&cmds),
        vec![("redeploy shop/web".into(), "declined".into())]
    );
    assert_eq!(s.overlay, None);
    assert!(s.operations.is_empty());
    assert_eq!(notice(&s), "not done: redeploy shop/web");
}

#[test]
fn a_plan_arriving_after_cancel_is_dropped() {
    let mut s = on_web(false);
    let (req, _) = checked_ok(&mut s, Action::Restart);
    let cmds = act(&mut s, &[Action::Cancel]);
    assert_eq!(audits(&cmds).len(), 1, "declined while asking");
    let cmds = update(
        &mut s,
        Msg::Planned {
            req,
            result: Ok(plan(OpKind::Restart, None)),
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(s.overlay, None);
}

#[test]
fn read_only_refuses_with_a_message_and_an_audit_line() {
    let mut s = on_web(true);
    let cmds = act(&mut s, &[Action::Redeploy]);
    assert_eq!(
        audits(&cmds),
        vec![("redeploy shop/web".into(), "refused".into())]
    );
    assert_eq!(cmds.len(), 1, "nothing asked of the engine: {cmds:?}");
    assert!(notice(&s).contains("read-only"), "{}", notice(&s));
    assert_eq!(s.overlay, None);
}

#[test]
fn an_operation_on_a_stack_row_says_what_to_select() {
    let mut s = state_with(false);
    act(&mut s, &[Action::ViewStacks]);
    let cmds = act(&mut s, &[Action::Redeploy]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(notice(&s), "redeploy: select a service or a container");
}

#[test]
fn what_the_backend_refuses_is_shown_and_audited() {
    let mut s = state_with(false);
    // lonely-worker, a standalone container.
    act(&mut s, &[Action::Down]);
    let req = asked(&mut s, Action::Scale);
    let why = "lonely-worker is a standalone container, not a compose service: it cannot scale";
    let cmds = update(
        &mut s,
        Msg::Checked {
            req,
            result: Err(why.into()),
        },
    );
    assert_eq!(
        audits(&cmds),
        vec![("scale lonely-worker".into(), "refused".into())]
    );
    assert_eq!(s.overlay, None, "no prompt for what cannot scale");
    assert!(notice(&s).contains("cannot scale"), "{}", notice(&s));
}

#[test]
fn a_failed_plan_is_shown_and_audited() {
    let mut s = on_web(false);
    let (req, _) = checked_ok(&mut s, Action::Rollback);
    let cmds = update(
        &mut s,
        Msg::Planned {
            req,
            result: Err("no previous image to roll back to".into()),
        },
    );
    assert_eq!(
        audits(&cmds),
        vec![("rollback shop/web".into(), "failed".into())]
    );
    assert_eq!(s.overlay, None);
    assert!(notice(&s).contains("no previous image"), "{}", notice(&s));
}

fn step(replica: &str, step: Step, done: bool) -> OpEvent {
    OpEvent::Step {
        replica: replica.into(),
        step,
        done,
        detail: None,
    }
}

/// A confirmed redeploy of shop/web; returns its id.
pub(super) fn running(s: &mut AppState) -> u64 {
    confirming(s, plan(OpKind::Redeploy, None));
    let cmds = act(s, &[Action::Confirm]);
    let [Command::Execute { id, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    *id
}

#[test]
fn events_fold_into_the_operation_and_the_end_is_audited() {
    let mut s = on_web(false);
    let id = running(&mut s);
    let ev = |s: &mut AppState, event| {
        update(
            s,
            Msg::Op {
                id,
                event,
                elapsed_ms: 4200,
            },
        )
    };
    ev(&mut s, step("shop-web-1", Step::Pulling, false));
    ev(&mut s, step("shop-web-1", Step::OldRemoved, true));
    let op = &s.operation(id).expect("op").op;
    assert_eq!(op.done(), (1, 2));
    assert_eq!(op.replicas[0].step, Step::OldRemoved);
    // Left while it runs, the status bar still knows.
    act(&mut s, &[Action::Back]);
    assert!(matches!(s.screen(), Screen::List(_)));
    assert_eq!(s.running_operations().count(), 1);
    ev(&mut s, step("shop-web-2", Step::OldRemoved, true));
    let cmds = ev(
        &mut s,
        OpEvent::Finished {
            outcome: Outcome::Converged,
            message: "2 containers replaced".into(),
        },
    );
    let [
        Command::Audit {
            result,
            duration_ms,
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!((result.as_str(), *duration_ms), ("converged", 4200));
    assert_eq!(notice(&s), "✓ redeploy shop/web converged in 4.2s");
    assert_eq!(s.running_operations().count(), 0);
    // p goes back to it.
    act(&mut s, &[Action::Operations]);
    assert!(matches!(s.screen(), Screen::Operations { .. }));
}

#[test]
fn a_failure_says_why_and_cancel_asks_the_runtime() {
    let mut s = on_web(false);
    let id = running(&mut s);
    let cmds = act(&mut s, &[Action::CancelOperation]);
    assert_eq!(cmds, vec![Command::CancelOp { id }]);
    update(
        &mut s,
        Msg::Op {
            id,
            event: OpEvent::Finished {
                outcome: Outcome::Failed,
                message: "pull access denied for registry.local/shop/web".into(),
            },
            elapsed_ms: 900,
        },
    );
    // On the operations screen the failure shows in the operation itself
    // (no notice repeats it there).
    let op = s.operation(id).map(|e| e.op.clone());
    assert_eq!(op.as_ref().and_then(|o| o.outcome), Some(Outcome::Failed));
    assert_eq!(
        op.and_then(|o| o.result).as_deref(),
        Some("pull access denied for registry.local/shop/web")
    );
    assert!(!notice(&s).contains("failed"), "{}", notice(&s));
    // Left, the next failure is a notice.
    act(&mut s, &[Action::Back]);
    let second = running(&mut s);
    act(&mut s, &[Action::Back]);
    update(
        &mut s,
        Msg::Op {
            id: second,
            event: OpEvent::Finished {
                outcome: Outcome::Failed,
                message: "no space left on device".into(),
            },
            elapsed_ms: 500,
        },
    );
    assert_eq!(
        notice(&s),
        "✗ redeploy shop/web failed: no space left on device"
    );
    // A late event of a finished operation changes nothing.
    let cmds = update(
        &mut s,
        Msg::Op {
            id,
            event: step("shop-web-1", Step::Running, true),
            elapsed_ms: 1000,
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(s.operation(id).map(|e| e.op.done()), Some((0, 2)));
}

#[test]
fn one_operation_per_target_at_a_time() {
    let mut s = on_web(false);
    running(&mut s);
    act(&mut s, &[Action::Back]);
    let cmds = act(&mut s, &[Action::Restart]);
    assert_eq!(
        audits(&cmds),
        vec![("restart shop/web".into(), "refused".into())]
    );
    assert!(notice(&s).contains("still running"), "{}", notice(&s));
    // Another target is fine.
    act(&mut s, &[Action::Home]);
    let cmds = act(&mut s, &[Action::Restart]);
    assert!(
        matches!(cmds.as_slice(), [Command::Check { .. }]),
        "{cmds:?}"
    );
}

#[test]
fn notices_survive_a_connected_event_and_go_on_esc_or_expiry() {
    let mut s = state_with(false);
    s.notify(Level::Warn, "keymap.toml:3: ctrl-x: unknown action");
    update(
        &mut s,
        Msg::Backend(BackendEvent::Connection(ConnectionState::Connected)),
    );
    assert!(notice(&s).contains("keymap.toml:3"));
    let id = s.notice.as_ref().map(|n| n.id).unwrap_or_default();
    // An expiry for an older notice clears nothing and draws nothing.
    s.dirty = false;
    update(&mut s, Msg::NoticeExpired(id - 1));
    assert!(s.notice.is_some() && !s.dirty);
    update(&mut s, Msg::NoticeExpired(id));
    assert!(s.notice.is_none() && s.dirty);
    // Esc leaves a screen first (a notice never costs a second press), and
    // dismisses the notice on the first screen.
    act(&mut s, &[Action::ViewStacks, Action::Open]);
    s.notify(Level::Info, "hello");
    act(&mut s, &[Action::Back]);
    assert_eq!(s.screens.len(), 1, "esc went back");
    assert!(s.notice.is_some(), "the notice stays while going back");
    act(&mut s, &[Action::Back]);
    assert!(s.notice.is_none(), "esc on the first screen dismisses it");
}

#[test]
fn the_clock_redraws_only_while_an_operation_runs() {
    let mut s = on_web(false);
    let id = running(&mut s);
    s.dirty = false;
    update(&mut s, Msg::Tick(NOW + 1));
    assert!(s.dirty, "elapsed time ticks while running");
    update(
        &mut s,
        Msg::Op {
            id,
            event: OpEvent::Finished {
                outcome: Outcome::Converged,
                message: "done".into(),
            },
            elapsed_ms: 1500,
        },
    );
    s.dirty = false;
    update(&mut s, Msg::Tick(NOW + 2));
    assert!(!s.dirty, "a finished operation's view is not redrawn");
}

#[test]
fn logs_keep_following_under_the_operations_screen() {
    let mut s = state_with(false);
    act(&mut s, &[Action::Logs, Action::Operations]);
    assert!(matches!(s.screen(), Screen::Operations { .. }));
    s.dirty = false;
    let line = crate::logs::LogLine::from_raw(
        Arc::from("x"),
        crate::logs::LogStream::Stdout,
        None,
        b"hello",
    );
    update(
        &mut s,
        Msg::Log {
            session: 1,
            event: crate::logs::LogEvent::Lines(vec![line]),
        },
    );
    assert_eq!(s.logs().map(|v| v.ring.len()), Some(1));
    assert!(!s.dirty, "hidden lines draw nothing");
    act(&mut s, &[Action::Back]);
    assert_eq!(s.view(), Some(view::View::Logs));
}

/// The nodes view with the sample's node (prod-1) selected.
fn on_node() -> AppState {
    let mut s = state_with(false);
    act(&mut s, &[Action::ViewNodes, Action::Home]);
    s
}

fn prod_1() -> TargetRef {
    TargetRef::Node(crate::domain::NodeRef {
        id: "FD4S:56QC".into(),
        name: "prod-1".into(),
    })
}

#[test]
fn node_keys_on_a_node_row_ask_for_drain_pause_and_activate() {
    for (a, kind) in [
        (Action::DrainNode, OpKind::Drain),
        (Action::PauseNode, OpKind::Pause),
        (Action::ActivateNode, OpKind::Activate),
    ] {
        let mut s = on_node();
        let req = asked(&mut s, a);
        assert_eq!(
            req,
            OpRequest {
                kind,
                target: prod_1(),
                replicas: None,
            }
        );
    }
}

#[test]
fn a_drain_goes_through_plan_confirmation_progress_and_audit() {
    let mut s = on_node();
    let (req, cmds) = checked_ok(&mut s, Action::DrainNode);
    assert_eq!(cmds, vec![Command::Prepare { req: req.clone() }]);
    let p = Plan {
        request: req.clone(),
        summary: "drain node prod-1 (now active) on swarm unix:///var/run/docker.sock — 1 task \
                  stops there and moves to other nodes"
            .into(),
        details: vec!["moves: shop_web.1".into()],
        warnings: vec![
            "shop_web: its 1 replica runs on prod-1: it is down until the swarm reschedules it"
                .into(),
        ],
        replicas: vec!["shop_web.1".into()],
        confirm_twice: false,
        revision: None,
    };
    update(&mut s, Msg::Planned { req, result: Ok(p) });
    assert!(matches!(s.overlay, Some(Overlay::Confirm { .. })));
    let cmds = act(&mut s, &[Action::Confirm]);
    let [Command::Execute { id, plan }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let id = *id;
    assert_eq!(plan.request.target, prod_1());
    assert!(matches!(s.screen(), Screen::Operations { .. }));
    // Cancelling a drain stops berth following it, and says so.
    let cmds = act(&mut s, &[Action::CancelOperation]);
    assert_eq!(cmds, vec![Command::CancelOp { id }]);
    assert!(notice(&s).contains("stops following"), "{}", notice(&s));
    update(
        &mut s,
        Msg::Op {
            id,
            event: OpEvent::Step {
                replica: "shop_web.1".into(),
                step: Step::Moved,
                done: true,
                detail: Some("→ worker2".into()),
            },
            elapsed_ms: 800,
        },
    );
    let cmds = update(
        &mut s,
        Msg::Op {
            id,
            event: OpEvent::Finished {
                outcome: Outcome::Converged,
                message: "prod-1 is drained: 1 task moved to other nodes".into(),
            },
            elapsed_ms: 2100,
        },
    );
    assert_eq!(
        audits(&cmds),
        vec![("drain prod-1".into(), "converged".into())]
    );
    assert_eq!(s.operation(id).map(|e| e.op.done()), Some((1, 1)));
}

#[test]
fn a_node_key_elsewhere_says_what_to_select_or_why_not() {
    // A stack row: select a node.
    let mut s = state_with(false);
    act(&mut s, &[Action::ViewStacks]);
    assert!(act(&mut s, &[Action::PauseNode]).is_empty());
    assert_eq!(notice(&s), "pause: select a node in the nodes view");
    // A service row: the backend says why not, shown and audited.
    let mut s = on_web(false);
    let req = asked(&mut s, Action::DrainNode);
    assert_eq!(req.target, web());
    let why = "drain applies to a swarm node, not a service: select one in the nodes view";
    let cmds = update(
        &mut s,
        Msg::Checked {
            req,
            result: Err(why.into()),
        },
    );
    assert_eq!(
        audits(&cmds),
        vec![("drain shop/web".into(), "refused".into())]
    );
    assert!(notice(&s).contains("not a service"), "{}", notice(&s));
    // Read-only: refused before the engine is asked.
    let mut s = state_with(true);
    act(&mut s, &[Action::ViewNodes]);
    let cmds = act(&mut s, &[Action::ActivateNode]);
    assert_eq!(
        audits(&cmds),
        vec![("activate prod-1".into(), "refused".into())]
    );
    assert_eq!(cmds.len(), 1, "{cmds:?}");
}
