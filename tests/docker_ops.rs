//! Operations of the Docker backend against the real engine and the test
//! bed's registry (127.0.0.1:5000): restart, redeploy, rollback, scale, and
//! what happens when a pull or a replacement fails.

mod common;

use berth::backend::Backend;
use berth::backend::docker::DockerBackend;
use berth::domain::{
    OpEvent, OpKind, OpRequest, Outcome, Plan, ServiceKind, ServiceMode, ServiceRef, Step,
    TargetRef,
};
use common::live::local_backend;
use common::ops::{self, req};
use common::*;
use serde_json::{Value, json};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const REGISTRY: &str = "127.0.0.1:5000";

fn image_id(image: &str) -> String {
    docker(&["image", "inspect", "--format", "{{.Id}}", image])
}

/// Pushes `src` to the registry as `reference`, then points the local tag
/// back at `local` (when given), so that only a real pull brings the
/// pushed image.
fn push_as(tags: &mut Tags, src: &str, reference: &str, local: Option<&str>) {
    tags.tag(src, reference);
    docker(&["push", reference]);
    if let Some(l) = local {
        tags.tag(l, reference);
    }
}

fn service(project: &str, svc: &str) -> TargetRef {
    let id = format!("{project}/{svc}");
    TargetRef::Service(ServiceRef {
        id: id.clone(),
        name: id,
        kind: ServiceKind::Compose,
        mode: ServiceMode::Replicated,
    })
}

fn standalone(name: &str) -> TargetRef {
    TargetRef::Service(ServiceRef {
        id: name.to_owned(),
        name: name.to_owned(),
        kind: ServiceKind::Standalone,
        mode: ServiceMode::Replicated,
    })
}

// Typed for the engine's backend, so that the `Arc` the tests hold derefs
// to it.
async fn plan(backend: &DockerBackend, r: OpRequest) -> Plan {
    ops::plan(backend, r).await
}

/// Runs a plan to its end, waiting up to 180 s for each event.
async fn execute(backend: &DockerBackend, p: Plan) -> (Vec<OpEvent>, Outcome, String) {
    ops::execute_within(backend, p, Duration::from_secs(180)).await
}

async fn run(backend: &DockerBackend, r: OpRequest) -> (Vec<OpEvent>, Outcome, String) {
    let p = plan(backend, r).await;
    execute(backend, p).await
}

fn names(project: &str, n: &[u32]) -> Vec<String> {
    n.iter().map(|i| format!("{project}_web_{i}")).collect()
}

