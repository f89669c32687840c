//! The reducer's part of `:ctx` and `:ns`: the request, the picker, and the
//! console starting afresh once the new context or namespace answers. The
//! runtime reads the kubeconfig, connects and swaps the backend.
//!
//! A switch is refused while operations run: their progress, audit lines
//! and confirmations belong to the cluster they were started on.

use super::list::ListState;
use super::msg::Command;
use super::notice::Level;
use super::overlay::Overlay;
use super::picker::{ALL_NAMESPACES, PickKind, Picker};
use super::state::{AppState, Screen};
use super::view::Scope;
use crate::backend::kube::{Contexts, KubeTarget};
use crate::domain::StackKind;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// `:ctx [NAME]` (`context`) and `:ns [NAME|all|-A]` (`namespace`).
pub(super) fn command(
    state: &mut AppState,
    word: &str,
    arg: Option<&str>,
    cmds: &mut Vec<Command>,
) {
    let Some(current) = state.kube.clone() else {
        let shown = state.settings.backend.label();
        state.notify(
            Level::Warn,
            format!(":{word}: contexts and namespaces are Kubernetes' (berth shows {shown} here)"),
        );
        return;
    };
    if let Some(why) = busy(state) {
        state.notify(Level::Warn, format!(":{word}: {why}"));
        return;
    }
    let contexts = matches!(word, "ctx" | "context" | "contexts");
    match (contexts, arg) {
        (true, pick) => cmds.push(Command::ListContexts {
            pick: pick.map(str::to_owned),
        }),
        (false, None) => {
            let mut items = vec![ALL_NAMESPACES.to_owned()];
            items.extend(
                state
                    .snapshot
                    .stacks
                    .iter()
                    .filter(|s| s.kind == StackKind::Namespace)
                    .map(|s| s.name.clone()),
            );
            let now = current
                .namespace
                .clone()
                .unwrap_or_else(|| ALL_NAMESPACES.to_owned());
            state.overlay = Some(Overlay::Pick(Picker::new(
                PickKind::Namespace,
                items,
                Some(now),
            )));
        }
        (false, Some("all" | "-A" | "--all-namespaces" | "*")) => {
            to_namespace(state, &current, None, cmds)
        }
        (false, Some(name)) => {
            if !is_namespace_name(name) {
                state.notify(
                    Level::Warn,
                    format!(
                        ":ns: {name:?} is not a namespace name (lowercase letters, digits and '-')"
                    ),
                );
                return;
            }
            if let Some(known) = listed_namespaces(state)
                && !known.iter().any(|n| n == name)
            {
                state.notify(
                    Level::Warn,
                    format!(
                        ":ns: no namespace {name} in context {} (:ns lists them)",
                        context_name(&current)
                    ),
                );
                return;
            }
            to_namespace(state, &current, Some(name.to_owned()), cmds)
        }
    }
}

/// The kubeconfig's contexts arrived: switch to the one asked for, or
/// offer them.
pub(super) fn contexts(
    state: &mut AppState,
    pick: Option<String>,
    result: Result<Contexts, String>,
    cmds: &mut Vec<Command>,
) {
    let ctxs = match result {
        Ok(c) => c,
        Err(e) => {
            state.notify(
                Level::Error,
                format!("cannot read the kubeconfig's contexts: {e}"),
            );
            return;
        }
    };
    let Some(current) = state.kube.clone() else {
        return;
    };
    match pick {
        Some(name) => to_context(state, &current, &ctxs, &name, cmds),
        None if ctxs.list.is_empty() => {
            state.notify(Level::Warn, "the kubeconfig has no contexts");
        }
        None => {
            let names = ctxs.list.iter().map(|c| c.name.clone()).collect();
            state.overlay = Some(Overlay::Pick(Picker::new(
                PickKind::Context(ctxs),
                names,
                current.context.clone(),
            )));
        }
    }
}

/// A key while the picker is open: typing narrows it, enter chooses.
pub(super) fn pick_key(state: &mut AppState, key: KeyEvent, cmds: &mut Vec<Command>) {
    let Some(Overlay::Pick(p)) = state.overlay.as_mut() else {
        return;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => state.overlay = None,
        KeyCode::Char('c') if ctrl => state.overlay = None,
        KeyCode::Up => p.move_by(-1),
        KeyCode::Down => p.move_by(1),
        KeyCode::PageUp => p.move_by(-10),
        KeyCode::PageDown => p.move_by(10),
        KeyCode::Home => p.move_by(isize::MIN),
        KeyCode::End => p.move_by(isize::MAX),
        KeyCode::Backspace => {
            p.filter.pop();
            p.refilter();
        }
        KeyCode::Char('u') if ctrl => {
            p.filter.clear();
            p.refilter();
        }
        KeyCode::Char(c) if !ctrl => {
            p.filter.push(c);
            p.refilter();
        }
        KeyCode::Enter => {
            let Some(chosen) = p.chosen() else {
                return;
            };
            let Some(Overlay::Pick(p)) = state.overlay.take() else {
                return;
            };
            let Some(current) = state.kube.clone() else {
                return;
            };
            match p.kind {
                PickKind::Context(ctxs) => to_context(state, &current, &ctxs, &chosen, cmds),
                PickKind::Namespace => {
                    let ns = (chosen != ALL_NAMESPACES).then_some(chosen);
                    to_namespace(state, &current, ns, cmds)
                }
            }
        }
        _ => {}
    }
}

