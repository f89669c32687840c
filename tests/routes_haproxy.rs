//! Routes from haproxy configs on the real engine: an haproxy container
//! (local/haproxy:1) with a bind-mounted config really routes by host to a
//! busybox httpd container, and berth reads that config through the engine
//! and shows the route reaching that container; on the swarm, an haproxy
//! task's config is read through its container.

mod common;

use berth::backend::docker::{DockerBackend, resolve_endpoint};
use berth::backend::{Backend, ContainerFile};
use berth::domain::Snapshot;
use berth::routes::haproxy;
use common::live::local_backend;
use common::swarm::SwarmService;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const HAPROXY_IMAGE: &str = "local/haproxy:1";
const CFG_PATH: &str = "/usr/local/etc/haproxy/haproxy.cfg";

/// A directory for the configs a test bind-mounts, removed however it ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(unique_name(prefix));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write config");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The container's address on the default bridge.
fn ip_of(name: &str) -> String {
    let ip = docker(&[
        "inspect",
        "--format",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        name,
    ]);
    assert!(!ip.is_empty(), "{name} has no IP address");
    ip
}

/// A busybox httpd serving "v1" on :8080: its name, id and IP.
fn web(cleanup: &mut Cleanup) -> (String, String, String) {
    let name = unique_name("hp-web");
    cleanup.container(&name);
    let id = run_container(
        &name,
        IMAGE_V1,
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
        &[],
    );
    let ip = ip_of(&name);
    (name, id, ip)
}

