//! rollback: `kubectl rollout undo` to the previous revision. A
//! Deployment gets its previous ReplicaSet's template (without
//! `pod-template-hash`) and annotations; a StatefulSet or DaemonSet the
//! template of its second-last ControllerRevision. The patch tests
//! `metadata.generation`, so a change made since the plan is refused
//! rather than overwritten.

use super::errors::api_text;
use super::follow::{Follow, Goal};
use super::object::{Kind, Object, WorkloadId};
use super::pods;
use super::revisions::{self, Pick, undo_annotations};
use super::template_diff::{differences, same};
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use kube::Api;
use kube::api::{Patch, PatchParams};

fn paused(id: &WorkloadId) -> String {
    format!(
        "{} is paused: it cannot be rolled back; resume it first (kubectl rollout resume {})",
        id.display(),
        id.kubectl()
    )
}

/// Reads the object and picks the revision to go back to.
async fn read(client: &kube::Client, id: &WorkloadId) -> Result<(Object, Pick), BackendError> {
    let obj = Object::get(client, id).await?;
    if obj.paused() {
        return Err(BackendError::Unsupported(paused(id)));
    }
    let history = revisions::history(client, id, &obj).await?;
    let pick = revisions::pick(&id.display(), &history, id.kind != Kind::Deployment)
        .map_err(BackendError::Unsupported)?;
    Ok((obj, pick))
}

fn already(pick: &Pick) -> String {
    format!(
        "skipped rollback: the current template already matches revision {}",
        pick.previous.number
    )
}

fn matches_now(obj: &Object, pick: &Pick) -> bool {
    obj.template()
        .is_some_and(|t| same(t, &pick.previous.template))
}

pub async fn plan(
    client: kube::Client,
    id: WorkloadId,
    req: OpRequest,
) -> Result<Plan, BackendError> {
    let (obj, pick) = read(&client, &id).await?;
    let display = id.display();
    let pods = pods::list(&client, &id, &obj).await?;
    let rows: Vec<String> = pods
        .iter()
        .filter(|p| !pods::terminating(p))
        .map(|p| pods::name(p).to_owned())
        .collect();
    let revision = u64::try_from(obj.generation()).ok();
    let step = format!("revision {} → {}", pick.current, pick.previous.number);
    if matches_now(&obj, &pick) {
        return Ok(Plan {
            summary: format!("rollback {display} — {step}: nothing changes"),
            details: vec![already(&pick)],
            warnings: Vec::new(),
            replicas: Vec::new(),
            confirm_twice: false,
            revision,
            request: req,
        });
    }
    let mut details = match obj.template() {
        Some(t) => differences(t, &pick.previous.template),
        None => Vec::new(),
    };
    if let Some(cause) = pick.previous.annotations.get("kubernetes.io/change-cause") {
        details.push(format!(
            "change-cause of revision {}: {cause}",
            pick.previous.number
        ));
    }
    details.push(match id.kind {
        Kind::Deployment => format!(
            "the template of ReplicaSet {} (revision {}) becomes the Deployment's; the \
             controller numbers it revision {}, as kubectl rollout undo does",
            pick.previous.holder,
            pick.previous.number,
            pick.current + 1
        ),
        _ => format!(
            "the template of ControllerRevision {} (revision {}) becomes the {}'s, as kubectl \
             rollout undo does",
            pick.previous.holder,
            pick.previous.number,
            id.kind.label()
        ),
    });
    details.push(obj.rollout_words());
    let mut warnings = Vec::new();
    if obj.on_delete() {
        warnings.push(format!(
            "{display} has updateStrategy OnDelete: the template changes, but no pod is \
             replaced until someone deletes it"
        ));
    }
    let n = rows.len();
    Ok(Plan {
        summary: format!(
            "rollback {display} — {step}: {} replaced",
            if n == 1 {
                "1 pod".to_owned()
            } else {
                format!("{n} pods")
            }
        ),
        details,
        warnings,
        replicas: rows,
        confirm_twice: false,
        revision,
        request: req,
    })
}

