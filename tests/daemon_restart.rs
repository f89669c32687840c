//! An engine that goes away and comes back is followed without restarting
//! berth: the watcher reports "reconnecting", then resyncs. One that hangs
//! is reported as "not answering" until it answers again.

mod common;

use berth::backend::ConnectionState;
use berth::backend::docker::DockerBackend;
use common::live::Watching;
use common::spare_engine::SpareEngine;
use std::time::Duration;

/// berth's watcher on the spare engine, once its first snapshot arrived.
async fn watch_spare(engine: &SpareEngine) -> (DockerBackend, Watching) {
    let backend = DockerBackend::connect(engine.endpoint())
        .await
        .expect("connects to the spare engine");
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(10), |s| s.nodes.len() == 1)
        .await
        .expect("first snapshot");
    (backend, w)
}

#[tokio::test]
async fn the_watcher_reconnects_and_resyncs_after_a_daemon_restart() {
    common::require_engine();
    let mut engine = SpareEngine::start("restart");
    let (_backend, mut w) = watch_spare(&engine).await;

    engine.down();
    w.until_connection(Duration::from_secs(10), |c| {
        matches!(c, ConnectionState::Reconnecting { .. })
    })
    .await
    .expect("the loss is reported");

    engine.up();
    // A container made while berth was away must show after the resync.
    engine.load_image(common::IMAGE_V1);
    common::docker(&[
        "-H",
        &engine.endpoint(),
        "create",
        "--name",
        "made-while-away",
        common::IMAGE_V1,
        "true",
    ]);
    let back = w
        .until_connection(Duration::from_secs(20), |c| {
            *c == ConnectionState::Connected
        })
        .await
        .expect("connected again");
    eprintln!("reconnected {back:?} after the engine answered again");
    w.until(Duration::from_secs(10), |s| {
        s.containers.iter().any(|c| c.name == "made-while-away")
    })
    .await
    .expect("the resync shows what changed while away");
}

#[tokio::test]
async fn a_hung_engine_is_not_answering_until_it_answers_again() {
    common::require_engine();
    let engine = SpareEngine::start("hang");
    let (_backend, mut w) = watch_spare(&engine).await;

    let hung = engine.hang();
    // Nothing changes on a frozen engine: only the idle ping (sent 2 s after
    // the last answer) can notice, 5 s after it was sent, so 5 to 7 s
    // after the freeze; well before the client's 15 s timeout.
    let took = w
        .until_connection(Duration::from_secs(9), |c| {
            matches!(c, ConnectionState::NotAnswering { .. })
        })
        .await
        .expect("the hang is reported");
    eprintln!("not answering reported {took:?} after the freeze");
    w.until_connection(
        Duration::from_secs(3),
        |c| matches!(c, ConnectionState::NotAnswering { for_secs } if *for_secs >= 6),
    )
    .await
    .expect("the count goes up each second");

    drop(hung);
    let back = w
        .until_connection(Duration::from_secs(5), |c| *c == ConnectionState::Connected)
        .await
        .expect("connected again once the engine answers");
    eprintln!("connected {back:?} after the thaw");
}

#[tokio::test]
async fn an_unreachable_engine_is_one_clear_error() {
    let err = DockerBackend::connect("unix:///nonexistent/berth.sock".into())
        .await
        .err()
        .map(|e| e.to_string())
        .expect("connect fails");
    assert!(
        err.contains("unix:///nonexistent/berth.sock") && err.contains("dockerd"),
        "{err}"
    );
    let err = DockerBackend::connect("tcp://127.0.0.1:1".into())
        .await
        .err()
        .map(|e| e.to_string())
        .expect("connect fails");
    assert!(
        err.contains("tcp://127.0.0.1:1") && err.contains("refused"),
        "{err}"
    );
}