/// What must survive a replacement, from `docker inspect`: everything but
/// the id, the image, the auto hostname and berth's own labels.
fn comparable(c: &Value) -> Value {
    let short = &c["Id"].as_str().expect("id")[..12];
    let mut labels = c["Config"]["Labels"].clone();
    if let Some(l) = labels.as_object_mut() {
        l.retain(|k, _| k != "berth.previous-image" && k != "berth.image-ref");
    }
    let mut host = c["HostConfig"].clone();
    // Anonymous volumes move from Config.Volumes to Binds when carried over:
    // compared through Mounts below.
    host.as_object_mut().map(|h| h.remove("Binds"));
    let mut networks = json!({});
    for (name, ep) in c["NetworkSettings"]["Networks"]
        .as_object()
        .expect("networks")
    {
        let mut aliases: Vec<String> = ep["Aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .filter(|a| *a != short)
            .map(str::to_owned)
            .collect();
        aliases.sort();
        networks[name] = json!(aliases);
    }
    let mut mounts: Vec<Value> = c["Mounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .map(|m| json!([m["Type"], m["Name"], m["Destination"], m["RW"]]))
        .collect();
    mounts.sort_by_key(|m| m.to_string());
    json!({
        "Name": c["Name"],
        "Env": c["Config"]["Env"],
        "Cmd": c["Config"]["Cmd"],
        "Entrypoint": c["Config"]["Entrypoint"],
        "WorkingDir": c["Config"]["WorkingDir"],
        "User": c["Config"]["User"],
        "ExposedPorts": c["Config"]["ExposedPorts"],
        "Volumes": c["Config"]["Volumes"],
        "Labels": labels,
        "HostConfig": host,
        "Networks": networks,
        "Mounts": mounts,
    })
}

/// A compose project whose `web` service uses `image`, with env, a
/// published container port, a network alias, a label, an anonymous volume.
fn rich_project(prefix: &str, image: &str, scale: u32) -> (String, std::path::PathBuf, Cleanup) {
    let project = unique_name(prefix);
    let yaml = format!(
        r#"version: "2.4"
services:
  web:
    image: {image}
    command: ["httpd", "-f", "-p", "80", "-h", "/var/www"]
    init: true
    stop_grace_period: 1s
    scale: {scale}
    environment:
      GREETING: hello
      MODE: test
    ports: ["80"]
    labels:
      berth.test: "1"
      app.role: web
    volumes: ["/data"]
    networks:
      back:
        aliases: [webalias]
networks:
  back: {{}}
"#
    );
    let mut cleanup = Cleanup::new();
    let dir = std::env::temp_dir().join(format!("berth-test-compose-{project}"));
    cleanup.project(&project, &dir);
    compose_up(&project, &yaml);
    // A redeploy carries the anonymous volumes over by name, which makes
    // them named to the engine: `down -v` would leave them behind.
    for id in docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ])
    .lines()
    {
        for v in docker(&[
            "inspect",
            "--format",
            "{{range .Mounts}}{{.Name}} {{end}}",
            id,
        ])
        .split_whitespace()
        {
            cleanup.volume(v);
        }
    }
    (project, dir, cleanup)
}

/// A redeploy carries anonymous volumes over by name, which makes them
/// named to the engine: `down -v` would leave them behind.
fn track_volumes(project: &str, cleanup: &mut Cleanup) {
    let filter = format!("label=com.docker.compose.project={project}");
    for id in docker(&["ps", "-aq", "--filter", &filter]).lines() {
        let format = "{{range .Mounts}}{{if eq .Type \"volume\"}}{{.Name}} {{end}}{{end}}";
        for v in docker(&["inspect", "--format", format, id]).split_whitespace() {
            cleanup.volume(v);
        }
    }
}

fn running_ids(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            assert_eq!(container_state(n).as_deref(), Some("running"), "{n} runs");
            docker(&["inspect", "--format", "{{.Id}}", n])
        })
        .collect()
}

fn compose_ps(project: &str, dir: &std::path::Path) -> String {
    compose(project, dir, &["ps"])
}

