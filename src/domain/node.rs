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
    pub containers_running: u32,
    pub containers_total: u32,
}
