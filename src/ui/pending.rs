//! While the engine is asked what an operation would do.

use super::popup::{centered, hints};
use crate::app::Action;
use crate::config::{Keymap, Mode, Theme};
use crate::domain::OpRequest;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, req: &OpRequest, keymap: &Keymap, theme: &Theme) {
    let popup = centered(area, 56, 6);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.status_warn)
        .title(Span::styled(format!(" {} ", req.describe()), theme.title));
    let lines = vec![
        Line::from(""),
        Line::from(" asking the engine what it would do…"),
        Line::from(""),
        Line::from(Span::styled(
            format!(
                " {}",
                hints(keymap, Mode::Confirm, &[(Action::Cancel, "cancel")])
            ),
            theme.key,
        )),
    ];
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).style(theme.base), popup);
}
