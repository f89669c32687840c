//! Which tasks a swarm log session reads. The manager serves each task's
//! logs (`/tasks/{id}/logs`) from whichever node runs it; a service's
//! lines are its tasks' streams merged, named `service.slot@node`, and the
//! tasks are listed again while it is followed (tasks have no events).

use super::convert::{self, Names};
use crate::domain::Container;
use bollard::Docker;
use bollard::query_parameters::{InspectServiceOptions, ListNodesOptions, ListTasksOptionsBuilder};
use std::collections::HashMap;

/// What a swarm log session reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A service, by id: every task that should run.
    Service(String),
    /// One task, by id.
    Task(String),
}

/// The tasks `source` names, as containers named `task@node`; the task
/// state decides whether a stream is opened (running) or ends.
pub async fn members(docker: &Docker, source: &Source) -> Result<Vec<Container>, String> {
    let mut filters = match source {
        Source::Service(id) => HashMap::from([("service", vec![id.clone()])]),
        Source::Task(id) => HashMap::from([("id", vec![id.clone()])]),
    };
    if matches!(source, Source::Service(_)) {
        filters.insert("desired-state", vec!["running".into()]);
    }
    let tasks = docker.list_tasks(Some(
        ListTasksOptionsBuilder::new().filters(&filters).build(),
    ));
    let nodes = docker.list_nodes(None::<ListNodesOptions>);
    let (tasks, nodes) = tokio::join!(tasks, nodes);
    let tasks = tasks.map_err(|e| e.to_string())?;
    let nodes = nodes.map_err(|e| e.to_string())?;
    let mut services = Vec::new();
    for id in tasks.iter().filter_map(|t| t.service_id.as_deref()) {
        if services
            .iter()
            .any(|s: &bollard::models::Service| s.id.as_deref() == Some(id))
        {
            continue;
        }
        if let Ok(s) = docker
            .inspect_service(id, None::<InspectServiceOptions>)
            .await
        {
            services.push(s);
        }
    }
    let names = Names::new(&services, &nodes);
    Ok(tasks
        .iter()
        .map(|t| {
            let mut c = convert::task(t, &names);
            c.name = format!("{}@{}", c.name, c.node);
            c
        })
        .collect())
}