#[tokio::test]
async fn redeploy_pulls_the_tag_again_replaces_each_replica_and_rollback_goes_back() {
    let mut tags = Tags::default();
    let backend = local_backend().await;
    let repo = format!("{REGISTRY}/{}", unique_name("berth-redeploy"));
    let reference = format!("{repo}:1");
    push_as(&mut tags, IMAGE_V1, &reference, None);
    let (project, dir, _cleanup) = rich_project("ops-redeploy", &reference, 2);
    let replicas = names(&project, &[1, 2]);
    let before: Vec<Value> = replicas.iter().map(|n| docker_inspect(n)).collect();
    let old_ids = running_ids(&replicas);
    docker(&["exec", &replicas[0], "sh", "-c", "echo kept > /data/proof"]);

    // The registry gets v2 under the same tag; the host still has v1 there.
    push_as(&mut tags, IMAGE_V2, &reference, Some(IMAGE_V1));
    let (v1, v2) = (image_id(IMAGE_V1), image_id(IMAGE_V2));
    assert_eq!(image_id(&reference), v1);

    let target = service(&project, "web");
    let p = plan(&backend, req(OpKind::Redeploy, &target, None)).await;
    assert!(
        p.summary.starts_with(&format!(
            "redeploy {project}/web on docker unix:///var/run/docker.sock — 2 containers, image {reference} pulled again (registry has sha256:"
        )),
        "{}",
        p.summary
    );
    assert!(p.summary.contains(", running sha256:"), "{}", p.summary);
    assert_eq!(p.replicas, replicas);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let t0 = Instant::now();
    let (events, outcome, message) = execute(&backend, p).await;
    eprintln!("2-replica redeploy took {:?}", t0.elapsed());
    assert_eq!(outcome, Outcome::Converged, "{message}");
    for r in &replicas {
        assert!(
            events.iter().any(|e| matches!(e,
                OpEvent::Step { replica, done: true, step: berth::domain::Step::OldRemoved, .. } if replica == r)),
            "{r} ends with old removed: {events:?}"
        );
    }
    let new_ids = running_ids(&replicas);
    for (i, r) in replicas.iter().enumerate() {
        assert_ne!(new_ids[i], old_ids[i], "{r} was replaced");
        assert!(!container_exists(&old_ids[i]), "the old {r} is removed");
        let after = docker_inspect(r);
        assert_eq!(after["Image"].as_str(), Some(v2.as_str()), "{r} runs v2");
        assert_eq!(after["Config"]["Image"].as_str(), Some(reference.as_str()));
        assert_eq!(
            after["Config"]["Labels"]["berth.previous-image"].as_str(),
            Some(v1.as_str())
        );
        assert_eq!(
            comparable(&after),
            comparable(&before[i]),
            "{r} kept its configuration"
        );
    }
    assert_eq!(
        docker(&["exec", &replicas[0], "cat", "/data/proof"]),
        "kept",
        "the anonymous volume carried over"
    );
    let ps = compose_ps(&project, &dir);
    for r in &replicas {
        assert!(
            ps.lines()
                .any(|l| l.starts_with(r.as_str()) && l.contains(" Up ")),
            "{ps}"
        );
    }

    // Rollback runs v1 again and records v2: a second rollback rolls forward.
    let p = plan(&backend, req(OpKind::Rollback, &target, None)).await;
    assert!(p.summary.contains("previous image"), "{}", p.summary);
    assert!(
        p.details.iter().any(|d| d.starts_with("image: ")),
        "{:?}",
        p.details
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    for (i, r) in replicas.iter().enumerate() {
        let after = docker_inspect(r);
        assert_eq!(
            after["Image"].as_str(),
            Some(v1.as_str()),
            "{r} runs v1 again"
        );
        assert_eq!(
            after["Config"]["Labels"]["berth.previous-image"].as_str(),
            Some(v2.as_str())
        );
        assert_eq!(comparable(&after), comparable(&before[i]));
    }
    let (_, outcome, message) = run(&backend, req(OpKind::Rollback, &target, None)).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(
        docker_inspect(&replicas[1])["Image"].as_str(),
        Some(v2.as_str())
    );
    // A later redeploy pulls the recorded reference, not the image id.
    let (_, outcome, message) = run(&backend, req(OpKind::Redeploy, &target, None)).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(
        docker_inspect(&replicas[0])["Config"]["Image"].as_str(),
        Some(reference.as_str())
    );
}

#[tokio::test]
async fn an_image_built_on_this_host_is_recreated_from_its_local_tag() {
    let mut tags = Tags::default();
    let backend = local_backend().await;
    let local = format!("local/{}:1", unique_name("berth-built"));
    tags.tag(IMAGE_V1, &local);
    let name = unique_name("ops-local");
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    let old = run_container(&name, &local, &["sleep", "300"], &["-e", "KEEP=1"]);
    // Rebuilt here: the tag now names another image.
    let built = Command::new("docker")
        .args(["build", "-q", "-t", &local, "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(
                format!("FROM {IMAGE_V2}\nLABEL rebuilt=yes\nENV MODE=new\n").as_bytes(),
            )?;
            c.wait_with_output()
        })
        .expect("docker build");
    assert!(built.status.success(), "{built:?}");
    let new_image = image_id(&local);

    let target = standalone(&name);
    let p = plan(&backend, req(OpKind::Redeploy, &target, None)).await;
    let short = &new_image[..19];
    assert!(
        p.summary.contains(&format!(
            "image {local} was built on this host: recreated from the local tag ({short}…)"
        )),
        "{}",
        p.summary
    );
    assert_eq!(
        p.warnings.len(),
        1,
        "a lone container is down while replaced"
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let after = docker_inspect(&name);
    assert_ne!(after["Id"].as_str(), Some(old.as_str()));
    assert_eq!(after["Image"].as_str(), Some(new_image.as_str()));
    assert_eq!(
        after["Config"]["Labels"]["rebuilt"].as_str(),
        Some("yes"),
        "the new image's labels apply"
    );
    assert_eq!(after["Config"]["Labels"]["berth.test"].as_str(), Some("1"));
    let env: Vec<&str> = after["Config"]["Env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        env.contains(&"KEEP=1") && env.contains(&"MODE=new"),
        "{env:?}"
    );
    assert_eq!(after["HostConfig"]["Init"].as_bool(), Some(true));

    // The rollback plan names what changes back: the image and its env.
    let p = plan(&backend, req(OpKind::Rollback, &target, None)).await;
    assert!(
        p.details.iter().any(|d| d == "env changes: MODE"),
        "{:?}",
        p.details
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let back = docker_inspect(&name);
    assert_eq!(back["Image"].as_str(), Some(image_id(IMAGE_V1).as_str()));
    assert!(
        !back["Config"]["Env"].to_string().contains("MODE="),
        "the old image's env applies"
    );
    assert_eq!(back["Config"]["Labels"]["rebuilt"], Value::Null);
}

#[tokio::test]
async fn scale_follows_compose_names_and_numbers_and_zero_keeps_the_containers() {
    let backend = local_backend().await;
    let (project, dir, mut cleanup) = rich_project("ops-scale", IMAGE_V1, 2);
    let target = service(&project, "web");

    let p = plan(&backend, req(OpKind::Scale, &target, Some(3))).await;
    assert_eq!(
        p.summary,
        format!(
            "scale {project}/web on docker unix:///var/run/docker.sock from 2 to 3: creates {project}_web_3"
        )
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let all = names(&project, &[1, 2, 3]);
    running_ids(&all);
    let third = docker_inspect(&all[2]);
    let first = docker_inspect(&all[0]);
    assert_eq!(
        third["Config"]["Labels"]["com.docker.compose.container-number"].as_str(),
        Some("3")
    );
    let alias_net = format!("{project}_back");
    let aliases = &third["NetworkSettings"]["Networks"][&alias_net]["Aliases"];
    assert!(aliases.to_string().contains("webalias"), "{aliases}");
    let volume = |c: &Value| {
        c["Mounts"]
            .as_array()
            .expect("mounts")
            .iter()
            .find(|m| m["Destination"] == "/data")
            .map(|m| m["Name"].clone())
    };
    assert!(volume(&third).is_some(), "the new replica has /data");
    assert_ne!(volume(&third), volume(&first), "…of its own");
    let ps = compose_ps(&project, &dir);
    for n in &all {
        assert!(ps.contains(n.as_str()), "compose sees {n}: {ps}");
    }

    // Three replicas replaced one at a time: the benchmarked path.
    let t0 = Instant::now();
    let (_, outcome, message) = run(&backend, req(OpKind::Redeploy, &target, None)).await;
    eprintln!("3-replica redeploy took {:?}", t0.elapsed());
    assert_eq!(outcome, Outcome::Converged, "{message}");
    track_volumes(&project, &mut cleanup);
    let third_volume = volume(&docker_inspect(&all[2])).expect("web_3 has /data");
    let third_volume = third_volume.as_str().expect("volume name").to_owned();

    let p = plan(&backend, req(OpKind::Scale, &target, Some(1))).await;
    assert!(
        p.summary.ends_with(&format!(
            "from 3 to 1: removes {project}_web_3, {project}_web_2"
        )),
        "{}",
        p.summary
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(!container_exists(&all[1]) && !container_exists(&all[2]));
    assert!(
        !docker_ok(&["volume", "inspect", &third_volume]),
        "the removed replica's anonymous volume went with it"
    );
    running_ids(&all[..1]);
    let ps = compose_ps(&project, &dir);
    assert!(
        ps.contains(all[0].as_str()) && !ps.contains(all[1].as_str()),
        "{ps}"
    );

    let p = plan(&backend, req(OpKind::Scale, &target, Some(0))).await;
    assert!(p.confirm_twice, "scaling to 0 asks twice");
    assert!(
        p.summary.ends_with("stops every container (kept)"),
        "{}",
        p.summary
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(container_state(&all[0]).as_deref(), Some("exited"));

    // A redeploy replaces a stopped replica but does not start it.
    let stopped_id = docker(&["inspect", "--format", "{{.Id}}", &all[0]]);
    let (_, outcome, message) = run(&backend, req(OpKind::Redeploy, &target, None)).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert_eq!(container_state(&all[0]).as_deref(), Some("created"));
    assert_ne!(
        docker(&["inspect", "--format", "{{.Id}}", &all[0]]),
        stopped_id
    );

    let p = plan(&backend, req(OpKind::Scale, &target, Some(2))).await;
    assert!(
        p.summary.ends_with(&format!(
            "from 0 to 2: starts {project}_web_1, creates {project}_web_2"
        )),
        "{}",
        p.summary
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    running_ids(&all[..2]);
}

#[tokio::test]
async fn restart_keeps_a_replica_running_at_every_moment() {
    let backend = local_backend().await;
    let (project, _dir, _cleanup) = compose_project("ops-restart", &[("web", "sleep 300", 2)]);
    let replicas = names(&project, &[1, 2]);
    let started = |n: &str| docker(&["inspect", "--format", "{{.State.StartedAt}}", n]);
    let before: Vec<String> = replicas.iter().map(|n| started(n)).collect();

    let stop = Arc::new(AtomicBool::new(false));
    let fewest = Arc::new(AtomicUsize::new(usize::MAX));
    let filter = format!("label=com.docker.compose.project={project}");
    let watcher = {
        let (stop, fewest) = (stop.clone(), fewest.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let up = docker(&[
                    "ps",
                    "-q",
                    "--filter",
                    &filter,
                    "--filter",
                    "status=running",
                ])
                .lines()
                .count();
                fewest.fetch_min(up, Ordering::Relaxed);
            }
        })
    };
    let (events, outcome, message) = run(
        &backend,
        req(OpKind::Restart, &service(&project, "web"), None),
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    watcher.join().expect("watcher");
    assert_eq!(outcome, Outcome::Converged, "{message}");
    // 1 when the poller caught a replica restarting, 2 if it was too quick.
    let fewest = fewest.load(Ordering::Relaxed);
    eprintln!("fewest replicas running during the restart: {fewest}");
    assert!(
        (1..=2).contains(&fewest),
        "a replica ran throughout: {fewest}"
    );
    for (i, n) in replicas.iter().enumerate() {
        assert_ne!(started(n), before[i], "{n} restarted");
    }
    // One at a time: the second starts restarting after the first runs.
    let order: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            OpEvent::Step { replica, step, .. } => Some(format!("{replica}:{}", step.label())),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        vec![
            format!("{}:restarting", replicas[0]),
            format!("{}:running", replicas[0]),
            format!("{}:restarting", replicas[1]),
            format!("{}:running", replicas[1]),
        ]
    );
}

#[tokio::test]
async fn a_replacement_that_cannot_start_puts_the_old_container_back() {
    let mut tags = Tags::default();
    let backend = local_backend().await;
    let repo = format!("{REGISTRY}/{}", unique_name("berth-broken"));
    let reference = format!("{repo}:1");
    push_as(&mut tags, IMAGE_V1, &reference, None);
    let (project, _dir, _cleanup) = rich_project("ops-restore", &reference, 2);
    let replicas = names(&project, &[1, 2]);
    let old_ids = running_ids(&replicas);

    let broken = format!("local/{}:1", unique_name("berth-broken"));
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "printf 'FROM {IMAGE_V1}\\nENTRYPOINT [\"/nonexistent\"]\\n' | docker build -q -t {broken} -"
        ))
        .output()
        .expect("docker build");
    assert!(out.status.success(), "{out:?}");
    tags.keep(&broken);
    push_as(&mut tags, &broken, &reference, Some(IMAGE_V1));

    let (events, outcome, message) = run(
        &backend,
        req(OpKind::Redeploy, &service(&project, "web"), None),
    )
    .await;
    assert_eq!(outcome, Outcome::Restored, "{message}");
    assert!(message.contains(&replicas[0]), "{message}");
    assert!(
        events.iter().any(|e| matches!(e,
            OpEvent::Step { replica, step: berth::domain::Step::Restored, done: true, .. } if *replica == replicas[0])),
        "{events:?}"
    );
    assert_eq!(
        running_ids(&replicas),
        old_ids,
        "the old containers run under their names"
    );
    let leftovers = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("name={}", &old_ids[0][..12]),
    ]);
    assert!(
        leftovers.is_empty(),
        "the failed replacement is gone: {leftovers}"
    );
}

