//! What differs between two specs of a service, in the terms an operator
//! checks before a rollback: image, replicas, env keys (never values),
//! published ports, labels, command.

use super::super::ports::Published;
use super::redeploy::short_image;
use super::service::{Mode, image_of};
use bollard::models::{ServiceSpec, TaskSpecContainerSpec};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn container(spec: &ServiceSpec) -> TaskSpecContainerSpec {
    spec.task_template
        .as_ref()
        .and_then(|t| t.container_spec.clone())
        .unwrap_or_default()
}

fn env_map(c: &TaskSpecContainerSpec) -> BTreeMap<String, String> {
    c.env
        .iter()
        .flatten()
        .map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (e.clone(), String::new()),
        })
        .collect()
}

fn labels(l: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    l.into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// "env added: A; env removed: B; env changed: C" — keys only.
fn keyed(
    what: &str,
    now: &BTreeMap<String, String>,
    then: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    let keys: BTreeSet<&String> = now.keys().chain(then.keys()).collect();
    for k in keys {
        match (now.get(k), then.get(k)) {
            (None, Some(_)) => added.push(k.as_str()),
            (Some(_), None) => removed.push(k.as_str()),
            (Some(a), Some(b)) if a != b => changed.push(k.as_str()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (how, keys) in [("added", added), ("removed", removed), ("changed", changed)] {
        if !keys.is_empty() {
            out.push(format!("{what} {how}: {}", keys.join(", ")));
        }
    }
    out
}

fn ports(spec: &ServiceSpec) -> Vec<String> {
    let mut out: Vec<String> = spec
        .endpoint_spec
        .as_ref()
        .and_then(|e| e.ports.clone())
        .unwrap_or_default()
        .iter()
        .map(|p| Published::of(p).in_spec())
        .collect();
    out.sort();
    out
}

fn mode_words(spec: &ServiceSpec) -> String {
    match Mode::of(spec) {
        Mode::Replicated(n) => format!("{n} replicas"),
        Mode::Global => "global".to_owned(),
        Mode::ReplicatedJob(n) => format!("replicated job of {n}"),
        Mode::GlobalJob => "global job".to_owned(),
    }
}

fn command(c: &TaskSpecContainerSpec) -> String {
    c.command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines a rollback plan shows: what runs now → what it goes back to.
pub fn differences(now: &ServiceSpec, then: &ServiceSpec) -> Vec<String> {
    let mut out = Vec::new();
    let (a, b) = (image_of(now), image_of(then));
    if a != b {
        out.push(format!("image: {} → {}", short_image(&a), short_image(&b)));
    }
    let (a, b) = (mode_words(now), mode_words(then));
    if a != b {
        out.push(format!("replicas: {a} → {b}"));
    }
    let (ca, cb) = (container(now), container(then));
    out.extend(keyed("env", &env_map(&ca), &env_map(&cb)));
    let (a, b) = (ports(now), ports(then));
    if a != b {
        let list = |p: &[String]| {
            if p.is_empty() {
                "none".to_owned()
            } else {
                p.join(", ")
            }
        };
        out.push(format!("published ports: {} → {}", list(&a), list(&b)));
    }
    out.extend(keyed(
        "labels",
        &labels(now.labels.as_ref()),
        &labels(then.labels.as_ref()),
    ));
    out.extend(keyed(
        "container labels",
        &labels(ca.labels.as_ref()),
        &labels(cb.labels.as_ref()),
    ));
    let (a, b) = (command(&ca), command(&cb));
    if a != b {
        out.push(format!("command: `{a}` → `{b}`"));
    }
    let force = |s: &ServiceSpec| {
        s.task_template
            .as_ref()
            .and_then(|t| t.force_update)
            .unwrap_or(0)
    };
    if out.is_empty() && force(now) != force(then) {
        out.push(
            "only the forced-update counter differs (the last change was a restart or a redeploy \
             of the same image): the tasks are replaced with the same configuration"
                .to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{
        EndpointPortConfig, EndpointPortConfigPublishModeEnum, EndpointSpec, ServiceSpecMode,
        ServiceSpecModeReplicated, TaskSpec,
    };

    fn spec(image: &str, replicas: i64, env: &[&str], ports: &[(i64, i64)]) -> ServiceSpec {
        ServiceSpec {
            name: Some("web".into()),
            labels: Some(HashMap::from([("team".into(), "a".into())])),
            mode: Some(ServiceSpecMode {
                replicated: Some(ServiceSpecModeReplicated {
                    replicas: Some(replicas),
                }),
                ..Default::default()
            }),
            task_template: Some(TaskSpec {
                container_spec: Some(TaskSpecContainerSpec {
                    image: Some(image.into()),
                    env: Some(env.iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            endpoint_spec: Some(EndpointSpec {
                ports: Some(
                    ports
                        .iter()
                        .map(|(p, t)| EndpointPortConfig {
                            published_port: Some(*p),
                            target_port: Some(*t),
                            publish_mode: Some(EndpointPortConfigPublishModeEnum::HOST),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn the_differences_name_image_replicas_env_keys_ports_and_labels() {
        let now = spec(
            "reg/web:2@sha256:2222222222222222222222",
            3,
            &["A=1", "B=2", "SECRET=new"],
            &[(8080, 80)],
        );
        let mut then = spec(
            "reg/web:1@sha256:1111111111111111111111",
            2,
            &["A=1", "SECRET=old", "C=3"],
            &[],
        );
        then.labels = Some(HashMap::from([("team".into(), "b".into())]));
        assert_eq!(
            differences(&now, &then),
            vec![
                "image: reg/web:2@sha256:222222222222… → reg/web:1@sha256:111111111111…",
                "replicas: 3 replicas → 2 replicas",
                "env added: C",
                "env removed: B",
                "env changed: SECRET",
                "published ports: 8080:80/tcp (host) → none",
                "labels changed: team",
            ]
        );
    }

    #[test]
    fn a_restart_differs_only_in_the_forced_update_counter() {
        let now = spec("reg/web:1", 2, &[], &[]);
        let mut then = now.clone();
        if let Some(t) = then.task_template.as_mut() {
            t.force_update = Some(1);
        }
        let d = differences(&now, &then);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].starts_with("only the forced-update counter differs"),
            "{d:?}"
        );
        assert!(differences(&now, &now).is_empty());
    }
}
