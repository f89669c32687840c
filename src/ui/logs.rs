//! The log view. Drawn bottom-up from the anchored line, so a frame only
//! touches the lines on screen however large the buffer is.

use super::text;
use crate::app::logview::LogView;
use crate::config::Theme;
use crate::logs::{Level, LogLine, LogStream, StyleSpan, format_timestamp, sanitize::SgrColor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Widest source prefix; longer container names are cut.
const MAX_SOURCE_WIDTH: usize = 28;

pub fn draw(frame: &mut Frame, area: Rect, v: &LogView, theme: &Theme) {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" logs: {} ", v.title),
            theme.title,
        )))
        .title_top(Line::from(flags(v, theme)).right_aligned());
    if let Some(err) = &v.error {
        block = block.title_bottom(Line::from(Span::styled(
            format!(" {err} "),
            theme.status_error,
        )));
    } else if v.ended {
        block = block.title_bottom(Line::from(Span::styled(
            " stream ended ",
            theme.status_warn,
        )));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    let width = inner.width as usize;
    if height == 0 || width == 0 {
        return;
    }
    let Some(bottom) = v.bottom() else {
        let msg = if v.filter.is_some() {
            "no line matches the filter (esc clears it)"
        } else {
            "waiting for log lines…"
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, theme.dim)), inner);
        return;
    };
    let source_width = if v.show_source {
        v.sources
            .iter()
            .map(|s| s.width())
            .max()
            .unwrap_or(0)
            .min(MAX_SOURCE_WIDTH)
    } else {
        0
    };
    let mut rows: Vec<Line> = Vec::with_capacity(height);
    let mut pos = bottom as isize;
    while rows.len() < height && pos >= 0 {
        if let Some((seq, line)) = v.visible(pos as usize) {
            let hit = v.search_hit == Some(seq);
            let max_rows = height - rows.len();
            let mut built = build(v, line, hit, source_width, width, max_rows, theme);
            built.reverse();
            rows.extend(built);
        }
        pos -= 1;
    }
    rows.truncate(height);
    rows.reverse();
    frame.render_widget(Paragraph::new(rows), inner);
}

fn flags<'a>(v: &LogView, theme: &Theme) -> Vec<Span<'a>> {
    let mut parts = vec![if v.follow {
        "following".to_owned()
    } else {
        "paused".to_owned()
    }];
    parts.push(format!("{} lines", v.ring.len()));
    if v.ring.dropped() > 0 {
        parts.push(format!("{} dropped", v.ring.dropped()));
    }
    if let Some(f) = &v.filter {
        parts.push(format!("filter: {} ({})", f.pattern(), v.visible_len()));
    }
    if let Some(s) = &v.search {
        parts.push(format!("search: {}", s.pattern()));
    }
    let toggles: Vec<&str> = [
        (v.timestamps, "ts"),
        (v.wrap, "wrap"),
        (v.colors, "colours"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| *n)
    .collect();
    if !toggles.is_empty() {
        parts.push(toggles.join(" "));
    }
    let style = if v.follow {
        theme.status_ok
    } else {
        theme.status_warn
    };
    vec![Span::styled(format!(" {} ", parts.join(" │ ")), style)]
}

/// The screen rows of one log line: one, or several when wrapping, of
/// which only the last `max_rows` (those that fit on screen).
fn build<'a>(
    v: &LogView,
    line: &'a LogLine,
    hit: bool,
    source_width: usize,
    width: usize,
    max_rows: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut prefix: Vec<Span<'a>> = Vec::new();
    let mut prefix_width = 0;
    if v.timestamps {
        let ts = line
            .ts
            .map(format_timestamp)
            .unwrap_or_else(|| " ".repeat(23));
        prefix_width += ts.width() + 1;
        prefix.push(Span::styled(format!("{ts} "), theme.log_timestamp));
    }
    if v.show_source {
        let slot = LogView::source_slot(&line.source);
        let style = theme
            .sources
            .get(slot % theme.sources.len().max(1))
            .copied()
            .unwrap_or(theme.base);
        prefix.push(Span::styled(
            format!("{} ", text::cell(&line.source, source_width, false)),
            style,
        ));
        prefix_width += source_width + 1;
    }
    let segments = segments(v, line, hit, theme);
    let room = width.saturating_sub(prefix_width).max(1);
    if !v.wrap {
        let mut spans = prefix;
        spans.extend(cut(&segments, v.hscroll, room));
        return vec![Line::from(spans)];
    }
    let total = str_width(&line.text, ascii_head(&line.text));
    let rows = total.div_ceil(room).max(1);
    let first = rows.saturating_sub(max_rows);
    let bodies = wrap(&segments, total, room, first).unwrap_or_else(|| {
        (first..rows)
            .map(|k| cut(&segments, k * room, room))
            .collect()
    });
    bodies
        .into_iter()
        .zip(first..)
        .map(|(body, k)| {
            let mut spans = if k == 0 {
                prefix.clone()
            } else {
                vec![Span::raw(" ".repeat(prefix_width))]
            };
            spans.extend(body);
            Line::from(spans)
        })
        .collect()
}

