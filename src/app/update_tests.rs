//! Reducer tests: sequences of messages in, state and commands out.

use super::*;
use crate::backend::{BackendEvent, BackendKind, ConnectionState};
use crate::domain::fixtures::{NOW, sample};
use crate::logs::{LogEvent, LogLine, LogStream, LogTarget};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use view::View;

fn state() -> AppState {
    state_with(false)
}

/// The console on the sample snapshot (shared with the operation tests).
pub(super) fn state_with(read_only: bool) -> AppState {
    let settings = Settings {
        backend: BackendKind::Docker,
        endpoint: "unix:///var/run/docker.sock".into(),
        read_only,
        log_tail: 1000,
        log_capacity: 100,
        save_dir: std::env::temp_dir(),
        audit_dir: None,
        routes: Default::default(),
    };
    let mut s = AppState::new(settings, (120, 30), NOW);
    update(
        &mut s,
        Msg::Backend(BackendEvent::Snapshot(Arc::new(sample()))),
    );
    s
}

pub(super) fn act(s: &mut AppState, actions: &[Action]) -> Vec<Command> {
    actions
        .iter()
        .flat_map(|a| update(s, Msg::Action(*a)))
        .collect()
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

pub(super) fn key(s: &mut AppState, code: KeyCode) -> Vec<Command> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn selected_name(s: &AppState) -> Option<String> {
    match s.screen() {
        Screen::List(l) => l.selected(&s.snapshot).map(|r| r.cell(0, NOW).into_owned()),
        _ => None,
    }
}

#[test]
fn starts_on_containers_sorted_by_name() {
    let s = state();
    assert_eq!(s.view(), Some(View::Containers));
    assert_eq!(selected_name(&s).as_deref(), Some("grafana"));
    assert!(s.loaded);
}

#[test]
fn drill_down_stack_service_container_logs_and_back() {
    let mut s = state();
    act(&mut s, &[Action::ViewStacks, Action::Down]);
    assert_eq!(selected_name(&s).as_deref(), Some("shop"));
    act(&mut s, &[Action::Open]);
    assert_eq!(s.view(), Some(View::Services));
    let Screen::List(l) = s.screen() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), 2, "only the shop's services");
    act(&mut s, &[Action::Down, Action::Open]);
    assert_eq!(s.view(), Some(View::Containers));
    let Screen::List(l) = s.screen() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), 2, "web's two containers");
    let cmds = act(&mut s, &[Action::Open]);
    assert_eq!(s.view(), Some(View::Logs));
    let [Command::OpenLogs { session, req }] = cmds.as_slice() else {
        panic!("one OpenLogs, got {cmds:?}")
    };
    assert_eq!(
        req.target,
        LogTarget::Container(sample().containers[4].id.clone())
    );
    assert_eq!(req.tail, Some(1000));
    assert!(req.follow);
    let session = *session;
    let cmds = act(&mut s, &[Action::Back]);
    assert_eq!(cmds, vec![Command::CloseLogs { session }]);
    assert_eq!(s.view(), Some(View::Containers));
    act(&mut s, &[Action::Back, Action::Back]);
    assert_eq!(s.view(), Some(View::Stacks));
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("shop"),
        "cursor kept on the way back"
    );
}

#[test]
fn service_logs_merge_all_replicas() {
    let mut s = state();
    act(&mut s, &[Action::ViewServices, Action::End]);
    let cmds = act(&mut s, &[Action::Logs]);
    let [Command::OpenLogs { req, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.target, LogTarget::Service("shop/web".into()));
    let Screen::Logs(v) = s.screen() else {
        panic!("logs")
    };
    assert!(v.show_source, "merged logs show each line's source");
}

#[test]
fn filter_prompt_applies_live_and_escape_restores() {
    let mut s = state();
    act(&mut s, &[Action::Filter]);
    assert!(s.key_mode().is_none(), "prompt takes raw keys");
    typed(&mut s, "shop-");
    let rows = |s: &AppState| match s.screen() {
        Screen::List(l) => l.rows.len(),
        _ => 0,
    };
    assert_eq!(rows(&s), 3);
    key(&mut s, KeyCode::Enter);
    assert_eq!(rows(&s), 3, "kept after enter");
    act(&mut s, &[Action::Filter]);
    typed(&mut s, "web");
    assert_eq!(rows(&s), 2);
    key(&mut s, KeyCode::Esc);
    assert_eq!(rows(&s), 3, "esc restores the filter from before");
    act(&mut s, &[Action::Back]);
    assert_eq!(rows(&s), 6, "back clears the filter first");
    assert_eq!(s.view(), Some(View::Containers));
}

#[test]
fn command_mode_jumps_to_views_and_quits() {
    let mut s = state();
    act(&mut s, &[Action::Command]);
    typed(&mut s, "stacks");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view(), Some(View::Stacks));
    act(&mut s, &[Action::Command]);
    typed(&mut s, "nope");
    key(&mut s, KeyCode::Enter);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("unknown command"))
    );
    act(&mut s, &[Action::Command]);
    typed(&mut s, "q");
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(s.quit);
    assert_eq!(cmds, vec![Command::Quit]);
}

