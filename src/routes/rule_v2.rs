//! Traefik v2/v3 rules: matchers such as ``Host(`a.io`)`` joined by `&&`,
//! `||`, `!` and parentheses, with `&&` binding tighter than `||`.
//!
//! Traefik reads a rule as a Go expression, so values are Go string
//! literals: raw in backticks, or double-quoted with backslash escapes.
//! Matcher names are accepted as Traefik registers them: as spelt
//! (`PathPrefix`), all lower, all upper, or capitalised (`Pathprefix`).

use super::rule::{RuleError, RuleInfo, Syntax, closest, shown};

/// Deeper nesting is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

pub(super) fn parse(rule: &str, syntax: Syntax) -> Result<RuleInfo, RuleError> {
    let mut parser = Parser {
        lexer: Lexer {
            chars: rule.chars().collect(),
            at: 0,
        },
        peeked: None,
        syntax,
        depth: 0,
        info: RuleInfo::default(),
    };
    if parser.peek()?.kind == Kind::End {
        return Err(RuleError::new(0, "empty rule"));
    }
    parser.or_expr(false, None)?;
    let next = parser.next()?;
    match next.kind {
        Kind::End => Ok(parser.info.dedup()),
        Kind::RParen => Err(RuleError::new(next.pos, "unexpected `)`: no `(` to close")),
        other => Err(RuleError::new(
            next.pos,
            format!(
                "expected `&&`, `||` or the end of the rule, found {}",
                other.describe()
            ),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    And,
    Or,
    Not,
    End,
}

impl Kind {
    fn describe(&self) -> String {
        match self {
            Kind::Ident(name) => shown(name),
            Kind::Str(_) => "a quoted value".into(),
            Kind::LParen => "`(`".into(),
            Kind::RParen => "`)`".into(),
            Kind::Comma => "`,`".into(),
            Kind::And => "`&&`".into(),
            Kind::Or => "`||`".into(),
            Kind::Not => "`!`".into(),
            Kind::End => "the end of the rule".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    pos: usize,
}

/// Positions are indices into `chars`: the character counts errors report.
struct Lexer {
    chars: Vec<char>,
    at: usize,
}

impl Lexer {
    fn peek_char(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn next_token(&mut self) -> Result<Token, RuleError> {
        while self.peek_char(0).is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        let pos = self.at;
        let Some(c) = self.peek_char(0) else {
            return Ok(Token {
                kind: Kind::End,
                pos,
            });
        };
        let single = |kind| Ok((kind, 1));
        let (kind, len) = match c {
            '(' => single(Kind::LParen),
            ')' => single(Kind::RParen),
            ',' => single(Kind::Comma),
            '!' => single(Kind::Not),
            '&' if self.peek_char(1) == Some('&') => Ok((Kind::And, 2)),
            '|' if self.peek_char(1) == Some('|') => Ok((Kind::Or, 2)),
            '&' => Err("a single `&`: the operator is `&&`".to_string()),
            '|' => Err("a single `|`: the operator is `||`".to_string()),
            '`' => return self.raw_string(),
            '"' => return self.quoted_string(),
            c if c.is_alphabetic() || c == '_' => {
                let len = self.chars[pos..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .count();
                let name: String = self.chars[pos..pos + len].iter().collect();
                Ok((Kind::Ident(name), len))
            }
            '\'' => Err("values are quoted with backticks or double quotes, not `'`".into()),
            c => Err(format!("unexpected {}", shown(&c.to_string()))),
        }
        .map_err(|message| RuleError::new(pos, message))?;
        self.at += len;
        Ok(Token { kind, pos })
    }

    /// A Go raw string: everything up to the next backtick, `\r` dropped.
    fn raw_string(&mut self) -> Result<Token, RuleError> {
        let pos = self.at;
        let body = &self.chars[pos + 1..];
        let Some(len) = body.iter().position(|c| *c == '`') else {
            return Err(RuleError::new(
                pos,
                "unterminated value: this backtick is never closed",
            ));
        };
        let value: String = body[..len].iter().filter(|c| **c != '\r').collect();
        self.at = pos + len + 2;
        Ok(Token {
            kind: Kind::Str(value),
            pos,
        })
    }

    /// A Go interpreted string: `"…"` with backslash escapes, on one line.
    fn quoted_string(&mut self) -> Result<Token, RuleError> {
        let pos = self.at;
        let unterminated =
            || RuleError::new(pos, "unterminated value: this double quote is never closed");
        // Bytes, because `\xff` and octal escapes give bytes, not characters.
        let mut bytes = Vec::new();
        self.at += 1;
        loop {
            let Some(c) = self.peek_char(0) else {
                return Err(unterminated());
            };
            match c {
                '"' => break,
                '\n' => return Err(unterminated()),
                '\\' => self.escape(&mut bytes)?,
                c => {
                    let mut buf = [0; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    self.at += 1;
                }
            }
        }
        self.at += 1;
        Ok(Token {
            kind: Kind::Str(String::from_utf8_lossy(&bytes).into_owned()),
            pos,
        })
    }

    /// One escape at `self.at` (the backslash), as Go reads it in `"…"`.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), RuleError> {
        let pos = self.at;
        let bad = |what: &str| RuleError::new(pos, format!("invalid escape: {what}"));
        let Some(c) = self.peek_char(1) else {
            return Err(bad("nothing follows the backslash"));
        };
        let simple = match c {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            self.at += 2;
            return Ok(());
        }
        let (digits, radix, skip) = match c {
            'x' => (2, 16, 2),
            'u' => (4, 16, 2),
            'U' => (8, 16, 2),
            '0'..='7' => (3, 8, 1),
            c => return Err(bad(&format!("unknown escape {}", shown(&format!("\\{c}"))))),
        };
        let start = self.at + skip;
        let text: String = self.chars.iter().skip(start).take(digits).collect();
        let well_formed = text.chars().count() == digits && text.chars().all(|d| d.is_digit(radix));
        let value = well_formed
            .then(|| u32::from_str_radix(&text, radix).ok())
            .flatten()
            .ok_or_else(|| bad(&format!("`\\{c}` needs {digits} digits")))?;
        match c {
            'x' => out.push(value as u8),
            '0'..='7' => {
                let byte = u8::try_from(value).map_err(|_| bad("octal escape above \\377"))?;
                out.push(byte);
            }
            _ => {
                let ch = char::from_u32(value).ok_or_else(|| bad("not a Unicode character"))?;
                let mut buf = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
        self.at = start + digits;
        Ok(())
    }
}

struct Parser {
    lexer: Lexer,
    peeked: Option<Token>,
    syntax: Syntax,
    depth: usize,
    info: RuleInfo,
}

impl Parser {
    fn peek(&mut self) -> Result<&Token, RuleError> {
        let token = match self.peeked.take() {
            Some(token) => token,
            None => self.lexer.next_token()?,
        };
        Ok(self.peeked.insert(token))
    }

    fn next(&mut self) -> Result<Token, RuleError> {
        match self.peeked.take() {
            Some(token) => Ok(token),
            None => self.lexer.next_token(),
        }
    }

    /// `a || b || …`. `negated`: under an odd number of `!`, where matchers
    /// claim nothing. `after`: the operator before it, for messages.
    fn or_expr(&mut self, negated: bool, after: Option<&str>) -> Result<(), RuleError> {
        self.and_expr(negated, after)?;
        while self.peek()?.kind == Kind::Or {
            self.next()?;
            self.and_expr(negated, Some("`||`"))?;
        }
        Ok(())
    }

    fn and_expr(&mut self, negated: bool, after: Option<&str>) -> Result<(), RuleError> {
        self.unary(negated, after)?;
        while self.peek()?.kind == Kind::And {
            self.next()?;
            self.unary(negated, Some("`&&`"))?;
        }
        Ok(())
    }

    /// `!`s are counted in a loop, so a long run of them cannot recurse.
    fn unary(&mut self, mut negated: bool, mut after: Option<&str>) -> Result<(), RuleError> {
        while self.peek()?.kind == Kind::Not {
            self.next()?;
            negated = !negated;
            after = Some("`!`");
        }
        let token = self.next()?;
        match token.kind {
            Kind::LParen => {
                if self.depth >= MAX_DEPTH {
                    return Err(RuleError::new(
                        token.pos,
                        format!("parentheses nested deeper than {MAX_DEPTH}"),
                    ));
                }
                self.depth += 1;
                self.or_expr(negated, Some("`(`"))?;
                self.depth -= 1;
                let close = self.next()?;
                if close.kind != Kind::RParen {
                    return Err(RuleError::new(
                        close.pos,
                        format!(
                            "missing `)` for the `(` at column {}, found {}",
                            token.pos + 1,
                            close.kind.describe()
                        ),
                    ));
                }
                Ok(())
            }
            Kind::Ident(name) => self.matcher(&name, token.pos, negated),
            other => {
                let after = after.map(|a| format!(" after {a}")).unwrap_or_default();
                Err(RuleError::new(
                    token.pos,
                    format!("expected a matcher{after}, found {}", other.describe()),
                ))
            }
        }
    }

    /// `Name(value, …)`: checked against the syntax, then claimed.
    fn matcher(&mut self, written: &str, pos: usize, negated: bool) -> Result<(), RuleError> {
        let name = self.resolve(written, pos)?;
        let open = self.next()?;
        if open.kind != Kind::LParen {
            return Err(RuleError::new(
                open.pos,
                format!(
                    "expected `(` after {written}, found {}",
                    open.kind.describe()
                ),
            ));
        }
        let values = self.values(written)?;
        let spec = spec(name, self.syntax);
        check_count(name, spec, values.len(), self.syntax).map_err(|m| RuleError::new(pos, m))?;
        for (value, value_pos) in &values {
            check_value(name, value, self.syntax).map_err(|m| RuleError::new(*value_pos, m))?;
        }
        if !negated {
            for (value, _) in values {
                match name {
                    "Host" | "HostHeader" => self.info.add_host(value.to_lowercase()),
                    "HostRegexp" => self.info.add_host(format!("~{value}")),
                    "Path" => self.info.add_path(value),
                    "PathPrefix" => self.info.add_path(format!("{value}*")),
                    "PathRegexp" => self.info.add_path(format!("~{value}")),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The matcher's canonical name, or why this syntax does not have it.
    fn resolve(&self, written: &str, pos: usize) -> Result<&'static str, RuleError> {
        let own = names(self.syntax);
        if let Some(name) = own.iter().find(|n| spelt_as(n, written)) {
            return Ok(name);
        }
        let message = match self.syntax {
            Syntax::V3 => match V2_ONLY.iter().find(|(n, _)| spelt_as(n, written)) {
                Some((name, v3)) => {
                    format!("{name} is a Traefik v2 matcher: v3 has {v3}, or add ruleSyntax=v2")
                }
                None => unknown(written, own),
            },
            Syntax::V2 => match V3_ONLY.iter().find(|n| spelt_as(n, written)) {
                Some(name) => {
                    format!("{name} is a Traefik v3 matcher, not in ruleSyntax=v2")
                }
                None => unknown(written, own),
            },
        };
        Err(RuleError::new(pos, message))
    }

    /// `value, value, …)` after the `(`; a trailing comma is allowed, as
    /// in a Go call.
    fn values(&mut self, matcher: &str) -> Result<Vec<(String, usize)>, RuleError> {
        let mut values = Vec::new();
        loop {
            let token = self.next()?;
            match token.kind {
                Kind::RParen => return Ok(values),
                Kind::Str(value) => values.push((value, token.pos)),
                Kind::Ident(_) => {
                    // Show the whole unquoted word (`a.io`), not just `a`.
                    let word: String = self.lexer.chars[token.pos..]
                        .iter()
                        .take_while(|c| !matches!(c, ')' | ',') && !c.is_whitespace())
                        .collect();
                    return Err(RuleError::new(
                        token.pos,
                        format!(
                            "values of {matcher} are quoted: {matcher}(`{word}`), \
                             not {matcher}({word})"
                        ),
                    ));
                }
                other => {
                    return Err(RuleError::new(
                        token.pos,
                        format!(
                            "expected a quoted value or `)` in {matcher}, found {}",
                            other.describe()
                        ),
                    ));
                }
            }
            let sep = self.next()?;
            match sep.kind {
                Kind::Comma => {}
                Kind::RParen => return Ok(values),
                other => {
                    return Err(RuleError::new(
                        sep.pos,
                        format!(
                            "expected `,` or `)` after a value of {matcher}, found {}",
                            other.describe()
                        ),
                    ));
                }
            }
        }
    }
}

const V3_NAMES: &[&str] = &[
    "ClientIP",
    "Method",
    "Host",
    "HostRegexp",
    "Path",
    "PathRegexp",
    "PathPrefix",
    "Header",
    "HeaderRegexp",
    "Query",
    "QueryRegexp",
];

const V2_NAMES: &[&str] = &[
    "Host",
    "HostHeader",
    "HostRegexp",
    "ClientIP",
    "Path",
    "PathPrefix",
    "Method",
    "Headers",
    "HeadersRegexp",
    "Query",
];

/// v2-only matchers, with what v3 has instead.
const V2_ONLY: &[(&str, &str)] = &[
    ("HostHeader", "Host"),
    ("Headers", "Header"),
    ("HeadersRegexp", "HeaderRegexp"),
];
const V3_ONLY: &[&str] = &["PathRegexp", "Header", "HeaderRegexp", "QueryRegexp"];

fn names(syntax: Syntax) -> &'static [&'static str] {
    match syntax {
        Syntax::V2 => V2_NAMES,
        Syntax::V3 => V3_NAMES,
    }
}

/// Traefik registers each matcher as spelt, lower, upper and capitalised.
fn spelt_as(name: &str, written: &str) -> bool {
    if name == written {
        return true;
    }
    let lower = name.to_lowercase();
    let mut capitalised = lower.clone();
    capitalised[..1].make_ascii_uppercase();
    written == lower || written == name.to_uppercase() || written == capitalised
}

fn unknown(written: &str, known: &[&str]) -> String {
    match closest(written, known) {
        Some(near) => format!("unknown matcher {} (did you mean {near}?)", shown(written)),
        None => format!(
            "unknown matcher {} (known: {})",
            shown(written),
            known.join(", ")
        ),
    }
}

/// How many values a matcher takes.
#[derive(Debug, Clone, Copy)]
enum Count {
    One,
    OneOrMore,
    Two,
    OneOrTwo,
}

fn spec(name: &str, syntax: Syntax) -> Count {
    match (syntax, name) {
        (_, "Headers" | "HeadersRegexp" | "Header" | "HeaderRegexp") => Count::Two,
        (Syntax::V3, "Query" | "QueryRegexp") => Count::OneOrTwo,
        (Syntax::V3, _) => Count::One,
        (Syntax::V2, _) => Count::OneOrMore,
    }
}

fn check_count(name: &str, count: Count, n: usize, syntax: Syntax) -> Result<(), String> {
    if n == 0 {
        return Err(format!("{name} needs a value"));
    }
    match count {
        Count::One if n > 1 => match syntax {
            Syntax::V3 => Err(format!(
                "{name} takes one value in Traefik v3 (add ruleSyntax=v2 or split the rule)"
            )),
            Syntax::V2 => Err(format!("{name} takes one value")),
        },
        Count::Two if n != 2 => Err(format!(
            "{name} takes two values, a header name and a {}, not {n}",
            if name.ends_with("Regexp") {
                "pattern"
            } else {
                "value"
            }
        )),
        Count::OneOrTwo if n > 2 => Err(format!(
            "{name} takes a parameter name and optionally a value, not {n} values"
        )),
        _ => Ok(()),
    }
}

/// What Traefik refuses in a value once the rule has parsed.
fn check_value(name: &str, value: &str, syntax: Syntax) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("empty value in {name}"));
    }
    match name {
        "Host" | "HostHeader" | "HostRegexp" if !value.is_ascii() => Err(format!(
            "{name} value {} has non-ASCII characters, which Traefik refuses \
             (write the name in punycode, xn--…)",
            shown(value)
        )),
        "Path" | "PathPrefix" if syntax == Syntax::V3 && !value.starts_with('/') => Err(format!(
            "{name} value {} does not start with `/`",
            shown(value)
        )),
        "Query" if syntax == Syntax::V2 && !value.contains('=') => Err(format!(
            "Query values are `key=value` in ruleSyntax=v2, not {}",
            shown(value)
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(rule: &str, syntax: Syntax) -> RuleInfo {
        match parse(rule, syntax) {
            Ok(info) => info,
            Err(e) => panic!("{rule:?} ({syntax:?}) should parse: {e}"),
        }
    }

    fn err(rule: &str, syntax: Syntax) -> RuleError {
        match parse(rule, syntax) {
            Ok(info) => panic!("{rule:?} ({syntax:?}) should not parse, gave {info:?}"),
            Err(e) => e,
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn host_and_path_prefix_as_shops_write_them() {
        for syntax in [Syntax::V2, Syntax::V3] {
            let info = ok("Host(`shop.example.org`) && PathPrefix(`/api`)", syntax);
            assert_eq!(info.hosts, strings(&["shop.example.org"]));
            assert_eq!(info.paths, strings(&["/api*"]));
        }
    }

    #[test]
    fn several_hosts_in_one_matcher_are_v2_only() {
        let info = ok("Host(`a.io`, `b.io`)", Syntax::V2);
        assert_eq!(info.hosts, strings(&["a.io", "b.io"]));
        let e = err("Host(`a.io`, `b.io`)", Syntax::V3);
        assert_eq!(e.pos, 0);
        assert_eq!(
            e.message,
            "Host takes one value in Traefik v3 (add ruleSyntax=v2 or split the rule)"
        );
        for rule in [
            "Path(`/a`, `/b`)",
            "PathPrefix(`/a`, `/b`)",
            "HostRegexp(`a`, `b`)",
        ] {
            assert!(err(rule, Syntax::V3).message.contains("takes one value"));
            assert_eq!(
                ok(rule, Syntax::V2).paths.len() + ok(rule, Syntax::V2).hosts.len(),
                2
            );
        }
        // The position is the offending matcher's, not the rule's start.
        assert_eq!(err("Path(`/`) && Host(`a`,`b`)", Syntax::V3).pos, 13);
    }

    #[test]
    fn negated_matchers_claim_nothing() {
        let info = ok(
            "(Host(`a`) || Host(`b`)) && !PathPrefix(`/admin`)",
            Syntax::V3,
        );
        assert_eq!(info.hosts, strings(&["a", "b"]));
        assert!(info.paths.is_empty());
        let info = ok("!(Host(`a`) || Path(`/x`)) && Host(`c`)", Syntax::V3);
        assert_eq!(info.hosts, strings(&["c"]));
        assert!(info.paths.is_empty());
        // Two negations cancel, as in Traefik's tree.
        assert_eq!(ok("!!Host(`a`)", Syntax::V3).hosts, strings(&["a"]));
        assert_eq!(ok("!(!Host(`a`))", Syntax::V3).hosts, strings(&["a"]));
    }

    #[test]
    fn double_quotes_escapes_and_v2_headers() {
        let info = ok("Host(\"x.io\") && Headers(`X-A`, `1`)", Syntax::V2);
        assert_eq!(info.hosts, strings(&["x.io"]));
        let info = ok(r#"Path("/a\"b\x41\u00e9\101")"#, Syntax::V3);
        assert_eq!(info.paths, strings(&["/a\"bAéA"]));
        // Headers is v2's; v3 names it Header.
        let e = err("Host(\"x.io\") && Headers(`X-A`, `1`)", Syntax::V3);
        assert_eq!(e.pos, 16);
        assert!(e.message.contains("v3 has Header,"), "{}", e.message);
        assert!(ok("Header(`X-A`, `1`)", Syntax::V3).hosts.is_empty());
        assert!(
            err("Header(`X-A`)", Syntax::V3)
                .message
                .contains("two values")
        );
        assert!(
            err("PathRegexp(`^/a`)", Syntax::V2)
                .message
                .contains("v3 matcher")
        );
        let e = err(r#"Path("/\q")"#, Syntax::V3);
        assert_eq!(
            (e.pos, e.message.as_str()),
            (7, "invalid escape: unknown escape `\\q`")
        );
    }

    #[test]
    fn host_regexp_and_path_regexp_are_marked_with_a_tilde() {
        let info = ok("HostRegexp(`{sub:[a-z]+}.example.com`)", Syntax::V2);
        assert_eq!(info.hosts, strings(&["~{sub:[a-z]+}.example.com"]));
        let info = ok(
            "HostRegexp(`^.+\\.example\\.com$`) && PathRegexp(`^/v[0-9]+/`)",
            Syntax::V3,
        );
        assert_eq!(info.hosts, strings(&["~^.+\\.example\\.com$"]));
        assert_eq!(info.paths, strings(&["~^/v[0-9]+/"]));
    }

    #[test]
    fn hosts_are_lowercased_and_deduplicated_in_order() {
        let info = ok(
            "Host(`B.io`) || Host(`a.io`) || Host(`b.io`) || Path(`/x`) || Path(`/x`)",
            Syntax::V3,
        );
        assert_eq!(info.hosts, strings(&["b.io", "a.io"]));
        assert_eq!(info.paths, strings(&["/x"]));
        assert_eq!(
            ok("HostHeader(`A.io`)", Syntax::V2).hosts,
            strings(&["a.io"])
        );
    }

    #[test]
    fn matcher_names_in_the_spellings_traefik_accepts() {
        for rule in ["host(`a`)", "HOST(`a`)", "Host(`a`)"] {
            assert_eq!(ok(rule, Syntax::V3).hosts, strings(&["a"]));
        }
        assert_eq!(ok("Pathprefix(`/a`)", Syntax::V3).paths, strings(&["/a*"]));
        assert_eq!(ok("pathprefix(`/a`)", Syntax::V3).paths, strings(&["/a*"]));
        let e = err("hOST(`a`)", Syntax::V3);
        assert_eq!(e.pos, 0);
        assert!(e.message.contains("did you mean Host?"), "{}", e.message);
    }

    #[test]
    fn and_binds_tighter_than_or_and_other_matchers_parse() {
        let rule = "Method(`GET`) && Host(`a`) || Query(`k`, `v`) && ClientIP(`10.0.0.0/8`) \
                    || QueryRegexp(`k`, `^v`) && HeaderRegexp(`X`, `.*`)";
        assert_eq!(ok(rule, Syntax::V3).hosts, strings(&["a"]));
        let v2 = "Method(`GET`, `POST`) && Query(`a=1`, `b=2`) && ClientIP(`1.2.3.4`, `::1`) \
                  && HeadersRegexp(`X`, `.*`)";
        assert!(ok(v2, Syntax::V2).hosts.is_empty());
        assert!(err("Query(`a`)", Syntax::V2).message.contains("key=value"));
        assert!(
            err("Method(`GET`, `POST`)", Syntax::V3)
                .message
                .contains("one value")
        );
        // A trailing comma is valid Go, so Traefik takes it.
        assert_eq!(ok("Host(`a`,)", Syntax::V3).hosts, strings(&["a"]));
    }

    #[test]
    fn errors_point_at_the_character() {
        let cases: &[(&str, usize, &str)] = &[
            (
                "Host(`a`) &&",
                12,
                "expected a matcher after `&&`, found the end of the rule",
            ),
            (
                "Hots(`a`)",
                0,
                "unknown matcher `Hots` (did you mean Host?)",
            ),
            (
                "Host(`a",
                5,
                "unterminated value: this backtick is never closed",
            ),
            ("Host(`a`))", 9, "unexpected `)`: no `(` to close"),
            ("", 0, "empty rule"),
            ("   ", 0, "empty rule"),
            (
                "(Host(`a`)",
                10,
                "missing `)` for the `(` at column 1, found the end of the rule",
            ),
            (
                "Host(`a` && Path(`/`))",
                9,
                "expected `,` or `)` after a value of Host, found `&&`",
            ),
            (
                "Host(`a`) Path(`/`)",
                10,
                "expected `&&`, `||` or the end of the rule, found `Path`",
            ),
            (
                "Host(`a`) & Path(`/`)",
                10,
                "a single `&`: the operator is `&&`",
            ),
            ("|| Host(`a`)", 0, "expected a matcher, found `||`"),
            (
                "!",
                1,
                "expected a matcher after `!`, found the end of the rule",
            ),
            ("()", 1, "expected a matcher after `(`, found `)`"),
            (
                "Host(a.io)",
                5,
                "values of Host are quoted: Host(`a.io`), not Host(a.io)",
            ),
            ("Host()", 0, "Host needs a value"),
            ("Host(``)", 5, "empty value in Host"),
            (
                "Host",
                4,
                "expected `(` after Host, found the end of the rule",
            ),
            (
                "Host(\"a)",
                5,
                "unterminated value: this double quote is never closed",
            ),
            ("Path(`api`)", 5, "Path value `api` does not start with `/`"),
        ];
        for (rule, pos, message) in cases {
            let e = err(rule, Syntax::V3);
            assert_eq!(
                (e.pos, e.message.as_str()),
                (*pos, *message),
                "rule {rule:?}"
            );
        }
        // Display counts columns from 1.
        assert_eq!(
            err("Host(`a`))", Syntax::V3).to_string(),
            "at column 10: unexpected `)`: no `(` to close"
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let e = err("Path(`/é/ü`) && Hots(`a`)", Syntax::V2);
        assert_eq!(e.pos, 16);
        let e = err("Host(`ü.io`)", Syntax::V3);
        assert_eq!(e.pos, 5);
        assert!(e.message.contains("punycode"));
        assert_eq!(err("Host(`a`) && 日本", Syntax::V3).pos, 13);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let fine = format!(
            "{}Host(`a`){}",
            "(".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        );
        assert_eq!(ok(&fine, Syntax::V3).hosts, strings(&["a"]));
        let deep = format!("{}Host(`a`){}", "(".repeat(100_000), ")".repeat(100_000));
        let e = err(&deep, Syntax::V3);
        assert_eq!(e.pos, MAX_DEPTH);
        assert!(e.message.contains("nested deeper"));
        let nots = format!("{}Host(`a`)", "!".repeat(1_000_001));
        assert!(ok(&nots, Syntax::V3).hosts.is_empty());
    }
}
