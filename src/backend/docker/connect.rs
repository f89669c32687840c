//! Finding and opening the Docker endpoint, and turning transport failures
//! into messages an operator can act on.

use crate::backend::BackendError;
use bollard::{API_DEFAULT_VERSION, Docker};
use std::error::Error as _;
use std::io::ErrorKind;

/// The socket Docker listens on when nothing else is configured.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Seconds to wait for response headers; streams themselves are not cut.
const REQUEST_TIMEOUT_SECS: u64 = 15;

/// The endpoint to use: `--host`, else `DOCKER_HOST`, else the local socket.
/// A bare path is taken as a unix socket.
pub fn resolve_endpoint(host: Option<&str>) -> String {
    let raw = host
        .map(str::to_owned)
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| format!("unix://{DEFAULT_SOCKET}"));
    if raw.starts_with('/') {
        format!("unix://{raw}")
    } else {
        raw
    }
}

/// Whether an endpoint is configured or the local socket exists: the
/// startup default picks Docker then.
pub fn docker_configured(host: Option<&str>) -> bool {
    host.is_some()
        || std::env::var("DOCKER_HOST").is_ok_and(|h| !h.is_empty())
        || std::path::Path::new(DEFAULT_SOCKET).exists()
}

/// Opens a client for `endpoint` (no I/O yet).
pub fn client(endpoint: &str) -> Result<Docker, BackendError> {
    let bad = |reason: String| BackendError::BadEndpoint {
        endpoint: endpoint.to_owned(),
        reason,
    };
    if let Some(path) = endpoint.strip_prefix("unix://") {
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
            .map_err(|e| classify(endpoint, &e))
    } else if endpoint.starts_with("tcp://") || endpoint.starts_with("http://") {
        Docker::connect_with_http(endpoint, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
            .map_err(|e| bad(e.to_string()))
    } else {
        Err(bad(
            "use unix:///path/to/docker.sock or tcp://host:port".to_owned()
        ))
    }
}

/// Connects and negotiates the API version with the daemon.
pub async fn connect(endpoint: &str) -> Result<Docker, BackendError> {
    let docker = client(endpoint)?;
    docker
        .negotiate_version()
        .await
        .map_err(|e| classify(endpoint, &e))
}

/// Maps a bollard error to a [`BackendError`] that says what to do.
pub fn classify(endpoint: &str, err: &bollard::errors::Error) -> BackendError {
    use bollard::errors::Error as E;
    match err {
        E::DockerResponseServerError {
            status_code,
            message,
        } => match status_code {
            403 => BackendError::PermissionDenied {
                endpoint: endpoint.to_owned(),
            },
            404 => BackendError::NotFound {
                what: message.clone(),
                hint: String::new(),
            },
            _ => BackendError::Engine(message.clone()),
        },
        E::SocketNotFoundError(_) => missing_socket(endpoint),
        E::RequestTimeoutError => BackendError::Unreachable {
            engine: "Docker engine",
            endpoint: endpoint.to_owned(),
            reason: "no answer within 15 s".to_owned(),
            hint: "Is the engine overloaded, or is the address right?".to_owned(),
        },
        _ => match io_kind(err) {
            Some(ErrorKind::PermissionDenied) => BackendError::PermissionDenied {
                endpoint: endpoint.to_owned(),
            },
            Some(ErrorKind::NotFound) => missing_socket(endpoint),
            Some(ErrorKind::ConnectionRefused) => BackendError::Unreachable {
                engine: "Docker engine",
                endpoint: endpoint.to_owned(),
                reason: "connection refused".to_owned(),
                hint: "Is dockerd running and listening there? Start it, or pass --host / set DOCKER_HOST.".to_owned(),
            },
            _ => BackendError::Unreachable {
                engine: "Docker engine",
                endpoint: endpoint.to_owned(),
                reason: root_cause(err),
                hint: "Check that dockerd is running and that --host / DOCKER_HOST is right.".to_owned(),
            },
        },
    }
}

fn missing_socket(endpoint: &str) -> BackendError {
    BackendError::Unreachable {
        engine: "Docker engine",
        endpoint: endpoint.to_owned(),
        reason: "the socket does not exist".to_owned(),
        hint: "Is dockerd running? Start it (systemctl start docker), or pass --host / set DOCKER_HOST."
            .to_owned(),
    }
}

/// The io::ErrorKind at the bottom of the error chain, if any.
fn io_kind(err: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = e.source();
    }
    None
}

fn root_cause(err: &bollard::errors::Error) -> String {
    let mut msg = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        msg = e.to_string();
        cur = e.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_paths_become_unix_endpoints() {
        assert_eq!(
            resolve_endpoint(Some("/run/user/1000/docker.sock")),
            "unix:///run/user/1000/docker.sock"
        );
        assert_eq!(
            resolve_endpoint(Some("tcp://10.0.0.2:2375")),
            "tcp://10.0.0.2:2375"
        );
    }

    #[test]
    fn unknown_schemes_are_rejected_with_a_hint() {
        let err = client("ftp://x")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unix://"), "{err}");
    }

    #[tokio::test]
    async fn a_missing_socket_names_the_endpoint_and_the_fix() {
        let err = connect("unix:///nonexistent/docker.sock")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unix:///nonexistent/docker.sock"), "{err}");
        assert!(err.contains("does not exist"), "{err}");
        assert!(err.contains("dockerd"), "{err}");
    }
}
