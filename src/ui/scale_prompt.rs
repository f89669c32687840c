//! The replica count for a scale, typed before the plan is asked for.

use super::popup::centered;
use crate::config::Theme;
use crate::domain::TargetRef;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    target: &TargetRef,
    current: Option<u32>,
    text: &str,
    theme: &Theme,
) {
    let popup = centered(area, 48, 7);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(
            format!(" scale {} ", target.name()),
            theme.title,
        ));
    let now = match current {
        Some(n) => format!(" replicas wanted (now {n}):"),
        None => " replicas wanted:".to_owned(),
    };
    let input = format!(" > {text}");
    let lines = vec![
        Line::from(""),
        Line::from(now),
        Line::from(Span::styled(input.clone(), theme.prompt)),
        Line::from(""),
        Line::from(Span::styled(" enter accept · esc cancel", theme.key)),
    ];
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).style(theme.base), popup);
    let x = popup.x + 1 + input.width() as u16;
    if x < popup.right().saturating_sub(1) && popup.height > 4 {
        frame.set_cursor_position(Position::new(x, popup.y + 3));
    }
}
