//! berth's own counters, for benchmarks: written as JSON at exit to the
//! file `BERTH_STATS` names. Counting costs an add; nothing runs otherwise.

use serde::Serialize;
use std::time::Instant;

#[derive(Debug, Serialize)]
pub struct Stats {
    pub frames: u64,
    pub keys: u64,
    pub snapshots: u64,
    /// Log lines the console received (shown or counted as dropped).
    pub log_lines: u64,
    /// Lines the open log view pushed out of its ring.
    pub log_dropped: u64,
    pub uptime_ms: u64,
    #[serde(skip)]
    started: Instant,
}

impl Stats {
    pub fn new() -> Self {
        Stats {
            frames: 0,
            keys: 0,
            snapshots: 0,
            log_lines: 0,
            log_dropped: 0,
            uptime_ms: 0,
            started: Instant::now(),
        }
    }

    /// Counts what a message brings.
    pub fn count(&mut self, msg: &super::Msg) {
        use super::Msg;
        use crate::backend::BackendEvent;
        use crate::logs::LogEvent;
        match msg {
            Msg::Action(_) | Msg::Key(_) => self.keys += 1,
            Msg::Backend(BackendEvent::Snapshot(_)) => self.snapshots += 1,
            Msg::Log {
                event: LogEvent::Lines(l),
                ..
            } => self.log_lines += l.len() as u64,
            _ => {}
        }
    }

    /// Writes the counters if `BERTH_STATS` is set; errors go to berth's log.
    pub fn write_if_asked(&mut self) {
        let Some(path) = std::env::var_os("BERTH_STATS") else {
            return;
        };
        self.uptime_ms = self.started.elapsed().as_millis() as u64;
        let result = serde_json::to_vec_pretty(self)
            .map_err(std::io::Error::other)
            .and_then(|json| std::fs::write(&path, json));
        if let Err(e) = result {
            tracing::warn!(
                "cannot write stats to {}: {e}",
                std::path::Path::new(&path).display()
            );
        }
    }
}
