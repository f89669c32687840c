//! Filter and search patterns.
//!
//! One text box serves everyone: plain words, regexes and `key=value` field
//! matches. Case is smart (insensitive unless the pattern has an upper-case
//! letter), and a pattern that looks like a broken regex still works as plain
//! text, with the reason shown, so typing never leaves the view empty.
use super::structured;
use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone)]
pub struct Filter {
    pattern: String,
    matcher: Matcher,
    /// `key=value` patterns also match that structured field.
    field: Option<(String, String)>,
    error: Option<String>,
}

#[derive(Debug, Clone)]
enum Matcher {
    All,
    /// Case-sensitive substring.
    Literal(String),
    /// Fallback for case-insensitive substrings if the escaped regex could
    /// not be built; holds the lower-cased needle.
    Lowercase(String),
    /// `user` is false for a case-insensitive substring compiled as a regex.
    Regex {
        re: Regex,
        user: bool,
    },
}

const META: &[char] = &[
    '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
];

impl Filter {
    pub fn new(pattern: &str) -> Filter {
        let mut error = None;
        let matcher = if pattern.is_empty() {
            Matcher::All
        } else {
            let ignore_case = !has_uppercase(pattern);
            let user_regex = if pattern.contains(META) {
                match build(pattern, ignore_case) {
                    Ok(re) => Some(re),
                    Err(e) => {
                        error = Some(short_error(&e));
                        None
                    }
                }
            } else {
                None
            };
            match user_regex {
                Some(re) => Matcher::Regex { re, user: true },
                None if !ignore_case => Matcher::Literal(pattern.to_owned()),
                // The regex engine searches case-insensitive literals without
                // allocating per line, unlike lower-casing each line.
                None => match build(&regex::escape(pattern), true) {
                    Ok(re) => Matcher::Regex { re, user: false },
                    Err(_) => Matcher::Lowercase(pattern.to_lowercase()),
                },
            }
        };
        Filter {
            pattern: pattern.to_owned(),
            matcher,
            field: parse_field(pattern),
            error,
        }
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn is_regex(&self) -> bool {
        matches!(self.matcher, Matcher::Regex { user: true, .. })
    }

    /// Why the pattern was taken as plain text although it looked like a regex.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn is_match(&self, text: &str) -> bool {
        let text_match = match &self.matcher {
            Matcher::All => true,
            Matcher::Literal(needle) => text.contains(needle.as_str()),
            Matcher::Lowercase(needle) => text.to_lowercase().contains(needle.as_str()),
            Matcher::Regex { re, .. } => re.is_match(text),
        };
        text_match || self.field_match(text).is_some()
    }

    /// Byte ranges of matches in `text`, for highlighting. A line matched only
    /// through its structured field highlights that field's value when it
    /// appears verbatim in the line.
    pub fn find_ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = match &self.matcher {
            Matcher::All => Vec::new(),
            Matcher::Literal(needle) => text
                .match_indices(needle.as_str())
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            Matcher::Lowercase(needle) => lowercase_ranges(text, needle),
            Matcher::Regex { re, .. } => re
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .map(|m| (m.start(), m.end()))
                .collect(),
        };
        if ranges.is_empty()
            && let Some(range) = self.field_match(text).flatten()
        {
            ranges.push(range);
        }
        ranges
    }

    /// `Some` if the field matches; inside, the value's range in `text` when
    /// it is a plain slice of it (not unescaped).
    fn field_match(&self, text: &str) -> Option<Option<(usize, usize)>> {
        let (key, value) = self.field.as_ref()?;
        let found = structured::field(text, key)?;
        if !eq_ignore_case(&found, value) {
            return None;
        }
        // A borrowed value points into `text`; its offset is pointer distance.
        let std::borrow::Cow::Borrowed(slice) = found else {
            return Some(None);
        };
        let start = (slice.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let end = start.saturating_add(slice.len());
        Some(text.get(start..end).is_some().then_some((start, end)))
    }
}