#[tokio::test]
async fn a_pull_that_fails_changes_nothing() {
    let mut tags = Tags::default();
    let backend = local_backend().await;
    let name = unique_name("berth-gone");
    let reference = format!("{REGISTRY}/{name}:1");
    push_as(&mut tags, IMAGE_V1, &reference, None);
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    let old = run_container(&name, &reference, &["sleep", "300"], &[]);

    // The tag disappears from the registry (delete is enabled in the test bed).
    let digest = docker(&[
        "image",
        "inspect",
        "--format",
        "{{index .RepoDigests 0}}",
        &reference,
    ]);
    let digest = digest.split_once('@').expect("repo digest").1;
    let url = format!("http://{REGISTRY}/v2/{name}/manifests/{digest}");
    let out = Command::new("curl")
        .args(["-sf", "-X", "DELETE", &url])
        .output()
        .expect("curl");
    assert!(out.status.success(), "delete {url}: {out:?}");

    let target = standalone(&name);
    let p = plan(&backend, req(OpKind::Redeploy, &target, None)).await;
    assert!(
        p.warnings
            .iter()
            .any(|w| w.starts_with("the registry could not be asked: ")),
        "{:?}",
        p.warnings
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Failed);
    assert!(
        message.starts_with(&format!("pull {reference} failed: ")),
        "{message}"
    );
    assert!(
        message.contains("manifest unknown") || message.contains("not found"),
        "{message}"
    );
    assert!(message.ends_with("nothing was changed"), "{message}");
    assert_eq!(running_ids(std::slice::from_ref(&name)), vec![old]);
}

