//! Notices an engine that takes requests but does not answer them (a hung
//! or stopped dockerd): the socket still accepts, so nothing fails until
//! the client's request timeout, and until then the console would claim
//! "connected". The watchdog says "not answering" instead, counting up.

use crate::backend::{BackendEvent, ConnectionState};
use std::future::Future;
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};

/// How long a request may go unanswered before the status bar says so.
pub const NOT_ANSWERING_AFTER: Duration = Duration::from_secs(5);

/// One request in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

/// Engine requests in flight, and whether a hang has been reported.
#[derive(Debug, Default)]
pub struct Watchdog {
    next: u64,
    inflight: Vec<(Ticket, Instant)>,
    /// Seconds last reported; `None` while the engine answers in time.
    reported: Option<u64>,
}

impl Watchdog {
    pub fn begin(&mut self, now: Instant) -> Ticket {
        let t = Ticket(self.next);
        self.next += 1;
        self.inflight.push((t, now));
        t
    }

    /// The request ended. An answer (not a failure: that is the reconnect
    /// path's to report) clears a reported hang once nothing is overdue.
    pub fn end(&mut self, ticket: Ticket, answered: bool, now: Instant) -> Option<ConnectionState> {
        self.inflight.retain(|(t, _)| *t != ticket);
        let overdue = self
            .oldest()
            .is_some_and(|s| now - s >= NOT_ANSWERING_AFTER);
        if answered && !overdue && self.reported.take().is_some() {
            return Some(ConnectionState::Connected);
        }
        None
    }

    fn oldest(&self) -> Option<Instant> {
        self.inflight.iter().map(|(_, s)| *s).min()
    }

    /// When [`Watchdog::due`] has something to say: the oldest request's
    /// fifth second, then each second after it.
    pub fn deadline(&self) -> Option<Instant> {
        let oldest = self.oldest()?;
        let secs = match self.reported {
            Some(n) => n + 1,
            None => NOT_ANSWERING_AFTER.as_secs(),
        };
        Some(oldest + Duration::from_secs(secs))
    }

    /// At the deadline: how long the oldest request has waited.
    pub fn due(&mut self, now: Instant) -> Option<ConnectionState> {
        let waited = now - self.oldest()?;
        if waited < NOT_ANSWERING_AFTER {
            return None;
        }
        let for_secs = waited.as_secs();
        self.reported = Some(for_secs);
        Some(ConnectionState::NotAnswering { for_secs })
    }

    /// Awaits one request, reporting on `tx` while it goes unanswered.
    /// Returns `None` when `tx` is closed.
    pub async fn watch<T, E>(
        &mut self,
        tx: &mpsc::Sender<BackendEvent>,
        request: impl Future<Output = Result<T, E>>,
    ) -> Option<Result<T, E>> {
        let ticket = self.begin(Instant::now());
        tokio::pin!(request);
        loop {
            let deadline = self.deadline();
            tokio::select! {
                out = &mut request => {
                    if let Some(state) = self.end(ticket, out.is_ok(), Instant::now()) {
                        tx.send(BackendEvent::Connection(state)).await.ok()?;
                    }
                    return Some(out);
                }
                _ = sleep_until(deadline) => {
                    if let Some(state) = self.due(Instant::now()) {
                        tx.send(BackendEvent::Connection(state)).await.ok()?;
                    }
                }
            }
        }
    }
}

/// Sleeps until `at`, or forever without one.
pub async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_answering(s: Option<ConnectionState>) -> Option<u64> {
        match s {
            Some(ConnectionState::NotAnswering { for_secs }) => Some(for_secs),
            _ => None,
        }
    }

    #[test]
    fn a_slow_request_is_reported_each_second_then_cleared() {
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        let mut dog = Watchdog::default();
        assert_eq!(dog.deadline(), None, "idle: nothing to watch");
        let t = dog.begin(start);
        assert_eq!(dog.deadline(), Some(at(5)));
        assert_eq!(dog.due(at(4)), None, "4 s is not yet a hang");
        assert_eq!(not_answering(dog.due(at(5))), Some(5));
        assert_eq!(dog.deadline(), Some(at(6)));
        assert_eq!(not_answering(dog.due(at(6))), Some(6));
        assert_eq!(dog.deadline(), Some(at(7)));
        assert_eq!(dog.end(t, true, at(6)), Some(ConnectionState::Connected));
        assert_eq!(dog.deadline(), None);
    }

    #[test]
    fn a_failure_or_another_overdue_request_does_not_clear_it() {
        let start = Instant::now();
        let later = start + Duration::from_secs(5);
        let mut dog = Watchdog::default();
        let a = dog.begin(start);
        let b = dog.begin(start);
        assert!(not_answering(dog.due(later)).is_some());
        assert_eq!(dog.end(a, true, later), None, "b is still overdue");
        assert_eq!(dog.end(b, false, later), None, "a failure is not an answer");
        let c = dog.begin(later);
        assert_eq!(
            dog.end(c, true, later),
            Some(ConnectionState::Connected),
            "the engine answers again"
        );
        let d = dog.begin(later);
        assert_eq!(dog.end(d, true, later), None, "said once");
    }
}
