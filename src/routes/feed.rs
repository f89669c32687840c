//! The route feed: while routes are on screen, probes their backends
//! (those on screen every [`VISIBLE_EVERY`], the rest every
//! [`OTHERS_EVERY`], at most [`IN_FLIGHT`] at once) and reads the
//! sources the snapshot does not carry. It sends a new [`Live`] only when
//! something an operator would see changed; with no route on screen it
//! does nothing at all.

use super::live::{self, Live};
use super::probe::{self, Probe, Target};
use crate::backend::Backend;
use crate::domain::Snapshot;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

pub const VISIBLE_EVERY: Duration = Duration::from_secs(5);
pub const OTHERS_EVERY: Duration = Duration::from_secs(60);
pub const IN_FLIGHT: usize = 16;
/// How often Traefik's API is read while routes are shown.
pub const API_EVERY: Duration = Duration::from_secs(5);
/// How often haproxy configs (the file, the containers') are read again.
pub const HAPROXY_EVERY: Duration = Duration::from_secs(15);
/// The largest haproxy config read from a file.
const HAPROXY_LIMIT: u64 = 1 << 20;
const API_TIMEOUT: Duration = Duration::from_secs(3);

/// Where routes come from beyond the engine's own objects.
#[derive(Debug, Clone, Default)]
pub struct FeedConfig {
    /// `--haproxy-config FILE`.
    pub haproxy_file: Option<PathBuf>,
    /// `--traefik-url URL`.
    pub traefik_url: Option<String>,
}

/// What the console shows of routes: whether any, and which backends
/// (`address:port`) are on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watching {
    pub on: bool,
    pub visible: Vec<String>,
}

pub async fn run(
    backend: Arc<dyn Backend>,
    cfg: FeedConfig,
    mut snaps: watch::Receiver<Arc<Snapshot>>,
    mut watching: watch::Receiver<Watching>,
    tx: mpsc::Sender<Arc<Live>>,
) {
    let mut feed = Feed {
        backend,
        cfg,
        live: Live::default(),
        due: HashMap::new(),
        api_due: None,
        unconfirmed: HashMap::new(),
        haproxy_due: None,
        haproxy: Vec::new(),
        routes_of: None,
    };
    let mut inflight = FuturesUnordered::new();
    let mut busy: HashSet<String> = HashSet::new();
    // What to probe, made again only when the routes change.
    let mut targets: Vec<(String, Target)> = Vec::new();
    let mut targets_of: Option<(Arc<Snapshot>, Vec<crate::domain::Route>)> = None;
    let mut visible: HashSet<String> = HashSet::new();
    loop {
        if !watching.borrow_and_update().on {
            tokio::select! {
                r = watching.changed() => if r.is_err() { return },
                _ = tx.closed() => return,
            }
            continue;
        }
        let snap = snaps.borrow_and_update().clone();
        let mut changed = feed.refresh_sources(&snap).await;
        changed |= feed.read_haproxy(&snap).await;
        {
            let w = watching.borrow();
            if w.visible.len() != visible.len() || w.visible.iter().any(|k| !visible.contains(k)) {
                // A row scrolled into view is probed now, not when its
                // off-screen turn comes.
                let soon = Instant::now() + VISIBLE_EVERY;
                for k in w.visible.iter().filter(|k| !visible.contains(*k)) {
                    if let Some(due) = feed.due.get_mut(k)
                        && *due > soon
                    {
                        *due = Instant::now();
                    }
                }
                visible = w.visible.iter().cloned().collect();
            }
        }
        let same = targets_of
            .as_ref()
            .is_some_and(|(s, extra)| Arc::ptr_eq(s, &snap) && *extra == feed.live.extra);
        if !same {
            targets = live::targets(snap.routes.iter().chain(&feed.live.extra))
                .into_iter()
                .map(|t| (t.key(), t))
                .collect();
            targets_of = Some((snap.clone(), feed.live.extra.clone()));
            changed |= feed.forget_gone(&targets);
        }
        let now = Instant::now();
        for (key, t) in &targets {
            if inflight.len() >= IN_FLIGHT {
                break;
            }
            if busy.contains(key) || feed.due.get(key).is_some_and(|d| *d > now) {
                continue;
            }
            let every = if visible.contains(key) {
                VISIBLE_EVERY
            } else {
                OTHERS_EVERY
            };
            feed.due.insert(key.clone(), now + every);
            busy.insert(key.clone());
            let (key, t) = (key.clone(), t.clone());
            inflight.push(async move { (key, probe::probe(&t).await) });
        }
        if changed && tx.send(Arc::new(feed.live.clone())).await.is_err() {
            return;
        }
        tokio::select! {
            Some((key, p)) = inflight.next() => {
                busy.remove(&key);
                if feed.record(key, p) && tx.send(Arc::new(feed.live.clone())).await.is_err() {
                    return;
                }
            }
            _ = tokio::time::sleep_until(feed.next_wake(now)) => {}
            r = snaps.changed() => if r.is_err() { return },
            r = watching.changed() => if r.is_err() { return },
            _ = tx.closed() => return,
        }
    }
}

