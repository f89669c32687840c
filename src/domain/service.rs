use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// A service of a compose project.
    #[default]
    Compose,
    /// A container started on its own, shown as a one-container service.
    Standalone,
    /// A swarm service.
    Swarm,
    /// A Kubernetes workload.
    Workload,
}

impl ServiceKind {
    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Compose => "compose",
            ServiceKind::Standalone => "container",
            ServiceKind::Swarm => "swarm",
            ServiceKind::Workload => "workload",
        }
    }
}

/// Something that runs N copies of one image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Stable key: `stack/service` for compose, the container name for a
    /// standalone container, the engine's id elsewhere.
    pub id: String,
    pub name: String,
    pub stack: Option<String>,
    pub kind: ServiceKind,
    pub image: String,
    pub replicas_running: u32,
    pub replicas_desired: u32,
    /// Published ports of its containers, e.g. "8080->80/tcp".
    pub ports: String,
    /// Unix seconds of the oldest container (compose/standalone) or the spec.
    pub created: i64,
}

impl Service {
    /// The name `ls` prints and `logs TARGET` accepts.
    pub fn qualified_name(&self) -> String {
        match &self.stack {
            Some(stack) => format!("{stack}/{}", self.name),
            None => self.name.clone(),
        }
    }
}
