//! berth's Docker backend against the real engine: live state, compose
//! projects, log streams, hostile bytes.

mod common;

use berth::backend::Backend;
use berth::domain::{ContainerState, ServiceKind};
use berth::logs::{LogEvent, LogStream, LogTarget};
use common::live::{Tail, Watching, local_backend};
use common::*;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_container_started_after_connect_appears_within_2s_and_its_stop_is_seen() {
    let backend = local_backend().await;
    let mut w = Watching::start(backend.as_ref());
    w.until(T, |_| true).await.expect("first snapshot");
    let name = unique_name("live-appear");
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    run_container(&name, IMAGE_V1, &["sleep", "300"], &[]);
    let seen = w
        .until(T, |s| {
            s.containers
                .iter()
                .any(|c| c.name == name && c.state == ContainerState::Running)
        })
        .await
        .expect("new container seen");
    assert!(seen < Duration::from_secs(2), "seen after {seen:?}");
    eprintln!("container seen {seen:?} after docker run returned");

    docker(&["stop", "-t", "1", &name]);
    let stopped = w
        .until(T, |s| {
            s.containers
                .iter()
                .any(|c| c.name == name && c.state == ContainerState::Exited)
        })
        .await
        .expect("stop seen");
    assert!(
        stopped < Duration::from_secs(2),
        "stop seen after {stopped:?}"
    );
    docker(&["rm", &name]);
    w.until(T, |s| !s.containers.iter().any(|c| c.name == name))
        .await
        .expect("removal seen");
}

#[tokio::test]
async fn restart_counts_come_from_inspect() {
    let backend = local_backend().await;
    let (name, _cleanup) = sh_container(
        "live-restarts",
        "sleep 0.3; exit 3",
        &["--restart", "on-failure:2"],
    );
    let mut w = Watching::start(backend.as_ref());
    w.until(Duration::from_secs(20), |s| {
        s.containers.iter().any(|c| {
            c.name == name && c.restart_count == Some(2) && c.state == ContainerState::Exited
        })
    })
    .await
    .expect("two restarts counted, then exited");
}

#[tokio::test]
async fn a_compose_project_is_one_stack_with_its_services() {
    let backend = local_backend().await;
    let (project, dir, _cleanup) =
        compose_project("shop", &[("web", "sleep 300", 2), ("db", "sleep 300", 1)]);
    let snap = backend.snapshot().await.expect("snapshot");
    let stack = snap
        .stacks
        .iter()
        .find(|s| s.name == project)
        .expect("the project is a stack");
    assert_eq!(stack.services, 2);
    assert_eq!((stack.containers_running, stack.containers_total), (3, 3));
    assert_eq!(stack.working_dir.as_deref(), dir.to_str());
    let web = snap
        .services
        .iter()
        .find(|s| s.qualified_name() == format!("{project}/web"))
        .expect("web service");
    assert_eq!((web.replicas_running, web.replicas_desired), (2, 2));
    assert_eq!(web.kind, ServiceKind::Compose);
    assert_eq!(web.image, IMAGE_V1);
    let members: Vec<_> = snap.containers_of_service(&web.id).collect();
    assert_eq!(members.len(), 2);
    assert!(
        members
            .iter()
            .all(|c| c.stack.as_deref() == Some(project.as_str()))
    );

    // Scaling with compose is followed live.
    let mut w = Watching::start(backend.as_ref());
    compose(&project, &dir, &["up", "-d", "--scale", "web=3"]);
    w.until(T, |s| {
        s.services
            .iter()
            .any(|sv| sv.id == web.id && sv.replicas_running == 3)
    })
    .await
    .expect("scale to 3 seen");
}

#[tokio::test]
async fn following_logs_delivers_new_lines_with_timestamps() {
    let backend = local_backend().await;
    let (name, _cleanup) = sh_container(
        "live-logs",
        "i=0; while true; do echo tick $i; echo oops $i >&2; i=$((i+1)); sleep 0.2; done",
        &[],
    );
    wait_until(T, Duration::from_millis(100), || {
        docker(&["logs", &name]).contains("tick 1")
    });
    let mut tail = Tail::start(
        backend.as_ref(),
        LogTarget::Container(name.clone()),
        Some(1),
        true,
    );
    tail.until(T, |t| !t.lines.is_empty())
        .await
        .expect("history line");
    let first: u64 = tail.texts()[0]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .expect("numbered line");
    tail.until(T, |t| {
        t.texts()
            .iter()
            .any(|l| l.starts_with("tick ") && l[5..].parse::<u64>().is_ok_and(|n| n >= first + 3))
    })
    .await
    .expect("new lines keep coming");
    assert!(
        tail.lines.iter().all(|l| l.ts.is_some()),
        "every line carries the engine's timestamp"
    );
    assert!(
        tail.lines
            .iter()
            .any(|l| l.stream == LogStream::Stderr && l.text.starts_with("oops"))
    );
    assert!(tail.lines.iter().all(|l| &*l.source == name.as_str()));
}

