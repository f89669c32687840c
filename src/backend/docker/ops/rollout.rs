//! Replacing the replicas of a target one at a time (redeploy, rollback):
//! each replacement runs before the next starts, and the first failure
//! stops the rollout with the old container put back.

use super::engine::{Engine, words};
use super::lifecycle::{count, ready_step};
use super::members::Member;
use super::recreate::{self, Failure, Volumes};
use crate::backend::report::{End, Report};
use crate::domain::Step;
use bollard::models::ContainerInspectResponse;

/// The image to run instead, and labels to set on the replacement.
pub struct Change {
    pub image: String,
    pub labels: Vec<(&'static str, String)>,
}

/// Replaces every member as `change` says; `what` names the operation in
/// the last message ("redeployed").
pub async fn rollout(
    eng: &Engine,
    rep: &Report,
    members: &[Member],
    what: &str,
    change: impl Fn(&ContainerInspectResponse) -> Result<Change, String>,
) -> End {
    let total = members.len();
    for (i, m) in members.iter().enumerate() {
        if rep.cancelled() {
            return End::cancelled(format!(
                "cancelled: {i} of {total} replaced, the others left as they were"
            ));
        }
        let prepared = async {
            let old = eng.inspect(&m.id).await.map_err(|e| e.to_string())?;
            let image_id = old.image.clone().unwrap_or_default();
            let old_image = eng
                .docker
                .inspect_image(&image_id)
                .await
                .map_err(|e| format!("inspect the image of {}: {}", m.name, words(&e)))?;
            if let Some(why) = recreate::refusal(&old) {
                return Err(why);
            }
            let ch = change(&old)?;
            let mut bp =
                recreate::blueprint(&old, old_image.config.as_ref(), &ch.image, Volumes::Carry);
            for (k, v) in &ch.labels {
                bp.set_label(k, v);
            }
            Ok::<_, String>((old, bp))
        }
        .await;
        let (old, bp) = match prepared {
            Ok(p) => p,
            Err(why) => {
                rep.step(&m.name, Step::Failed, true, Some(why.clone()))
                    .await;
                return End::failed(format!("{why}; {i} of {total} replaced before"));
            }
        };
        match recreate::replace(eng, rep, &old, bp).await {
            Ok(ready) => {
                match ready {
                    Some(r) => rep.step(&m.name, ready_step(r), false, None).await,
                    None => {
                        let why = "not started: the old container was stopped";
                        rep.step(&m.name, Step::Stopped, false, Some(why.into()))
                            .await
                    }
                }
                rep.step(&m.name, Step::OldRemoved, true, None).await;
            }
            Err(Failure::Restored(why)) => {
                rep.step(&m.name, Step::Restored, true, Some(why.clone()))
                    .await;
                return End::restored(format!(
                    "{why}; the old {} runs again ({i} of {total} replaced before, the rest untouched)",
                    m.name
                ));
            }
            Err(Failure::Broken(why)) => {
                rep.step(&m.name, Step::Failed, true, Some(why.clone()))
                    .await;
                return End::failed(why);
            }
        }
    }
    End::converged(format!("{} {what}, one at a time", count(total)))
}
