//! Picks and connects the backend chosen at startup.

use super::docker::{DockerBackend, docker_configured, resolve_endpoint};
use super::kube::{KubeBackend, KubeTarget};
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
/// manager), else Kubernetes when a kubeconfig exists.
pub async fn connect(
    choice: Option<BackendChoice>,
    host: Option<&str>,
    kube: &KubeTarget,
) -> Result<Arc<dyn Backend>, BackendError> {
    let endpoint = resolve_endpoint(host);
    match choice {
        None if docker_configured(host) => Ok(Arc::new(
            DockerBackend::connect_swarm(endpoint, false).await?,
        )),
        None if kube.kubeconfig.is_some() || super::kube::kubeconfig_exists() => {
            Ok(Arc::new(KubeBackend::connect(kube).await?))
        }
        None => Err(BackendError::Unsupported(
            "no Docker endpoint and no kubeconfig found: pass --host or set DOCKER_HOST, start \
             dockerd so /var/run/docker.sock exists, or set KUBECONFIG"
                .to_owned(),
        )),
        Some(BackendChoice::Docker) => Ok(Arc::new(DockerBackend::connect(endpoint).await?)),
        Some(BackendChoice::Swarm) => Ok(Arc::new(
            DockerBackend::connect_swarm(endpoint, true).await?,
        )),
        Some(BackendChoice::Kubernetes) => Ok(Arc::new(KubeBackend::connect(kube).await?)),
    }
}
