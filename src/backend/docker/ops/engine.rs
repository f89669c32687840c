//! The engine an operation talks to, and the engine's words for failures.

use super::super::connect::classify;
use crate::backend::BackendError;
use bollard::Docker;
use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::InspectContainerOptions;

/// How long a stop or restart may take to answer (grace periods included).
const PATIENT: std::time::Duration = std::time::Duration::from_secs(600);

/// The engine an operation talks to.
pub struct Engine {
    pub docker: Docker,
    pub endpoint: String,
}

impl Engine {
    pub fn err(&self, e: bollard::errors::Error) -> BackendError {
        classify(&self.endpoint, &e)
    }

    /// A stop waits out the container's grace period, which may be longer
    /// than the client's usual wait for an answer.
    pub fn patient(&self) -> Docker {
        self.docker.clone().with_timeout(PATIENT)
    }

    pub async fn inspect(&self, id: &str) -> Result<ContainerInspectResponse, BackendError> {
        self.docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(|e| self.err(e))
    }
}

/// The engine's (or registry's) own words for a failure.
pub fn words(e: &bollard::errors::Error) -> String {
    use bollard::errors::Error as E;
    match e {
        E::DockerResponseServerError { message, .. } => message.trim().to_owned(),
        E::DockerStreamError { error } => error.trim().to_owned(),
        other => other.to_string(),
    }
}
