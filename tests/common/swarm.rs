//! Docker Swarm helpers, for tests on the 3-node swarm that `scripts/testbed
//! up` (part `swarm`) makes: the host engine is the manager, advertising
//! docker0's 172.17.0.1; two workers are dockerds in the containers
//! `berth-worker1` and `berth-worker2` (nodes `worker1`, `worker2`).
//!
//! Like `docker.rs` these shell out to the docker CLI. Everything they create
//! carries the label `berth.test=1` (the service's and its containers') and
//! a unique name, and is removed by a guard however the test ends.
//!
//! On this machine the kernel has no IPVS: the default VIP endpoint mode and
//! ingress published ports do not work, so services use `--endpoint-mode
//! dnsrr` (and `--publish mode=host` when they publish). A test that kills a
//! worker changes what every other test in its binary sees: give it a binary
//! of its own, or run that binary with `--test-threads=1`.

use super::{IMAGE_V1, TEST_LABEL, Tags, docker, docker_ok, unique_name, wait_until};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The open registry as the manager and the workers reach it (the same
/// storage as `127.0.0.1:5000`); service images come from here, so swarm
/// pins them by digest and workers can pull them.
pub const SWARM_REGISTRY: &str = "172.17.0.1:5000";
/// The worker containers on the host engine.
pub const WORKERS: [&str; 2] = ["berth-worker1", "berth-worker2"];
/// The workers' node hostnames, in the order of [`WORKERS`].
pub const WORKER_HOSTNAMES: [&str; 2] = ["worker1", "worker2"];
/// How long a guard waits for what it removes to be gone.
const CLEANUP_WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(250);

/// A node as `docker node inspect` reports it (lowercase, as the API has it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmNode {
    pub id: String,
    pub hostname: String,
    /// `manager` or `worker`.
    pub role: String,
    /// `ready`, `down`, `unknown`, `disconnected`.
    pub state: String,
    /// `active`, `pause`, `drain`.
    pub availability: String,
    pub addr: String,
    /// The node of the engine the CLI talks to (the host).
    pub is_self: bool,
}

/// The hostname of a worker container's node (`berth-worker1` → `worker1`).
pub fn worker_hostname(container: &str) -> &str {
    container.strip_prefix("berth-").unwrap_or(container)
}

/// Runs `docker ARGS`; stdout whatever the exit status (an inspect of
/// several objects prints the ones that exist even when one is gone).
fn docker_stdout(args: &[&str]) -> String {
    Command::new("docker")
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn json_array(text: &str) -> Vec<serde_json::Value> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Array(v)) => v,
        _ => Vec::new(),
    }
}

