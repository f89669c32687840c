//! Log lines: untrusted bytes in, safe text out; bounded buffers; filters.

mod filter;
mod ring;
pub mod sanitize;
mod splitter;
mod structured;
pub mod timestamp;

pub use filter::Filter;
pub use ring::LogRing;
pub use sanitize::{
    ATTR_BOLD, ATTR_DIM, ATTR_ITALIC, ATTR_REVERSE, ATTR_UNDERLINE, MAX_LINE_CHARS, SanitizedLine,
    SgrColor, StyleSpan, sanitize,
};
pub use splitter::LineSplitter;
pub use structured::{Level, detect_level, field};
pub use timestamp::{format_timestamp, parse_docker_timestamp, split_docker_timestamp};

use std::sync::Arc;

/// Which stream of the container a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// One line, already made safe for the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Name of the container (task, pod) it came from; shared between lines.
    pub source: Arc<str>,
    pub stream: LogStream,
    /// Unix nanoseconds from the engine, when it gave one.
    pub ts: Option<i64>,
    /// Printable text only: no control characters, no escape sequences.
    pub text: Box<str>,
    /// SGR colours the container asked for, kept aside; drawn only on request.
    pub spans: Option<Box<[StyleSpan]>>,
    pub level: Option<Level>,
}

impl LogLine {
    /// Builds a line from raw bytes (one line, without its newline).
    pub fn from_raw(source: Arc<str>, stream: LogStream, ts: Option<i64>, raw: &[u8]) -> Self {
        let SanitizedLine { text, spans } = sanitize(raw);
        let level = detect_level(&text);
        LogLine {
            source,
            stream,
            ts,
            text: text.into_boxed_str(),
            spans: if spans.is_empty() {
                None
            } else {
                Some(spans.into_boxed_slice())
            },
            level,
        }
    }
}

/// What to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// A container by id or name.
    Container(String),
    /// A service by its key (`stack/service`, or a standalone container's name).
    Service(String),
    /// One container of a pod (Kubernetes): the pod by id or name, the
    /// container by name.
    Part { pod: String, container: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub target: LogTarget,
    /// Lines of history per source; `None` means all.
    pub tail: Option<u64>,
    /// Only lines newer than this (unix seconds).
    pub since: Option<i64>,
    pub follow: bool,
    /// The previous run's logs, after a crash (Kubernetes keeps one run
    /// back); never followed.
    pub previous: bool,
}

/// What a log stream reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    Lines(Vec<LogLine>),
    /// A container joined the stream (a service's new replica).
    SourceJoined(Arc<str>),
    /// A container left the stream (stopped, removed).
    SourceLeft(Arc<str>),
    /// The stream failed; it may be retried by the backend.
    Error(String),
    /// Nothing more will come (no follow, or the target is gone).
    Ended,
}
