//! What the watcher keeps of each object: the fields the snapshot reads,
//! the rest dropped as the object arrives. A pod as the apiserver sends it
//! is mostly volumes, env, probes, resources and annotations; at 10,000
//! pods keeping them whole costs hundreds of MiB.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, Endpoints, Namespace, Node, ObjectReference, Pod, PodSpec,
    PodStatus, PodTemplateSpec, Service as KubeService, ServiceSpec,
};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::DynamicObject;
use std::mem::take;

/// The annotations berth reads; every other one (kubectl's
/// last-applied-configuration is a copy of the whole object) is dropped.
const KEPT_ANNOTATIONS: [&str; 2] = [
    "deployment.kubernetes.io/revision",
    "kubectl.kubernetes.io/restartedAt",
];

fn meta(m: &mut ObjectMeta) {
    meta_keeping(m, &KEPT_ANNOTATIONS);
}

/// An object's metadata without what berth never reads, keeping the
/// annotations named in `kept`.
fn meta_keeping(m: &mut ObjectMeta, kept: &[&str]) {
    m.managed_fields = None;
    m.generate_name = None;
    m.self_link = None;
    m.finalizers = None;
    if let Some(a) = m.annotations.as_mut() {
        a.retain(|k, _| kept.contains(&k.as_str()));
        if a.is_empty() {
            m.annotations = None;
        }
    }
}

/// A container as its name, image, pull policy and ports.
fn container(c: &mut Container) {
    *c = Container {
        name: take(&mut c.name),
        image: c.image.take(),
        image_pull_policy: c.image_pull_policy.take(),
        ports: c.ports.take(),
        ..Container::default()
    };
}

fn container_status(s: &mut ContainerStatus) {
    *s = ContainerStatus {
        name: take(&mut s.name),
        image: take(&mut s.image),
        image_id: take(&mut s.image_id),
        container_id: s.container_id.take(),
        ready: s.ready,
        started: s.started,
        restart_count: s.restart_count,
        state: s.state.take(),
        last_state: s.last_state.take(),
        ..ContainerStatus::default()
    };
}

/// A pod as the pods list and its containers show it: who owns it, where
/// it runs, its containers' names, images and states, its conditions.
pub fn pod(p: &mut Pod) {
    meta(&mut p.metadata);
    if let Some(spec) = p.spec.as_mut() {
        let mut containers = take(&mut spec.containers);
        let mut init = spec.init_containers.take();
        containers.iter_mut().for_each(container);
        init.iter_mut().flatten().for_each(container);
        *spec = PodSpec {
            containers,
            init_containers: init,
            node_name: spec.node_name.take(),
            ..PodSpec::default()
        };
    }
    if let Some(st) = p.status.as_mut() {
        let mut statuses = st.container_statuses.take();
        let mut init = st.init_container_statuses.take();
        statuses.iter_mut().flatten().for_each(container_status);
        init.iter_mut().flatten().for_each(container_status);
        *st = PodStatus {
            phase: st.phase.take(),
            reason: st.reason.take(),
            message: st.message.take(),
            pod_ip: st.pod_ip.take(),
            conditions: st.conditions.take(),
            container_statuses: statuses,
            init_container_statuses: init,
            ..PodStatus::default()
        };
    }
}

/// A pod template as its containers' names and images.
fn template(t: &mut PodTemplateSpec) {
    if let Some(m) = t.metadata.as_mut() {
        meta(m);
    }
    if let Some(spec) = t.spec.as_mut() {
        let mut containers = take(&mut spec.containers);
        let mut init = spec.init_containers.take();
        containers.iter_mut().for_each(container);
        init.iter_mut().flatten().for_each(container);
        *spec = PodSpec {
            containers,
            init_containers: init,
            ..PodSpec::default()
        };
    }
}

/// A ReplicaSet as its owner, revision, pod-template-hash and images.
pub fn replicaset(r: &mut ReplicaSet) {
    meta(&mut r.metadata);
    if let Some(t) = r.spec.as_mut().and_then(|s| s.template.as_mut()) {
        template(t);
    }
}

pub fn deployment(d: &mut Deployment) {
    meta(&mut d.metadata);
    if let Some(s) = d.spec.as_mut() {
        template(&mut s.template);
    }
}

pub fn statefulset(s: &mut StatefulSet) {
    meta(&mut s.metadata);
    if let Some(s) = s.spec.as_mut() {
        template(&mut s.template);
        s.volume_claim_templates = None;
    }
}

pub fn daemonset(d: &mut DaemonSet) {
    meta(&mut d.metadata);
    if let Some(s) = d.spec.as_mut() {
        template(&mut s.template);
    }
}

/// A node without its image list (every image it holds, with sizes).
pub fn node(n: &mut Node) {
    meta(&mut n.metadata);
    if let Some(st) = n.status.as_mut() {
        st.images = None;
        st.volumes_attached = None;
        st.volumes_in_use = None;
    }
}

pub fn namespace(n: &mut Namespace) {
    meta(&mut n.metadata);
}

