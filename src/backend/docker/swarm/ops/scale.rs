//! scale: the number of replicas of a replicated service
//! (`Mode.Replicated.Replicas`); the swarm places new tasks or shuts
//! tasks down of its choosing.

use super::plan::{current_replicas, tasks};
use super::service::{self, Mode};
use super::update::{self, How};
use super::watch::{Flavor, Watch};
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::docker::ops::report::{End, Report};
use crate::domain::{OpRequest, Plan};

fn wanted(req: &OpRequest) -> Result<u64, String> {
    req.replicas
        .map(u64::from)
        .ok_or_else(|| "scale needs the number of replicas wanted".to_owned())
}

fn replicas(n: u64) -> String {
    if n == 1 {
        "1 replica".to_owned()
    } else {
        format!("{n} replicas")
    }
}

pub async fn plan(eng: &Engine, req: OpRequest) -> Result<Plan, BackendError> {
    let want = wanted(&req).map_err(BackendError::Unsupported)?;
    let svc = service::inspect(eng, req.target.id()).await?;
    let display = req.target.name().to_owned();
    let Mode::Replicated(now) = svc.mode() else {
        return Err(BackendError::Unsupported(format!(
            "{display} is not a replicated service: it cannot scale"
        )));
    };
    let rows = current_replicas(eng, &svc).await?;
    let mut details = Vec::new();
    if rows.len() as u64 != now {
        details.push(format!("{} meant to run now", tasks(rows.len())));
    }
    details.push(if want > now {
        format!(
            "the swarm starts {} more on the nodes its scheduler picks; the running tasks are left alone",
            tasks((want - now) as usize)
        )
    } else if want < now {
        format!(
            "the swarm shuts down {} of its choosing; the others are left alone",
            tasks((now - want) as usize)
        )
    } else {
        format!("nothing changes: {display} has {} already", replicas(now))
    });
    let mut warnings = Vec::new();
    if want == 0 && now > 0 {
        warnings.push(format!(
            "{display} stops serving: every task is shut down (the service stays; scaling up starts new tasks)"
        ));
    }
    Ok(Plan {
        summary: format!(
            "scale {display} from {now} to {} on swarm {}",
            replicas(want),
            eng.endpoint
        ),
        details,
        warnings,
        replicas: rows,
        confirm_twice: want == 0 && now > 0,
        revision: Some(svc.version),
        request: req,
    })
}

pub async fn execute(eng: &Engine, rep: &Report, plan: &Plan) -> End {
    let req = &plan.request;
    let display = req.target.name().to_owned();
    let want = match wanted(req) {
        Ok(w) => w,
        Err(e) => return End::failed(e),
    };
    if rep.cancelled() {
        return End::cancelled("cancelled before anything changed");
    }
    let sent = update::send(
        eng,
        rep,
        req.target.id(),
        plan.revision,
        How::Spec,
        None,
        |svc| {
            let mut spec = svc.spec.clone();
            match spec.mode.as_mut().and_then(|m| m.replicated.as_mut()) {
                Some(r) => r.replicas = Some(want as i64),
                None => return Err(format!("{display} is no longer a replicated service")),
            }
            Ok(spec)
        },
    )
    .await;
    let svc = match sent {
        Ok(s) => s,
        Err(e) => return End::failed(format!("scale {display}: {e}; nothing was changed")),
    };
    rep.message(format!("{display}: replicas set to {want}"))
        .await;
    Watch {
        eng,
        rep,
        id: svc.id.clone(),
        display: display.clone(),
        flavor: Flavor::Scale,
        before: svc.update.clone(),
        planned: plan.replicas.clone(),
        converged: if want == 0 {
            format!("{display} runs no task (scaled to 0)")
        } else {
            format!("{display} runs {}", replicas(want))
        },
    }
    .run()
    .await
}
