use super::ServiceKind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerState {
    Running,
    Restarting,
    Paused,
    Created,
    Removing,
    Exited,
    Dead,
    #[default]
    Unknown,
}

impl ContainerState {
    pub fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "restarting" => Self::Restarting,
            "paused" => Self::Paused,
            "created" => Self::Created,
            "removing" => Self::Removing,
            "exited" => Self::Exited,
            "dead" => Self::Dead,
            _ => Self::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Restarting => "restarting",
            Self::Paused => "paused",
            Self::Created => "created",
            Self::Removing => "removing",
            Self::Exited => "exited",
            Self::Dead => "dead",
            Self::Unknown => "unknown",
        }
    }

    pub fn is_running(self) -> bool {
        matches!(self, Self::Running)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// No health check configured.
    #[default]
    None,
    Starting,
    Healthy,
    Unhealthy,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Starting => "starting",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub protocol: String,
}

impl std::fmt::Display for PortMapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.host_port {
            Some(host) => write!(f, "{host}->{}/{}", self.container_port, self.protocol),
            None => write!(f, "{}/{}", self.container_port, self.protocol),
        }
    }
}

/// One running copy: a container, a swarm task, a pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub state: ContainerState,
    pub health: Health,
    /// The engine's own words, e.g. "Up 3 minutes (healthy)".
    pub status: String,
    pub image: String,
    pub ports: Vec<PortMapping>,
    /// Unix seconds.
    pub created: i64,
    /// Filled in from an inspect after the first listing; `None` until known.
    pub restart_count: Option<u32>,
    pub stack: Option<String>,
    pub service: Option<String>,
    /// The owner's [`crate::domain::Service::id`], set by the backend (a
    /// standalone container owns itself).
    pub service_id: String,
    pub service_kind: ServiceKind,
    pub node: String,
    pub node_id: String,
    pub command: String,
    /// Set when this copy is a swarm task: what `docker service ps` shows.
    pub task: Option<TaskInfo>,
    /// A pod's containers, init containers first (Kubernetes only; empty
    /// for Docker and swarm, whose copies are single containers).
    pub parts: Vec<ContainerPart>,
    /// The networks it is on with its address there, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<(String, String)>,
    /// Its `traefik.*` labels, sorted: what routes are made of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_labels: Vec<(String, String)>,
}

/// Where one container of a pod is, as the kubelet reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    Running,
    Waiting,
    Terminated,
    /// Not reported yet (the pod is not scheduled).
    #[default]
    Unknown,
}

impl PartState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Terminated => "terminated",
            Self::Unknown => "unknown",
        }
    }
}

/// One container of a pod: what `kubectl describe pod` says of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerPart {
    pub name: String,
    pub image: String,
    /// An init container: runs to completion before the others start.
    pub init: bool,
    pub state: PartState,
    /// Why it waits or ended: CrashLoopBackOff, ImagePullBackOff,
    /// ErrImagePull, OOMKilled, Completed, Error.
    pub reason: String,
    /// The exit code, when terminated.
    pub exit_code: Option<i32>,
    /// The kubelet's message (the pull error, the back-off delay).
    pub message: String,
    pub ready: bool,
    pub restarts: u32,
    /// How the previous run ended ("Error, exit 1", "OOMKilled, exit 137"):
    /// its logs are the `previous` ones.
    pub last_termination: String,
    /// Unix seconds the current run started (or ended).
    pub since: i64,
}

impl ContainerPart {
    /// The state in one phrase: "running", "waiting: CrashLoopBackOff",
    /// "terminated: Error, exit 1".
    pub fn state_text(&self) -> String {
        let mut s = self.state.label().to_owned();
        if !self.reason.is_empty() {
            s.push_str(": ");
            s.push_str(&self.reason);
        }
        if let Some(code) = self.exit_code {
            s.push_str(&format!(", exit {code}"));
        }
        s
    }
}

/// A swarm task's own state, beside the container it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    /// Replicated services number their tasks by slot; global ones do not.
    pub slot: Option<u64>,
    /// The orchestrator's word: new, pending, assigned, preparing,
    /// starting, running, complete, shutdown, failed, rejected, orphaned...
    pub state: String,
    /// What the orchestrator wants: running, shutdown, ...
    pub desired_state: String,
    /// The engine's error ("no suitable node", "task: non-zero exit (1)").
    pub error: String,
    /// The container running the task, once there is one.
    pub container_id: String,
    /// A task of an older spec, or one shut down or failed and replaced:
    /// history, shown after the current tasks.
    pub history: bool,
}

impl Container {
    /// Ports as one cell, deduplicated (IPv4 and IPv6 bindings look alike).
    pub fn ports_text(&self) -> String {
        let mut parts: Vec<String> = self.ports.iter().map(|p| p.to_string()).collect();
        parts.dedup();
        parts.join(", ")
    }
}
