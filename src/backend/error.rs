use thiserror::Error;

/// Backend failures, each saying what failed and what to do about it.
#[derive(Debug, Error)]
pub enum BackendError {
    #[error("cannot reach the {engine} at {endpoint}: {reason}. {hint}")]
    Unreachable {
        /// "Docker engine", "Kubernetes API server".
        engine: &'static str,
        endpoint: String,
        reason: String,
        hint: String,
    },
    #[error(
        "permission denied on {endpoint}: run berth as a user in the 'docker' group (or root), or point --host at an endpoint you may use"
    )]
    PermissionDenied { endpoint: String },
    #[error("{what} not found{hint}")]
    NotFound { what: String, hint: String },
    /// What the operator typed names nothing (or several things).
    #[error("{0}")]
    NoTarget(String),
    #[error("the engine refused: {0}")]
    Engine(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("refused: {0}: berth runs read-only (--read-only)")]
    ReadOnly(String),
    #[error("invalid endpoint {endpoint}: {reason}")]
    BadEndpoint { endpoint: String, reason: String },
}
