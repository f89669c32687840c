//! Operations from the console: the real binary in a pseudo-terminal, the
//! keys of the shipped keymap, the real engine and the test bed's registry.

mod common;

use berth::app::Action;
use berth::config::{Keymap, Mode};
use common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);
const REGISTRY: &str = "127.0.0.1:5000";

fn private_dirs(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique_name(tag));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// berth with `args`, its config, state and data in `dir` alone.
fn spawn(dir: &Path, args: &[&str]) -> Tui {
    let d = dir.to_str().expect("utf-8 path");
    let env = [
        ("BERTH_CONFIG_DIR", d),
        ("XDG_STATE_HOME", d),
        ("XDG_DATA_HOME", d),
        ("HOME", d),
    ];
    Tui::spawn(berth_bin(), args, &env, 40, 180)
}

/// The first one-key binding of the action named `action` in table `mode`.
fn key(mode: &str, action: &str) -> String {
    let km = Keymap::builtin("default").expect("default keymap");
    let a: Action = serde_json::from_value(serde_json::Value::String(action.into()))
        .unwrap_or_else(|_| panic!("{action} is an action"));
    let m = Mode::from_table(mode).unwrap_or_else(|| panic!("{mode} is a keymap table"));
    km.keys_for(m, a)
        .into_iter()
        .find(|k| k.chars().count() == 1)
        .unwrap_or_else(|| panic!("{action} has a one-key binding in [{mode}]"))
}

/// Pushes `local` to the test bed's registry as `REGISTRY/repo:1`.
fn push(tags: &mut Tags, local: &str, repo: &str) -> String {
    let image = format!("{REGISTRY}/{repo}:1");
    tags.tag(local, &image);
    docker(&["push", &image]);
    image
}

/// A compose project with one 2-replica service `web` running `image`.
fn project(prefix: &str, image: &str) -> (String, PathBuf, Cleanup) {
    let project = unique_name(prefix).replace('-', "");
    let yaml = format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {image}\n    \
         command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]\n    \
         stop_grace_period: 1s\n    scale: 2\n    labels: {{berth.test: \"1\"}}\n"
    );
    let dir = compose_up(&project, &yaml);
    let mut cleanup = Cleanup::new();
    cleanup.project(&project, &dir);
    (project, dir, cleanup)
}

fn image_ids(project: &str, dir: &Path) -> Vec<String> {
    compose(project, dir, &["ps", "-q", "web"])
        .lines()
        .map(|id| docker(&["inspect", "--format", "{{.Image}}", id]))
        .collect()
}

/// Quits with the keymap's key; on failure, the screen says where it stuck.
fn quit(tui: &mut Tui) {
    // Apart from an esc just before: ESC then q at once reads as alt-q.
    std::thread::sleep(Duration::from_millis(200));
    tui.send(&key("global", "quit"));
    if tui.wait_exit(T).is_none() {
        panic!("berth did not exit; screen:\n{}", tui.screen_text());
    }
}

/// Opens the services view filtered to `filter`, which leaves one service
/// whose row shows `row`.
fn services_of(tui: &mut Tui, filter: &str, row: &str) {
    tui.wait_for("● connected", T).expect("connected");
    tui.send(&key("global", "view_services"));
    tui.send(&key("list", "filter"));
    tui.send(filter);
    tui.key("enter");
    tui.wait_screen(T, |s| s.contains("[1/") && s.contains(row))
        .expect("one service left by the filter");
}

/// Scales the selected service `target` to 3 with the scale key, confirms
/// and waits for the progress screen to say it converged.
fn scale_to_3(tui: &mut Tui, target: &str) {
    tui.send(&key("list", "scale"));
    tui.wait_for("scale", T).expect("a prompt for the number");
    // The prompt starts with the current count: clear it, type 3.
    tui.key("ctrl-u");
    tui.send("3");
    tui.key("enter");
    // The plan's confirmation, not the "asking the engine" box before it
    // (a key sent then is not a confirmation).
    tui.wait_screen(T, |s| s.contains(&format!("confirm: scale {target} to 3")))
        .expect("a confirmation naming the service and the new count");
    tui.send(&key("confirm", "confirm"));
    tui.wait_for("converged", Duration::from_secs(60))
        .expect("progress reaches converged");
}

