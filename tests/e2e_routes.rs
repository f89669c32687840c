//! The routes view end to end: the real binary in a pseudo-terminal
//! against the real engine — open it, filter by host, see the probe's
//! status, describe the route, follow it to its containers and their logs.

mod common;

use berth::app::Action;
use berth::config::Mode;
use common::*;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

#[test]
fn a_route_is_filtered_by_host_described_and_followed_to_its_containers_and_logs() {
    require_engine();
    let tag = unique_name("e2er");
    let host = format!("{tag}.test");
    let mut cleanup = Cleanup::new();
    let project = unique_name("e2erp");
    let yaml = format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {IMAGE_V1}\n    \
         command: [\"sh\", \"-c\", \"echo started-{tag}; exec httpd -f -p 8080 -h /var/www\"]\n    \
         init: true\n    stop_grace_period: 1s\n    scale: 2\n    labels:\n      berth.test: \"1\"\n      \
         traefik.http.routers.{tag}.rule: \"Host(`{host}`) && PathPrefix(`/`)\"\n      \
         traefik.http.services.{tag}.loadbalancer.server.port: \"8080\"\n"
    );
    let dir = compose_up(&project, &yaml);
    cleanup.project(&project, &dir);

    let home = std::env::temp_dir().join(unique_name("e2er-home"));
    std::fs::create_dir_all(&home).expect("home");
    let d = home.to_str().expect("utf-8");
    let env = [
        ("BERTH_CONFIG_DIR", d),
        ("XDG_STATE_HOME", d),
        ("XDG_DATA_HOME", d),
        ("HOME", d),
    ];
    let mut tui = Tui::spawn(berth_bin(), &[], &env, 40, 180);
    tui.wait_for("● connected", T).expect("connected");
    tui.send(&key_for(Mode::Global, Action::ViewRoutes));
    tui.wait_for("routes(all)", T).expect("the routes view");

    // Filter to this test's host: a busy engine may have many routes.
    tui.send(&key_for(Mode::List, Action::Filter));
    tui.send(&host);
    tui.key("enter");
    tui.wait_screen(T, |s| {
        s.contains("[1/") && s.lines().any(|l| l.contains(&host) && l.contains("up "))
    })
    .unwrap_or_else(|e| panic!("the route, probed up: {e}\n{}", tui.screen_text()));
    let row = tui
        .screen_text()
        .lines()
        .find(|l| l.contains(&host) && !l.contains("routes("))
        .map(str::to_owned)
        .expect("row");
    assert!(row.contains("8080"), "{row}");

    // The route in full: both replicas as backends, each probed.
    tui.send(&key_for(Mode::List, Action::Describe));
    tui.wait_screen(T, |s| {
        s.contains(&format!("route {tag} (traefik-v2)"))
            && s.contains(&format!("{project}/web, port 8080"))
            && s.matches(":8080 ").count() >= 2
            && s.matches(" up ").count() >= 2
    })
    .unwrap_or_else(|e| {
        panic!(
            "the description with two backends up: {e}\n{}",
            tui.screen_text()
        )
    });
    tui.key("esc");
    tui.wait_for_absent(&format!("route {tag} (traefik-v2)"), T)
        .expect("the description closes");

    // Follow the route to its service's containers, then their logs.
    tui.key("enter");
    tui.wait_screen(T, |s| {
        s.contains(&format!("containers({project}/web)")) && s.contains("[2]")
    })
    .unwrap_or_else(|e| panic!("the service's two containers: {e}\n{}", tui.screen_text()));
    tui.send(&key_for(Mode::List, Action::Logs));
    tui.wait_for(&format!("started-{tag}"), T)
        .unwrap_or_else(|e| panic!("the container's logs: {e}\n{}", tui.screen_text()));

    tui.send(&key_for(Mode::Global, Action::Quit));
    let status = tui.wait_exit(T).expect("berth exits");
    assert!(status.success(), "exit status {status:?}");
    assert!(tui.terminal_state().restored(), "terminal restored");
    let _ = std::fs::remove_dir_all(&home);
}