#[tokio::test]
async fn plans_refuse_what_cannot_be_done_and_say_why() {
    let backend = local_backend().await;
    let (name, _cleanup) = sh_container("ops-refuse", "sleep 300", &[]);
    let err = backend
        .plan(req(OpKind::Scale, &standalone(&name), Some(2)))
        .await
        .expect_err("a standalone container cannot scale");
    assert_eq!(
        err.to_string(),
        format!("{name} is a standalone container, not a compose service: it cannot scale")
    );

    // Stopping a --rm container deletes it: no way back if its replacement failed.
    let (auto, _c3) = sh_container("ops-autorm", "sleep 300", &["--rm"]);
    let err = backend
        .plan(req(OpKind::Redeploy, &standalone(&auto), None))
        .await
        .expect_err("a --rm container is not replaced");
    assert!(
        err.to_string()
            .starts_with(&format!("{auto} was started with --rm")),
        "{err}"
    );

    let (paused, _c4) = sh_container("ops-paused", "sleep 300", &[]);
    docker(&["pause", &paused]);
    let err = backend
        .plan(req(OpKind::Redeploy, &standalone(&paused), None))
        .await
        .expect_err("a paused container is not replaced");
    assert_eq!(
        err.to_string(),
        format!("{paused} is paused: unpause it first")
    );

    let (project, _dir, _c2) = compose_project("ops-norollback", &[("web", "sleep 300", 1)]);
    let err = backend
        .plan(req(OpKind::Rollback, &service(&project, "web"), None))
        .await
        .expect_err("nothing to roll back to");
    assert_eq!(
        err.to_string(),
        format!("{project}/web has no previous image: berth records one at each redeploy")
    );
}

