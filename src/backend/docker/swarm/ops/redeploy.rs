//! redeploy: pull the tag again across the swarm. The image loses its
//! `@sha256:` pin, the registry is asked for the tag's digest now, the spec
//! names `name:tag@digest` and `ForceUpdate` goes up by one, so every task
//! is replaced even when the digest did not change. Sent with the user's
//! registry credentials, as `docker service update --with-registry-auth`.

use super::apply::{Change, apply};
use super::digest::{self, has_tag, pin, strip};
use super::plan::{current_replicas, rollout};
use super::service::{self, rollout_words};
use super::watch::Flavor;
use crate::backend::BackendError;
use crate::backend::docker::ops::auth;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::docker::ops::image::short_digest;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan};

/// What the spec's image becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    /// The registry answered: `reference@new`.
    Digest {
        reference: String,
        old: Option<String>,
        new: String,
    },
    /// The registry could not be asked: the tag alone, as each node has it.
    Tag { reference: String, why: String },
    /// Pinned by a digest with no tag: there is no tag to ask about.
    DigestOnly { image: String },
}

/// The tag to ask the registry about, unless the image names none.
pub fn to_ask(image: &str) -> Option<&str> {
    let (reference, d) = strip(image);
    (has_tag(reference) || d.is_none()).then_some(reference)
}

/// What `image` becomes, given the registry's answer for its tag.
pub fn decide(image: &str, registry: Option<Result<String, String>>) -> Pin {
    let (reference, old) = strip(image);
    match registry {
        None => Pin::DigestOnly {
            image: image.to_owned(),
        },
        // As the docker CLI pins: a reference without a tag is `:latest`,
        // so that the next redeploy still has a tag to ask about.
        Some(Ok(new)) => Pin::Digest {
            reference: if has_tag(reference) {
                reference.to_owned()
            } else {
                format!("{reference}:latest")
            },
            old: old.map(str::to_owned),
            new,
        },
        Some(Err(why)) => Pin::Tag {
            reference: reference.to_owned(),
            why,
        },
    }
}

impl Pin {
    /// The image the spec will name; never `name:tag@` with nothing after.
    pub fn image(&self) -> String {
        match self {
            Pin::Digest { reference, new, .. } => pin(reference, Some(new)),
            Pin::Tag { reference, .. } => pin(reference, None),
            Pin::DigestOnly { image } => image.clone(),
        }
    }

    fn reference(&self) -> &str {
        match self {
            Pin::Digest { reference, .. } | Pin::Tag { reference, .. } => reference,
            Pin::DigestOnly { image } => strip(image).0,
        }
    }

    /// The part of the summary on the image, and the lines under it.
    pub fn describe(&self) -> (String, Option<String>, Option<String>) {
        match self {
            Pin::Digest {
                reference,
                old: Some(old),
                new,
            } if old == new => (
                format!("image {reference} at {}", short_digest(new)),
                Some("the digest is unchanged: the tasks are replaced anyway".to_owned()),
                None,
            ),
            Pin::Digest {
                reference,
                old: Some(old),
                new,
            } => (
                format!(
                    "image {reference}: {} → {}",
                    short_digest(old),
                    short_digest(new)
                ),
                None,
                None,
            ),
            Pin::Digest {
                reference, new, ..
            } => (
                format!("image {reference} pinned to {}", short_digest(new)),
                Some("the spec named the tag alone: it is pinned to the registry's digest now".to_owned()),
                None,
            ),
            Pin::Tag { reference, why } => (
                format!("image {reference} (not pinned)"),
                None,
                Some(format!(
                    "the registry could not be asked ({why}): the tasks are replaced from the tag \
                     as each node has it"
                )),
            ),
            Pin::DigestOnly { image } => (
                format!("image {}", short_image(image)),
                Some(
                    "the image is pinned by a digest with no tag, so there is nothing newer to ask \
                     for: the tasks are replaced with the same image"
                        .to_owned(),
                ),
                None,
            ),
        }
    }
}

/// `repo:tag@sha256:0123456789ab…`
pub fn short_image(image: &str) -> String {
    match strip(image) {
        (r, Some(d)) => format!("{r}@{}", short_digest(d)),
        (r, None) => r.to_owned(),
    }
}

async fn resolve(eng: &Engine, image: &str) -> Pin {
    let asked = match to_ask(image) {
        Some(reference) => Some(digest::registry_digest(eng, reference).await),
        None => None,
    };
    decide(image, asked)
}

