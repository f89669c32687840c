//! Docker Swarm, seen from a manager: nodes, services and their tasks from
//! the swarm API, beside the engine's own Compose projects and containers.

pub mod ops;

use bollard::Docker;
use bollard::models::LocalNodeState;

/// Where this engine stands in a swarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// Not in a swarm: a plain engine.
    None,
    /// A manager: it sees and changes the whole cluster.
    Manager,
    /// A worker: it knows only its own tasks; the cluster is seen from a manager.
    Worker { managers: Vec<String> },
}

/// Asks the engine (`info.swarm`).
pub async fn membership(docker: &Docker) -> Result<Membership, bollard::errors::Error> {
    let info = docker.info().await?;
    let Some(swarm) = info.swarm else {
        return Ok(Membership::None);
    };
    if swarm.local_node_state != Some(LocalNodeState::ACTIVE) {
        return Ok(Membership::None);
    }
    if swarm.control_available == Some(true) {
        return Ok(Membership::Manager);
    }
    let managers = swarm
        .remote_managers
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.addr)
        .collect();
    Ok(Membership::Worker { managers })
}

/// What the console says at startup on a worker.
pub fn worker_note(managers: &[String]) -> String {
    let at = if managers.is_empty() {
        String::new()
    } else {
        format!(" (managers: {})", managers.join(", "))
    };
    format!(
        "this engine is a swarm worker: it shows its own containers only; \
         the cluster is seen from a manager{at} (berth --host <manager>)"
    )
}
