//! The 3-node swarm of `scripts/testbed up` is what the swarm tests need: a
//! manager (the host engine) and two Ready workers, services spread over all
//! three with their images pinned by digest from the test bed's registry,
//! and stacks deployed with `docker stack deploy`.

mod common;

use common::swarm::{
    SWARM_REGISTRY, SwarmService, SwarmStack, WORKER_HOSTNAMES, WORKERS, on_worker, push_image,
    require_swarm, stack_yaml, worker_hostname,
};
use common::{Tags, docker, unique_name};
use std::collections::BTreeSet;
use std::time::Duration;

const CONVERGE: Duration = Duration::from_secs(90);

/// The `sha256:...` part of a digest reference.
fn digest_of(reference: &str) -> &str {
    reference.split_once('@').map_or("", |(_, d)| d)
}

#[test]
fn the_bed_is_a_manager_and_two_ready_workers() {
    let nodes = require_swarm();
    assert_eq!(nodes.len(), 3, "{nodes:#?}");
    let managers: Vec<_> = nodes.iter().filter(|n| n.role == "manager").collect();
    assert_eq!(managers.len(), 1, "one manager: {nodes:#?}");
    assert!(managers[0].is_self, "the host engine is the manager");
    assert_eq!(
        managers[0].addr, "172.17.0.1",
        "it advertises docker0's address"
    );
    let workers: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| n.role == "worker")
        .map(|n| n.hostname.as_str())
        .collect();
    assert_eq!(workers, WORKER_HOSTNAMES.into_iter().collect());
    for n in &nodes {
        assert_eq!(
            (n.state.as_str(), n.availability.as_str()),
            ("ready", "active"),
            "{n:?}"
        );
    }
    for w in WORKERS {
        assert_eq!(
            docker(&[
                "container",
                "inspect",
                "--format",
                "{{.State.Running}} {{.Config.Hostname}}",
                w
            ]),
            format!("true {}", worker_hostname(w))
        );
        // Each worker's engine is a node of this swarm.
        let node_id = on_worker(w, &["info", "--format", "{{.Swarm.NodeID}}"]);
        assert!(
            nodes
                .iter()
                .any(|n| n.id == node_id && n.hostname == worker_hostname(w)),
            "{w} is node {node_id}: {nodes:#?}"
        );
    }
}

#[test]
fn three_replicas_spread_one_per_node_pinned_by_digest() {
    let nodes = require_swarm();
    let mut tags = Tags::default();
    let repo = unique_name("berth-t-spread");
    let content = format!("served by {repo}");
    let pushed = push_image(&mut tags, &format!("{repo}:1"), &content);
    assert!(
        pushed.starts_with(&format!("{SWARM_REGISTRY}/{repo}@sha256:")),
        "{pushed}"
    );

    let service = SwarmService::create(
        "spread",
        &format!("{SWARM_REGISTRY}/{repo}:1"),
        &["--replicas", "3", "--replicas-max-per-node", "1"],
        &[],
    );
    let tasks = service.wait_running(3, CONVERGE);

    let on: BTreeSet<&str> = tasks.iter().map(|t| t.node.as_str()).collect();
    let all: BTreeSet<&str> = nodes.iter().map(|n| n.hostname.as_str()).collect();
    assert_eq!(on, all, "one task on each node: {tasks:#?}");
    let slots: BTreeSet<u64> = tasks.iter().map(|t| t.slot).collect();
    assert_eq!(slots, BTreeSet::from([1, 2, 3]), "{tasks:#?}");
    for t in &tasks {
        assert_eq!(
            t.image,
            format!("{SWARM_REGISTRY}/{repo}:1@{}", digest_of(&pushed)),
            "the task's image is pinned to the pushed digest: {t:?}"
        );
    }
    // The workers really pulled that image from the registry.
    for w in WORKERS {
        let filter = format!("label=com.docker.swarm.service.name={}", service.name);
        let ids = on_worker(w, &["ps", "-q", "--filter", &filter]);
        let id = ids
            .lines()
            .next()
            .unwrap_or_else(|| panic!("no task container on {w}"));
        assert_eq!(
            on_worker(w, &["exec", id, "cat", "/var/www/index.html"]),
            content,
            "the task on {w} runs the pushed image"
        );
    }
}

#[test]
fn a_stack_of_two_services_runs_all_its_tasks() {
    require_swarm();
    let mut tags = Tags::default();
    let repo = unique_name("berth-t-stack");
    let pushed = push_image(&mut tags, &format!("{repo}:1"), "stack v1");
    let image = format!("{SWARM_REGISTRY}/{repo}:1");

    let stack = SwarmStack::deploy(
        "two-services",
        &stack_yaml(&[
            ("web", &image, "exec httpd -f -p 80 -h /var/www", 2),
            ("worker", &image, "while true; do sleep 1; done", 1),
        ]),
    );
    let web = stack.wait_running("web", 2, CONVERGE);
    let worker = stack.wait_running("worker", 1, CONVERGE);

    for t in web.iter().chain(&worker) {
        assert_eq!(
            digest_of(&t.image),
            digest_of(&pushed),
            "the stack's tasks are pinned to the pushed digest: {t:?}"
        );
    }
    let services = docker(&[
        "stack",
        "services",
        "--format",
        "{{.Name}} {{.Replicas}}",
        &stack.name,
    ]);
    let mut services: Vec<&str> = services.lines().collect();
    services.sort_unstable();
    assert_eq!(
        services,
        [
            format!("{}_web 2/2", stack.name),
            format!("{}_worker 1/1", stack.name)
        ]
    );
}
