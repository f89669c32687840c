use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// A service of a compose project.
    #[default]
    Compose,
    /// A container started on its own, shown as a one-container service.
    Standalone,
    /// A swarm service.
    Swarm,
    /// A Kubernetes workload.
    Workload,
}

impl ServiceKind {
    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Compose => "compose",
            ServiceKind::Standalone => "container",
            ServiceKind::Swarm => "swarm",
            ServiceKind::Workload => "workload",
        }
    }
}

/// How a service decides its number of replicas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMode {
    /// A number of replicas the operator sets (compose, swarm replicated,
    /// a Deployment or StatefulSet).
    #[default]
    Replicated,
    /// One replica per eligible node (swarm global, a DaemonSet).
    Global,
    /// Runs to completion N times (swarm replicated-job, a Job).
    ReplicatedJob,
    /// Runs to completion once per node (swarm global-job).
    GlobalJob,
}

impl ServiceMode {
    pub fn label(self) -> &'static str {
        match self {
            ServiceMode::Replicated => "replicated",
            ServiceMode::Global => "global",
            ServiceMode::ReplicatedJob => "replicated-job",
            ServiceMode::GlobalJob => "global-job",
        }
    }
}

/// Something that runs N copies of one image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Stable key: `stack/service` for compose, the container name for a
    /// standalone container, the engine's id elsewhere.
    pub id: String,
    pub name: String,
    pub stack: Option<String>,
    pub kind: ServiceKind,
    pub image: String,
    pub replicas_running: u32,
    pub replicas_desired: u32,
    /// Published ports of its containers, e.g. "8080->80/tcp".
    pub ports: String,
    /// Unix seconds of the oldest container (compose/standalone) or the spec.
    pub created: i64,
    pub mode: ServiceMode,
    /// The image's digest when the spec pins one (`sha256:…`).
    pub digest: Option<String>,
    /// A rollout in progress or stopped: "updating", "paused",
    /// "rollback_started", ... with the engine's message; `None` when
    /// there is none or it completed.
    pub update: Option<UpdateState>,
    /// Why the service is not well: its tasks keep failing ("task:
    /// non-zero exit (1)", "no suitable node").
    pub problem: Option<String>,
    /// The revision running now, as `kubectl rollout history` numbers it
    /// (a Deployment's) or names it (a StatefulSet's); `None` elsewhere.
    pub revision: Option<String>,
    /// A swarm service's own `traefik.*` labels (not its tasks'), sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_labels: Vec<(String, String)>,
    /// The hosts and paths that reach it (`shop.example.org/api*`), from
    /// the snapshot's routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

/// A rolling update as the engine reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateState {
    /// The engine's word: updating, paused, completed, rollback_started,
    /// rollback_paused, rollback_completed.
    pub state: String,
    pub message: String,
}

impl Service {
    /// The name `ls` prints and `logs TARGET` accepts.
    pub fn qualified_name(&self) -> String {
        match &self.stack {
            Some(stack) => format!("{stack}/{}", self.name),
            None => self.name.clone(),
        }
    }
}
