//! rollback: recreate with the image recorded at the last redeploy, and
//! record the current one in its place, so a second rollback rolls forward.

use super::engine::{Engine, words};
use super::image::short_digest;
use super::lifecycle::count;
use super::members::Member;
use super::plan::{head, one_at_a_time, only_replica};
use super::recreate::{self, LABEL_PREVIOUS, LABEL_REF, Volumes};
use super::redeploy::reference;
use super::rollout::{Change, rollout};
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan, ServiceKind, TargetRef};
use bollard::models::{ContainerCreateBody, ContainerInspectResponse, ImageConfig};
use std::collections::BTreeMap;

fn previous(c: &ContainerInspectResponse) -> Option<String> {
    c.config
        .as_ref()
        .and_then(|c| c.labels.as_ref())
        .and_then(|l| l.get(LABEL_PREVIOUS))
        .filter(|v| !v.is_empty())
        .cloned()
}

/// What a container runs: Env, Entrypoint and Cmd after the engine merged
/// in the image's defaults (as it does at create).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effective {
    pub env: Vec<String>,
    pub command: Vec<String>,
}

pub fn effective(body: &ContainerCreateBody, image: Option<&ImageConfig>) -> Effective {
    let img = image.cloned().unwrap_or_default();
    let mut env = img.env.unwrap_or_default();
    for e in body.env.iter().flatten() {
        let key = e.split('=').next().unwrap_or_default();
        match env.iter_mut().find(|x| x.split('=').next() == Some(key)) {
            Some(x) => *x = e.clone(),
            None => env.push(e.clone()),
        }
    }
    let (entrypoint, cmd) = match &body.entrypoint {
        Some(ep) => (ep.clone(), body.cmd.clone().unwrap_or_default()),
        None => (
            img.entrypoint.unwrap_or_default(),
            body.cmd.clone().or(img.cmd).unwrap_or_default(),
        ),
    };
    Effective {
        env,
        command: entrypoint.into_iter().chain(cmd).collect(),
    }
}

/// The lines a rollback plan shows between what runs and what will.
pub fn differences(now: &Effective, then: &Effective) -> Vec<String> {
    let map = |e: &[String]| -> BTreeMap<String, String> {
        e.iter()
            .map(|v| match v.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (v.clone(), String::new()),
            })
            .collect()
    };
    let (a, b) = (map(&now.env), map(&then.env));
    let changed: Vec<&str> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = Vec::new();
    if !changed.is_empty() {
        out.push(format!("env changes: {}", changed.join(", ")));
    }
    if now.command != then.command {
        out.push(format!(
            "command: `{}` -> `{}`",
            now.command.join(" "),
            then.command.join(" ")
        ));
    }
    out
}

pub async fn plan(
    eng: &Engine,
    req: OpRequest,
    members: Vec<Member>,
) -> Result<Plan, BackendError> {
    let mut details = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let olds = recreate::inspect_replaceable(eng, &members).await?;
    for (m, old) in members.iter().zip(olds) {
        let Some(prev) = previous(&old) else {
            return Err(BackendError::Unsupported(format!(
                "{} has no previous image: berth records one at each redeploy",
                req.target.name()
            )));
        };
        let current = old.image.clone().unwrap_or_default();
        if pairs.iter().any(|(c, p)| *c == current && *p == prev) {
            continue;
        }
        let prev_img = eng.docker.inspect_image(&prev).await.map_err(|e| {
            BackendError::Unsupported(format!(
                "the previous image {} of {} is no longer on this host: {}",
                short_digest(&prev),
                m.name,
                words(&e)
            ))
        })?;
        let cur_img = eng
            .docker
            .inspect_image(&current)
            .await
            .map_err(|e| eng.err(e))?;
        let bp = recreate::blueprint(&old, cur_img.config.as_ref(), &prev, Volumes::Carry);
        let now = Effective {
            env: old
                .config
                .as_ref()
                .and_then(|c| c.env.clone())
                .unwrap_or_default(),
            command: old
                .config
                .as_ref()
                .map(|c| {
                    let ep = c.entrypoint.clone().unwrap_or_default();
                    ep.into_iter()
                        .chain(c.cmd.clone().unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default(),
        };
        let then = effective(&bp.body, prev_img.config.as_ref());
        details.push(format!(
            "image: {} -> {} (previous, recorded at the last redeploy of {})",
            short_digest(&current),
            short_digest(&prev),
            reference(&old)
        ));
        details.extend(differences(&now, &then));
        pairs.push((current, prev));
    }
    let compose = match &req.target {
        TargetRef::Service(s) => s.kind == ServiceKind::Compose,
        TargetRef::Container(c) => c.service_kind == ServiceKind::Compose,
        TargetRef::Node(_) => false,
    };
    if compose {
        details.push(
            "the containers run the previous image by id: a later docker-compose up goes back to the tag the compose file names"
                .to_owned(),
        );
    }
    details.push(one_at_a_time());
    let images = pairs
        .iter()
        .map(|(c, p)| format!("{} (running {})", short_digest(p), short_digest(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = format!(
        "{} — {} recreated with the previous image {images}, one at a time; a second rollback rolls forward",
        head(&req, &eng.endpoint),
        count(members.len()),
    );
    Ok(Plan {
        replicas: members.iter().map(|m| m.name.clone()).collect(),
        warnings: only_replica(&req, &members),
        request: req,
        summary,
        details,
        confirm_twice: false,
        revision: None,
    })
}

pub async fn execute(eng: &Engine, rep: &Report, members: &[Member]) -> End {
    rollout(eng, rep, members, "rolled back", |old| {
        let prev = previous(old).ok_or_else(|| {
            format!(
                "{} has no previous image: berth records one at each redeploy",
                super::members::name_of(old)
            )
        })?;
        Ok(Change {
            image: prev,
            labels: vec![
                (LABEL_PREVIOUS, old.image.clone().unwrap_or_default()),
                (LABEL_REF, reference(old)),
            ],
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_image_defaults_of_the_previous_image_apply() {
        let body = ContainerCreateBody {
            env: Some(strings(&["FOO=1"])),
            ..Default::default()
        };
        let img = ImageConfig {
            env: Some(strings(&["PATH=/bin", "FOO=0", "MODE=old"])),
            cmd: Some(strings(&["httpd", "-f"])),
            ..Default::default()
        };
        let e = effective(&body, Some(&img));
        assert_eq!(e.env, strings(&["PATH=/bin", "FOO=1", "MODE=old"]));
        assert_eq!(e.command, strings(&["httpd", "-f"]));
        let now = Effective {
            env: strings(&["PATH=/bin", "FOO=1", "MODE=new", "EXTRA=x"]),
            command: strings(&["httpd", "-f", "-v"]),
        };
        assert_eq!(
            differences(&now, &e),
            vec![
                "env changes: EXTRA, MODE".to_owned(),
                "command: `httpd -f -v` -> `httpd -f`".to_owned()
            ]
        );
    }
}
