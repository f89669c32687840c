//! scale a compose service as compose 1.29 would: new replicas are clones
//! of the highest-numbered one with the next container numbers and
//! compose's names; fewer replicas removes the highest numbers. Scaling to
//! 0 stops every replica but keeps them, so the service stays visible.

use super::engine::{Engine, words};
use super::lifecycle::{ready_step, start_one};
use super::members::{LABEL_NUMBER, Member, compose_ids};
use super::plan::head;
use super::recreate::{self, Volumes};
use super::wait;
use crate::backend::BackendError;
use crate::backend::report::{End, Report};
use crate::domain::{OpRequest, Plan, Step};
use bollard::query_parameters::RemoveContainerOptionsBuilder;

/// The container name compose 1.29 gives replica `n`.
pub fn compose_name(project: &str, service: &str, n: u32) -> String {
    format!("{project}_{service}_{n}")
}

/// Compose v2 names replicas `project-service-N`: new replicas follow the
/// style of the ones there are.
fn name_like(members: &[Member], project: &str, service: &str, n: u32) -> String {
    let v2 = members
        .iter()
        .any(|m| m.name == format!("{project}-{service}-{}", m.number));
    if v2 {
        format!("{project}-{service}-{n}")
    } else {
        compose_name(project, service, n)
    }
}

/// What scaling to a number means for the replicas there are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Moves {
    /// Stopped replicas started again (lowest numbers first).
    pub start: Vec<Member>,
    /// New replicas: (container number, name).
    pub create: Vec<(u32, String)>,
    /// Replicas stopped and removed, highest numbers first.
    pub remove: Vec<Member>,
    /// Scaling to 0: replicas stopped and kept.
    pub stop: Vec<Member>,
}

/// `members` sorted by number; the lowest `want` are kept.
pub fn moves(members: &[Member], project: &str, service: &str, want: u32) -> Moves {
    let want = want as usize;
    if want == 0 {
        return Moves {
            stop: members
                .iter()
                .rev()
                .filter(|m| m.running)
                .cloned()
                .collect(),
            ..Moves::default()
        };
    }
    let keep = want.min(members.len());
    let next = members.iter().map(|m| m.number).max().unwrap_or(0) + 1;
    Moves {
        start: members[..keep]
            .iter()
            .filter(|m| !m.running)
            .cloned()
            .collect(),
        create: (0..want.saturating_sub(members.len()))
            .map(|i| {
                let n = next + i as u32;
                (n, name_like(members, project, service, n))
            })
            .collect(),
        remove: members[keep..].iter().rev().cloned().collect(),
        stop: Vec::new(),
    }
}

fn names(ms: &[Member]) -> String {
    ms.iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "from 2 to 3: creates shop_web_3" and the replicas in order.
pub fn describe(mv: &Moves, running: usize, want: u32) -> (String, Vec<String>) {
    let mut what = Vec::new();
    if !mv.start.is_empty() {
        what.push(format!("starts {}", names(&mv.start)));
    }
    if !mv.create.is_empty() {
        let new: Vec<&str> = mv.create.iter().map(|(_, n)| n.as_str()).collect();
        what.push(format!("creates {}", new.join(", ")));
    }
    if !mv.remove.is_empty() {
        what.push(format!("removes {}", names(&mv.remove)));
    }
    if want == 0 {
        what.push("stops every container (kept)".to_owned());
    }
    if what.is_empty() {
        what.push("nothing to do".to_owned());
    }
    let replicas = mv
        .start
        .iter()
        .map(|m| m.name.clone())
        .chain(mv.create.iter().map(|(_, n)| n.clone()))
        .chain(mv.remove.iter().chain(&mv.stop).map(|m| m.name.clone()))
        .collect();
    (
        format!("from {running} to {want}: {}", what.join(", ")),
        replicas,
    )
}

fn wanted(req: &OpRequest) -> Result<u32, BackendError> {
    req.replicas.ok_or_else(|| {
        BackendError::Unsupported("scale needs the number of replicas wanted".to_owned())
    })
}

pub async fn plan(
    eng: &Engine,
    req: OpRequest,
    members: Vec<Member>,
) -> Result<Plan, BackendError> {
    let want = wanted(&req)?;
    let (project, service) = compose_ids(req.target.id())?;
    let mv = moves(&members, project, service, want);
    let running = members.iter().filter(|m| m.running).count();
    let (what, replicas) = describe(&mv, running, want);
    let mut warnings = Vec::new();
    if want == 0 {
        warnings.push(format!(
            "{} stops serving: every container is stopped (kept; scaling up starts them again)",
            req.target.name()
        ));
    }
    if !mv.remove.is_empty() {
        warnings.push(
            "the anonymous volumes of removed replicas are deleted with them; named volumes and binds stay"
                .to_owned(),
        );
    }
    let details = if mv.create.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "new replicas copy the configuration of {} (networks, aliases, ports, labels) with their own anonymous volumes",
            members.last().map(|m| m.name.as_str()).unwrap_or_default()
        )]
    };
    Ok(Plan {
        summary: format!("{} {what}", head(&req, &eng.endpoint)),
        confirm_twice: want == 0,
        revision: None,
        request: req,
        details,
        warnings,
        replicas,
    })
}

