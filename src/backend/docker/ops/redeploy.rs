//! redeploy: pull the image again (or take the local tag of an image built
//! here), then replace each replica with one of the same configuration.

use super::engine::{Engine, words};
use super::image::{self, registry_digest, short_digest};
use super::lifecycle::count;
use super::members::Member;
use super::plan::{head, one_at_a_time, only_replica};
use super::recreate::{self, LABEL_PREVIOUS, LABEL_REF};
use super::rollout::{Change, rollout};
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan, Step};
use bollard::models::ContainerInspectResponse;

/// The reference a container is redeployed from: what berth recorded (a
/// rollback runs an image by id), else what it was created with.
pub fn reference(c: &ContainerInspectResponse) -> String {
    let cfg = c.config.as_ref();
    cfg.and_then(|c| c.labels.as_ref())
        .and_then(|l| l.get(LABEL_REF))
        .filter(|r| !r.is_empty())
        .cloned()
        .or_else(|| cfg.and_then(|c| c.image.clone()))
        .unwrap_or_default()
}

/// Where one reference of the target comes from.
struct Origin {
    reference: String,
    /// The registry digest of the running image, when it came from one.
    running_digest: Option<String>,
    running_id: String,
}

/// The distinct references of `olds`, in replica order.
async fn origins(
    eng: &Engine,
    olds: &[ContainerInspectResponse],
) -> Result<Vec<Origin>, BackendError> {
    let mut out: Vec<Origin> = Vec::new();
    for c in olds {
        let reference = reference(c);
        if out.iter().any(|o| o.reference == reference) {
            continue;
        }
        let running_id = c.image.clone().unwrap_or_default();
        let img = eng
            .docker
            .inspect_image(&running_id)
            .await
            .map_err(|e| eng.err(e))?;
        out.push(Origin {
            running_digest: registry_digest(&img, &reference),
            reference,
            running_id,
        });
    }
    Ok(out)
}

pub async fn plan(
    eng: &Engine,
    req: OpRequest,
    members: Vec<Member>,
) -> Result<Plan, BackendError> {
    let olds = recreate::inspect_replaceable(eng, &members).await?;
    let mut warnings = Vec::new();
    let mut details = Vec::new();
    let mut parts = Vec::new();
    for o in origins(eng, &olds).await? {
        match &o.running_digest {
            Some(running) => match image::registry_has(eng, &o.reference).await {
                Ok(remote) => {
                    parts.push(format!(
                        "image {} pulled again (registry has {}, running {})",
                        o.reference,
                        short_digest(&remote),
                        short_digest(running)
                    ));
                    if &remote == running {
                        details.push(format!(
                            "the registry still has the running image of {}: the containers are recreated anyway",
                            o.reference
                        ));
                    }
                }
                Err(e) => {
                    parts.push(format!(
                        "image {} pulled again (running {})",
                        o.reference,
                        short_digest(running)
                    ));
                    warnings.push(format!("the registry could not be asked: {e}"));
                }
            },
            None => {
                let local = eng
                    .docker
                    .inspect_image(&o.reference)
                    .await
                    .map_err(|e| match eng.err(e) {
                        BackendError::NotFound { .. } => BackendError::NotFound {
                            what: format!("image {}", o.reference),
                            hint: format!(
                                ": it was built on this host (running {}) and the tag is gone; build or tag it again",
                                short_digest(&o.running_id)
                            ),
                        },
                        other => other,
                    })?;
                let id = local.id.unwrap_or_default();
                parts.push(format!(
                    "image {} was built on this host: recreated from the local tag ({})",
                    o.reference,
                    short_digest(&id)
                ));
                if id == o.running_id {
                    details.push(format!(
                        "the local tag {} is the running image: the containers are recreated with it anyway",
                        o.reference
                    ));
                }
            }
        }
    }
    details.push(one_at_a_time());
    warnings.extend(only_replica(&req, &members));
    let summary = format!(
        "{} — {}, {}, replaced one at a time",
        head(&req, &eng.endpoint),
        count(members.len()),
        parts.join("; ")
    );
    Ok(Plan {
        replicas: members.iter().map(|m| m.name.clone()).collect(),
        request: req,
        summary,
        details,
        warnings,
        confirm_twice: false,
        revision: None,
    })
}

pub async fn execute(eng: &Engine, rep: &Report, members: &[Member]) -> End {
    let mut olds = Vec::new();
    for m in members {
        match eng.inspect(&m.id).await {
            Ok(c) => olds.push(c),
            Err(e) => return End::failed(e.to_string()),
        }
    }
    let origins = match origins(eng, &olds).await {
        Ok(o) => o,
        Err(e) => return End::failed(e.to_string()),
    };
    // Every pull before any replacement: a failed pull changes nothing.
    for o in origins.iter().filter(|o| o.running_digest.is_some()) {
        let users: Vec<&str> = members
            .iter()
            .zip(&olds)
            .filter(|(_, c)| reference(c) == o.reference)
            .map(|(m, _)| m.name.as_str())
            .collect();
        for name in &users {
            rep.step(name, Step::Pulling, false, None).await;
        }
        let pulled = image::pull(eng, rep, &o.reference).await;
        if pulled.is_ok() {
            // Pulled once for all; each replica now waits for its turn.
            for name in &users {
                rep.step(name, Step::Waiting, false, Some("image pulled".into()))
                    .await;
            }
        }
        if let Err(e) = pulled {
            for m in members {
                rep.step(&m.name, Step::Failed, true, Some("pull failed".into()))
                    .await;
            }
            return End::failed(format!(
                "pull {} failed: {e}; nothing was changed",
                o.reference
            ));
        }
    }
    for o in origins.iter().filter(|o| o.running_digest.is_none()) {
        if let Err(e) = eng.docker.inspect_image(&o.reference).await {
            return End::failed(format!(
                "the local image {} is gone: {}; nothing was changed",
                o.reference,
                words(&e)
            ));
        }
    }
    rollout(eng, rep, members, "redeployed", |old| {
        let reference = reference(old);
        Ok(Change {
            labels: vec![
                (LABEL_PREVIOUS, old.image.clone().unwrap_or_default()),
                (LABEL_REF, reference.clone()),
            ],
            image: reference,
        })
    })
    .await
}