struct Feed {
    backend: Arc<dyn Backend>,
    cfg: FeedConfig,
    live: Live,
    /// When each backend is due to be probed again.
    due: HashMap<String, Instant>,
    /// When Traefik's API is due to be read again.
    api_due: Option<Instant>,
    /// A latency of another order seen once, not yet shown.
    unconfirmed: HashMap<String, Probe>,
    /// When the haproxy configs are due to be read again.
    haproxy_due: Option<Instant>,
    /// The haproxy configs read, by where they were read.
    haproxy: Vec<(String, super::haproxy::Config)>,
    /// The snapshot `live.extra` was made against.
    routes_of: Option<Arc<Snapshot>>,
}

impl Feed {
    /// Reads the sources beyond the snapshot when due; whether `live`
    /// changed.
    async fn refresh_sources(&mut self, snap: &Snapshot) -> bool {
        let now = Instant::now();
        if self.api_due.is_some_and(|d| d > now) {
            return false;
        }
        self.api_due = Some(now + API_EVERY);
        let (api, note) = read_api(&self.cfg, snap).await;
        let mut changed = false;
        if api != self.live.api.as_deref().cloned() {
            self.live.api = api.map(Arc::new);
            changed = true;
        }
        changed | set_note(&mut self.live.notes, "traefik API", note)
    }

    /// Reads the haproxy configs when due, and makes their routes again
    /// when they or the snapshot changed; whether `live` changed.
    async fn read_haproxy(&mut self, snap: &Arc<Snapshot>) -> bool {
        let now = Instant::now();
        let mut changed = false;
        if self.haproxy_due.is_none_or(|d| d <= now) {
            self.haproxy_due = Some(now + HAPROXY_EVERY);
            let (configs, notes) = haproxy_configs(self.backend.as_ref(), &self.cfg, snap).await;
            changed |= set_note(&mut self.live.notes, "haproxy", notes);
            if configs != self.haproxy {
                self.haproxy = configs;
                self.routes_of = None;
            }
        }
        if self
            .routes_of
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, snap))
        {
            return changed;
        }
        self.routes_of = Some(snap.clone());
        let extra = haproxy_routes(&self.haproxy, snap);
        if extra != self.live.extra {
            self.live.extra = extra;
            changed = true;
        }
        changed
    }

    /// When something is next due: a probe, the API, the haproxy configs.
    /// A backend that did not fit in flight is due already: soon, then.
    fn next_wake(&self, now: Instant) -> Instant {
        let soonest = self
            .due
            .values()
            .chain(self.api_due.iter())
            .chain(self.haproxy_due.iter())
            .min()
            .copied()
            .unwrap_or(now + OTHERS_EVERY);
        soonest.max(now + Duration::from_millis(100))
    }

    /// Drops what is known of backends no route has any more.
    fn forget_gone(&mut self, targets: &[(String, Target)]) -> bool {
        let keep: HashSet<&str> = targets.iter().map(|(k, _)| k.as_str()).collect();
        let before = self.live.probes.len();
        self.live.probes.retain(|k, _| keep.contains(k.as_str()));
        self.due.retain(|k, _| keep.contains(k.as_str()));
        self.unconfirmed.retain(|k, _| keep.contains(k.as_str()));
        before != self.live.probes.len()
    }

    /// Keeps a probe result; whether it is news. A change of status is
    /// news at once; a latency of another order only when the probe before
    /// saw it too (one slow answer on a busy host is not).
    fn record(&mut self, key: String, p: Probe) -> bool {
        match live::verdict(self.live.probes.get(&key), self.unconfirmed.get(&key), &p) {
            live::Verdict::Same => {
                self.unconfirmed.remove(&key);
                false
            }
            live::Verdict::Hold => {
                self.unconfirmed.insert(key, p);
                false
            }
            live::Verdict::Show => {
                self.unconfirmed.remove(&key);
                self.live.probes.insert(key, p);
                true
            }
        }
    }
}

