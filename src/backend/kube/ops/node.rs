//! Placeholder until the node operations land.

use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{Capabilities, OpRequest, Plan, TargetRef};

const NOT_YET: &str = "this operation on Kubernetes is not in this build yet";

pub fn capabilities(_target: &TargetRef) -> Capabilities {
    Capabilities::none(NOT_YET)
}

pub async fn plan(_client: kube::Client, _req: OpRequest) -> Result<Plan, BackendError> {
    Err(BackendError::Unsupported(NOT_YET.into()))
}

pub async fn execute(_client: kube::Client, _plan: &Plan, _rep: &Report) -> End {
    End::failed(NOT_YET)
}
