use serde::Serialize;

/// A machine that runs containers: the engine host, a swarm node, a kube node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    /// "engine" for a plain Docker host; "manager"/"worker" on a swarm.
    pub role: String,
    /// "ready", "down", ...
    pub state: String,
    pub engine_version: String,
    pub os: String,
    pub arch: String,
    pub cpus: u32,
    pub memory_bytes: u64,
    /// Containers (tasks, pods) running and in all. On a swarm, tasks are
    /// counted only while they are listed (see the backend's interest).
    pub containers_running: u32,
    pub containers_total: u32,
    /// Swarm: "active", "pause", "drain"; Kubernetes: "active" or
    /// "cordoned". Empty for a plain engine.
    pub availability: String,
    /// The swarm's leader (a manager).
    pub leader: bool,
    /// The address other nodes reach it at.
    pub address: String,
    /// Node labels, `key=value`, sorted.
    pub labels: Vec<String>,
    /// The engine's words on a node that is not ready.
    pub message: String,
}
