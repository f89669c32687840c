//! Picks and connects the backend chosen at startup.

use super::docker::{DockerBackend, docker_configured, resolve_endpoint};
use super::{Backend, BackendError};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    Docker,
    Kubernetes,
}

/// Connects the chosen backend; without a choice, Docker when an endpoint is
/// configured or the local socket exists, else Kubernetes.
pub async fn connect(
    choice: Option<BackendChoice>,
    host: Option<&str>,
) -> Result<Arc<dyn Backend>, BackendError> {
    let choice = choice.unwrap_or(if docker_configured(host) {
        BackendChoice::Docker
    } else {
        BackendChoice::Kubernetes
    });
    match choice {
        BackendChoice::Docker => Ok(Arc::new(
            DockerBackend::connect(resolve_endpoint(host)).await?,
        )),
        BackendChoice::Kubernetes => Err(super::kube::not_yet()),
    }
}
