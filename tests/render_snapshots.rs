//! Each view drawn on ratatui's TestBackend at 80x24 and 200x50, compared
//! with reviewed snapshots (tests/snapshots). Pure drawing: no engine here.

use berth::app::{Action, AppState, Msg, Settings, update};
use berth::backend::{BackendEvent, BackendKind, ConnectionState};
use berth::config::{Keymap, Theme};
use berth::domain::fixtures::{NOW, sample};
use berth::domain::{
    OpEvent, OpKind, OpRequest, Outcome, Plan, ServiceKind, ServiceMode, ServiceRef, Step,
    TargetRef,
};
use berth::logs::{LogEvent, LogLine, LogStream};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn state(size: (u16, u16)) -> AppState {
    let settings = Settings {
        backend: BackendKind::Docker,
        endpoint: "unix:///var/run/docker.sock".into(),
        read_only: false,
        log_tail: 1000,
        log_capacity: 100_000,
        save_dir: std::env::temp_dir(),
        audit_dir: None,
        routes: Default::default(),
    };
    let mut s = AppState::new(settings, size, NOW);
    update(
        &mut s,
        Msg::Backend(BackendEvent::Connection(ConnectionState::Connected)),
    );
    update(
        &mut s,
        Msg::Backend(BackendEvent::Snapshot(Arc::new(sample()))),
    );
    s
}

fn draw(state: &AppState) -> Terminal<TestBackend> {
    let mut term =
        Terminal::new(TestBackend::new(state.size.0, state.size.1)).expect("test terminal");
    let theme = Theme::builtin("dark").expect("dark theme");
    let keymap = Keymap::builtin("default").expect("default keymap");
    term.draw(|f| berth::ui::draw(f, state, &theme, &keymap))
        .expect("draw");
    term
}

fn act(s: &mut AppState, actions: &[Action]) {
    for a in actions {
        update(s, Msg::Action(*a));
    }
}

fn log_lines(source: &str, n: usize) -> Vec<LogLine> {
    (0..n)
        .map(|i| {
            let ts = (NOW + i as i64) * 1_000_000_000;
            let raw = match i % 4 {
                0 => format!("GET /api/orders/{i} 200 3ms"),
                1 => format!("{{\"level\":\"warn\",\"msg\":\"slow query\",\"ms\":{}}}", 100 + i),
                2 => "level=error msg=\"upstream timed out\" upstream=db:5432".to_owned(),
                _ => format!("worker {i} idle; a long line that goes on and on to show how wrapping and cutting behave at the edge of the screen"),
            };
            LogLine::from_raw(Arc::from(source), LogStream::Stdout, Some(ts), raw.as_bytes())
        })
        .collect()
}

fn snapshot_all(name: &str, setup: impl Fn(&mut AppState)) {
    for size in SIZES {
        let mut s = state(size);
        setup(&mut s);
        let term = draw(&s);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), term.backend());
    }
}

#[test]
fn containers_view() {
    snapshot_all("containers", |_| {});
}

#[test]
fn services_view() {
    snapshot_all("services", |s| {
        act(s, &[Action::ViewServices, Action::Down])
    });
}

#[test]
fn stacks_view() {
    snapshot_all("stacks", |s| act(s, &[Action::ViewStacks]));
}

#[test]
fn nodes_view() {
    snapshot_all("nodes", |s| act(s, &[Action::ViewNodes]));
}

/// A swarm manager's view: the swarm fixture in place of the engine's.
fn on_swarm(s: &mut AppState) {
    update(
        s,
        Msg::Backend(BackendEvent::Snapshot(Arc::new(
            berth::domain::fixtures::swarm(),
        ))),
    );
}

#[test]
fn swarm_nodes_with_availability_and_a_node_down() {
    snapshot_all("swarm_nodes", |s| {
        on_swarm(s);
        act(s, &[Action::ViewNodes]);
    });
}

#[test]
fn swarm_services_mid_update_with_failing_tasks() {
    snapshot_all("swarm_services", |s| {
        on_swarm(s);
        act(s, &[Action::ViewServices]);
    });
}