#[tokio::test]
async fn cancelling_finishes_the_replica_in_hand_and_leaves_the_rest() {
    let backend = local_backend().await;
    let (project, _dir, _cleanup) = compose_project("ops-cancel", &[("web", "sleep 300", 2)]);
    let replicas = names(&project, &[1, 2]);
    let old_ids = running_ids(&replicas);
    let p = plan(
        &backend,
        req(OpKind::Redeploy, &service(&project, "web"), None),
    )
    .await;
    // Asked to stop while the first replica is being replaced.
    let (outcome, message) =
        ops::execute_cancelled_at(&*backend, p, Step::Creating, Duration::from_secs(120)).await;
    assert_eq!(outcome, Outcome::Cancelled, "{message}");
    let now = running_ids(&replicas);
    assert_ne!(now[0], old_ids[0], "the replica in hand was finished");
    assert_eq!(now[1], old_ids[1], "the next one was not touched");
}

#[tokio::test]
async fn restart_waits_for_a_healthcheck_to_pass() {
    let backend = local_backend().await;
    let (name, _cleanup) = sh_container(
        "ops-health",
        "sleep 300",
        &["--health-cmd", "true", "--health-interval", "1s"],
    );
    assert!(wait_until(
        Duration::from_secs(20),
        Duration::from_millis(200),
        || { docker(&["inspect", "--format", "{{.State.Health.Status}}", &name]) == "healthy" }
    ));
    let (events, outcome, message) =
        run(&backend, req(OpKind::Restart, &standalone(&name), None)).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(
        events.iter().any(|e| matches!(
            e,
            OpEvent::Step {
                step: berth::domain::Step::Healthy,
                done: true,
                ..
            }
        )),
        "{events:?}"
    );
    assert_eq!(
        docker(&["inspect", "--format", "{{.State.Health.Status}}", &name]),
        "healthy"
    );
}

