//! The reducer: `update(state, msg)` changes state and returns commands for
//! the runtime. No I/O happens here, so every behaviour is testable.

use super::Action;
use super::columns::{Row, columns};
use super::list::ListState;
use super::logview::LogView;
use super::msg::{Command, Msg};
use super::notice::Level;
use super::ops;
use super::overlay::Overlay;
use super::state::{AppState, Prompt, Screen};
use super::switch;
use super::view::{Scope, View};
use crate::backend::{BackendEvent, BackendKind, ConnectionState};
use crate::logs::{Filter, LogRequest, LogTarget};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Command> {
    let mut cmds = Vec::new();
    match msg {
        Msg::Action(a) => action(state, a, &mut cmds),
        Msg::Key(k) => {
            if matches!(state.overlay, Some(Overlay::Scale { .. })) {
                if k.kind != KeyEventKind::Release {
                    ops::scale_key(state, k, &mut cmds);
                }
            } else if matches!(state.overlay, Some(Overlay::Pick(_))) {
                if k.kind != KeyEventKind::Release {
                    switch::pick_key(state, k, &mut cmds);
                }
            } else {
                prompt_key(state, k, &mut cmds);
            }
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            rebuild_lists(state);
        }
        Msg::Backend(ev) => backend_event(state, ev),
        Msg::Routes(live) => {
            super::routes::live(state, live);
            rebuild_lists(state);
        }
        Msg::Log { session, event } => {
            // The view may be under the operations screen: it keeps following.
            let Some(v) = state.screens.iter_mut().find_map(|s| match s {
                Screen::Logs(v) if v.session == session => Some(v),
                _ => None,
            }) else {
                // A late event of a closed view: nothing to draw.
                return cmds;
            };
            v.apply(event);
            if !matches!(state.screen(), Screen::Logs(_)) {
                return cmds;
            }
        }
        Msg::Tick(now) => {
            let before = std::mem::replace(&mut state.now, now);
            // Ages in lists; the elapsed time of a running operation. A tick
            // that changes no text on screen draws nothing.
            let height = state.body_height();
            let ages_moved = match state.screen() {
                Screen::List(l) => l.shown_text_changes(&state.snapshot, before, now, height),
                _ => false,
            };
            if !ages_moved && !state.shows_running_clock() {
                return cmds;
            }
        }
        Msg::Saved(result) => match result {
            Ok((path, n)) => {
                state.notify(Level::Ok, format!("saved {n} lines to {}", path.display()))
            }
            Err(e) => state.notify(Level::Error, format!("could not save logs: {e}")),
        },
        Msg::Checked { req, result } => ops::checked(state, req, result, &mut cmds),
        Msg::Planned { req, result } => {
            if !ops::planned(state, req, result, &mut cmds) {
                return cmds;
            }
        }
        Msg::Op {
            id,
            event,
            elapsed_ms,
        } => {
            if !ops::op_event(state, id, event, elapsed_ms, &mut cmds) {
                return cmds;
            }
        }
        Msg::Contexts { pick, result } => switch::contexts(state, pick, result, &mut cmds),
        Msg::Connected { target, result } => {
            if !switch::connected(state, target, result, &mut cmds) {
                return cmds;
            }
        }
        Msg::NoticeExpired(id) => {
            if state.notice.as_ref().is_none_or(|n| n.id != id) {
                return cmds;
            }
            state.notice = None;
        }
    }
    state.dirty = true;
    cmds
}

fn backend_event(state: &mut AppState, ev: BackendEvent) {
    match ev {
        BackendEvent::Connection(c) => {
            if c == ConnectionState::Connected {
                state.last_error = None;
            }
            if let ConnectionState::Reconnecting { error, .. } = &c {
                state.last_error = Some(error.clone());
            }
            state.connection = c;
        }
        BackendEvent::Snapshot(s) => {
            // What the backend cannot see is said once, when it changes.
            if !s.problems.is_empty() && s.problems != state.snapshot.problems {
                state.notify(Level::Warn, s.problems.join("; "));
            }
            state.base = s;
            super::routes::recompose(state);
            state.loaded = true;
            rebuild_lists(state);
        }
    }
}

