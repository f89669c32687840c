//! The real binary in a pseudo-terminal against the real engine, read
//! through a terminal emulator, with the keys the shipped keymap binds.

mod common;

use berth::app::Action;
use berth::config::Mode;
use common::*;
use std::path::PathBuf;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

/// A private config/state dir so the user's files never leak into tests.
fn private_dirs(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique_name(tag));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn spawn(dir: &std::path::Path, extra_env: &[(&str, &str)], rows: u16, cols: u16) -> Tui {
    spawn_args(dir, &[], extra_env, rows, cols)
}

fn spawn_args(
    dir: &std::path::Path,
    args: &[&str],
    extra_env: &[(&str, &str)],
    rows: u16,
    cols: u16,
) -> Tui {
    let d = dir.to_str().expect("utf-8 path");
    let mut env = vec![
        ("BERTH_CONFIG_DIR", d),
        ("XDG_STATE_HOME", d),
        ("XDG_DATA_HOME", d),
        ("HOME", d),
    ];
    env.extend_from_slice(extra_env);
    Tui::spawn(berth_bin(), args, &env, rows, cols)
}

/// Highest N of "e2e-tick-N" on screen.
fn highest_tick(screen: &str) -> Option<u64> {
    screen
        .split("e2e-tick-")
        .skip(1)
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .max()
}