#[tokio::test]
async fn hostile_bytes_from_a_container_arrive_as_harmless_text() {
    let backend = local_backend().await;
    let (name, _cleanup) = sh_container(
        "live-hostile",
        r"printf 'A\033]0;pwned\007B\033[2JC\rD\033[31mE\033[0m\033P+q\033\\F\n'; sleep 300",
        &[],
    );
    // The history is read once: wait until the engine has the line.
    assert!(wait_until(T, Duration::from_millis(50), || {
        docker(&["logs", &name]).contains('F')
    }));
    let mut tail = Tail::start(
        backend.as_ref(),
        LogTarget::Container(name.clone()),
        None,
        false,
    );
    tail.until(T, |t| t.ended).await.expect("history ends");
    let line = tail.lines.first().expect("one line");
    for bad in ['\x1b', '\x07', '\r', '\u{9b}'] {
        assert!(
            !line.text.contains(bad),
            "{bad:?} reached the text: {:?}",
            line.text
        );
    }
    assert!(
        line.text.contains('A') && line.text.contains('B') && line.text.contains('F'),
        "{:?}",
        line.text
    );
    assert!(
        !line.text.contains("pwned"),
        "OSC payload is dropped: {:?}",
        line.text
    );
    assert!(!line.text.contains("2J"), "CSI is dropped: {:?}", line.text);
    assert!(
        line.spans.is_some(),
        "the SGR colour is kept aside for when colours are on"
    );
}

#[tokio::test]
async fn service_logs_merge_replicas_and_a_new_replica_joins() {
    let backend = local_backend().await;
    let (project, dir, _cleanup) = compose_project(
        "merge",
        &[(
            "app",
            "while true; do echo from $(hostname); sleep 0.3; done",
            1,
        )],
    );
    let _w = Watching::start(backend.as_ref());
    let key = format!("{project}/app");
    let mut tail = Tail::start(backend.as_ref(), LogTarget::Service(key), Some(5), true);
    tail.until(T, |t| !t.lines.is_empty())
        .await
        .expect("first replica's lines");
    compose(&project, &dir, &["up", "-d", "--scale", "app=2"]);
    tail.until(Duration::from_secs(15), |t| {
        let mut sources: Vec<&str> = t.lines.iter().map(|l| &*l.source).collect();
        sources.sort_unstable();
        sources.dedup();
        sources.len() == 2
    })
    .await
    .expect("lines from both replicas");
    assert!(
        tail.events
            .iter()
            .any(|e| matches!(e, LogEvent::SourceJoined(_))),
        "the new replica is announced: {:?}",
        tail.events
    );

    // The history of a service reads in time order across its replicas.
    let mut history = Tail::start(
        backend.as_ref(),
        LogTarget::Service(format!("{project}/app")),
        Some(20),
        false,
    );
    history.until(T, |t| t.ended).await.expect("history ends");
    let stamps: Vec<i64> = history.lines.iter().filter_map(|l| l.ts).collect();
    assert!(stamps.len() >= 4, "{} lines", stamps.len());
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "merged by time");
    let sources: std::collections::HashSet<&str> =
        history.lines.iter().map(|l| &*l.source).collect();
    assert_eq!(sources.len(), 2);
}

#[tokio::test]
async fn logs_of_an_unknown_target_say_so() {
    let backend = local_backend().await;
    let mut tail = Tail::start(
        backend.as_ref(),
        LogTarget::Container("no-such-container-xyz".into()),
        None,
        true,
    );
    tail.until(T, |t| t.ended).await.expect("ends");
    assert!(
        tail.events
            .iter()
            .any(|e| matches!(e, LogEvent::Error(m) if m.contains("no-such-container-xyz"))),
        "{:?}",
        tail.events
    );
}
