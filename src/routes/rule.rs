//! Traefik rules: hosts and paths a rule matches, or where it stops parsing.

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

/// Where and why a rule does not parse; `pos` counts characters from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub pos: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.pos + 1, self.message)
    }
}

/// A v2/v3 rule: matchers joined by `&&`, `||`, `!` and parentheses.
pub fn parse_v2(rule: &str, syntax: Syntax) -> Result<RuleInfo, RuleError> {
    let _ = (rule, syntax);
    Ok(RuleInfo::default())
}

/// A v1 rule: `Host:a,b;PathPrefix:/x` (`;` AND, `,` OR).
pub fn parse_v1(rule: &str) -> Result<RuleInfo, RuleError> {
    let _ = rule;
    Ok(RuleInfo::default())
}
