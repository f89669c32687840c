//! restart of one pod: Kubernetes cannot restart a pod in place, so the
//! pod is deleted and its controller creates a replacement (a StatefulSet
//! one of the same name). Only a pod a controller owns: a bare pod would
//! be lost. The delete carries the pod's uid as a precondition, so a
//! replacement that took its name meanwhile is not deleted instead.

use super::errors::{api_error, api_text};
use super::follow::{Follow, Goal};
use super::object::{Object, WorkloadId};
use super::pods;
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{ContainerRef, OpRequest, Plan, TargetRef};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, Preconditions};

fn owner_of(c: &ContainerRef) -> Result<WorkloadId, BackendError> {
    WorkloadId::parse(&c.service_id).ok_or_else(|| {
        BackendError::Unsupported(format!(
            "{} belongs to no Deployment, StatefulSet or DaemonSet: deleting it could lose it",
            c.name
        ))
    })
}

fn target(req: &OpRequest) -> Result<&ContainerRef, BackendError> {
    match &req.target {
        TargetRef::Container(c) => Ok(c),
        other => Err(BackendError::Unsupported(format!(
            "{} is not a pod",
            other.name()
        ))),
    }
}

async fn read(
    client: &kube::Client,
    c: &ContainerRef,
    owner: &WorkloadId,
) -> Result<Pod, BackendError> {
    let pod = Api::<Pod>::namespaced(client.clone(), &owner.namespace)
        .get(&c.name)
        .await
        .map_err(|e| api_error(&format!("read pod {}/{}", owner.namespace, c.name), e))?;
    let controlled = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true));
    if !controlled {
        return Err(BackendError::Unsupported(format!(
            "{} has no controller: deleting it to restart it would lose it",
            c.name
        )));
    }
    Ok(pod)
}

pub async fn plan(client: kube::Client, req: OpRequest) -> Result<Plan, BackendError> {
    let c = target(&req)?;
    let owner = owner_of(c)?;
    let pod = read(&client, c, &owner).await?;
    let obj = Object::get(&client, &owner).await?;
    let workload = owner.display();
    let grace = pod
        .spec
        .as_ref()
        .and_then(|s| s.termination_grace_period_seconds)
        .unwrap_or(30);
    let mut details = vec![
        format!(
            "Kubernetes cannot restart a pod in place: berth deletes it (grace period {grace} s) \
             and {workload} creates a replacement"
        ),
        format!("like kubectl delete pod {} -n {}", c.name, owner.namespace),
    ];
    if obj.paused() {
        details.push(format!(
            "{workload} is paused: its ReplicaSet still replaces the pod"
        ));
    }
    let mut warnings = Vec::new();
    let others_ready = pods::list(&client, &owner, &obj)
        .await?
        .iter()
        .filter(|p| pods::uid(p) != pods::uid(&pod) && pods::ready(p))
        .count();
    if others_ready == 0 {
        warnings.push(format!(
            "no other pod of {workload} is ready: it serves nothing until the replacement is"
        ));
    }
    Ok(Plan {
        summary: format!(
            "restart pod {}/{} — deleted; {workload} creates a replacement",
            owner.namespace, c.name
        ),
        details,
        warnings,
        replicas: vec![c.name.clone()],
        confirm_twice: false,
        revision: None,
        request: req,
    })
}

pub async fn execute(client: kube::Client, rep: &Report, plan: &Plan) -> End {
    let (c, owner) = match target(&plan.request).and_then(|c| Ok((c, owner_of(c)?))) {
        Ok(x) => x,
        Err(e) => return End::failed(e.to_string()),
    };
    let pod = match read(&client, c, &owner).await {
        Ok(p) => p,
        Err(e) => return End::failed(e.to_string()),
    };
    let uid = pods::uid(&pod).to_owned();
    let obj = match Object::get(&client, &owner).await {
        Ok(o) => o,
        Err(e) => return End::failed(e.to_string()),
    };
    let before = match pods::list(&client, &owner, &obj).await {
        Ok(p) => p
            .iter()
            .map(|p| (pods::uid(p).to_owned(), pods::name(p).to_owned()))
            .collect(),
        Err(e) => return End::failed(e.to_string()),
    };
    let dp = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some(uid.clone()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    if let Err(e) = Api::<Pod>::namespaced(client.clone(), &owner.namespace)
        .delete(&c.name, &dp)
        .await
    {
        return End::failed(api_text(
            &format!("delete pod {}/{}", owner.namespace, c.name),
            e,
        ));
    }
    rep.message(format!("pod {} deleted", c.name)).await;
    Follow {
        client: &client,
        rep,
        converged: format!(
            "pod {} replaced: {} runs every pod ready again",
            c.name,
            owner.display()
        ),
        id: owner,
        goal: Goal::PodRestart { uid },
        before,
    }
    .run()
    .await
}
