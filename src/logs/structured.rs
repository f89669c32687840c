//! Structured log recognition. (stub: helper fills in)
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

pub fn detect_level(_text: &str) -> Option<Level> {
    None
}

/// The value of `key` in a JSON or logfmt line.
pub fn field<'a>(_text: &'a str, _key: &str) -> Option<Cow<'a, str>> {
    None
}