/// Rows `first..` of the segments wrapped every `room` columns, in one pass,
/// where cutting each row from the start is quadratic in the line's length.
/// Gives what `cut(segments, k * room, room)` gives for each row `k` when
/// widths add up (every char at least a column wide, every segment as wide
/// as its chars, the line as wide as its segments): a char is then on the
/// row it starts in, or on none when it straddles the row's end. `None`
/// otherwise, and the caller cuts row by row.
fn wrap<'a>(
    segments: &[(&'a str, Style)],
    total: usize,
    room: usize,
    first: usize,
) -> Option<Vec<Vec<Span<'a>>>> {
    let rows = total.div_ceil(room).max(1);
    let mut out: Vec<Vec<Span<'a>>> = vec![Vec::new(); rows.checked_sub(first)?];
    let mut col = 0;
    for &(s, style) in segments {
        let start = col;
        let head = ascii_head(s);
        // A run of the segment's chars on one row: (row, byte range). Each
        // row gets one run per segment, as from `cut`, so that no grapheme
        // is split across spans.
        let mut run: Option<(usize, usize, usize)> = None;
        let mut flush = |run: Option<(usize, usize, usize)>| -> Option<()> {
            if let Some((k, from, to)) = run {
                out.get_mut(k - first)?
                    .push(Span::styled(&s[from..to], style));
            }
            Some(())
        };
        // The printable-ASCII head, a column a byte: runs are byte ranges.
        let mut c = start.max(first * room);
        while c < start + head {
            let k = c / room;
            let stop = ((k + 1) * room).min(start + head);
            flush(run.replace((k, c - start, stop - start)))?;
            c = stop;
        }
        col += head;
        // The rest char by char.
        for (i, ch) in s[head..].char_indices() {
            let (i, cw) = (head + i, ch.width().filter(|&w| w > 0)?);
            let k = col / room;
            let on_row = k >= first && col + cw <= (k + 1) * room;
            match &mut run {
                Some((rk, _, to)) if on_row && *rk == k && *to == i => *to = i + ch.len_utf8(),
                _ => flush(std::mem::replace(
                    &mut run,
                    on_row.then(|| (k, i, i + ch.len_utf8())),
                ))?,
            }
            col += cw;
        }
        flush(run)?;
        if str_width(s, head) != col - start {
            return None;
        }
    }
    (col == total).then_some(out)
}

/// The line's text cut into runs of one style: level or stderr colour,
/// the container's own SGR colours when asked for, then match highlights.
fn segments<'a>(v: &LogView, line: &'a LogLine, hit: bool, theme: &Theme) -> Vec<(&'a str, Style)> {
    let text: &str = &line.text;
    let mut base = if line.stream == LogStream::Stderr {
        theme.log_stderr
    } else {
        theme.base
    };
    base = base.patch(match line.level {
        Some(Level::Error | Level::Fatal) => theme.level_error,
        Some(Level::Warn) => theme.level_warn,
        Some(Level::Debug | Level::Trace) => theme.level_debug,
        Some(Level::Info) => theme.level_info,
        None => Style::default(),
    });
    let mut patches: Vec<(usize, usize, Style)> = Vec::new();
    if v.colors
        && let Some(spans) = &line.spans
    {
        patches.extend(
            spans
                .iter()
                .map(|s| (s.start as usize, s.end as usize, sgr_style(s))),
        );
    }
    if let Some(f) = &v.filter {
        patches.extend(
            f.find_ranges(text)
                .into_iter()
                .map(|(a, b)| (a, b, theme.filter_match)),
        );
    }
    if let Some(s) = &v.search {
        let style = if hit {
            theme.search_match.add_modifier(Modifier::BOLD)
        } else {
            theme.search_match
        };
        patches.extend(s.find_ranges(text).into_iter().map(|(a, b)| (a, b, style)));
    }
    pieces(text, base, &patches)
}