pub async fn execute(eng: &Engine, rep: &Report, req: &OpRequest, members: &[Member]) -> End {
    let (want, (project, service)) = match (wanted(req), compose_ids(req.target.id())) {
        (Ok(w), Ok(ids)) => (w, ids),
        (Err(e), _) | (_, Err(e)) => return End::failed(e.to_string()),
    };
    let mv = moves(members, project, service, want);
    let stop_here = |done: &str| {
        rep.cancelled()
            .then(|| End::cancelled(format!("cancelled after {done}; the rest left as it was")))
    };
    for m in &mv.start {
        if let Some(end) = stop_here("starting some replicas") {
            return end;
        }
        if let Err(e) = start_one(eng, rep, m).await {
            rep.step(&m.name, Step::Failed, true, Some(e.clone())).await;
            return End::failed(e);
        }
    }
    if let Some(source) = members.last() {
        for (n, name) in &mv.create {
            if let Some(end) = stop_here("creating some replicas") {
                return end;
            }
            if let Err(e) = clone(eng, rep, source, *n, name).await {
                rep.step(name, Step::Failed, true, Some(e.clone())).await;
                return End::failed(e);
            }
        }
    }
    for m in mv.remove.iter().chain(&mv.stop) {
        if let Some(end) = stop_here("removing some replicas") {
            return end;
        }
        if let Err(e) = retire(eng, rep, m, want > 0).await {
            rep.step(&m.name, Step::Failed, true, Some(e.clone())).await;
            return End::failed(e);
        }
    }
    let n = if want == 1 { "replica" } else { "replicas" };
    End::converged(format!("{} runs {want} {n}", req.target.name()))
}

/// A new replica like `source`, numbered `n`; removed again if it does not run.
async fn clone(
    eng: &Engine,
    rep: &Report,
    source: &Member,
    n: u32,
    name: &str,
) -> Result<(), String> {
    rep.step(name, Step::Creating, false, None).await;
    let src = eng.inspect(&source.id).await.map_err(|e| e.to_string())?;
    let image_id = src.image.clone().unwrap_or_default();
    let img = eng
        .docker
        .inspect_image(&image_id)
        .await
        .map_err(|e| format!("inspect the image of {}: {}", source.name, words(&e)))?;
    // Same reference as the source (compose shows it); the tag resolves to
    // the image the source runs unless someone moved it since.
    let reference = src
        .config
        .as_ref()
        .and_then(|c| c.image.clone())
        .unwrap_or(image_id);
    let mut bp = recreate::blueprint(&src, img.config.as_ref(), &reference, Volumes::Fresh);
    bp.set_label(LABEL_NUMBER, &n.to_string());
    let id = recreate::create(eng, name, bp).await?;
    rep.step(name, Step::Starting, false, None).await;
    let started = match eng.docker.start_container(&id, None).await {
        Ok(()) => wait::until_running(eng, &id, name, None).await,
        Err(e) => Err(format!("start {name}: {}", words(&e))),
    };
    match started {
        Ok(r) => {
            rep.step(name, ready_step(r), true, None).await;
            Ok(())
        }
        Err(e) => {
            recreate::remove(eng, &id).await;
            Err(format!("{e}; {name} was removed again"))
        }
    }
}

