//! Checks the shared test helpers themselves, so that a broken harness
//! shows up here and not as puzzling failures elsewhere.

mod common;

use std::time::Duration;

use common::*;

const SEC: Duration = Duration::from_secs(1);

fn test_containers_named(name: &str) -> String {
    docker(&[
        "ps",
        "-a",
        "--filter",
        &format!("name=^/{name}$"),
        "--filter",
        &format!("label={TEST_LABEL}"),
        "--format",
        "{{.Names}}",
    ])
}

#[test]
fn engine_and_container_cleanup() {
    let version = require_engine();
    assert!(!version.is_empty());
    assert!(
        docker_ok(&["image", "inspect", IMAGE_V1]),
        "run scripts/testbed up"
    );
    assert!(!docker_ok(&["image", "inspect", "local/no-such-image:0"]));

    let name = unique_name("berth-selfcheck");
    assert_ne!(name, unique_name("berth-selfcheck"));
    {
        let mut cleanup = Cleanup::new();
        cleanup.container(&name);
        let id = run_container(&name, IMAGE_V1, &["sleep", "600"], &["--env", "X=1"]);
        assert!(id.len() >= 12, "docker run -d printed {id:?}");
        assert!(wait_until(10 * SEC, Duration::from_millis(100), || {
            container_state(&name).as_deref() == Some("running")
        }));
        assert_eq!(test_containers_named(&name), name);
        let info = docker_inspect(&name);
        assert_eq!(info["Config"]["Labels"]["berth.test"], "1");
        assert_eq!(info["HostConfig"]["Init"], true);
        // The two images really differ.
        assert_eq!(docker(&["exec", &name, "cat", "/var/www/index.html"]), "v1");
    }
    assert_eq!(test_containers_named(&name), "", "Cleanup left {name}");
    assert!(!container_exists(&name));
    assert_eq!(container_state(&name), None);
}

#[test]
fn compose_project_cleanup() {
    require_engine();
    let project = unique_name("berthselfcheck");
    let yaml = format!(
        r#"
services:
  web:
    image: {IMAGE_V2}
    command: httpd -f -h /var/www
    init: true
    stop_grace_period: 1s
    labels: {{ berth.test: "1" }}
"#
    );
    let filter = format!("label=com.docker.compose.project={project}");
    {
        let mut cleanup = Cleanup::new();
        let dir = compose_up(&project, &yaml);
        cleanup.project(&project, &dir);
        let names = docker(&["ps", "--filter", &filter, "--format", "{{.Names}}"]);
        assert_eq!(names.lines().count(), 1, "running: {names:?}");
        assert_eq!(
            docker(&["exec", names.trim(), "cat", "/var/www/index.html"]),
            "v2"
        );
    }
    assert_eq!(docker(&["ps", "-a", "--filter", &filter, "-q"]), "");
    assert_eq!(docker(&["network", "ls", "--filter", &filter, "-q"]), "");
}

#[test]
#[should_panic(expected = "must label its services")]
fn compose_up_rejects_unlabelled_yaml() {
    compose_up("berthselfcheck-nolabel", "services: {}\n");
}

fn sh(script: &str) -> Tui {
    Tui::spawn("/bin/sh", &["-c", script], &[], 24, 80)
}

#[test]
fn pty_sees_screen_and_restored_terminal() {
    let mut tui =
        sh(r#"printf '\033[?1049h\033[?25lhello'; sleep 0.3; printf '\033[?25h\033[?1049l'"#);
    tui.wait_for("hello", 5 * SEC).unwrap();
    assert!(tui.with_screen(|s| s.alternate_screen()));
    // Leaving the alternate screen brings back the (empty) main screen.
    tui.wait_for_absent("hello", 5 * SEC).unwrap();
    let status = tui.wait_exit(5 * SEC).expect("sh exits");
    assert!(status.success());
    let state = tui.terminal_state();
    assert!(tui.terminal_restored(), "{state:?}");
    assert_eq!(state.cooked_mode, Some(true));
    // Four 6/8-byte mode sequences and the text, nothing lost or doubled.
    assert_eq!(tui.bytes_received(), 8 + 6 + 5 + 6 + 8);
}

#[test]
fn pty_reports_alt_screen_not_left() {
    let mut tui = sh(r#"printf '\033[?1049hx'"#);
    tui.wait_exit(5 * SEC).expect("sh exits");
    tui.wait_for("x", SEC).unwrap();
    let state = tui.terminal_state();
    assert!(!tui.terminal_restored(), "{state:?}");
    assert!(!state.alt_screen_left && !state.vt_main_screen, "{state:?}");
    assert!(state.cursor_shown && state.vt_cursor_visible, "{state:?}");
}

#[test]
fn pty_reports_hidden_cursor_and_raw_mode() {
    let mut tui = sh(r#"printf '\033[?25l'; stty raw -echo"#);
    tui.wait_exit(5 * SEC).expect("sh exits");
    let state = tui.terminal_state();
    assert!(!state.restored(), "{state:?}");
    assert!(!state.cursor_shown && !state.vt_cursor_visible, "{state:?}");
    assert_eq!(state.cooked_mode, Some(false), "{state:?}");
    assert!(state.alt_screen_left, "{state:?}");
}

#[test]
fn pty_key_bytes() {
    // Raw mode, so the tty passes every byte through; od shows what arrived.
    let mut tui = sh(
        r#"stty raw -echo; echo ready; k=$(dd bs=1 count=11 2>/dev/null | od -An -tx1); stty sane; echo "keys:" $k"#,
    );
    tui.wait_for("ready", 5 * SEC).unwrap();
    for k in ["up", "down", "esc", "tab", "backspace", "ctrl-c", "enter"] {
        tui.key(k);
    }
    tui.wait_exit(5 * SEC).expect("sh exits");
    tui.wait_for("keys: 1b 5b 41 1b 5b 42 1b 09 7f 03 0d", SEC)
        .unwrap();
    assert!(tui.terminal_restored(), "{:?}", tui.terminal_state());
}

#[test]
fn pty_line_input_resize_and_kill() {
    let mut tui = sh(
        r#"stty -echo; echo ready; while true; do if read line; then case "$line" in size) stty size;; *) printf 'got[%s]\n' "$line";; esac; fi; done"#,
    );
    tui.wait_for("ready", 5 * SEC).unwrap();
    tui.send("ab");
    tui.key("backspace");
    tui.send("c");
    tui.key("enter");
    tui.wait_for("got[ac]", 5 * SEC).unwrap();

    tui.resize(10, 40);
    assert_eq!(tui.with_screen(|s| s.size()).0.get(), 10);
    tui.send("size\n");
    tui.wait_for("10 40", 5 * SEC).unwrap();

    assert!(tui.is_running());
    assert!(tui.wait_exit(Duration::from_millis(100)).is_none());
    let before = tui.bytes_received();
    tui.kill();
    assert!(!tui.is_running());
    assert!(tui.bytes_received() >= before);
}
