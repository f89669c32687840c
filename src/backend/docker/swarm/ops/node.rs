//! Node availability (drain, pause, activate). A placeholder in this
//! branch: the node operations are written beside it and replace this file.

use crate::backend::BackendError;
use crate::backend::docker::ops::report::{End, Report};
use crate::domain::{Capabilities, OpRequest, Plan, TargetRef};
use bollard::Docker;

const NOT_YET: &str = "node operations are not in this build yet";

/// Which operations apply to a node.
pub fn capabilities(_target: &TargetRef) -> Capabilities {
    Capabilities::none(NOT_YET)
}

/// Reads the node and says what `req` would do.
pub async fn plan(
    _docker: &Docker,
    _endpoint: &str,
    _req: OpRequest,
) -> Result<Plan, BackendError> {
    Err(BackendError::Unsupported(NOT_YET.to_owned()))
}

/// Carries out a node plan, reporting on `rep`.
pub async fn execute(_docker: &Docker, _endpoint: &str, _plan: &Plan, _rep: &Report) -> End {
    End::failed(NOT_YET)
}
