//! A swarm service as the operations read it: its spec, the version that
//! spec was read at, the previous spec, the update under way, and the
//! words that describe how the swarm rolls a change out.

use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use bollard::models::{
    ServiceSpec, ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, ServiceUpdateStatus, ServiceUpdateStatusStateEnum,
};
use bollard::query_parameters::InspectServiceOptions;
use std::time::Duration;

/// How a service decides its tasks, with the numbers that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Replicated(u64),
    Global,
    /// Total completions wanted.
    ReplicatedJob(u64),
    GlobalJob,
}

impl Mode {
    pub fn of(spec: &ServiceSpec) -> Mode {
        let m = spec.mode.clone().unwrap_or_default();
        if m.global.is_some() {
            Mode::Global
        } else if m.global_job.is_some() {
            Mode::GlobalJob
        } else if let Some(j) = m.replicated_job {
            Mode::ReplicatedJob(j.total_completions.unwrap_or(1).max(0) as u64)
        } else {
            let n = m.replicated.and_then(|r| r.replicas).unwrap_or(1);
            Mode::Replicated(n.max(0) as u64)
        }
    }

    pub fn is_job(self) -> bool {
        matches!(self, Mode::ReplicatedJob(_) | Mode::GlobalJob)
    }

    pub fn is_global(self) -> bool {
        matches!(self, Mode::Global | Mode::GlobalJob)
    }
}

/// One inspect of a service.
#[derive(Debug, Clone)]
pub struct Svc {
    pub id: String,
    /// The swarm's name (`shop_web`), which its tasks' names start with.
    pub name: String,
    pub version: u64,
    pub spec: ServiceSpec,
    /// Only when read with [`super::previous::inspect`].
    pub previous: Option<ServiceSpec>,
    pub update: Option<ServiceUpdateStatus>,
}

impl Svc {
    /// An inspect's answer; the previous spec is read apart
    /// ([`super::previous::inspect`]).
    pub fn from_service(s: bollard::models::Service, id: &str) -> Svc {
        let spec = s.spec.unwrap_or_default();
        Svc {
            id: s.id.unwrap_or_else(|| id.to_owned()),
            name: spec.name.clone().unwrap_or_else(|| id.to_owned()),
            version: s.version.and_then(|v| v.index).unwrap_or_default(),
            spec,
            previous: None,
            update: s.update_status,
        }
    }

    pub fn mode(&self) -> Mode {
        Mode::of(&self.spec)
    }

    pub fn image(&self) -> String {
        image_of(&self.spec)
    }

    /// The engine's word for the update under way or last done: updating,
    /// paused, completed, rollback_started, ...; None when there is none.
    pub fn update_state(&self) -> Option<ServiceUpdateStatusStateEnum> {
        self.update
            .as_ref()
            .and_then(|u| u.state)
            .filter(|s| *s != ServiceUpdateStatusStateEnum::EMPTY)
    }

    pub fn update_message(&self) -> String {
        self.update
            .as_ref()
            .and_then(|u| u.message.clone())
            .unwrap_or_default()
    }
}

