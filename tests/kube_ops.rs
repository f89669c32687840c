//! Workload operations on the test bed's Kubernetes (scripts/testbed, kube
//! part), through berth's own backend as the console drives it: scale,
//! redeploy (rollout restart), rollback (rollout undo) of a Deployment and
//! a DaemonSet, a rollout stuck on a missing image, a pod restarted by its
//! controller, refusals, read-only, and the headless commands with their
//! audit lines. Each test works in a namespace of its own.

mod common;

use berth::backend::kube::{KubeBackend, KubeTarget};
use berth::backend::{Backend, ReadOnly};
use berth::domain::{OpEvent, OpKind, Outcome, Plan, Step, TargetRef};
use common::headless::{audit, berth, data_home, json_lines, stderr};
use common::kube::{
    POD_IMAGE_V1, POD_IMAGE_V2, TestNamespace, admin_kubeconfig, daemonset_yaml, deployment_yaml,
    kubectl, pods, require_kube, statefulset_yaml, wait_pods_running,
};
use common::ops::{execute_cancelled_at, execute_within, plan, req};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(120);
/// The longest berth may go without an event while following a change.
const PATIENCE: Duration = Duration::from_secs(90);

/// The backend on the test's namespace alone (other tests' pods stay out).
async fn backend(ns: &str) -> KubeBackend {
    require_kube();
    KubeBackend::connect(&KubeTarget {
        kubeconfig: Some(admin_kubeconfig()),
        context: None,
        namespace: Some(ns.to_owned()),
    })
    .await
    .expect("berth connects with the test bed's kubeconfig")
}

/// The target `name` resolves to in a fresh listing.
async fn target(backend: &dyn Backend, name: &str) -> TargetRef {
    let snap = backend.snapshot().await.expect("a listing");
    backend
        .resolve(&snap, name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn execute(backend: &dyn Backend, p: Plan) -> (Vec<OpEvent>, Outcome, String) {
    execute_within(backend, p, PATIENCE).await
}

/// Replica rows that reached `step`, finished.
fn rows_at(events: &[OpEvent], step: Step) -> BTreeSet<String> {
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

fn names(list: &[(String, String, String, bool)]) -> BTreeSet<String> {
    list.iter().map(|p| p.0.clone()).collect()
}

fn uids(list: &[(String, String, String, bool)]) -> BTreeSet<String> {
    list.iter().map(|p| p.1.clone()).collect()
}

#[tokio::test]
async fn scale_a_deployment_from_1_to_3_and_back_to_1() {
    let ns = TestNamespace::create("kops-scale");
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 1, "sleep 3000"));
    let first = wait_pods_running(&ns.name, "app=web", 1, WAIT);
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/web", ns.name)).await;

    let p = plan(&b, req(OpKind::Scale, &t, Some(3))).await;
    assert_eq!(
        p.summary,
        format!("scale deployment {}/web from 1 to 3 replicas", ns.name)
    );
    assert_eq!(p.replicas, first);
    assert!(!p.confirm_twice);
    let (events, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(message.contains("runs 3 pods ready"), "{message}");
    let now = pods(&ns.name, "app=web");
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(now.iter().all(|p| !p.3), "none terminating: {now:?}");
    assert_eq!(
        rows_at(&events, Step::Running),
        names(&now),
        "each pod reported running: {events:?}"
    );

    let p = plan(&b, req(OpKind::Scale, &t, Some(1))).await;
    assert!(
        p.details
            .iter()
            .any(|d| d.contains("removes 2 pods of its choosing — about")),
        "{:?}",
        p.details
    );
    let (events, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let left = pods(&ns.name, "app=web");
    assert_eq!(left.len(), 1, "the removed pods are gone: {left:?}");
    let removed = rows_at(&events, Step::Removed);
    assert_eq!(removed.len(), 2, "{events:?}");
    assert!(!removed.contains(&left[0].0));

    // To 0 asks twice and says the service stops serving.
    let p = plan(&b, req(OpKind::Scale, &t, Some(0))).await;
    assert!(p.confirm_twice);
    assert!(
        p.warnings.iter().any(|w| w.contains("stops serving")),
        "{:?}",
        p.warnings
    );
}

#[tokio::test]
async fn redeploy_replaces_every_pod_as_rollout_restart_does() {
    let ns = TestNamespace::create("kops-redeploy");
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 2, "sleep 3000"));
    wait_pods_running(&ns.name, "app=web", 2, WAIT);
    let before = pods(&ns.name, "app=web");
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/web", ns.name)).await;

    let p = plan(&b, req(OpKind::Redeploy, &t, None)).await;
    assert!(
        p.summary.contains("rollout restart: 2 pods replaced"),
        "{}",
        p.summary
    );
    assert_eq!(
        p.replicas.iter().cloned().collect::<BTreeSet<_>>(),
        names(&before)
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("imagePullPolicy Never") && w.contains(POD_IMAGE_V1)),
        "the plan says the image is not pulled again: {:?}",
        p.warnings
    );
    let (events, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");

    let after = pods(&ns.name, "app=web");
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(uids(&after).is_disjoint(&uids(&before)), "every pod is new");
    assert!(names(&after).is_disjoint(&names(&before)));
    assert_eq!(
        rows_at(&events, Step::Removed),
        names(&before),
        "{events:?}"
    );
    assert_eq!(rows_at(&events, Step::Running), names(&after), "{events:?}");
    let at = kubectl(&[
        "-n",
        &ns.name,
        "get",
        "deployment",
        "web",
        "-o",
        r"jsonpath={.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}",
    ]);
    assert!(
        at.ends_with('Z') && at.len() == 20,
        "restartedAt is RFC 3339: {at:?}"
    );
    // kubectl sees the same: a finished rollout, and the restart in its history.
    let status = kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "deployment/web",
        "--timeout=5s",
    ]);
    assert!(status.contains("successfully rolled out"), "{status}");
    let history = kubectl(&["-n", &ns.name, "rollout", "history", "deployment/web"]);
    assert!(
        history.lines().any(|l| l.trim_start().starts_with('2')),
        "{history}"
    );
}

