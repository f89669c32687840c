//! The containers an operation acts on: every replica of a compose service
//! (in container-number order), or one container.

use super::engine::Engine;
use crate::backend::BackendError;
use crate::backend::docker::convert::{
    LABEL_COMPOSE_ONEOFF, LABEL_COMPOSE_PROJECT, LABEL_COMPOSE_SERVICE,
};
use crate::domain::{ServiceKind, TargetRef};
use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum};
use bollard::query_parameters::ListContainersOptionsBuilder;
use std::collections::HashMap;

pub const LABEL_NUMBER: &str = "com.docker.compose.container-number";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: String,
    /// `com.docker.compose.container-number`; 0 outside compose.
    pub number: u32,
    pub running: bool,
}

/// `project/service` split in two; compose names cannot contain `/`.
pub fn compose_ids(service_id: &str) -> Result<(&str, &str), BackendError> {
    service_id
        .split_once('/')
        .filter(|(p, s)| !p.is_empty() && !s.is_empty())
        .ok_or_else(|| BackendError::NotFound {
            what: format!("compose service {service_id}"),
            hint: ": expected project/service".to_owned(),
        })
}

/// The replicas `target` names, in the order operations touch them.
pub async fn of_target(eng: &Engine, target: &TargetRef) -> Result<Vec<Member>, BackendError> {
    match target {
        TargetRef::Service(s) if s.kind == ServiceKind::Compose => {
            let (project, service) = compose_ids(&s.id)?;
            let found = of_compose(eng, project, service).await?;
            if found.is_empty() {
                return Err(BackendError::NotFound {
                    what: format!("containers of {}", s.name),
                    hint: String::new(),
                });
            }
            Ok(found)
        }
        TargetRef::Service(s) => Ok(vec![one(eng, &s.id).await?]),
        TargetRef::Container(c) => Ok(vec![one(eng, &c.id).await?]),
        TargetRef::Node(n) => Err(BackendError::Unsupported(format!(
            "{} is a node: a plain Docker engine has no node operations",
            n.name
        ))),
    }
}

/// Every container of a compose service, stopped ones too, by number.
/// `docker-compose run` containers are not replicas and are left out.
pub async fn of_compose(
    eng: &Engine,
    project: &str,
    service: &str,
) -> Result<Vec<Member>, BackendError> {
    let filters = HashMap::from([(
        "label",
        vec![
            format!("{LABEL_COMPOSE_PROJECT}={project}"),
            format!("{LABEL_COMPOSE_SERVICE}={service}"),
        ],
    )]);
    let opts = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let list = eng
        .docker
        .list_containers(Some(opts))
        .await
        .map_err(|e| eng.err(e))?;
    let mut out: Vec<Member> = list
        .into_iter()
        .filter(|c| {
            !c.labels
                .as_ref()
                .and_then(|l| l.get(LABEL_COMPOSE_ONEOFF))
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        })
        .map(|c| {
            let labels = c.labels.unwrap_or_default();
            Member {
                name: c
                    .names
                    .as_ref()
                    .and_then(|n| n.first())
                    .map(|n| n.trim_start_matches('/').to_owned())
                    .unwrap_or_default(),
                id: c.id.unwrap_or_default(),
                number: number(&labels),
                running: c.state.map(|s| s.to_string()).as_deref() == Some("running"),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.number, &a.name).cmp(&(b.number, &b.name)));
    Ok(out)
}

async fn one(eng: &Engine, id: &str) -> Result<Member, BackendError> {
    let c = eng.inspect(id).await?;
    Ok(member(&c))
}

pub fn member(c: &ContainerInspectResponse) -> Member {
    let labels = c.config.as_ref().and_then(|c| c.labels.clone());
    Member {
        id: c.id.clone().unwrap_or_default(),
        name: name_of(c),
        number: labels.as_ref().map(number).unwrap_or(0),
        running: is_running(c),
    }
}

pub fn name_of(c: &ContainerInspectResponse) -> String {
    c.name
        .as_deref()
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_owned()
}

pub fn is_running(c: &ContainerInspectResponse) -> bool {
    c.state.as_ref().and_then(|s| s.status) == Some(ContainerStateStatusEnum::RUNNING)
}

fn number(labels: &HashMap<String, String>) -> u32 {
    labels
        .get(LABEL_NUMBER)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
