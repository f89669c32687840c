//! Width-aware text helpers (display columns, not bytes).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to at most `width` columns, ending with '…' when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads or cuts to exactly `width` columns; numbers align right.
pub fn cell(s: &str, width: usize, right: bool) -> String {
    // Every table cell of every frame comes here: measure once and build
    // the result in one allocation.
    let w = s.width();
    let cut;
    let (s, pad) = if w <= width {
        (s, width - w)
    } else {
        cut = fit(s, width);
        (cut.as_str(), width.saturating_sub(cut.width()))
    };
    let mut out = String::with_capacity(s.len() + pad);
    if !right {
        out.push_str(s);
    }
    out.extend(std::iter::repeat_n(' ', pad));
    if right {
        out.push_str(s);
    }
    out
}

/// Breaks `s` into lines of at most `width` columns at spaces; a word
/// longer than a line is cut.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let w = word.width();
        let used = line.width();
        if used > 0 && used + 1 + w <= width {
            line.push(' ');
            line.push_str(word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        line = fit(word, width);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_pad() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(cell("7", 3, true), "  7");
        assert_eq!(cell("ab", 3, false), "ab ");
        assert_eq!(fit("日本語", 4), "日…");
        assert_eq!(cell("日本語", 4, false), "日… ");
        assert_eq!(cell("日本語", 4, true), " 日…");
        assert_eq!(cell("hello world", 6, true), "hello…");
        assert_eq!(cell("", 2, false), "  ");
        assert_eq!(cell("abc", 0, false), "");
    }

    #[test]
    fn wrap_at_spaces() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("abcdefgh ij", 4), vec!["abc…", "ij"]);
    }
}