fn rebuild_lists(state: &mut AppState) {
    let height = state.body_height();
    let snap = state.snapshot.clone();
    let now = state.now;
    for s in &mut state.screens {
        if let Screen::List(l) = s {
            l.rebuild(&snap, now, height);
        }
    }
}

fn action(state: &mut AppState, a: Action, cmds: &mut Vec<Command>) {
    let height = state.body_height();
    match state.overlay.as_mut() {
        Some(Overlay::Help { scroll }) => {
            match a {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll += 1,
                Action::PageUp => *scroll = scroll.saturating_sub(height),
                Action::PageDown => *scroll += height,
                Action::Home => *scroll = 0,
                Action::Back | Action::Help => state.overlay = None,
                Action::Quit => quit(state, cmds),
                _ => {}
            }
            return;
        }
        // Quitting with a confirmation open declines it (and says so in the audit).
        Some(_) if a == Action::Quit => {
            ops::overlay_action(state, Action::Cancel, cmds);
            return quit(state, cmds);
        }
        Some(_) => return ops::overlay_action(state, a, cmds),
        None => {}
    }
    if let Some(kind) = a.op_kind() {
        return ops::request(state, kind, cmds);
    }
    match a {
        Action::Quit => quit(state, cmds),
        Action::Help => state.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Operations => ops::open_operations(state),
        Action::Command => {
            state.prompt = Some(Prompt::Command {
                text: String::new(),
            })
        }
        Action::Filter => {
            let before = current_filter(state);
            state.prompt = Some(Prompt::Filter {
                text: before.clone().unwrap_or_default(),
                before,
            });
        }
        Action::Search if matches!(state.screen(), Screen::Logs(_)) => {
            state.prompt = Some(Prompt::Search {
                text: String::new(),
            });
        }
        Action::ToggleLogPane => {
            state.show_log_pane = !state.show_log_pane;
            rebuild_lists(state);
        }
        Action::Back => back(state, cmds),
        Action::PreviousLogs => previous_logs(state, cmds),
        Action::ViewNodes => goto_view(state, View::Nodes, cmds),
        Action::ViewStacks => goto_view(state, View::Stacks, cmds),
        Action::ViewServices => goto_view(state, View::Services, cmds),
        Action::ViewContainers => goto_view(state, View::Containers, cmds),
        Action::ViewRoutes => goto_view(state, View::Routes, cmds),
        Action::ShowRoutes => routes_of_selection(state),
        _ => {
            let snap = state.snapshot.clone();
            match state.screen_mut() {
                Screen::List(_) => list_action(state, a, height, cmds, &snap),
                Screen::Logs(v) => log_action(v, a, height, cmds),
                Screen::Operations { .. } => ops::operations_action(state, a, cmds),
            }
        }
    }
}

fn list_action(
    state: &mut AppState,
    a: Action,
    height: usize,
    cmds: &mut Vec<Command>,
    snap: &crate::domain::Snapshot,
) {
    let now = state.now;
    let Screen::List(l) = state.screen_mut() else {
        return;
    };
    match a {
        Action::Up => l.move_by(-1, snap, height),
        Action::Down => l.move_by(1, snap, height),
        Action::PageUp => l.move_by(-(height as isize), snap, height),
        Action::PageDown => l.move_by(height as isize, snap, height),
        Action::Home => l.move_to(0, snap, height),
        Action::End => l.move_to(usize::MAX, snap, height),
        Action::SortNext => {
            l.sort_col = (l.sort_col + 1) % columns(l.view).len().max(1);
            l.rebuild(snap, now, height);
        }
        Action::SortReverse => {
            l.sort_desc = !l.sort_desc;
            l.rebuild(snap, now, height);
        }
        Action::ClearFilter => {
            l.filter = None;
            l.rebuild(snap, now, height);
        }
        Action::Open => open(state, cmds),
        Action::Logs => logs_of_selection(state, false, cmds),
        _ => {}
    }
}

