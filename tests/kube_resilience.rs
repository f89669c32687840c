//! The Kubernetes watcher when its API server goes away: a second
//! kube-apiserver on the test bed's etcd (tests/common/apiserver.rs) is
//! stopped and started under a running watcher; the shared one on 6443 only
//! makes the changes meanwhile.

mod common;

use berth::backend::ConnectionState;
use berth::backend::kube::{KubeBackend, KubeTarget};
use common::apiserver::{SpareApiserver, etcd_compact, etcd_revision};
use common::kube::{POD_IMAGE_V1, TestNamespace, deployment_yaml, kubectl, require_kube};
use common::live::Watching;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Held by a test that compacts etcd, and by one that needs etcd to keep
/// its revisions for a while.
static ETCD_HISTORY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn backend(api: &SpareApiserver, ns: &str) -> KubeBackend {
    KubeBackend::connect(&KubeTarget {
        kubeconfig: Some(api.kubeconfig.clone()),
        context: None,
        namespace: Some(ns.to_owned()),
    })
    .await
    .expect("berth connects to the spare API server")
}

fn workloads(snap: &berth::domain::Snapshot, ns: &str) -> Vec<String> {
    let mut names: Vec<String> = snap
        .services
        .iter()
        .filter(|s| s.stack.as_deref() == Some(ns))
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    names
}

/// A Deployment of no pods: it exists, nothing has to be scheduled.
fn idle(name: &str) -> String {
    deployment_yaml(name, POD_IMAGE_V1, 0, "sleep 3000")
}

/// berth's own warnings in this test process (one subscriber for the
/// whole process: a per-thread one misses events once another test's
/// thread has hit the same call sites first). Tests read what was written
/// since an offset.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn berth_log() -> &'static Captured {
    static LOG: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::WARN)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish(),
        )
        .expect("the only subscriber of this test process");
        log
    })
}

impl Captured {
    fn len(&self) -> usize {
        self.0.lock().map(|b| b.len()).unwrap_or_default()
    }

    fn since(&self, offset: usize) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b[offset.min(b.len())..]).into_owned())
            .unwrap_or_default()
    }
}

/// What an API server without a watch cache says to a watch from a
/// compacted resource version (410 Gone, reason Expired); one with a cache
/// says "too old resource version: N (M)" instead.
const ETCD_EXPIRED: &str = "The resourceVersion for the provided watch is too old";

#[tokio::test]
async fn an_api_server_that_stops_and_starts_again_is_followed_without_a_new_backend() {
    require_kube();
    let ns = TestNamespace::create("apirestart");
    ns.apply(&idle("before"));
    let mut api = SpareApiserver::start("restart", &[]);
    let backend = backend(&api, &ns.name).await;
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        workloads(s, &ns.name) == ["before"]
    })
    .await
    .expect("listed through the spare API server");

    let stopped = Instant::now();
    api.down();
    w.until_connection(Duration::from_secs(30), |c| {
        matches!(c, ConnectionState::Reconnecting { .. })
    })
    .await
    .expect("reconnecting while it is down");
    eprintln!("reconnecting {:?} after the kill", stopped.elapsed());

    // Made while berth cannot see it.
    ns.apply(&idle("during"));
    api.up();
    let back = Instant::now();
    w.until_connection(Duration::from_secs(60), |c| {
        *c == ConnectionState::Connected
    })
    .await
    .expect("connected again");
    w.until(Duration::from_secs(30), |s| {
        workloads(s, &ns.name) == ["before", "during"]
    })
    .await
    .unwrap_or_else(|e| panic!("the deployment made meanwhile never showed: {e}"));
    eprintln!("resynced {:?} after the restart", back.elapsed());

    // And it follows on from there.
    ns.apply(&idle("after"));
    w.until(Duration::from_secs(10), |s| {
        workloads(s, &ns.name) == ["after", "before", "during"]
    })
    .await
    .unwrap_or_else(|e| panic!("not followed after the restart: {e}"));
}