#[test]
fn switching_views_closes_the_log_stream() {
    let mut s = state();
    let cmds = act(&mut s, &[Action::Logs]);
    let Some(Command::OpenLogs { session, .. }) = cmds.first() else {
        panic!("{cmds:?}")
    };
    let session = *session;
    let cmds = act(&mut s, &[Action::ViewNodes]);
    assert_eq!(cmds, vec![Command::CloseLogs { session }]);
    assert_eq!(s.screens.len(), 1);
}

#[test]
fn log_lines_of_a_closed_session_are_ignored() {
    let mut s = state();
    act(&mut s, &[Action::Logs]);
    let line = LogLine::from_raw(Arc::from("x"), LogStream::Stdout, None, b"hello");
    update(
        &mut s,
        Msg::Log {
            session: 999,
            event: LogEvent::Lines(vec![line.clone()]),
        },
    );
    assert_eq!(s.logs().map(|v| v.ring.len()), Some(0));
    update(
        &mut s,
        Msg::Log {
            session: 1,
            event: LogEvent::Lines(vec![line]),
        },
    );
    assert_eq!(s.logs().map(|v| v.ring.len()), Some(1));
}

#[test]
fn log_toggles_and_save_request() {
    let mut s = state();
    act(&mut s, &[Action::Logs]);
    let cmds = act(
        &mut s,
        &[
            Action::ToggleTimestamps,
            Action::ToggleWrap,
            Action::ToggleFollow,
            Action::SaveLogs,
        ],
    );
    let Screen::Logs(v) = s.screen() else {
        panic!("logs")
    };
    assert!(v.timestamps && v.wrap && !v.follow);
    assert_eq!(cmds, vec![Command::SaveLogs { session: 1 }]);
}

#[test]
fn connection_loss_shows_and_clears() {
    let mut s = state();
    update(
        &mut s,
        Msg::Backend(BackendEvent::Connection(ConnectionState::Reconnecting {
            for_secs: 3,
            error: "connection refused".into(),
        })),
    );
    assert_eq!(s.last_error.as_deref(), Some("connection refused"));
    update(
        &mut s,
        Msg::Backend(BackendEvent::Connection(ConnectionState::Connected)),
    );
    assert_eq!(s.last_error, None);
    assert_eq!(s.connection, ConnectionState::Connected);
}

#[test]
fn help_overlay_takes_its_own_keys() {
    let mut s = state();
    act(&mut s, &[Action::Help]);
    assert_eq!(s.key_mode(), Some(crate::config::Mode::Help));
    act(&mut s, &[Action::Down, Action::Down]);
    assert_eq!(s.overlay, Some(Overlay::Help { scroll: 2 }));
    act(&mut s, &[Action::Back]);
    assert_eq!(s.overlay, None);
    assert_eq!(s.view(), Some(View::Containers), "back closed help only");
}

#[test]
fn sorting_cycles_columns_and_reverses() {
    let mut s = state();
    act(&mut s, &[Action::SortReverse]);
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("grafana"),
        "cursor stays on its item"
    );
    act(&mut s, &[Action::Home]);
    assert_eq!(selected_name(&s).as_deref(), Some("shop-web-2"));
    act(
        &mut s,
        &[Action::SortNext, Action::SortReverse, Action::Home],
    );
    let Screen::List(l) = s.screen() else {
        panic!("list")
    };
    assert_eq!(l.sort_col, 1);
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("grafana"),
        "running first by state"
    );
}

#[test]
fn a_tick_redraws_only_when_a_shown_age_changes() {
    let mut s = state();
    update(&mut s, Msg::Tick(NOW + 120));
    s.dirty = false;
    // Every age on screen is in minutes or more: one second changes nothing.
    update(&mut s, Msg::Tick(NOW + 121));
    assert!(!s.dirty, "nothing shown changed");
    // The youngest containers go from 2m to 3m.
    update(&mut s, Msg::Tick(NOW + 180));
    assert!(s.dirty, "an age on screen changed");
    // A list without ages never redraws for the clock.
    act(&mut s, &[Action::ViewStacks]);
    s.dirty = false;
    update(&mut s, Msg::Tick(NOW + 3600));
    assert!(!s.dirty);
}

