//! The kubeconfig's contexts: what `:ctx` offers, and where the console
//! starts — kubectl's rule for the namespace (`--namespace`, else the
//! context's own, else every namespace, which `-A` also asks for).

use super::KubeTarget;
use kube::config::Kubeconfig;
use std::path::{Path, PathBuf};

/// One context of the kubeconfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeContext {
    pub name: String,
    pub cluster: String,
    /// The namespace it sets, if any.
    pub namespace: Option<String>,
}

/// The contexts, in the file's order, and the file's current one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contexts {
    pub current: Option<String>,
    pub list: Vec<KubeContext>,
}

impl Contexts {
    pub fn get(&self, name: &str) -> Option<&KubeContext> {
        self.list.iter().find(|c| c.name == name)
    }
}

/// Reads `kubeconfig`, or what kubectl reads (`KUBECONFIG`, merged, then
/// `~/.kube/config`).
pub fn read(kubeconfig: Option<&Path>) -> Result<Contexts, String> {
    let file = match kubeconfig {
        Some(p) => Kubeconfig::read_from(p).map_err(|e| format!("{}: {e}", p.display()))?,
        None => Kubeconfig::read().map_err(|e| e.to_string())?,
    };
    let list = file
        .contexts
        .into_iter()
        .map(|c| {
            let (cluster, namespace) = c
                .context
                .map(|x| (x.cluster, x.namespace.filter(|n| !n.is_empty())))
                .unwrap_or_default();
            KubeContext {
                name: c.name,
                cluster,
                namespace,
            }
        })
        .collect();
    Ok(Contexts {
        current: file.current_context.filter(|c| !c.is_empty()),
        list,
    })
}

/// Where the console starts: the context named (or the file's current
/// one, by name, so a later `kubectl config use-context` elsewhere cannot
/// move a running console), and `namespace`, or every namespace with
/// `all`, or the context's namespace, or every namespace. A kubeconfig
/// that cannot be read leaves the choice to the connection, which says why.
pub fn startup_target(
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    namespace: Option<String>,
    all: bool,
) -> KubeTarget {
    let file = read(kubeconfig.as_deref()).ok();
    let context = context.or_else(|| file.as_ref().and_then(|f| f.current.clone()));
    let namespace = match (namespace, all) {
        (_, true) => None,
        (Some(ns), false) => Some(ns),
        (None, false) => file
            .as_ref()
            .zip(context.as_deref())
            .and_then(|(f, c)| f.get(c))
            .and_then(|c| c.namespace.clone()),
    };
    KubeTarget {
        kubeconfig,
        context,
        namespace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig(dir: &Path) -> PathBuf {
        let path = dir.join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n\
             users:\n- name: u\n  user: {token: t}\ncontexts:\n\
             - name: plain\n  context: {cluster: c, user: u}\n\
             - name: scoped\n  context: {cluster: c, user: u, namespace: shop}\n\
             current-context: scoped\n",
        )
        .expect("write");
        path
    }

    #[test]
    fn the_namespace_follows_kubectl_rules() {
        let dir = std::env::temp_dir().join(format!("berth-ctx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = kubeconfig(&dir);
        let t = |ctx: Option<&str>, ns: Option<&str>, all: bool| {
            startup_target(
                Some(path.clone()),
                ctx.map(str::to_owned),
                ns.map(str::to_owned),
                all,
            )
        };
        // Neither flag: the current context, by name, and its namespace.
        let start = t(None, None, false);
        assert_eq!(start.context.as_deref(), Some("scoped"));
        assert_eq!(start.namespace.as_deref(), Some("shop"));
        // -A: every namespace; --namespace: that one.
        assert_eq!(t(None, None, true).namespace, None);
        assert_eq!(
            t(None, Some("web"), false).namespace.as_deref(),
            Some("web")
        );
        // A context that sets no namespace: every namespace.
        assert_eq!(t(Some("plain"), None, false).namespace, None);
        let all = read(Some(&path)).expect("reads");
        assert_eq!(all.current.as_deref(), Some("scoped"));
        assert_eq!(
            all.list.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["plain", "scoped"]
        );
        // No file: nothing resolved, the connection will say why.
        let none = startup_target(Some(dir.join("missing")), None, None, false);
        assert_eq!((none.context, none.namespace), (None, None));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