/// Without a watch cache the API server resumes a watch from etcd; with
/// etcd compacted past berth's resource version that is a 410 Gone, and the
/// watcher must list again: the objects that exist, no more, no fewer.
#[tokio::test]
async fn a_watch_expired_while_away_lists_again_without_losing_or_keeping_stale_objects() {
    require_kube();
    let _etcd = ETCD_HISTORY.lock().await;
    let log = berth_log();
    let from = log.len();
    let ns = TestNamespace::create("gone410");
    ns.apply(&idle("keep"));
    ns.apply(&idle("doomed"));
    let mut api = SpareApiserver::start("gone", &["--watch-cache=false"]);
    let backend = backend(&api, &ns.name).await;
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        workloads(s, &ns.name) == ["doomed", "keep"]
    })
    .await
    .expect("listed through the spare API server");

    api.down();
    w.until_connection(Duration::from_secs(30), |c| {
        matches!(c, ConnectionState::Reconnecting { .. })
    })
    .await
    .expect("reconnecting while it is down");
    kubectl(&[
        "-n",
        &ns.name,
        "delete",
        "deployment",
        "doomed",
        "--wait=true",
    ]);
    ns.apply(&idle("newborn"));
    let rev = etcd_revision();
    etcd_compact(rev);
    eprintln!("etcd compacted at revision {rev}");
    assert!(
        !log.since(from).contains(ETCD_EXPIRED),
        "no 410 before the restart: {}",
        log.since(from)
    );

    api.up();
    w.until(Duration::from_secs(60), |s| {
        workloads(s, &ns.name) == ["keep", "newborn"]
    })
    .await
    .unwrap_or_else(|e| {
        panic!(
            "after the 410 the snapshot should hold exactly keep and newborn, has {:?}: {e}\n{}",
            workloads(&w.latest, &ns.name),
            log.since(from)
        )
    });
    assert_eq!(w.connection, Some(ConnectionState::Connected));
    let text = log.since(from);
    assert!(
        text.lines()
            .any(|l| l.contains("error returned by apiserver during watch")
                && l.contains(ETCD_EXPIRED)
                && l.contains("Expired")),
        "the resumed watch got 410 Gone (Expired) and listed again:\n{text}"
    );
    eprintln!(
        "410s seen: {}",
        text.lines().filter(|l| l.contains(ETCD_EXPIRED)).count()
    );
}

/// An outage short enough that etcd still has berth's resource version:
/// the watches resume where they were (no 410, no new listing), which they
/// say by nothing but their next event. The console must be "connected"
/// again after a quiet outage, and follow what changed during another.
#[tokio::test]
async fn watches_resumed_after_an_outage_without_a_new_listing_are_connected_again() {
    require_kube();
    let _etcd = ETCD_HISTORY.lock().await;
    let log = berth_log();
    let from = log.len();
    let ns = TestNamespace::create("resume");
    ns.apply(&idle("before"));
    let mut api = SpareApiserver::start("resume", &["--watch-cache=false"]);
    let backend = backend(&api, &ns.name).await;
    let mut w = Watching::start(&backend);
    w.until(Duration::from_secs(30), |s| {
        workloads(s, &ns.name) == ["before"]
    })
    .await
    .expect("listed through the spare API server");

    for change in [None, Some("during")] {
        api.down();
        w.until_connection(Duration::from_secs(30), |c| {
            matches!(c, ConnectionState::Reconnecting { .. })
        })
        .await
        .expect("reconnecting while it is down");
        if let Some(name) = change {
            ns.apply(&idle(name));
        }
        api.up();
        let back = Instant::now();
        // The watchers' backoff is at most a few seconds after a short
        // outage; the API server is asked every 2 s whether it is back.
        w.until_connection(Duration::from_secs(15), |c| {
            *c == ConnectionState::Connected
        })
        .await
        .unwrap_or_else(|e| panic!("not connected again ({change:?}): {e}\n{}", log.since(from)));
        eprintln!(
            "connected {:?} after the restart ({change:?})",
            back.elapsed()
        );
    }
    w.until(Duration::from_secs(30), |s| {
        workloads(s, &ns.name) == ["before", "during"]
    })
    .await
    .unwrap_or_else(|e| {
        panic!(
            "the change made meanwhile never showed: {e}\n{}",
            log.since(from)
        )
    });
    assert!(
        !log.since(from).contains(ETCD_EXPIRED),
        "this test is about resumed watches, yet one expired:\n{}",
        log.since(from)
    );
}
