//! Redeploy from a registry that wants a login: berth sends the credentials
//! the docker CLI saved (`docker login`), read from `$DOCKER_CONFIG`. Its
//! own test binary, because it sets that variable for the whole process.

mod common;

use berth::backend::{Backend, CancellationToken};
use berth::domain::{
    OpEvent, OpKind, OpRequest, Outcome, ServiceKind, ServiceMode, ServiceRef, TargetRef,
};
use common::live::local_backend;
use common::registry::{AUTH_REGISTRY, Login};
use common::*;
use tokio::sync::mpsc;

#[tokio::test]
async fn redeploy_logs_in_with_the_credentials_docker_login_saved() {
    let login = Login::new("berth-auth");
    let reference = login.reference.clone();
    let name = reference
        .trim_start_matches(&format!("{AUTH_REGISTRY}/"))
        .trim_end_matches(":1")
        .to_owned();
    let config = login.config.clone();
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    docker(&["tag", IMAGE_V1, &reference]);
    login.docker(&["push", &reference], "");
    let old = run_container(&name, &reference, &["sleep", "300"], &[]);
    // The registry gets v2; the host keeps v1 under the tag.
    docker(&["tag", IMAGE_V2, &reference]);
    login.docker(&["push", &reference], "");
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
