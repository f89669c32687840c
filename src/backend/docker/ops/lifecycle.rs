//! restart, stop and start: one replica at a time, each confirmed by
//! inspect before the next, so a service with two replicas keeps serving
//! through a restart.

use super::engine::{Engine, words};
use super::members::Member;
use super::wait::{self, Ready};
use crate::backend::report::{End, Report};
use crate::domain::Step;

pub fn ready_step(r: Ready) -> Step {
    match r {
        Ready::Running => Step::Running,
        Ready::Healthy => Step::Healthy,
    }
}

/// Why the loop stopped before the end, if it did.
fn interrupted(rep: &Report, done: usize, total: usize, what: &str) -> Option<End> {
    rep.cancelled().then(|| {
        End::cancelled(format!(
            "cancelled: {done} of {total} containers {what}, the others left as they were"
        ))
    })
}

pub async fn restart(eng: &Engine, rep: &Report, members: &[Member]) -> End {
    for (i, m) in members.iter().enumerate() {
        if let Some(end) = interrupted(rep, i, members.len(), "restarted") {
            return end;
        }
        let before = match eng.inspect(&m.id).await {
            Ok(c) => c.state.and_then(|s| s.started_at),
            Err(e) => return fail(rep, m, e.to_string()).await,
        };
        rep.step(&m.name, Step::Restarting, false, None).await;
        // No timeout given: the engine uses the container's own stop timeout.
        if let Err(e) = eng.patient().restart_container(&m.id, None).await {
            return fail(rep, m, format!("restart {}: {}", m.name, words(&e))).await;
        }
        match wait::until_running(eng, &m.id, &m.name, before.as_deref()).await {
            Ok(r) => rep.step(&m.name, ready_step(r), true, None).await,
            Err(e) => return fail(rep, m, e).await,
        }
    }
    End::converged(format!(
        "{} restarted one at a time, each running again",
        count(members.len())
    ))
}

pub async fn stop(eng: &Engine, rep: &Report, members: &[Member]) -> End {
    for (i, m) in members.iter().enumerate() {
        if let Some(end) = interrupted(rep, i, members.len(), "stopped") {
            return end;
        }
        if !m.running {
            rep.step(&m.name, Step::Stopped, true, Some("already stopped".into()))
                .await;
            continue;
        }
        rep.step(&m.name, Step::Stopping, false, None).await;
        if let Err(e) = eng.patient().stop_container(&m.id, None).await {
            return fail(rep, m, format!("stop {}: {}", m.name, words(&e))).await;
        }
        if let Err(e) = wait::until_stopped(eng, &m.id, &m.name).await {
            return fail(rep, m, e).await;
        }
        rep.step(&m.name, Step::Stopped, true, None).await;
    }
    End::converged(format!("{} stopped", count(members.len())))
}

pub async fn start(eng: &Engine, rep: &Report, members: &[Member]) -> End {
    for (i, m) in members.iter().enumerate() {
        if let Some(end) = interrupted(rep, i, members.len(), "started") {
            return end;
        }
        if let Err(e) = start_one(eng, rep, m).await {
            return fail(rep, m, e).await;
        }
    }
    End::converged(format!("{} running", count(members.len())))
}

/// Starts one container unless it runs, and waits until it does.
pub async fn start_one(eng: &Engine, rep: &Report, m: &Member) -> Result<(), String> {
    let c = eng.inspect(&m.id).await.map_err(|e| e.to_string())?;
    if super::members::is_running(&c) {
        rep.step(&m.name, Step::Running, true, Some("already running".into()))
            .await;
        return Ok(());
    }
    let before = c.state.and_then(|s| s.started_at);
    rep.step(&m.name, Step::Starting, false, None).await;
    eng.docker
        .start_container(&m.id, None)
        .await
        .map_err(|e| format!("start {}: {}", m.name, words(&e)))?;
    let r = wait::until_running(eng, &m.id, &m.name, before.as_deref()).await?;
    rep.step(&m.name, ready_step(r), true, None).await;
    Ok(())
}

async fn fail(rep: &Report, m: &Member, why: String) -> End {
    rep.step(&m.name, Step::Failed, true, Some(why.clone()))
        .await;
    End::failed(why)
}

pub fn count(n: usize) -> String {
    if n == 1 {
        "1 container".to_owned()
    } else {
        format!("{n} containers")
    }
}
