//! What the popups (help, confirmation, prompts) share: a centred frame
//! and key hints read from the keymap in force (the progress view uses
//! those too).

use crate::app::Action;
use crate::config::{Keymap, Mode, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// A `w` x `h` rectangle in the middle of `area`, shrunk to fit.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The shortest key bound to `action` in `mode` ("y" before "enter"), if any.
pub fn key(keymap: &Keymap, mode: Mode, action: Action) -> Option<String> {
    let mut keys = keymap.keys_for(mode, action);
    keys.sort_by_key(|k| (k.chars().count(), k.clone()));
    keys.into_iter().next()
}

/// "y confirm · n cancel" for the given (action, word) pairs that are bound.
pub fn hints(keymap: &Keymap, mode: Mode, pairs: &[(Action, &str)]) -> String {
    pairs
        .iter()
        .filter_map(|(a, word)| key(keymap, mode, *a).map(|k| format!("{k} {word}")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `lines` in a framed popup `width` wide, as tall as they need (or the
/// screen allows), scrolled by `scroll` but never past the last line.
pub fn scrolled(
    frame: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line<'_>>,
    width: u16,
    scroll: usize,
    theme: &Theme,
) {
    let popup = centered(area, width, lines.len() as u16 + 2);
    let max_scroll = lines
        .len()
        .saturating_sub(popup.height.saturating_sub(2) as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(title, theme.title));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.base)
            .scroll((scroll.min(max_scroll) as u16, 0)),
        popup,
    );
}