#[tokio::test]
async fn rollback_undoes_set_image_and_refuses_without_a_previous_revision() {
    let ns = TestNamespace::create("kops-undo");
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 2, "sleep 3000"));
    ns.apply(&deployment_yaml("fresh", POD_IMAGE_V1, 1, "sleep 3000"));
    wait_pods_running(&ns.name, "app=web", 2, WAIT);
    let b = backend(&ns.name).await;

    // A fresh Deployment has one revision: refused before any question.
    let fresh = target(&b, &format!("{}/fresh", ns.name)).await;
    let err = b
        .plan(req(OpKind::Rollback, &fresh, None))
        .await
        .expect_err("nothing to roll back to");
    assert!(
        err.to_string()
            .contains("no previous revision to roll back to"),
        "{err}"
    );

    kubectl(&[
        "-n",
        &ns.name,
        "set",
        "image",
        "deployment/web",
        &format!("main={POD_IMAGE_V2}"),
    ]);
    kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "deployment/web",
        "--timeout=120s",
    ]);
    wait_pods_running(&ns.name, "app=web", 2, WAIT);
    let before = pods(&ns.name, "app=web");
    assert!(before.iter().all(|p| p.2 == POD_IMAGE_V2), "{before:?}");

    let t = target(&b, &format!("{}/web", ns.name)).await;
    let p = plan(&b, req(OpKind::Rollback, &t, None)).await;
    assert!(p.summary.contains("revision 2 → 1"), "{}", p.summary);
    assert!(
        p.details
            .contains(&format!("image main: {POD_IMAGE_V2} → {POD_IMAGE_V1}")),
        "{:?}",
        p.details
    );
    let (_, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(message.contains("rolled back to revision 1"), "{message}");

    let image = kubectl(&[
        "-n",
        &ns.name,
        "get",
        "deployment",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, POD_IMAGE_V1);
    let after = pods(&ns.name, "app=web");
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        after.iter().all(|p| p.2 == POD_IMAGE_V1 && !p.3),
        "{after:?}"
    );
    // The controller renumbers the revision rolled back to: 1 becomes 3.
    let revision = kubectl(&[
        "-n",
        &ns.name,
        "get",
        "deployment",
        "web",
        "-o",
        r"jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}",
    ]);
    assert_eq!(revision, "3");

    // Changed between the plan and the confirmation: refused, not overwritten.
    let p = plan(&b, req(OpKind::Rollback, &t, None)).await;
    assert!(p.summary.contains("revision 3 → 2"), "{}", p.summary);
    kubectl(&["-n", &ns.name, "set", "env", "deployment/web", "CHANGED=1"]);
    let (_, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Failed, "{message}");
    assert!(message.contains("changed since the plan"), "{message}");
    let image = kubectl(&[
        "-n",
        &ns.name,
        "get",
        "deployment",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, POD_IMAGE_V1, "nothing was rolled back");
}

/// A 2-pod Deployment `web` whose previous revision (2) names an image no
/// node has: set, then undone by hand. Returns its running pods.
fn with_a_missing_image_in_its_history(ns: &TestNamespace, deadline: Option<u32>) -> Vec<String> {
    with_a_bad_revision(
        ns,
        deadline,
        &[
            "set",
            "image",
            "deployment/web",
            "main=docker.io/local/missing:1",
        ],
    )
}

/// A 2-pod Deployment `web` whose previous revision (2) is made by
/// `kubectl BAD` and undone by hand. Returns its running pods.
fn with_a_bad_revision(ns: &TestNamespace, deadline: Option<u32>, bad: &[&str]) -> Vec<String> {
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 2, "sleep 3000"));
    if let Some(s) = deadline {
        let patch = format!("{{\"spec\":{{\"progressDeadlineSeconds\":{s}}}}}");
        kubectl(&["-n", &ns.name, "patch", "deployment", "web", "-p", &patch]);
    }
    wait_pods_running(&ns.name, "app=web", 2, WAIT);
    let mut args = vec!["-n", ns.name.as_str()];
    args.extend_from_slice(bad);
    kubectl(&args);
    kubectl(&["-n", &ns.name, "rollout", "undo", "deployment/web"]);
    kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "deployment/web",
        "--timeout=120s",
    ]);
    wait_pods_running(&ns.name, "app=web", 2, WAIT)
}

