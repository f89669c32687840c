//! Traefik 1.7 frontend rules: `Host:a.io,b.io;PathPrefixStrip:/api`.
//! `;` separates functions that must all match, a function's name ends at
//! its first `:`, and `,` separates values of which one must match.
//! Values of HostRegexp and Path* are mux templates (`{sub:[a-z]+}`) that
//! may hold `,` and `:`, so values split only at commas outside braces.

use super::rule::{RuleError, RuleInfo, closest, shown};

const FUNCTIONS: &[&str] = &[
    "Host",
    "HostRegexp",
    "Path",
    "PathStrip",
    "PathPrefix",
    "PathPrefixStrip",
    "Method",
    "Headers",
    "HeadersRegexp",
    "AddPrefix",
    "ReplacePath",
    "ReplacePathRegex",
    "Query",
];

pub(super) fn parse(rule: &str) -> Result<RuleInfo, RuleError> {
    let chars: Vec<char> = rule.chars().collect();
    if chars.iter().all(|c| c.is_whitespace()) {
        return Err(RuleError::new(0, "empty rule"));
    }
    let mut info = RuleInfo::default();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        if *c == ';' {
            function(&chars, start, i, &mut info)?;
            start = i + 1;
        }
    }
    function(&chars, start, chars.len(), &mut info)?;
    Ok(info.dedup())
}

/// One `Name:values` part, `chars[start..end]`.
fn function(
    chars: &[char],
    start: usize,
    end: usize,
    info: &mut RuleInfo,
) -> Result<(), RuleError> {
    let part = &chars[start..end];
    // Traefik skips empty parts (`Host:a;` and `;;`), so berth does too.
    let Some(first) = part.iter().position(|c| !c.is_whitespace()) else {
        return Ok(());
    };
    let first = start + first;
    let Some(colon) = part.iter().position(|c| *c == ':') else {
        let text: String = chars[first..end].iter().collect();
        return Err(RuleError::new(
            first,
            format!(
                "expected `Function:value`, found no `:` in {}",
                shown(text.trim_end())
            ),
        ));
    };
    let colon = start + colon;
    let name: String = chars[start..colon].iter().collect();
    let name = name.trim();
    if name.is_empty() {
        return Err(RuleError::new(colon, "missing function name before `:`"));
    }
    let Some(function) = FUNCTIONS.iter().copied().find(|f| *f == name) else {
        let hint = closest(name, FUNCTIONS)
            .map(|near| format!(" (did you mean {near}?)"))
            .unwrap_or_else(|| format!(" (known: {})", FUNCTIONS.join(", ")));
        return Err(RuleError::new(
            first,
            format!("unknown function {}{hint}", shown(name)),
        ));
    };
    for (value, pos) in values(chars, colon + 1, end)? {
        if value.is_empty() {
            let message = if pos == end && colon + 1 == end {
                format!("{function} needs a value after `:`")
            } else {
                format!("empty value in {function}")
            };
            return Err(RuleError::new(pos, message));
        }
        match function {
            "Host" => info.add_host(value.to_lowercase()),
            "HostRegexp" => info.add_host(format!("~{value}")),
            "Path" | "PathStrip" => info.add_path(value),
            "PathPrefix" | "PathPrefixStrip" => info.add_path(format!("{value}*")),
            _ => {}
        }
    }
    Ok(())
}

