//! berth's own log (tui-logger), toggled at the bottom.

use crate::config::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};
use tui_logger::TuiLoggerWidget;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme) {
    // Events wait in tui-logger's bounded hot buffer until shown; no thread polls them.
    tui_logger::move_events();
    let widget = TuiLoggerWidget::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(" berth log "),
        )
        .style(theme.base)
        .style_error(theme.status_error)
        .style_warn(theme.status_warn)
        .style_debug(theme.dim)
        .output_target(false)
        .output_file(false)
        .output_line(false);
    frame.render_widget(widget, area);
}
