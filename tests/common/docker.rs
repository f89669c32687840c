//! Docker helpers for tests: they shell out to the `docker` and
//! `docker-compose` CLIs so that test setup does not depend on the code
//! under test.
//!
//! Everything a test creates carries the label `berth.test=1`, so that
//! `scripts/testbed down` can remove what a crashed test left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The label every test object carries (`key=value` form, as for `docker run --label`).
pub const TEST_LABEL: &str = "berth.test=1";
/// The local images made by `scripts/testbed up`; they differ in `/var/www/index.html`.
pub const IMAGE_V1: &str = "local/busybox:1";
pub const IMAGE_V2: &str = "local/busybox:2";

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `{program}` (is it installed? run scripts/testbed up): {e}")
        })
}

/// Runs `docker ARGS` and returns its trimmed stdout; panics with stderr on failure.
pub fn docker(args: &[&str]) -> String {
    let out = run("docker", args);
    if !out.status.success() {
        panic!(
            "`docker {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `docker ARGS`; true when it exits 0. Output is discarded.
pub fn docker_ok(args: &[&str]) -> bool {
    Command::new("docker")
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `docker inspect NAME` parsed; panics if the object does not exist.
pub fn docker_inspect(name: &str) -> serde_json::Value {
    let text = docker(&["inspect", name]);
    let mut all: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("docker inspect {name}: {e}"));
    all[0].take()
}

/// Panics with a clear message when no engine answers: integration tests
/// must fail (not skip) on a machine without one. Returns the server version.
pub fn require_engine() -> String {
    let out = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Ok(o) => panic!(
            "no Docker engine answers (`docker version` failed: {}). \
             Run `scripts/testbed up` first; these tests need a real engine.",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!(
            "cannot run the docker CLI ({e}). Run `scripts/testbed up` first; \
             these tests need a real engine."
        ),
    }
}

/// A name unique across concurrent tests and test processes:
/// `prefix-PID-COUNTER-RAND` (lowercase, valid for containers and compose projects).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{:04x}", std::process::id(), nanos & 0xffff)
}

/// `docker run -d --name NAME` with the test label, `--init` (busybox `sh`
/// as PID 1 ignores SIGTERM) and `--stop-timeout 1`, so that stops and
/// removals take about a second, not ten. `extra_args` go before the image.
/// Returns the container id.
pub fn run_container(name: &str, image: &str, cmd: &[&str], extra_args: &[&str]) -> String {
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--label",
        TEST_LABEL,
        "--init",
        "--stop-timeout",
        "1",
    ];
    args.extend_from_slice(extra_args);
    args.push(image);
    args.extend_from_slice(cmd);
    docker(&args)
}

/// True when a container with this name or id exists (in any state).
pub fn container_exists(name: &str) -> bool {
    docker_ok(&["container", "inspect", name])
}

/// The container's state (`running`, `exited`, ...), or None if it does not exist.
pub fn container_state(name: &str) -> Option<String> {
    let out = run(
        "docker",
        &[
            "container",
            "inspect",
            "--format",
            "{{.State.Status}}",
            name,
        ],
    );
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Polls `cond` every `poll` until it is true or `timeout` passed; returns
/// its last value. Engines are eventually consistent: use this, not sleeps.
pub fn wait_until(timeout: Duration, poll: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(poll);
    }
}

/// The `berth` binary built by cargo for this test run.
pub fn berth_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_berth"))
}

/// File name of the compose file inside the directory `compose_up` returns.
pub const COMPOSE_FILE: &str = "docker-compose.yml";

