//! Pointing a running console at another Kubernetes context or namespace
//! (`:ctx`, `:ns`). The runtime holds a [`Switcher`] and knows nothing of
//! the backend behind it.

use super::kube::{Contexts, KubeBackend, KubeTarget, read_contexts};
use super::{Backend, ReadOnly};
use futures::FutureExt;
use futures::future::BoxFuture;
use std::path::PathBuf;
use std::sync::Arc;

/// Makes backends for other targets of the same kind.
pub trait Switcher: Send + Sync {
    /// The contexts the console may switch to (read again each time, so a
    /// context added meanwhile is offered).
    fn contexts(&self) -> Result<Contexts, String>;
    /// A backend for `target`, once its apiserver has answered; or why
    /// not, in one line.
    fn connect(&self, target: KubeTarget) -> BoxFuture<'static, Result<Arc<dyn Backend>, String>>;
}

/// Kubernetes backends from one kubeconfig, behind the read-only guard
/// when berth runs `--read-only`.
pub struct KubeSwitcher {
    pub kubeconfig: Option<PathBuf>,
    pub read_only: bool,
}

impl Switcher for KubeSwitcher {
    fn contexts(&self) -> Result<Contexts, String> {
        read_contexts(self.kubeconfig.as_deref())
    }

    fn connect(&self, target: KubeTarget) -> BoxFuture<'static, Result<Arc<dyn Backend>, String>> {
        let read_only = self.read_only;
        async move {
            let backend = KubeBackend::connect(&target)
                .await
                .map_err(|e| e.to_string())?;
            backend.reachable().await?;
            let backend: Arc<dyn Backend> = Arc::new(backend);
            Ok(guarded(backend, read_only))
        }
        .boxed()
    }
}

/// `backend` behind the read-only guard when `read_only`.
pub fn guarded(backend: Arc<dyn Backend>, read_only: bool) -> Arc<dyn Backend> {
    if read_only {
        Arc::new(ReadOnly(backend))
    } else {
        backend
    }
}
