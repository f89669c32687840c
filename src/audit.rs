//! The audit trail: one JSON line per operation, asked for in the console or
//! headless, whether it ran, failed or was refused. Appended to
//! `audit.jsonl` in berth's data dir by a thread of its own, so a slow disk
//! never holds up the console.

use crate::domain::OpRequest;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

pub const FILE_NAME: &str = "audit.jsonl";

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub time: String,
    pub user: String,
    pub host: String,
    /// "console" or "headless".
    pub via: &'static str,
    pub backend: String,
    pub endpoint: String,
    pub target: String,
    pub target_kind: &'static str,
    pub action: &'static str,
    pub parameters: serde_json::Value,
    /// converged, failed, restored, cancelled, refused, declined.
    pub result: String,
    pub message: String,
    pub duration_ms: u64,
}

/// Where the operation came from and went to, the same for all its records.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub via: &'static str,
    pub backend: String,
    pub endpoint: String,
}

impl AuditContext {
    /// A record for `req` that ended with `result` after `duration_ms`.
    pub fn record(
        &self,
        req: &OpRequest,
        result: &str,
        message: &str,
        duration_ms: u64,
    ) -> AuditRecord {
        let parameters = match req.replicas {
            Some(n) => serde_json::json!({ "replicas": n }),
            None => serde_json::json!({}),
        };
        AuditRecord {
            time: now_rfc3339(),
            user: user(),
            host: host(),
            via: self.via,
            backend: self.backend.clone(),
            endpoint: self.endpoint.clone(),
            target: req.target.name().to_owned(),
            target_kind: req.target.noun(),
            action: req.kind.label(),
            parameters,
            result: result.to_owned(),
            message: message.to_owned(),
            duration_ms,
        }
    }
}

/// A handle to the writer thread. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Audit {
    tx: Option<mpsc::Sender<AuditRecord>>,
    path: Option<PathBuf>,
}

/// Joins the writer when the last line must be on disk before exit.
pub struct AuditWriter(Option<JoinHandle<()>>);

impl AuditWriter {
    /// Waits until every record sent so far is written (all handles dropped).
    pub fn finish(mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

impl Audit {
    /// Starts the writer for `dir/audit.jsonl`; without a dir nothing is written.
    pub fn open(dir: Option<&Path>) -> (Audit, AuditWriter) {
        let Some(dir) = dir else {
            return (
                Audit {
                    tx: None,
                    path: None,
                },
                AuditWriter(None),
            );
        };
        let path = dir.join(FILE_NAME);
        let (tx, rx) = mpsc::channel::<AuditRecord>();
        let target = path.clone();
        let handle = std::thread::Builder::new()
            .name("berth-audit".into())
            .spawn(move || {
                for rec in rx {
                    if let Err(e) = append(&target, &rec) {
                        tracing::error!("audit: cannot write {}: {e}", target.display());
                    }
                }
            })
            .ok();
        (
            Audit {
                tx: Some(tx),
                path: Some(path),
            },
            AuditWriter(handle),
        )
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Queues one record; never blocks.
    pub fn write(&self, rec: AuditRecord) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(rec);
        }
    }
}

fn append(path: &Path, rec: &AuditRecord) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_vec(rec).map_err(std::io::Error::other)?;
    line.push(b'\n');
    // One write of a whole line with O_APPEND: lines of two berths never interleave.
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(&line)
}

fn user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata("/proc/self")
                .map(|m| format!("uid {}", m.uid()))
                .unwrap_or_else(|_| "unknown".into())
        })
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into())
}

fn now_rfc3339() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default();
    // "YYYY-MM-DD HH:MM:SS.mmm" -> RFC 3339 in UTC.
    format!(
        "{}Z",
        crate::logs::format_timestamp(nanos).replacen(' ', "T", 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OpKind, ServiceKind, ServiceMode, ServiceRef, TargetRef};

    #[test]
    fn records_are_appended_one_json_line_each() {
        let dir = std::env::temp_dir().join(format!("berth-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (audit, writer) = Audit::open(Some(&dir));
        let ctx = AuditContext {
            via: "headless",
            backend: "docker".into(),
            endpoint: "unix:///var/run/docker.sock".into(),
        };
        let req = OpRequest {
            kind: OpKind::Scale,
            target: TargetRef::Service(ServiceRef {
                id: "shop/web".into(),
                name: "shop/web".into(),
                kind: ServiceKind::Compose,
                mode: ServiceMode::Replicated,
            }),
            replicas: Some(3),
        };
        audit.write(ctx.record(&req, "converged", "3 running", 1200));
        audit.write(ctx.record(&req, "refused", "read-only", 0));
        drop(audit);
        writer.finish();
        let text = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap_or_default();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["action"], "scale");
        assert_eq!(lines[0]["target"], "shop/web");
        assert_eq!(lines[0]["parameters"]["replicas"], 3);
        assert_eq!(lines[0]["duration_ms"], 1200);
        assert_eq!(lines[1]["result"], "refused");
        assert!(
            lines[0]["time"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
