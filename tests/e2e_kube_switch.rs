//! `:ns` and `:ctx` in the real binary, in a pseudo-terminal, on the test
//! bed's Kubernetes (one kubeconfig with the admin's and the limited
//! user's contexts).

mod common;

use common::kube::{
    LIMITED_NAMESPACE, MergedKubeconfig, POD_IMAGE_V1, TestNamespace, deployment_yaml, require_kube,
};
use common::{Tui, berth_bin, unique_name};
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

#[test]
fn ns_narrows_the_console_to_one_namespace_and_ctx_moves_it_to_another_user() {
    require_kube();
    let cfg = MergedKubeconfig::create();
    let tag = unique_name("kns").replace('-', "");
    let mine = TestNamespace::create("e2ens");
    mine.apply(&deployment_yaml(
        &format!("{tag}a"),
        POD_IMAGE_V1,
        0,
        "sleep 1",
    ));
    let other = TestNamespace::create("e2ens");
    other.apply(&deployment_yaml(
        &format!("{tag}b"),
        POD_IMAGE_V1,
        0,
        "sleep 1",
    ));

    let dir = std::env::temp_dir().join(unique_name("e2e-kube"));
    std::fs::create_dir_all(&dir).expect("dir");
    let d = dir.to_str().expect("utf-8");
    let env = [
        ("BERTH_CONFIG_DIR", d),
        ("XDG_STATE_HOME", d),
        ("XDG_DATA_HOME", d),
        ("HOME", d),
    ];
    let kubeconfig = cfg.path.to_str().expect("utf-8");
    let mut tui = Tui::spawn(
        berth_bin(),
        &["--backend", "kubernetes", "--kubeconfig", kubeconfig],
        &env,
        40,
        200,
    );
    tui.wait_for("● connected", T).expect("connected");
    tui.wait_for("all namespaces", T)
        .expect("the admin's context sets no namespace: all are shown");

    // Both workloads, under a filter for this test's names.
    tui.send(":services");
    tui.key("enter");
    tui.send("/");
    tui.send(&tag);
    tui.key("enter");
    tui.wait_screen(T, |s| {
        s.contains(&format!("{tag}a")) && s.contains(&format!("{tag}b "))
    })
    .expect("both test workloads listed");

    tui.send(&format!(":ns {}", mine.name));
    tui.key("enter");
    tui.wait_for(&format!("ns {} ", mine.name), T)
        .expect("the status bar names the namespace");
    tui.wait_screen(T, |s| {
        s.contains(&format!("{tag}a")) && s.contains("● connected")
    })
    .expect("its workload, listed afresh (the filter is gone)");
    let screen = tui.screen_text();
    assert!(
        !screen.contains(&format!("{tag}b")),
        "the other namespace is gone:\n{screen}"
    );
    assert!(!screen.contains("filter:"), "filters reset:\n{screen}");

    // A name that is no namespace: one notice, still here.
    tui.send(":ns Not_A_Name");
    tui.key("enter");
    tui.wait_for("is not a namespace name", T).expect("refused");
    assert!(tui.screen_text().contains(&format!("ns {} ", mine.name)));

    // The limited user's context: its namespace, and what it may not list.
    tui.send(":ctx berth-limited");
    tui.key("enter");
    tui.wait_for(&format!("ns {LIMITED_NAMESPACE} "), T)
        .expect("the limited context's namespace");
    tui.wait_for("forbidden: list nodes (cluster-wide)", T)
        .expect("told what it may not see");
    tui.wait_for_absent(&format!("{tag}a"), T)
        .expect("the admin's namespace is not seen");

    // `:ctx` alone: the kubeconfig's contexts, the current one marked;
    // typing narrows, enter switches back.
    tui.send(":ctx");
    tui.key("enter");
    tui.wait_screen(T, |s| {
        s.contains("context (3/3)") && s.contains("● berth-limited") && s.contains("berth-test")
    })
    .expect("the context picker");
    eprintln!("{}", tui.screen_text());
    tui.send("test");
    tui.wait_for("context (1/3)", T).expect("narrowed");
    tui.key("enter");
    tui.wait_for("all namespaces", T)
        .expect("back on the admin's context");
    tui.wait_for("● connected", T).expect("connected");

    tui.key("q");
    assert!(tui.wait_exit(Duration::from_secs(10)).is_some(), "quits");
    let _ = std::fs::remove_dir_all(&dir);
}
