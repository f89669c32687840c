//! A second kube-apiserver on the test bed's etcd, on a port of its own,
//! that a test may stop and start at will: the shared one on 6443 is never
//! touched. Its command line is the test bed's own (`scripts/testbed
//! apiserver-args PORT`), plus `extra` flags; it writes no `kubernetes`
//! service endpoints (`--endpoint-reconciler-type=none`), so the cluster's
//! own API server stays the only one advertised. Its serving certificate
//! covers 127.0.0.1, so the admin's kubeconfig works with the port changed.

use super::kube::admin_kubeconfig;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// Ports tried, from the first up.
const FIRST_PORT: u16 = 16443;
static NEXT_PORT: AtomicU16 = AtomicU16::new(FIRST_PORT);

pub struct SpareApiserver {
    pub port: u16,
    args: Vec<String>,
    child: Option<Child>,
    dir: PathBuf,
    /// The admin's kubeconfig, pointing at this API server.
    pub kubeconfig: PathBuf,
    /// Its log; each start appends.
    pub log: PathBuf,
}

impl SpareApiserver {
    /// Starts one with `extra` flags and waits until it is ready.
    pub fn start(tag: &str, extra: &[&str]) -> SpareApiserver {
        let port = free_port();
        let out = Command::new(repo_script("testbed"))
            .args(["apiserver-args", &port.to_string()])
            .output()
            .expect("scripts/testbed runs");
        assert!(
            out.status.success(),
            "scripts/testbed apiserver-args: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut args: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        args.push("--endpoint-reconciler-type=none".into());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let dir = std::env::temp_dir().join(super::unique_name(&format!("berth-apiserver-{tag}")));
        std::fs::create_dir_all(&dir).expect("apiserver dir");
        let admin = std::fs::read_to_string(admin_kubeconfig()).expect("admin kubeconfig");
        assert!(admin.contains("https://127.0.0.1:6443"), "{admin}");
        let kubeconfig = dir.join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            admin.replace(
                "https://127.0.0.1:6443",
                &format!("https://127.0.0.1:{port}"),
            ),
        )
        .expect("write kubeconfig");
        let mut a = SpareApiserver {
            port,
            args,
            child: None,
            log: dir.join("apiserver.log"),
            dir,
            kubeconfig,
        };
        a.up();
        a
    }

    /// Starts it (again) and waits until `/readyz` says ok.
    pub fn up(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log");
        let child = Command::new(&self.args[0])
            .args(&self.args[1..])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("kube-apiserver starts");
        self.child = Some(child);
        let started = Instant::now();
        while !self.ready() {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                panic!(
                    "the spare API server exited ({status}); see {}",
                    self.log.display()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "the spare API server on {} is not ready after 90 s; see {}",
                self.port,
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        eprintln!(
            "spare API server on {} ready in {:?}",
            self.port,
            started.elapsed()
        );
    }

    /// Kills it (its whole process group) and waits until it is gone.
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", c.id())])
                .status();
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn ready(&self) -> bool {
        Command::new("curl")
            .args(["-sk", "--max-time", "2"])
            .arg(format!("https://127.0.0.1:{}/readyz", self.port))
            .output()
            .is_ok_and(|o| o.stdout == b"ok")
    }
}

impl Drop for SpareApiserver {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The next port from [`FIRST_PORT`] that nothing listens on.
fn free_port() -> u16 {
    loop {
        let port = NEXT_PORT.fetch_add(1, Ordering::SeqCst);
        assert!(port < FIRST_PORT + 200, "no free port from {FIRST_PORT}");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn repo_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// etcd's current revision (through its HTTP gateway).
pub fn etcd_revision() -> u64 {
    let v = etcd_post("kv/range", r#"{"key":"AA=="}"#);
    v.pointer("/header/revision")
        .and_then(|r| r.as_str())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no revision in {v}"))
}

/// Compacts etcd up to `revision`: watches from older resource versions
/// get 410 Gone from an API server without a watch cache.
pub fn etcd_compact(revision: u64) {
    etcd_post(
        "kv/compaction",
        &format!(r#"{{"revision":"{revision}","physical":true}}"#),
    );
}

fn etcd_post(path: &str, body: &str) -> serde_json::Value {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "10", "-X", "POST", "-d", body])
        .arg(format!("http://127.0.0.1:12379/v3/{path}"))
        .output()
        .expect("curl runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("etcd {path}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}
