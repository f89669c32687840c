use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StackKind {
    /// A docker-compose project (`com.docker.compose.project`).
    #[default]
    Compose,
    /// A swarm stack (`com.docker.stack.namespace`).
    Swarm,
    /// A Kubernetes namespace.
    Namespace,
}

impl StackKind {
    pub fn label(self) -> &'static str {
        match self {
            StackKind::Compose => "compose",
            StackKind::Swarm => "swarm",
            StackKind::Namespace => "namespace",
        }
    }
}

/// A group of services deployed together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stack {
    pub name: String,
    /// Same as `name`: stacks are identified by name on every engine.
    pub id: String,
    pub kind: StackKind,
    pub services: u32,
    pub containers_running: u32,
    pub containers_total: u32,
    /// Where the project lives on disk (compose `working_dir`), if known.
    pub working_dir: Option<String>,
    /// What runs in it by the labels its workloads carry (a Kubernetes
    /// namespace): Helm releases with their chart, `app.kubernetes.io`
    /// part-of or instance names.
    pub apps: Vec<String>,
}
