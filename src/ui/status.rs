//! The bottom line: backend, endpoint, connection, last error, or the prompt.

use crate::app::AppState;
use crate::backend::ConnectionState;
use crate::config::Theme;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    if let Some(p) = &state.prompt {
        let text = format!("{}{}", p.sigil(), p.text());
        let x = area.x + (text.width() as u16).min(area.width.saturating_sub(1));
        frame.render_widget(Paragraph::new(Span::styled(text, theme.prompt)), area);
        frame.set_cursor_position(Position::new(x, area.y));
        return;
    }
    let s = &state.settings;
    let (conn, conn_style) = match &state.connection {
        ConnectionState::Connecting => ("● connecting…".to_owned(), theme.status_warn),
        ConnectionState::Connected => ("● connected".to_owned(), theme.status_ok),
        ConnectionState::Reconnecting { for_secs, .. } => {
            (format!("● reconnecting… {for_secs}s"), theme.status_error)
        }
        ConnectionState::NotAnswering { for_secs } => (
            format!("● engine not answering {for_secs}s"),
            theme.status_error,
        ),
    };
    let mut spans = vec![
        Span::styled(" berth ", theme.title),
        Span::styled(format!("{} ", s.backend.label()), theme.status_bar),
        Span::styled(format!("{} ", s.endpoint), theme.dim),
        Span::styled(conn, conn_style),
    ];
    if s.read_only {
        spans.push(Span::styled(" read-only", theme.status_warn));
    }
    if let Some(err) = &state.last_error {
        spans.push(Span::styled(format!("  {err}"), theme.status_error));
    } else if let Some(msg) = &state.message {
        spans.push(Span::styled(format!("  {msg}"), theme.status_warn));
    } else {
        spans.push(Span::styled(
            "  ? help  : command  / filter  q quit",
            theme.dim,
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status_bar),
        area,
    );
}
