//! A workload as the operations see it: its id (`ns/kind/name`, as
//! `convert::workload_id` writes it) and the object read from the API
//! server, with what every operation asks of it.

use super::errors::api_error;
use crate::backend::BackendError;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::Api;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s {
            "deployment" => Some(Kind::Deployment),
            "statefulset" => Some(Kind::StatefulSet),
            "daemonset" => Some(Kind::DaemonSet),
            _ => None,
        }
    }

    /// As the id and kubectl write it: `deployment`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Deployment => "deployment",
            Kind::StatefulSet => "statefulset",
            Kind::DaemonSet => "daemonset",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadId {
    pub namespace: String,
    pub kind: Kind,
    pub name: String,
}

impl WorkloadId {
    /// `shop/deployment/web`; `None` for anything else (a bare pod's
    /// `ns/pod/name`).
    pub fn parse(id: &str) -> Option<WorkloadId> {
        let mut parts = id.splitn(3, '/');
        let (ns, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
        if ns.is_empty() || name.is_empty() || name.contains('/') {
            return None;
        }
        Some(WorkloadId {
            namespace: ns.to_owned(),
            kind: Kind::parse(kind)?,
            name: name.to_owned(),
        })
    }

    /// "deployment shop/web": what plans and results say.
    pub fn display(&self) -> String {
        format!("{} {}/{}", self.kind.label(), self.namespace, self.name)
    }

    /// The kubectl words for it: `deployment/web -n shop`.
    pub fn kubectl(&self) -> String {
        format!("{}/{} -n {}", self.kind.label(), self.name, self.namespace)
    }
}

/// The workload object as last read.
#[derive(Debug, Clone)]
pub enum Object {
    Deployment(Deployment),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
}

impl Object {
    pub async fn get(client: &kube::Client, id: &WorkloadId) -> Result<Object, BackendError> {
        let ns = id.namespace.as_str();
        let what = || format!("read {}", id.display());
        Ok(match id.kind {
            Kind::Deployment => Object::Deployment(
                Api::<Deployment>::namespaced(client.clone(), ns)
                    .get(&id.name)
                    .await
                    .map_err(|e| api_error(&what(), e))?,
            ),
            Kind::StatefulSet => Object::StatefulSet(
                Api::<StatefulSet>::namespaced(client.clone(), ns)
                    .get(&id.name)
                    .await
                    .map_err(|e| api_error(&what(), e))?,
            ),
            Kind::DaemonSet => Object::DaemonSet(
                Api::<DaemonSet>::namespaced(client.clone(), ns)
                    .get(&id.name)
                    .await
                    .map_err(|e| api_error(&what(), e))?,
            ),
        })
    }

    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Object::Deployment(d) => &d.metadata,
            Object::StatefulSet(s) => &s.metadata,
            Object::DaemonSet(d) => &d.metadata,
        }
    }

    pub fn generation(&self) -> i64 {
        self.meta().generation.unwrap_or_default()
    }

    pub fn uid(&self) -> &str {
        self.meta().uid.as_deref().unwrap_or_default()
    }

    pub fn template(&self) -> Option<&PodTemplateSpec> {
        match self {
            Object::Deployment(d) => d.spec.as_ref().map(|s| &s.template),
            Object::StatefulSet(s) => s.spec.as_ref().map(|s| &s.template),
            Object::DaemonSet(d) => d.spec.as_ref().map(|s| &s.template),
        }
    }

    pub fn selector(&self) -> Option<&LabelSelector> {
        match self {
            Object::Deployment(d) => d.spec.as_ref().map(|s| &s.selector),
            Object::StatefulSet(s) => s.spec.as_ref().map(|s| &s.selector),
            Object::DaemonSet(d) => d.spec.as_ref().map(|s| &s.selector),
        }
    }

    /// A Deployment whose rollouts wait for `kubectl rollout resume`.
    pub fn paused(&self) -> bool {
        matches!(self, Object::Deployment(d)
            if d.spec.as_ref().and_then(|s| s.paused) == Some(true))
    }

    /// The pods it should run: spec.replicas, or for a DaemonSet the
    /// nodes it is scheduled on.
    pub fn wanted(&self) -> i32 {
        match self {
            Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            Object::StatefulSet(s) => s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            Object::DaemonSet(d) => d
                .status
                .as_ref()
                .map(|s| s.desired_number_scheduled)
                .unwrap_or(0),
        }
    }

    /// Ready pods as the controller counts them.
    pub fn ready(&self) -> i32 {
        match self {
            Object::Deployment(d) => d
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0),
            Object::StatefulSet(s) => s
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0),
            Object::DaemonSet(d) => d.status.as_ref().map(|s| s.number_ready).unwrap_or(0),
        }
    }

    /// Whether the controller has seen the latest spec.
    pub fn observed(&self) -> bool {
        let observed = match self {
            Object::Deployment(d) => d.status.as_ref().and_then(|s| s.observed_generation),
            Object::StatefulSet(s) => s.status.as_ref().and_then(|s| s.observed_generation),
            Object::DaemonSet(d) => d.status.as_ref().and_then(|s| s.observed_generation),
        };
        observed.unwrap_or(0) >= self.generation()
    }

    /// A StatefulSet or DaemonSet that replaces a pod only once someone
    /// deletes it (`updateStrategy: OnDelete`).
    pub fn on_delete(&self) -> bool {
        let t = match self {
            Object::Deployment(_) => None,
            Object::StatefulSet(s) => s
                .spec
                .as_ref()
                .and_then(|s| s.update_strategy.as_ref())
                .and_then(|u| u.type_.as_deref()),
            Object::DaemonSet(d) => d
                .spec
                .as_ref()
                .and_then(|s| s.update_strategy.as_ref())
                .and_then(|u| u.type_.as_deref()),
        };
        t == Some("OnDelete")
    }

    /// How the controller replaces the pods, in a sentence for a plan.
    pub fn rollout_words(&self) -> String {
        match self {
            Object::Deployment(d) => {
                let strategy = d.spec.as_ref().and_then(|s| s.strategy.as_ref());
                if strategy.and_then(|s| s.type_.as_deref()) == Some("Recreate") {
                    return "strategy Recreate: every old pod is stopped before the new ones start"
                        .to_owned();
                }
                let ru = strategy.and_then(|s| s.rolling_update.as_ref());
                let word = |v: Option<
                    &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString,
                >| match v {
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => {
                        n.to_string()
                    }
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => {
                        s.clone()
                    }
                    None => "25%".to_owned(),
                };
                format!(
                    "the Deployment controller rolls new pods out (maxSurge {}, maxUnavailable {}); \
                     old pods go as new ones become available",
                    word(ru.and_then(|r| r.max_surge.as_ref())),
                    word(ru.and_then(|r| r.max_unavailable.as_ref()))
                )
            }
            Object::StatefulSet(_) if self.on_delete() => {
                "updateStrategy OnDelete: no pod is replaced until it is deleted".to_owned()
            }
            Object::StatefulSet(_) => "the StatefulSet controller replaces one pod at a time, \
                                       highest ordinal first, each once the one before is ready"
                .to_owned(),
            Object::DaemonSet(_) if self.on_delete() => {
                "updateStrategy OnDelete: no pod is replaced until it is deleted".to_owned()
            }
            Object::DaemonSet(_) => {
                "the DaemonSet controller replaces the pod on each node in turn".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_as_convert_writes_them() {
        let id = WorkloadId::parse("shop/deployment/web").expect("a workload");
        assert_eq!(id.kind, Kind::Deployment);
        assert_eq!(id.display(), "deployment shop/web");
        assert_eq!(id.kubectl(), "deployment/web -n shop");
        assert!(WorkloadId::parse("shop/pod/web-1").is_none());
        assert!(WorkloadId::parse("shop/web").is_none());
        assert_eq!(
            WorkloadId::parse("a/daemonset/mon").map(|i| i.kind),
            Some(Kind::DaemonSet)
        );
    }
}