#[test]
fn redeploy_from_the_console_confirms_shows_progress_and_replaces_the_image() {
    require_engine();
    let mut tags = Tags::default();
    let repo = unique_name("e2eredeploy");
    let image = push(&mut tags, IMAGE_V1, &repo);
    let (project, dir, _c) = project("e2eredeploy", &image);
    let before = image_ids(&project, &dir);
    // CI pushes a new image under the same tag.
    push(&mut tags, IMAGE_V2, &repo);
    let v2 = docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE_V2]);

    let home = private_dirs("e2e-redeploy");
    let mut tui = spawn(&home, &[]);
    services_of(&mut tui, &project, "web");
    tui.send(&key("list", "redeploy"));
    let target = format!("redeploy {project}/web");
    tui.wait_screen(T, |s| s.contains(&target) && s.contains("2 containers"))
        .expect("a confirmation naming the target and what changes");
    assert_eq!(
        image_ids(&project, &dir),
        before,
        "nothing changes before yes"
    );
    tui.send(&key("confirm", "confirm"));
    tui.wait_for("converged", Duration::from_secs(90))
        .expect("progress reaches converged");
    assert_eq!(image_ids(&project, &dir), vec![v2.clone(), v2.clone()]);

    // Back in the list, the service shows the image it runs now. (The
    // progress screen names the image too: wait for the list's title.)
    tui.key("esc");
    tui.wait_screen(T, |s| {
        s.contains("services(")
            && s.lines()
                .any(|l| l.contains("web") && l.contains(&image) && l.contains("2/2"))
    })
    .expect("the services list shows the redeployed image, both replicas running");
    quit(&mut tui);
    let audit = std::fs::read_to_string(home.join("berth").join("audit.jsonl")).unwrap_or_default();
    assert!(
        audit.contains("\"action\":\"redeploy\"") && audit.contains("\"result\":\"converged\""),
        "{audit}"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn scale_from_the_console_takes_a_typed_number() {
    require_engine();
    let (project, dir, _c) = project("e2escale", IMAGE_V1);
    let home = private_dirs("e2e-scale");
    let mut tui = spawn(&home, &[]);
    services_of(&mut tui, &project, "web");
    scale_to_3(&mut tui, &format!("{project}/web"));
    assert_eq!(
        compose(&project, &dir, &["ps", "-q", "web"])
            .lines()
            .count(),
        3
    );
    quit(&mut tui);
    let _ = std::fs::remove_dir_all(&home);
}

/// On the test bed's swarm (the host is its manager, so berth shows the
/// swarm by itself): select a service, press the scale key, type the
/// number, confirm, and watch the count reach it in the services list.
#[test]
fn scale_a_swarm_service_from_the_console_and_watch_the_count() {
    common::swarm::require_swarm();
    let svc = common::swarm::SwarmService::create(
        "e2escale",
        IMAGE_V1,
        &["--replicas", "1"],
        &["sleep", "3000"],
    );
    svc.wait_running(1, Duration::from_secs(30));
    let home = private_dirs("e2e-swarm-scale");
    let mut tui = spawn(&home, &[]);
    tui.wait_for("berth swarm", T)
        .expect("the status bar names the swarm backend");
    services_of(&mut tui, &svc.name, &svc.name);
    tui.wait_for("1/1", T).expect("the service runs 1 of 1");
    scale_to_3(&mut tui, &svc.name);
    // Back to the list: the row follows the swarm to 3 of 3.
    tui.key("esc");
    tui.wait_screen(Duration::from_secs(30), |s| {
        s.lines()
            .any(|l| l.contains(&svc.name) && l.contains("3/3"))
    })
    .unwrap_or_else(|_| panic!("the row never showed 3/3:\n{}", tui.screen_text()));
    assert_eq!(
        svc.tasks()
            .iter()
            .filter(|t| t.state == "running" && t.desired == "running")
            .count(),
        3
    );
    quit(&mut tui);
    let _ = std::fs::remove_dir_all(&home);
}

/// On the test bed's Kubernetes: the same keys scale a Deployment through
/// its scale subresource, and the row follows the cluster to 3/3.
#[test]
fn scale_a_kubernetes_deployment_from_the_console_and_watch_the_count() {
    use common::kube;
    kube::require_kube();
    let ns = kube::TestNamespace::create("e2e-kscale");
    ns.apply(&kube::deployment_yaml(
        "web",
        kube::POD_IMAGE_V1,
        1,
        "sleep 3000",
    ));
    kube::wait_pods_running(&ns.name, "app=web", 1, Duration::from_secs(60));
    let home = private_dirs("e2e-kube-scale");
    let config = kube::admin_kubeconfig();
    let config = config.to_str().expect("utf-8 path");
    let args = [
        "--backend",
        "kubernetes",
        "--kubeconfig",
        config,
        "--namespace",
        &ns.name,
    ];
    let mut tui = spawn(&home, &args);
    tui.wait_for("berth kubernetes", T)
        .expect("the status bar names the Kubernetes backend");
    let name = format!("{}/web", ns.name);
    // The list names it `web` (its namespace is the STACK column).
    services_of(&mut tui, "web", "web");
    tui.wait_for("1/1", T).expect("the deployment runs 1 of 1");
    scale_to_3(&mut tui, &name);
    tui.key("esc");
    tui.wait_screen(Duration::from_secs(30), |s| {
        s.lines()
            .any(|l| l.contains("│web ") && l.contains("deployment") && l.contains("3/3"))
    })
    .unwrap_or_else(|_| panic!("the row never showed 3/3:\n{}", tui.screen_text()));
    assert_eq!(
        kube::kubectl(&[
            "-n",
            &ns.name,
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "3"
    );
    quit(&mut tui);
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn read_only_refuses_an_operation_key_with_a_message() {
    require_engine();
    let (project, dir, _c) = project("e2ero", IMAGE_V1);
    let before = compose(&project, &dir, &["ps", "-q", "web"]);
    let home = private_dirs("e2e-ro");
    let mut tui = spawn(&home, &["--read-only"]);
    services_of(&mut tui, &project, "web");
    tui.send(&key("list", "restart"));
    // The status bar always says read-only; the refusal names the action too.
    tui.wait_screen(T, |s| {
        s.lines()
            .any(|l| l.contains("read-only") && l.contains("restart"))
    })
    .expect("a refusal that says why");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(compose(&project, &dir, &["ps", "-q", "web"]), before);
    quit(&mut tui);
    let _ = std::fs::remove_dir_all(&home);
}
