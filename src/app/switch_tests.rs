//! `:ctx` and `:ns` in the reducer: what is asked of the runtime, the
//! picker, and the console after a switch (or a failed one).

use super::update_tests::{act, key, state_with};
use super::*;
use crate::backend::kube::{Contexts, KubeContext, KubeTarget};
use crate::backend::{BackendEvent, BackendKind, ConnectionState};
use crate::domain::{Snapshot, Stack, StackKind};
use crossterm::event::KeyCode;
use picker::ALL_NAMESPACES;
use std::sync::Arc;

fn target(ctx: &str, ns: Option<&str>) -> KubeTarget {
    KubeTarget {
        kubeconfig: Some("/k/config".into()),
        context: Some(ctx.into()),
        namespace: ns.map(str::to_owned),
    }
}

fn namespace(name: &str) -> Stack {
    Stack {
        name: name.into(),
        id: name.into(),
        kind: StackKind::Namespace,
        ..Stack::default()
    }
}

/// A Kubernetes console on every namespace of context `admin`.
fn kube_state() -> AppState {
    let mut s = state_with(false);
    s.settings.backend = BackendKind::Kubernetes;
    s.settings.endpoint = "https://127.0.0.1:6443 (admin)".into();
    s.kube = Some(target("admin", None));
    let snap = Snapshot {
        stacks: vec![namespace("default"), namespace("shop")],
        ..crate::domain::fixtures::sample()
    };
    update(&mut s, Msg::Backend(BackendEvent::Snapshot(Arc::new(snap))));
    s
}

fn contexts() -> Contexts {
    Contexts {
        current: Some("admin".into()),
        list: vec![
            KubeContext {
                name: "admin".into(),
                cluster: "c".into(),
                namespace: None,
            },
            KubeContext {
                name: "limited".into(),
                cluster: "c".into(),
                namespace: Some("team".into()),
            },
        ],
    }
}

fn command(s: &mut AppState, text: &str) -> Vec<Command> {
    act(s, &[Action::Command]);
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
    key(s, KeyCode::Enter)
}

fn notice(s: &AppState) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn ns_name_asks_for_a_backend_on_that_namespace_and_nothing_changes_until_it_answers() {
    let mut s = kube_state();
    let cmds = command(&mut s, "ns shop");
    let want = target("admin", Some("shop"));
    assert_eq!(
        cmds,
        vec![Command::Connect {
            target: want.clone()
        }]
    );
    assert!(notice(&s).contains("switching to context admin, namespace shop"));
    assert_eq!(s.kube, Some(target("admin", None)), "not yet");
    assert!(s.loaded);

    // Answered: a fresh console on the new namespace.
    let cmds = update(
        &mut s,
        Msg::Connected {
            target: want.clone(),
            result: Ok("https://127.0.0.1:6443 (admin)".into()),
        },
    );
    assert_eq!(cmds, vec![Command::Adopt]);
    assert_eq!(s.kube, Some(want));
    assert!(!s.loaded, "the old snapshot is gone");
    assert!(s.snapshot.containers.is_empty());
    assert_eq!(s.connection, ConnectionState::Connecting);
    assert!(notice(&s).contains("now on context admin, namespace shop"));
}

#[test]
fn ns_all_and_dash_a_go_back_to_every_namespace() {
    for arg in ["all", "-A"] {
        let mut s = kube_state();
        s.kube = Some(target("admin", Some("shop")));
        let cmds = command(&mut s, &format!("ns {arg}"));
        assert_eq!(
            cmds,
            vec![Command::Connect {
                target: target("admin", None)
            }],
            "{arg}"
        );
    }
    // Already there: nothing to connect.
    let mut s = kube_state();
    assert!(command(&mut s, "ns all").is_empty());
    assert!(notice(&s).contains("already on context admin, all namespaces"));
}

#[test]
fn an_unknown_or_malformed_namespace_is_refused_with_one_notice() {
    let mut s = kube_state();
    assert!(command(&mut s, "ns nope").is_empty());
    assert!(notice(&s).contains("no namespace nope in context admin"));
    assert!(command(&mut s, "ns Bad,Name").is_empty());
    assert!(notice(&s).contains("is not a namespace name"));
    // Scoped to one namespace the others are unknown here: trusted.
    s.kube = Some(target("admin", Some("shop")));
    assert_eq!(
        command(&mut s, "ns other"),
        vec![Command::Connect {
            target: target("admin", Some("other"))
        }]
    );
}

#[test]
fn ns_alone_opens_a_picker_of_the_snapshots_namespaces_narrowed_by_typing() {
    let mut s = kube_state();
    assert!(command(&mut s, "ns").is_empty());
    let Some(Overlay::Pick(p)) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!(p.items, [ALL_NAMESPACES, "default", "shop"]);
    assert_eq!(
        p.chosen().as_deref(),
        Some(ALL_NAMESPACES),
        "opens on the current one"
    );
    assert_eq!(s.key_mode(), None, "it takes typed keys");
    key(&mut s, KeyCode::Char('s'));
    key(&mut s, KeyCode::Char('h'));
    let Some(Overlay::Pick(p)) = &s.overlay else {
        panic!()
    };
    assert_eq!(p.visible(), ["shop"]);
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Command::Connect {
            target: target("admin", Some("shop"))
        }]
    );
    assert_eq!(s.overlay, None);

    // Esc closes it and changes nothing.
    command(&mut s, "ns");
    key(&mut s, KeyCode::Down);
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert_eq!(s.overlay, None);
}