pub async fn execute(client: kube::Client, id: WorkloadId, rep: &Report, plan: &Plan) -> End {
    let display = id.display();
    let (obj, pick) = match read(&client, &id).await {
        Ok(x) => x,
        Err(e) => return End::failed(e.to_string()),
    };
    let generation = obj.generation();
    if let Some(planned) = plan.revision
        && u64::try_from(generation).ok() != Some(planned)
    {
        return End::failed(format!(
            "{display} changed since the plan (generation {planned} → {generation}): nothing was \
             rolled back; roll back again to see what it would do now"
        ));
    }
    if matches_now(&obj, &pick) {
        return End::converged(format!("{display}: {}", already(&pick)));
    }
    let before = match pods::list(&client, &id, &obj).await {
        Ok(p) => p
            .iter()
            .map(|p| (pods::uid(p).to_owned(), pods::name(p).to_owned()))
            .collect(),
        Err(e) => return End::failed(e.to_string()),
    };
    let template = match serde_json::to_value(&pick.previous.template) {
        Ok(t) => t,
        Err(e) => {
            return End::failed(format!(
                "the template of revision {}: {e}",
                pick.previous.number
            ));
        }
    };
    let mut ops = vec![
        serde_json::json!({"op": "test", "path": "/metadata/generation", "value": generation}),
        serde_json::json!({"op": "replace", "path": "/spec/template", "value": template}),
    ];
    if id.kind == Kind::Deployment {
        let now = obj.meta().annotations.clone().unwrap_or_default();
        let annotations = undo_annotations(&now, &pick.previous.annotations);
        ops.push(
            serde_json::json!({"op": "add", "path": "/metadata/annotations", "value": annotations}),
        );
    }
    let patch: Patch<()> = match serde_json::from_value(serde_json::Value::Array(ops)) {
        Ok(p) => Patch::Json(p),
        Err(e) => return End::failed(format!("building the patch: {e}")),
    };
    let pp = PatchParams::default();
    let ns = id.namespace.as_str();
    let sent = match id.kind {
        Kind::Deployment => Api::<Deployment>::namespaced(client.clone(), ns)
            .patch(&id.name, &pp, &patch)
            .await
            .map(|_| ()),
        Kind::StatefulSet => Api::<StatefulSet>::namespaced(client.clone(), ns)
            .patch(&id.name, &pp, &patch)
            .await
            .map(|_| ()),
        Kind::DaemonSet => Api::<DaemonSet>::namespaced(client.clone(), ns)
            .patch(&id.name, &pp, &patch)
            .await
            .map(|_| ()),
    };
    match sent {
        // The generation test failed (the API server says no more than
        // "an error in our request"): someone changed it just now.
        Err(kube::Error::Api(s)) if s.code == 422 => {
            return End::failed(format!(
                "{display} changed while rolling back ({}): nothing was rolled back; roll back \
                 again to see what it would do now",
                s.message
            ));
        }
        Err(e) => return End::failed(api_text(&format!("roll back {display}"), e)),
        Ok(()) => {}
    }
    rep.message(format!(
        "{display}: template of revision {} sent (revision {} → {})",
        pick.previous.number, pick.current, pick.previous.number
    ))
    .await;
    let converged = format!(
        "{display} rolled back to revision {}{}",
        pick.previous.number,
        images(&pick.previous.template)
    );
    if obj.on_delete() {
        return End::converged(format!(
            "{converged}; with updateStrategy OnDelete its pods are replaced only when deleted"
        ));
    }
    Follow {
        client: &client,
        rep,
        id,
        goal: Goal::Rollout,
        before,
        converged,
    }
    .run()
    .await
}

/// ": every pod runs docker.io/local/busybox:1"
fn images(t: &k8s_openapi::api::core::v1::PodTemplateSpec) -> String {
    let list: Vec<&str> = t
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|c| c.image.as_deref())
        .collect();
    if list.is_empty() {
        String::new()
    } else {
        format!(": every pod runs {}", list.join(", "))
    }
}