/// `text` cut at every patch boundary; each piece is `base` patched by the
/// patches covering it, in order. One sweep keeps the covering patches at
/// hand: testing every patch for every piece is quadratic, and a filter that
/// matches all over a long line makes thousands of both.
fn pieces<'a>(
    text: &'a str,
    base: Style,
    patches: &[(usize, usize, Style)],
) -> Vec<(&'a str, Style)> {
    if patches.is_empty() {
        return vec![(text, base)];
    }
    let len = text.len();
    let mut cuts: Vec<usize> = vec![0, len];
    for (a, b, _) in patches {
        cuts.push((*a).min(len));
        cuts.push((*b).min(len));
    }
    cuts.sort_unstable();
    cuts.dedup();
    // Patches that can cover a piece, by start. A patch covers [a, b) when
    // it starts at or before a and ends at or after b.
    let mut by_start: Vec<usize> = (0..patches.len())
        .filter(|&i| patches[i].0 < patches[i].1 && patches[i].0 < len)
        .collect();
    by_start.sort_by_key(|&i| patches[i].0);
    let mut next = 0;
    // Covering patches, in patch order (the order they apply in).
    let mut active: Vec<usize> = Vec::new();
    cuts.windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            while let Some(&i) = by_start.get(next)
                && patches[i].0 <= a
            {
                let at = active.partition_point(|&j| j < i);
                active.insert(at, i);
                next += 1;
            }
            active.retain(|&i| b <= patches[i].1);
            let piece = text.get(a..b)?;
            let style = active.iter().fold(base, |st, &i| st.patch(patches[i].2));
            Some((piece, style))
        })
        .collect()
}

/// Spans covering display columns `skip .. skip + take` of the segments.
fn cut<'a>(segments: &[(&'a str, Style)], skip: usize, take: usize) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    let mut col = 0;
    let end = skip + take;
    for (s, style) in segments {
        let head = ascii_head(s);
        let w = str_width(s, head);
        if col + w <= skip {
            col += w;
            continue;
        }
        if col >= end {
            break;
        }
        // Fast path: the whole segment fits.
        if col >= skip && col + w <= end {
            out.push(Span::styled(*s, *style));
            col += w;
            continue;
        }
        if head == s.len() {
            // One column a byte: the window is a byte range, no need to walk
            // every char up to it.
            let from = skip.saturating_sub(col);
            let to = (end - col).min(s.len());
            out.push(Span::styled(&s[from..to], *style));
            col = (col + s.len()).min(end);
            continue;
        }
        let mut piece = String::new();
        for c in s.chars() {
            let cw = c.width().unwrap_or(0);
            if col >= skip && col + cw <= end {
                piece.push(c);
            }
            col += cw;
            if col >= end {
                break;
            }
        }
        out.push(Span::styled(piece, *style));
    }
    out
}

/// Length of the printable-ASCII start of `s`, where a byte is a column.
fn ascii_head(s: &str) -> usize {
    let printable = |b: u8| b.wrapping_sub(b' ') <= b'~' - b' ';
    let bytes = s.as_bytes();
    // Whole chunks first, tested branch-free so the compiler can vectorise.
    let clean = bytes
        .chunks_exact(32)
        .take_while(|chunk| chunk.iter().fold(true, |all, &b| all & printable(b)))
        .count()
        * 32;
    clean
        + bytes[clean..]
            .iter()
            .position(|&b| !printable(b))
            .unwrap_or(bytes.len() - clean)
}

/// `s.width()`, given `head = ascii_head(s)`, without a table lookup per
/// char of the head: most log text is ASCII, and a line cut at
/// `MAX_LINE_CHARS` is ASCII but for its final '…'.
fn str_width(s: &str, head: usize) -> usize {
    if head == s.len() {
        return head;
    }
    // Widths add up across a split just before a char that is one column
    // whatever follows it: printable ASCII that starts no emoji sequence
    // (digits, '#' and '*' start keycaps).
    let safe = s.as_bytes()[..head]
        .iter()
        .rposition(|b| !matches!(b, b'0'..=b'9' | b'#' | b'*'));
    match safe {
        Some(q) => q + s[q..].width(),
        None => s.width(),
    }
}

