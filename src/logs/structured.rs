//! Structured log recognition: levels and fields of JSON, logfmt and the
//! common plain formats.
//!
//! This runs on every incoming line, so nothing here builds a JSON tree or
//! allocates unless a caller asks for an escaped field value: JSON objects and
//! logfmt lines are walked in place.
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

/// Plain-text level tokens are only looked for this far into the line, where
/// a timestamp and the level usually sit; further on it is message text.
const PLAIN_PREFIX: usize = 40;

/// Keys that name the level, in JSON and logfmt.
const LEVEL_KEYS: [&str; 4] = ["level", "lvl", "severity", "log.level"];

/// The severity of a line, if its format says.
pub fn detect_level(text: &str) -> Option<Level> {
    let text = text.trim_start();
    if text.starts_with('{') {
        return json_level(text);
    }
    if let Some(level) = klog_level(text.as_bytes()) {
        return Some(level);
    }
    if let Some(start) = logfmt_start(text) {
        let level = LogfmtPairs::new(&text[start..]).find_map(|(key, value, _)| {
            is_level_key(key)
                .then(|| level_word(value.as_bytes()))
                .flatten()
        });
        if level.is_some() {
            return level;
        }
    }
    plain_level(text.as_bytes())
}

/// The value of `key` in a JSON or logfmt line.
///
/// JSON keys are top-level; `a.b` also finds `b` inside an object under `a`.
/// Escaped values are unescaped, with control characters shown as Control
/// Pictures so the value is as safe to draw as the line itself.
pub fn field<'a>(text: &'a str, key: &str) -> Option<Cow<'a, str>> {
    let text = text.trim_start();
    if text.starts_with('{') {
        return json_field(text, key);
    }
    let start = logfmt_start(text)?;
    LogfmtPairs::new(&text[start..]).find_map(|(k, value, quoted)| {
        (k == key).then(|| {
            if quoted && value.contains('\\') {
                Cow::Owned(unescape_logfmt(value))
            } else {
                Cow::Borrowed(value)
            }
        })
    })
}