/// What an Ingress's routes read from its annotations: its class before
/// `spec.ingressClassName`, and Traefik's router settings.
pub const INGRESS_ANNOTATIONS: [&str; 3] = [
    "kubernetes.io/ingress.class",
    "traefik.ingress.kubernetes.io/router.middlewares",
    "traefik.ingress.kubernetes.io/router.entrypoints",
];

/// An Ingress as its rules, TLS and class; its status (the load
/// balancer's addresses) is not shown.
pub fn ingress(i: &mut Ingress) {
    meta_keeping(&mut i.metadata, &INGRESS_ANNOTATIONS);
    i.status = None;
}

/// A Service as its selector and ports: which pods and ports an Ingress
/// reaches through it.
pub fn service(s: &mut KubeService) {
    meta(&mut s.metadata);
    s.metadata.labels = None;
    if let Some(spec) = s.spec.as_mut() {
        *spec = ServiceSpec {
            selector: spec.selector.take(),
            ports: spec.ports.take(),
            cluster_ip: spec.cluster_ip.take(),
            type_: spec.type_.take(),
            external_name: spec.external_name.take(),
            ..ServiceSpec::default()
        };
    }
    s.status = None;
}

/// Endpoints as their ready addresses (IP and pod) and ports; the pods
/// not ready are not routed to. Annotations go, and with them the
/// leader-election record some controllers renew every few seconds.
pub fn endpoints(e: &mut Endpoints) {
    meta(&mut e.metadata);
    e.metadata.labels = None;
    e.metadata.resource_version = None;
    for s in e.subsets.iter_mut().flatten() {
        s.not_ready_addresses = None;
        for a in s.addresses.iter_mut().flatten() {
            a.hostname = None;
            a.node_name = None;
            if let Some(r) = a.target_ref.as_mut() {
                *r = ObjectReference {
                    kind: r.kind.take(),
                    name: r.name.take(),
                    uid: r.uid.take(),
                    ..ObjectReference::default()
                };
            }
        }
    }
}

