//! Kubernetes backend: arrives with its own issue. Until then choosing it
//! says so plainly instead of half-working.

use super::BackendError;

pub fn not_yet() -> BackendError {
    BackendError::Unsupported(
        "the Kubernetes backend is not in this build yet; no Docker endpoint was found either \
         (pass --host, set DOCKER_HOST, or start dockerd so /var/run/docker.sock exists)"
            .to_owned(),
    )
}
