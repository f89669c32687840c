//! Bounded waits for a container to reach the state an operation wants,
//! observed by inspect.

use super::engine::Engine;
use bollard::models::{ContainerInspectResponse, HealthConfig, HealthStatusEnum};
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(100);
/// A fresh process must stay up this long to count as running: an
/// entrypoint that exits at once is caught before the old one is removed.
pub const STEADY: Duration = Duration::from_secs(1);
/// Without a healthcheck, how long a start may take to be seen.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// How a started container was confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    Running,
    Healthy,
}

/// A healthcheck that the engine runs (not absent, not `NONE`).
pub fn has_healthcheck(hc: Option<&HealthConfig>) -> bool {
    hc.and_then(|h| h.test.as_ref())
        .and_then(|t| t.first())
        .is_some_and(|t| t != "NONE")
}

/// Time a healthcheck needs to say healthy at worst, plus a margin.
fn health_timeout(hc: Option<&HealthConfig>) -> Duration {
    let ns = |v: Option<i64>, default: i64| v.filter(|v| *v > 0).unwrap_or(default);
    let Some(h) = hc else {
        return START_TIMEOUT;
    };
    let interval = ns(h.interval, 30_000_000_000);
    let timeout = ns(h.timeout, 30_000_000_000);
    let retries = ns(h.retries, 3);
    let start = ns(h.start_period, 0);
    // Saturating: the numbers come from whoever wrote the image or compose file.
    let total = interval
        .saturating_add(timeout)
        .saturating_mul(retries.saturating_add(1))
        .saturating_add(start);
    Duration::from_nanos(total.max(0) as u64).clamp(START_TIMEOUT, Duration::from_secs(600))
}

fn started_at(c: &ContainerInspectResponse) -> Option<String> {
    c.state.as_ref().and_then(|s| s.started_at.clone())
}

/// A few words on why a container is not running.
pub fn state_words(c: &ContainerInspectResponse) -> String {
    let Some(s) = c.state.as_ref() else {
        return "no state".to_owned();
    };
    let mut w = s
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    if !s.running.unwrap_or(false) {
        w.push_str(&format!(", exit code {}", s.exit_code.unwrap_or_default()));
    }
    if let Some(e) = s.error.as_deref().filter(|e| !e.is_empty()) {
        w.push_str(&format!(": {e}"));
    }
    w
}

/// Waits until container `id` runs a process started after `before` (its
/// `State.StartedAt` before the operation, if any) and either stays up for
/// [`STEADY`] or, with a healthcheck, reports healthy.
pub async fn until_running(
    eng: &Engine,
    id: &str,
    name: &str,
    before: Option<&str>,
) -> Result<Ready, String> {
    let first = eng.inspect(id).await.map_err(|e| e.to_string())?;
    let hc = first.config.as_ref().and_then(|c| c.healthcheck.clone());
    let health = has_healthcheck(hc.as_ref());
    let limit = if health {
        health_timeout(hc.as_ref())
    } else {
        START_TIMEOUT
    };
    let deadline = Instant::now() + limit;
    // (StartedAt, when it was first seen running) of the current process.
    let mut seen: Option<(String, Instant)> = None;
    let mut c = first;
    loop {
        let st = started_at(&c);
        let fresh = st.is_some() && st.as_deref() != before;
        let state = c.state.as_ref();
        let running = state.and_then(|s| s.running).unwrap_or(false)
            && !state.and_then(|s| s.restarting).unwrap_or(false);
        if fresh && running {
            if health {
                match state.and_then(|s| s.health.as_ref()).and_then(|h| h.status) {
                    Some(HealthStatusEnum::HEALTHY) => return Ok(Ready::Healthy),
                    Some(HealthStatusEnum::UNHEALTHY) => {
                        return Err(format!("{name} is unhealthy{}", last_probe(&c)));
                    }
                    _ => {}
                }
            } else {
                let st = st.unwrap_or_default();
                match &seen {
                    Some((s, t)) if *s == st => {
                        if t.elapsed() >= STEADY {
                            return Ok(Ready::Running);
                        }
                    }
                    _ => seen = Some((st, Instant::now())),
                }
            }
        } else if fresh && !state.and_then(|s| s.restarting).unwrap_or(false) {
            // It ran and stopped: no restart policy will bring it back now.
            return Err(format!(
                "{name} stopped right after starting ({})",
                state_words(&c)
            ));
        }
        if Instant::now() >= deadline {
            let want = if health { "become healthy" } else { "run" };
            return Err(format!(
                "{name} did not {want} within {} s ({})",
                limit.as_secs(),
                state_words(&c)
            ));
        }
        tokio::time::sleep(POLL).await;
        c = eng.inspect(id).await.map_err(|e| e.to_string())?;
    }
}

/// Waits until container `id` no longer runs.
pub async fn until_stopped(eng: &Engine, id: &str, name: &str) -> Result<(), String> {
    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        let c = eng.inspect(id).await.map_err(|e| e.to_string())?;
        let s = c.state.as_ref();
        if !s.and_then(|s| s.running).unwrap_or(false)
            && !s.and_then(|s| s.restarting).unwrap_or(false)
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{name} still runs {} s after it was stopped ({})",
                STOP_TIMEOUT.as_secs(),
                state_words(&c)
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn last_probe(c: &ContainerInspectResponse) -> String {
    c.state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.log.as_ref())
        .and_then(|l| l.last())
        .and_then(|r| r.output.as_deref())
        .map(|o| format!(": {}", o.trim()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_is_no_healthcheck() {
        let hc = |t: &[&str]| HealthConfig {
            test: Some(t.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        assert!(!has_healthcheck(None));
        assert!(!has_healthcheck(Some(&hc(&["NONE"]))));
        assert!(has_healthcheck(Some(&hc(&["CMD-SHELL", "true"]))));
    }

    #[test]
    fn health_timeout_covers_the_retries() {
        let hc = HealthConfig {
            interval: Some(2_000_000_000),
            timeout: Some(1_000_000_000),
            retries: Some(20),
            ..Default::default()
        };
        assert_eq!(health_timeout(Some(&hc)), Duration::from_secs(63));
    }
}
