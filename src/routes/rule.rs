//! Traefik rules: hosts and paths a rule matches, or where it stops parsing.
//!
//! The grammars live in [`super::rule_v2`] (v2/v3 matchers) and
//! [`super::rule_v1`] (Traefik 1.7 frontend rules); this file holds what
//! both return and the helpers they share.

use std::fmt;

/// Which grammar a v2/v3 rule is read with: v2 matchers take several
/// values (`Host(`a`, `b`)`), v3 ones one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Syntax {
    V2,
    #[default]
    V3,
}

/// What a rule matches. Hosts: plain, or `~regex`. Paths: `/api*` prefix,
/// `/login` exact, `~regex`. A negated matcher claims nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleInfo {
    pub hosts: Vec<String>,
    pub paths: Vec<String>,
}

impl RuleInfo {
    pub(super) fn add_host(&mut self, host: String) {
        self.hosts.push(host);
    }

    pub(super) fn add_path(&mut self, path: String) {
        self.paths.push(path);
    }

    /// Drops repeats, keeping the order of first appearance; done once at
    /// the end so a rule with thousands of values stays linear.
    pub(super) fn dedup(mut self) -> Self {
        for list in [&mut self.hosts, &mut self.paths] {
            let mut seen = std::collections::HashSet::new();
            list.retain(|item| seen.insert(item.clone()));
        }
        self
    }
}

/// Where and why a rule does not parse; `pos` counts characters from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub pos: usize,
    pub message: String,
}

impl RuleError {
    pub(super) fn new(pos: usize, message: impl Into<String>) -> Self {
        Self {
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.pos + 1, self.message)
    }
}

impl std::error::Error for RuleError {}

/// A v2/v3 rule: matchers joined by `&&`, `||`, `!` and parentheses.
pub fn parse_v2(rule: &str, syntax: Syntax) -> Result<RuleInfo, RuleError> {
    super::rule_v2::parse(rule, syntax)
}

/// A v1 rule: `Host:a,b;PathPrefix:/x` (`;` AND, `,` OR).
pub fn parse_v1(rule: &str) -> Result<RuleInfo, RuleError> {
    super::rule_v1::parse(rule)
}

/// The known name closest to a misspelt one (`Hots` → `Host`), compared
/// without case, when it is at most two edits away.
pub(super) fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    // Long garbage is no typo of a matcher name; skip the quadratic work.
    if name.chars().count() > 32 {
        return None;
    }
    let name: Vec<char> = name.to_lowercase().chars().collect();
    known
        .iter()
        .map(|k| {
            (
                edit_distance(&name, &k.to_lowercase().chars().collect::<Vec<_>>()),
                *k,
            )
        })
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let swap = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + swap).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// How a piece of the rule reads in an error message.
pub(super) fn shown(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("`{cut}…`")
    } else {
        format!("`{text}`")
    }
}