/// Stops a replica, and removes it when the service keeps others.
async fn retire(eng: &Engine, rep: &Report, m: &Member, remove: bool) -> Result<(), String> {
    if m.running {
        rep.step(&m.name, Step::Stopping, false, None).await;
        eng.patient()
            .stop_container(&m.id, None)
            .await
            .map_err(|e| format!("stop {}: {}", m.name, words(&e)))?;
        wait::until_stopped(eng, &m.id, &m.name).await?;
    }
    if !remove {
        rep.step(&m.name, Step::Stopped, true, None).await;
        return Ok(());
    }
    // A redeploy mounts anonymous volumes by name, which `rm -v` then
    // keeps: delete those explicitly (one still in use elsewhere stays).
    let anonymous: Vec<String> = eng
        .inspect(&m.id)
        .await
        .map_err(|e| e.to_string())?
        .mounts
        .into_iter()
        .flatten()
        .filter(|mp| mp.typ.as_deref() == Some("volume"))
        .filter_map(|mp| mp.name)
        .filter(|n| recreate::is_anonymous(n))
        .collect();
    let opts = RemoveContainerOptionsBuilder::new().v(true).build();
    eng.docker
        .remove_container(&m.id, Some(opts))
        .await
        .map_err(|e| format!("remove {}: {}", m.name, words(&e)))?;
    for v in anonymous {
        let _ = eng
            .docker
            .remove_volume(&v, None::<bollard::query_parameters::RemoveVolumeOptions>)
            .await;
    }
    rep.step(&m.name, Step::Removed, true, None).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: u32, running: bool) -> Member {
        Member {
            id: format!("id{n}"),
            name: compose_name("shop", "web", n),
            number: n,
            running,
        }
    }

    #[test]
    fn more_replicas_start_stopped_ones_first_then_take_the_next_numbers() {
        let ms = [m(1, true), m(2, false)];
        let mv = moves(&ms, "shop", "web", 4);
        assert_eq!(mv.start, vec![m(2, false)]);
        assert_eq!(
            mv.create,
            vec![(3, "shop_web_3".to_owned()), (4, "shop_web_4".to_owned())]
        );
        let (text, replicas) = describe(&mv, 1, 4);
        assert_eq!(
            text,
            "from 1 to 4: starts shop_web_2, creates shop_web_3, shop_web_4"
        );
        assert_eq!(replicas, ["shop_web_2", "shop_web_3", "shop_web_4"]);
    }

    #[test]
    fn new_replicas_follow_compose_v2_names_when_the_service_has_them() {
        let mut one = m(1, true);
        one.name = "shop-web-1".into();
        let mv = moves(&[one], "shop", "web", 2);
        assert_eq!(mv.create, vec![(2, "shop-web-2".to_owned())]);
    }

    #[test]
    fn fewer_replicas_remove_the_highest_numbers_and_zero_keeps_them() {
        let ms = [m(1, true), m(2, true), m(3, true)];
        let mv = moves(&ms, "shop", "web", 1);
        assert_eq!(mv.remove, vec![m(3, true), m(2, true)]);
        assert_eq!(
            describe(&mv, 3, 1).0,
            "from 3 to 1: removes shop_web_3, shop_web_2"
        );
        let zero = moves(&ms, "shop", "web", 0);
        assert!(zero.remove.is_empty());
        assert_eq!(zero.stop.len(), 3);
        assert_eq!(
            describe(&zero, 3, 0).0,
            "from 3 to 0: stops every container (kept)"
        );
    }
}