#[tokio::test]
async fn a_stop_that_outlasts_the_client_timeout_still_converges() {
    let backend = local_backend().await;
    // `sleep` as PID 1 ignores SIGTERM: the stop takes the whole 17 s grace
    // period, longer than the 15 s the client waits for other answers.
    let name = unique_name("ops-slowstop");
    let mut cleanup = Cleanup::new();
    cleanup.container(&name);
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        TEST_LABEL,
        "--stop-timeout",
        "17",
        IMAGE_V1,
        "sleep",
        "300",
    ]);
    let t0 = Instant::now();
    let (_, outcome, message) = run(&backend, req(OpKind::Stop, &standalone(&name), None)).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    assert!(
        t0.elapsed() >= Duration::from_secs(16),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(container_state(&name).as_deref(), Some("exited"));
}

#[tokio::test]
async fn redeploying_one_container_of_a_service_leaves_its_siblings() {
    let backend = local_backend().await;
    let (project, _dir, _cleanup) = compose_project("ops-one", &[("web", "sleep 300", 2)]);
    let replicas = names(&project, &[1, 2]);
    let old_ids = running_ids(&replicas);
    let target = TargetRef::Container(berth::domain::ContainerRef {
        id: old_ids[1].clone(),
        name: replicas[1].clone(),
        service_id: format!("{project}/web"),
        service_kind: ServiceKind::Compose,
    });
    let p = plan(&backend, req(OpKind::Redeploy, &target, None)).await;
    assert_eq!(p.replicas, vec![replicas[1].clone()]);
    assert_eq!(
        p.warnings,
        vec![format!("{} is down while it is replaced", replicas[1])]
    );
    let (_, outcome, message) = execute(&backend, p).await;
    assert_eq!(outcome, Outcome::Converged, "{message}");
    let now = running_ids(&replicas);
    assert_eq!(now[0], old_ids[0]);
    assert_ne!(now[1], old_ids[1]);
    let labels = &docker_inspect(&replicas[1])["Config"]["Labels"];
    assert_eq!(
        labels["com.docker.compose.container-number"].as_str(),
        Some("2")
    );
}