#[tokio::test]
async fn a_rollout_stuck_on_a_missing_image_fails_with_the_reason_and_the_old_pods_keep_running() {
    let ns = TestNamespace::create("kops-stuck");
    let before = with_a_missing_image_in_its_history(&ns, None);

    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/web", ns.name)).await;
    let p = plan(&b, req(OpKind::Rollback, &t, None)).await;
    assert!(p.summary.contains("revision 3 → 2"), "{}", p.summary);
    assert!(
        p.details.contains(&format!(
            "image main: {POD_IMAGE_V1} → docker.io/local/missing:1"
        )),
        "{:?}",
        p.details
    );
    let started = std::time::Instant::now();
    let (events, outcome, message) = execute(&b, p).await;
    eprintln!("failed after {:?}", started.elapsed());
    assert_eq!(outcome, Outcome::Failed, "{message}");
    assert!(message.contains("ErrImageNeverPull"), "{message}");
    assert!(message.contains("left as is"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "it did not wait for the 10 min progress deadline"
    );
    assert!(
        events.iter().any(
            |e| matches!(e, OpEvent::Step { step: Step::Failed, detail: Some(d), .. }
            if d.contains("ErrImageNeverPull"))
        ),
        "the stuck pod's row shows the reason: {events:?}"
    );
    // The old pods still serve (maxUnavailable rounds down to 0 of 2).
    let now = pods(&ns.name, "app=web");
    let running_old: Vec<_> = now
        .iter()
        .filter(|p| before.contains(&p.0) && !p.3)
        .collect();
    assert_eq!(running_old.len(), 2, "{now:?}");
}

#[tokio::test]
async fn a_crash_looping_rollout_fails_within_a_minute_with_the_reason() {
    let ns = TestNamespace::create("kops-crash");
    let crash = r#"[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sh","-c","exit 3"]}]"#;
    let before = with_a_bad_revision(
        &ns,
        None,
        &["patch", "deployment", "web", "--type=json", "-p", crash],
    );
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/web", ns.name)).await;
    let p = plan(&b, req(OpKind::Rollback, &t, None)).await;
    assert!(
        p.details
            .contains(&"command main: `sh -c sleep 3000` → `sh -c exit 3`".to_owned()),
        "{:?}",
        p.details
    );
    let started = std::time::Instant::now();
    let (_, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Failed, "{message}");
    assert!(message.contains("CrashLoopBackOff"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    // Without a readiness probe a crashing pod counts as available for a
    // moment, so the controller may have taken one old pod down: not both.
    let now = pods(&ns.name, "app=web");
    let running_old = now.iter().filter(|p| before.contains(&p.0) && !p.3).count();
    assert!(running_old >= 1, "{now:?}");
}

#[tokio::test]
async fn a_progress_deadline_exceeded_fails_with_the_condition_and_the_failing_pods() {
    let ns = TestNamespace::create("kops-deadline");
    let before = with_a_missing_image_in_its_history(&ns, Some(5));
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/web", ns.name)).await;
    let p = plan(&b, req(OpKind::Rollback, &t, None)).await;
    let (_, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Failed, "{message}");
    assert!(
        message.contains("the progress deadline was exceeded"),
        "{message}"
    );
    assert!(
        message.contains("has timed out progressing"),
        "the condition's words: {message}"
    );
    assert!(message.contains("failing pods: web-"), "{message}");
    assert!(message.contains("ErrImageNeverPull"), "{message}");
    let now = pods(&ns.name, "app=web");
    let running_old = now.iter().filter(|p| before.contains(&p.0) && !p.3).count();
    assert_eq!(running_old, 2, "{now:?}");
}

#[tokio::test]
async fn a_daemonset_rolls_back_through_its_controller_revisions_and_refuses_scale() {
    let ns = TestNamespace::create("kops-ds");
    ns.apply(&daemonset_yaml("mon", POD_IMAGE_V1, "sleep 3000"));
    wait_pods_running(&ns.name, "app=mon", 1, WAIT);
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/mon", ns.name)).await;

    let why = b
        .capabilities(&t)
        .check(OpKind::Scale)
        .expect_err("a DaemonSet cannot scale");
    assert!(
        why.contains(
            "a DaemonSet runs one pod per eligible node: it has no replica count to scale"
        ),
        "{why}"
    );
    let err = b
        .plan(req(OpKind::Rollback, &t, None))
        .await
        .expect_err("one revision only");
    assert!(
        err.to_string().contains("no last revision to roll back to"),
        "{err}"
    );

    kubectl(&[
        "-n",
        &ns.name,
        "set",
        "image",
        "daemonset/mon",
        &format!("main={POD_IMAGE_V2}"),
    ]);
    kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "daemonset/mon",
        "--timeout=120s",
    ]);
    wait_pods_running(&ns.name, "app=mon", 1, WAIT);
    let before = pods(&ns.name, "app=mon");

    let p = plan(&b, req(OpKind::Rollback, &t, None)).await;
    assert!(p.summary.contains("revision 2 → 1"), "{}", p.summary);
    assert!(
        p.details
            .contains(&format!("image main: {POD_IMAGE_V2} → {POD_IMAGE_V1}")),
        "{:?}",
        p.details
    );
    let (events, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let after = pods(&ns.name, "app=mon");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].2, POD_IMAGE_V1);
    assert!(uids(&after).is_disjoint(&uids(&before)));
    assert_eq!(rows_at(&events, Step::Running), names(&after), "{events:?}");
    let status = kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "daemonset/mon",
        "--timeout=5s",
    ]);
    assert!(status.contains("successfully rolled out"), "{status}");
}

