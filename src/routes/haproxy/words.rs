//! One haproxy config line split into words, as haproxy splits it:
//! whitespace between words, `#` starts a comment, `"…"` quotes and `'…'`
//! quotes (literal). Outside single quotes a backslash escapes only what
//! haproxy escapes (`\\`, a blank, quotes, `#`, `\r \n \t`, `\xHH`); any other
//! (`\.` in a regex) is kept with its backslash. `${VAR}` is kept as
//! written: berth cannot know haproxy's environment.

use std::iter::Peekable;
use std::str::CharIndices;

/// A word and where it sits in the line (byte offsets), so that a rule
/// can be shown as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Any part of it was quoted or escaped: never a keyword or operator.
    pub quoted: bool,
    pub start: usize,
    pub end: usize,
}

impl Word {
    /// The word as an unquoted keyword or operator.
    pub fn is(&self, keyword: &str) -> bool {
        !self.quoted && self.text == keyword
    }
}

/// Splits `line`; an unterminated quote is an error, the words before it
/// are still returned with it.
pub fn split(line: &str) -> (Vec<Word>, Option<String>) {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    loop {
        // Skip blanks between words.
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
            } else {
                break;
            }
        }
        let Some(&(start, first)) = chars.peek() else {
            return (words, None);
        };
        if first == '#' {
            return (words, None);
        }
        let mut text = String::new();
        let mut quoted = false;
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() || c == '#' {
                break;
            }
            chars.next();
            end = i + c.len_utf8();
            match c {
                '\\' => {
                    if let Some(e) = escape(&mut chars, &mut text) {
                        quoted = true;
                        end = e;
                    }
                }
                '"' | '\'' => {
                    quoted = true;
                    let mut closed = false;
                    while let Some((j, q)) = chars.next() {
                        end = j + q.len_utf8();
                        if q == c {
                            closed = true;
                            break;
                        }
                        if q == '\\' && c == '"' {
                            if let Some(e) = escape(&mut chars, &mut text) {
                                end = e;
                            }
                            continue;
                        }
                        text.push(q);
                    }
                    if !closed {
                        words.push(Word {
                            text,
                            quoted,
                            start,
                            end,
                        });
                        return (words, Some(format!("unterminated {c} quote")));
                    }
                }
                _ => text.push(c),
            }
        }
        words.push(Word {
            text,
            quoted,
            start,
            end,
        });
    }
}

/// After a backslash: pushes what the escape stands for and returns the
/// end of what it consumed, or pushes the backslash itself (not an escape
/// haproxy knows) and consumes nothing.
fn escape(chars: &mut Peekable<CharIndices<'_>>, text: &mut String) -> Option<usize> {
    let Some(&(i, next)) = chars.peek() else {
        text.push('\\');
        return None;
    };
    let plain = match next {
        '\\' | ' ' | '\'' | '"' | '#' => Some(next),
        'r' => Some('\r'),
        'n' => Some('\n'),
        't' => Some('\t'),
        _ => None,
    };
    if let Some(c) = plain {
        chars.next();
        text.push(c);
        return Some(i + 1);
    }
    if next == 'x' {
        let mut look = chars.clone();
        look.next();
        let hex: String = look.by_ref().take(2).map(|(_, c)| c).collect();
        if let (true, Ok(byte)) = (
            hex.len() == 2 && hex.is_ascii(),
            u8::from_str_radix(&hex, 16),
        ) {
            *chars = look;
            text.push(char::from(byte));
            return Some(i + 3);
        }
    }
    text.push('\\');
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line).0.into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_quotes_escapes_and_comments() {
        assert_eq!(
            texts("  acl h  hdr(host) -i a.org # the shop"),
            ["acl", "h", "hdr(host)", "-i", "a.org"]
        );
        assert_eq!(
            texts(r#"http-request return string "a b\"c" 'd\e' f\ g"#),
            ["http-request", "return", "string", "a b\"c", "d\\e", "f g"]
        );
        assert_eq!(texts("x \\#y #z"), ["x", "#y"]);
        assert_eq!(
            texts(r"^app[0-9]+\.org$ \x41\t"),
            [r"^app[0-9]+\.org$", "A\t"]
        );
        assert_eq!(texts(r#""\.\"" \"#), [r#"\.""#, "\\"]);
        let (words, err) = split("acl a \"open");
        assert_eq!(words.len(), 3);
        assert_eq!(err.as_deref(), Some("unterminated \" quote"));
    }

    #[test]
    fn offsets_cover_the_word_as_written() {
        let line = "use_backend api if { path_beg /api } !h";
        let (words, _) = split(line);
        let last = words.last().map(|w| &line[w.start..w.end]);
        assert_eq!(last, Some("!h"));
        assert!(words[2].is("if"));
    }
}