/// The backend for `target` answered, or could not be made. Returns
/// whether anything changed on screen.
pub(super) fn connected(
    state: &mut AppState,
    target: KubeTarget,
    result: Result<String, String>,
    cmds: &mut Vec<Command>,
) -> bool {
    // A later `:ctx` / `:ns` replaced this one.
    if state.switching.as_ref() != Some(&target) {
        return false;
    }
    state.switching = None;
    let old = state.kube.clone().unwrap_or_default();
    let endpoint = match result {
        Ok(e) => e,
        Err(e) => {
            state.notify(
                Level::Error,
                format!(
                    "cannot switch to {}: {e} — still on {}",
                    describe(&target),
                    describe(&old)
                ),
            );
            return true;
        }
    };
    let op_pending = matches!(
        state.overlay,
        Some(Overlay::Scale { .. } | Overlay::Pending { .. } | Overlay::Confirm { .. })
    );
    if let Some(why) = busy(state).or(op_pending.then(|| "an operation is being prepared".into())) {
        state.notify(
            Level::Warn,
            format!("not switched to {}: {why}", describe(&target)),
        );
        return true;
    }
    super::update::close_all_logs(state, cmds);
    let view = match &state.screens[0] {
        Screen::List(l) => l.view,
        _ => super::view::View::Containers,
    };
    state.screens = vec![Screen::List(Box::new(ListState::new(
        view,
        Scope::default(),
    )))];
    state.overlay = None;
    state.prompt = None;
    state.snapshot = Default::default();
    state.loaded = false;
    state.connection = crate::backend::ConnectionState::Connecting;
    state.last_error = None;
    state.settings.endpoint = endpoint;
    state.notify(Level::Ok, format!("now on {}", describe(&target)));
    state.kube = Some(target);
    cmds.push(Command::Adopt);
    true
}

/// "context berth-test, namespace shop" / "..., all namespaces".
pub fn describe(t: &KubeTarget) -> String {
    let ns = match &t.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => ALL_NAMESPACES.to_owned(),
    };
    format!("context {}, {ns}", context_name(t))
}

fn context_name(t: &KubeTarget) -> &str {
    t.context.as_deref().unwrap_or("(current)")
}

/// Why the console may not switch now.
fn busy(state: &AppState) -> Option<String> {
    match state.running_operations().count() {
        0 => None,
        n => Some(format!(
            "{n} operation(s) still running here; wait for them or cancel them (p) first"
        )),
    }
}

fn to_context(
    state: &mut AppState,
    current: &KubeTarget,
    ctxs: &Contexts,
    name: &str,
    cmds: &mut Vec<Command>,
) {
    let Some(ctx) = ctxs.get(name) else {
        let names: Vec<&str> = ctxs.list.iter().map(|c| c.name.as_str()).collect();
        state.notify(
            Level::Warn,
            format!(
                ":ctx: no context {name} in the kubeconfig (it has: {})",
                names.join(", ")
            ),
        );
        return;
    };
    let target = KubeTarget {
        kubeconfig: current.kubeconfig.clone(),
        context: Some(ctx.name.clone()),
        namespace: ctx.namespace.clone(),
    };
    switch_to(state, current, target, cmds);
}

fn to_namespace(
    state: &mut AppState,
    current: &KubeTarget,
    namespace: Option<String>,
    cmds: &mut Vec<Command>,
) {
    let target = KubeTarget {
        namespace,
        ..current.clone()
    };
    switch_to(state, current, target, cmds);
}

fn switch_to(
    state: &mut AppState,
    current: &KubeTarget,
    target: KubeTarget,
    cmds: &mut Vec<Command>,
) {
    if &target == current {
        state.switching = None;
        state.notify(Level::Info, format!("already on {}", describe(current)));
        return;
    }
    state.notify(Level::Info, format!("switching to {}…", describe(&target)));
    state.switching = Some(target.clone());
    cmds.push(Command::Connect { target });
}

/// The namespaces a name can be checked against: only when every
/// namespace is shown and may be listed.
fn listed_namespaces(state: &AppState) -> Option<Vec<String>> {
    let all = state.kube.as_ref().is_some_and(|k| k.namespace.is_none());
    let forbidden = state
        .snapshot
        .problems
        .iter()
        .any(|p| p.contains("list namespaces"));
    (all && state.loaded && !forbidden).then(|| {
        state
            .snapshot
            .stacks
            .iter()
            .filter(|s| s.kind == StackKind::Namespace)
            .map(|s| s.name.clone())
            .collect()
    })
}

/// A DNS label, as Kubernetes names namespaces.
fn is_namespace_name(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    !s.is_empty() && s.len() <= 63 && s.chars().all(ok) && !s.starts_with('-') && !s.ends_with('-')
}