#[test]
fn the_interest_follows_the_screen_on_top() {
    use crate::backend::Interest;
    let mut s = state();
    // The app opens on every container.
    assert_eq!(s.interest(), Interest::All);
    act(&mut s, &[Action::ViewServices]);
    assert_eq!(s.interest(), Interest::Nothing, "no replicas on screen");
    let first = match s.screen() {
        Screen::List(l) => l.selected(&s.snapshot).map(|r| r.key().to_owned()),
        _ => None,
    }
    .expect("a service is selected");
    act(&mut s, &[Action::Open]);
    assert_eq!(s.interest(), Interest::Service(first), "its replicas only");
    act(&mut s, &[Action::Logs]);
    assert_eq!(
        s.interest(),
        Interest::Nothing,
        "a log view lists no replicas"
    );
    act(&mut s, &[Action::Back, Action::Back, Action::ViewNodes]);
    assert_eq!(s.interest(), Interest::All, "nodes count their replicas");
    act(&mut s, &[Action::Open]);
    assert_eq!(s.interest(), Interest::Node("prod-1".into()));
    act(&mut s, &[Action::Operations]);
    assert_eq!(s.interest(), Interest::Nothing);
}

#[test]
fn what_the_backend_cannot_see_is_said_once() {
    let mut s = state();
    let mut snap = sample();
    snap.problems = vec!["forbidden: list pods in kube-system".into()];
    update(
        &mut s,
        Msg::Backend(BackendEvent::Snapshot(Arc::new(snap.clone()))),
    );
    let notice = s.notice.clone().expect("a notice");
    assert_eq!(notice.text, "forbidden: list pods in kube-system");
    s.notice = None;
    // The same problems again: not said again.
    update(&mut s, Msg::Backend(BackendEvent::Snapshot(Arc::new(snap))));
    assert!(s.notice.is_none());
}

/// A Kubernetes console with one pod: an init container and two others.
fn kube_state() -> AppState {
    use crate::domain::{Container, ContainerPart, PartState, Snapshot};
    let mut s = state();
    s.settings.backend = BackendKind::Kubernetes;
    let part = |name: &str, init: bool, state: PartState, reason: &str| ContainerPart {
        name: name.into(),
        init,
        state,
        reason: reason.into(),
        ..ContainerPart::default()
    };
    let pod = Container {
        id: "uid-1".into(),
        name: "web-7c9d-x2".into(),
        stack: Some("shop".into()),
        parts: vec![
            part("setup", true, PartState::Terminated, "Completed"),
            part("app", false, PartState::Waiting, "CrashLoopBackOff"),
            part("proxy", false, PartState::Running, ""),
        ],
        ..Container::default()
    };
    let snap = Snapshot {
        containers: vec![pod],
        ..Snapshot::default()
    };
    update(&mut s, Msg::Backend(BackendEvent::Snapshot(Arc::new(snap))));
    s
}

#[test]
fn enter_on_a_pod_lists_its_containers_and_enter_on_one_follows_its_logs() {
    let mut s = kube_state();
    act(&mut s, &[Action::ViewContainers, Action::Open]);
    assert_eq!(s.view(), Some(View::Parts));
    let Screen::List(l) = s.screen() else {
        panic!("a list")
    };
    let names: Vec<String> = l
        .rows
        .iter()
        .filter_map(|&i| columns::Row::get(&s.snapshot, View::Parts, i))
        .map(|r| format!("{} {} {}", r.cell(0, NOW), r.cell(1, NOW), r.cell(3, NOW)))
        .collect();
    assert_eq!(
        names,
        [
            "setup init Completed",
            "app app CrashLoopBackOff",
            "proxy app "
        ],
        "init first, then the others"
    );
    assert_eq!(
        l.scope.describe().as_deref(),
        Some("pod web-7c9d-x2"),
        "the title names the pod"
    );
    let cmds = act(&mut s, &[Action::Down, Action::Open]);
    let [Command::OpenLogs { req, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let part = LogTarget::Part {
        pod: "uid-1".into(),
        container: "app".into(),
    };
    assert_eq!(req.target, part);
    assert!(req.follow && !req.previous);

    // P in the log view: the run before the crash, not followed.
    let cmds = act(&mut s, &[Action::PreviousLogs]);
    let [Command::OpenLogs { req, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.target, part);
    assert!(req.previous && !req.follow);
    let Screen::Logs(v) = s.screen() else {
        panic!("logs")
    };
    assert_eq!(v.title, "web-7c9d-x2/app (previous)");

    // Operations act on pods, not on one container of a pod.
    act(&mut s, &[Action::Back, Action::Back]);
    assert_eq!(s.view(), Some(View::Parts));
    let cmds = act(&mut s, &[Action::Restart]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("select its pod")),
        "{:?}",
        s.notice
    );
}

#[test]
fn previous_logs_are_refused_on_docker_with_a_reason() {
    let mut s = state();
    act(&mut s, &[Action::ViewContainers]);
    let cmds = act(&mut s, &[Action::PreviousLogs]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("Kubernetes only")),
        "{:?}",
        s.notice
    );
}