fn log_action(v: &mut LogView, a: Action, height: usize, cmds: &mut Vec<Command>) {
    match a {
        Action::Up => v.scroll(-1),
        Action::Down => v.scroll(1),
        Action::PageUp => v.scroll(-(height as isize)),
        Action::PageDown => v.scroll(height as isize),
        Action::Home => v.home(height),
        Action::End => v.end(),
        Action::Left => v.hscroll = v.hscroll.saturating_sub(8),
        Action::Right if !v.wrap => v.hscroll += 8,
        Action::ToggleFollow => v.toggle_follow(),
        Action::ToggleTimestamps => v.timestamps = !v.timestamps,
        Action::ToggleWrap => {
            v.wrap = !v.wrap;
            v.hscroll = 0;
        }
        Action::ToggleColors => v.colors = !v.colors,
        Action::ToggleSource => v.show_source = !v.show_source,
        Action::ClearFilter => v.set_filter(None),
        Action::SearchNext => {
            v.search_step(true, height);
        }
        Action::SearchPrev => {
            v.search_step(false, height);
        }
        Action::SaveLogs => cmds.push(Command::SaveLogs { session: v.session }),
        _ => {}
    }
}

fn quit(state: &mut AppState, cmds: &mut Vec<Command>) {
    state.quit = true;
    cmds.push(Command::Quit);
}

fn current_filter(state: &AppState) -> Option<String> {
    match state.screen() {
        Screen::List(l) => l.filter.as_ref().map(|f| f.pattern().to_owned()),
        Screen::Logs(v) => v.filter.as_ref().map(|f| f.pattern().to_owned()),
        Screen::Operations { .. } => None,
    }
}

fn set_filter(state: &mut AppState, pattern: Option<&str>) {
    let height = state.body_height();
    let snap = state.snapshot.clone();
    let now = state.now;
    let filter = pattern.filter(|p| !p.is_empty()).map(Filter::new);
    match state.screen_mut() {
        Screen::List(l) => {
            l.filter = filter;
            l.cursor = 0;
            l.rebuild(&snap, now, height);
        }
        Screen::Logs(v) => v.set_filter(filter),
        Screen::Operations { .. } => {}
    }
}

/// Esc: close the filter first, then the notice, then go up one screen.
fn back(state: &mut AppState, cmds: &mut Vec<Command>) {
    if current_filter(state).is_some() {
        set_filter(state, None);
        return;
    }
    // Going back comes first: a notice (an operation's result, say) must
    // not make leaving a screen take two presses. It goes by itself, or
    // with esc on the first screen.
    if state.screens.len() == 1 {
        state.notice = None;
        return;
    }
    if let Some(Screen::Logs(v)) = state.screens.pop() {
        cmds.push(Command::CloseLogs { session: v.session });
    }
    rebuild_lists(state);
}

fn goto_view(state: &mut AppState, view: View, cmds: &mut Vec<Command>) {
    close_all_logs(state, cmds);
    let mut list = ListState::new(view, Scope::default());
    list.rebuild(&state.snapshot, state.now, state.body_height());
    state.screens = vec![Screen::List(Box::new(list))];
}

pub(super) fn close_all_logs(state: &AppState, cmds: &mut Vec<Command>) {
    for s in &state.screens {
        if let Screen::Logs(v) = s {
            cmds.push(Command::CloseLogs { session: v.session });
        }
    }
}

fn push_list(state: &mut AppState, view: View, scope: Scope) {
    let mut list = ListState::new(view, scope);
    list.rebuild(&state.snapshot, state.now, state.body_height());
    state.screens.push(Screen::List(Box::new(list)));
}

