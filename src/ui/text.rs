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
}