/// The comma-separated values in `chars[from..to]`, trimmed, each with the
/// position of its first character (of its field, when it is empty).
fn values(chars: &[char], from: usize, to: usize) -> Result<Vec<(String, usize)>, RuleError> {
    let mut fields = Vec::new();
    let mut field_start = from;
    let mut depth = 0usize;
    let mut opened_at = from;
    for (i, c) in chars.iter().enumerate().take(to).skip(from) {
        match c {
            '{' => {
                if depth == 0 {
                    opened_at = i;
                }
                depth += 1;
            }
            // A stray `}` is left for Traefik's template check to judge.
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                fields.push((field_start, i));
                field_start = i + 1;
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(RuleError::new(opened_at, "this `{` is never closed"));
    }
    fields.push((field_start, to));
    Ok(fields
        .into_iter()
        .map(|(start, end)| {
            let field = &chars[start..end];
            match field.iter().position(|c| !c.is_whitespace()) {
                Some(lead) => {
                    let value: String = field[lead..].iter().collect();
                    (value.trim_end().to_string(), start + lead)
                }
                None => (String::new(), start),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(rule: &str) -> RuleInfo {
        match parse(rule) {
            Ok(info) => info,
            Err(e) => panic!("{rule:?} should parse: {e}"),
        }
    }

    fn err(rule: &str) -> RuleError {
        match parse(rule) {
            Ok(info) => panic!("{rule:?} should not parse, gave {info:?}"),
            Err(e) => e,
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn one_host() {
        let info = ok("Host:demo.example.org");
        assert_eq!(info.hosts, strings(&["demo.example.org"]));
        assert!(info.paths.is_empty());
    }

    #[test]
    fn several_hosts_and_a_stripped_prefix() {
        let info = ok("Host:a.example.org,b.example.org;PathPrefixStrip:/api");
        assert_eq!(info.hosts, strings(&["a.example.org", "b.example.org"]));
        assert_eq!(info.paths, strings(&["/api*"]));
        // Whitespace around every part is trimmed; hosts are lowercased.
        let info = ok(" Host : A.example.org , b.example.org ; Path: /login ;PathStrip:/x");
        assert_eq!(info.hosts, strings(&["a.example.org", "b.example.org"]));
        assert_eq!(info.paths, strings(&["/login", "/x"]));
    }

    #[test]
    fn host_regexp_keeps_commas_and_colons_inside_braces() {
        let info = ok("HostRegexp:{sub:[a-z]+}.example.org");
        assert_eq!(info.hosts, strings(&["~{sub:[a-z]+}.example.org"]));
        let info = ok("HostRegexp:{sub:[a-z]{2,4}}.a.org, b.org;PathPrefix:/{id:[0-9]{1,3}}");
        assert_eq!(info.hosts, strings(&["~{sub:[a-z]{2,4}}.a.org", "~b.org"]));
        assert_eq!(info.paths, strings(&["/{id:[0-9]{1,3}}*"]));
    }

    #[test]
    fn other_functions_parse_and_claim_nothing() {
        let info = ok(
            "Host:a.org;Method:GET,POST;Headers:X-A,1;HeadersRegexp:X-B,^v;AddPrefix:/p;\
             ReplacePath:/q;ReplacePathRegex:^/api/(.*) /$1;Query:a=1,b=2",
        );
        assert_eq!(info.hosts, strings(&["a.org"]));
        assert!(info.paths.is_empty());
        // A value may hold `:`; only the first one ends the name.
        assert_eq!(ok("Path:/a:b").paths, strings(&["/a:b"]));
        // Empty parts are skipped, as Traefik does.
        assert_eq!(ok("Host:a.org;;").hosts, strings(&["a.org"]));
        assert_eq!(ok("Host:a.org,A.org").hosts, strings(&["a.org"]));
    }

    #[test]
    fn errors_point_at_the_character() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "empty rule"),
            (" ", 0, "empty rule"),
            (
                "Hots:a.org",
                0,
                "unknown function `Hots` (did you mean Host?)",
            ),
            (
                "Host:a.org; Pth:/x",
                12,
                "unknown function `Pth` (did you mean Path?)",
            ),
            (
                "Host:a.org;PathPrefix",
                11,
                "expected `Function:value`, found no `:` in `PathPrefix`",
            ),
            (
                "Host(`a.org`)",
                0,
                "expected `Function:value`, found no `:` in `Host(`a.org`)`",
            ),
            ("Host:", 5, "Host needs a value after `:`"),
            ("Host:a.org,,b.org", 11, "empty value in Host"),
            ("Host:a.org, ", 11, "empty value in Host"),
            (":a.org", 0, "missing function name before `:`"),
            (
                "HostRegexp:{sub:[a-z]+.a.org",
                11,
                "this `{` is never closed",
            ),
        ];
        for (rule, pos, message) in cases {
            let e = err(rule);
            assert_eq!(
                (e.pos, e.message.as_str()),
                (*pos, *message),
                "rule {rule:?}"
            );
        }
        let e = err("Host:é.org;X:y");
        assert_eq!(e.pos, 11);
        assert!(
            e.message
                .starts_with("unknown function `X` (known: Host, HostRegexp, Path,")
        );
        assert_eq!(
            err("Host:é,").to_string(),
            "at column 8: empty value in Host"
        );
    }
}
