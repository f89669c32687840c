use std::path::PathBuf;
use thiserror::Error;

/// A broken config file: which file, which line, which key, and why.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{}:{line}: {key}: {message}", file.display())]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based; 0 when the whole file is at fault (unreadable).
    pub line: usize,
    pub key: String,
    pub message: String,
}
