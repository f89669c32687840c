//! restart and redeploy of a workload: `kubectl rollout restart`, which
//! sets `kubectl.kubernetes.io/restartedAt` in the pod template's
//! annotations to now, so the controller rolls out new pods of the same
//! spec. A pod pulls its image again only with `imagePullPolicy: Always`:
//! a redeploy's plan says which containers will not.

use super::errors::api_text;
use super::follow::{Follow, Goal};
use super::object::{Kind, Object, WorkloadId};
use super::pods;
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{OpKind, OpRequest, Plan};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::Api;
use kube::api::{Patch, PatchParams};

pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

fn paused(id: &WorkloadId) -> String {
    format!(
        "{} is paused: a rollout would wait until it is resumed; resume it first (kubectl rollout \
         resume {})",
        id.display(),
        id.kubectl()
    )
}

/// Containers that will not pull their image again, and why.
pub fn pull_warnings(t: &PodTemplateSpec) -> Vec<String> {
    let spec = t.spec.as_ref();
    spec.into_iter()
        .flat_map(|s| {
            s.init_containers
                .iter()
                .flatten()
                .chain(s.containers.iter())
        })
        .filter_map(|c| {
            let image = c.image.as_deref().unwrap_or_default();
            match c.image_pull_policy.as_deref() {
                Some("Always") => None,
                Some("Never") => Some(format!(
                    "container {}: imagePullPolicy Never: no node pulls {image}; the new pods \
                     start from the image each node already has",
                    c.name
                )),
                Some(policy) => Some(format!(
                    "container {}: nodes that already have {image} will not pull it again: \
                     imagePullPolicy {policy}",
                    c.name
                )),
                None => None,
            }
        })
        .collect()
}

/// RFC 3339, seconds, UTC: what kubectl writes.
fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

pub async fn plan(
    client: kube::Client,
    id: WorkloadId,
    req: OpRequest,
) -> Result<Plan, BackendError> {
    let obj = Object::get(&client, &id).await?;
    if obj.paused() {
        return Err(BackendError::Unsupported(paused(&id)));
    }
    let pods = pods::list(&client, &id, &obj).await?;
    let rows: Vec<String> = pods
        .iter()
        .filter(|p| !pods::terminating(p))
        .map(|p| pods::name(p).to_owned())
        .collect();
    let display = id.display();
    let mut details = vec![
        format!(
            "rollout restart: the pod template's annotation {RESTARTED_AT} is set to now, as \
             kubectl rollout restart does"
        ),
        obj.rollout_words(),
    ];
    let mut warnings = Vec::new();
    if obj.on_delete() {
        warnings.push(format!(
            "{display} has updateStrategy OnDelete: the template changes, but no pod is \
             replaced until someone deletes it"
        ));
    }
    if matches!(&obj, Object::Deployment(d)
        if d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref())
            == Some("Recreate"))
    {
        warnings.push(format!(
            "{display} uses strategy Recreate: it serves nothing between the old pods stopping \
             and the new ones running"
        ));
    }
    if req.kind == OpKind::Redeploy
        && let Some(t) = obj.template()
    {
        warnings.extend(pull_warnings(t));
        details.push(
            "Kubernetes has no pull-and-replace: the new pods pull their image only where the \
             pull policy says so"
                .to_owned(),
        );
    }
    let n = rows.len();
    let summary = format!(
        "{} {display} — rollout restart: {} of the same spec",
        req.kind.label(),
        if n == 1 {
            "1 pod replaced by a new one".to_owned()
        } else {
            format!("{n} pods replaced by new ones")
        }
    );
    Ok(Plan {
        summary,
        details,
        warnings,
        replicas: rows,
        confirm_twice: false,
        revision: u64::try_from(obj.generation()).ok(),
        request: req,
    })
}

pub async fn execute(client: kube::Client, id: WorkloadId, rep: &Report, plan: &Plan) -> End {
    let display = id.display();
    let obj = match Object::get(&client, &id).await {
        Ok(o) => o,
        Err(e) => return End::failed(e.to_string()),
    };
    if obj.paused() {
        return End::failed(paused(&id));
    }
    if let Some(planned) = plan.revision
        && u64::try_from(obj.generation()).ok() != Some(planned)
    {
        rep.message(format!(
            "{display} changed since the plan (generation {planned} → {}): its current template \
             is restarted",
            obj.generation()
        ))
        .await;
    }
    let before = match pods::list(&client, &id, &obj).await {
        Ok(p) => p
            .iter()
            .map(|p| (pods::uid(p).to_owned(), pods::name(p).to_owned()))
            .collect(),
        Err(e) => return End::failed(e.to_string()),
    };
    let at = now();
    let patch = Patch::Merge(serde_json::json!({
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}}
    }));
    let pp = PatchParams::default();
    let ns = id.namespace.as_str();
    let generation = |m: &kube::api::ObjectMeta| m.generation.unwrap_or_default();
    let sent = match id.kind {
        Kind::Deployment => Api::<Deployment>::namespaced(client.clone(), ns)
            .patch(&id.name, &pp, &patch)
            .await
            .map(|o| generation(&o.metadata)),
        Kind::StatefulSet => Api::<StatefulSet>::namespaced(client.clone(), ns)
            .patch(&id.name, &pp, &patch)
            .await
            .map(|o| generation(&o.metadata)),
        Kind::DaemonSet => Api::<DaemonSet>::namespaced(client.clone(), ns)
            .patch(&id.name, &pp, &patch)
            .await
            .map(|o| generation(&o.metadata)),
    };
    match sent {
        Err(e) => return End::failed(api_text(&format!("patch {display}"), e)),
        // A restart in the same second as the last one changes nothing.
        Ok(g) if g == obj.generation() => {
            return End::converged(format!(
                "{display}: the template already says restartedAt {at}: nothing to replace \
                 (restart it again in a second)"
            ));
        }
        Ok(_) => {}
    }
    rep.message(format!("{display}: {RESTARTED_AT} set to {at}"))
        .await;
    if obj.on_delete() {
        return End::converged(format!(
            "{display}: template restarted at {at}; with updateStrategy OnDelete its pods are \
             replaced only when deleted"
        ));
    }
    Follow {
        client: &client,
        rep,
        id,
        goal: Goal::Rollout,
        before,
        converged: format!("{display} restarted: every pod was replaced (restartedAt {at})"),
    }
    .run()
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_redeploy_warns_for_every_container_that_will_not_pull() {
        let t: PodTemplateSpec = serde_json::from_value(json!({"spec": {"containers": [
            {"name": "main", "image": "local/busybox:1", "imagePullPolicy": "IfNotPresent"},
            {"name": "side", "image": "reg/side:latest", "imagePullPolicy": "Always"},
            {"name": "tool", "image": "local/tool:1", "imagePullPolicy": "Never"}]}}))
        .expect("template");
        let w = pull_warnings(&t);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(
            w[0],
            "container main: nodes that already have local/busybox:1 will not pull it again: \
             imagePullPolicy IfNotPresent"
        );
        assert!(w[1].contains("imagePullPolicy Never"), "{}", w[1]);
        assert_eq!(now().len(), "2026-11-26T04:14:46Z".len());
    }
}
