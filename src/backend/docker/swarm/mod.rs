//! Docker Swarm, seen from a manager: nodes, services and their tasks from
//! the swarm API, beside the engine's own Compose projects and containers.

pub mod cluster;
mod convert;
pub mod logs;
pub mod ops;
mod ports;

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

/// Whether `target` is read through the swarm's log endpoints: a swarm
/// service, or a task (by the listing, or by asking when nothing is listed).
pub async fn log_source(
    docker: &Docker,
    snap: &crate::domain::Snapshot,
    target: &crate::logs::LogTarget,
) -> Option<logs::Source> {
    use crate::domain::ServiceKind;
    use crate::logs::LogTarget;
    match target {
        LogTarget::Service(key) => {
            if let Some(s) = snap.services.iter().find(|s| s.id == *key) {
                return (s.kind == ServiceKind::Swarm).then(|| logs::Source::Service(key.clone()));
            }
            if key.contains('/') {
                return None;
            }
            let s = docker
                .inspect_service(
                    key,
                    None::<bollard::query_parameters::InspectServiceOptions>,
                )
                .await
                .ok()?;
            Some(logs::Source::Service(s.id.unwrap_or_else(|| key.clone())))
        }
        LogTarget::Container(want) => {
            if let Some(c) = snap
                .containers
                .iter()
                .find(|c| c.id == *want || c.name == *want)
            {
                return c.task.is_some().then(|| logs::Source::Task(c.id.clone()));
            }
            let t = docker.inspect_task(want).await.ok()?;
            Some(logs::Source::Task(t.id.unwrap_or_else(|| want.clone())))
        }
        LogTarget::Part { .. } => None,
    }
}
