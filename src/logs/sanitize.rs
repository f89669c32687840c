//! Turns untrusted container bytes into printable text.
//!
//! Whatever a container writes ends up on the user's terminal, so nothing it
//! sends may act on that terminal: escape sequences are parsed (with `vte`)
//! and dropped, SGR colours are kept aside as spans, and stray control
//! characters are shown as Unicode Control Pictures instead of executed.

use vte::{Params, Parser, Perform};

/// A colour an SGR sequence asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SgrColor {
    /// 0-255 (0-7 normal, 8-15 bright).
    Indexed(u8),
    Rgb(u8, u8, u8),
}

pub const ATTR_BOLD: u8 = 1;
pub const ATTR_DIM: u8 = 2;
pub const ATTR_ITALIC: u8 = 4;
pub const ATTR_UNDERLINE: u8 = 8;
pub const ATTR_REVERSE: u8 = 16;

/// Longest text kept per line, in chars; the rest is replaced by `…`.
pub const MAX_LINE_CHARS: usize = 16 * 1024;

/// Style over `text[start..end]` (byte offsets, on char boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StyleSpan {
    pub start: u32,
    pub end: u32,
    pub fg: Option<SgrColor>,
    pub bg: Option<SgrColor>,
    pub attrs: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SanitizedLine {
    pub text: String,
    pub spans: Vec<StyleSpan>,
}

/// Makes one line (without its newline) safe to draw.
pub fn sanitize(raw: &[u8]) -> SanitizedLine {
    // TTY containers end lines with CRLF; the line terminator is not content.
    let raw = raw
        .strip_suffix(b"\r\n")
        .or_else(|| raw.strip_suffix(b"\n"))
        .or_else(|| raw.strip_suffix(b"\r"))
        .unwrap_or(raw);
    if let Some(text) = fast_path(raw).or_else(|| controls_only_path(raw)) {
        return SanitizedLine {
            text,
            spans: Vec::new(),
        };
    }
    slow_path(raw)
}

