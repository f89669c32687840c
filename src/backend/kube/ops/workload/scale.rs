//! scale: the replica count of a Deployment or StatefulSet through the
//! `scale` subresource, as `kubectl scale` does; followed until that many
//! pods are ready and the removed ones are gone.

use super::errors::{api_error, api_text};
use super::follow::{Follow, Goal};
use super::object::{Kind, Object, WorkloadId};
use super::pods;
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{Patch, PatchParams};

fn replicas(n: i32) -> String {
    if n == 1 {
        "1 replica".to_owned()
    } else {
        format!("{n} replicas")
    }
}

fn pods_word(n: usize) -> String {
    if n == 1 {
        "1 pod".to_owned()
    } else {
        format!("{n} pods")
    }
}

/// The pods a ReplicaSet scaling down removes first, as its controller
/// ranks them: not yet scheduled, not running, not ready, then the newest.
pub fn likely_removed(pods: &[Pod], n: usize) -> Vec<String> {
    let mut ranked: Vec<&Pod> = pods.iter().filter(|p| !pods::terminating(p)).collect();
    ranked.sort_by_key(|p| {
        let scheduled = p
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .is_some_and(|n| !n.is_empty());
        let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        let created = p
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.as_second())
            .unwrap_or_default();
        (
            scheduled,
            running,
            pods::ready(p),
            std::cmp::Reverse(created),
        )
    });
    ranked
        .into_iter()
        .take(n)
        .map(|p| pods::name(p).to_owned())
        .collect()
}

/// A StatefulSet removes its highest ordinals first.
fn highest_ordinals(pods: &[Pod], n: usize) -> Vec<String> {
    let mut names: Vec<(u64, String)> = pods
        .iter()
        .filter(|p| !pods::terminating(p))
        .map(|p| {
            let name = pods::name(p).to_owned();
            let ord = name
                .rsplit('-')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (ord, name)
        })
        .collect();
    names.sort();
    names.into_iter().rev().take(n).map(|(_, n)| n).collect()
}

fn wanted(req: &OpRequest) -> Result<i32, String> {
    req.replicas
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| "scale needs the number of replicas wanted".to_owned())
}

async fn current(client: &kube::Client, id: &WorkloadId) -> Result<i32, BackendError> {
    let what = format!("read the scale of {}", id.display());
    let scale = match id.kind {
        Kind::Deployment => Api::<Deployment>::namespaced(client.clone(), &id.namespace)
            .get_scale(&id.name)
            .await
            .map_err(|e| api_error(&what, e))?,
        Kind::StatefulSet => Api::<StatefulSet>::namespaced(client.clone(), &id.namespace)
            .get_scale(&id.name)
            .await
            .map_err(|e| api_error(&what, e))?,
        Kind::DaemonSet => {
            return Err(BackendError::Unsupported(format!(
                "{}: a DaemonSet runs one pod per eligible node: it has no replica count to scale",
                id.display()
            )));
        }
    };
    Ok(scale.spec.and_then(|s| s.replicas).unwrap_or(0))
}