#[test]
fn swarm_tasks_with_errors_and_history() {
    snapshot_all("swarm_tasks", |s| {
        on_swarm(s);
        act(s, &[Action::ViewServices, Action::Down, Action::Open]);
    });
}

#[test]
fn drilled_into_a_stack() {
    snapshot_all("stack_services", |s| {
        act(s, &[Action::ViewStacks, Action::Down, Action::Open])
    });
}

#[test]
fn filtered_containers_with_prompt() {
    snapshot_all("containers_filter", |s| {
        act(s, &[Action::Filter]);
        for c in "web".chars() {
            update(
                s,
                Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
        }
    });
}

#[test]
fn service_logs_merged() {
    snapshot_all("logs_service", |s| {
        act(s, &[Action::ViewServices, Action::End, Action::Logs]);
        let mut lines = log_lines("shop-web-1", 30);
        lines.extend(log_lines("shop-web-2", 30));
        update(
            s,
            Msg::Log {
                session: 1,
                event: LogEvent::Lines(lines),
            },
        );
    });
}

#[test]
fn container_logs_with_timestamps_wrap_and_hostile_bytes() {
    snapshot_all("logs_container", |s| {
        act(
            s,
            &[Action::Logs, Action::ToggleTimestamps, Action::ToggleWrap],
        );
        let mut lines = log_lines("grafana", 12);
        let hostile = b"\x1b]0;pwned\x07title \x1b[2Jcleared\rCR \x1b[31mred\x1b[0m \x07bell";
        lines.push(LogLine::from_raw(
            Arc::from("grafana"),
            LogStream::Stderr,
            Some(NOW * 1_000_000_000),
            hostile,
        ));
        update(
            s,
            Msg::Log {
                session: 1,
                event: LogEvent::Lines(lines),
            },
        );
    });
}

#[test]
fn help_overlay() {
    snapshot_all("help", |s| act(s, &[Action::Help]));
}

#[test]
fn reconnecting_status() {
    snapshot_all("reconnecting", |s| {
        update(
            s,
            Msg::Backend(BackendEvent::Connection(ConnectionState::Reconnecting {
                for_secs: 3,
                error: "cannot reach the Docker engine at unix:///var/run/docker.sock: connection refused".into(),
            })),
        );
    });
}

#[test]
fn not_answering_status() {
    snapshot_all("not_answering", |s| {
        update(
            s,
            Msg::Backend(BackendEvent::Connection(ConnectionState::NotAnswering {
                for_secs: 7,
            })),
        );
    });
}

#[test]
fn terminal_too_small_gets_a_message() {
    let s = state((30, 6));
    let term = draw(&s);
    insta::assert_snapshot!("too_small_30x6", term.backend());
    let text: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(text.contains("too small"), "{text}");
}

#[test]
fn the_cursor_row_is_highlighted_and_health_is_coloured() {
    let theme = Theme::builtin("dark").expect("dark");
    let s = state((120, 20));
    let term = draw(&s);
    let buf = term.backend().buffer();
    // Row 2 (after border and header) is the cursor row: grafana.
    let cell = &buf[(1, 2)];
    assert_eq!(cell.symbol(), "g");
    assert_eq!(cell.bg, theme.selected.bg.unwrap_or_default());
    // shop-db-1 is unhealthy: its HEALTH cell uses the unhealthy style.
    let row = (0..buf.area.height)
        .find(|&y| (1..10).map(|x| buf[(x, y)].symbol()).collect::<String>() == "shop-db-1")
        .expect("shop-db-1 row");
    let line: String = (0..buf.area.width)
        .map(|x| buf[(x, row)].symbol())
        .collect();
    let col = line.find("unhealthy").expect("unhealthy cell") as u16;
    assert_eq!(buf[(col, row)].fg, theme.unhealthy.fg.unwrap_or_default());
}

fn web() -> TargetRef {
    TargetRef::Service(ServiceRef {
        id: "shop/web".into(),
        name: "shop/web".into(),
        kind: ServiceKind::Compose,
        mode: ServiceMode::Replicated,
    })
}

/// A plan as a backend would make it, built by hand: drawing is what is tested.
fn redeploy_plan() -> Plan {
    Plan {
        request: OpRequest {
            kind: OpKind::Redeploy,
            target: web(),
            replicas: None,
        },
        summary: "Docker Engine at unix:///var/run/docker.sock: pull registry.local/shop/web:1.4.2 again and replace the 2 containers of compose service shop/web, one at a time.".into(),
        details: vec![
            "image registry.local/shop/web:1.4.2 (sha256:3f2a…) is pulled first; nothing stops if the pull fails".into(),
            "each new container must be running (healthy, where a health check exists) before the old one is removed".into(),
        ],
        warnings: vec!["shop/web publishes port 8080: it is unreachable for a moment while the containers are exchanged".into()],
        replicas: vec!["shop-web-1".into(), "shop-web-2".into()],
        confirm_twice: false,
        revision: None,
    }
}

fn scale_to_zero_plan() -> Plan {
    Plan {
        request: OpRequest {
            kind: OpKind::Scale,
            target: web(),
            replicas: Some(0),
        },
        summary: "Docker Engine: scale compose service shop/web from 2 to 0 containers.".into(),
        details: vec!["shop-web-2, then shop-web-1 are stopped and removed".into()],
        warnings: vec!["with 0 replicas shop/web stops serving".into()],
        replicas: vec!["shop-web-2".into(), "shop-web-1".into()],
        confirm_twice: true,
        revision: None,
    }
}

/// The services view on shop/web, with the key for `action` answered by the
/// backend: capabilities allow it.
fn asked(s: &mut AppState, action: Action) -> OpRequest {
    act(s, &[Action::ViewServices, Action::End]);
    let kind = action.op_kind().expect("an operation");
    let req = OpRequest {
        kind,
        target: web(),
        replicas: None,
    };
    update(
        s,
        Msg::Checked {
            req: req.clone(),
            result: Ok(()),
        },
    );
    req
}

fn planned(s: &mut AppState, plan: Plan) {
    update(
        s,
        Msg::Planned {
            req: plan.request.clone(),
            result: Ok(plan),
        },
    );
}

fn op_event(s: &mut AppState, event: OpEvent, elapsed_ms: u64) {
    update(
        s,
        Msg::Op {
            id: 1,
            event,
            elapsed_ms,
        },
    );
}

fn step(replica: &str, step: Step, done: bool, detail: Option<&str>) -> OpEvent {
    OpEvent::Step {
        replica: replica.into(),
        step,
        done,
        detail: detail.map(Into::into),
    }
}

/// A confirmed redeploy halfway: one replica exchanged, one being created.
fn redeploy_running(s: &mut AppState) {
    asked(s, Action::Redeploy);
    planned(s, redeploy_plan());
    act(s, &[Action::Confirm]);
    op_event(
        s,
        OpEvent::Message {
            text: "registry.local/shop/web:1.4.2: image is up to date".into(),
        },
        800,
    );
    op_event(
        s,
        step(
            "shop-web-1",
            Step::Healthy,
            false,
            Some("new container 9c1e2d"),
        ),
        2500,
    );
    op_event(s, step("shop-web-1", Step::OldRemoved, true, None), 3000);
    op_event(s, step("shop-web-2", Step::Creating, false, None), 3100);
    update(s, Msg::Tick(NOW + 3));
}

#[test]
fn asking_the_engine() {
    snapshot_all("op_pending", |s| {
        asked(s, Action::Redeploy);
    });
}

#[test]
fn confirmation_overlay() {
    snapshot_all("op_confirm", |s| {
        asked(s, Action::Redeploy);
        planned(s, redeploy_plan());
    });
}

#[test]
fn confirmation_asked_twice() {
    snapshot_all("op_confirm_again", |s| {
        asked(s, Action::Scale);
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char('0'), KeyModifiers::NONE)),
        );
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        planned(s, scale_to_zero_plan());
        act(s, &[Action::Confirm]);
    });
}

