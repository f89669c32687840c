//! Pod logs through berth's Kubernetes backend on the test bed: a
//! workload's pods merged while replicas join, one container of a pod or
//! all of them, and the previous run of a crash-looping container.

mod common;

use berth::backend::Backend;
use berth::domain::{Container, Snapshot};
use berth::logs::{LogEvent, LogRequest, LogTarget};
use common::kube::{
    POD_IMAGE_V1, TestNamespace, backend, container_yaml, deployment_yaml, kubectl, pod_yaml,
    wait_pods_running,
};
use common::live::{Tail, Watching};
use std::collections::BTreeSet;
use std::time::Duration;

fn pods_of<'a>(s: &'a Snapshot, id: &str) -> Vec<&'a Container> {
    s.containers.iter().filter(|c| c.service_id == id).collect()
}

#[tokio::test]
async fn a_workloads_logs_follow_its_replicas_and_one_that_joins() {
    let backend = backend().await;
    let ns = TestNamespace::create("join");
    ns.apply(&deployment_yaml(
        "talk",
        POD_IMAGE_V1,
        2,
        "i=0; while true; do echo \"line $i from $(hostname)\"; i=$((i+1)); sleep 0.3; done",
    ));
    wait_pods_running(&ns.name, "app=talk", 2, Duration::from_secs(90));
    // The console's watcher runs: the log view reads its snapshots.
    let mut w = Watching::start(&backend);
    let id = format!("{}/deployment/talk", ns.name);
    w.until(Duration::from_secs(30), |s| {
        pods_of(s, &id)
            .iter()
            .filter(|c| c.state.is_running())
            .count()
            == 2
    })
    .await
    .expect("both pods listed");
    let first: BTreeSet<String> = pods_of(&w.latest, &id)
        .iter()
        .map(|c| c.name.clone())
        .collect();
    // The watcher goes on being read, as the console reads it: the backend
    // sees new pods through it.
    let watching = tokio::spawn(async move {
        let _ = w.until(Duration::from_secs(600), |_| false).await;
    });

    let mut tail = Tail::start(&backend, LogTarget::Service(id.clone()), Some(2), true);
    tail.until(Duration::from_secs(30), |t| {
        first
            .iter()
            .all(|p| t.lines.iter().any(|l| &*l.source == p.as_str()))
    })
    .await
    .unwrap_or_else(|e| panic!("lines from both pods never came: {e}"));

    // Scaled outside berth while the stream runs: the new pod joins it.
    kubectl(&["-n", &ns.name, "scale", "deployment/talk", "--replicas=3"]);
    let all = wait_pods_running(&ns.name, "app=talk", 3, Duration::from_secs(90));
    let third = all
        .iter()
        .find(|p| !first.contains(*p))
        .expect("a third pod")
        .clone();
    let took = tail
        .until(Duration::from_secs(60), |t| {
            t.lines.iter().any(|l| *l.source == *third)
        })
        .await
        .unwrap_or_else(|e| panic!("the third pod's lines never came: {e}"));
    eprintln!("third pod's first line {took:?} after it ran");
    assert!(
        tail.events
            .iter()
            .any(|e| matches!(e, LogEvent::SourceJoined(s) if **s == *third)),
        "its joining is said: {:?}",
        tail.events
    );
    let line = tail
        .lines
        .iter()
        .find(|l| *l.source == *third)
        .expect("a line");
    assert!(
        line.text.ends_with(&format!("from {third}")),
        "{}",
        line.text
    );

    // Scaled down: the pods that go leave the stream, it goes on.
    kubectl(&["-n", &ns.name, "scale", "deployment/talk", "--replicas=1"]);
    tail.until(Duration::from_secs(60), |t| {
        t.events
            .iter()
            .filter(|e| matches!(e, LogEvent::SourceLeft(_)))
            .count()
            >= 2
    })
    .await
    .unwrap_or_else(|e| panic!("the removed pods never left: {e}"));
    assert!(!tail.ended, "a workload's stream waits for pods");
    watching.abort();
}

#[tokio::test]
async fn a_two_container_pods_logs_one_container_or_both_merged() {
    let backend = backend().await;
    let ns = TestNamespace::create("pair");
    let say =
        |who: &str| format!("i=0; while true; do echo \"{who} $i\"; i=$((i+1)); sleep 0.3; done");
    ns.apply(&pod_yaml(
        "pair",
        &format!(
            "  containers:\n{}{}",
            container_yaml("left", &say("from-left")),
            container_yaml("right", &say("from-right"))
        ),
    ));
    wait_pods_running(&ns.name, "app=pair", 1, Duration::from_secs(90));
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        s.containers.iter().any(|c| {
            c.stack.as_deref() == Some(&ns.name) && c.name == "pair" && c.state.is_running()
        })
    })
    .await
    .expect("the pod listed");
    let pod_id = w
        .latest
        .containers
        .iter()
        .find(|c| c.stack.as_deref() == Some(&ns.name) && c.name == "pair")
        .map(|c| c.id.clone())
        .expect("pod");

    // One container: only its lines.
    let mut one = Tail::start(
        &backend,
        LogTarget::Part {
            pod: pod_id.clone(),
            container: "left".into(),
        },
        Some(3),
        true,
    );
    one.until(Duration::from_secs(30), |t| t.lines.len() >= 6)
        .await
        .unwrap_or_else(|e| panic!("the left container's lines never came: {e}"));
    assert!(
        one.lines
            .iter()
            .all(|l| l.text.starts_with("from-left ") && &*l.source == "pair/left"),
        "{:?}",
        one.texts()
    );

    // The pod: both, each line named pod/container.
    let mut both = Tail::start(&backend, LogTarget::Container(pod_id), Some(3), true);
    both.until(Duration::from_secs(30), |t| {
        ["pair/left", "pair/right"]
            .iter()
            .all(|s| t.lines.iter().any(|l| &*l.source == *s))
    })
    .await
    .unwrap_or_else(|e| panic!("lines of both containers never came: {e}"));
    for l in &both.lines {
        let want = if l.text.starts_with("from-left ") {
            "pair/left"
        } else {
            "pair/right"
        };
        assert_eq!(&*l.source, want, "{}", l.text);
    }
    drop(w);
}

