//! Operations on swarm services against the test bed's swarm (the host
//! daemon as manager, dind workers) and its registry at 172.17.0.1:5000:
//! scale, redeploy, rollback, restart, what the swarm does on a failed
//! update, refusals, a concurrent change, read-only and headless.

mod common;

use berth::backend::docker::DockerBackend;
use berth::backend::{Backend, ReadOnly};
use berth::domain::{
    OpEvent, OpKind, Outcome, Plan, ServiceKind, ServiceMode, ServiceRef, Step, TargetRef, resolve,
};
use common::headless::{audit, berth, data_home, json_lines, stderr};
use common::ops::{execute_cancelled_at, execute_within, plan, req};
use common::swarm::{
    SWARM_REGISTRY, SwarmService, SwarmStack, Task, push_image, require_swarm, tasks_of,
};
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const ENDPOINT: &str = "unix:///var/run/docker.sock";
const WAIT: Duration = Duration::from_secs(60);

/// A fresh repository in the swarm's registry for one test.
fn repo(prefix: &str) -> String {
    unique_name(prefix)
}

/// Pushes an image of its own content as `REPO:TAG` to the swarm's
/// registry; returns its digest.
fn push(tags: &mut Tags, repo_tag: &str, content: &str) -> String {
    let pinned = push_image(tags, repo_tag, content);
    pinned
        .split_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| panic!("no digest in {pinned}"))
}

/// A fresh `SWARM_REGISTRY/REPO:1`, pushed with an image of its own
/// content; returns it and its digest.
fn pushed(tags: &mut Tags, prefix: &str, content: &str) -> (String, String) {
    let repo_tag = format!("{}:1", repo(prefix));
    let digest = push(tags, &repo_tag, content);
    (format!("{SWARM_REGISTRY}/{repo_tag}"), digest)
}

/// A service of `reference` running `sleep 300`, with `n` tasks running.
fn service(test: &str, reference: &str, args: &[&str], n: usize) -> SwarmService {
    let svc = SwarmService::create(test, reference, args, &["sleep", "300"]);
    svc.wait_running(n, WAIT);
    svc
}