fn sgr_style(s: &StyleSpan) -> Style {
    use crate::logs::sanitize::{ATTR_BOLD, ATTR_DIM, ATTR_ITALIC, ATTR_REVERSE, ATTR_UNDERLINE};
    let color = |c: SgrColor| match c {
        SgrColor::Indexed(i) => Color::Indexed(i),
        SgrColor::Rgb(r, g, b) => Color::Rgb(r, g, b),
    };
    let mut st = Style::default();
    if let Some(fg) = s.fg {
        st = st.fg(color(fg));
    }
    if let Some(bg) = s.bg {
        st = st.bg(color(bg));
    }
    for (bit, m) in [
        (ATTR_BOLD, Modifier::BOLD),
        (ATTR_DIM, Modifier::DIM),
        (ATTR_ITALIC, Modifier::ITALIC),
        (ATTR_UNDERLINE, Modifier::UNDERLINED),
        (ATTR_REVERSE, Modifier::REVERSED),
    ] {
        if s.attrs & bit != 0 {
            st = st.add_modifier(m);
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed pseudo-random sequence (xorshift64).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Text mixing ASCII with wide, zero-width and emoji-sequence chars.
    fn random_text(rng: &mut Rng, max_len: usize) -> String {
        const CHARS: &str = "ab =\t1*日本\u{301}\u{200b}é❤\u{fe0f}👍\u{1f3fb}#\u{20e3}لا\u{200d}";
        let chars: Vec<char> = CHARS.chars().collect();
        let n = rng.below(max_len + 1);
        (0..n)
            .map(|_| {
                if rng.below(3) == 0 {
                    chars[rng.below(chars.len())]
                } else {
                    'x'
                }
            })
            .collect()
    }

    /// The definition `pieces` must agree with: every patch tested against
    /// every piece.
    fn pieces_reference<'a>(
        text: &'a str,
        base: Style,
        patches: &[(usize, usize, Style)],
    ) -> Vec<(&'a str, Style)> {
        if patches.is_empty() {
            return vec![(text, base)];
        }
        let mut cuts: Vec<usize> = vec![0, text.len()];
        for (a, b, _) in patches {
            cuts.push((*a).min(text.len()));
            cuts.push((*b).min(text.len()));
        }
        cuts.sort_unstable();
        cuts.dedup();
        cuts.windows(2)
            .filter_map(|w| {
                let (a, b) = (w[0], w[1]);
                let piece = text.get(a..b)?;
                let style = patches
                    .iter()
                    .filter(|(pa, pb, _)| *pa <= a && b <= *pb)
                    .fold(base, |st, (_, _, p)| st.patch(*p));
                Some((piece, style))
            })
            .collect()
    }

    #[test]
    fn pieces_match_the_reference() {
        let styles = [
            Style::default().fg(Color::Red),
            Style::default().bg(Color::Blue),
            Style::default().add_modifier(Modifier::BOLD),
            Style::default().fg(Color::Green).bg(Color::Black),
        ];
        let base = Style::default().fg(Color::White);
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..5_000 {
            let text = random_text(&mut rng, 40);
            let n = rng.below(8);
            // Overlapping, empty, reversed, past the end, inside a char.
            let patches: Vec<(usize, usize, Style)> = (0..n)
                .map(|_| {
                    let a = rng.below(text.len() + 4);
                    let b = rng.below(text.len() + 4);
                    (a, b, styles[rng.below(styles.len())])
                })
                .collect();
            assert_eq!(
                pieces(&text, base, &patches),
                pieces_reference(&text, base, &patches),
                "{text:?} {patches:?}"
            );
        }
    }

    /// `text` split at random char boundaries into segments of random styles.
    fn random_segments<'a>(rng: &mut Rng, text: &'a str) -> Vec<(&'a str, Style)> {
        let styles = [Style::default(), Style::default().fg(Color::Red)];
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let n = rest.chars().count();
            let take = 1 + rng.below(n);
            let at = rest.char_indices().nth(take).map_or(rest.len(), |(i, _)| i);
            out.push((&rest[..at], styles[rng.below(styles.len())]));
            rest = &rest[at..];
        }
        out
    }

    /// The definition `cut` must agree with: every char measured and tested.
    fn cut_reference(segments: &[(&str, Style)], skip: usize, take: usize) -> Vec<(String, Style)> {
        let mut out = Vec::new();
        let mut col = 0;
        let end = skip + take;
        for (s, style) in segments {
            let w = s.width();
            if col + w <= skip {
                col += w;
                continue;
            }
            if col >= end {
                break;
            }
            if col >= skip && col + w <= end {
                out.push((s.to_string(), *style));
                col += w;
                continue;
            }
            let mut piece = String::new();
            for c in s.chars() {
                let cw = c.width().unwrap_or(0);
                if col >= skip && col + cw <= end {
                    piece.push(c);
                }
                col += cw;
                if col >= end {
                    break;
                }
            }
            out.push((piece, *style));
        }
        out
    }

    fn owned(spans: Vec<Span>) -> Vec<(String, Style)> {
        spans
            .into_iter()
            .map(|s| (s.content.into_owned(), s.style))
            .collect()
    }

    #[test]
    fn ascii_head_stops_at_the_first_other_byte() {
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let ascii = "a~ ".repeat(len)[..len].to_owned();
            assert_eq!(ascii_head(&ascii), len);
            for (at, other) in [(0, "\t"), (len / 2, "é"), (len, "\u{7f}")] {
                let mut s = ascii.clone();
                s.insert_str(at, other);
                assert_eq!(ascii_head(&s), at, "{s:?}");
            }
        }
    }

    #[test]
    fn str_width_is_unicode_width() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for _ in 0..20_000 {
            let text = random_text(&mut rng, 30);
            assert_eq!(
                str_width(&text, ascii_head(&text)),
                text.width(),
                "{text:?}"
            );
        }
        // Keycaps and emoji right after a long ASCII head.
        for tail in [
            "#\u{fe0f}\u{20e3}",
            "1\u{fe0f}",
            "12\u{fe0f}\u{20e3}",
            "1#\u{fe0f}",
            "#*\u{fe0f}",
            "*1\u{fe0f}",
            "…",
            "a\u{301}",
        ] {
            let text = format!("{}{tail}", "abc ".repeat(50));
            assert_eq!(
                str_width(&text, ascii_head(&text)),
                text.width(),
                "{tail:?}"
            );
        }
    }

    #[test]
    fn cut_matches_the_reference() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5_000 {
            let text = random_text(&mut rng, 60);
            let segs = random_segments(&mut rng, &text);
            let (skip, take) = (rng.below(40), rng.below(20));
            assert_eq!(
                owned(cut(&segs, skip, take)),
                cut_reference(&segs, skip, take),
                "{segs:?} {skip} {take}"
            );
        }
    }

    #[test]
    fn wrap_matches_cutting_row_by_row() {
        let mut rng = Rng(0x0bad_5eed_dead_beef);
        let mut in_one_pass = 0;
        for _ in 0..5_000 {
            let text = random_text(&mut rng, 60);
            let segs = random_segments(&mut rng, &text);
            let total = text.width();
            let room = 1 + rng.below(12);
            let rows = total.div_ceil(room).max(1);
            let first = rng.below(rows);
            let Some(got) = wrap(&segs, total, room, first) else {
                continue;
            };
            in_one_pass += 1;
            let want: Vec<_> = (first..rows)
                .map(|k| cut_reference(&segs, k * room, room))
                .collect();
            // Empty pieces draw nothing.
            let squash = |row: Vec<(String, Style)>| -> Vec<(String, Style)> {
                row.into_iter().filter(|(t, _)| !t.is_empty()).collect()
            };
            let got: Vec<_> = got.into_iter().map(|r| squash(owned(r))).collect();
            let want: Vec<_> = want.into_iter().map(squash).collect();
            assert_eq!(got, want, "{segs:?} room {room} first {first}");
        }
        assert!(in_one_pass > 500, "one pass in only {in_one_pass} cases");
    }

    #[test]
    fn cut_takes_a_column_window() {
        let segs = [
            ("hello ", Style::default()),
            ("world", Style::default().fg(Color::Red)),
        ];
        let text = |v: Vec<Span>| v.iter().map(|s| s.content.to_string()).collect::<String>();
        assert_eq!(text(cut(&segs, 0, 100)), "hello world");
        assert_eq!(text(cut(&segs, 3, 5)), "lo wo");
        assert_eq!(text(cut(&segs, 6, 3)), "wor");
    }
}