fn str_at(v: &serde_json::Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The swarm's nodes; empty when the host is not a manager.
pub fn nodes() -> Vec<SwarmNode> {
    let own = docker_stdout(&["info", "--format", "{{.Swarm.NodeID}}"])
        .trim()
        .to_owned();
    let ids = docker_stdout(&["node", "ls", "-q"]);
    let ids: Vec<&str> = ids.split_whitespace().collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let mut args = vec!["node", "inspect"];
    args.extend(&ids);
    json_array(&docker_stdout(&args))
        .iter()
        .map(|n| SwarmNode {
            id: str_at(n, "/ID"),
            hostname: str_at(n, "/Description/Hostname"),
            role: str_at(n, "/Spec/Role"),
            state: str_at(n, "/Status/State"),
            availability: str_at(n, "/Spec/Availability"),
            addr: str_at(n, "/Status/Addr"),
            is_self: str_at(n, "/ID") == own,
        })
        .collect()
}

/// Panics with a clear message unless the host engine is a Swarm manager
/// with exactly 3 nodes, all Ready (what `scripts/testbed up` makes).
/// Returns the nodes.
pub fn require_swarm() -> Vec<SwarmNode> {
    super::require_engine();
    let state = docker_stdout(&[
        "info",
        "--format",
        "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}",
    ]);
    assert!(
        state.trim() == "active true",
        "the host engine is not a Swarm manager (swarm state: {}). Run `scripts/testbed up` \
         (part swarm: a manager and 2 workers) first; these tests need a real swarm.",
        state.trim()
    );
    let nodes = nodes();
    let ready = nodes.iter().filter(|n| n.state == "ready").count();
    assert!(
        nodes.len() == 3 && ready == 3,
        "the swarm must have 3 Ready nodes (the host and workers {WORKER_HOSTNAMES:?}); it has \
         {ready} Ready of {}: {nodes:#?}. Run `scripts/testbed up` to restore the workers.",
        nodes.len()
    );
    nodes
}

/// A node's state (`ready`, `down`, ...) by hostname or id; None when the
/// manager does not know it.
pub fn node_state(node: &str) -> Option<String> {
    let out = Command::new("docker")
        .args(["node", "inspect", "--format", "{{.Status.State}}", node])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Waits until the manager reports `node` (hostname or id) in `state`
/// (`ready`, `down`); false after `timeout`. A killed worker shows `down`
/// after the heartbeat period (about 10 s).
pub fn wait_node_state(node: &str, state: &str, timeout: Duration) -> bool {
    wait_until(timeout, POLL, || node_state(node).as_deref() == Some(state))
}

/// `docker kill` of a worker container: its node goes down, its tasks are
/// rescheduled. The returned guard starts it again (and waits until its
/// node is Ready) however the test ends.
#[must_use = "the worker is started again when the guard drops"]
pub fn kill_worker(container: &str) -> KilledWorker {
    docker(&["kill", container]);
    KilledWorker {
        container: container.to_owned(),
    }
}

/// `docker start` of a worker container (its dockerd rejoins the swarm by itself).
pub fn start_worker(container: &str) {
    docker(&["start", container]);
}

/// A worker [`kill_worker`] stopped; started again on drop.
pub struct KilledWorker {
    pub container: String,
}

impl KilledWorker {
    /// Starts the worker now and waits (up to 60 s) until its node is Ready.
    pub fn start(self) -> bool {
        self.restart()
    }

    /// Starts the container and waits (up to 60 s) until its own engine is
    /// back in the swarm and the manager sees its node Ready (right after a
    /// kill the manager still says Ready: it has not missed a heartbeat yet).
    fn restart(&self) -> bool {
        let _ = Command::new("docker")
            .args(["start", &self.container])
            .output();
        wait_until(Duration::from_secs(60), POLL, || {
            docker_stdout(&[
                "exec",
                &self.container,
                "docker",
                "info",
                "--format",
                "{{.Swarm.LocalNodeState}}",
            ])
            .trim()
                == "active"
                && node_state(worker_hostname(&self.container)).as_deref() == Some("ready")
        })
    }
}

impl Drop for KilledWorker {
    fn drop(&mut self) {
        let running = docker_stdout(&[
            "container",
            "inspect",
            "--format",
            "{{.State.Running}}",
            &self.container,
        ]);
        if running.trim() != "true"
            || node_state(worker_hostname(&self.container)).as_deref() != Some("ready")
        {
            self.restart();
        }
    }
}

/// Runs `docker ARGS` on a worker's engine (`docker exec CONTAINER docker
/// ARGS`); trimmed stdout; panics with stderr on failure.
pub fn on_worker(container: &str, args: &[&str]) -> String {
    let mut all = vec!["exec", container, "docker"];
    all.extend_from_slice(args);
    docker(&all)
}

/// True when no container with this label (`key=value`) is left on the host
/// or on a worker that answers (a stopped worker removes its task
/// containers itself when it comes back).
fn no_containers_labelled(label: &str) -> bool {
    let filter = format!("label={label}");
    let on_host = docker_stdout(&["ps", "-aq", "--filter", &filter]);
    if !on_host.trim().is_empty() {
        return false;
    }
    WORKERS.iter().all(|w| {
        let out = Command::new("docker")
            .args(["exec", w, "docker", "ps", "-aq", "--filter", &filter])
            .output();
        match out {
            Ok(o) if o.status.success() => o.stdout.iter().all(u8::is_ascii_whitespace),
            _ => true,
        }
    })
}

/// Test names become part of object names: lowercase letters, digits, dashes.
fn name_part(test: &str) -> String {
    let s: String = test
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(20)
        .collect();
    s.trim_matches('-').to_owned()
}

/// One task of a service, from `docker inspect` of the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    /// The replica's slot (1-based); 0 for a global service's task.
    pub slot: u64,
    /// The hostname of its node; empty while unassigned.
    pub node: String,
    /// `new`, `pending`, `assigned`, `preparing`, `starting`, `running`,
    /// `complete`, `shutdown`, `failed`, `rejected`, ...
    pub state: String,
    /// What the orchestrator wants: `running`, `shutdown`, ...
    pub desired: String,
    /// The image of its spec; `repo:tag@sha256:...` when swarm pinned it.
    pub image: String,
    /// Why it failed or was rejected, if it did.
    pub error: String,
}

/// Every task of `service` (name or id), the history included; empty when
/// the service does not exist.
pub fn tasks_of(service: &str) -> Vec<Task> {
    let ids = docker_stdout(&["service", "ps", "-q", "--no-trunc", service]);
    let ids: Vec<&str> = ids.split_whitespace().collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let hostnames: HashMap<String, String> =
        nodes().into_iter().map(|n| (n.id, n.hostname)).collect();
    let mut args = vec!["inspect", "--type", "task"];
    args.extend(&ids);
    let mut tasks: Vec<Task> = json_array(&docker_stdout(&args))
        .iter()
        .map(|t| Task {
            id: str_at(t, "/ID"),
            slot: t.pointer("/Slot").and_then(|s| s.as_u64()).unwrap_or(0),
            node: hostnames
                .get(&str_at(t, "/NodeID"))
                .cloned()
                .unwrap_or_default(),
            state: str_at(t, "/Status/State"),
            desired: str_at(t, "/DesiredState"),
            image: str_at(t, "/Spec/ContainerSpec/Image"),
            error: str_at(t, "/Status/Err"),
        })
        .collect();
    tasks.sort_by(|a, b| (a.slot, &a.node).cmp(&(b.slot, &b.node)));
    tasks
}

/// Waits until `service` has exactly `n` tasks running and meant to run;
/// returns them. Panics after `timeout` with every task it has.
pub fn wait_tasks_running(service: &str, n: usize, timeout: Duration) -> Vec<Task> {
    let running = |tasks: &[Task]| -> Vec<Task> {
        tasks
            .iter()
            .filter(|t| t.state == "running" && t.desired == "running")
            .cloned()
            .collect()
    };
    let mut last = Vec::new();
    let ok = wait_until(timeout, POLL, || {
        last = tasks_of(service);
        running(&last).len() == n
    });
    assert!(
        ok,
        "{service}: {n} task(s) should be running after {timeout:?}; tasks: {last:#?}"
    );
    running(&last)
}

/// Flags a [`SwarmService`] gets unless the caller gives them: quick stops
/// (busybox ignores SIGTERM as PID 1), no VIP (no IPVS here), quick updates.
const SERVICE_DEFAULTS: &[(&str, Option<&str>)] = &[
    ("--init", None),
    ("--stop-grace-period", Some("1s")),
    ("--endpoint-mode", Some("dnsrr")),
    ("--update-parallelism", Some("0")),
    ("--update-monitor", Some("1s")),
    ("--rollback-parallelism", Some("0")),
    ("--rollback-monitor", Some("1s")),
];

fn flag_given(args: &[&str], flag: &str) -> bool {
    args.iter()
        .any(|a| *a == flag || a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
}

/// A swarm service a test created; removed on drop (and waited for until
/// its containers are gone on every node).
pub struct SwarmService {
    pub name: String,
}

impl SwarmService {
    /// `docker service create --detach --name berth-t-TEST-… --label
    /// berth.test=1 --container-label berth.test=1 [defaults] ARGS IMAGE
    /// CMD`. The defaults are `--init --stop-grace-period 1s --endpoint-mode
    /// dnsrr --update-parallelism 0 --update-monitor 1s
    /// --rollback-parallelism 0 --rollback-monitor 1s`, each left out when
    /// `args` has that flag. Does not wait for the tasks (see
    /// [`SwarmService::wait_running`]).
    pub fn create(test: &str, image: &str, args: &[&str], cmd: &[&str]) -> SwarmService {
        let service = SwarmService {
            name: unique_name(&format!("berth-t-{}", name_part(test))),
        };
        let mut all = vec![
            "service",
            "create",
            "--detach",
            "--name",
            &service.name,
            "--label",
            TEST_LABEL,
            "--container-label",
            TEST_LABEL,
        ];
        for (flag, value) in SERVICE_DEFAULTS {
            if !flag_given(args, flag) {
                all.push(flag);
                all.extend(value);
            }
        }
        all.extend_from_slice(args);
        all.push(image);
        all.extend_from_slice(cmd);
        docker(&all);
        service
    }

    pub fn id(&self) -> String {
        docker(&["service", "inspect", "--format", "{{.ID}}", &self.name])
    }

    pub fn tasks(&self) -> Vec<Task> {
        tasks_of(&self.name)
    }

    /// [`wait_tasks_running`] for this service.
    pub fn wait_running(&self, n: usize, timeout: Duration) -> Vec<Task> {
        wait_tasks_running(&self.name, n, timeout)
    }
}

impl Drop for SwarmService {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["service", "rm", &self.name])
            .output();
        let label = format!("com.docker.swarm.service.name={}", self.name);
        wait_until(CLEANUP_WAIT, POLL, || no_containers_labelled(&label));
    }
}