#[tokio::test]
async fn a_statefulset_restarts_in_place_scales_down_from_the_top_and_cancel_leaves_it_rolling() {
    let ns = TestNamespace::create("kops-ss");
    ns.apply(&statefulset_yaml("db", POD_IMAGE_V1, 2, "sleep 3000"));
    wait_pods_running(&ns.name, "app=db", 2, WAIT);
    let before = pods(&ns.name, "app=db");
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/db", ns.name)).await;

    // Restart keeps the names (db-0, db-1) and replaces every pod.
    let p = plan(&b, req(OpKind::Restart, &t, None)).await;
    assert!(
        p.summary.contains("rollout restart: 2 pods replaced"),
        "{}",
        p.summary
    );
    assert!(
        p.warnings.is_empty(),
        "a restart says nothing of pulling: {:?}",
        p.warnings
    );
    let (events, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let after = pods(&ns.name, "app=db");
    assert_eq!(names(&after), names(&before));
    assert!(uids(&after).is_disjoint(&uids(&before)), "{after:?}");
    assert_eq!(rows_at(&events, Step::Running), names(&after), "{events:?}");
    let status = kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "statefulset/db",
        "--timeout=5s",
    ]);
    assert!(status.contains("complete"), "{status}");

    // Scaling down removes the highest ordinal, exactly.
    let p = plan(&b, req(OpKind::Scale, &t, Some(1))).await;
    assert!(
        p.details
            .iter()
            .any(|d| d.ends_with("highest ordinals first: db-1")),
        "{:?}",
        p.details
    );
    let (_, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(
        names(&pods(&ns.name, "app=db")),
        BTreeSet::from(["db-0".to_owned()])
    );

    // Cancelled while a pod shuts down: berth stops watching, the
    // StatefulSet controller finishes the rollout by itself.
    let p = plan(&b, req(OpKind::Redeploy, &t, None)).await;
    let (outcome, message) = execute_cancelled_at(&b, p, Step::Stopping, PATIENCE).await;
    assert_eq!(outcome, Outcome::Cancelled, "{message}");
    assert!(message.contains("carries on"), "{message}");
    let status = kubectl(&[
        "-n",
        &ns.name,
        "rollout",
        "status",
        "statefulset/db",
        "--timeout=120s",
    ]);
    assert!(status.contains("complete"), "{status}");
}