fn is_level_key(key: &str) -> bool {
    LEVEL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Maps a level name, in any case, without allocating.
fn level_word(word: &[u8]) -> Option<Level> {
    let mut buf = [0u8; 12];
    if word.is_empty() || word.len() > buf.len() {
        return None;
    }
    let lower = &mut buf[..word.len()];
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    Some(match &*lower {
        b"trace" | b"trc" => Level::Trace,
        b"debug" | b"dbg" => Level::Debug,
        b"info" | b"information" | b"informational" | b"notice" | b"inf" => Level::Info,
        b"warn" | b"warning" | b"wrn" => Level::Warn,
        b"error" | b"err" => Level::Error,
        b"fatal" | b"critical" | b"crit" | b"panic" | b"emerg" | b"emergency" | b"alert"
        | b"ftl" | b"pnc" => Level::Fatal,
        _ => return None,
    })
}

/// klog / glog: `E1122 01:02:03.000000 ...` (level letter, MMDD, time).
fn klog_level(b: &[u8]) -> Option<Level> {
    if b.len() < 7 || !b[1..5].iter().all(u8::is_ascii_digit) || b[5] != b' ' {
        return None;
    }
    if !b[6].is_ascii_digit() {
        return None;
    }
    match b[0] {
        b'I' => Some(Level::Info),
        b'W' => Some(Level::Warn),
        b'E' => Some(Level::Error),
        b'F' => Some(Level::Fatal),
        _ => None,
    }
}

/// Level tokens near the start of a plain line: `ERROR`, `[warn]`, `INFO:`,
/// `WARN[0000]`. Bare words must be upper case; bracketed ones may be any
/// case (`[notice]`), so prose like "no error" is not taken for a level.
fn plain_level(b: &[u8]) -> Option<Level> {
    let mut i = 0;
    while i < PLAIN_PREFIX.min(b.len()) {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= PLAIN_PREFIX {
            break;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        if let Some(level) = token_level(&b[start..i]) {
            return Some(level);
        }
    }
    None
}

fn token_level(token: &[u8]) -> Option<Level> {
    let (bracketed, rest) = match token.split_first() {
        Some((b'[' | b'(' | b'<', rest)) => (true, rest),
        _ => (false, token),
    };
    let n = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if n < 3 {
        return None;
    }
    // The word must end the token or be closed by punctuation, so that
    // `ERRORS` or `INFO_URL` are not levels.
    match rest.get(n) {
        None | Some(b']' | b')' | b'>' | b':' | b'|' | b',' | b'[') => {}
        _ => return None,
    }
    let word = &rest[..n];
    if !bracketed && !word.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    level_word(word)
}

// ---- JSON ----------------------------------------------------------------

fn json_level(text: &str) -> Option<Level> {
    for (key, value) in JsonMembers::new(text) {
        match value {
            JsonValue::Str(raw) if json_key_is(key, is_level_key) => {
                if let Some(level) = level_word(raw.as_bytes()) {
                    return Some(level);
                }
            }
            // pino / bunyan numeric levels.
            JsonValue::Raw(raw) if json_key_is(key, |k| k.eq_ignore_ascii_case("level")) => {
                if let Ok(n) = raw.parse::<u32>() {
                    return Some(match n {
                        60.. => Level::Fatal,
                        50..=59 => Level::Error,
                        40..=49 => Level::Warn,
                        30..=39 => Level::Info,
                        20..=29 => Level::Debug,
                        _ => Level::Trace,
                    });
                }
            }
            // ECS nests it: {"log":{"level":"error"}}.
            JsonValue::Raw(raw) if raw.starts_with('{') && json_key_is(key, |k| k == "log") => {
                if let Some(level) = json_level(raw) {
                    return Some(level);
                }
            }
            _ => {}
        }
    }
    None
}

fn json_key_is(raw_key: &str, pred: impl Fn(&str) -> bool) -> bool {
    if raw_key.contains('\\') {
        pred(&unescape_json(raw_key))
    } else {
        pred(raw_key)
    }
}

fn json_field<'a>(object: &'a str, key: &str) -> Option<Cow<'a, str>> {
    let mut nested: Option<&'a str> = None;
    let (head, tail) = key.split_once('.').unwrap_or((key, ""));
    for (k, value) in JsonMembers::new(object) {
        if json_key_is(k, |k| k == key) {
            return Some(match value {
                JsonValue::Str(raw) if raw.contains('\\') => Cow::Owned(unescape_json(raw)),
                JsonValue::Str(raw) | JsonValue::Raw(raw) => Cow::Borrowed(raw),
            });
        }
        if !tail.is_empty()
            && nested.is_none()
            && let JsonValue::Raw(raw) = value
            && raw.starts_with('{')
            && json_key_is(k, |k| k == head)
        {
            nested = Some(raw);
        }
    }
    // An exact dotted key wins over a nested path.
    json_field(nested?, tail)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonValue<'a> {
    /// A string's contents between the quotes, escapes intact.
    Str(&'a str),
    /// Anything else as written: number, literal, object or array.
    Raw(&'a str),
}

/// The members of a JSON object, read in place. Stops at the first syntax
/// error; it does not validate more than it needs to find its way.
struct JsonMembers<'a> {
    s: &'a str,
    i: usize,
    first: bool,
    done: bool,
}

impl<'a> JsonMembers<'a> {
    fn new(text: &'a str) -> Self {
        let s = text.trim_start();
        let ok = s.starts_with('{');
        JsonMembers {
            s,
            i: 1,
            first: true,
            done: !ok,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn skip_ws(&mut self) {
        let b = self.bytes();
        while self.i < b.len() && b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.i).copied()
    }

    /// At an opening quote; returns the contents and moves past the closing one.
    fn string(&mut self) -> Option<&'a str> {
        let end = string_end(self.bytes(), self.i)?;
        let inner = self.s.get(self.i + 1..end)?;
        self.i = end + 1;
        Some(inner)
    }

    fn value(&mut self) -> Option<JsonValue<'a>> {
        let b = self.bytes();
        let start = self.i;
        match *b.get(start)? {
            b'"' => self.string().map(JsonValue::Str),
            b'{' | b'[' => {
                let end = nested_end(b, start)?;
                self.i = end;
                self.s.get(start..end).map(JsonValue::Raw)
            }
            _ => {
                let mut end = start;
                while end < b.len() && !matches!(b[end], b',' | b'}' | b']') {
                    end += 1;
                }
                self.i = end;
                let raw = self.s.get(start..end)?.trim_end();
                (!raw.is_empty()).then_some(JsonValue::Raw(raw))
            }
        }
    }

    fn member(&mut self) -> Option<(&'a str, JsonValue<'a>)> {
        self.skip_ws();
        if !self.first {
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.skip_ws();
                }
                _ => return None,
            }
        }
        self.first = false;
        if self.peek()? != b'"' {
            return None;
        }
        let key = self.string()?;
        self.skip_ws();
        if self.peek()? != b':' {
            return None;
        }
        self.i += 1;
        self.skip_ws();
        let value = self.value()?;
        Some((key, value))
    }
}

