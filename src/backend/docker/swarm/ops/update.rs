//! Sending a changed spec to the swarm: with the version the plan was read
//! at, the user's registry credentials, and one retry on the service as it
//! is now when someone else changed it meanwhile ("update out of sequence").

use super::service::{self, Svc};
use crate::backend::docker::ops::engine::{Engine, words};
use crate::backend::report::Report;
use bollard::auth::DockerCredentials;
use bollard::models::ServiceSpec;
use bollard::query_parameters::UpdateServiceOptionsBuilder;

/// What the update asks of the swarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Run the spec sent.
    Spec,
    /// Go back to the previous spec the swarm keeps (`rollback=previous`).
    Rollback,
}

/// The engine's words when the version sent is not the service's any more:
/// swarmkit's store says "update out of sequence" (20.10); "out of sync"
/// is how other tools word it.
pub fn out_of_sync(message: &str) -> bool {
    message.contains("update out of sequence") || message.contains("update out of sync")
}

/// The swarm's version index as the client library sends it (an i32).
pub fn version_param(version: u64) -> Result<i32, String> {
    i32::try_from(version).map_err(|_| {
        format!("the service's version {version} is larger than the Docker client library can send")
    })
}

/// Reads service `id`, turns it into the spec to send with `change`, and
/// updates it at `version` (the plan's; the one just read without). When the engine answers that the
/// service changed since, reads it again and sends the same change once
/// more at its new version; then the engine's words are the error.
/// Returns the service as it was read for the update that went through.
pub async fn send(
    eng: &Engine,
    rep: &Report,
    id: &str,
    version: Option<u64>,
    how: How,
    creds: Option<DockerCredentials>,
    change: impl Fn(&Svc) -> Result<ServiceSpec, String>,
) -> Result<Svc, String> {
    let mut svc = service::inspect(eng, id).await.map_err(|e| e.to_string())?;
    let mut at = version.unwrap_or(svc.version);
    let mut retried = false;
    loop {
        let spec = change(&svc)?;
        let mut opts = UpdateServiceOptionsBuilder::new().version(version_param(at)?);
        opts = match how {
            How::Spec => opts.registry_auth_from("spec"),
            How::Rollback => opts
                .rollback("previous")
                .registry_auth_from("previous-spec"),
        };
        let sent = eng
            .docker
            .update_service(&svc.id, spec, opts.build(), creds.clone())
            .await;
        match sent {
            Ok(resp) => {
                for w in resp.warnings.unwrap_or_default() {
                    rep.message(format!("the engine warns: {w}")).await;
                }
                return Ok(svc);
            }
            Err(e) if !retried && out_of_sync(&words(&e)) => {
                retried = true;
                svc = service::inspect(eng, id).await.map_err(|e| e.to_string())?;
                rep.message(format!(
                    "{} changed since the plan (the engine said: {}); read it again (version {} \
                     → {}) and applying the same change to it",
                    svc.name,
                    words(&e),
                    at,
                    svc.version
                ))
                .await;
                at = svc.version;
            }
            Err(e) => return Err(words(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_sync_is_recognised_in_the_engines_words() {
        assert!(out_of_sync(
            "rpc error: code = Unknown desc = update out of sequence"
        ));
        assert!(out_of_sync("update out of sync"));
        assert!(!out_of_sync(
            "rpc error: code = InvalidArgument desc = bad spec"
        ));
    }

    #[test]
    fn versions_beyond_i32_are_refused_not_wrapped() {
        assert_eq!(version_param(1234), Ok(1234));
        assert!(version_param(u64::from(u32::MAX)).is_err());
    }
}