#[tokio::test]
async fn a_crash_looping_pod_shows_crashloopbackoff_and_its_previous_logs() {
    let backend = backend().await;
    let ns = TestNamespace::create("crash");
    ns.apply(&pod_yaml(
        "crashy",
        &format!(
            "  containers:\n{}",
            container_yaml("main", "echo boom-$(date +%s%N); sleep 1; exit 1")
        ),
    ));
    let mut w = Watching::start(&backend);
    let took = w
        .until(Duration::from_secs(120), |s| {
            s.containers.iter().any(|c| {
                c.stack.as_deref() == Some(&ns.name)
                    && c.name == "crashy"
                    && c.status.starts_with("CrashLoopBackOff")
                    && c.parts
                        .first()
                        .is_some_and(|p| p.reason == "CrashLoopBackOff" && p.restarts >= 1)
            })
        })
        .await
        .unwrap_or_else(|e| panic!("CrashLoopBackOff never showed: {e}"));
    eprintln!("CrashLoopBackOff shown after {took:?}");
    let pod = w
        .latest
        .containers
        .iter()
        .find(|c| c.stack.as_deref() == Some(&ns.name) && c.name == "crashy")
        .expect("pod")
        .clone();
    assert_eq!(pod.parts[0].last_termination, "Error, exit 1");

    // berth's previous logs are kubectl's (read again if it restarted between).
    let mut last = String::new();
    for _ in 0..3 {
        let mut prev = Tail::start_request(
            &backend,
            LogRequest {
                target: LogTarget::Container(pod.id.clone()),
                tail: None,
                since: None,
                follow: true,
                previous: true,
            },
        );
        prev.until(Duration::from_secs(30), |t| t.ended)
            .await
            .unwrap_or_else(|e| panic!("previous logs never ended: {e}"));
        let want = kubectl(&["-n", &ns.name, "logs", "--previous", "crashy"]);
        let got = prev.texts().join("\n");
        assert!(got.starts_with("boom-"), "{got:?} {:?}", prev.events);
        if got == want {
            // Headless: `berth logs --previous` prints the same line.
            let home = common::headless::data_home("prev");
            let config = common::kube::admin_kubeconfig();
            let out = common::headless::berth(
                &home,
                &[
                    "--backend",
                    "kubernetes",
                    "--kubeconfig",
                    config.to_str().expect("utf-8 path"),
                    "--namespace",
                    &ns.name,
                    "logs",
                    "--previous",
                    "crashy",
                ],
            );
            let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let again = kubectl(&["-n", &ns.name, "logs", "--previous", "crashy"]);
            if printed == again || printed == got {
                assert!(out.status.success(), "{}", common::headless::stderr(&out));
                return;
            }
            last = format!("headless printed {printed:?}, kubectl {again:?}");
            continue;
        }
        last = format!("berth {got:?}, kubectl {want:?}");
    }
    panic!("previous logs disagree: {last}");
}

#[tokio::test]
async fn previous_logs_of_a_pod_that_never_restarted_say_so() {
    let backend = backend().await;
    let ns = TestNamespace::create("noprev");
    ns.apply(&pod_yaml(
        "calm",
        &format!("  containers:\n{}", container_yaml("main", "sleep 3000")),
    ));
    wait_pods_running(&ns.name, "app=calm", 1, Duration::from_secs(90));
    let snap = backend.snapshot().await.expect("a listing");
    let pod = snap
        .containers
        .iter()
        .find(|c| c.stack.as_deref() == Some(&ns.name) && c.name == "calm")
        .expect("pod");
    let mut prev = Tail::start_request(
        &backend,
        LogRequest {
            target: LogTarget::Container(pod.id.clone()),
            tail: None,
            since: None,
            follow: false,
            previous: true,
        },
    );
    prev.until(Duration::from_secs(30), |t| t.ended)
        .await
        .unwrap_or_else(|e| panic!("never ended: {e}"));
    assert!(
        prev.events
            .iter()
            .any(|e| matches!(e, LogEvent::Error(m) if m.contains("no previous run"))),
        "{:?}",
        prev.events
    );
}
