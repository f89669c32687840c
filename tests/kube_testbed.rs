//! The Kubernetes cluster of `scripts/testbed up` is what the Kubernetes
//! tests need: a v1.20.2 API server, two Ready nodes that run pods from the
//! local images (the second tainted, for node operations), pod logs through
//! the API server, and a restricted user confined to its namespace.

mod common;

use common::kube::{
    LIMITED_NAMESPACE, LIMITED_USER, NODE, NODE2, NODE2_TAINT, POD_IMAGE_V1, SERVER_VERSION,
    TestNamespace, deployment_yaml, kubectl, kubectl_as, limited_kubeconfig, require_kube,
    wait_pods_running,
};
use common::wait_until;
use std::time::Duration;

const CONVERGE: Duration = Duration::from_secs(90);

#[test]
fn the_bed_is_two_ready_nodes_of_a_1_20_server_the_second_tainted() {
    assert_eq!(require_kube(), SERVER_VERSION);
    let nodes = kubectl(&[
        "get",
        "nodes",
        "-o",
        r#"jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.containerRuntimeVersion}{"\n"}{end}"#,
    ]);
    let mut nodes: Vec<&str> = nodes.lines().collect();
    nodes.sort();
    assert_eq!(nodes.len(), 2, "two nodes: {nodes:?}");
    for (line, name) in [(nodes[0], NODE), (nodes[1], NODE2)] {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields[..2], [name, "True"], "{nodes:?}");
        assert!(
            fields[2].starts_with("containerd://"),
            "the node runs containerd: {nodes:?}"
        );
    }
    // (A node test may have cordoned it meanwhile: one more taint.)
    let taints = kubectl(&[
        "get",
        "node",
        NODE2,
        "-o",
        r#"jsonpath={range .spec.taints[*]}{.key}={.value}:{.effect}{"\n"}{end}"#,
    ]);
    assert!(
        taints.lines().any(|t| t == NODE2_TAINT),
        "{NODE2} is tainted {NODE2_TAINT}: {taints:?}"
    );
}

/// A pod that tolerates node2's taint runs there, on node2's bridge, and its
/// log is served (node2's kubelet keeps its pods' logs apart from node1's).
#[test]
fn a_pod_tolerating_the_taint_runs_on_node2_and_its_log_is_served() {
    require_kube();
    let ns = TestNamespace::create("berth-t-node2");
    ns.apply(&format!(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: there
  labels: {{app: there}}
spec:
  nodeSelector: {{kubernetes.io/hostname: {NODE2}}}
  terminationGracePeriodSeconds: 1
  tolerations:
  - {{key: berth.test/node2, operator: Exists, effect: NoSchedule}}
  containers:
  - name: main
    image: {POD_IMAGE_V1}
    imagePullPolicy: Never
    command: ["sh", "-c", "echo hello from node2; sleep 3000"]
"#
    ));
    wait_pods_running(&ns.name, "app=there", 1, CONVERGE);
    let placed = kubectl(&[
        "get",
        "pod",
        "there",
        "-n",
        &ns.name,
        "-o",
        "jsonpath={.spec.nodeName} {.status.podIP}",
    ]);
    assert!(
        placed.starts_with(&format!("{NODE2} 10.244.1.")),
        "{placed}"
    );
    let logged = wait_until(Duration::from_secs(30), Duration::from_millis(250), || {
        kubectl_as(
            &common::kube::admin_kubeconfig(),
            &["logs", "there", "-n", &ns.name],
        )
        .is_ok_and(|l| l.contains("hello from node2"))
    });
    assert!(logged, "kubectl logs shows what the pod on {NODE2} printed");
}

#[test]
fn a_deployment_of_two_replicas_runs_two_pods_from_the_local_image() {
    require_kube();
    let ns = TestNamespace::create("berth-t-deploy");
    ns.apply(&deployment_yaml(
        "web",
        POD_IMAGE_V1,
        2,
        "exec httpd -f -p 8080 -h /var/www",
    ));
    let pods = wait_pods_running(&ns.name, "app=web", 2, CONVERGE);
    assert_eq!(pods.len(), 2);
    for pod in &pods {
        let status = kubectl(&[
            "get",
            "pod",
            "-n",
            &ns.name,
            pod,
            "-o",
            "jsonpath={.spec.nodeName} {.status.containerStatuses[0].image} {.status.podIP}",
        ]);
        let fields: Vec<&str> = status.split(' ').collect();
        assert_eq!(fields[..2], [NODE, POD_IMAGE_V1], "{pod}: {status}");
        assert!(
            fields[2].starts_with("10.244.0."),
            "{pod} has an address on the CNI bridge: {status}"
        );
        // The container really is the test image (v1 serves "v1").
        assert_eq!(
            kubectl(&[
                "exec",
                "-n",
                &ns.name,
                pod,
                "--",
                "cat",
                "/var/www/index.html"
            ]),
            "v1"
        );
    }
    assert_eq!(
        kubectl(&[
            "get",
            "deployment",
            "-n",
            &ns.name,
            "web",
            "-o",
            "jsonpath={.status.readyReplicas}/{.status.replicas}"
        ]),
        "2/2"
    );
}

#[test]
fn kubectl_logs_shows_what_a_pod_printed() {
    require_kube();
    let ns = TestNamespace::create("berth-t-logs");
    ns.apply(&deployment_yaml(
        "talker",
        POD_IMAGE_V1,
        1,
        "echo \"hello from $(hostname)\"; while true; do echo tick; sleep 1; done",
    ));
    let pods = wait_pods_running(&ns.name, "app=talker", 1, CONVERGE);
    let pod = &pods[0];
    let mut logs = String::new();
    let seen = wait_until(Duration::from_secs(20), Duration::from_millis(250), || {
        logs = kubectl(&["logs", "-n", &ns.name, pod]);
        logs.lines().any(|l| l == "tick")
    });
    assert!(seen, "no tick in the logs of {pod}: {logs:?}");
    assert_eq!(
        logs.lines().next(),
        Some(format!("hello from {pod}").as_str()),
        "{logs:?}"
    );
}

#[test]
fn the_limited_user_works_in_its_namespace_only() {
    require_kube();
    let config = limited_kubeconfig();
    // Its context's default namespace is its own.
    kubectl_as(&config, &["get", "pods"])
        .unwrap_or_else(|e| panic!("{LIMITED_USER} cannot list pods in its namespace: {e}"));
    kubectl_as(&config, &["get", "pods", "-n", LIMITED_NAMESPACE])
        .unwrap_or_else(|e| panic!("{LIMITED_USER} cannot list pods in {LIMITED_NAMESPACE}: {e}"));
    assert_eq!(
        kubectl_as(
            &config,
            &[
                "auth",
                "can-i",
                "create",
                "deployments",
                "-n",
                LIMITED_NAMESPACE
            ]
        ),
        Ok("yes".to_owned())
    );
    let refused = kubectl_as(&config, &["get", "pods", "-n", "kube-system"])
        .expect_err("the limited user must not list pods in kube-system");
    assert!(
        refused.contains("Forbidden") && refused.contains(&format!("User \"{LIMITED_USER}\"")),
        "{refused}"
    );
    let refused = kubectl_as(&config, &["get", "namespaces"])
        .expect_err("the limited user must not list namespaces");
    assert!(refused.contains("Forbidden"), "{refused}");
}
