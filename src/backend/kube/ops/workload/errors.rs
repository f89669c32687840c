//! The API server's refusals in the operator's words.

use crate::backend::BackendError;

/// `what` failed: "patch deployment shop/web".
pub fn api_error(what: &str, e: kube::Error) -> BackendError {
    match e {
        kube::Error::Api(s) if s.code == 404 => BackendError::NotFound {
            what: what
                .split_once(' ')
                .map(|(_, object)| object.to_owned())
                .unwrap_or_else(|| what.to_owned()),
            hint: " (deleted meanwhile? see `berth ls services`)".to_owned(),
        },
        kube::Error::Api(s) if s.code == 403 => {
            BackendError::Engine(format!("forbidden: {what}: {}", s.message))
        }
        kube::Error::Api(s) => BackendError::Engine(format!("{what}: {}", s.message)),
        other => BackendError::Engine(format!("{what}: {other}")),
    }
}

/// The same, as the text an operation ends with.
pub fn api_text(what: &str, e: kube::Error) -> String {
    api_error(what, e).to_string()
}
