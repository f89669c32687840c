//! An engine that goes away and comes back is followed without restarting
//! berth: the watcher reports "reconnecting", then resyncs.

mod common;

use berth::backend::ConnectionState;
use berth::backend::docker::DockerBackend;
use common::live::Watching;
use common::spare_engine::SpareEngine;
use std::time::Duration;

#[tokio::test]
async fn the_watcher_reconnects_and_resyncs_after_a_daemon_restart() {
    common::require_engine();
    let mut engine = SpareEngine::start("restart");
    let backend = DockerBackend::connect(engine.endpoint())
        .await
        .expect("connects to the spare engine");
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(10), |s| s.nodes.len() == 1)
        .await
        .expect("first snapshot");

    engine.down();
    w.until_connection(Duration::from_secs(10), |c| {
        matches!(c, ConnectionState::Reconnecting { .. })
    })
    .await
    .expect("the loss is reported");

    engine.up();
    // A container made while berth was away must show after the resync.
    let load = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "docker save {} | docker -H {} load -q",
            common::IMAGE_V1,
            engine.endpoint()
        ))
        .status()
        .expect("sh");
    assert!(load.success(), "image loads into the spare engine");
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
