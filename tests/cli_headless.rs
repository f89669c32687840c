//! The headless subcommands, run as the real binary against the real engine.

mod common;

use common::*;
use serde_json::Value;
use std::process::{Command, Output};
use std::time::Duration;

fn berth(args: &[&str]) -> Output {
    Command::new(berth_bin())
        .args(args)
        .output()
        .expect("berth runs")
}

fn json(args: &[&str]) -> Vec<Value> {
    let out = berth(args);
    assert!(
        out.status.success(),
        "berth {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("a JSON array")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn ls_json_describes_containers_services_stacks_and_nodes() {
    require_engine();
    let (project, _dir, _cleanup) = compose_project("cli", &[("api", "echo api up; sleep 300", 2)]);

    let containers = json(&["ls", "containers", "-o", "json"]);
    let mine: Vec<&Value> = containers
        .iter()
        .filter(|c| c["stack"] == project.as_str())
        .collect();
    assert_eq!(mine.len(), 2);
    for c in &mine {
        for field in ["name", "id", "state", "image", "service", "stack", "node"] {
            assert!(!c[field].is_null(), "{field} in {c}");
        }
        assert_eq!(c["state"], "running");
        assert_eq!(c["image"], IMAGE_V1);
        assert_eq!(c["service"], "api");
    }

    let services = json(&["ls", "services", "-o", "json"]);
    let api = services
        .iter()
        .find(|s| s["stack"] == project.as_str())
        .expect("api service");
    assert_eq!(api["name"], "api");
    assert_eq!(api["replicas_running"], 2);
    assert_eq!(api["replicas_desired"], 2);
    assert_eq!(api["image"], IMAGE_V1);
    assert!(!api["id"].is_null());

    let stacks = json(&["ls", "stacks", "-o", "json"]);
    let st = stacks
        .iter()
        .find(|s| s["name"] == project.as_str())
        .expect("stack");
    assert_eq!(st["services"], 1);
    assert_eq!(st["containers_running"], 2);

    // The engine itself is a node (one of several on a swarm manager).
    let nodes = json(&["ls", "nodes", "-o", "json"]);
    let host = docker(&["info", "--format", "{{.Name}}"]);
    let me = nodes
        .iter()
        .find(|n| n["name"] == host.trim())
        .unwrap_or_else(|| panic!("no node named {host:?} in {nodes:?}"));
    assert!(me["id"].as_str().is_some_and(|id| !id.is_empty()));

    // The table names services the way `logs` takes them.
    let table = stdout(&berth(&["ls", "services"]));
    assert!(
        table.lines().next().is_some_and(|h| h.starts_with("NAME")),
        "{table}"
    );
    assert!(table.contains(&format!("{project}/api")), "{table}");
}

#[test]
fn logs_prints_a_container_or_a_whole_service() {
    require_engine();
    let (name, _cleanup) = sh_container(
        "cli-logs",
        "for i in 1 2 3 4 5; do echo line $i; done; sleep 300",
        &[],
    );
    assert!(wait_until(
        Duration::from_secs(10),
        Duration::from_millis(100),
        || docker(&["logs", &name]).contains("line 5")
    ));
    let out = berth(&["logs", &name, "--tail", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "line 4\nline 5\n");
    let out = berth(&["logs", &name, "--tail", "1", "--timestamps"]);
    let text = stdout(&out);
    assert!(
        text.ends_with(" line 5\n") && text.starts_with("20"),
        "{text}"
    );

    let (project, _dir, _project_cleanup) = compose_project(
        "cli-svc",
        &[("w", "echo hello from $(hostname); sleep 300", 2)],
    );
    let target = format!("{project}/w");
    assert!(wait_until(
        Duration::from_secs(10),
        Duration::from_millis(200),
        || {
            stdout(&berth(&["logs", &target]))
                .matches("hello from")
                .count()
                == 2
        }
    ));
    let text = stdout(&berth(&["logs", &target]));
    let sources: Vec<&str> = text.lines().filter_map(|l| l.split(" | ").next()).collect();
    assert_eq!(sources.len(), 2, "{text}");
    assert_ne!(
        sources[0], sources[1],
        "one line from each replica, prefixed by its source: {text}"
    );
}

#[test]
fn errors_have_one_clear_message_and_exit_codes() {
    require_engine();
    let out = berth(&["logs", "no-such-thing-anywhere"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no-such-thing-anywhere") && err.lines().count() == 1,
        "{err}"
    );

    let out = berth(&["ls", "bogus"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");

    let out = berth(&[
        "--host",
        "unix:///nonexistent/docker.sock",
        "ls",
        "containers",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unix:///nonexistent/docker.sock") && err.contains("dockerd"),
        "{err}"
    );

    let out = berth(&["logs", "x", "--since", "10 parsecs"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_forbidden_socket_names_the_endpoint_and_the_fix() {
    require_engine();
    // The socket is root:docker 0660; nobody may not use it. The binary is
    // copied where nobody may run it, whatever the checkout's permissions.
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(unique_name("berth-nobody"));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod dir");
    let bin = dir.join("berth");
    std::fs::copy(berth_bin(), &bin).expect("copy");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod bin");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["ls", "containers"])
        .env("DOCKER_HOST", "unix:///var/run/docker.sock")
        .output()
        .expect("setpriv runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("permission denied on unix:///var/run/docker.sock")
            && err.contains("docker' group"),
        "{err}"
    );
}
