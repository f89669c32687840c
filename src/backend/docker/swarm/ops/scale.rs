//! scale: the number of replicas of a replicated service
//! (`Mode.Replicated.Replicas`); the swarm places new tasks or shuts
//! tasks down of its choosing.

use super::apply::{Change, apply};
use super::capabilities::of_service;
use super::plan::{current_replicas, tasks};
use super::service::{self, Mode};
use super::watch::Flavor;
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use crate::backend::report::{End, Report};
use crate::domain::{OpKind, OpRequest, Plan, ServiceKind, ServiceMode, ServiceRef};

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
    // The listing may not know the mode yet: the spec decides.
    let Mode::Replicated(now) = svc.mode() else {
        let s = ServiceRef {
            id: svc.id.clone(),
            name: display,
            kind: ServiceKind::Swarm,
            mode: match svc.mode() {
                Mode::Global => ServiceMode::Global,
                Mode::GlobalJob => ServiceMode::GlobalJob,
                _ => ServiceMode::ReplicatedJob,
            },
        };
        let why = of_service(&s)
            .check(OpKind::Scale)
            .err()
            .unwrap_or_else(|| format!("{} cannot scale", s.name));
        return Err(BackendError::Unsupported(why));
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
    let change = Change {
        flavor: Flavor::Scale,
        creds: None,
        sent: Some(format!("{display}: replicas set to {want}")),
        converged: if want == 0 {
            format!("{display} runs no task (scaled to 0)")
        } else {
            format!("{display} runs {}", replicas(want))
        },
    };
    apply(eng, rep, plan, change, |svc| {
        let mut spec = svc.spec.clone();
        match spec.mode.as_mut().and_then(|m| m.replicated.as_mut()) {
            Some(r) => r.replicas = Some(want as i64),
            None => return Err(format!("{display} is no longer a replicated service")),
        }
        Ok(spec)
    })
    .await
}