/// Enter: drill down one level.
fn open(state: &mut AppState, cmds: &mut Vec<Command>) {
    let snap = state.snapshot.clone();
    let Screen::List(l) = state.screen() else {
        return;
    };
    match l.selected(&snap) {
        Some(Row::Node(n)) => {
            let scope = Scope {
                node: Some(n.name.clone()),
                ..Scope::default()
            };
            push_list(state, View::Containers, scope);
        }
        Some(Row::Stack(s)) => {
            let scope = Scope {
                stack: Some(s.name.clone()),
                ..Scope::default()
            };
            push_list(state, View::Services, scope);
        }
        Some(Row::Service(s)) => {
            let scope = Scope {
                service: Some(s.id.clone()),
                ..Scope::default()
            };
            push_list(state, View::Containers, scope);
        }
        // A pod: its containers, one level down (init ones first).
        Some(Row::Container(c)) if !c.parts.is_empty() => {
            let scope = Scope {
                pod: Some((c.id.clone(), c.name.clone())),
                ..Scope::default()
            };
            push_list(state, View::Parts, scope);
        }
        Some(Row::Container(_) | Row::Part(..)) => logs_of_selection(state, false, cmds),
        // A route: the replicas of the service it reaches.
        Some(Row::Route(r)) if snap.services.iter().any(|s| s.id == r.service_id) => {
            let scope = Scope {
                service: Some(r.service_id.clone()),
                ..Scope::default()
            };
            push_list(state, View::Containers, scope);
        }
        Some(Row::Route(r)) => {
            let msg = format!(
                "route {} reaches no service berth knows ({})",
                r.name, r.service
            );
            state.notify(Level::Warn, msg);
        }
        None => {}
    }
}

/// `w`: the routes that reach the selected service (a container's
/// service, a stack's services).
fn routes_of_selection(state: &mut AppState) {
    let snap = state.snapshot.clone();
    let Screen::List(l) = state.screen() else {
        return;
    };
    let scope = match l.selected(&snap) {
        Some(Row::Service(s)) => Scope {
            service: Some(s.id.clone()),
            ..Scope::default()
        },
        Some(Row::Container(c)) => Scope {
            service: Some(c.service_id.clone()),
            ..Scope::default()
        },
        Some(Row::Stack(s)) => Scope {
            stack: Some(s.name.clone()),
            ..Scope::default()
        },
        _ => {
            state.notify(
                Level::Warn,
                "routes: select a service, a container or a stack",
            );
            return;
        }
    };
    push_list(state, View::Routes, scope);
}

/// Opens logs of the selected container, or of every container of the
/// selected service; `previous`: of their run before the last restart.
fn logs_of_selection(state: &mut AppState, previous: bool, cmds: &mut Vec<Command>) {
    let snap = state.snapshot.clone();
    let Screen::List(l) = state.screen() else {
        return;
    };
    let (target, title) = match l.selected(&snap) {
        Some(Row::Container(c)) => (LogTarget::Container(c.id.clone()), c.name.clone()),
        Some(Row::Service(s)) => (LogTarget::Service(s.id.clone()), s.qualified_name()),
        Some(Row::Route(r)) if snap.services.iter().any(|s| s.id == r.service_id) => {
            (LogTarget::Service(r.service_id.clone()), r.service.clone())
        }
        Some(Row::Part(pod, p)) => (
            LogTarget::Part {
                pod: pod.id.clone(),
                container: p.name.clone(),
            },
            format!("{}/{}", pod.name, p.name),
        ),
        Some(_) => {
            state.notify(Level::Warn, "logs: select a service or a container");
            return;
        }
        None => return,
    };
    open_logs(state, target, title, previous, cmds);
}

/// `P`: the previous run's logs (Kubernetes keeps one run back) of the
/// selection, or of what the log view shows.
fn previous_logs(state: &mut AppState, cmds: &mut Vec<Command>) {
    if state.settings.backend != BackendKind::Kubernetes {
        state.notify(
            Level::Warn,
            "previous logs are Kubernetes only: a container's logs here span its restarts",
        );
        return;
    }
    match state.screen() {
        Screen::List(_) => logs_of_selection(state, true, cmds),
        Screen::Logs(v) if v.previous => {}
        Screen::Logs(v) => {
            let (target, title) = (v.target.clone(), v.title.clone());
            open_logs(state, target, title, true, cmds);
        }
        Screen::Operations { .. } => {}
    }
}

