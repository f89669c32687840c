//! Kubernetes helpers, for tests on the cluster that `scripts/testbed up`
//! (part `kube`) runs on this machine: a v1.20.2 control plane on
//! `https://127.0.0.1:6443` and two nodes: `berth-node` (kubelet with
//! containerd, a CNI bridge, kube-proxy) and `berth-node2` (the same without
//! kube-proxy), tainted [`NODE2_TAINT`] so that only pods that tolerate it
//! go there (the node tests drain it).
//!
//! Like `docker.rs` these shell out to a CLI (`kubectl`) so that test setup
//! does not depend on the code under test. Every test works in a namespace
//! of its own ([`TestNamespace`]): a unique name, the label `berth.test=1`,
//! deleted when the guard drops (and by `scripts/testbed down` after a
//! crash).
//!
//! Nothing can be pulled: the test images are imported into the node's
//! containerd, where `local/busybox:1` is `docker.io/local/busybox:1`. Pods
//! use that name with `imagePullPolicy: Never` ([`deployment_yaml`]).
//! There is no cluster DNS, and pods cannot reach the API server through
//! the `kubernetes` service (it listens on loopback only).

use super::{TEST_LABEL, unique_name, wait_until};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The test bed's work dir when `BERTH_TESTBED` is not set.
pub const TESTBED_DIR: &str = "/var/tmp/berth-testbed";
/// The admin's kubeconfig (user `berth-admin`, group `system:masters`) in
/// the default work dir; see [`admin_kubeconfig`].
pub const ADMIN_KUBECONFIG: &str = "/var/tmp/berth-testbed/kube/admin.kubeconfig";
/// Its one context.
pub const ADMIN_CONTEXT: &str = "berth-test";
/// The restricted user's kubeconfig in the default work dir; see
/// [`limited_kubeconfig`]. Its context's default namespace is
/// [`LIMITED_NAMESPACE`].
pub const LIMITED_KUBECONFIG: &str = "/var/tmp/berth-testbed/kube/limited.kubeconfig";
/// Its one context.
pub const LIMITED_CONTEXT: &str = "berth-limited";
/// The restricted user: everything in [`LIMITED_NAMESPACE`], nothing else.
pub const LIMITED_USER: &str = "berth-limited";
pub const LIMITED_NAMESPACE: &str = "berth-limited";
/// The node every test's pods run on.
pub const NODE: &str = "berth-node";
/// The second node, for node operations: only pods tolerating
/// [`NODE2_TAINT`] go there.
pub const NODE2: &str = "berth-node2";
/// `key=value:effect` of its taint.
pub const NODE2_TAINT: &str = "berth.test/node2=true:NoSchedule";
/// The API server's version.
pub const SERVER_VERSION: &str = "v1.20.2";
/// The test images as pods name them (and as the node reports them).
pub const POD_IMAGE_V1: &str = "docker.io/local/busybox:1";
pub const POD_IMAGE_V2: &str = "docker.io/local/busybox:2";
/// How long a [`TestNamespace`] guard waits for its namespace to be gone.
const CLEANUP_WAIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(250);

fn testbed_dir() -> PathBuf {
    std::env::var_os("BERTH_TESTBED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(TESTBED_DIR))
}

/// The admin's kubeconfig, in `$BERTH_TESTBED` when that is set.
pub fn admin_kubeconfig() -> PathBuf {
    testbed_dir().join("kube/admin.kubeconfig")
}

/// The restricted user's kubeconfig, in `$BERTH_TESTBED` when that is set.
pub fn limited_kubeconfig() -> PathBuf {
    testbed_dir().join("kube/limited.kubeconfig")
}

fn run_kubectl(kubeconfig: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["--request-timeout", "30s"])
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run `kubectl` (is it installed? run scripts/testbed up): {e}")
    });
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("kubectl stdin is piped");
        pipe.write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("writing to `kubectl {}`: {e}", args.join(" ")));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for `kubectl {}`: {e}", args.join(" ")))
}