/// Traefik's API at `--traefik-url`, else at the Traefik container found;
/// a note when it does not answer.
async fn read_api(
    cfg: &FeedConfig,
    snap: &Snapshot,
) -> (Option<super::traefik_api::ApiState>, Option<String>) {
    let url = cfg.traefik_url.clone().or_else(|| {
        super::traefik_api::find_api(snap, |c| {
            c.networks
                .iter()
                .map(|(_, ip)| ip.clone())
                .find(|ip| !ip.is_empty())
        })
    });
    let Some(url) = url else {
        return (None, None);
    };
    match super::traefik_api::fetch(&url, API_TIMEOUT).await {
        Ok(state) => (Some(state), None),
        Err(e) => (None, Some(format!("traefik API at {url}: {e}"))),
    }
}

/// The haproxy configs of `--haproxy-config` and of the haproxy
/// containers, parsed, and what could not be read, in one note.
async fn haproxy_configs(
    backend: &dyn Backend,
    cfg: &FeedConfig,
    snap: &Arc<Snapshot>,
) -> (Vec<(String, super::haproxy::Config)>, Option<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if let Some(path) = &cfg.haproxy_file {
        match read_file(path).await {
            Ok(text) => out.push((path.display().to_string(), super::haproxy::parse(&text))),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    for f in backend.haproxy_configs(snap.clone()).await {
        match f.text {
            Ok(text) => out.push((f.origin, super::haproxy::parse(&text))),
            Err(e) => errors.push(e),
        }
    }
    let note = (!errors.is_empty()).then(|| format!("haproxy config: {}", errors.join("; ")));
    (out, note)
}

async fn read_file(path: &std::path::Path) -> Result<String, String> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| e.to_string())?;
    if meta.len() > HAPROXY_LIMIT {
        return Err(format!("{} bytes, more than the 1 MiB read", meta.len()));
    }
    let bytes = tokio::fs::read(path).await.map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn haproxy_routes(
    configs: &[(String, super::haproxy::Config)],
    snap: &Snapshot,
) -> Vec<crate::domain::Route> {
    if configs.is_empty() {
        return Vec::new();
    }
    let addresses = super::haproxy::addresses(snap);
    configs
        .iter()
        .flat_map(|(origin, cfg)| super::haproxy::routes(cfg, origin, snap, &addresses))
        .collect()
}

/// Replaces the note that starts with `source`; whether notes changed.
fn set_note(notes: &mut Vec<String>, source: &str, note: Option<String>) -> bool {
    let before = notes.clone();
    notes.retain(|n| !n.starts_with(source));
    notes.extend(note);
    *notes != before
}

/// One round for headless `berth ls routes`: Traefik's API read and every
/// backend probed once, [`IN_FLIGHT`] at a time.
pub async fn probe_once(
    backend: &dyn Backend,
    cfg: &FeedConfig,
    snap: &Arc<Snapshot>,
    live: &mut Live,
) {
    let (configs, note) = haproxy_configs(backend, cfg, snap).await;
    set_note(&mut live.notes, "haproxy", note);
    live.extra = haproxy_routes(&configs, snap);
    let (api, note) = read_api(cfg, snap).await;
    live.api = api.map(Arc::new);
    set_note(&mut live.notes, "traefik API", note);
    let targets = live::targets(snap.routes.iter().chain(&live.extra));
    let results: Vec<(String, Probe)> = futures::stream::iter(targets)
        .map(|t| async move { (t.key(), probe::probe(&t).await) })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    live.probes.extend(results);
}