/// An HTTP/1.0 GET with a Host header: the status line and the body.
fn get(ip: &str, port: u16, host: &str) -> std::io::Result<(String, String)> {
    let mut s = TcpStream::connect_timeout(
        &format!("{ip}:{port}").parse().expect("addr"),
        Duration::from_secs(2),
    )?;
    s.set_read_timeout(Some(Duration::from_secs(3)))?;
    write!(s, "GET / HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.trim().to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn edge_config(web_ip: &str) -> String {
    format!(
        "global\n  maxconn 100\n\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  \
         timeout server 30s\n\nfrontend web-in\n  bind :80\n  acl host_web hdr(host) -i web.berth.test\n  \
         use_backend web if host_web\n\nbackend web\n  server web1 {web_ip}:8080 check\n"
    )
}

/// berth's view: the snapshot and the configs read through the engine,
/// the config of `container_id` picked out.
async fn read_through_berth(container_id: &str) -> (Arc<Snapshot>, ContainerFile) {
    let backend = local_backend().await;
    let snap = Arc::new(backend.snapshot().await.expect("snapshot"));
    let files = backend.haproxy_configs(snap.clone()).await;
    let file = files
        .into_iter()
        .find(|f| f.container_id == container_id)
        .unwrap_or_else(|| panic!("no config read from {container_id}"));
    (snap, file)
}

fn wait_for_routing(ip: &str) -> (String, String) {
    let mut last = Err(std::io::Error::other("no request yet"));
    let ok = wait_until(Duration::from_secs(20), Duration::from_millis(250), || {
        last = get(ip, 80, "web.berth.test");
        matches!(&last, Ok((_, body)) if body == "v1")
    });
    assert!(
        ok,
        "haproxy at {ip}:80 does not route web.berth.test to the httpd: {last:?}"
    );
    last.expect("answer")
}

#[tokio::test]
async fn haproxy_routes_by_host_to_a_container_and_berth_shows_that_route() {
    require_engine();
    let dir = TempDir::new("hp-cfg");
    let mut cleanup = Cleanup::new();
    let (web_name, web_id, web_ip) = web(&mut cleanup);
    let cfg_file = dir.write("haproxy.cfg", &edge_config(&web_ip));
    let hp = unique_name("hp-edge");
    cleanup.container(&hp);
    let mount = format!("{}:{CFG_PATH}:ro", cfg_file.display());
    let hp_id = run_container(&hp, HAPROXY_IMAGE, &[], &["-v", &mount]);
    let hp_ip = ip_of(&hp);

    // haproxy really routes: the right host reaches the httpd, another
    // host reaches nothing (no default backend: 503).
    let (status, _) = wait_for_routing(&hp_ip);
    assert!(status.contains(" 200"), "{status}");
    let (other, _) = get(&hp_ip, 80, "other.berth.test").expect("answer for another host");
    assert!(
        other.contains(" 503"),
        "another host gets no backend: {other}"
    );

    let (snap, file) = read_through_berth(&hp_id).await;
    assert_eq!(file.origin, format!("{hp}:{CFG_PATH}"));
    let text = file.text.expect("the config is read");
    assert_eq!(text, edge_config(&web_ip), "the config as mounted");

    let cfg = haproxy::parse(&text);
    assert_eq!(cfg.problems, vec![]);
    // The snapshot carries each container's IPs: the server's is the httpd's.
    let routes = haproxy::routes(&cfg, &file.origin, &snap, &haproxy::addresses(&snap));
    assert_eq!(routes.len(), 1, "{routes:#?}");
    let r = &routes[0];
    assert_eq!(r.name, "web-in/web");
    assert_eq!(r.hosts, ["web.berth.test"]);
    assert_eq!(r.entrypoints, [":80"]);
    assert_eq!(r.rule, "if host_web");
    assert!(!r.tls);
    assert_eq!(r.port, Some(8080));
    assert_eq!(r.backends.len(), 1);
    assert_eq!(r.backends[0].container_id, web_id, "matched by its IP");
    assert_eq!(r.backends[0].address, web_ip);
    assert_eq!(r.backends[0].port, 8080);
    let web = snap
        .containers
        .iter()
        .find(|c| c.id == web_id)
        .expect("web in snapshot");
    assert_eq!(r.service_id, web.service_id);
    assert_eq!(
        r.service, web_name,
        "a standalone container is its own service"
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

#[tokio::test]
async fn a_config_directory_is_read_whole_and_its_files_make_one_config() {
    require_engine();
    let dir = TempDir::new("hp-dir");
    let mut cleanup = Cleanup::new();
    let (web_name, web_id, _) = web(&mut cleanup);
    // The frontend in one file, the backend in the next (by name), a
    // non-.cfg file ignored; the server is named by container name, on a
    // network both share.
    let net = unique_name("hp-net");
    cleanup.network(&net);
    docker(&["network", "create", "--label", TEST_LABEL, &net]);
    docker(&["network", "connect", &net, &web_name]);
    dir.write(
        "10-frontend.cfg",
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\
         frontend fe\n  bind :80\n  use_backend site if { hdr(host) -i web.berth.test } { path_beg / }\n",
    );
    dir.write(
        "20-backend.cfg",
        &format!("backend site\n  server w {web_name}:8080\n"),
    );
    dir.write("README", "not a config\n");
    let hp = unique_name("hp-conf-d");
    cleanup.container(&hp);
    let mount = format!("{}:/usr/local/etc/haproxy/conf.d:ro", dir.0.display());
    let hp_id = run_container(
        &hp,
        HAPROXY_IMAGE,
        &["haproxy", "-f", "/usr/local/etc/haproxy/conf.d", "-db"],
        &["-v", &mount, "--network", &net],
    );
    wait_for_routing(&ip_of(&hp));

    let (snap, file) = read_through_berth(&hp_id).await;
    assert_eq!(
        file.origin,
        format!(
            "{hp}:/usr/local/etc/haproxy/conf.d/10-frontend.cfg, /usr/local/etc/haproxy/conf.d/20-backend.cfg"
        )
    );
    let text = file.text.expect("the directory is read");
    assert!(!text.contains("not a config"), "only *.cfg files: {text}");
    let cfg = haproxy::parse(&text);
    let routes = haproxy::routes(&cfg, &file.origin, &snap, &haproxy::name_addresses(&snap));
    assert_eq!(routes.len(), 1, "{routes:#?}");
    assert_eq!(routes[0].hosts, ["web.berth.test"]);
    assert_eq!(routes[0].paths, ["/*"]);
    assert_eq!(
        routes[0].backends[0].container_id, web_id,
        "matched by container name"
    );
    assert!(routes[0].problems.is_empty(), "{:?}", routes[0].problems);
}

#[tokio::test]
async fn a_config_that_is_not_there_or_too_large_is_a_clear_error() {
    require_engine();
    // Containers of an image named like haproxy that hold no config where
    // one is looked for: a busybox image tagged for this test.
    let mut tags = Tags::default();
    let image = format!("local/{}:1", unique_name("haproxy-lookalike"));
    tags.tag(IMAGE_V1, &image);
    let dir = TempDir::new("hp-big");
    let mut cleanup = Cleanup::new();
    let bare = unique_name("hp-bare");
    cleanup.container(&bare);
    let bare_id = run_container(&bare, &image, &["sleep", "300"], &[]);
    let named = unique_name("hp-named");
    cleanup.container(&named);
    let named_id = run_container(
        &named,
        &image,
        &[
            "sh",
            "-c",
            "exec sleep 300",
            "haproxy",
            "-f",
            "/srv/missing.cfg",
        ],
        &[],
    );

    // One too large to read: refused, not cut.
    let big = dir.write("haproxy.cfg", &"# padding\n".repeat(120_000));
    let large = unique_name("hp-large");
    cleanup.container(&large);
    let mount = format!("{}:{CFG_PATH}:ro", big.display());
    let large_id = run_container(&large, &image, &["sleep", "300"], &["-v", &mount]);

    let (_, file) = read_through_berth(&large_id).await;
    assert_eq!(
        file.text,
        Err(format!(
            "{large}: cannot read {CFG_PATH}: it is larger than 1 MiB"
        ))
    );
    let (_, file) = read_through_berth(&bare_id).await;
    assert_eq!(
        file.text,
        Err(format!(
            "{bare}: no haproxy config at /usr/local/etc/haproxy/haproxy.cfg or \
             /etc/haproxy/haproxy.cfg, and its command names none with -f"
        ))
    );
    let (_, file) = read_through_berth(&named_id).await;
    assert_eq!(file.origin, format!("{named}:/srv/missing.cfg"));
    assert_eq!(
        file.text,
        Err(format!(
            "{named}: /srv/missing.cfg does not exist in the container"
        ))
    );
}

#[tokio::test]
async fn swarm_an_haproxy_task_has_its_config_read_and_its_server_matched_to_a_task() {
    common::swarm::require_swarm();
    let dir = TempDir::new("hp-swarm");
    // Dropped after the haproxy service, whose mount it holds.
    let web = SwarmService::create(
        "hpweb",
        IMAGE_V1,
        &["--replicas", "1"],
        &["httpd", "-f", "-p", "8080", "-h", "/var/www"],
    );
    // Swarm DNS names the web task `tasks.<service>`; haproxy starts even
    // where that does not resolve (no shared network here).
    let text = format!(
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n  \
         default-server init-addr last,libc,none\n\nfrontend fe\n  bind :80\n  \
         use_backend site if {{ hdr(host) -i swarm.berth.test }}\n\nbackend site\n  \
         server s1 tasks.{}:8080\n",
        web.name
    );
    let cfg_file = dir.write("haproxy.cfg", &text);
    let mount = format!(
        "type=bind,source={},target={CFG_PATH},readonly",
        cfg_file.display()
    );
    // On the manager: the engine berth talks to runs the task's container.
    let hp = SwarmService::create(
        "haproxy",
        HAPROXY_IMAGE,
        &["--constraint", "node.role==manager", "--mount", &mount],
        &[],
    );
    hp.wait_running(1, Duration::from_secs(60));
    web.wait_running(1, Duration::from_secs(60));

    let backend = DockerBackend::connect_swarm(resolve_endpoint(None), true)
        .await
        .expect("berth connects to the manager");
    let snap = Arc::new(backend.snapshot().await.expect("snapshot"));
    let task_of = |service: &str| {
        snap.containers
            .iter()
            .find(|c| c.service.as_deref() == Some(service) && c.state.is_running())
            .unwrap_or_else(|| panic!("no running task of {service}"))
    };
    let hp_task = task_of(&hp.name);
    let web_task = task_of(&web.name);
    let files = backend.haproxy_configs(snap.clone()).await;
    let file = files
        .iter()
        .find(|f| f.container_id == hp_task.id)
        .unwrap_or_else(|| panic!("no config read from task {}: {files:#?}", hp_task.name));
    assert_eq!(file.origin, format!("{}:{CFG_PATH}", hp_task.name));
    assert_eq!(file.text.as_deref(), Ok(text.as_str()));

    let cfg = haproxy::parse(&text);
    let routes = haproxy::routes(&cfg, &file.origin, &snap, &haproxy::name_addresses(&snap));
    assert_eq!(routes.len(), 1, "{routes:#?}");
    let r = &routes[0];
    assert_eq!(r.hosts, ["swarm.berth.test"]);
    assert_eq!(
        r.backends[0].container_id, web_task.id,
        "tasks.<service> is its task"
    );
    assert_eq!(r.service_id, web_task.service_id);
    assert_eq!(r.service, web.name);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

/// `berth ls routes -o json` with `--haproxy-config`: the file's routes,
/// probed up through to the httpd, and those read from a running haproxy
/// container beside them; a file that cannot be read is said, once.
#[test]
fn ls_routes_shows_the_file_and_the_containers_haproxy_routes_probed() {
    require_engine();
    let dir = TempDir::new("hp-ls");
    let mut cleanup = Cleanup::new();
    let (_web_name, _web_id, web_ip) = web(&mut cleanup);
    let tag = unique_name("hpls");
    let file_cfg = format!(
        "defaults\n  mode http\n\nfrontend files-{tag}\n  bind :8081\n  acl is_app hdr(host) -i app.{tag}.test\n  \
         acl is_api path_beg /api\n  use_backend app if is_app is_api\n\nbackend app\n  server a1 {web_ip}:8080\n"
    );
    let file = dir.write("file.cfg", &file_cfg);
    let mounted = dir.write(
        "haproxy.cfg",
        &edge_config(&web_ip).replace("web-in", &format!("edge-{tag}")),
    );
    let hp = unique_name("hp-ls-edge");
    cleanup.container(&hp);
    let mount = format!("{}:{CFG_PATH}:ro", mounted.display());
    run_container(&hp, HAPROXY_IMAGE, &[], &["-v", &mount]);

    let home = common::headless::data_home("hp-ls");
    let file_arg = file.to_str().expect("utf-8");
    let out = common::headless::berth(
        &home,
        &["ls", "routes", "-o", "json", "--haproxy-config", file_arg],
    );
    assert!(out.status.success(), "{}", common::headless::stderr(&out));
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    let mine: Vec<&serde_json::Value> = all
        .iter()
        .filter(|r| {
            r["source"] == "haproxy" && r["name"].as_str().is_some_and(|n| n.contains(&tag))
        })
        .collect();
    assert_eq!(mine.len(), 2, "{mine:#?}");
    let from_file = mine
        .iter()
        .find(|r| r["name"] == format!("files-{tag}/app"))
        .unwrap_or_else(|| panic!("the file's route in {mine:#?}"));
    assert_eq!(
        from_file["hosts"],
        serde_json::json!([format!("app.{tag}.test")])
    );
    assert_eq!(from_file["paths"], serde_json::json!(["/api*"]));
    assert_eq!(from_file["port"], 8080);
    assert_eq!(
        from_file["status"], "up",
        "probed through to the httpd: {from_file:#}"
    );
    let edge = mine
        .iter()
        .find(|r| r["name"] == format!("edge-{tag}/web"))
        .unwrap_or_else(|| panic!("the container's route in {mine:#?}"));
    assert_eq!(edge["hosts"], serde_json::json!(["web.berth.test"]));
    assert_eq!(edge["status"], "up");

    let missing = dir.0.join("missing.cfg");
    let out = common::headless::berth(
        &home,
        &[
            "ls",
            "routes",
            "--haproxy-config",
            missing.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "the rest is still listed");
    let err = common::headless::stderr(&out);
    assert!(
        err.contains("haproxy config:")
            && err.contains("missing.cfg")
            && err.contains("No such file"),
        "{err}"
    );
}
