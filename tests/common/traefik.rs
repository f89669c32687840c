//! A real Traefik (local/traefik:3 from `scripts/testbed up docker`) with
//! its docker provider, seeing only one test's containers, and its API
//! read with berth's own client.

use super::{docker, docker_ok, run_container};
use berth::routes::traefik_api::{self, ApiState};
use std::time::{Duration, Instant};

pub const TRAEFIK_IMAGE: &str = "local/traefik:3";

/// The label that puts a container in front of the Traefik of run `run`.
pub fn run_label(run: &str) -> String {
    format!("berth.test.run={run}")
}

/// The container's address on the default bridge.
pub fn ip_of(name: &str) -> String {
    let ip = docker(&[
        "inspect",
        "--format",
        "{{.NetworkSettings.IPAddress}}",
        name,
    ]);
    assert!(
        !ip.is_empty(),
        "{name} has no address on the default bridge"
    );
    ip
}

/// Starts Traefik as container `name` (register it with a `Cleanup`
/// first) with the API on :8080, the given entrypoints (`web=:80`) and
/// `extra` flags. Its docker provider reads only containers labelled
/// [`run_label`]`(run)`: other tests' labels must not reach it. Returns
/// the API's URL.
pub fn start_traefik(
    name: &str,
    run: &str,
    entrypoints: &[(&str, &str)],
    extra: &[&str],
) -> String {
    assert!(
        docker_ok(&["image", "inspect", TRAEFIK_IMAGE]),
        "{TRAEFIK_IMAGE} is missing: run scripts/testbed up docker"
    );
    let constraint = format!("--providers.docker.constraints=Label(`berth.test.run`,`{run}`)");
    let mut args: Vec<String> = [
        "--api.insecure=true",
        "--providers.docker=true",
        "--providers.docker.exposedByDefault=true",
        &constraint,
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
        "--log.nocolor=true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (ep, addr) in entrypoints {
        args.push(format!("--entrypoints.{ep}.address={addr}"));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_container(
        name,
        TRAEFIK_IMAGE,
        &args,
        &["-v", "/var/run/docker.sock:/var/run/docker.sock:ro"],
    );
    format!("http://{}:8080", ip_of(name))
}

/// Polls the API until `cond` holds (up to `within`); returns the last reading.
pub async fn fetch_until(
    url: &str,
    within: Duration,
    cond: impl Fn(&ApiState) -> bool,
) -> ApiState {
    let deadline = Instant::now() + within;
    loop {
        let last = traefik_api::fetch(url, Duration::from_secs(3)).await;
        match &last {
            Ok(st) if cond(st) => return st.clone(),
            _ if Instant::now() >= deadline => {
                panic!("traefik API at {url} never got there; last: {last:#?}")
            }
            _ => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}