#[tokio::test]
async fn a_pod_restarts_through_its_controller_and_a_bare_pod_refuses() {
    let ns = TestNamespace::create("kops-pod");
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 2, "sleep 3000"));
    kubectl(&[
        "-n",
        &ns.name,
        "run",
        "lonely",
        "--image",
        POD_IMAGE_V1,
        "--image-pull-policy=Never",
        "--restart=Never",
        "--labels=app=lonely",
        "--",
        "sleep",
        "3000",
    ]);
    let before = wait_pods_running(&ns.name, "app=web", 2, WAIT);
    wait_pods_running(&ns.name, "app=lonely", 1, WAIT);
    let b = backend(&ns.name).await;

    let bare = target(&b, "lonely").await;
    let why = b
        .capabilities(&bare)
        .check(OpKind::Restart)
        .expect_err("a bare pod would be lost");
    assert!(why.contains("could lose it"), "{why}");

    let pod = target(&b, &before[0]).await;
    for k in [OpKind::Scale, OpKind::Redeploy, OpKind::Rollback] {
        let why = b.capabilities(&pod).check(k).expect_err("on the workload");
        assert!(
            why.contains(&format!("operate on deployment {}/web", ns.name)),
            "{why}"
        );
    }
    let p = plan(&b, req(OpKind::Restart, &pod, None)).await;
    assert_eq!(p.replicas, vec![before[0].clone()]);
    let (events, outcome, message) = execute(&b, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let after = pods(&ns.name, "app=web");
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(!names(&after).contains(&before[0]), "{after:?}");
    assert!(
        names(&after).contains(&before[1]),
        "the other pod is left alone"
    );
    assert!(
        rows_at(&events, Step::Removed).contains(&before[0]),
        "{events:?}"
    );
}

