//! Themes and keymaps: TOML files shipped in the repo (embedded as defaults)
//! with user files from the config dir merged over them.

mod error;
mod keymap;
mod paths;
mod theme;

pub use error::ConfigError;
pub use keymap::{Keymap, Mode, format_key, parse_key};
pub use paths::Paths;
pub use theme::Theme;

use error::Source;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// What the console starts with, plus anything wrong found on the way.
#[derive(Debug, Clone)]
pub struct Config {
    pub theme: Theme,
    pub keymap: Keymap,
    /// One clear message per broken user file; the defaults were used instead.
    pub warnings: Vec<String>,
}

/// Loads the theme and keymap. `theme`/`keymap` are a shipped name or a file
/// path; `None` means the user's choice from the config dir, else the default.
/// With `no_color` and no explicit theme, the monochrome theme is used.
pub fn load(paths: &Paths, theme: Option<&str>, keymap: Option<&str>, no_color: bool) -> Config {
    let mut warnings = Vec::new();
    let theme = theme::load(paths, theme, no_color, &mut warnings);
    let keymap = keymap::load(paths, keymap, &mut warnings);
    Config {
        theme,
        keymap,
        warnings,
    }
}

/// `--theme`/`--keymap` values naming a file rather than a shipped/user name.
fn is_path(name: &str) -> bool {
    name.contains('/') || name.contains(std::path::MAIN_SEPARATOR) || name.ends_with(".toml")
}

fn read(file: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(file).map_err(|e| ConfigError::unreadable(file, &e))
}

/// Parses TOML keeping spans, mapping syntax errors to a file:line error.
fn parse_toml<'i>(src: Source<'i>) -> Result<DeTable<'i>, ConfigError> {
    DeTable::parse(src.text)
        .map(Spanned::into_inner)
        .map_err(|e| src.syntax(&e))
}

type Entry<'a, 'i> = (&'a Spanned<DeString<'i>>, &'a Spanned<DeValue<'i>>);

/// A table's entries in file order, so the first error reported is the first
/// in the file (the table itself is sorted by key).
fn file_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut v: Vec<Entry<'a, 'i>> = table.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

/// `NAME` for every `dir/NAME.toml`, sorted; empty if the dir is missing.
fn toml_stems(dir: Option<PathBuf>) -> Vec<String> {
    let mut names: Vec<String> = dir
        .and_then(|d| std::fs::read_dir(d).ok())
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "toml" {
                return None;
            }
            p.file_stem()?.to_str().map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// The candidate closest to `word` if it is a likely typo (edit distance <= 2).
fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_suggestions() {
        assert_eq!(closest("qiut", ["quit", "help"]), Some("quit"));
        assert_eq!(closest("explode", ["quit", "help"]), None);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn path_like_names() {
        assert!(is_path("./x"));
        assert!(is_path("mine.toml"));
        assert!(!is_path("vim"));
    }
}