impl<'a> Iterator for JsonMembers<'a> {
    type Item = (&'a str, JsonValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let member = self.member();
        if member.is_none() {
            self.done = true;
        }
        member
    }
}

/// Index of the quote closing the string that opens at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Index just past the object or array that opens at `start`.
fn nested_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'"' => i = string_end(b, i)?,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn unescape_json(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            push_safe(&mut out, c);
            continue;
        }
        match chars.next() {
            Some('n') => push_safe(&mut out, '\n'),
            Some('t') => push_safe(&mut out, '\t'),
            Some('r') => push_safe(&mut out, '\r'),
            Some('b') => push_safe(&mut out, '\x08'),
            Some('f') => push_safe(&mut out, '\x0c'),
            Some('u') => {
                let c = match hex4(&mut chars) {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        // A surrogate pair is written as two escapes.
                        let rest = chars.as_str();
                        match rest.strip_prefix("\\u").and_then(|r| {
                            let mut it = r.chars();
                            hex4(&mut it).map(|lo| (lo, it))
                        }) {
                            Some((lo @ 0xDC00..=0xDFFF, it)) => {
                                chars = it;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            }
                            _ => None,
                        }
                    }
                    Some(u) => char::from_u32(u),
                    None => None,
                };
                push_safe(&mut out, c.unwrap_or('\u{FFFD}'));
            }
            Some(other) => push_safe(&mut out, other),
            None => {}
        }
    }
    out
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Pushes `c`, turning anything a terminal would act on into a visible mark.
fn push_safe(out: &mut String, c: char) {
    match c {
        '\x00'..='\x1f' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
        '\x7f' => out.push('\u{2421}'),
        '\u{80}'..='\u{9f}' => out.push('\u{FFFD}'),
        _ => out.push(c),
    }
}

// ---- logfmt --------------------------------------------------------------

/// Where the `key=value` pairs begin: the first token, or the second when a
/// timestamp or similar comes first. `None` for lines that are not logfmt.
fn logfmt_start(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    for _ in 0..2 {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && is_key_byte(b[i], i == start) {
            i += 1;
        }
        if i > start && b.get(i) == Some(&b'=') {
            return Some(start);
        }
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    None
}

fn is_key_byte(b: u8, first: bool) -> bool {
    if first {
        b.is_ascii_alphabetic() || b == b'_'
    } else {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/')
    }
}

/// `key=value` / `key="quoted value"` pairs; bare words are skipped.
/// Yields (key, value without quotes, whether it was quoted).
struct LogfmtPairs<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> LogfmtPairs<'a> {
    fn new(s: &'a str) -> Self {
        LogfmtPairs { s, i: 0 }
    }
}

impl<'a> Iterator for LogfmtPairs<'a> {
    type Item = (&'a str, &'a str, bool);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.s.as_bytes();
        loop {
            while self.i < b.len() && b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.i >= b.len() {
                return None;
            }
            let key_start = self.i;
            while self.i < b.len() && b[self.i] != b'=' && !b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            let key_end = self.i;
            if b.get(self.i) != Some(&b'=') {
                continue;
            }
            self.i += 1;
            let key = self.s.get(key_start..key_end)?;
            if b.get(self.i) == Some(&b'"') {
                // An unterminated quote runs to the end of the line.
                let (end, next) = match string_end(b, self.i) {
                    Some(end) => (end, end + 1),
                    None => (b.len(), b.len()),
                };
                let value = self.s.get(self.i + 1..end.max(self.i + 1))?;
                self.i = next;
                return Some((key, value, true));
            }
            let value_start = self.i;
            while self.i < b.len() && !b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            return Some((key, self.s.get(value_start..self.i)?, false));
        }
    }
}

