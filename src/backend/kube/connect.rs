//! Opening a cluster from the kubeconfig, as kubectl finds it
//! (`KUBECONFIG`, then `~/.kube/config`).

use crate::backend::BackendError;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};

/// Which cluster and namespaces: the kubeconfig `context` (its current one
/// when `None`) and one `namespace` (every namespace when `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeTarget {
    /// A kubeconfig file instead of `KUBECONFIG` / `~/.kube/config`.
    pub kubeconfig: Option<std::path::PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
}

/// Whether a kubeconfig can be found: the startup default picks
/// Kubernetes then, when no Docker endpoint exists.
pub fn kubeconfig_exists() -> bool {
    let env = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty());
    match env {
        Some(paths) => std::env::split_paths(&paths).any(|p| p.exists()),
        None => std::env::var_os("HOME")
            .map(|h| std::path::Path::new(&h).join(".kube").join("config"))
            .is_some_and(|p| p.exists()),
    }
}

/// The client and the endpoint as shown (`https://host:6443 (context)`).
pub async fn client(target: &KubeTarget) -> Result<(kube::Client, String), BackendError> {
    let opts = KubeConfigOptions {
        context: target.context.clone(),
        ..KubeConfigOptions::default()
    };
    let bad = |reason: String| BackendError::BadEndpoint {
        endpoint: target
            .context
            .clone()
            .unwrap_or_else(|| "the kubeconfig's current context".into()),
        reason,
    };
    let (config, file_context) = match &target.kubeconfig {
        Some(path) => {
            let file =
                Kubeconfig::read_from(path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
            let current = file.current_context.clone();
            let config = Config::from_custom_kubeconfig(file, &opts)
                .await
                .map_err(|e| bad(e.to_string()))?;
            (config, current)
        }
        None => {
            let config = Config::from_kubeconfig(&opts)
                .await
                .map_err(|e| bad(e.to_string()))?;
            (
                config,
                Kubeconfig::read().ok().and_then(|k| k.current_context),
            )
        }
    };
    let context = target.context.clone().or(file_context);
    let endpoint = match context {
        Some(c) => format!("{} ({c})", config.cluster_url),
        None => config.cluster_url.to_string(),
    };
    let client = kube::Client::try_from(config).map_err(|e| BackendError::BadEndpoint {
        endpoint: endpoint.clone(),
        reason: e.to_string(),
    })?;
    Ok((client, endpoint))
}
