//! Headless operations, run as the real binary against the real engine:
//! confirmation rules, read-only, progress output and the audit trail.

mod common;

use common::headless::{audit, berth, data_home, json_lines, stderr};
use common::*;
use std::time::Duration;

fn started_at(name: &str) -> String {
    docker(&["inspect", "--format", "{{.State.StartedAt}}", name])
}

#[test]
fn without_a_terminal_and_without_yes_nothing_changes() {
    require_engine();
    let (name, _c) = sh_container("ops-noyes", "sleep 300", &[]);
    let home = data_home("noyes");
    let before = started_at(&name);
    let out = berth(&home, &["restart", &name]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--yes") && err.contains("terminal"), "{err}");
    // The confirmation text was shown all the same.
    assert!(err.contains(&format!("restart {name}")), "{err}");
    assert_eq!(started_at(&name), before, "the container was not restarted");
    let lines = audit(&home);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["action"], "restart");
    assert_eq!(lines[0]["target"], name.as_str());
    assert_eq!(lines[0]["result"], "refused");
    assert_eq!(lines[0]["via"], "headless");
}

#[test]
fn read_only_refuses_with_a_clear_message_and_an_audit_line() {
    require_engine();
    let (name, _c) = sh_container("ops-ro", "sleep 300", &[]);
    let home = data_home("ro");
    let before = started_at(&name);
    let out = berth(&home, &["--read-only", "restart", &name, "--yes", "--wait"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(started_at(&name), before);
    let lines = audit(&home);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["result"], "refused");
}

#[test]
fn a_standalone_container_refuses_scale_with_the_reason() {
    require_engine();
    let (name, _c) = sh_container("ops-noscale", "sleep 300", &[]);
    let home = data_home("noscale");
    let out = berth(&home, &["scale", &name, "3", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot scale"), "{}", stderr(&out));
    assert_eq!(audit(&home)[0]["result"], "refused");
}

#[test]
fn unknown_targets_get_one_message_naming_ls() {
    require_engine();
    let home = data_home("unknown");
    let out = berth(&home, &["redeploy", "no-such-thing-here", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no-such-thing-here") && err.contains("berth ls"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn restart_with_wait_streams_json_progress_and_converges() {
    require_engine();
    let (name, _c) = sh_container("ops-restart", "sleep 300", &[]);
    let home = data_home("restart");
    let before = started_at(&name);
    let out = berth(&home, &["restart", &name, "--yes", "--wait", "-o", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "step" && l["replica"] == name.as_str()),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l["event"] == "finished"), "{lines:?}");
    let result = lines.last().expect("a result");
    assert_eq!(result["outcome"], "converged", "{result}");
    assert_eq!(result["action"], "restart");
    assert!(result["duration_ms"].as_u64().is_some());
    assert_ne!(started_at(&name), before, "restarted");
    assert_eq!(container_state(&name).as_deref(), Some("running"));
    let lines = audit(&home);
    assert_eq!(
        lines.last().map(|l| l["result"].clone()),
        Some("converged".into())
    );
}

#[test]
fn scale_a_compose_service_up_and_down_headless() {
    require_engine();
    let (project, dir, _c) = compose_project("ops-scale", &[("api", "sleep 300", 1)]);
    let home = data_home("scale");
    let target = format!("{project}/api");
    let out = berth(&home, &["scale", &target, "2", "--yes", "--wait"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let running = || {
        compose(&project, &dir, &["ps", "-q", "api"])
            .lines()
            .count()
    };
    assert!(
        wait_until(
            Duration::from_secs(10),
            Duration::from_millis(200),
            || running() == 2
        ),
        "docker-compose ps sees 2 replicas"
    );
    let out = berth(
        &home,
        &["scale", &target, "1", "--yes", "--wait", "-o", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(running(), 1);
    let results: Vec<String> = audit(&home)
        .iter()
        .map(|l| l["result"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(results, ["converged", "converged"]);
}

#[test]
fn on_a_terminal_it_shows_the_plan_asks_and_does_it_on_yes() {
    require_engine();
    let (name, _c) = sh_container("ops-ask", "sleep 300", &[]);
    let home = data_home("ask");
    let h = home.to_str().expect("utf-8 path");
    let before = started_at(&name);
    let mut tui = Tui::spawn(
        berth_bin(),
        &["restart", &name],
        &[("XDG_DATA_HOME", h)],
        24,
        120,
    );
    tui.wait_for("Proceed? [y/N]", Duration::from_secs(20))
        .expect("it asks on the terminal");
    assert!(
        tui.screen_text().contains(&format!("restart {name}")),
        "the plan is shown before the question: {}",
        tui.screen_text()
    );
    assert_eq!(
        started_at(&name),
        before,
        "nothing changes before the answer"
    );
    tui.send("y\r");
    let status = tui
        .wait_exit(Duration::from_secs(30))
        .expect("berth exits when the restart converged");
    assert!(status.success(), "{status:?}: {}", tui.screen_text());
    assert_ne!(started_at(&name), before, "restarted");
    assert_eq!(
        audit(&home).last().map(|l| l["result"].clone()),
        Some("converged".into())
    );
}

#[test]
fn a_node_operation_on_a_plain_engine_says_it_is_swarms() {
    require_engine();
    let home = data_home("node");
    // The engine's own host is the one node a plain engine lists.
    let node = docker(&["info", "--format", "{{.Name}}"]);
    let out = berth(&home, &["--backend", "docker", "drain", &node, "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("drain {node}")) && err.contains("no node operations"),
        "{err}"
    );
    let lines = audit(&home);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["action"], "drain");
    assert_eq!(lines[0]["result"], "refused");
}