/// A compose file (version 3.8) for `docker stack deploy` of `services`:
/// (name, image, `sh -c` script, replicas), each with the test label (on the
/// service and its containers), `init`, a 1 s stop grace period, the dnsrr
/// endpoint mode and quick updates. Scripts are plain shell: `$` is escaped
/// for compose here.
pub fn stack_yaml(services: &[(&str, &str, &str, u32)]) -> String {
    let mut yaml = String::from("version: \"3.8\"\nservices:\n");
    for (name, image, script, replicas) in services {
        let command = serde_json::to_string(&script.replace('$', "$$")).expect("json string");
        yaml.push_str(&format!(
            "  {name}:\n    image: {image}\n    command: [\"sh\", \"-c\", {command}]\n    init: true\n    \
             stop_grace_period: 1s\n    labels: {{berth.test: \"1\"}}\n    deploy:\n      \
             replicas: {replicas}\n      endpoint_mode: dnsrr\n      labels: {{berth.test: \"1\"}}\n      \
             update_config: {{parallelism: 0, monitor: 1s}}\n      \
             rollback_config: {{parallelism: 0, monitor: 1s}}\n"
        ));
    }
    yaml
}

/// A stack a test deployed (`docker stack deploy -c FILE NAME`); removed on
/// drop with `docker stack rm`, waiting until its containers and networks
/// are gone.
pub struct SwarmStack {
    pub name: String,
    /// Holds `docker-stack.yml`; deleted on drop.
    pub dir: PathBuf,
}

