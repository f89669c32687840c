use std::ops::Range;
use std::path::{Path, PathBuf};
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

impl ConfigError {
    /// The file could not be read at all.
    pub(super) fn unreadable(file: &Path, err: &std::io::Error) -> ConfigError {
        ConfigError {
            file: file.to_path_buf(),
            line: 0,
            key: "file".into(),
            message: err.to_string(),
        }
    }
}

/// The text being parsed and where it came from, so errors can point at a line.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    /// An error at byte `span` of the text.
    pub fn err(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            line: line_at(self.text, span.start),
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// A TOML syntax error. The parser knows the position but not the key, so
    /// the key is read off the offending line to keep the `file:line: key:` shape.
    pub fn syntax(&self, err: &toml::de::Error) -> ConfigError {
        let line = err.span().map_or(0, |s| line_at(self.text, s.start));
        ConfigError {
            file: self.file.to_path_buf(),
            line,
            key: key_on_line(self.text, line),
            message: err.message().trim().to_owned(),
        }
    }
}

/// 1-based line number of byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Best guess at the key a line is about: `key = ...` or `[table]`.
fn key_on_line(text: &str, line: usize) -> String {
    let l = line
        .checked_sub(1)
        .and_then(|i| text.lines().nth(i))
        .unwrap_or("")
        .trim();
    let key = if l.starts_with('[') {
        l.trim_matches(|c| c == '[' || c == ']')
    } else {
        l.split_once('=').map_or("", |(k, _)| k)
    };
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty() {
        "toml".into()
    } else {
        key.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_keys() {
        let text = "a = 1\n[list]\n\"ctrl-x\" = oops\n";
        assert_eq!(line_at(text, 0), 1);
        assert_eq!(line_at(text, 6), 2);
        assert_eq!(line_at(text, 1000), 4);
        assert_eq!(key_on_line(text, 2), "list");
        assert_eq!(key_on_line(text, 3), "ctrl-x");
        assert_eq!(key_on_line(text, 4), "toml");
    }
}
