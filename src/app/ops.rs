//! The reducer's part of operations: from a key on a list row to a plan, a
//! confirmation, a running operation and its audit lines. No I/O: the
//! runtime asks the backend (capabilities, plan, execute) and reports back.

use super::Action;
use super::columns::Row;
use super::msg::Command;
use super::notice::Level;
use super::overlay::Overlay;
use super::state::{AppState, OpEntry, Screen};
use crate::domain::{
    NodeRef, OpEvent, OpKind, OpRequest, Operation, Outcome, Plan, ServiceRef, TargetRef,
    container_ref,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The longest replica count the scale prompt takes.
const MAX_DIGITS: usize = 5;

/// An operation key on a list row: refuse it, or ask whether it applies.
pub(super) fn request(state: &mut AppState, kind: OpKind, cmds: &mut Vec<Command>) {
    let target = selected_target(state, kind);
    if state.settings.read_only {
        let why = "berth runs read-only (--read-only): nothing may be changed";
        state.notify(Level::Error, format!("{}: {why}", kind.label()));
        if let Ok(target) = target {
            refuse(request_for(kind, target), why, cmds);
        }
        return;
    }
    let target = match target {
        Ok(t) => t,
        Err(why) => {
            state.notify(Level::Warn, format!("{}: {why}", kind.label()));
            return;
        }
    };
    let req = request_for(kind, target);
    if let Some(why) = busy(state, &req.target) {
        state.notify(Level::Warn, format!("{}: {why}", req.describe()));
        refuse(req, &why, cmds);
        return;
    }
    cmds.push(Command::Check { req });
}

fn request_for(kind: OpKind, target: TargetRef) -> OpRequest {
    OpRequest {
        kind,
        target,
        replicas: None,
    }
}

/// The selected row as a target, or why it cannot be one.
fn selected_target(state: &AppState, kind: OpKind) -> Result<TargetRef, String> {
    let Screen::List(l) = state.screen() else {
        return Err(if kind.is_node_op() {
            "select a node in the nodes view".into()
        } else {
            "select a service or a container in a list".into()
        });
    };
    match l.selected(&state.snapshot) {
        Some(Row::Service(s)) => Ok(TargetRef::Service(ServiceRef::of(s))),
        Some(Row::Container(c)) => Ok(container_ref(c)),
        Some(Row::Node(n)) => Ok(TargetRef::Node(NodeRef {
            id: n.id.clone(),
            name: n.name.clone(),
        })),
        Some(Row::Stack(_)) if kind.is_node_op() => Err("select a node in the nodes view".into()),
        Some(Row::Stack(_)) => Err("select a service or a container".into()),
        Some(Row::Part(pod, _)) => Err(format!(
            "a container of a pod is not operated alone: go back (esc) and select its pod {}",
            pod.name
        )),
        Some(Row::Route(_)) if kind.is_node_op() => Err("select a node in the nodes view".into()),
        // A route's operations are its service's.
        Some(Row::Route(r)) => state
            .snapshot
            .services
            .iter()
            .find(|s| !r.service_id.is_empty() && s.id == r.service_id)
            .map(|s| TargetRef::Service(ServiceRef::of(s)))
            .ok_or_else(|| {
                format!(
                    "route {} reaches no service berth knows ({})",
                    r.name, r.service
                )
            }),
        None => Err("nothing selected".into()),
    }
}

/// Why no second operation may start on `target` now.
fn busy(state: &AppState, target: &TargetRef) -> Option<String> {
    state
        .running_operations()
        .find(|e| e.op.plan.request.target.id() == target.id())
        .map(|e| {
            format!(
                "{} is still running; wait for it or cancel it (operations view)",
                e.op.plan.request.describe()
            )
        })
}

fn refuse(req: OpRequest, why: &str, cmds: &mut Vec<Command>) {
    audit(req, "refused", why, 0, cmds);
}

fn audit(req: OpRequest, result: &str, message: &str, ms: u64, cmds: &mut Vec<Command>) {
    cmds.push(Command::Audit {
        req,
        result: result.to_owned(),
        message: message.to_owned(),
        duration_ms: ms,
    });
}

/// The backend said whether `req` applies: on to the scale prompt or the plan.
pub(super) fn checked(
    state: &mut AppState,
    req: OpRequest,
    result: Result<(), String>,
    cmds: &mut Vec<Command>,
) {
    if let Err(why) = result {
        state.notify(Level::Error, format!("{}: {why}", req.describe()));
        refuse(req, &why, cmds);
        return;
    }
    if req.kind == OpKind::Scale && req.replicas.is_none() {
        let current = state
            .snapshot
            .services
            .iter()
            .find(|s| s.id == req.target.id())
            .map(|s| s.replicas_desired);
        state.overlay = Some(Overlay::Scale {
            target: req.target,
            current,
            text: current.map(|n| n.to_string()).unwrap_or_default(),
        });
        return;
    }
    prepare(state, req, cmds);
}

fn prepare(state: &mut AppState, req: OpRequest, cmds: &mut Vec<Command>) {
    state.overlay = Some(Overlay::Pending { req: req.clone() });
    cmds.push(Command::Prepare { req });
}

/// A key while the scale prompt is open: digits, enter, esc.
pub(super) fn scale_key(state: &mut AppState, key: KeyEvent, cmds: &mut Vec<Command>) {
    let Some(Overlay::Scale { target, text, .. }) = state.overlay.as_mut() else {
        return;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char(c) if c.is_ascii_digit() && !ctrl && text.len() < MAX_DIGITS => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Esc => cancel_scale(state),
        KeyCode::Char('c') if ctrl => cancel_scale(state),
        KeyCode::Enter => {
            // An empty prompt stays open: enter alone must not mean 0.
            if let Ok(n) = text.parse::<u32>() {
                let req = OpRequest {
                    kind: OpKind::Scale,
                    target: target.clone(),
                    replicas: Some(n),
                };
                prepare(state, req, cmds);
            }
        }
        _ => {}
    }
}

fn cancel_scale(state: &mut AppState) {
    if let Some(Overlay::Scale { target, .. }) = state.overlay.take() {
        state.notify(Level::Info, format!("not done: scale {}", target.name()));
    }
}

/// The plan arrived (or not). A plan for a request the operator already
/// walked away from is dropped: its "declined" line is written.
pub(super) fn planned(
    state: &mut AppState,
    req: OpRequest,
    result: Result<Plan, String>,
    cmds: &mut Vec<Command>,
) -> bool {
    if !matches!(&state.overlay, Some(Overlay::Pending { req: r }) if *r == req) {
        return false;
    }
    match result {
        Ok(plan) => state.overlay = Some(Overlay::Confirm { plan, again: false }),
        Err(why) => {
            state.overlay = None;
            state.notify(
                Level::Error,
                format!("✗ {} not possible: {why}", req.describe()),
            );
            audit(req, "failed", &why, 0, cmds);
        }
    }
    true
}

/// An action while a plan is asked for or shown.
pub(super) fn overlay_action(state: &mut AppState, a: Action, cmds: &mut Vec<Command>) {
    let Some(overlay) = state.overlay.take() else {
        return;
    };
    match (overlay, a) {
        (Overlay::Pending { req }, Action::Cancel | Action::Back) => decline(state, req, cmds),
        (Overlay::Confirm { plan, .. }, Action::Cancel | Action::Back) => {
            decline(state, plan.request, cmds)
        }
        (Overlay::Confirm { plan, again }, Action::Confirm) => {
            if plan.confirm_twice && !again {
                state.overlay = Some(Overlay::Confirm { plan, again: true });
            } else {
                start(state, plan, cmds);
            }
        }
        // Anything else (a global key falling through) leaves it open.
        (o, _) => state.overlay = Some(o),
    }
}

fn decline(state: &mut AppState, req: OpRequest, cmds: &mut Vec<Command>) {
    state.notify(Level::Info, format!("not done: {}", req.describe()));
    audit(req, "declined", "declined by the operator", 0, cmds);
}

fn start(state: &mut AppState, plan: Plan, cmds: &mut Vec<Command>) {
    if let Some(why) = busy(state, &plan.request.target) {
        state.notify(Level::Warn, format!("{}: {why}", plan.request.describe()));
        refuse(plan.request, &why, cmds);
        return;
    }
    let id = state.operations.len() as u64 + 1;
    state.operations.push(OpEntry {
        op: Operation::new(id, plan.clone(), state.now),
        took_ms: None,
    });
    open_operations(state);
    cmds.push(Command::Execute { id, plan });
}

/// Shows the operations screen with the newest selected.
pub(super) fn open_operations(state: &mut AppState) {
    match state.screen_mut() {
        Screen::Operations { selected } => *selected = 0,
        _ => state.screens.push(Screen::Operations { selected: 0 }),
    }
}

/// Progress of operation `id`. Returns whether anything changed.
pub(super) fn op_event(
    state: &mut AppState,
    id: u64,
    event: OpEvent,
    elapsed_ms: u64,
    cmds: &mut Vec<Command>,
) -> bool {
    let now = state.now;
    let Some(entry) = state.operations.iter_mut().find(|e| e.op.id == id) else {
        return false;
    };
    if !entry.op.is_running() {
        return false;
    }
    entry.op.apply(&event, now);
    let OpEvent::Finished { outcome, message } = event else {
        return true;
    };
    entry.took_ms = Some(elapsed_ms);
    let req = entry.op.plan.request.clone();
    let (level, text) = match outcome {
        Outcome::Converged => (
            Level::Ok,
            format!(
                "{} {} converged in {}",
                icon(Some(outcome)),
                req.describe(),
                took(elapsed_ms)
            ),
        ),
        Outcome::Failed => (
            Level::Error,
            format!(
                "{} {} failed: {message}",
                icon(Some(outcome)),
                req.describe()
            ),
        ),
        Outcome::Restored | Outcome::Cancelled | Outcome::RolledBack => (
            Level::Warn,
            format!(
                "{} {} {}: {message}",
                icon(Some(outcome)),
                req.describe(),
                outcome.label()
            ),
        ),
    };
    // On the operations screen the result is already in view: a notice
    // would repeat it, and its expiry would redraw a screen at rest.
    if !matches!(state.screen(), Screen::Operations { .. }) {
        state.notify(level, text);
    }
    audit(req, outcome.label(), &message, elapsed_ms, cmds);
    true
}

/// A key on the operations screen.
pub(super) fn operations_action(state: &mut AppState, a: Action, cmds: &mut Vec<Command>) {
    let n = state.operations.len();
    let height = state.body_height();
    let Screen::Operations { selected } = state.screen_mut() else {
        return;
    };
    let last = n.saturating_sub(1);
    match a {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(last),
        Action::PageUp => *selected = selected.saturating_sub(height),
        Action::PageDown => *selected = (*selected + height).min(last),
        Action::Home => *selected = 0,
        Action::End => *selected = last,
        Action::CancelOperation => {
            let Some(entry) = newest_first(state).nth(selected_index(state)) else {
                return;
            };
            let what = entry.op.plan.request.describe();
            let id = entry.op.id;
            let how = if entry.op.plan.request.kind.is_node_op() {
                "berth stops following (a swarm goes on moving tasks; a Kubernetes drain evicts no more)"
            } else {
                "the replica in hand is finished first"
            };
            match entry.op.outcome {
                None => {
                    state.notify(Level::Info, format!("cancelling {what}: {how}"));
                    cmds.push(Command::CancelOp { id });
                }
                Some(o) => state.notify(Level::Info, format!("{what} already {}", o.label())),
            }
        }
        _ => {}
    }
}

/// This session's operations as the screen lists them.
pub fn newest_first(state: &AppState) -> impl Iterator<Item = &OpEntry> {
    state.operations.iter().rev()
}

/// The selected row of the operations screen (0 = newest).
pub fn selected_index(state: &AppState) -> usize {
    state
        .screens
        .iter()
        .rev()
        .find_map(|s| match s {
            Screen::Operations { selected } => Some(*selected),
            _ => None,
        })
        .unwrap_or(0)
        .min(state.operations.len().saturating_sub(1))
}

/// One glyph per state: running, or how it ended.
pub fn icon(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        None => "⟳",
        Some(Outcome::Converged) => "✓",
        Some(Outcome::Failed) => "✗",
        Some(Outcome::Restored) => "↺",
        Some(Outcome::Cancelled) => "⊘",
        Some(Outcome::RolledBack) => "↶",
    }
}

/// "4.2s", "1m05s": how long a finished operation took.
pub fn took(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        elapsed((ms / 1000) as i64)
    }
}

/// "12s", "3m05s", "1h02m": how long a running operation has run.
pub fn elapsed(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}