impl SwarmStack {
    /// Writes `yaml` (a whole compose file, e.g. from [`stack_yaml`]) to a
    /// fresh temp dir and deploys it as stack `berth-s-TEST-…`. Its services
    /// must carry the test label in `deploy.labels` (so that `scripts/testbed
    /// down` finds a leftover stack). Does not wait for the tasks.
    pub fn deploy(test: &str, yaml: &str) -> SwarmStack {
        assert!(
            yaml.contains("berth.test"),
            "a test stack's services must carry the label berth.test: \"1\" (deploy.labels)"
        );
        let name = unique_name(&format!("berth-s-{}", name_part(test)));
        let dir = std::env::temp_dir().join(format!("berth-test-stack-{name}"));
        let stack = SwarmStack { name, dir };
        std::fs::create_dir_all(&stack.dir)
            .unwrap_or_else(|e| panic!("mkdir {}: {e}", stack.dir.display()));
        let file = stack.dir.join("docker-stack.yml");
        std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
        docker(&[
            "stack",
            "deploy",
            "-c",
            &file.to_string_lossy(),
            &stack.name,
        ]);
        stack
    }

    /// The full name of one of its services (`STACK_SERVICE`).
    pub fn service(&self, short: &str) -> String {
        format!("{}_{short}", self.name)
    }

