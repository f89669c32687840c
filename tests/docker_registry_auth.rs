//! Redeploy from a registry that wants a login: berth sends the credentials
//! the docker CLI saved (`docker login`), read from `$DOCKER_CONFIG`. Its
//! own test binary, because it sets that variable for the whole process.

mod common;

use berth::backend::{Backend, CancellationToken};
use berth::domain::{
    OpEvent, OpKind, OpRequest, Outcome, ServiceKind, ServiceMode, ServiceRef, TargetRef,
};
use common::live::local_backend;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use tokio::sync::mpsc;

/// The test bed's registry with htpasswd auth (scripts/testbed, registry part).
const REGISTRY: &str = "127.0.0.1:5001";
const USER: &str = "berth";
const PASSWORD: &str = "berth-test";

/// `docker --config DIR ARGS`, so the login stays in the test's own dir.
fn docker_with(config: &str, args: &[&str], stdin: &str) {
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
}

/// The local tag and the CLI config dir, removed however the test ends.
struct Leftovers {
    tag: String,
    dir: std::path::PathBuf,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        untag(&self.tag);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn redeploy_logs_in_with_the_credentials_docker_login_saved() {
    let name = unique_name("berth-auth");
    let reference = format!("{REGISTRY}/{name}:1");
    let config = std::env::temp_dir().join(format!("berth-test-dockercfg-{name}"));
    let config_s = config.to_string_lossy().into_owned();
    let _leftovers = Leftovers {
        tag: reference.clone(),
        dir: config.clone(),
    };
    std::fs::create_dir_all(&config).expect("config dir");
    docker_with(
        &config_s,
        &["login", REGISTRY, "-u", USER, "--password-stdin"],
        PASSWORD,
    );
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    docker(&["tag", IMAGE_V1, &reference]);
    docker_with(&config_s, &["push", &reference], "");
    let old = run_container(&name, &reference, &["sleep", "300"], &[]);
    // The registry gets v2; the host keeps v1 under the tag.
    docker(&["tag", IMAGE_V2, &reference]);
    docker_with(&config_s, &["push", &reference], "");
    docker(&["tag", IMAGE_V1, &reference]);

    // SAFETY: this binary's only test sets it before any thread reads it.
    unsafe { std::env::set_var("DOCKER_CONFIG", &config) };
    let backend = local_backend().await;
    let req = OpRequest {
        kind: OpKind::Redeploy,
        target: TargetRef::Service(ServiceRef {
            id: name.clone(),
            name: name.clone(),
            kind: ServiceKind::Standalone,
            mode: ServiceMode::Replicated,
        }),
        replicas: None,
    };
    let plan = backend.plan(req).await.expect("plan");
    eprintln!("plan: {} {:?}", plan.summary, plan.warnings);
    assert!(
        plan.summary.contains("(registry has sha256:"),
        "{}",
        plan.summary
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
    let after = docker_inspect(&name);
    assert_ne!(after["Id"].as_str(), Some(old.as_str()));
    let v2 = docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE_V2]);
    assert_eq!(
        after["Image"].as_str(),
        Some(v2.as_str()),
        "the pull brought v2"
    );
}
