//! Driving berth's own backend against the real engine from async tests.

use berth::backend::docker::{DockerBackend, resolve_endpoint};
use berth::backend::{Backend, BackendEvent, ConnectionState};
use berth::domain::Snapshot;
use berth::logs::{LogEvent, LogLine, LogRequest, LogTarget};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The local engine, as `berth` would connect to it by default.
pub async fn local_backend() -> Arc<DockerBackend> {
    super::require_engine();
    Arc::new(
        DockerBackend::connect(resolve_endpoint(None))
            .await
            .expect("berth connects to the local engine"),
    )
}

/// A running watcher and what it has said so far.
pub struct Watching {
    rx: mpsc::Receiver<BackendEvent>,
    task: tokio::task::JoinHandle<()>,
    pub latest: Arc<Snapshot>,
    pub connection: Option<ConnectionState>,
}

impl Watching {
    pub fn start(backend: &dyn Backend) -> Watching {
        let (tx, rx) = mpsc::channel(64);
        let task = tokio::spawn(backend.watch(tx));
        Watching {
            rx,
            task,
            latest: Arc::new(Snapshot::default()),
            connection: None,
        }
    }

    /// Waits until a snapshot satisfies `pred`; returns how long it took.
    pub async fn until(
        &mut self,
        timeout: Duration,
        mut pred: impl FnMut(&Snapshot) -> bool,
    ) -> Result<Duration, String> {
        let start = Instant::now();
        if pred(&self.latest) {
            return Ok(Duration::ZERO);
        }
        loop {
            let left = timeout.checked_sub(start.elapsed()).ok_or("timed out")?;
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(BackendEvent::Snapshot(s))) => {
                    self.latest = s;
                    if pred(&self.latest) {
                        return Ok(start.elapsed());
                    }
                }
                Ok(Some(BackendEvent::Connection(c))) => self.connection = Some(c),

                Ok(None) => return Err("watcher ended".into()),
                Err(_) => {
                    return Err(format!(
                        "timed out after {timeout:?}; last snapshot has {} containers",
                        self.latest.containers.len()
                    ));
                }
            }
        }
    }

    /// Waits for a connection state matching `pred`.
    pub async fn until_connection(
        &mut self,
        timeout: Duration,
        mut pred: impl FnMut(&ConnectionState) -> bool,
    ) -> Result<Duration, String> {
        let start = Instant::now();
        loop {
            let left = timeout.checked_sub(start.elapsed()).ok_or("timed out")?;
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(BackendEvent::Connection(c))) => {
                    let hit = pred(&c);
                    self.connection = Some(c);
                    if hit {
                        return Ok(start.elapsed());
                    }
                }
                Ok(Some(BackendEvent::Snapshot(s))) => self.latest = s,
                Ok(None) => return Err("watcher ended".into()),
                Err(_) => return Err(format!("timed out; connection {:?}", self.connection)),
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A log session and the lines it delivered.
pub struct Tail {
    rx: mpsc::Receiver<LogEvent>,
    task: tokio::task::JoinHandle<()>,
    pub lines: Vec<LogLine>,
    pub events: Vec<LogEvent>,
    pub ended: bool,
}

impl Tail {
    pub fn start(
        backend: &dyn Backend,
        target: LogTarget,
        tail: Option<u64>,
        follow: bool,
    ) -> Tail {
        Tail::start_request(
            backend,
            LogRequest {
                target,
                tail,
                since: None,
                follow,
                previous: false,
            },
        )
    }

    /// A session for any request (`previous`, `since`).
    pub fn start_request(backend: &dyn Backend, req: LogRequest) -> Tail {
        let (tx, rx) = mpsc::channel(64);
        let task = tokio::spawn(backend.logs(req, tx));
        Tail {
            rx,
            task,
            lines: Vec::new(),
            events: Vec::new(),
            ended: false,
        }
    }

    /// Collects until `pred` holds on what was collected, or the timeout.
    pub async fn until(
        &mut self,
        timeout: Duration,
        mut pred: impl FnMut(&Tail) -> bool,
    ) -> Result<Duration, String> {
        let start = Instant::now();
        while !pred(self) {
            let left = timeout
                .checked_sub(start.elapsed())
                .ok_or_else(|| self.describe())?;
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(LogEvent::Lines(l))) => self.lines.extend(l),
                Ok(Some(LogEvent::Ended)) => {
                    self.ended = true;
                    self.events.push(LogEvent::Ended);
                }
                Ok(Some(ev)) => self.events.push(ev),
                Ok(None) => {
                    self.ended = true;
                    if !pred(self) {
                        return Err(format!("stream closed; {}", self.describe()));
                    }
                }
                Err(_) => return Err(format!("timed out; {}", self.describe())),
            }
        }
        Ok(start.elapsed())
    }

    pub fn texts(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.text.to_string()).collect()
    }

    fn describe(&self) -> String {
        format!(
            "{} lines so far: {:?}; events {:?}",
            self.lines.len(),
            self.texts().iter().rev().take(5).collect::<Vec<_>>(),
            self.events
        )
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.task.abort();
    }
}
