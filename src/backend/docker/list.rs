//! The backend's own model of the engine, loaded by listing and patched by
//! targeted re-lists of the containers that events named.

use super::connect::classify;
use super::{convert, group};
use crate::backend::BackendError;
use crate::domain::{Container, Node, Snapshot};
use bollard::Docker;
use bollard::query_parameters::{InspectContainerOptions, ListContainersOptionsBuilder};
use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct Model {
    pub containers: HashMap<String, Container>,
    /// compose project -> working dir, from labels.
    pub working_dirs: HashMap<String, String>,
    pub node: Node,
}

impl Model {
    /// A full listing: engine info and every container.
    pub async fn load(docker: &Docker, endpoint: &str) -> Result<Model, BackendError> {
        let err = |e: bollard::errors::Error| classify(endpoint, &e);
        let (info, version, summaries) = tokio::try_join!(
            docker.info(),
            docker.version(),
            docker.list_containers(Some(ListContainersOptionsBuilder::new().all(true).build())),
        )
        .map_err(err)?;
        let host = convert::Host {
            name: info.name.as_deref().unwrap_or_default(),
            id: info.id.as_deref().unwrap_or_default(),
        };
        let mut model = Model::default();
        for s in &summaries {
            model.absorb_labels(s);
            let c = convert::container(s, &host);
            model.containers.insert(c.id.clone(), c);
        }
        model.node = convert::node(&info, version.version.as_deref().unwrap_or_default(), &[]);
        Ok(model)
    }

    /// Re-lists just `ids`; those the engine no longer has are removed.
    /// Known restart counts are kept until a fresh inspect replaces them.
    pub async fn refresh(
        &mut self,
        docker: &Docker,
        endpoint: &str,
        ids: &[String],
    ) -> Result<(), BackendError> {
        if ids.is_empty() {
            return Ok(());
        }
        let filters = HashMap::from([("id", ids.to_vec())]);
        let opts = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters)
            .build();
        let summaries = docker
            .list_containers(Some(opts))
            .await
            .map_err(|e| classify(endpoint, &e))?;
        let mut seen = std::collections::HashSet::new();
        let node = self.node.clone();
        let host = convert::Host {
            name: &node.name,
            id: &node.id,
        };
        for s in &summaries {
            self.absorb_labels(s);
            let mut c = convert::container(s, &host);
            if let Some(old) = self.containers.get(&c.id) {
                c.restart_count = old.restart_count;
            }
            seen.insert(c.id.clone());
            self.containers.insert(c.id.clone(), c);
        }
        for id in ids {
            if !seen.contains(id) {
                self.containers.remove(id);
            }
        }
        Ok(())
    }

    fn absorb_labels(&mut self, s: &bollard::models::ContainerSummary) {
        let labels = s.labels.as_ref();
        if let (Some(p), Some(d)) = (
            labels.and_then(|l| l.get(convert::LABEL_COMPOSE_PROJECT)),
            labels.and_then(|l| l.get(convert::LABEL_COMPOSE_WORKDIR)),
        ) {
            self.working_dirs
                .insert(convert::clean(p), convert::clean(d));
        }
    }

    /// The domain view of the model.
    pub fn snapshot(&self) -> Snapshot {
        let mut containers: Vec<Container> = self.containers.values().cloned().collect();
        containers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let (stacks, services) = group::group(&containers, &self.working_dirs);
        let mut node = self.node.clone();
        node.containers_total = containers.len() as u32;
        node.containers_running = containers.iter().filter(|c| c.state.is_running()).count() as u32;
        let mut snap = Snapshot {
            nodes: vec![node],
            stacks,
            services,
            containers,
            problems: Vec::new(),
            routes: Vec::new(),
        };
        crate::routes::attach(&mut snap);
        snap
    }
}

/// The restart count, which only an inspect tells.
pub async fn restart_count(
    docker: &Docker,
    id: &str,
) -> Result<Option<u32>, bollard::errors::Error> {
    let r = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await?;
    Ok(r.restart_count.map(|n| n.max(0) as u32))
}