/// Most log lines are plain text: copy them without running the parser.
fn fast_path(raw: &[u8]) -> Option<String> {
    // Bytes >= chars, so a short enough input cannot need the cap.
    if raw.len() > MAX_LINE_CHARS || has_control_byte(raw) {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    // C1 controls encoded as UTF-8 are always C2 80..=C2 9F.
    if !text.is_ascii() && raw.windows(2).any(|w| w[0] == 0xC2 && w[1] <= 0x9F) {
        return None;
    }
    Some(text.to_owned())
}

/// Lines with TABs or stray C0 controls but no escape sequences (Java stack
/// traces start every line with a TAB): expand and picture them here, copying
/// the text between them in bulk, instead of char by char through the parser.
/// Gives exactly what the parser path would, or `None` to leave it to it.
fn controls_only_path(raw: &[u8]) -> Option<String> {
    if raw.len() > MAX_LINE_CHARS || raw.contains(&0x1B) {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    if !text.is_ascii() && raw.windows(2).any(|w| w[0] == 0xC2 && w[1] <= 0x9F) {
        return None;
    }
    let mut out = String::with_capacity(raw.len() + 8);
    let mut chars = 0;
    let mut rest = text;
    // Control bytes are whole chars in UTF-8, so splitting there is safe.
    while let Some(i) = rest.bytes().position(|b| b < 0x20 || b == 0x7F) {
        let run = &rest[..i];
        out.push_str(run);
        chars += run.chars().count();
        let b = rest.as_bytes()[i];
        if b == b'\t' {
            let spaces = 4 - chars % 4;
            out.extend(std::iter::repeat_n(' ', spaces));
            chars += spaces;
        } else {
            out.push(control_picture(b));
            chars += 1;
        }
        // Tab expansion can outgrow the cap; the parser path cuts exactly.
        if chars > MAX_LINE_CHARS {
            return None;
        }
        rest = &rest[i + 1..];
    }
    chars += rest.chars().count();
    if chars > MAX_LINE_CHARS {
        return None;
    }
    out.push_str(rest);
    Some(out)
}

/// Any C0 control (including TAB and ESC) or DEL.
fn has_control_byte(raw: &[u8]) -> bool {
    // Branch-free per chunk so the compiler can vectorise the scan.
    raw.chunks(32).any(|chunk| {
        chunk
            .iter()
            .fold(false, |acc, &b| acc | (b < 0x20) | (b == 0x7F))
    })
}

fn slow_path(raw: &[u8]) -> SanitizedLine {
    let mut parser = Parser::new();
    let mut sink = Sink::with_capacity(raw.len().min(MAX_LINE_CHARS));
    let mut rest = raw;
    // vte only knows 7-bit controls and merely "executes" C1 code points, so
    // the text after e.g. U+009B would be printed. Translate the C1 code points
    // that open or close strings and sequences to their 7-bit forms so those
    // sequences are swallowed as a whole; other C1 code points are dropped.
    while let Some(i) = find_c1(rest) {
        feed(&mut parser, &mut sink, &rest[..i]);
        let seven_bit: &[u8] = match rest[i + 1] {
            0x90 => b"\x1bP",
            0x98 => b"\x1bX",
            0x9B => b"\x1b[",
            0x9C => b"\x1b\\",
            0x9D => b"\x1b]",
            0x9E => b"\x1b^",
            0x9F => b"\x1b_",
            _ => b"",
        };
        feed(&mut parser, &mut sink, seven_bit);
        rest = &rest[i + 2..];
    }
    feed(&mut parser, &mut sink, rest);
    // vte holds back an incomplete UTF-8 sequence at the end waiting for more
    // input; a string terminator makes it show as U+FFFD and is itself
    // dropped in every parser state.
    feed(&mut parser, &mut sink, b"\x1b\\");
    sink.finish()
}

fn feed(parser: &mut Parser, sink: &mut Sink, mut bytes: &[u8]) {
    // Stops early once the cap is hit: no point parsing a megabyte we drop.
    while !bytes.is_empty() && !sink.truncated {
        let n = parser.advance_until_terminated(sink, bytes);
        bytes = &bytes[n.min(bytes.len())..];
        if n == 0 {
            break;
        }
    }
}

/// Position of the lead byte of a UTF-8 encoded C1 control (C2 80..=C2 9F).
fn find_c1(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = bytes[from..].iter().position(|&b| b == 0xC2) {
        let i = from + p;
        match bytes.get(i + 1) {
            Some(&next) if (0x80..=0x9F).contains(&next) => return Some(i),
            Some(_) => from = i + 1,
            None => return None,
        }
    }
    None
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    fg: Option<SgrColor>,
    bg: Option<SgrColor>,
    attrs: u8,
}

impl Style {
    fn is_default(&self) -> bool {
        *self == Style::default()
    }
}

/// Receives the parser's actions and builds the safe line.
struct Sink {
    text: String,
    /// Chars in `text`; drives tab stops and the cap.
    chars: usize,
    truncated: bool,
    spans: Vec<StyleSpan>,
    style: Style,
    /// Byte offset in `text` where `style` started to apply.
    run_start: usize,
}

impl Sink {
    fn with_capacity(cap: usize) -> Self {
        Sink {
            text: String::with_capacity(cap),
            chars: 0,
            truncated: false,
            spans: Vec::new(),
            style: Style::default(),
            run_start: 0,
        }
    }

    fn push(&mut self, c: char) {
        if self.chars >= MAX_LINE_CHARS {
            self.truncated = true;
            return;
        }
        self.text.push(c);
        self.chars += 1;
    }

    /// Records the text written under the current style as a span.
    fn close_run(&mut self) {
        let end = self.text.len();
        if end > self.run_start && !self.style.is_default() {
            // Text is capped well below 4 GiB, so offsets fit in u32.
            let (start, end) = (self.run_start as u32, end as u32);
            match self.spans.last_mut() {
                Some(last)
                    if last.end == start
                        && last.fg == self.style.fg
                        && last.bg == self.style.bg
                        && last.attrs == self.style.attrs =>
                {
                    last.end = end;
                }
                _ => self.spans.push(StyleSpan {
                    start,
                    end,
                    fg: self.style.fg,
                    bg: self.style.bg,
                    attrs: self.style.attrs,
                }),
            }
        }
        self.run_start = end;
    }

    fn finish(mut self) -> SanitizedLine {
        self.close_run();
        if self.truncated {
            self.text.push('…');
        }
        SanitizedLine {
            text: self.text,
            spans: self.spans,
        }
    }

    fn apply_sgr(&mut self, params: &Params) {
        let mut style = self.style;
        let mut iter = params.iter();
        while let Some(param) = iter.next() {
            let code = param.first().copied().unwrap_or(0);
            match code {
                0 => style = Style::default(),
                1 => style.attrs |= ATTR_BOLD,
                2 => style.attrs |= ATTR_DIM,
                3 => style.attrs |= ATTR_ITALIC,
                4 => style.attrs |= ATTR_UNDERLINE,
                7 => style.attrs |= ATTR_REVERSE,
                22 => style.attrs &= !(ATTR_BOLD | ATTR_DIM),
                23 => style.attrs &= !ATTR_ITALIC,
                24 => style.attrs &= !ATTR_UNDERLINE,
                27 => style.attrs &= !ATTR_REVERSE,
                30..=37 => style.fg = Some(SgrColor::Indexed((code - 30) as u8)),
                39 => style.fg = None,
                40..=47 => style.bg = Some(SgrColor::Indexed((code - 40) as u8)),
                49 => style.bg = None,
                90..=97 => style.fg = Some(SgrColor::Indexed((code - 90 + 8) as u8)),
                100..=107 => style.bg = Some(SgrColor::Indexed((code - 100 + 8) as u8)),
                // 58 is the underline colour: parsed only to skip its arguments.
                38 | 48 | 58 => {
                    let color = extended_color(param, &mut iter);
                    match code {
                        38 => style.fg = color.or(style.fg),
                        48 => style.bg = color.or(style.bg),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if style != self.style {
            self.close_run();
            self.style = style;
        }
    }
}

/// Reads the colour of a `38`/`48` SGR, either `38:5:n` / `38:2:[cs:]r:g:b`
/// (one param with sub-params) or `38;5;n` / `38;2;r;g;b` (following params).
fn extended_color<'a>(
    param: &[u16],
    iter: &mut impl Iterator<Item = &'a [u16]>,
) -> Option<SgrColor> {
    let byte = |v: u16| u8::try_from(v).ok();
    if param.len() > 1 {
        return match param[1] {
            5 => param.get(2).copied().and_then(byte).map(SgrColor::Indexed),
            2 => {
                // With a colour-space id the components are shifted by one.
                let rgb = if param.len() >= 6 {
                    &param[3..6]
                } else {
                    param.get(2..5)?
                };
                Some(SgrColor::Rgb(byte(rgb[0])?, byte(rgb[1])?, byte(rgb[2])?))
            }
            _ => None,
        };
    }
    let mut next = || iter.next().and_then(|p| p.first().copied());
    match next()? {
        5 => next().and_then(byte).map(SgrColor::Indexed),
        2 => {
            let (r, g, b) = (next(), next(), next());
            Some(SgrColor::Rgb(byte(r?)?, byte(g?)?, byte(b?)?))
        }
        _ => None,
    }
}

/// The Control Picture for a C0 control or DEL.
fn control_picture(b: u8) -> char {
    match b {
        0x00..=0x1F => char::from_u32(0x2400 + u32::from(b)).unwrap_or('\u{FFFD}'),
        0x7F => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

impl Perform for Sink {
    #[inline]
    fn print(&mut self, c: char) {
        // Hot: most chars of a coloured line are plain and fit.
        if (' '..='~').contains(&c) && self.chars < MAX_LINE_CHARS {
            self.text.push(c);
            self.chars += 1;
            return;
        }
        // vte hands DEL to print; anything below space or in C1 must not pass
        // whatever path it took.
        match c {
            '\x00'..='\x1f' | '\x7f' => self.push(control_picture(c as u8)),
            '\u{80}'..='\u{9f}' => self.push('\u{FFFD}'),
            _ => self.push(c),
        }
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\t' => {
                let spaces = 4 - self.chars % 4;
                for _ in 0..spaces {
                    self.push(' ');
                }
            }
            // UTF-8 encoded C1 never gets here (see `slow_path`), so this is
            // a lone invalid byte: show it like any other invalid UTF-8.
            0x80..=0xFF => self.push('\u{FFFD}'),
            _ => self.push(control_picture(byte)),
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        // Private-marker variants (`ESC[>4;2m`) are not SGR.
        if action == 'm' && intermediates.is_empty() && !ignore {
            self.apply_sgr(params);
        }
    }

    fn terminated(&self) -> bool {
        self.truncated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(raw: &[u8]) -> String {
        sanitize(raw).text
    }

    fn assert_safe(s: &str) {
        for c in s.chars() {
            let u = c as u32;
            assert!(
                u >= 0x20 && u != 0x7F && !(0x80..=0x9F).contains(&u),
                "unsafe char U+{u:04X} in {s:?}"
            );
        }
    }

    fn span(
        start: u32,
        end: u32,
        fg: Option<SgrColor>,
        bg: Option<SgrColor>,
        attrs: u8,
    ) -> StyleSpan {
        StyleSpan {
            start,
            end,
            fg,
            bg,
            attrs,
        }
    }

    #[test]
    fn plain_ascii_is_copied() {
        let out = sanitize(b"hello world 123 {\"a\":1}");
        assert_eq!(out.text, "hello world 123 {\"a\":1}");
        assert!(out.spans.is_empty());
    }

    #[test]
    fn plain_utf8_is_copied() {
        assert_eq!(text("grüße 日本 🚀".as_bytes()), "grüße 日本 🚀");
    }

    #[test]
    fn empty_input() {
        assert_eq!(sanitize(b""), SanitizedLine::default());
        assert_eq!(sanitize(b"\r"), SanitizedLine::default());
    }

    #[test]
    fn osc_csi_and_cr_from_the_brief() {
        let t = text(b"\x1b]0;title\x07hello\x1b[2Jworld\rend");
        assert_eq!(t, "helloworld\u{240D}end");
        assert!(!t.contains('\x1b') && !t.contains('\x07') && !t.contains('\r'));
    }

    #[test]
    fn osc_with_st_terminator_is_dropped() {
        assert_eq!(text(b"a\x1b]2;evil title\x1b\\b"), "ab");
    }

    #[test]
    fn osc8_hyperlink_keeps_only_the_label() {
        let raw = b"see \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ here";
        assert_eq!(text(raw), "see click here");
        let raw = b"\x1b]8;id=1;http://x\x07link\x1b]8;;\x07";
        assert_eq!(text(raw), "link");
    }

    #[test]
    fn dcs_sos_pm_apc_are_dropped() {
        assert_eq!(text(b"a\x1bP1$r0m\x1b\\b"), "ab");
        assert_eq!(text(b"a\x1bPq#0;2;0;0;0#0~~@@\x1b\\b"), "ab");
        assert_eq!(text(b"a\x1bXsos\x1b\\b"), "ab");
        assert_eq!(text(b"a\x1b^pm\x1b\\b"), "ab");
        assert_eq!(text(b"a\x1b_Gf=100;AAAA\x1b\\b"), "ab");
    }

    #[test]
    fn other_csi_and_esc_sequences_are_dropped() {
        assert_eq!(text(b"\x1b[?1049h\x1b[H\x1b[2Ja\x1b[10;20Hb\x1b[Kc"), "abc");
        assert_eq!(text(b"x\x1b7\x1b8\x1bc\x1b(B\x1b=y"), "xy");
        assert_eq!(text(b"\x1b[>4;2mz"), "z");
        assert!(sanitize(b"\x1b[>4;2mz").spans.is_empty());
    }

    #[test]
    fn c1_csi_as_utf8_is_dropped() {
        let t = text("a\u{9b}2Jb".as_bytes());
        assert_eq!(t, "ab");
        let t = text("x\u{9d}0;title\u{9c}y\u{85}z\u{90}dcs\u{9c}!".as_bytes());
        assert_eq!(t, "xyz!");
        assert_safe(&t);
    }

    #[test]
    fn raw_8bit_c1_bytes_become_replacement() {
        let t = text(b"a\x9b2Jb\x85c");
        assert_safe(&t);
        assert!(t.starts_with('a') && t.ends_with('c'));
        assert!(t.contains('\u{FFFD}'));
    }

    #[test]
    fn c0_controls_become_pictures() {
        assert_eq!(text(b"a\x07b\x08c\x00d\x0be\x0cf"), "a␇b␈c␀d␋e␌f");
        assert_eq!(text(b"a\rb"), "a␍b");
        assert_eq!(text(b"a\nb"), "a␊b");
        assert_eq!(text(b"a\x7fb"), "a␡b");
        assert_eq!(text(b"a\x18b\x1ac"), "a␘b␚c");
    }

    #[test]
    fn trailing_line_ends_are_dropped() {
        assert_eq!(text(b"line\r\n"), "line");
        assert_eq!(text(b"line\r"), "line");
        assert_eq!(text(b"line\n"), "line");
        // Only one: a second CR is content.
        assert_eq!(text(b"line\r\r"), "line␍");
        assert_eq!(text(b"\x1b[32mok\x1b[0m\r"), "ok");
    }

    #[test]
    fn tabs_expand_to_four_column_stops() {
        assert_eq!(text(b"\tx"), "    x");
        assert_eq!(text(b"a\tb"), "a   b");
        assert_eq!(text(b"abcd\te"), "abcd    e");
        assert_eq!(text("é\t|".as_bytes()), "é   |");
        assert_eq!(text(b"ab\t\tc"), "ab      c");
    }

    #[test]
    fn invalid_utf8_becomes_replacement() {
        assert_eq!(text(b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(text(b"a\xe2\x82b"), "a\u{FFFD}b");
        assert_eq!(text(b"end\xe2\x82"), "end\u{FFFD}");
        assert_safe(&text(b"\xc2\x1b[31m\xc2"));
    }

    #[test]
    fn sgr_basic_colour() {
        let out = sanitize(b"\x1b[31mred\x1b[0m plain");
        assert_eq!(out.text, "red plain");
        assert_eq!(
            out.spans,
            vec![span(0, 3, Some(SgrColor::Indexed(1)), None, 0)]
        );
    }

    #[test]
    fn sgr_attrs_bright_and_resets() {
        let out = sanitize(b"\x1b[1;4;92;103mA\x1b[22mB\x1b[24;39;49mC\x1b[mD");
        assert_eq!(out.text, "ABCD");
        assert_eq!(
            out.spans,
            vec![
                span(
                    0,
                    1,
                    Some(SgrColor::Indexed(10)),
                    Some(SgrColor::Indexed(11)),
                    ATTR_BOLD | ATTR_UNDERLINE
                ),
                span(
                    1,
                    2,
                    Some(SgrColor::Indexed(10)),
                    Some(SgrColor::Indexed(11)),
                    ATTR_UNDERLINE
                ),
            ]
        );
        let out = sanitize(b"\x1b[2;3;7mx\x1b[23;27my\x1b[22mz");
        assert_eq!(
            out.spans,
            vec![
                span(0, 1, None, None, ATTR_DIM | ATTR_ITALIC | ATTR_REVERSE),
                span(1, 2, None, None, ATTR_DIM),
            ]
        );
    }

    #[test]
    fn sgr_256_colours() {
        let out = sanitize(b"\x1b[38;5;208mo\x1b[48;5;17mb\x1b[0m");
        assert_eq!(
            out.spans,
            vec![
                span(0, 1, Some(SgrColor::Indexed(208)), None, 0),
                span(
                    1,
                    2,
                    Some(SgrColor::Indexed(208)),
                    Some(SgrColor::Indexed(17)),
                    0
                ),
            ]
        );
        let out = sanitize(b"\x1b[38:5:208mo");
        assert_eq!(
            out.spans,
            vec![span(0, 1, Some(SgrColor::Indexed(208)), None, 0)]
        );
    }

    #[test]
    fn sgr_truecolour() {
        let rgb = Some(SgrColor::Rgb(255, 128, 0));
        let out = sanitize(b"\x1b[38;2;255;128;0mx\x1b[0m");
        assert_eq!(out.spans, vec![span(0, 1, rgb, None, 0)]);
        let out = sanitize(b"\x1b[48:2:255:128:0mx");
        assert_eq!(out.spans, vec![span(0, 1, None, rgb, 0)]);
        // ITU form with a colour-space id.
        let out = sanitize(b"\x1b[38:2:0:255:128:0mx");
        assert_eq!(out.spans, vec![span(0, 1, rgb, None, 0)]);
        // Followed by more params in the same sequence.
        let out = sanitize(b"\x1b[38;2;255;128;0;1mx");
        assert_eq!(out.spans, vec![span(0, 1, rgb, None, ATTR_BOLD)]);
        // Out-of-range components are ignored rather than wrapped.
        let out = sanitize(b"\x1b[38;2;300;1;1mx");
        assert!(out.spans.is_empty());
    }

    #[test]
    fn sgr_underline_colour_is_skipped() {
        let out = sanitize(b"\x1b[58;5;9;31mx");
        assert_eq!(
            out.spans,
            vec![span(0, 1, Some(SgrColor::Indexed(1)), None, 0)]
        );
    }

    #[test]
    fn spans_merge_and_skip_empty_ranges() {
        let out = sanitize(b"\x1b[31m\x1b[32m\x1b[31mab\x1b[31mcd\x1b[0m\x1b[1m\x1b[0me");
        assert_eq!(out.text, "abcde");
        assert_eq!(
            out.spans,
            vec![span(0, 4, Some(SgrColor::Indexed(1)), None, 0)]
        );
    }

    #[test]
    fn spans_are_byte_offsets_on_char_boundaries() {
        let out = sanitize("é\x1b[1m日本\x1b[0m".as_bytes());
        assert_eq!(out.spans, vec![span(2, 8, None, None, ATTR_BOLD)]);
        assert_eq!(&out.text[2..8], "日本");
    }

    #[test]
    fn length_cap() {
        let raw = vec![b'x'; MAX_LINE_CHARS + 100];
        let t = text(&raw);
        assert_eq!(t.chars().count(), MAX_LINE_CHARS + 1);
        assert!(t.ends_with('…'));
        let exact = vec![b'y'; MAX_LINE_CHARS];
        assert_eq!(text(&exact).chars().count(), MAX_LINE_CHARS);
        // Multibyte chars count as one each.
        let raw = "é".repeat(MAX_LINE_CHARS + 1);
        let t = text(raw.as_bytes());
        assert_eq!(t.chars().count(), MAX_LINE_CHARS + 1);
        assert!(t.ends_with("é…"));
        // A style running past the cap ends where the text was cut.
        let mut raw = b"\x1b[31m".to_vec();
        raw.extend(std::iter::repeat_n(b'z', MAX_LINE_CHARS * 2));
        let out = sanitize(&raw);
        assert_eq!(
            out.spans,
            vec![span(
                0,
                MAX_LINE_CHARS as u32,
                Some(SgrColor::Indexed(1)),
                None,
                0
            )]
        );
    }

    #[test]
    fn unterminated_sequences_swallow_the_rest() {
        assert_eq!(text(b"ok\x1b]0;never ends"), "ok");
        assert_eq!(text(b"ok\x1b["), "ok");
        assert_eq!(text(b"ok\x1b"), "ok");
    }

    #[test]
    fn random_bytes_never_produce_unsafe_chars() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Bias towards interesting bytes so sequences actually occur.
        const INTERESTING: &[u8] =
            b"\x1b[]P\\;:0123456789m\x07\x9b\x9c\x9d\xc2\x7f\r\n\t\x18\x1a\xe2\x82";
        for _ in 0..20_000 {
            let len = (next() % 64) as usize;
            let raw: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 3 == 0 {
                        INTERESTING[(r >> 8) as usize % INTERESTING.len()]
                    } else {
                        (r >> 16) as u8
                    }
                })
                .collect();
            let out = sanitize(&raw);
            assert_safe(&out.text);
            for s in &out.spans {
                assert!(s.start < s.end && s.end as usize <= out.text.len());
                assert!(out.text.is_char_boundary(s.start as usize));
                assert!(out.text.is_char_boundary(s.end as usize));
            }
        }
    }

    #[test]
    fn controls_only_path_agrees_with_the_parser() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        const ALPHABET: &[&str] = &[
            "a", "\t", "\r", "\x07", "\x00", "\x7f", "é", "日", "🚀", " ", "\x1f",
        ];
        let mut taken = 0;
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let raw: String = (0..len)
                .map(|_| ALPHABET[next() as usize % ALPHABET.len()])
                .collect();
            if let Some(direct) = controls_only_path(raw.as_bytes()) {
                taken += 1;
                assert_eq!(direct, slow_path(raw.as_bytes()).text, "{raw:?}");
            }
        }
        assert!(taken > 4_000);
        // Tabs that expand past the cap go to the parser, which cuts exactly.
        let tabs = vec![b'\t'; MAX_LINE_CHARS / 2];
        assert!(controls_only_path(&tabs).is_none());
        let t = text(&tabs);
        assert_eq!(t.chars().count(), MAX_LINE_CHARS + 1);
        assert!(t.ends_with(" …"));
    }

    #[test]
    fn log_line_from_raw_uses_sanitize_and_level() {
        use crate::logs::{Level, LogLine, LogStream};
        let raw = b"\x1b[31mERROR\x1b[0m disk \x1b]0;pwned\x07full\r";
        let line = LogLine::from_raw("web-1".into(), LogStream::Stderr, Some(7), raw);
        assert_eq!(&*line.text, "ERROR disk full");
        assert_eq!(line.level, Some(Level::Error));
        assert_eq!(
            line.spans.as_deref(),
            Some(&[span(0, 5, Some(SgrColor::Indexed(1)), None, 0)][..])
        );
        let plain = LogLine::from_raw("web-1".into(), LogStream::Stdout, None, b"hello");
        assert_eq!(&*plain.text, "hello");
        assert_eq!((plain.spans, plain.level), (None, None));
    }

    #[test]
    #[ignore = "micro-benchmark; run in release with --nocapture"]
    fn throughput() {
        use std::hint::black_box;
        use std::time::Instant;
        let plain: &[u8] = b"2026-11-22T01:31:20.123Z INFO  http: GET /api/v1/items?id=42 200 12.3ms client=10.0.0.7 ua=curl/8";
        let coloured: &[u8] = b"\x1b[2m2026-11-22T01:31:20Z\x1b[0m \x1b[32mINFO\x1b[0m \x1b[1mhttp\x1b[0m: GET /api/v1/items?id=42 200 12.3ms\tclient=10.0.0.7";
        let tab: &[u8] = b"2026-11-22T01:31:20.123Z INFO  http: GET /api/v1/items?id=42 200 12.3ms\tclient=10.0.0.7 ua=curl/8";
        for (name, line) in [("plain", plain), ("tab", tab), ("sgr", coloured)] {
            let n = 1_000_000;
            let start = Instant::now();
            for _ in 0..n {
                black_box(sanitize(black_box(line)));
            }
            let per = start.elapsed().as_nanos() as f64 / f64::from(n);
            println!(
                "sanitize {name}: {} bytes, {per:.0} ns/line, {:.1} M lines/s",
                line.len(),
                1000.0 / per
            );
        }
        let n = 1_000_000;
        let start = Instant::now();
        for _ in 0..n {
            black_box(crate::logs::LogLine::from_raw(
                "c".into(),
                crate::logs::LogStream::Stdout,
                None,
                black_box(plain),
            ));
        }
        let per = start.elapsed().as_nanos() as f64 / f64::from(n);
        println!("LogLine::from_raw plain (sanitize + level + Arc): {per:.0} ns/line");
    }
}
