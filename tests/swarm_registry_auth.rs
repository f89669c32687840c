//! Redeploying a swarm service from a registry that wants a login: berth
//! asks the registry for the tag's digest and hands the swarm the
//! credentials `docker login` saved, as `--with-registry-auth` does, so the
//! node can pull the new image. Its own test binary, because it sets
//! `DOCKER_CONFIG` for the whole process.

mod common;

use berth::backend::docker::{DockerBackend, resolve_endpoint};
use berth::backend::{Backend, CancellationToken};
use berth::domain::{
    OpEvent, OpKind, OpRequest, Outcome, ServiceKind, ServiceMode, ServiceRef, TargetRef,
};
use common::registry::Login;
use common::swarm::{SwarmService, require_swarm};
use common::*;
use std::time::Duration;
use tokio::sync::mpsc;

/// The digest the registry gave `reference` when it was pushed.
fn pushed_digest(reference: &str) -> String {
    let repo = reference.rsplit_once(':').map_or(reference, |(r, _)| r);
    docker(&[
        "image",
        "inspect",
        "--format",
        "{{json .RepoDigests}}",
        reference,
    ])
    .trim_matches(|c| c == '[' || c == ']')
    .split(',')
    .map(|d| d.trim_matches('"').to_owned())
    .find(|d| d.starts_with(&format!("{repo}@")))
    .and_then(|d| d.split_once('@').map(|(_, dg)| dg.to_owned()))
    .unwrap_or_else(|| panic!("{reference} has no digest from {repo}"))
}

#[tokio::test]
async fn redeploy_sends_the_saved_login_so_the_node_can_pull() {
    require_swarm();
    let login = Login::new("berth-swarm-auth");
    let reference = login.reference.clone();
    let config = login.config.clone();
    docker(&["tag", IMAGE_V1, &reference]);
    login.docker(&["push", &reference], "");

    // On the manager, from the tag it has locally.
    let svc = SwarmService::create(
        "auth",
        &reference,
        &[
            "--replicas",
            "1",
            "--constraint",
            "node.role==manager",
            "--no-resolve-image",
        ],
        &["sleep", "300"],
    );
    svc.wait_running(1, Duration::from_secs(30));

    // The registry gets v2 under the same tag; the manager forgets the
    // tag, so the new image can only come from the registry, with a login.
    docker(&["tag", IMAGE_V2, &reference]);
    login.docker(&["push", &reference], "");
    let v2 = pushed_digest(&reference);
    untag(&reference);

    // SAFETY: this binary's only test sets it before any thread reads it.
    unsafe { std::env::set_var("DOCKER_CONFIG", &config) };
    let backend = DockerBackend::connect_swarm(resolve_endpoint(None), true)
        .await
        .expect("connects to the manager");
    let req = OpRequest {
        kind: OpKind::Redeploy,
        target: TargetRef::Service(ServiceRef {
            id: svc.id(),
            name: svc.name.clone(),
            kind: ServiceKind::Swarm,
            mode: ServiceMode::Replicated,
        }),
        replicas: None,
    };
    let plan = backend.plan(req).await.expect("plan");
    let said = format!("{} {:?} {:?}", plan.summary, plan.details, plan.warnings);
    assert!(
        said.contains(&v2[..19]),
        "the plan names the registry's new digest {v2}: {said}"
    );
    assert!(
        !said.contains("could not be asked"),
        "the registry was asked with the login: {said}"
    );

    let (tx, mut rx) = mpsc::channel(256);
    tokio::spawn(backend.execute(plan, tx, CancellationToken::new()));
    let mut last = None;
    while let Some(ev) = rx.recv().await {
        last = Some(ev);
    }
    let Some(OpEvent::Finished { outcome, message }) = last else {
        panic!("no Finished event");
    };
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let tasks = svc.wait_running(1, Duration::from_secs(30));
    assert!(
        tasks.iter().all(|t| t.image.ends_with(&v2)),
        "the task runs the new digest, pulled with the login: {tasks:?}"
    );
}