#[test]
fn scale_prompt() {
    snapshot_all("op_scale_prompt", |s| {
        asked(s, Action::Scale);
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE)),
        );
    });
}

#[test]
fn progress_running() {
    snapshot_all("op_progress_running", redeploy_running);
}

#[test]
fn progress_finished_and_left() {
    snapshot_all("op_progress_finished", |s| {
        redeploy_running(s);
        op_event(
            s,
            step(
                "shop-web-2",
                Step::Failed,
                false,
                Some("exited (1) before it was running"),
            ),
            4000,
        );
        op_event(
            s,
            step(
                "shop-web-2",
                Step::Restored,
                true,
                Some("the old container runs again"),
            ),
            4200,
        );
        op_event(
            s,
            OpEvent::Finished {
                outcome: Outcome::Restored,
                message: "shop-web-2: the new container exited (1); the old one was started again"
                    .into(),
            },
            4200,
        );
    });
    // Left while it ran, the status bar tells how it ended.
    snapshot_all("op_status_after_leaving", |s| {
        redeploy_running(s);
        act(s, &[Action::Back]);
        op_event(s, step("shop-web-2", Step::OldRemoved, true, None), 4000);
        op_event(
            s,
            OpEvent::Finished {
                outcome: Outcome::Converged,
                message: "2 containers replaced".into(),
            },
            4200,
        );
    });
}

