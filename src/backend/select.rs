//! Picks and connects the backend chosen at startup.

use super::docker::{DockerBackend, docker_configured, resolve_endpoint};
use super::{Backend, BackendError};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// The engine alone, even on a swarm manager.
    Docker,
    /// The whole swarm; the engine must be a manager.
    Swarm,
    Kubernetes,
}

/// Connects the chosen backend; without a choice, Docker when an endpoint is
/// configured or the local socket exists (the swarm when that engine is a
/// manager), else Kubernetes.
pub async fn connect(
    choice: Option<BackendChoice>,
    host: Option<&str>,
) -> Result<Arc<dyn Backend>, BackendError> {
    let endpoint = resolve_endpoint(host);
    match choice {
        None if docker_configured(host) => Ok(Arc::new(
            DockerBackend::connect_swarm(endpoint, false).await?,
        )),
        None => Err(super::kube::not_yet()),
        Some(BackendChoice::Docker) => Ok(Arc::new(DockerBackend::connect(endpoint).await?)),
        Some(BackendChoice::Swarm) => Ok(Arc::new(
            DockerBackend::connect_swarm(endpoint, true).await?,
        )),
        Some(BackendChoice::Kubernetes) => Err(super::kube::not_yet()),
    }
}