fn unescape_logfmt(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            push_safe(&mut out, c);
            continue;
        }
        match chars.next() {
            Some('n') => push_safe(&mut out, '\n'),
            Some('t') => push_safe(&mut out, '\t'),
            Some('r') => push_safe(&mut out, '\r'),
            Some(c @ ('"' | '\\')) => out.push(c),
            Some(other) => {
                out.push('\\');
                push_safe(&mut out, other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_levels() {
        assert_eq!(
            detect_level(r#"{"level":"error","msg":"boom"}"#),
            Some(Level::Error)
        );
        assert_eq!(
            detect_level(r#"{ "msg" : "x", "lvl" : "WARN" }"#),
            Some(Level::Warn)
        );
        assert_eq!(
            detect_level(r#"{"severity":"CRITICAL"}"#),
            Some(Level::Fatal)
        );
        assert_eq!(
            detect_level(r#"{"log.level":"Information"}"#),
            Some(Level::Info)
        );
        assert_eq!(detect_level(r#"{"level":"notice"}"#), Some(Level::Info));
        assert_eq!(detect_level(r#"{"level":"emerg"}"#), Some(Level::Fatal));
        assert_eq!(detect_level(r#"{"Level":"debug"}"#), Some(Level::Debug));
        assert_eq!(detect_level(r#"  {"level":"trace"}"#), Some(Level::Trace));
    }

    #[test]
    fn json_all_level_words() {
        let cases = [
            ("trace", Level::Trace),
            ("debug", Level::Debug),
            ("info", Level::Info),
            ("information", Level::Info),
            ("notice", Level::Info),
            ("warn", Level::Warn),
            ("warning", Level::Warn),
            ("error", Level::Error),
            ("err", Level::Error),
            ("fatal", Level::Fatal),
            ("critical", Level::Fatal),
            ("crit", Level::Fatal),
            ("panic", Level::Fatal),
            ("emerg", Level::Fatal),
        ];
        for (word, level) in cases {
            let line = format!(r#"{{"level":"{}"}}"#, word.to_uppercase());
            assert_eq!(detect_level(&line), Some(level), "{line}");
        }
    }

    #[test]
    fn json_numeric_and_nested_levels() {
        assert_eq!(
            detect_level(r#"{"level":50,"msg":"x"}"#),
            Some(Level::Error)
        );
        assert_eq!(detect_level(r#"{"level":30}"#), Some(Level::Info));
        assert_eq!(
            detect_level(r#"{"log":{"level":"warn"},"message":"x"}"#),
            Some(Level::Warn)
        );
    }

    #[test]
    fn json_level_is_not_found_inside_strings_or_other_objects() {
        assert_eq!(detect_level(r#"{"msg":"\"level\":\"error\"","x":1}"#), None);
        assert_eq!(detect_level(r#"{"req":{"level":"error"}}"#), None);
        assert_eq!(detect_level(r#"{"level":"verbose"}"#), None);
        assert_eq!(detect_level(r#"{"msg":"no level here"}"#), None);
        assert_eq!(detect_level(r#"{"level":"#), None);
        assert_eq!(detect_level("{not json at all ERROR"), None);
    }

    #[test]
    fn json_level_after_nested_values() {
        let line = r#"{"a":[1,{"b":"]}"}],"c":{"d":[]},"e":null,"level":"warn"}"#;
        assert_eq!(detect_level(line), Some(Level::Warn));
    }

    #[test]
    fn logfmt_levels() {
        assert_eq!(detect_level("level=warn msg=hello"), Some(Level::Warn));
        assert_eq!(
            detect_level(r#"time="2026-11-22T01:31:20Z" level=error msg="x y""#),
            Some(Level::Error)
        );
        assert_eq!(
            detect_level("ts=1 caller=main.go:1 lvl=info"),
            Some(Level::Info)
        );
        assert_eq!(detect_level(r#"level="DEBUG" msg=x"#), Some(Level::Debug));
        assert_eq!(
            detect_level("2026-11-22T01:31:20Z level=fatal msg=bye"),
            Some(Level::Fatal)
        );
        // A quoted value mentioning a level is not the level.
        assert_eq!(detect_level(r#"msg="level=error" status=200"#), None);
    }

    #[test]
    fn plain_prefixes() {
        assert_eq!(detect_level("ERROR something broke"), Some(Level::Error));
        assert_eq!(detect_level("[ERROR] something broke"), Some(Level::Error));
        assert_eq!(detect_level("WARN disk almost full"), Some(Level::Warn));
        assert_eq!(detect_level("WARNING: careful"), Some(Level::Warn));
        assert_eq!(
            detect_level("2026/11/22 01:31:20 [warn] 1#1: upstream slow"),
            Some(Level::Warn)
        );
        assert_eq!(
            detect_level("2026-11-22 01:31:20.123  INFO 1 --- [main] app started"),
            Some(Level::Info)
        );
        assert_eq!(
            detect_level("2026-11-22T01:31:20.123456Z DEBUG hyper: conn"),
            Some(Level::Debug)
        );
        assert_eq!(detect_level("FATAL: out of memory"), Some(Level::Fatal));
        assert_eq!(detect_level("INFO[0000] starting"), Some(Level::Info));
        assert_eq!(detect_level("WARNING:root:careful"), Some(Level::Warn));
        assert_eq!(detect_level("[notice] ready"), Some(Level::Info));
    }

    #[test]
    fn klog_prefixes() {
        assert_eq!(
            detect_level("E1122 01:02:03.000000       1 reflector.go:1] failed"),
            Some(Level::Error)
        );
        assert_eq!(detect_level("W1122 01:02:03.000000 x"), Some(Level::Warn));
        assert_eq!(detect_level("I1122 01:02:03.000000 x"), Some(Level::Info));
        assert_eq!(detect_level("F0101 00:00:00.000000 x"), Some(Level::Fatal));
        assert_eq!(detect_level("E1122 is not a time"), None);
    }

    #[test]
    fn plain_lines_have_no_level() {
        assert_eq!(detect_level(""), None);
        assert_eq!(detect_level("hello world"), None);
        assert_eq!(detect_level("GET /index.html 200"), None);
        assert_eq!(detect_level("there was no error today"), None);
        assert_eq!(detect_level("Error handling is hard"), None);
        assert_eq!(detect_level("ERRORS: 0"), None);
        assert_eq!(detect_level("INFO_URL=http://x"), None);
        // Too far in to be a level column.
        assert_eq!(
            detect_level("this is a fairly long message and only now ERROR appears"),
            None
        );
    }

    #[test]
    fn json_fields() {
        let line = r#"{"level":"info","msg":"hi there","n":42,"ok":true,"o":{"a":{"b":"deep"}},"log.level":"x"}"#;
        assert_eq!(field(line, "msg").as_deref(), Some("hi there"));
        assert_eq!(field(line, "n").as_deref(), Some("42"));
        assert_eq!(field(line, "ok").as_deref(), Some("true"));
        assert_eq!(field(line, "o.a.b").as_deref(), Some("deep"));
        assert_eq!(field(line, "o.a").as_deref(), Some(r#"{"b":"deep"}"#));
        assert_eq!(field(line, "log.level").as_deref(), Some("x"));
        assert_eq!(field(line, "missing"), None);
        assert_eq!(field(line, "o.missing"), None);
        assert!(matches!(field(line, "msg"), Some(Cow::Borrowed(_))));
    }

    #[test]
    fn json_field_unescapes_safely() {
        let line = r#"{"msg":"a \"q\" \\ \u00e9 \ud83d\ude80 \n \u001b[31m"}"#;
        assert_eq!(
            field(line, "msg").as_deref(),
            Some("a \"q\" \\ é 🚀 \u{240A} \u{241B}[31m")
        );
        let line = r#"{"m\u0073g":"k"}"#;
        assert_eq!(field(line, "msg").as_deref(), Some("k"));
    }

    #[test]
    fn logfmt_fields() {
        let line = r#"time=2026-11-22 level=info msg="hello \"world\"" path=/a/b empty= x"#;
        assert_eq!(field(line, "level").as_deref(), Some("info"));
        assert_eq!(field(line, "msg").as_deref(), Some(r#"hello "world""#));
        assert_eq!(field(line, "path").as_deref(), Some("/a/b"));
        assert_eq!(field(line, "empty").as_deref(), Some(""));
        assert_eq!(field(line, "x"), None);
        assert_eq!(field(line, "nope"), None);
        assert_eq!(
            field(r#"a=1 msg="unterminated"#, "msg").as_deref(),
            Some("unterminated")
        );
    }

    #[test]
    fn plain_lines_have_no_fields() {
        assert_eq!(field("hello world", "level"), None);
        assert_eq!(field("", "level"), None);
        assert_eq!(field("a b c level=error", "level"), None);
    }
}