pub fn image_of(spec: &ServiceSpec) -> String {
    spec.task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

/// Reads the service `id` (an id or a name).
pub async fn inspect(eng: &Engine, id: &str) -> Result<Svc, BackendError> {
    let s = eng
        .docker
        .inspect_service(id, None::<InspectServiceOptions>)
        .await
        .map_err(|e| match eng.err(e) {
            BackendError::NotFound { .. } => BackendError::NotFound {
                what: format!("swarm service {id}"),
                hint: ": it was removed (see `berth ls services`)".to_owned(),
            },
            other => other,
        })?;
    Ok(Svc::from_service(s, id))
}

/// The swarm's default monitor window after each task update.
pub const DEFAULT_MONITOR: Duration = Duration::from_secs(5);
/// The longest a finished operation watches its tasks for failures: a
/// spec may ask for minutes, the operator waits for seconds.
pub const MAX_MONITOR: Duration = Duration::from_secs(30);

/// How long the swarm watches a new task (`UpdateConfig.Monitor`), capped.
pub fn monitor(spec: &ServiceSpec) -> Duration {
    spec.update_config
        .as_ref()
        .and_then(|u| u.monitor)
        .filter(|ns| *ns > 0)
        .map_or(DEFAULT_MONITOR, |ns| Duration::from_nanos(ns as u64))
        .min(MAX_MONITOR)
}

fn secs(ns: i64) -> String {
    let d = Duration::from_nanos(ns.max(0) as u64);
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// "the swarm replaces 1 task at a time (stop-first, 10s apart), watching
/// each new task for 5s; on a failure it pauses the update"
pub fn rollout_words(spec: &ServiceSpec) -> String {
    let u = spec
        .update_config
        .clone()
        .unwrap_or(ServiceSpecUpdateConfig {
            parallelism: Some(1),
            ..Default::default()
        });
    let at_once = match u.parallelism.unwrap_or(1) {
        0 => "every task at once".to_owned(),
        1 => "1 task at a time".to_owned(),
        n => format!("{n} tasks at a time"),
    };
    let order = match u.order {
        Some(ServiceSpecUpdateConfigOrderEnum::START_FIRST) => "start-first",
        _ => "stop-first",
    };
    let delay = match u.delay.unwrap_or(0) {
        0 => String::new(),
        ns => format!(", {} apart", secs(ns)),
    };
    let watch = match u.monitor.filter(|m| *m > 0) {
        Some(ns) => secs(ns),
        None => "5s".to_owned(),
    };
    let on_failure = match u.failure_action {
        Some(ServiceSpecUpdateConfigFailureActionEnum::CONTINUE) => "carries on",
        Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK) => "rolls the service back",
        _ => "pauses the update",
    };
    format!(
        "the swarm replaces {at_once} ({order}{delay}), watching each new task for {watch}; \
         on a failure it {on_failure}"
    )
}

/// A lone replica updated stop-first is down while it is replaced.
pub fn lone_replica_warning(svc: &Svc, display: &str) -> Option<String> {
    let start_first = svc
        .spec
        .update_config
        .as_ref()
        .and_then(|u| u.order)
        .is_some_and(|o| o == ServiceSpecUpdateConfigOrderEnum::START_FIRST);
    (svc.mode() == Mode::Replicated(1) && !start_first).then(|| {
        format!(
            "{display} has one replica: it is down while it is replaced (update order stop-first)"
        )
    })
}

/// An update already under way is superseded by a new one: say so.
pub fn in_progress_warning(svc: &Svc, display: &str) -> Option<String> {
    use ServiceUpdateStatusStateEnum as S;
    match svc.update_state()? {
        s @ (S::UPDATING | S::ROLLBACK_STARTED | S::PAUSED | S::ROLLBACK_PAUSED) => {
            let msg = svc.update_message();
            let msg = if msg.is_empty() {
                String::new()
            } else {
                format!(" ({msg})")
            };
            Some(format!(
                "{display} has an update {s}{msg}: this operation replaces it"
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ServiceSpecMode, ServiceSpecModeReplicated};
    use std::collections::HashMap;

    #[test]
    fn modes_read_from_the_spec() {
        let mut spec = ServiceSpec {
            mode: Some(ServiceSpecMode {
                replicated: Some(ServiceSpecModeReplicated { replicas: Some(3) }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(Mode::of(&spec), Mode::Replicated(3));
        spec.mode = Some(ServiceSpecMode {
            global: Some(HashMap::new()),
            ..Default::default()
        });
        assert_eq!(Mode::of(&spec), Mode::Global);
        assert!(Mode::of(&spec).is_global());
    }

    #[test]
    fn rollout_words_say_what_the_update_config_does() {
        let mut spec = ServiceSpec::default();
        assert_eq!(
            rollout_words(&spec),
            "the swarm replaces 1 task at a time (stop-first), watching each new task for 5s; \
             on a failure it pauses the update"
        );
        spec.update_config = Some(ServiceSpecUpdateConfig {
            parallelism: Some(0),
            delay: Some(1_500_000_000),
            order: Some(ServiceSpecUpdateConfigOrderEnum::START_FIRST),
            monitor: Some(2_000_000_000),
            failure_action: Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK),
            ..Default::default()
        });
        assert_eq!(
            rollout_words(&spec),
            "the swarm replaces every task at once (start-first, 1.5s apart), watching each new \
             task for 2s; on a failure it rolls the service back"
        );
        assert_eq!(monitor(&spec), Duration::from_secs(2));
        spec.update_config = Some(ServiceSpecUpdateConfig {
            monitor: Some(3_600_000_000_000),
            ..Default::default()
        });
        assert_eq!(monitor(&spec), MAX_MONITOR);
    }
}
