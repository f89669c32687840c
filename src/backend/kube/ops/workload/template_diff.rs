//! What differs between two pod templates, in the terms an operator checks
//! before a rollback: images per container, env keys (never values),
//! command and args, containers added or removed, pod labels and
//! annotations (keys).

use k8s_openapi::api::core::v1::{Container, EnvVar, PodTemplateSpec};
use std::collections::{BTreeMap, BTreeSet};

/// The label the Deployment controller adds to a ReplicaSet's template.
pub const HASH_LABEL: &str = "pod-template-hash";

/// `template` without the ReplicaSet's `pod-template-hash` label.
pub fn without_hash(template: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = template.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(HASH_LABEL);
    }
    t
}

/// Equal but for `pod-template-hash` (kubectl's `equalIgnoreHash`).
pub fn same(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    without_hash(a) == without_hash(b)
}

fn containers(t: &PodTemplateSpec, init: bool) -> Vec<Container> {
    t.spec
        .as_ref()
        .map(|s| {
            if init {
                s.init_containers.clone().unwrap_or_default()
            } else {
                s.containers.clone()
            }
        })
        .unwrap_or_default()
}

fn env(c: &Container) -> BTreeMap<String, EnvVar> {
    c.env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.clone()))
        .collect()
}

/// "{what} added: A; removed: B; changed: C" as separate lines, keys only.
fn keyed<V: PartialEq>(
    what: &str,
    now: &BTreeMap<String, V>,
    then: &BTreeMap<String, V>,
) -> Vec<String> {
    let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    let keys: BTreeSet<&String> = now.keys().chain(then.keys()).collect();
    for k in keys {
        match (now.get(k), then.get(k)) {
            (None, Some(_)) => added.push(k.as_str()),
            (Some(_), None) => removed.push(k.as_str()),
            (Some(a), Some(b)) if a != b => changed.push(k.as_str()),
            _ => {}
        }
    }
    [("added", added), ("removed", removed), ("changed", changed)]
        .into_iter()
        .filter(|(_, keys)| !keys.is_empty())
        .map(|(how, keys)| format!("{what} {how}: {}", keys.join(", ")))
        .collect()
}

fn words(v: &Option<Vec<String>>) -> String {
    v.as_deref().unwrap_or_default().join(" ")
}

fn meta_map(
    t: &PodTemplateSpec,
    f: impl Fn(
        &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    ) -> Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut m = t.metadata.as_ref().and_then(f).cloned().unwrap_or_default();
    m.remove(HASH_LABEL);
    m
}

fn container_lines(now: &PodTemplateSpec, then: &PodTemplateSpec, init: bool) -> Vec<String> {
    let noun = if init { "init container" } else { "container" };
    let (a, b) = (containers(now, init), containers(then, init));
    let mut out = Vec::new();
    for c in &a {
        match b.iter().find(|x| x.name == c.name) {
            None => out.push(format!("{noun} {}: removed", c.name)),
            Some(d) => {
                let (ia, ib) = (
                    c.image.as_deref().unwrap_or(""),
                    d.image.as_deref().unwrap_or(""),
                );
                if ia != ib {
                    out.push(format!("image {}: {ia} → {ib}", c.name));
                }
                out.extend(keyed(&format!("env {}", c.name), &env(c), &env(d)));
                if c.command != d.command {
                    out.push(format!(
                        "command {}: `{}` → `{}`",
                        c.name,
                        words(&c.command),
                        words(&d.command)
                    ));
                }
                if c.args != d.args {
                    out.push(format!(
                        "args {}: `{}` → `{}`",
                        c.name,
                        words(&c.args),
                        words(&d.args)
                    ));
                }
            }
        }
    }
    for d in &b {
        if !a.iter().any(|x| x.name == d.name) {
            out.push(format!(
                "{noun} {}: added ({})",
                d.name,
                d.image.as_deref().unwrap_or("no image")
            ));
        }
    }
    out
}

/// The lines a rollback plan shows: what runs now → what it goes back to.
pub fn differences(now: &PodTemplateSpec, then: &PodTemplateSpec) -> Vec<String> {
    let mut out = container_lines(now, then, true);
    out.extend(container_lines(now, then, false));
    out.extend(keyed(
        "pod labels",
        &meta_map(now, |m| m.labels.as_ref()),
        &meta_map(then, |m| m.labels.as_ref()),
    ));
    out.extend(keyed(
        "pod annotations",
        &meta_map(now, |m| m.annotations.as_ref()),
        &meta_map(then, |m| m.annotations.as_ref()),
    ));
    if out.is_empty() && !same(now, then) {
        out.push(
            "the pod templates differ elsewhere (resources, probes, volumes or other fields \
             berth does not summarise)"
                .to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(v: serde_json::Value) -> PodTemplateSpec {
        serde_json::from_value(v).expect("template")
    }

    #[test]
    fn images_env_keys_and_command_are_named_and_values_never_shown() {
        let now = template(json!({
            "metadata": {"labels": {"app": "web", "pod-template-hash": "6d4"},
                "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-26T04:00:00Z"}},
            "spec": {"containers": [
                {"name": "main", "image": "docker.io/local/busybox:2",
                 "command": ["sh", "-c", "sleep 3000"],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"},
                         {"name": "SECRET", "value": "new-secret"}]},
                {"name": "side", "image": "docker.io/local/busybox:1"}]}
        }));
        let then = template(json!({
            "metadata": {"labels": {"app": "web", "pod-template-hash": "5c9"}},
            "spec": {"containers": [
                {"name": "main", "image": "docker.io/local/busybox:1",
                 "command": ["sh", "-c", "sleep 300"],
                 "env": [{"name": "A", "value": "1"}, {"name": "SECRET", "value": "old-secret"},
                         {"name": "C", "value": "3"}]}]}
        }));
        let d = differences(&now, &then);
        assert_eq!(
            d,
            vec![
                "image main: docker.io/local/busybox:2 → docker.io/local/busybox:1",
                "env main added: C",
                "env main removed: B",
                "env main changed: SECRET",
                "command main: `sh -c sleep 3000` → `sh -c sleep 300`",
                "container side: removed",
                "pod annotations removed: kubectl.kubernetes.io/restartedAt",
            ]
        );
        assert!(
            !d.iter().any(|l| l.contains("secret")),
            "values stay hidden"
        );
    }

    #[test]
    fn the_pod_template_hash_alone_makes_no_difference() {
        let a = template(
            json!({"metadata": {"labels": {"app": "w", "pod-template-hash": "1"}},
            "spec": {"containers": [{"name": "m", "image": "x:1"}]}}),
        );
        let b = template(
            json!({"metadata": {"labels": {"app": "w", "pod-template-hash": "2"}},
            "spec": {"containers": [{"name": "m", "image": "x:1"}]}}),
        );
        assert!(same(&a, &b));
        assert!(differences(&a, &b).is_empty());
        let c = template(json!({"metadata": {"labels": {"app": "w"}},
            "spec": {"containers": [{"name": "m", "image": "x:1"}], "hostNetwork": true}}));
        assert_eq!(
            differences(&a, &c),
            vec![
                "the pod templates differ elsewhere (resources, probes, volumes or other fields \
                 berth does not summarise)"
            ]
        );
    }
}