#[test]
fn ctx_reads_the_contexts_then_offers_them_and_enter_switches_with_the_contexts_namespace() {
    let mut s = kube_state();
    assert_eq!(
        command(&mut s, "ctx"),
        vec![Command::ListContexts { pick: None }]
    );
    update(
        &mut s,
        Msg::Contexts {
            pick: None,
            result: Ok(contexts()),
        },
    );
    let Some(Overlay::Pick(p)) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!(p.items, ["admin", "limited"]);
    assert_eq!(p.current.as_deref(), Some("admin"));
    key(&mut s, KeyCode::Down);
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Command::Connect {
            target: target("limited", Some("team"))
        }]
    );
}

#[test]
fn ctx_name_switches_and_an_unknown_name_lists_the_contexts() {
    let mut s = kube_state();
    let cmds = command(&mut s, "ctx limited");
    assert_eq!(
        cmds,
        vec![Command::ListContexts {
            pick: Some("limited".into())
        }]
    );
    let cmds = update(
        &mut s,
        Msg::Contexts {
            pick: Some("limited".into()),
            result: Ok(contexts()),
        },
    );
    assert_eq!(
        cmds,
        vec![Command::Connect {
            target: target("limited", Some("team"))
        }]
    );

    let mut s = kube_state();
    let cmds = update(
        &mut s,
        Msg::Contexts {
            pick: Some("prod".into()),
            result: Ok(contexts()),
        },
    );
    assert!(cmds.is_empty());
    assert!(
        notice(&s).contains("no context prod in the kubeconfig (it has: admin, limited)"),
        "{}",
        notice(&s)
    );
    let cmds = update(
        &mut s,
        Msg::Contexts {
            pick: None,
            result: Err("/k/config: no such file".into()),
        },
    );
    assert!(cmds.is_empty());
    assert!(notice(&s).contains("cannot read the kubeconfig's contexts"));
}

#[test]
fn a_context_that_cannot_be_reached_leaves_the_console_where_it_was() {
    let mut s = kube_state();
    command(&mut s, "ns shop");
    let before = s.snapshot.clone();
    let cmds = update(
        &mut s,
        Msg::Connected {
            target: target("admin", Some("shop")),
            result: Err("https://10.0.0.1:6443 (admin): connection refused".into()),
        },
    );
    assert!(cmds.is_empty(), "nothing adopted");
    assert_eq!(s.kube, Some(target("admin", None)));
    assert!(Arc::ptr_eq(&s.snapshot, &before));
    assert_eq!(s.notice.as_ref().map(|n| n.level), Some(Level::Error));
    assert!(
        notice(&s).contains("cannot switch to context admin, namespace shop")
            && notice(&s).contains("connection refused")
            && notice(&s).contains("still on context admin, all namespaces"),
        "{}",
        notice(&s)
    );
    assert_eq!(s.switching, None);
}

#[test]
fn only_the_latest_request_is_adopted() {
    let mut s = kube_state();
    command(&mut s, "ns shop");
    command(&mut s, "ns default");
    let stale = update(
        &mut s,
        Msg::Connected {
            target: target("admin", Some("shop")),
            result: Ok("e".into()),
        },
    );
    assert!(stale.is_empty());
    assert_eq!(s.kube, Some(target("admin", None)));
    let cmds = update(
        &mut s,
        Msg::Connected {
            target: target("admin", Some("default")),
            result: Ok("e".into()),
        },
    );
    assert_eq!(cmds, vec![Command::Adopt]);
}

#[test]
fn a_switch_resets_screens_filters_and_log_views() {
    let mut s = kube_state();
    act(&mut s, &[Action::ViewServices, Action::Filter]);
    key(&mut s, KeyCode::Char('w'));
    key(&mut s, KeyCode::Enter);
    act(&mut s, &[Action::Down, Action::Logs]);
    let Screen::Logs(v) = s.screen() else {
        panic!("a log view")
    };
    let session = v.session;
    command(&mut s, "ns shop");
    let cmds = update(
        &mut s,
        Msg::Connected {
            target: target("admin", Some("shop")),
            result: Ok("e".into()),
        },
    );
    assert_eq!(cmds, vec![Command::CloseLogs { session }, Command::Adopt]);
    assert_eq!(s.screens.len(), 1);
    let Screen::List(l) = s.screen() else {
        panic!()
    };
    assert_eq!(l.view, view::View::Services, "the same view");
    assert!(l.filter.is_none() && l.cursor == 0);
}

#[test]
fn running_operations_keep_the_console_on_its_cluster() {
    let mut s = super::ops_tests::on_web(false);
    s.settings.backend = BackendKind::Kubernetes;
    s.kube = Some(target("admin", None));
    super::ops_tests::running(&mut s);
    assert!(command(&mut s, "ctx").is_empty());
    assert!(
        notice(&s).contains("1 operation(s) still running here"),
        "{}",
        notice(&s)
    );

    // One started while the new context was being connected: not adopted.
    let mut s = super::ops_tests::on_web(false);
    s.settings.backend = BackendKind::Kubernetes;
    s.kube = Some(target("admin", Some("x")));
    assert_eq!(command(&mut s, "ns all").len(), 1);
    super::ops_tests::running(&mut s);
    let cmds = update(
        &mut s,
        Msg::Connected {
            target: target("admin", None),
            result: Ok("e".into()),
        },
    );
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(notice(&s).contains("not switched to"), "{}", notice(&s));
}

#[test]
fn on_docker_ctx_and_ns_say_they_are_kubernetes_words() {
    let mut s = state_with(false);
    for cmd in ["ctx", "ns shop", "context prod"] {
        assert!(command(&mut s, cmd).is_empty());
        assert!(
            notice(&s)
                .contains("contexts and namespaces are Kubernetes' (berth shows docker here)"),
            "{}",
            notice(&s)
        );
    }
    // Other commands take no argument.
    assert!(command(&mut s, "services now").is_empty());
    assert!(notice(&s).contains("unknown command"));
}