#[test]
fn shows_a_new_container_follows_its_logs_filters_and_quits_cleanly() {
    require_engine();
    let dir = private_dirs("e2e");
    let mut tui = spawn(&dir, &[], 40, 160);
    tui.wait_for("containers(all)", T)
        .expect("the containers view");
    tui.wait_for("● connected", T).expect("connected");

    // Filter to the test's own name first: on a busy engine a new container
    // may sort below the fold. The row must then appear live, under the filter.
    let name = unique_name("e2e");
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    tui.send(&key_for(Mode::List, Action::Filter));
    tui.send(&name);
    tui.key("enter");
    tui.wait_screen(T, |s| {
        s.contains("[0/") && s.contains(&format!("filter: {name}"))
    })
    .expect("filtered to nothing yet");
    let script = "i=0; while true; do echo e2e-tick-$i; i=$((i+1)); sleep 0.3; done";
    run_container(&name, IMAGE_V1, &["sh", "-c", script], &[]);
    tui.wait_screen(Duration::from_secs(3), |s| {
        s.contains("[1/")
            && s.lines()
                .any(|l| l.contains(&name) && !l.contains("filter:"))
    })
    .expect("a container created after launch shows up as the one row");

    // Open its logs with the keymap's key, and see a line that is new.
    tui.send(&key_for(Mode::List, Action::Logs));
    tui.wait_for(&format!("logs: {name}"), T).expect("log view");
    tui.wait_screen(T, |s| highest_tick(s).is_some())
        .expect("history lines");
    let first = highest_tick(&tui.screen_text()).unwrap_or(0);
    tui.wait_screen(T, |s| highest_tick(s).is_some_and(|n| n >= first + 2))
        .expect("fresh lines keep arriving");

    // Filter the log lines.
    tui.send(&key_for(Mode::Logs, Action::Filter));
    tui.send("e2e-tick-1");
    tui.key("enter");
    tui.wait_screen(T, |s| s.contains("filter: e2e-tick-1"))
        .expect("filter shown");
    let screen = tui.screen_text();
    for line in screen.lines().filter(|l| l.contains("e2e-tick-")) {
        assert!(
            line.contains("e2e-tick-1"),
            "only matching lines remain: {line}"
        );
    }

    // Back out and quit (one key at a time, as a person types).
    tui.key("esc");
    std::thread::sleep(Duration::from_millis(200));
    tui.key("esc");
    tui.wait_for("containers(", T).expect("back to the list");
    tui.send(&key_for(Mode::Global, Action::Quit));
    let status = tui.wait_exit(T).expect("berth exits");
    assert!(status.success(), "exit status {status:?}");
    let term = tui.terminal_state();
    assert!(term.restored(), "terminal left in normal mode: {term:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    require_engine();
    for signal in ["TERM", "HUP"] {
        let dir = private_dirs("e2e-sig");
        let mut tui = spawn(&dir, &[], 24, 80);
        tui.wait_for("containers(", T).expect("started");
        let pid = tui.pid().expect("pid");
        let ok = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
        tui.wait_exit(T).expect("exits on the signal");
        let term = tui.terminal_state();
        assert!(term.restored(), "SIG{signal}: {term:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_broken_keymap_gets_one_message_and_defaults_still_work() {
    require_engine();
    let dir = private_dirs("e2e-badcfg");
    std::fs::write(
        dir.join("keymap.toml"),
        "[list]\n\"z\" = \"quit\"\n\"ctrl-x\" = \"explode\"\n",
    )
    .expect("write");
    let mut tui = spawn(&dir, &[], 30, 200);
    tui.wait_for("keymap.toml:3", T)
        .expect("file and line named in the status bar");
    let screen = tui.screen_text();
    assert!(
        screen.contains("ctrl-x") && screen.contains("explode"),
        "{screen}"
    );
    // Defaults are in force: "z" is not quit, "q" is.
    tui.send("z");
    std::thread::sleep(Duration::from_millis(300));
    assert!(tui.is_running());
    tui.send("q");
    assert!(tui.wait_exit(T).is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tiny_terminal_gets_a_message_and_recovers_on_resize() {
    require_engine();
    let dir = private_dirs("e2e-small");
    let mut tui = spawn(&dir, &[], 5, 30);
    tui.wait_for("too small", T)
        .expect("a message, not a panic");
    tui.resize(30, 120);
    tui.wait_for("containers(", T)
        .expect("draws normally once large enough");
    tui.send("q");
    assert!(tui.wait_exit(T).is_some_and(|s| s.success()));
    assert!(tui.terminal_restored());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_is_written_while_nothing_changes() {
    require_engine();
    // An engine of its own, where truly nothing changes (other tests' fresh
    // containers would rightly tick their ages on the shared one).
    let engine = common::spare_engine::SpareEngine::start("idle");
    let dir = private_dirs("e2e-idle");
    let host = engine.endpoint();
    let mut tui = spawn(&dir, &[("DOCKER_HOST", host.as_str())], 30, 120);
    tui.wait_for("● connected", T).expect("started");
    // Let start-up work (restart counts) settle, then watch the wire for
    // longer than the watcher's idle ping period (5 s): a ping that is
    // answered must not redraw anything.
    std::thread::sleep(Duration::from_secs(2));
    let before = tui.bytes_received();
    std::thread::sleep(Duration::from_secs(6));
    let after = tui.bytes_received();
    tui.send("q");
    tui.wait_exit(T);
    assert_eq!(
        after - before,
        0,
        "bytes written to the terminal while idle"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// N of "engine not answering Ns" on screen.
fn not_answering_secs(screen: &str) -> Option<u64> {
    let rest = screen.split("engine not answering ").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn a_hung_engine_is_shown_counting_up_and_keys_keep_working() {
    require_engine();
    let engine = common::spare_engine::SpareEngine::start("e2e-hang");
    let dir = private_dirs("e2e-hang");
    let host = engine.endpoint();
    let mut tui = spawn(&dir, &[("DOCKER_HOST", host.as_str())], 30, 120);
    tui.wait_for("● connected", T).expect("started");

    let hung = engine.hang();
    // The idle ping notices 5 to 10 s after the freeze.
    tui.wait_screen(Duration::from_secs(12), |s| not_answering_secs(s).is_some())
        .expect("the hang is shown");
    let first = not_answering_secs(&tui.screen_text()).unwrap_or(0);
    tui.wait_screen(Duration::from_secs(3), |s| {
        not_answering_secs(s).is_some_and(|n| n > first)
    })
    .expect("the count goes up");
    tui.send(&key_for(Mode::Global, Action::Help));
    tui.wait_for("help: keymap", Duration::from_secs(2))
        .expect("keys work while the engine hangs");
    tui.key("esc");

    drop(hung);
    tui.wait_for("● connected", T)
        .expect("cleared once the engine answers");
    tui.send(&key_for(Mode::Global, Action::Quit));
    assert!(tui.wait_exit(T).is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_panic_restores_the_terminal_and_says_why() {
    require_engine();
    let dir = private_dirs("e2e-panic");
    let mut tui = spawn(
        &dir,
        &[("BERTH_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
        24,
        80,
    );
    let status = tui.wait_exit(T).expect("exits after the panic");
    assert!(!status.success());
    let term = tui.terminal_state();
    assert!(term.restored(), "terminal after a panic: {term:?}");
    tui.wait_for("BERTH_TEST_PANIC", T)
        .expect("the panic message is printed on the normal screen");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lines of the audit trail (XDG_DATA_HOME/berth/audit.jsonl) about `target`,
/// waiting up to `T` for one with `result`.
fn audited(dir: &std::path::Path, target: &str, result: &str) -> Result<String, String> {
    let file = dir.join("berth").join("audit.jsonl");
    let want = format!("\"result\":\"{result}\"");
    let until = std::time::Instant::now() + T;
    loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if let Some(line) = text
            .lines()
            .find(|l| l.contains(target) && l.contains(&want))
        {
            return Ok(line.to_owned());
        }
        if std::time::Instant::now() > until {
            return Err(format!(
                "no {want} line for {target} in {}:\n{text}",
                file.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts berth, filters the containers view down to `name`.
fn on_container(dir: &std::path::Path, args: &[&str], name: &str) -> Tui {
    let mut tui = spawn_args(dir, args, &[], 30, 200);
    // On a shared engine it may be below the first screen: filter at once.
    tui.wait_for("● connected", T).expect("connected");
    tui.send(&key_for(Mode::List, Action::Filter));
    tui.send(name);
    tui.key("enter");
    tui.wait_screen(T, |s| s.contains("[1/") && s.contains(name))
        .expect("filtered to one row");
    tui
}

#[test]
fn read_only_refuses_an_operation_and_audits_it() {
    require_engine();
    let dir = private_dirs("e2e-ro");
    let (name, _cleanup) = sh_container("e2e-ro", "sleep 300", &[]);
    let mut tui = on_container(&dir, &["--read-only"], &name);
    tui.send(&key_for(Mode::List, Action::Restart));
    tui.wait_for("restart: berth runs read-only", T)
        .expect("the refusal is said in the status bar");
    let line = audited(&dir, &name, "refused").expect("audited");
    assert!(line.contains("\"via\":\"console\""), "{line}");
    assert!(line.contains("\"action\":\"restart\""), "{line}");
    tui.send(&key_for(Mode::Global, Action::Quit));
    assert!(tui.wait_exit(T).is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_operation_asks_the_engine_first_and_nothing_changes_without_yes() {
    require_engine();
    let dir = private_dirs("e2e-op");
    let (name, _cleanup) = sh_container("e2e-op", "sleep 300", &[]);
    let mut tui = on_container(&dir, &[], &name);
    tui.send(&key_for(Mode::List, Action::Restart));
    // The engine answers with a plan to confirm, or with why it cannot.
    tui.wait_screen(T, |s| {
        s.contains("confirm: restart") || s.contains("✗ restart")
    })
    .expect("a plan or a refusal");
    if tui.screen_text().contains("confirm: restart") {
        tui.send(&key_for(Mode::Confirm, Action::Cancel));
        tui.wait_for(&format!("not done: restart {name}"), T)
            .expect("declined");
        audited(&dir, &name, "declined").expect("audited");
    } else {
        audited(&dir, &name, "failed").expect("audited");
    }
    tui.send(&key_for(Mode::Global, Action::Quit));
    assert!(tui.wait_exit(T).is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}