fn build(pattern: &str, ignore_case: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .build()
}

/// Upper-case letters outside escapes: `\S` or `\P{Lu}` do not make a regex
/// case-sensitive.
fn has_uppercase(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // `\pL` names a class by one letter, `\p{Lu}` by a braced name.
            if let Some('p' | 'P') = chars.next() {
                if chars.clone().next() == Some('{') {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
        } else if c.is_uppercase() {
            return true;
        }
    }
    false
}

/// The last line of the regex crate's multi-line report, e.g. "unclosed group".
fn short_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(msg) => {
            let last = msg.lines().last().unwrap_or(msg).trim();
            last.strip_prefix("error: ").unwrap_or(last).to_owned()
        }
        regex::Error::CompiledTooBig(_) => "pattern too large".to_owned(),
        _ => "invalid pattern".to_owned(),
    }
}

/// `key=value` with `key` like `[A-Za-z_][A-Za-z0-9_.]*` and a non-empty value.
fn parse_field(pattern: &str) -> Option<(String, String)> {
    let (key, value) = pattern.split_once('=')?;
    let mut bytes = key.bytes();
    let first = bytes.next()?;
    let key_ok = (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    (key_ok && !value.is_empty()).then(|| (key.to_owned(), value.to_owned()))
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Ranges of `needle` (lower-cased) in `text`, compared char by char so the
/// offsets stay those of the original text.
fn lowercase_ranges(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < text.len() {
        let hit = text[from..].char_indices().find_map(|(i, _)| {
            let start = from + i;
            match_lowercase_at(&text[start..], needle).map(|len| (start, start + len))
        });
        match hit {
            Some((start, end)) => {
                out.push((start, end));
                from = end.max(start + 1);
                while !text.is_char_boundary(from) {
                    from += 1;
                }
            }
            None => break,
        }
    }
    out
}

/// Length in `hay` of a prefix whose lower-case form is `needle`.
fn match_lowercase_at(hay: &str, needle: &str) -> Option<usize> {
    let mut want = needle.chars();
    for (i, c) in hay.char_indices() {
        for lc in c.to_lowercase() {
            if want.next() != Some(lc) {
                return None;
            }
        }
        if want.as_str().is_empty() {
            return Some(i + c.len_utf8());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_pattern_matches_everything() {
        let f = Filter::new("");
        assert!(f.is_match(""));
        assert!(f.is_match("anything"));
        assert!(f.find_ranges("anything").is_empty());
        assert!(!f.is_regex());
        assert_eq!(f.error(), None);
    }

    #[test]
    fn plain_lowercase_is_case_insensitive() {
        let f = Filter::new("error");
        assert!(!f.is_regex());
        assert!(f.is_match("an ERROR here"));
        assert!(f.is_match("an Error here"));
        assert!(!f.is_match("all good"));
        assert_eq!(f.find_ranges("Error and error"), vec![(0, 5), (10, 15)]);
    }

    #[test]
    fn uppercase_makes_it_case_sensitive() {
        let f = Filter::new("Error");
        assert!(f.is_match("an Error"));
        assert!(!f.is_match("an error"));
        assert!(!f.is_match("an ERROR"));
        assert_eq!(f.find_ranges("Error Error"), vec![(0, 5), (6, 11)]);
    }

    #[test]
    fn plain_unicode_case_folding() {
        let f = Filter::new("straße");
        assert!(f.is_match("STRAßE?"));
        assert!(f.is_match("Straße"));
        let f = Filter::new("é");
        assert_eq!(f.find_ranges("aÉb"), vec![(1, 3)]);
    }

    #[test]
    fn regex_patterns() {
        let f = Filter::new("time(out|d)");
        assert!(f.is_regex());
        assert_eq!(f.error(), None);
        assert!(f.is_match("request TIMEOUT"));
        assert!(f.is_match("timed"));
        assert!(!f.is_match("time"));
        assert_eq!(f.find_ranges("a timeout b timed"), vec![(2, 9), (12, 17)]);
        let f = Filter::new(r"^\d+ GET");
        assert!(f.is_regex());
        assert!(f.is_match("200 GET /"));
        assert!(!f.is_match("200 get /"));
    }

    #[test]
    fn escapes_do_not_disable_smart_case() {
        let f = Filter::new(r"\S+error");
        assert!(f.is_match("xERROR"));
        let f = Filter::new(r"\p{Greek}x");
        assert!(f.is_match("αX"));
        let f = Filter::new(r"\w+Error");
        assert!(!f.is_match("xerror"));
    }

    #[test]
    fn broken_regex_falls_back_to_plain() {
        let f = Filter::new("foo(bar");
        assert!(!f.is_regex());
        let err = f.error().unwrap_or_default();
        assert!(!err.is_empty() && !err.contains('\n'), "{err:?}");
        assert!(err.contains("unclosed"), "{err:?}");
        assert!(f.is_match("call FOO(BAR baz"));
        assert!(!f.is_match("foobar"));
        assert_eq!(f.find_ranges("x foo(bar"), vec![(2, 9)]);
        let f = Filter::new("[A-");
        assert!(f.error().is_some());
        assert!(f.is_match("x[A-y"));
        assert!(!f.is_match("x[a-y"));
    }

    #[test]
    fn empty_regex_matches_are_not_highlighted() {
        let f = Filter::new("x*");
        assert!(f.is_match("abc"));
        assert_eq!(f.find_ranges("abxxc"), vec![(2, 4)]);
    }

    #[test]
    fn key_value_matches_text_or_field() {
        let f = Filter::new("level=error");
        assert!(f.is_match("level=error msg=x"));
        assert!(f.is_match(r#"{"level":"ERROR","msg":"x"}"#));
        assert!(f.is_match(r#"ts=1 level="Error" msg=x"#));
        assert!(!f.is_match(r#"{"level":"info","msg":"level error"}"#));
        assert!(!f.is_match("plain line"));
        // The value of a JSON field is highlighted where it sits.
        let line = r#"{"level":"ERROR","msg":"x"}"#;
        let ranges = f.find_ranges(line);
        assert_eq!(ranges, vec![(10, 15)]);
        assert_eq!(&line[10..15], "ERROR");
        // Text matches win for highlighting.
        assert_eq!(f.find_ranges("a level=error"), vec![(2, 13)]);
    }

    #[test]
    fn dotted_key_value() {
        let f = Filter::new("log.level=warn");
        // `.` makes it a regex, and the field still matches.
        assert!(f.is_regex());
        assert!(f.is_match(r#"{"log":{"level":"warn"}}"#));
        assert!(f.is_match(r#"{"log.level":"WARN"}"#));
        assert!(f.is_match("logXlevel=warn"));
    }

    #[test]
    fn not_a_key_value() {
        for p in ["=x", "1a=b", "a b=c", "key="] {
            assert!(parse_field(p).is_none(), "{p}");
        }
        assert_eq!(
            parse_field("a_b.c=d=e"),
            Some(("a_b.c".to_owned(), "d=e".to_owned()))
        );
    }

    #[test]
    fn lowercase_fallback_ranges() {
        assert_eq!(lowercase_ranges("ABC abc", "bc"), vec![(1, 3), (5, 7)]);
        assert_eq!(lowercase_ranges("aÉé", "é"), vec![(1, 3), (3, 5)]);
        assert_eq!(lowercase_ranges("aaa", "aa"), vec![(0, 2)]);
        assert!(lowercase_ranges("abc", "x").is_empty());
    }

    #[test]
    fn pattern_is_kept() {
        assert_eq!(Filter::new("a.b").pattern(), "a.b");
    }
}