#[tokio::test]
async fn read_only_refuses_at_the_backend_and_headless_with_an_audit_line() {
    let ns = TestNamespace::create("kops-ro");
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 1, "sleep 3000"));
    wait_pods_running(&ns.name, "app=web", 1, WAIT);
    let b = backend(&ns.name).await;
    let t = target(&b, &format!("{}/web", ns.name)).await;
    let real = plan(&b, req(OpKind::Scale, &t, Some(2))).await;
    let ro = ReadOnly(Arc::new(b));
    assert!(ro.capabilities(&t).check(OpKind::Scale).is_err());
    let err = ro
        .plan(req(OpKind::Scale, &t, Some(2)))
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("read-only"), "{err}");
    let (_, outcome, message) = execute(&ro, real).await;
    assert_eq!(outcome, Outcome::Failed);
    assert!(message.contains("read-only"), "{message}");

    let kubeconfig = admin_kubeconfig();
    let kubeconfig = kubeconfig.to_str().expect("a UTF-8 path");
    let home = data_home("kube-ro");
    let name = format!("{}/web", ns.name);
    let out = berth(
        &home,
        &[
            "--backend",
            "kubernetes",
            "--kubeconfig",
            kubeconfig,
            "--namespace",
            &ns.name,
            "--read-only",
            "scale",
            &name,
            "2",
            "--yes",
            "--wait",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    let lines = audit(&home);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["result"], "refused");
    assert_eq!(lines[0]["action"], "scale");
    assert_eq!(lines[0]["backend"], "kubernetes");
    let replicas = kubectl(&[
        "-n",
        &ns.name,
        "get",
        "deployment",
        "web",
        "-o",
        "jsonpath={.spec.replicas}",
    ]);
    assert_eq!(replicas, "1", "nothing changed");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn headless_scale_and_rollback_converge_and_write_audit_lines() {
    require_kube();
    let ns = TestNamespace::create("kops-cli");
    ns.apply(&deployment_yaml("web", POD_IMAGE_V1, 1, "sleep 3000"));
    wait_pods_running(&ns.name, "app=web", 1, WAIT);
    let kubeconfig = admin_kubeconfig();
    let kubeconfig = kubeconfig.to_str().expect("a UTF-8 path");
    let home = data_home("kube-cli");
    let name = format!("{}/web", ns.name);
    let run = |args: &[&str]| {
        let mut all = vec![
            "--backend",
            "kubernetes",
            "--kubeconfig",
            kubeconfig,
            "--namespace",
            &ns.name,
        ];
        all.extend_from_slice(args);
        berth(&home, &all)
    };

    let out = run(&["scale", &name, "2", "--yes", "--wait", "-o", "json"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("scale deployment {name} from 1 to 2 replicas")),
        "{err}"
    );
    let lines = json_lines(&out);
    assert_eq!(
        lines.last().map(|l| l["outcome"].clone()),
        Some("converged".into())
    );
    wait_pods_running(&ns.name, "app=web", 2, WAIT);

    // A rollback with nothing to go back to fails at the plan.
    let out = run(&["rollback", &name, "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no previous revision"),
        "{}",
        stderr(&out)
    );

    let lines = audit(&home);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["action"], "scale");
    assert_eq!(lines[0]["result"], "converged");
    assert_eq!(lines[0]["parameters"]["replicas"], 2);
    assert_eq!(lines[0]["backend"], "kubernetes");
    assert_eq!(lines[1]["action"], "rollback");
    assert_eq!(lines[1]["result"], "failed");
    let _ = std::fs::remove_dir_all(&home);
}
