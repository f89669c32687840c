//! The context (`:ctx`) or namespace (`:ns`) picker: the entries that
//! match what was typed, the current one marked, the chosen one highlighted.

use super::popup::centered;
use crate::app::picker::Picker;
use crate::config::Theme;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, area: Rect, p: &Picker, theme: &Theme) {
    let shown = p.visible();
    let widest = shown.iter().map(|s| s.width()).max().unwrap_or(0);
    let w = (widest as u16 + 8).clamp(52, 72);
    // Frame, prompt, a blank line, the hint: 5 rows around the entries.
    let rows = (area.height.saturating_sub(6) as usize).clamp(1, 16);
    let popup = centered(area, w, rows.min(shown.len().max(1)) as u16 + 5);
    let body = popup.height.saturating_sub(5) as usize;
    // Keep the chosen entry in sight.
    let first = p.selected.saturating_sub(body.saturating_sub(1));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(
            format!(" {} ({}/{}) ", p.title(), shown.len(), p.items.len()),
            theme.title,
        ));
    let input = format!(" > {}", p.filter);
    let mut lines = vec![Line::from(Span::styled(input.clone(), theme.prompt))];
    if shown.is_empty() {
        lines.push(Line::from(Span::styled(" nothing matches", theme.dim)));
    }
    for (i, item) in shown.iter().enumerate().skip(first).take(body) {
        let mark = if p.current.as_deref() == Some(*item) {
            "● "
        } else {
            "  "
        };
        let style = if i == p.selected {
            theme.selected
        } else {
            theme.base
        };
        lines.push(Line::from(Span::styled(format!(" {mark}{item}"), style)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " type to narrow · ↑↓ · enter switch · esc cancel",
        theme.key,
    )));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).style(theme.base), popup);
    let x = popup.x + 1 + input.width() as u16;
    if x < popup.right().saturating_sub(1) && popup.height > 2 {
        frame.set_cursor_position(Position::new(x, popup.y + 1));
    }
}