/// Writes `yaml` to a fresh directory under the temp dir and runs
/// `docker-compose -p PROJECT -f FILE up -d`. Returns the directory (register
/// it with [`Cleanup::project`], which runs `down` and deletes it).
///
/// Each service in `yaml` must carry the test label so that `scripts/testbed
/// down` finds leftovers; compose 1.29 labels nothing on its own:
///
/// ```yaml
/// services:
///   web:
///     image: local/busybox:1
///     command: httpd -f -h /var/www
///     init: true
///     stop_grace_period: 1s
///     labels: { berth.test: "1" }
/// ```
pub fn compose_up(project: &str, yaml: &str) -> PathBuf {
    assert!(
        yaml.contains("berth.test"),
        "compose yaml for {project} must label its services `berth.test: \"1\"`"
    );
    let dir = std::env::temp_dir().join(format!("berth-test-compose-{project}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    let file = dir.join(COMPOSE_FILE);
    std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
    compose(project, &dir, &["up", "-d"]);
    dir
}

/// Runs `docker-compose -p PROJECT -f DIR/docker-compose.yml ARGS`; panics
/// with stderr on failure; returns trimmed stdout.
pub fn compose(project: &str, dir: &Path, args: &[&str]) -> String {
    let file = dir.join(COMPOSE_FILE);
    let file = file.to_string_lossy();
    let mut all = vec!["-p", project, "-f", &file];
    all.extend_from_slice(args);
    let out = run("docker-compose", &all);
    if !out.status.success() {
        panic!(
            "`docker-compose {}` failed ({}): {}",
            all.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Removes what a test created when it goes out of scope, also when the
/// test panics. Create it before the objects it guards.
#[derive(Default)]
pub struct Cleanup {
    containers: Vec<String>,
    projects: Vec<(String, PathBuf)>,
    networks: Vec<String>,
    volumes: Vec<String>,
}

impl Cleanup {
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes this container (name or id) with `docker rm -f -v`.
    pub fn container(&mut self, name: &str) -> &mut Self {
        self.containers.push(name.to_string());
        self
    }

    /// Takes a compose project down (`down -t 1 -v`) and deletes its
    /// directory, as returned by [`compose_up`].
    pub fn project(&mut self, project: &str, dir: &Path) -> &mut Self {
        self.projects.push((project.to_string(), dir.to_path_buf()));
        self
    }

    pub fn network(&mut self, name: &str) -> &mut Self {
        self.networks.push(name.to_string());
        self
    }

    pub fn volume(&mut self, name: &str) -> &mut Self {
        self.volumes.push(name.to_string());
        self
    }
}

/// Runs a command ignoring every outcome: Drop must never panic (a panic
/// while unwinding aborts the whole test binary).
fn quiet(program: &str, args: &[&str]) {
    let _ = Command::new(program).args(args).output();
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for (project, dir) in self.projects.drain(..).rev() {
            let file = dir.join(COMPOSE_FILE);
            let file = file.to_string_lossy();
            quiet(
                "docker-compose",
                &["-p", &project, "-f", &file, "down", "-t", "1", "-v"],
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
        if !self.containers.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(self.containers.iter().map(String::as_str));
            quiet("docker", &args);
            self.containers.clear();
        }
        for n in self.networks.drain(..) {
            quiet("docker", &["network", "rm", &n]);
        }
        for v in self.volumes.drain(..) {
            quiet("docker", &["volume", "rm", "-f", &v]);
        }
    }
}

/// A container running `sh -c script` from the v1 image, removed when the
/// returned guard drops. Returns its name.
pub fn sh_container(prefix: &str, script: &str, extra_args: &[&str]) -> (String, Cleanup) {
    let name = unique_name(prefix);
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    run_container(&name, IMAGE_V1, &["sh", "-c", script], extra_args);
    (name, cleanup)
}

/// A compose project of `services` (name, `sh -c` script, scale) on the v1
/// image, labelled and quick to stop, torn down when the guard drops.
/// Scripts are plain shell: `$` is escaped for compose here.
pub fn compose_project(prefix: &str, services: &[(&str, &str, u32)]) -> (String, PathBuf, Cleanup) {
    let project = unique_name(prefix);
    let mut yaml = String::from("version: \"2.4\"\nservices:\n");
    for (name, script, scale) in services {
        let command = serde_json::to_string(&script.replace('$', "$$")).expect("json string");
        yaml.push_str(&format!(
            "  {name}:\n    image: {IMAGE_V1}\n    command: [\"sh\", \"-c\", {command}]\n    init: true\n    \
             stop_grace_period: 1s\n    scale: {scale}\n    labels: {{berth.test: \"1\"}}\n"
        ));
    }
    let dir = compose_up(&project, &yaml);
    let mut cleanup = Cleanup::new();
    cleanup.project(&project, &dir);
    (project, dir, cleanup)
}
