//! What every swarm plan shares: its first words, the replica rows of the
//! tasks running now, and the plan of a change rolled out over every task.

use super::converge::{Key, replica_name};
use super::service::{Svc, in_progress_warning, lone_replica_warning};
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::domain::{OpRequest, Plan};
use bollard::models::TaskState;
use bollard::query_parameters::{ListNodesOptions, ListTasksOptionsBuilder};
use std::collections::{BTreeSet, HashMap};

/// "redeploy shop/web on swarm unix:///var/run/docker.sock"
pub fn head(req: &OpRequest, endpoint: &str) -> String {
    format!(
        "{} {} on swarm {endpoint}",
        req.kind.label(),
        req.target.name()
    )
}

/// "1 task", "3 tasks".
pub fn tasks(n: usize) -> String {
    if n == 1 {
        "1 task".to_owned()
    } else {
        format!("{n} tasks")
    }
}

/// The rows of the tasks meant to run now (`web.1`, `web.2`, or
/// `mon.<node>` for a global service), in slot order.
pub async fn current_replicas(eng: &Engine, svc: &Svc) -> Result<Vec<String>, BackendError> {
    let filters: HashMap<&str, Vec<&str>> = HashMap::from([
        ("service", vec![svc.id.as_str()]),
        ("desired-state", vec!["running"]),
    ]);
    let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
    let (list, nodes) = tokio::try_join!(
        eng.docker.list_tasks(Some(opts)),
        eng.docker.list_nodes(None::<ListNodesOptions>),
    )
    .map_err(|e| eng.err(e))?;
    let hostnames: HashMap<String, String> = nodes
        .into_iter()
        .filter_map(|n| Some((n.id?, n.description?.hostname?)))
        .collect();
    let global = svc.mode().is_global();
    let keys: BTreeSet<Key> = list
        .iter()
        .filter(|t| t.desired_state == Some(TaskState::RUNNING))
        .filter_map(|t| {
            if global {
                t.node_id.clone().filter(|n| !n.is_empty()).map(Key::Node)
            } else {
                t.slot.map(Key::Slot)
            }
        })
        .collect();
    Ok(keys
        .iter()
        .map(|k| replica_name(&svc.name, k, &hostnames))
        .collect())
}

/// The plan of a change the swarm rolls out over every task (redeploy,
/// restart, rollback): "<head> — N tasks <what>", with the operation's own
/// warnings first, then the two every rollout can bring.
pub fn rollout(
    eng: &Engine,
    req: OpRequest,
    svc: &Svc,
    rows: Vec<String>,
    what: &str,
    details: Vec<String>,
    mut warnings: Vec<String>,
) -> Plan {
    let display = req.target.name();
    warnings.extend(lone_replica_warning(svc, display));
    warnings.extend(in_progress_warning(svc, display));
    Plan {
        summary: format!(
            "{} — {} {what}",
            head(&req, &eng.endpoint),
            tasks(rows.len())
        ),
        details,
        warnings,
        replicas: rows,
        confirm_twice: false,
        revision: Some(svc.version),
        request: req,
    }
}