/// An image like `local/busybox:1` whose tasks exit 1 at once, pushed as
/// `reference`.
fn push_failing(tags: &mut Tags, reference: &str) {
    let mut child = Command::new("docker")
        .args(["build", "-q", "-t", reference, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("docker build runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("FROM {IMAGE_V1}\nENTRYPOINT [\"sh\", \"-c\", \"exit 1\"]\n").as_bytes())
        .expect("Dockerfile written");
    assert!(child.wait().expect("docker build ends").success());
    tags.keep(reference);
    docker(&["push", "-q", reference]);
}

fn inspect(name: &str) -> Value {
    let text = docker(&["service", "inspect", name]);
    let mut v: Value = serde_json::from_str(&text).expect("service inspect is JSON");
    v[0].take()
}

fn spec_image(name: &str) -> String {
    inspect(name)["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Tasks meant to run, as `docker service ps` lists them.
fn running_tasks(name: &str) -> Vec<Task> {
    tasks_of(name)
        .into_iter()
        .filter(|t| t.desired == "running")
        .collect()
}

fn service_id(name: &str) -> String {
    docker(&["service", "inspect", "--format", "{{.ID}}", name])
}

fn target(name: &str, mode: ServiceMode) -> TargetRef {
    TargetRef::Service(ServiceRef {
        id: service_id(name),
        name: name.to_owned(),
        kind: ServiceKind::Swarm,
        mode,
    })
}

fn replicated(name: &str) -> TargetRef {
    target(name, ServiceMode::Replicated)
}

async fn swarm() -> DockerBackend {
    require_swarm();
    DockerBackend::connect_swarm(ENDPOINT.to_owned(), true)
        .await
        .expect("the test bed's engine is a swarm manager (scripts/testbed up)")
}

/// Runs a plan to its end, waiting up to 120 s for each event.
async fn execute(backend: &dyn Backend, p: Plan) -> (Vec<OpEvent>, Outcome, String) {
    execute_within(backend, p, Duration::from_secs(120)).await
}

/// Replicas that reached `step` with nothing more to happen to them.
fn arrived(events: &[OpEvent], step: Step) -> BTreeSet<String> {
    events
        .iter()
        .filter_map(|e| match e {
            OpEvent::Step {
                replica,
                step: s,
                done: true,
                ..
            } if *s == step => Some(replica.clone()),
            _ => None,
        })
        .collect()
}

fn messages(events: &[OpEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            OpEvent::Message { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn short(digest: &str) -> String {
    format!("{}…", &digest[..19])
}

#[tokio::test]
async fn scale_up_and_down_converges_and_reports_each_slot() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let (reference, _) = pushed(&mut tags, "bso-scale", "scale v1");
    let svc = service("scale", &reference, &["--replicas", "1"], 1);
    let name = svc.name.clone();
    let t = replicated(&name);

    let p = plan(&backend, req(OpKind::Scale, &t, Some(3))).await;
    assert_eq!(
        p.summary,
        format!("scale {name} from 1 to 3 replicas on swarm {ENDPOINT}")
    );
    assert_eq!(p.replicas, vec![format!("{name}.1")]);
    assert!(!p.confirm_twice);
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(message, format!("{name} runs 3 replicas"));
    let want: BTreeSet<String> = (1..=3).map(|i| format!("{name}.{i}")).collect();
    assert_eq!(arrived(&events, Step::Running), want, "{events:?}");
    let tasks = running_tasks(&name);
    assert_eq!(tasks.len(), 3, "docker service ps: {tasks:#?}");
    assert!(tasks.iter().all(|t| t.state == "running"), "{tasks:#?}");

    let p = plan(&backend, req(OpKind::Scale, &t, Some(1))).await;
    assert_eq!(
        p.summary,
        format!("scale {name} from 3 to 1 replica on swarm {ENDPOINT}")
    );
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(arrived(&events, Step::Removed).len(), 2, "{events:?}");
    assert_eq!(running_tasks(&name).len(), 1);

    let p = plan(&backend, req(OpKind::Scale, &t, Some(0))).await;
    assert!(p.confirm_twice, "scaling to 0 asks twice");
    assert!(
        p.warnings.iter().any(|w| w.contains("stops serving")),
        "{:?}",
        p.warnings
    );
}

#[tokio::test]
async fn redeploy_pins_the_new_digest_on_every_task() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let repo_tag = format!("{}:1", repo("bso-redeploy"));
    let reference = format!("{SWARM_REGISTRY}/{repo_tag}");
    let d1 = push(&mut tags, &repo_tag, "redeploy v1");
    let svc = service("redeploy", &reference, &["--replicas", "3"], 3);
    let name = svc.name.clone();
    assert_eq!(spec_image(&name), format!("{reference}@{d1}"));
    let d2 = push(&mut tags, &repo_tag, "redeploy v2");
    assert_ne!(d1, d2);

    let t = replicated(&name);
    let p = plan(&backend, req(OpKind::Redeploy, &t, None)).await;
    assert!(
        p.summary.contains(&format!(
            "image {reference}: {} → {}",
            short(&d1),
            short(&d2)
        )),
        "{}",
        p.summary
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let want: BTreeSet<String> = (1..=3).map(|i| format!("{name}.{i}")).collect();
    assert_eq!(arrived(&events, Step::Updated), want, "{events:?}");
    let pinned = format!("{reference}@{d2}");
    assert_eq!(spec_image(&name), pinned, "docker service inspect");
    let tasks = running_tasks(&name);
    assert_eq!(tasks.len(), 3, "{tasks:#?}");
    for t in &tasks {
        assert_eq!(t.image, pinned, "{t:?}");
        assert_eq!(t.state, "running", "{t:?}");
    }
}

#[tokio::test]
async fn redeploy_of_an_unchanged_digest_says_so_and_replaces_the_tasks() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let (reference, d1) = pushed(&mut tags, "bso-same", "same");
    let svc = service("same", &reference, &["--replicas", "2"], 2);
    let name = svc.name.clone();
    let before: BTreeSet<String> = running_tasks(&name).into_iter().map(|t| t.id).collect();

    let p = plan(&backend, req(OpKind::Redeploy, &replicated(&name), None)).await;
    assert!(
        p.details
            .iter()
            .any(|d| d == "the digest is unchanged: the tasks are replaced anyway"),
        "{:?}",
        p.details
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(spec_image(&name), format!("{reference}@{d1}"));
    let after: BTreeSet<String> = running_tasks(&name).into_iter().map(|t| t.id).collect();
    assert_eq!(after.len(), 2);
    assert!(
        before.is_disjoint(&after),
        "every task was replaced: {before:?} {after:?}"
    );
}

#[tokio::test]
async fn redeploy_of_an_image_the_registry_lacks_keeps_the_tag_without_a_digest() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    // Tagged for the registry but never pushed: only the manager has it.
    let reference = format!("{SWARM_REGISTRY}/{}:1", repo("bso-local"));
    tags.tag(IMAGE_V1, &reference);
    let svc = service(
        "local",
        &reference,
        &[
            "--replicas",
            "1",
            "--no-resolve-image",
            "--constraint",
            "node.role==manager",
        ],
        1,
    );
    let name = svc.name.clone();
    let p = plan(&backend, req(OpKind::Redeploy, &replicated(&name), None)).await;
    let warning = p
        .warnings
        .iter()
        .find(|w| w.starts_with("the registry could not be asked ("))
        .unwrap_or_else(|| panic!("{:?}", p.warnings));
    assert!(
        warning.ends_with("): the tasks are replaced from the tag as each node has it"),
        "{warning}"
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(spec_image(&name), reference, "never `{reference}@`");
    assert_eq!(running_tasks(&name).len(), 1);
}

#[tokio::test]
async fn rollback_returns_to_the_previous_image_and_a_fresh_service_has_none() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let base = repo("bso-rollback");
    let (r1, r2) = (
        format!("{SWARM_REGISTRY}/{base}:1"),
        format!("{SWARM_REGISTRY}/{base}:2"),
    );
    let d1 = push(&mut tags, &format!("{base}:1"), "rollback v1");
    let d2 = push(&mut tags, &format!("{base}:2"), "rollback v2");
    let svc = service("rollback", &r1, &["--replicas", "2"], 2);
    let name = svc.name.clone();
    let t = replicated(&name);

    let err = backend
        .plan(req(OpKind::Rollback, &t, None))
        .await
        .expect_err("nothing to roll back to");
    assert!(
        err.to_string()
            .starts_with(&format!("{name} has no previous spec to roll back to")),
        "{err}"
    );

    docker(&[
        "service",
        "update",
        "--quiet",
        "--image",
        &r2,
        "--env-add",
        "MODE=new",
        &name,
    ]);
    assert_eq!(spec_image(&name), format!("{r2}@{d2}"));
    let p = plan(&backend, req(OpKind::Rollback, &t, None)).await;
    assert!(
        p.details
            .contains(&format!("image: {r2}@{} → {r1}@{}", short(&d2), short(&d1))),
        "{:?}",
        p.details
    );
    assert!(
        p.details.contains(&"env removed: MODE".to_owned()),
        "{:?}",
        p.details
    );
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(arrived(&events, Step::Updated).len(), 2, "{events:?}");
    assert_eq!(spec_image(&name), format!("{r1}@{d1}"));
    let tasks = running_tasks(&name);
    assert!(
        tasks.len() == 2 && tasks.iter().all(|t| t.image == format!("{r1}@{d1}")),
        "{tasks:#?}"
    );
}

#[tokio::test]
async fn an_update_whose_tasks_fail_is_rolled_back_by_the_swarm() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let (reference, d1) = pushed(&mut tags, "bso-fail", "fail v1");
    let svc = service(
        "fail",
        &reference,
        &[
            "--replicas",
            "2",
            "--update-parallelism",
            "1",
            "--update-failure-action",
            "rollback",
            "--update-monitor",
            "2s",
            "--update-max-failure-ratio",
            "0",
        ],
        2,
    );
    let name = svc.name.clone();
    push_failing(&mut tags, &reference);

    let p = plan(&backend, req(OpKind::Redeploy, &replicated(&name), None)).await;
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::RolledBack, "{message}: {events:?}");
    assert!(
        message.starts_with(&format!(
            "the swarm rolled {name} back to its previous spec: "
        )),
        "{message}"
    );
    assert!(
        events.iter().any(|e| matches!(
            e,
            OpEvent::Step { step: Step::Failed, detail: Some(d), .. } if d.contains("non-zero exit (1)")
        )),
        "a failed task shows the engine's error: {events:?}"
    );
    assert_eq!(spec_image(&name), format!("{reference}@{d1}"));
    svc.wait_running(2, WAIT);
}

#[tokio::test]
async fn a_global_service_refuses_scale_and_restarts_on_every_node_and_its_task_refuses_all() {
    let nodes = require_swarm();
    let backend = swarm().await;
    let mut tags = Tags::default();
    let (reference, _) = pushed(&mut tags, "bso-global", "global");
    let svc = service("global", &reference, &["--mode", "global"], nodes.len());
    let name = svc.name.clone();
    let t = target(&name, ServiceMode::Global);
    let why = backend
        .capabilities(&t)
        .check(OpKind::Scale)
        .expect_err("a global service cannot scale");
    assert_eq!(
        why,
        format!(
            "{name} is a global service: it runs one task on every eligible node and cannot scale"
        )
    );
    // Even when the listing took it for replicated, the spec decides.
    let err = backend
        .plan(req(OpKind::Scale, &replicated(&name), Some(3)))
        .await
        .expect_err("refused at plan");
    assert_eq!(err.to_string(), why);

    let p = plan(&backend, req(OpKind::Restart, &t, None)).await;
    let rows: BTreeSet<String> = nodes
        .iter()
        .map(|n| format!("{name}.{}", n.hostname))
        .collect();
    assert_eq!(
        p.replicas.iter().cloned().collect::<BTreeSet<_>>(),
        rows,
        "one row per node"
    );
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(arrived(&events, Step::Updated), rows, "{events:?}");

    // A task of it, as the listing shows it.
    let snap = backend.snapshot().await.expect("a snapshot");
    let id = service_id(&name);
    let task = snap
        .containers
        .iter()
        .find(|c| c.service_id == id && c.state.is_running())
        .expect("a task of the global service is listed");
    let tref = resolve(&snap, &task.name).expect("the task resolves");
    assert!(matches!(tref, TargetRef::Container(_)), "{tref:?}");
    let caps = backend.capabilities(&tref);
    for k in OpKind::ALL {
        let why = caps.check(k).expect_err("a task refuses everything");
        assert!(
            why.contains(&format!("operate on the service {name}")),
            "{k:?}: {why}"
        );
    }
    let err = backend
        .plan(req(OpKind::Restart, &tref, None))
        .await
        .expect_err("refused at plan too");
    assert!(
        err.to_string().contains(&format!("the service {name}")),
        "{err}"
    );
}

#[tokio::test]
async fn a_change_made_between_plan_and_execute_is_retried_on_the_current_spec() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let (reference, _) = pushed(&mut tags, "bso-sync", "sync");
    let svc = service("sync", &reference, &["--replicas", "1"], 1);
    let name = svc.name.clone();
    let p = plan(&backend, req(OpKind::Scale, &replicated(&name), Some(2))).await;
    let planned_at = p.revision.expect("the plan records the version it read");
    docker(&[
        "service",
        "update",
        "--quiet",
        "--detach",
        "--label-add",
        "berth.concurrent=1",
        &name,
    ]);
    assert_ne!(
        inspect(&name)["Version"]["Index"].as_u64(),
        Some(planned_at),
        "the version moved on"
    );
    let (events, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(
        messages(&events)
            .iter()
            .any(|m| m.starts_with(&format!("{name} changed since the plan"))
                && m.contains("update out of sequence")),
        "{events:?}"
    );
    let spec = &inspect(&name)["Spec"];
    assert_eq!(
        spec["Labels"]["berth.concurrent"], "1",
        "the other change stays"
    );
    assert_eq!(spec["Mode"]["Replicated"]["Replicas"], 2);
    svc.wait_running(2, WAIT);
}

#[tokio::test]
async fn read_only_refuses_swarm_operations() {
    let backend: Arc<dyn Backend> = Arc::new(swarm().await);
    let mut tags = Tags::default();
    let (reference, _) = pushed(&mut tags, "bso-ro", "read-only");
    let svc = service("ro", &reference, &["--replicas", "1"], 1);
    let name = svc.name.clone();
    let t = replicated(&name);
    let real = backend
        .plan(req(OpKind::Scale, &t, Some(2)))
        .await
        .expect("the plan itself is fine");
    let version = inspect(&name)["Version"]["Index"].clone();

    let ro = ReadOnly(backend);
    let why = ro
        .capabilities(&t)
        .check(OpKind::Scale)
        .expect_err("refused");
    assert!(why.contains("read-only"), "{why}");
    let err = ro
        .plan(req(OpKind::Scale, &t, Some(2)))
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("read-only"), "{err}");
    let (_, outcome, message) = execute(&ro, real).await;
    assert_eq!(outcome, Outcome::Failed);
    assert!(message.contains("read-only"), "{message}");
    assert_eq!(
        inspect(&name)["Version"]["Index"],
        version,
        "nothing changed"
    );
}

#[test]
fn headless_scale_on_the_swarm_waits_and_writes_an_audit_line() {
    require_swarm();
    let mut tags = Tags::default();
    let (reference, _) = pushed(&mut tags, "bso-cli", "headless");
    // A stack service on the manager: this engine runs a task of it, so
    // it is listed even where only this engine's containers are.
    let yaml = format!(
        "version: \"3.8\"\nservices:\n  web:\n    image: {reference}\n    command: [\"sleep\", \"300\"]\n    \
         init: true\n    stop_grace_period: 1s\n    labels: {{berth.test: \"1\"}}\n    deploy:\n      \
         replicas: 1\n      endpoint_mode: dnsrr\n      labels: {{berth.test: \"1\"}}\n      \
         placement: {{constraints: [\"node.role == manager\"]}}\n      \
         update_config: {{parallelism: 0, monitor: 1s}}\n"
    );
    let stack = SwarmStack::deploy("headless", &yaml);
    stack.wait_running("web", 1, WAIT);
    // The name docker gives it, which `berth ls services` resolves.
    let name = stack.service("web");
    let home = data_home("swarm-scale");
    let out = berth(
        &home,
        &[
            "--backend",
            "swarm",
            "scale",
            &name,
            "2",
            "--yes",
            "--wait",
            "-o",
            "json",
        ],
    );
    let stderr = stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("from 1 to 2 replicas on swarm"),
        "the plan is shown: {stderr}"
    );
    let lines = json_lines(&out);
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "step" && l["replica"] == format!("{name}.2").as_str()),
        "{lines:?}"
    );
    assert_eq!(
        lines.last().map(|l| l["outcome"].clone()),
        Some("converged".into())
    );
    stack.wait_running("web", 2, WAIT);
    let rec = audit(&home).pop().expect("an audit line");
    assert_eq!(rec["action"], "scale");
    assert!(
        rec["target"]
            .as_str()
            .is_some_and(|t| t.starts_with(&format!("{}/", stack.name))),
        "{rec}"
    );
    assert_eq!(rec["result"], "converged");
    assert_eq!(rec["backend"], "swarm");
    assert_eq!(rec["parameters"]["replicas"], 2);
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn cancel_stops_watching_and_the_swarm_carries_on() {
    let backend = swarm().await;
    let mut tags = Tags::default();
    let (reference, _) = pushed(&mut tags, "bso-cancel", "cancel");
    let svc = service(
        "cancel",
        &reference,
        &[
            "--replicas",
            "2",
            "--update-parallelism",
            "1",
            "--update-delay",
            "5s",
        ],
        2,
    );
    let name = svc.name.clone();
    let p = plan(&backend, req(OpKind::Restart, &replicated(&name), None)).await;
    let (outcome, message) =
        execute_cancelled_at(&backend, p, Step::Updated, Duration::from_secs(60)).await;
    assert_eq!(outcome, Outcome::Cancelled, "{message}");
    assert!(
        message.starts_with(&format!("stopped watching {name}: the swarm carries on")),
        "{message}"
    );
    assert_eq!(
        inspect(&name)["UpdateStatus"]["State"],
        "updating",
        "the update goes on without berth"
    );
}