#[test]
fn help_on_the_operations_screen() {
    snapshot_all("help_operations", |s| {
        redeploy_running(s);
        act(s, &[Action::Help]);
    });
}

/// A Kubernetes pod entered: its containers, the init one first, with
/// their states, reasons and last exits.
#[test]
fn a_pods_containers_one_level_down() {
    use berth::domain::{Container, ContainerPart, ContainerState, PartState, Snapshot};
    let part = |name: &str, init: bool, state: PartState| ContainerPart {
        name: name.into(),
        image: "docker.io/local/busybox:1".into(),
        init,
        state,
        since: NOW - 300,
        ..ContainerPart::default()
    };
    let pod = Container {
        id: "3f6c0b1e-pod".into(),
        name: "web-7c9d5-x2xkq".into(),
        state: ContainerState::Restarting,
        status: "CrashLoopBackOff 1/2 10.88.0.12".into(),
        stack: Some("shop".into()),
        restart_count: Some(4),
        parts: vec![
            ContainerPart {
                reason: "Completed".into(),
                exit_code: Some(0),
                ready: true,
                ..part("migrate", true, PartState::Terminated)
            },
            ContainerPart {
                reason: "CrashLoopBackOff".into(),
                message: "back-off 40s restarting failed container=app".into(),
                restarts: 4,
                last_termination: "Error, exit 1".into(),
                ..part("app", false, PartState::Waiting)
            },
            ContainerPart {
                ready: true,
                last_termination: "OOMKilled, exit 137".into(),
                restarts: 1,
                ..part("proxy", false, PartState::Running)
            },
        ],
        ..Container::default()
    };
    snapshot_all("kube_pod_containers", |s| {
        s.settings.backend = BackendKind::Kubernetes;
        s.settings.endpoint = "https://127.0.0.1:6443".into();
        update(
            s,
            Msg::Backend(BackendEvent::Snapshot(Arc::new(Snapshot {
                containers: vec![pod.clone()],
                ..Snapshot::default()
            }))),
        );
        act(s, &[Action::ViewContainers, Action::Open, Action::Down]);
    });
}

#[test]
fn kube_namespace_picker_and_the_namespace_in_the_status_bar() {
    snapshot_all("kube_namespace_picker", |s| {
        s.settings.backend = BackendKind::Kubernetes;
        s.settings.endpoint = "https://127.0.0.1:6443/ (berth-test)".into();
        s.kube = Some(berth::backend::kube::KubeTarget {
            kubeconfig: None,
            context: Some("berth-test".into()),
            namespace: Some("shop".into()),
        });
        let mut snap = sample();
        for st in &mut snap.stacks {
            st.kind = berth::domain::StackKind::Namespace;
        }
        update(s, Msg::Backend(BackendEvent::Snapshot(Arc::new(snap))));
        act(s, &[Action::Command]);
        for c in "ns".chars() {
            update(
                s,
                Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
        }
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
    });
}
