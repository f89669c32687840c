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
use common::swarm::{SwarmService, require_swarm};
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

/// The test bed's registry with htpasswd auth, reachable from the manager
/// (the service is kept there).
const REGISTRY: &str = "127.0.0.1:5001";
const USER: &str = "berth";
const PASSWORD: &str = "berth-test";

/// `docker --config DIR ARGS`, so the login stays in the test's own dir.
fn docker_with(config: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new("docker")
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("docker");
    assert!(out.status.success(), "docker {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The CLI config dir and the local names of the pushed images, removed
/// however the test ends.
struct Leftovers {
    reference: String,
    dir: std::path::PathBuf,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        untag(&self.reference);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

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
    let name = unique_name("berth-swarm-auth");
    let reference = format!("{REGISTRY}/{name}:1");
    let config = std::env::temp_dir().join(format!("berth-test-dockercfg-{name}"));
    let config_s = config.to_string_lossy().into_owned();
    let _leftovers = Leftovers {
        reference: reference.clone(),
        dir: config.clone(),
    };
    std::fs::create_dir_all(&config).expect("config dir");
    docker_with(
        &config_s,
        &["login", REGISTRY, "-u", USER, "--password-stdin"],
        PASSWORD,
    );
    docker(&["tag", IMAGE_V1, &reference]);
    docker_with(&config_s, &["push", &reference], "");

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
    docker_with(&config_s, &["push", &reference], "");
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
