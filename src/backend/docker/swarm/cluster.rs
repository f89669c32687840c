//! What a manager says about the swarm: nodes, services with their task
//! counts, and the tasks the console shows. Tasks have no events, so they
//! are listed only for what is on screen ([`Interest`]), and the services
//! whose counts fall short are asked why.

use super::convert::{self, Names};
use crate::backend::Interest;
use crate::backend::docker::group;
use crate::backend::docker::list::Model;
use crate::domain::{Container, ServiceKind, Snapshot, Stack, StackKind};
use bollard::Docker;
use bollard::models::{Node as SwarmNode, Service as SwarmService, Task, TaskState};
use bollard::query_parameters::{
    ListNodesOptions, ListServicesOptionsBuilder, ListTasksOptionsBuilder,
};
use std::collections::{BTreeMap, HashMap};

/// A failed task older than this no longer marks its service as failing.
const FAILING_WINDOW_SECS: i64 = 120;

#[derive(Debug, Default, Clone)]
pub struct Cluster {
    nodes: Vec<SwarmNode>,
    services: Vec<SwarmService>,
    /// The tasks `interest` asked for.
    tasks: Vec<Task>,
    interest: Interest,
    /// Service id -> why its tasks keep failing.
    failing: HashMap<String, String>,
}

impl Cluster {
    /// Lists nodes and services, then the tasks `interest` shows and those
    /// of services short of replicas.
    pub async fn load(
        docker: &Docker,
        interest: &Interest,
        now: i64,
    ) -> Result<Cluster, bollard::errors::Error> {
        let (nodes, services) = tokio::try_join!(
            docker.list_nodes(None::<ListNodesOptions>),
            docker.list_services(Some(ListServicesOptionsBuilder::new().status(true).build())),
        )?;
        let mut cluster = Cluster {
            nodes,
            services,
            interest: interest.clone(),
            ..Cluster::default()
        };
        let short: Vec<String> = cluster
            .services
            .iter()
            .filter(|s| {
                let st = s.service_status.as_ref();
                let running = st.and_then(|s| s.running_tasks).unwrap_or_default();
                let desired = st.and_then(|s| s.desired_tasks).unwrap_or_default();
                running < desired
            })
            .filter_map(|s| s.id.clone())
            .collect();
        let filter = match interest {
            Interest::Nothing => None,
            Interest::All => Some(HashMap::new()),
            Interest::Service(id) => Some(HashMap::from([("service", vec![id.clone()])])),
            Interest::Node(name) => {
                // A node not (or no longer) in the swarm has no tasks.
                let id = cluster
                    .nodes
                    .iter()
                    .find(|n| n.id.as_deref() == Some(name) || convert::node_name(n) == *name)
                    .and_then(|n| n.id.clone())
                    .unwrap_or_else(|| name.clone());
                Some(HashMap::from([("node", vec![id])]))
            }
        };
        if let Some(f) = filter {
            cluster.tasks = list_tasks(docker, f).await?;
        }
        // Services short of replicas whose tasks are not listed already.
        let covered = |id: &String| match interest {
            Interest::All => true,
            Interest::Service(s) => s == id,
            _ => false,
        };
        let ask: Vec<String> = short.iter().filter(|id| !covered(id)).cloned().collect();
        let extra = if ask.is_empty() {
            Vec::new()
        } else {
            list_tasks(docker, HashMap::from([("service", ask)])).await?
        };
        for id in &short {
            let why = convert::failing(&cluster.tasks, id, now, FAILING_WINDOW_SECS)
                .or_else(|| convert::failing(&extra, id, now, FAILING_WINDOW_SECS));
            if let Some(why) = why {
                cluster.failing.insert(id.clone(), why);
            }
        }
        Ok(cluster)
    }

    /// The engine's own view (`local`: its compose projects and plain
    /// containers) with the swarm's nodes, stacks, services and the listed
    /// tasks in place of the task containers it runs itself.
    pub fn merge(&self, local: &Model) -> Snapshot {
        let names = Names::new(&self.services, &self.nodes);
        let mut containers: Vec<Container> = local
            .containers
            .values()
            .filter(|c| c.service_kind != ServiceKind::Swarm)
            .cloned()
            .collect();
        containers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let (mut stacks, mut services) = group::group(&containers, &local.working_dirs);
        containers.extend(self.tasks.iter().map(|t| convert::task(t, &names)));
        containers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));

        let swarm_services: Vec<_> = self
            .services
            .iter()
            .map(|s| {
                let id = s.id.as_deref().unwrap_or_default();
                convert::service(s, self.failing.get(id).cloned())
            })
            .collect();
        let mut swarm_stacks: BTreeMap<String, Stack> = BTreeMap::new();
        for s in &swarm_services {
            let Some(name) = &s.stack else { continue };
            let st = swarm_stacks.entry(name.clone()).or_insert_with(|| Stack {
                name: name.clone(),
                id: name.clone(),
                kind: StackKind::Swarm,
                ..Stack::default()
            });
            st.services += 1;
            st.containers_running += s.replicas_running;
            st.containers_total += s.replicas_desired;
        }
        stacks.extend(swarm_stacks.into_values());
        services.extend(swarm_services);
        services.sort_by(|a, b| a.id.cmp(&b.id));

        // Per-node counts only when every task is listed: a count from a
        // partial listing would be wrong, not just late.
        let counts = self.node_counts();
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let id = n.id.as_deref().unwrap_or_default();
                convert::node(
                    n,
                    counts
                        .as_ref()
                        .map(|c| c.get(id).copied().unwrap_or_default()),
                )
            })
            .collect();
        let mut snap = Snapshot {
            nodes,
            stacks,
            services,
            containers,
            problems: Vec::new(),
            routes: Vec::new(),
        };
        crate::routes::attach(&mut snap);
        snap
    }

    fn node_counts(&self) -> Option<HashMap<&str, (u32, u32)>> {
        if self.interest != Interest::All {
            return None;
        }
        let mut counts: HashMap<&str, (u32, u32)> = HashMap::new();
        for t in &self.tasks {
            let desired = t.desired_state;
            if !matches!(desired, Some(TaskState::RUNNING | TaskState::READY)) {
                continue;
            }
            let Some(node) = t.node_id.as_deref() else {
                continue;
            };
            let e = counts.entry(node).or_default();
            e.1 += 1;
            if t.status.as_ref().and_then(|s| s.state) == Some(TaskState::RUNNING) {
                e.0 += 1;
            }
        }
        Some(counts)
    }
}

async fn list_tasks(
    docker: &Docker,
    filters: HashMap<&str, Vec<String>>,
) -> Result<Vec<Task>, bollard::errors::Error> {
    let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
    docker.list_tasks(Some(opts)).await
}
