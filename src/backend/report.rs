//! Progress reporting for one operation, shared by every backend: steps per
//! replica, messages, and the one `Finished` event that always ends it.

use crate::backend::CancellationToken;
use crate::domain::{OpEvent, Outcome, Step};
use tokio::sync::mpsc;

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    pub outcome: Outcome,
    pub message: String,
}

impl End {
    pub fn converged(message: impl Into<String>) -> End {
        End {
            outcome: Outcome::Converged,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> End {
        End {
            outcome: Outcome::Failed,
            message: message.into(),
        }
    }

    pub fn restored(message: impl Into<String>) -> End {
        End {
            outcome: Outcome::Restored,
            message: message.into(),
        }
    }

    pub fn cancelled(message: impl Into<String>) -> End {
        End {
            outcome: Outcome::Cancelled,
            message: message.into(),
        }
    }

    pub fn rolled_back(message: impl Into<String>) -> End {
        End {
            outcome: Outcome::RolledBack,
            message: message.into(),
        }
    }
}

pub struct Report {
    tx: mpsc::Sender<OpEvent>,
    cancel: CancellationToken,
}

impl Report {
    pub fn new(tx: mpsc::Sender<OpEvent>, cancel: CancellationToken) -> Report {
        Report { tx, cancel }
    }

    /// Asked to stop: by the token, or because nobody listens any more.
    pub fn cancelled(&self) -> bool {
        self.cancel.is_cancelled() || self.tx.is_closed()
    }

    pub async fn step(&self, replica: &str, step: Step, done: bool, detail: Option<String>) {
        let _ = self
            .tx
            .send(OpEvent::Step {
                replica: replica.to_owned(),
                step,
                done,
                detail,
            })
            .await;
    }

    pub async fn message(&self, text: impl Into<String>) {
        let _ = self.tx.send(OpEvent::Message { text: text.into() }).await;
    }

    pub async fn finish(self, end: End) {
        let _ = self
            .tx
            .send(OpEvent::Finished {
                outcome: end.outcome,
                message: end.message,
            })
            .await;
    }
}