fn checked(args: &[&str], out: Output) -> String {
    if !out.status.success() {
        panic!(
            "`kubectl {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `kubectl ARGS` as the admin; trimmed stdout, panics with stderr on failure.
pub fn kubectl(args: &[&str]) -> String {
    checked(args, run_kubectl(&admin_kubeconfig(), args, None))
}

/// Runs `kubectl ARGS` as the admin with `input` on stdin (`apply -f -`).
pub fn kubectl_stdin(args: &[&str], input: &str) -> String {
    checked(args, run_kubectl(&admin_kubeconfig(), args, Some(input)))
}

/// Runs `kubectl ARGS` with another kubeconfig (e.g. [`limited_kubeconfig`]):
/// trimmed stdout, or trimmed stderr when it fails (a refusal is a result).
pub fn kubectl_as(kubeconfig: &std::path::Path, args: &[&str]) -> Result<String, String> {
    let out = run_kubectl(kubeconfig, args, None);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Panics with a clear message unless the API server answers and node
/// [`NODE`] is Ready (what `scripts/testbed up` makes). Returns the
/// server's version.
pub fn require_kube() -> String {
    let kubeconfig = admin_kubeconfig();
    assert!(
        kubeconfig.is_file(),
        "{} does not exist. Run `scripts/testbed up` (part kube) first; these tests need a \
         real Kubernetes cluster.",
        kubeconfig.display()
    );
    let out = run_kubectl(
        &kubeconfig,
        &[
            "get",
            "node",
            NODE,
            "-o",
            r#"jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion}"#,
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && text.starts_with("True "),
        "the test bed's Kubernetes node {NODE} is not Ready (`kubectl get node` gave {:?}, {}). \
         Run `scripts/testbed up` (part kube) first; `scripts/testbed status` tells what is \
         wrong.",
        text,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let version: serde_json::Value = serde_json::from_str(&kubectl(&["version", "-o", "json"]))
        .unwrap_or_else(|e| panic!("kubectl version -o json: {e}"));
    version
        .pointer("/serverVersion/gitVersion")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Panics with a clear message unless [`NODE2`] is Ready (what
/// `scripts/testbed up` makes since it has two nodes).
pub fn require_node2() {
    require_kube();
    let ready = kubectl_as(
        &admin_kubeconfig(),
        &[
            "get",
            "node",
            NODE2,
            "-o",
            r#"jsonpath={.status.conditions[?(@.type=="Ready")].status}"#,
        ],
    );
    assert!(
        ready.as_deref() == Ok("True"),
        "the test bed's second node {NODE2} is not Ready ({ready:?}). Run `scripts/testbed up` \
         (part kube): it adds the node without touching what runs."
    );
}

/// A namespace for one test: a unique name from `prefix`, the label
/// `berth.test=1`; deleted on drop, which waits (bounded) until it is gone.
pub struct TestNamespace {
    pub name: String,
}

impl TestNamespace {
    pub fn create(prefix: &str) -> TestNamespace {
        let name = unique_name(prefix);
        let (key, value) = TEST_LABEL.split_once('=').expect("TEST_LABEL is key=value");
        kubectl_stdin(
            &["apply", "-f", "-"],
            &format!(
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n    \
                 {key}: \"{value}\"\n"
            ),
        );
        TestNamespace { name }
    }

    /// [`apply`] in this namespace.
    pub fn apply(&self, yaml: &str) -> String {
        apply(&self.name, yaml)
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        let config = admin_kubeconfig();
        let _ = run_kubectl(
            &config,
            &["delete", "namespace", &self.name, "--wait=false"],
            None,
        );
        let gone = wait_until(CLEANUP_WAIT, POLL, || {
            let out = run_kubectl(
                &config,
                &[
                    "get",
                    "namespace",
                    &self.name,
                    "--ignore-not-found",
                    "-o",
                    "name",
                ],
                None,
            );
            out.status.success() && out.stdout.trim_ascii().is_empty()
        });
        if !gone {
            eprintln!(
                "warning: namespace {} still there {CLEANUP_WAIT:?} after its deletion; \
                 `scripts/testbed down` removes it",
                self.name
            );
        }
    }
}

/// `kubectl apply -f -` of `yaml` in namespace `ns`; returns kubectl's output.
pub fn apply(ns: &str, yaml: &str) -> String {
    kubectl_stdin(&["apply", "--namespace", ns, "-f", "-"], yaml)
}

/// A Deployment `name` of `replicas` pods running `command` with `sh -c`
/// in `image` (e.g. [`POD_IMAGE_V1`]), which must be on the node:
/// `imagePullPolicy: Never`. Pods carry `app: NAME` and `berth.test: "1"`;
/// their grace period is 1 s (busybox `sh` as PID 1 ignores SIGTERM).
pub fn deployment_yaml(name: &str, image: &str, replicas: u32, command: &str) -> String {
    workload_yaml("Deployment", name, image, replicas, command, "")
}

/// A workload of `kind` (Deployment, StatefulSet) as [`deployment_yaml`]
/// describes it; `pod_extra` is more of the pod spec (tolerations,
/// affinity), indented by six spaces.
pub fn workload_yaml(
    kind: &str,
    name: &str,
    image: &str,
    replicas: u32,
    command: &str,
    pod_extra: &str,
) -> String {
    let command = serde_json::to_string(command).expect("a string serialises");
    let service = if kind == "StatefulSet" {
        format!("  serviceName: {name}\n")
    } else {
        String::new()
    };
    format!(
        r#"apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  labels: {{app: {name}, berth.test: "1"}}
spec:
{service}  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}, berth.test: "1"}}
    spec:
      terminationGracePeriodSeconds: 1
{pod_extra}      containers:
      - name: main
        image: {image}
        imagePullPolicy: Never
        command: ["sh", "-c", {command}]
"#
    )
}

/// Waits until exactly `n` pods matching label `selector` in `ns` are
/// Running with all containers ready and none is being deleted; returns
/// their names, sorted. Panics after `timeout` with the pods' states.
pub fn wait_pods_running(ns: &str, selector: &str, n: usize, timeout: Duration) -> Vec<String> {
    let mut last = String::new();
    let mut names = Vec::new();
    let ok = wait_until(timeout, POLL, || {
        let out = run_kubectl(
            &admin_kubeconfig(),
            &["get", "pods", "-n", ns, "-l", selector, "-o", "json"],
            None,
        );
        let Ok(list) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            return false;
        };
        let pods = list["items"].as_array().cloned().unwrap_or_default();
        let running: Vec<String> = pods
            .iter()
            .filter(|p| {
                p["status"]["phase"] == "Running"
                    && p["metadata"]["deletionTimestamp"].is_null()
                    && p["status"]["containerStatuses"]
                        .as_array()
                        .is_some_and(|cs| !cs.is_empty() && cs.iter().all(|c| c["ready"] == true))
            })
            .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_owned))
            .collect();
        last = pods
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p["metadata"]["name"].as_str().unwrap_or("?"),
                    p["status"]["phase"].as_str().unwrap_or("?"),
                    p["status"]["containerStatuses"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        names = running;
        names.len() == n && pods.len() == n
    });
    assert!(
        ok,
        "{n} running pods with {selector} in {ns} expected within {timeout:?}; pods:\n{last}"
    );
    names.sort();
    names
}

/// The admin's and the limited user's kubeconfigs merged into one file (as
/// `KUBECONFIG=a:b kubectl config view --flatten` makes it), plus a context
/// whose API server does not exist. The admin's context is current.
pub struct MergedKubeconfig {
    dir: PathBuf,
    pub path: PathBuf,
}

impl MergedKubeconfig {
    pub fn create() -> MergedKubeconfig {
        let dir = std::env::temp_dir().join(unique_name("berth-kubeconfig"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let out = std::process::Command::new("kubectl")
            .args(["config", "view", "--flatten", "--raw"])
            .env(
                "KUBECONFIG",
                format!(
                    "{}:{}",
                    admin_kubeconfig().display(),
                    limited_kubeconfig().display()
                ),
            )
            .output()
            .expect("kubectl config view");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = dir.join("config");
        std::fs::write(&path, &out.stdout).expect("write");
        let kubectl = |args: &[&str]| {
            let st = std::process::Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(&path)
                .args(args)
                .output()
                .expect("kubectl config");
            assert!(
                st.status.success(),
                "{}",
                String::from_utf8_lossy(&st.stderr)
            );
        };
        kubectl(&[
            "config",
            "set-cluster",
            "nowhere",
            "--server=https://127.0.0.1:1",
        ]);
        kubectl(&[
            "config",
            "set-context",
            "nowhere",
            "--cluster=nowhere",
            "--user=berth-admin",
        ]);
        MergedKubeconfig { dir, path }
    }
}

impl Drop for MergedKubeconfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A bare Pod `name` (labels `app: NAME`, `berth.test: "1"`, grace 1 s)
/// whose `spec` goes on after `terminationGracePeriodSeconds`, indented by
/// two spaces: `containers:`, `initContainers:`, `nodeSelector:` ...
pub fn pod_yaml(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{app: {name}, berth.test: \"1\"}}\n\
         spec:\n  terminationGracePeriodSeconds: 1\n{spec}"
    )
}

/// One container of a pod spec, for [`pod_yaml`]: `name` runs `command`
/// with `sh -c` in the test image.
pub fn container_yaml(name: &str, command: &str) -> String {
    let command = serde_json::to_string(command).expect("a string serialises");
    format!(
        "  - name: {name}\n    image: {POD_IMAGE_V1}\n    imagePullPolicy: Never\n    \
         command: [\"sh\", \"-c\", {command}]\n"
    )
}

/// berth's Kubernetes backend on the test bed, as the admin, over every
/// namespace.
pub async fn backend() -> berth::backend::kube::KubeBackend {
    require_kube();
    berth::backend::kube::KubeBackend::connect(&berth::backend::kube::KubeTarget {
        kubeconfig: Some(admin_kubeconfig()),
        context: None,
        namespace: None,
    })
    .await
    .expect("berth connects with the test bed's kubeconfig")
}

/// A DaemonSet `name` running `command` with `sh -c` in `image` on every
/// eligible node (the test bed's second node is tainted: not there), with [`deployment_yaml`]'s labels,
/// pull policy and 1 s grace period.
pub fn daemonset_yaml(name: &str, image: &str, command: &str) -> String {
    let command = serde_json::to_string(command).expect("a string serialises");
    format!(
        r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
  labels: {{app: {name}, berth.test: "1"}}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}, berth.test: "1"}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: {image}
        imagePullPolicy: Never
        command: ["sh", "-c", {command}]
"#
    )
}

/// The pods matching `selector` in `ns`: (name, uid, first container's
/// image, being deleted), sorted by name.
pub fn pods(ns: &str, selector: &str) -> Vec<(String, String, String, bool)> {
    let list: serde_json::Value = serde_json::from_str(&kubectl(&[
        "get", "pods", "-n", ns, "-l", selector, "-o", "json",
    ]))
    .expect("kubectl get pods -o json");
    let mut out: Vec<_> = list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&p["metadata"]["name"]),
                s(&p["metadata"]["uid"]),
                s(&p["spec"]["containers"][0]["image"]),
                !p["metadata"]["deletionTimestamp"].is_null(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A StatefulSet `name` of `replicas` pods (`name-0`, `name-1`, …) with
/// [`deployment_yaml`]'s labels, pull policy and 1 s grace period; its
/// governing service need not exist for the pods to run.
pub fn statefulset_yaml(name: &str, image: &str, replicas: u32, command: &str) -> String {
    workload_yaml("StatefulSet", name, image, replicas, command, "")
}