pub async fn plan(eng: &Engine, req: OpRequest) -> Result<Plan, BackendError> {
    let svc = service::inspect(eng, req.target.id()).await?;
    let display = req.target.name().to_owned();
    let rows = current_replicas(eng, &svc).await?;
    let image = svc.image();
    if image.is_empty() {
        return Err(BackendError::Unsupported(format!(
            "{display} names no image: there is nothing to redeploy"
        )));
    }
    let pin = resolve(eng, &image).await;
    let (what, detail, warning) = pin.describe();
    let mut details: Vec<String> = detail.into_iter().collect();
    details.push(format!(
        "the spec's image becomes {}",
        short_image(&pin.image())
    ));
    details.push(rollout_words(&svc.spec));
    details.push(format!(
        "sent with your credentials for {} from the docker config when it has some, as --with-registry-auth",
        auth::registry_of(pin.reference())
    ));
    let what = format!("replaced, {what}");
    let warnings = warning.into_iter().collect();
    Ok(rollout(eng, req, &svc, rows, &what, details, warnings))
}

pub async fn execute(eng: &Engine, rep: &Report, plan: &Plan) -> End {
    let req = &plan.request;
    let display = req.target.name().to_owned();
    let now = match service::inspect(eng, req.target.id()).await {
        Ok(s) => s,
        Err(e) => return End::failed(e.to_string()),
    };
    let pin = resolve(eng, &now.image()).await;
    match &pin {
        Pin::Digest { reference, new, .. } => {
            rep.message(format!(
                "the registry has {} for {reference}",
                short_digest(new)
            ))
            .await;
        }
        Pin::Tag { why, .. } => {
            rep.message(format!(
                "the registry could not be asked ({why}): the tasks are replaced from the tag as each node has it"
            ))
            .await;
        }
        Pin::DigestOnly { .. } => {}
    }
    let image = pin.image();
    let change = Change {
        flavor: Flavor::Update,
        creds: auth::for_reference(pin.reference()),
        sent: Some(format!("{display}: image set to {}", short_image(&image))),
        converged: format!(
            "{display} redeployed: every task runs {}",
            short_image(&image)
        ),
    };
    apply(eng, rep, plan, change, |svc| {
        let current = svc.image();
        if strip(&current).0 != strip(&image).0 {
            return Err(format!(
                "the image of {display} changed meanwhile to {current}: redeploy again to see its plan"
            ));
        }
        let mut spec = svc.spec.clone();
        let task = spec.task_template.get_or_insert_with(Default::default);
        task.force_update = Some(task.force_update.unwrap_or(0) + 1);
        task.container_spec
            .get_or_insert_with(Default::default)
            .image = Some(image.clone());
        Ok(spec)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const NEW: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn the_tag_is_asked_about_without_the_old_pin() {
        let img = format!("172.17.0.1:5000/web:1@{OLD}");
        assert_eq!(to_ask(&img), Some("172.17.0.1:5000/web:1"));
        assert_eq!(to_ask("172.17.0.1:5000/web"), Some("172.17.0.1:5000/web"));
        assert_eq!(to_ask(&format!("172.17.0.1:5000/web@{OLD}")), None);
    }

    #[test]
    fn a_new_digest_is_pinned_and_said_old_to_new() {
        let img = format!("172.17.0.1:5000/web:1@{OLD}");
        let p = decide(&img, Some(Ok(NEW.to_owned())));
        assert_eq!(p.image(), format!("172.17.0.1:5000/web:1@{NEW}"));
        let (what, detail, warning) = p.describe();
        assert_eq!(
            what,
            "image 172.17.0.1:5000/web:1: sha256:111111111111… → sha256:222222222222…"
        );
        assert_eq!((detail, warning), (None, None));
    }

    #[test]
    fn an_unchanged_digest_is_said_and_the_tasks_are_replaced_anyway() {
        let img = format!("172.17.0.1:5000/web:1@{OLD}");
        let p = decide(&img, Some(Ok(OLD.to_owned())));
        assert_eq!(p.image(), img);
        let (_, detail, _) = p.describe();
        assert_eq!(
            detail.as_deref(),
            Some("the digest is unchanged: the tasks are replaced anyway")
        );
    }

    #[test]
    fn without_the_registry_the_tag_stays_bare_never_with_an_empty_digest() {
        let img = format!("local/web:1@{OLD}");
        let p = decide(&img, Some(Err("connection refused".to_owned())));
        assert_eq!(p.image(), "local/web:1");
        let (_, _, warning) = p.describe();
        assert_eq!(
            warning.as_deref(),
            Some(
                "the registry could not be asked (connection refused): the tasks are replaced \
                 from the tag as each node has it"
            )
        );
        let p = decide("local/web:1", Some(Ok(String::new())));
        assert!(!p.image().contains('@'), "{}", p.image());
    }

    #[test]
    fn a_reference_without_a_tag_is_pinned_as_latest() {
        let p = decide("172.17.0.1:5000/web", Some(Ok(NEW.to_owned())));
        assert_eq!(p.image(), format!("172.17.0.1:5000/web:latest@{NEW}"));
        assert_eq!(to_ask(&p.image()), Some("172.17.0.1:5000/web:latest"));
    }

    #[test]
    fn a_digest_without_a_tag_is_kept() {
        let img = format!("172.17.0.1:5000/web@{NEW}");
        let p = decide(&img, None);
        assert_eq!(p.image(), img);
    }
}