    /// [`wait_tasks_running`] for one of its services.
    pub fn wait_running(&self, short: &str, n: usize, timeout: Duration) -> Vec<Task> {
        wait_tasks_running(&self.service(short), n, timeout)
    }
}

impl Drop for SwarmStack {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["stack", "rm", &self.name])
            .output();
        let label = format!("com.docker.stack.namespace={}", self.name);
        let filter = format!("label={label}");
        wait_until(CLEANUP_WAIT, POLL, || {
            docker_stdout(&["service", "ls", "-q", "--filter", &filter])
                .trim()
                .is_empty()
                && no_containers_labelled(&label)
        });
        // `stack rm` may meet a network still in use by a task going away.
        wait_until(CLEANUP_WAIT, POLL, || {
            let left = docker_stdout(&["network", "ls", "-q", "--filter", &filter]);
            for n in left.split_whitespace() {
                let _ = Command::new("docker").args(["network", "rm", n]).output();
            }
            left.trim().is_empty()
        });
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes an image with distinct content, pushes it as
/// `172.17.0.1:5000/REPO_TAG` and returns its digest reference
/// (`172.17.0.1:5000/REPO@sha256:...`). The image is the v1 busybox image
/// with `content` in `/var/www/index.html` and, as its default command,
/// `httpd -f -p 80 -h /var/www` (so a service of it needs no command).
/// The local tag (and the `repo@digest` names the push leaves) go into
/// `tags`, removed when it drops. Pick a unique repository per test (e.g.
/// from `unique_name`).
pub fn push_image(tags: &mut Tags, repo_tag: &str, content: &str) -> String {
    let target = format!("{SWARM_REGISTRY}/{repo_tag}");
    let repo = target.rsplit_once(':').map_or(target.as_str(), |(r, _)| r);
    // No container runs: create, copy the file in, commit.
    let mut cleanup = super::Cleanup::new();
    let cid = docker(&["create", "--label", TEST_LABEL, IMAGE_V1, "true"]);
    cleanup.container(&cid);
    let file = std::env::temp_dir().join(unique_name("berth-test-content"));
    std::fs::write(&file, content).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
    let copied = docker_ok(&[
        "cp",
        &file.to_string_lossy(),
        &format!("{cid}:/var/www/index.html"),
    ]);
    let _ = std::fs::remove_file(&file);
    assert!(copied, "docker cp of the content into {cid} failed");
    tags.keep(&target);
    docker(&[
        "commit",
        "--change",
        r#"CMD ["httpd", "-f", "-p", "80", "-h", "/var/www"]"#,
        &cid,
        &target,
    ]);
    docker(&["push", "-q", &target]);
    let digests = docker(&[
        "image",
        "inspect",
        "--format",
        "{{range .RepoDigests}}{{println .}}{{end}}",
        &target,
    ]);
    digests
        .lines()
        .find(|d| {
            d.strip_prefix(repo)
                .is_some_and(|r| r.starts_with("@sha256:"))
        })
        .unwrap_or_else(|| panic!("no digest of {repo} after pushing {target}: {digests:?}"))
        .to_owned()
}