pub async fn plan(
    client: kube::Client,
    id: WorkloadId,
    req: OpRequest,
) -> Result<Plan, BackendError> {
    let want = wanted(&req).map_err(BackendError::Unsupported)?;
    let now = current(&client, &id).await?;
    let obj = Object::get(&client, &id).await?;
    let pods = pods::list(&client, &id, &obj).await?;
    let display = id.display();
    let mut details = Vec::new();
    let live = pods.iter().filter(|p| !pods::terminating(p)).count();
    if live as i32 != now {
        details.push(format!("{} run now", pods_word(live)));
    }
    details.push(if want > now {
        format!(
            "the controller creates {} more; the running pods are left alone",
            pods_word((want - now) as usize)
        )
    } else if want < now {
        let n = (now - want) as usize;
        match id.kind {
            Kind::StatefulSet => format!(
                "the StatefulSet controller removes the highest ordinals first: {}",
                highest_ordinals(&pods, n).join(", ")
            ),
            _ => format!(
                "the ReplicaSet controller removes {} of its choosing — about {} (it prefers pods \
                 not ready yet, then the newest)",
                pods_word(n),
                likely_removed(&pods, n).join(", ")
            ),
        }
    } else {
        format!("nothing changes: {display} has {} already", replicas(now))
    });
    details.push("through the scale subresource, as kubectl scale".to_owned());
    let mut warnings = Vec::new();
    if want == 0 && now > 0 {
        warnings.push(format!(
            "{display} stops serving: every pod is removed (the {} stays; scaling up creates \
             new pods)",
            id.kind.label()
        ));
    }
    Ok(Plan {
        summary: format!("scale {display} from {now} to {}", replicas(want)),
        details,
        warnings,
        replicas: pods
            .iter()
            .filter(|p| !pods::terminating(p))
            .map(|p| pods::name(p).to_owned())
            .collect(),
        confirm_twice: want == 0 && now > 0,
        revision: u64::try_from(obj.generation()).ok(),
        request: req,
    })
}

pub async fn execute(client: kube::Client, id: WorkloadId, rep: &Report, plan: &Plan) -> End {
    let want = match wanted(&plan.request) {
        Ok(w) => w,
        Err(e) => return End::failed(e),
    };
    let display = id.display();
    let obj = match Object::get(&client, &id).await {
        Ok(o) => o,
        Err(e) => return End::failed(e.to_string()),
    };
    let before = match pods::list(&client, &id, &obj).await {
        Ok(p) => p
            .iter()
            .map(|p| (pods::uid(p).to_owned(), pods::name(p).to_owned()))
            .collect(),
        Err(e) => return End::failed(e.to_string()),
    };
    let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": want}}));
    let pp = PatchParams::default();
    let what = format!("scale {display}");
    let sent = match id.kind {
        Kind::Deployment => Api::<Deployment>::namespaced(client.clone(), &id.namespace)
            .patch_scale(&id.name, &pp, &patch)
            .await
            .map(|_| ()),
        Kind::StatefulSet => Api::<StatefulSet>::namespaced(client.clone(), &id.namespace)
            .patch_scale(&id.name, &pp, &patch)
            .await
            .map(|_| ()),
        Kind::DaemonSet => return End::failed(format!("{display} has no replica count to scale")),
    };
    if let Err(e) = sent {
        return End::failed(api_text(&what, e));
    }
    rep.message(format!("{display}: replicas set to {want}"))
        .await;
    Follow {
        client: &client,
        rep,
        id,
        goal: Goal::Scale(want),
        before,
        converged: if want == 0 {
            format!("{display} runs no pod (scaled to 0)")
        } else {
            format!("{display} runs {} ready", pods_word(want as usize))
        },
    }
    .run()
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, created: &str, ready: bool) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"nodeName": "n1", "containers": []},
            "status": {"phase": "Running", "conditions": [{"type": "Ready",
                "status": if ready { "True" } else { "False" }}]}
        }))
        .expect("pod")
    }

    #[test]
    fn scaling_down_removes_pods_not_ready_then_the_newest() {
        let pods = vec![
            pod("web-a", "2026-01-01T00:00:00Z", true),
            pod("web-b", "2026-01-03T00:00:00Z", true),
            pod("web-c", "2026-01-02T00:00:00Z", false),
            pod("web-d", "2026-01-02T12:00:00Z", true),
        ];
        assert_eq!(likely_removed(&pods, 2), vec!["web-c", "web-b"]);
        let ss = vec![
            pod("db-0", "2026-01-01T00:00:00Z", true),
            pod("db-10", "2026-01-01T00:00:00Z", true),
            pod("db-2", "2026-01-01T00:00:00Z", true),
        ];
        assert_eq!(highest_ordinals(&ss, 2), vec!["db-10", "db-2"]);
    }
}
