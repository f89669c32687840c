//! A second, throwaway Docker daemon on its own socket, which a test may
//! stop and start at will without disturbing the shared one. It runs in its
//! own network namespace: a dockerd without a bridge deletes `docker0`, and
//! the shared daemon's containers need it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct SpareEngine {
    pub dir: PathBuf,
    child: Option<Child>,
}

impl SpareEngine {
    /// Starts a dockerd with no bridge and no iptables, in its own containerd namespace.
    pub fn start(tag: &str) -> SpareEngine {
        let dir = std::env::temp_dir().join(format!("berth-spare-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("spare engine dir");
        std::fs::write(dir.join("daemon.json"), "{}").expect("daemon.json");
        let mut e = SpareEngine { dir, child: None };
        e.up();
        e
    }

    pub fn endpoint(&self) -> String {
        format!("unix://{}", self.sock().display())
    }

    /// Copies `image` from the shared engine (no registry is needed).
    pub fn load_image(&self, image: &str) {
        let load = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "docker save {image} | docker -H {} load -q",
                self.endpoint()
            ))
            .status()
            .expect("sh");
        assert!(load.success(), "{image} loads into the spare engine");
    }

    fn sock(&self) -> PathBuf {
        self.dir.join("docker.sock")
    }

    pub fn up(&mut self) {
        let d = &self.dir;
        let log = std::fs::File::create(d.join("dockerd.log")).expect("log file");
        let child = Command::new("unshare")
            .args(["--net", "dockerd", "--host"])
            .arg(format!("unix://{}", self.sock().display()))
            .arg("--data-root")
            .arg(d.join("root"))
            .arg("--exec-root")
            .arg(d.join("exec"))
            .arg("--pidfile")
            .arg(d.join("docker.pid"))
            .arg("--config-file")
            .arg(d.join("daemon.json"))
            .args(["--bridge", "none", "--iptables=false", "--ip-masq=false"])
            .args([
                "--containerd-namespace",
                "berth-spare",
                "--containerd-plugins-namespace",
                "berth-spare-plugins",
            ])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("dockerd starts");
        self.child = Some(child);
        let ok = super::wait_until(Duration::from_secs(30), Duration::from_millis(100), || {
            Command::new("docker")
                .args(["-H", &self.endpoint(), "version"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        assert!(
            ok,
            "spare dockerd did not answer; see {}",
            d.join("dockerd.log").display()
        );
    }

    /// Freezes the daemon (SIGSTOP): its socket still accepts, nothing
    /// answers. It runs again (SIGCONT) when the guard is dropped, also
    /// when a test fails.
    pub fn hang(&self) -> Hung {
        let pid = self.child.as_ref().expect("spare dockerd runs").id();
        signal("STOP", pid);
        Hung { pid }
    }

    /// Stops the daemon (SIGTERM, then SIGKILL) and waits for it to go.
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            // A frozen daemon would not act on SIGTERM.
            signal("CONT", c.id());
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            for _ in 0..100 {
                if c.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A frozen spare daemon; thawed on drop.
pub struct Hung {
    pid: u32,
}

impl Drop for Hung {
    fn drop(&mut self) {
        signal("CONT", self.pid);
    }
}

fn signal(name: &str, pid: u32) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status();
}

impl Drop for SpareEngine {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
