//! ACLs: what a test (`hdr(host) -i a.org`, `path_beg /api`) matches, and
//! the conditions of `use_backend … if/unless …` that combine them.

use super::words::Word;

/// What one ACL test matches, in the route's notation: hosts plain or
/// `~regex`; paths `/api*` a prefix, `/api` exact, `~regex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    Hosts(Vec<String>),
    Paths(Vec<String>),
    /// Anything else (a method, a source address, `ssl_fc`): claims no
    /// host or path. Holds the fetch as written.
    Other(String),
}

/// `if`/`unless` and the ACLs: OR of ANDs, as haproxy reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub unless: bool,
    /// Groups separated by `or`/`||`; the terms of one group are ANDed.
    pub any_of: Vec<Vec<Term>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub acl: AclRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclRef {
    Named(String),
    /// `{ path_beg /api }`: an anonymous ACL.
    Inline(Test),
}

/// ACL names haproxy defines itself.
pub const PREDEFINED: &[&str] = &[
    "FALSE",
    "HTTP",
    "HTTP_1.0",
    "HTTP_1.1",
    "HTTP_2.0",
    "HTTP_3.0",
    "HTTP_CONTENT",
    "HTTP_URL_ABS",
    "HTTP_URL_SLASH",
    "HTTP_URL_STAR",
    "LOCALHOST",
    "METH_CONNECT",
    "METH_DELETE",
    "METH_GET",
    "METH_HEAD",
    "METH_OPTIONS",
    "METH_POST",
    "METH_PUT",
    "METH_TRACE",
    "RDP_COOKIE",
    "REQ_CONTENT",
    "TRUE",
    "WAIT_END",
];

/// What a fetch reads, when berth can show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Host,
    Path,
}

/// Match methods a fetch suffix (`hdr_beg`) or `-m` names.
const METHODS: &[&str] = &[
    "str", "beg", "end", "sub", "reg", "dom", "dir", "len", "found", "int", "ip", "bool", "bin",
    "cnt", "val",
];

/// Parses a test: a fetch, flags, patterns (an `acl` line after its name,
/// or the inside of `{ … }`). Also returns notes on what it left out.
pub fn parse_test(words: &[Word]) -> Result<(Test, Vec<String>), String> {
    let Some((fetch_word, rest)) = words.split_first() else {
        return Err("no fetch to test".into());
    };
    let fetch = fetch_word.text.as_str();
    let mut notes = Vec::new();
    let mut method: Option<String> = None;
    let mut i = 0;
    while let Some(w) = rest.get(i) {
        if w.quoted || !w.text.starts_with('-') || w.text == "-" {
            break;
        }
        i += 1;
        match w.text.as_str() {
            "--" => break,
            "-i" | "-n" | "-M" => {}
            "-m" => {
                method = rest.get(i).map(|m| m.text.to_ascii_lowercase());
                i += 1;
            }
            "-f" => {
                if let Some(file) = rest.get(i) {
                    notes.push(format!("patterns from file {} are not read", file.text));
                }
                i += 1;
            }
            "-u" => i += 1,
            other => notes.push(format!("flag {other} is not known")),
        }
    }
    let patterns: Vec<&str> = rest
        .get(i..)
        .unwrap_or(&[])
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    let Some((subject, suffix)) = classify(fetch) else {
        return Ok((Test::Other(fetch.to_owned()), notes));
    };
    let method = method.unwrap_or_else(|| suffix.unwrap_or("str").to_owned());
    let shown: Option<Vec<String>> = patterns
        .iter()
        .map(|p| notation(subject, &method, p))
        .collect();
    let test = match shown {
        Some(list) if !list.is_empty() => match subject {
            Subject::Host => Test::Hosts(list),
            Subject::Path => Test::Paths(list),
        },
        _ => Test::Other(fetch.to_owned()),
    };
    Ok((test, notes))
}