/// A custom resource (an IngressRoute) as its spec and the annotations an
/// Ingress keeps.
pub fn custom(o: &mut DynamicObject) {
    meta_keeping(&mut o.metadata, &INGRESS_ANNOTATIONS);
    o.metadata.labels = None;
    if let Some(map) = o.data.as_object_mut() {
        map.retain(|k, _| k == "spec");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn labels(m: &ObjectMeta) -> BTreeMap<String, String> {
        m.labels.clone().unwrap_or_default()
    }

    #[test]
    fn a_pod_keeps_what_the_console_shows_and_drops_the_bulk() {
        let mut p: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1",
                "labels": {"app": "web"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}"},
                "managedFields": [{"manager": "kubectl"}],
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "deletionTimestamp": "2026-01-01T00:01:00Z",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": "web", "uid": "rs", "controller": true}]},
            "spec": {"nodeName": "n1", "volumes": [{"name": "v", "emptyDir": {}}],
                "tolerations": [{"key": "k"}],
                "initContainers": [{"name": "init", "image": "i:1", "env": [{"name": "A"}]}],
                "containers": [{"name": "c", "image": "img:1", "imagePullPolicy": "Always",
                    "env": [{"name": "SECRET", "value": "x"}], "args": ["a"],
                    "ports": [{"containerPort": 80}],
                    "resources": {"limits": {"cpu": "1"}}}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "qosClass": "Burstable",
                "reason": "R", "message": "M",
                "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                    "message": "0/1 nodes"}],
                "initContainerStatuses": [{"name": "init", "ready": true, "restartCount": 0,
                    "image": "i:1", "imageID": "", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
                "containerStatuses": [{"name": "c", "ready": false, "restartCount": 3,
                    "image": "img:1", "imageID": "", "volumeMounts": [{"name": "v", "mountPath": "/v"}],
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}
        }))
        .expect("pod");
        pod(&mut p);
        let m = &p.metadata;
        assert_eq!(labels(m).get("app").map(String::as_str), Some("web"));
        assert!(m.annotations.is_none() && m.managed_fields.is_none());
        assert!(m.creation_timestamp.is_some() && m.deletion_timestamp.is_some());
        assert_eq!(m.owner_references.as_ref().map(Vec::len), Some(1));
        let spec = p.spec.as_ref().expect("spec");
        assert_eq!(spec.node_name.as_deref(), Some("n1"));
        assert!(spec.volumes.is_none() && spec.tolerations.is_none());
        let c = &spec.containers[0];
        assert_eq!(
            (
                c.name.as_str(),
                c.image.as_deref(),
                c.image_pull_policy.as_deref()
            ),
            ("c", Some("img:1"), Some("Always"))
        );
        assert!(c.env.is_none() && c.args.is_none() && c.resources.is_none());
        assert_eq!(c.ports.as_ref().map(Vec::len), Some(1));
        let init = &spec.init_containers.as_ref().expect("init")[0];
        assert_eq!((init.name.as_str(), init.env.is_none()), ("init", true));
        let st = p.status.as_ref().expect("status");
        assert_eq!(st.phase.as_deref(), Some("Running"));
        assert_eq!(
            (st.reason.as_deref(), st.message.as_deref()),
            (Some("R"), Some("M"))
        );
        assert_eq!(st.pod_ip.as_deref(), Some("10.0.0.1"));
        assert!(st.qos_class.is_none());
        assert_eq!(st.conditions.as_ref().map(Vec::len), Some(1));
        let cs = &st.container_statuses.as_ref().expect("statuses")[0];
        assert_eq!((cs.restart_count, cs.ready), (3, false));
        assert!(cs.volume_mounts.is_none());
        assert!(
            cs.last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"))
        );
        assert!(st.init_container_statuses.is_some());
    }

    #[test]
    fn a_replicaset_keeps_its_owner_revision_hash_and_images() {
        let mut r: ReplicaSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-5d8f", "namespace": "shop",
                "labels": {"pod-template-hash": "5d8f"},
                "annotations": {"deployment.kubernetes.io/revision": "3",
                    "deployment.kubernetes.io/desired-replicas": "2"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                    "name": "web", "uid": "d", "controller": true}]},
            "spec": {"selector": {}, "template": {"spec": {"containers": [
                {"name": "c", "image": "img:2", "env": [{"name": "A", "value": "1"}]}]}}}
        }))
        .expect("rs");
        replicaset(&mut r);
        let a = r.metadata.annotations.clone().unwrap_or_default();
        assert_eq!(a.len(), 1);
        assert_eq!(
            a.get("deployment.kubernetes.io/revision")
                .map(String::as_str),
            Some("3")
        );
        assert_eq!(
            labels(&r.metadata)
                .get("pod-template-hash")
                .map(String::as_str),
            Some("5d8f")
        );
        assert_eq!(r.metadata.owner_references.as_ref().map(Vec::len), Some(1));
        let c = &r
            .spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .expect("template")
            .spec
            .as_ref()
            .expect("spec")
            .containers[0];
        assert_eq!(c.image.as_deref(), Some("img:2"));
        assert!(c.env.is_none());
    }

    #[test]
    fn endpoints_keep_the_ready_addresses_their_pods_and_ports() {
        let mut e: Endpoints = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "42",
                "labels": {"app": "web"},
                "annotations": {"control-plane.alpha.kubernetes.io/leader": "{...}"}},
            "subsets": [{
                "addresses": [{"ip": "10.1.0.7", "nodeName": "n1", "hostname": "h",
                    "targetRef": {"kind": "Pod", "name": "web-x", "namespace": "shop",
                        "uid": "u1", "resourceVersion": "7"}}],
                "notReadyAddresses": [{"ip": "10.1.0.8"}],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]
        }))
        .expect("endpoints");
        let mut again = e.clone();
        endpoints(&mut e);
        let m = &e.metadata;
        assert!(m.annotations.is_none() && m.labels.is_none() && m.resource_version.is_none());
        let s = &e.subsets.as_ref().expect("subsets")[0];
        assert!(s.not_ready_addresses.is_none());
        let a = &s.addresses.as_ref().expect("addresses")[0];
        assert_eq!(a.ip, "10.1.0.7");
        assert!(a.node_name.is_none() && a.hostname.is_none());
        let r = a.target_ref.as_ref().expect("pod");
        assert_eq!(
            (
                r.kind.as_deref(),
                r.uid.as_deref(),
                r.resource_version.as_deref()
            ),
            (Some("Pod"), Some("u1"), None)
        );
        assert_eq!(s.ports.as_ref().map(Vec::len), Some(1));
        // A renewed leader record is the same object once slimmed.
        again.metadata.resource_version = Some("43".into());
        endpoints(&mut again);
        assert_eq!(again, e);
    }

    #[test]
    fn a_service_keeps_its_selector_and_ports_and_an_ingress_its_routing_annotations() {
        let mut s: KubeService = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.0.0.9", "type": "ClusterIP",
                "sessionAffinity": "None", "ports": [{"name": "http", "port": 80}]},
            "status": {"loadBalancer": {}}
        }))
        .expect("service");
        service(&mut s);
        let spec = s.spec.as_ref().expect("spec");
        assert_eq!(spec.selector.as_ref().map(BTreeMap::len), Some(1));
        assert_eq!(spec.ports.as_ref().map(Vec::len), Some(1));
        assert_eq!(spec.cluster_ip.as_deref(), Some("10.0.0.9"));
        assert!(spec.session_affinity.is_none() && s.status.is_none());

        let mut i: Ingress = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop", "annotations": {
                "kubernetes.io/ingress.class": "traefik",
                "traefik.ingress.kubernetes.io/router.middlewares": "shop-auth@kubernetescrd",
                "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"rules": [{"host": "a.example.org"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}
        }))
        .expect("ingress");
        ingress(&mut i);
        let a = i.metadata.annotations.clone().unwrap_or_default();
        let mut keys: Vec<&str> = a.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "kubernetes.io/ingress.class",
                "traefik.ingress.kubernetes.io/router.middlewares"
            ]
        );
        assert!(i.spec.is_some() && i.status.is_none());
    }
}