pub fn open_logs(
    state: &mut AppState,
    target: LogTarget,
    title: String,
    previous: bool,
    cmds: &mut Vec<Command>,
) {
    let session = state.next_session;
    state.next_session += 1;
    let title = if previous {
        format!("{title} (previous)")
    } else {
        title
    };
    let mut view = LogView::new(session, title, target.clone(), state.settings.log_capacity);
    view.previous = previous;
    state.screens.push(Screen::Logs(Box::new(view)));
    cmds.push(Command::OpenLogs {
        session,
        req: LogRequest {
            target,
            tail: Some(state.settings.log_tail),
            since: None,
            follow: !previous,
            previous,
        },
    });
}

fn prompt_key(state: &mut AppState, key: KeyEvent, cmds: &mut Vec<Command>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let Some(prompt) = state.prompt.as_mut() else {
        return;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            let p = state.prompt.take();
            if let Some(Prompt::Filter { before, .. }) = p {
                set_filter(state, before.as_deref());
            }
        }
        KeyCode::Enter => {
            let p = state.prompt.take();
            match p {
                Some(Prompt::Command { text }) => run_command(state, &text, cmds),
                Some(Prompt::Search { text }) => {
                    let height = state.body_height();
                    if let Screen::Logs(v) = state.screen_mut() {
                        v.search_hit = None;
                        v.search = (!text.is_empty()).then(|| Filter::new(&text));
                        if v.search.is_some() && !v.search_step(false, height) {
                            state.notify(Level::Info, format!("search: no line matches {text}"));
                        }
                    }
                }
                _ => {}
            }
        }
        KeyCode::Backspace => {
            prompt.text_mut().pop();
            live_filter(state);
        }
        KeyCode::Char('u') if ctrl => {
            prompt.text_mut().clear();
            live_filter(state);
        }
        KeyCode::Char('w') if ctrl => {
            let t = prompt.text_mut();
            let keep = t.trim_end().rfind(' ').map(|i| i + 1).unwrap_or(0);
            t.truncate(keep);
            live_filter(state);
        }
        KeyCode::Char('c') if ctrl => {
            state.prompt = None;
        }
        KeyCode::Char(c) if !ctrl => {
            prompt.text_mut().push(c);
            live_filter(state);
        }
        _ => {}
    }
    state.dirty = true;
}

/// Filters apply as the user types.
fn live_filter(state: &mut AppState) {
    if let Some(Prompt::Filter { text, .. }) = &state.prompt {
        let text = text.clone();
        set_filter(state, Some(&text));
    }
}

fn run_command(state: &mut AppState, text: &str, cmds: &mut Vec<Command>) {
    let text = text.trim();
    let (word, arg) = match text.split_once(char::is_whitespace) {
        Some((w, a)) => (w, Some(a.trim()).filter(|a| !a.is_empty())),
        None => (text, None),
    };
    match word {
        "" => {}
        "ctx" | "context" | "contexts" | "ns" | "namespace" | "namespaces" => {
            switch::command(state, word, arg, cmds)
        }
        _ if arg.is_some() => state.notify(
            Level::Warn,
            format!("unknown command: {text} (only :ctx and :ns take an argument)"),
        ),
        "q" | "q!" | "quit" | "exit" => quit(state, cmds),
        "help" | "h" | "?" => state.overlay = Some(Overlay::Help { scroll: 0 }),
        _ => match View::parse(word) {
            Some(v) => goto_view(state, v, cmds),
            None => state.notify(
                Level::Warn,
                format!(
                    "unknown command: {word} (try :containers, :services, :stacks, :nodes, :ctx, :ns, :q)"
                ),
            ),
        },
    }
}