/// Which subject a fetch reads and the match method its name implies:
/// `hdr(host)`, `req.hdr(Host)`, `hdr_dom(host)`, `req.ssl_sni`,
/// `ssl_fc_sni`, `path_beg`, `url_beg`; converters (`,lower`) are ignored.
fn classify(fetch: &str) -> Option<(Subject, Option<&'static str>)> {
    let fetch = fetch.trim();
    // The fetch ends at the first comma outside parentheses (converters).
    let mut depth = 0usize;
    let mut cut = fetch.len();
    for (i, c) in fetch.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                cut = i;
                break;
            }
            _ => {}
        }
    }
    let fetch = fetch.get(..cut)?;
    let (name, arg) = match fetch.split_once('(') {
        Some((n, a)) => (n, Some(a.strip_suffix(')').unwrap_or(a))),
        None => (fetch, None),
    };
    let name = name.to_ascii_lowercase();
    let name = name.strip_prefix("req.").unwrap_or(&name);
    let (base, suffix) = match name.rsplit_once('_') {
        Some((b, s)) if METHODS.contains(&s) && b != "ssl" => {
            (b, METHODS.iter().copied().find(|m| *m == s))
        }
        _ => (name, None),
    };
    let subject = match base {
        "hdr" | "fhdr" => {
            let header = arg?.split(',').next()?.trim();
            header
                .eq_ignore_ascii_case("host")
                .then_some(Subject::Host)?
        }
        "ssl_fc_sni" | "ssl_sni" | "req_ssl_sni" => Subject::Host,
        "path" | "url" => Subject::Path,
        _ => return None,
    };
    Some((subject, suffix))
}

/// One pattern in the route's notation, or None when the method matches
/// nothing berth can show (`found`, `len`).
fn notation(subject: Subject, method: &str, pattern: &str) -> Option<String> {
    let esc = regex::escape(pattern);
    let shown = match (subject, method) {
        // `dom` matches the name between dots, as a sub-domain or with a
        // port: the name is what the operator means.
        (Subject::Host, "str" | "dom") => pattern.to_owned(),
        (Subject::Host, "beg") => format!("~^{esc}"),
        (Subject::Path, "str") => pattern.to_owned(),
        (Subject::Path, "beg") => format!("{pattern}*"),
        (Subject::Path, "dir") => {
            let inner = regex::escape(pattern.trim_matches('/'));
            format!("~(^|/){inner}(/|$)")
        }
        (_, "end") => format!("~{esc}$"),
        (_, "sub") => format!("~{esc}"),
        (_, "reg") => format!("~{pattern}"),
        _ => return None,
    };
    Some(shown)
}

/// Parses what follows `if`/`unless`; `words` starts after the keyword.
pub fn parse_condition(unless: bool, words: &[Word]) -> Result<(Condition, Vec<String>), String> {
    let mut any_of: Vec<Vec<Term>> = vec![Vec::new()];
    let mut notes = Vec::new();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        i += 1;
        if w.is("or") || w.is("||") {
            if any_of.last().is_some_and(Vec::is_empty) {
                return Err(format!("nothing before `{}`", w.text));
            }
            any_of.push(Vec::new());
            continue;
        }
        let mut text = w.text.as_str();
        let mut negated = false;
        if !w.quoted {
            while let Some(rest) = text.strip_prefix('!') {
                negated = !negated;
                text = rest;
            }
        }
        let mut quoted = w.quoted;
        if text.is_empty() {
            // `! acl`: the operand is the next word.
            let Some(next) = words.get(i) else {
                return Err("`!` with nothing after it".into());
            };
            i += 1;
            text = next.text.as_str();
            quoted = next.quoted;
        }
        let acl = if !quoted && text == "{" {
            let close = words
                .get(i..)
                .unwrap_or(&[])
                .iter()
                .position(|w| w.is("}"))
                .ok_or_else(|| "`{` without its `}`".to_owned())?;
            let inside = words.get(i..i + close).unwrap_or(&[]);
            i += close + 1;
            let (test, more) = parse_test(inside)?;
            notes.extend(more);
            AclRef::Inline(test)
        } else if !quoted && text == "}" {
            return Err("`}` without its `{`".into());
        } else {
            AclRef::Named(text.to_owned())
        };
        if let Some(group) = any_of.last_mut() {
            group.push(Term { negated, acl });
        }
    }
    if any_of.last().is_some_and(Vec::is_empty) {
        return Err(if any_of.len() > 1 {
            "nothing after `or`".into()
        } else {
            format!("no ACL after `{}`", if unless { "unless" } else { "if" })
        });
    }
    Ok((Condition { unless, any_of }, notes))
}
