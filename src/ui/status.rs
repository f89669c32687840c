//! The bottom line: backend, endpoint, connection, running operations and
//! the notice, or the prompt.

use crate::app::ops::icon;
use crate::app::{AppState, Level};
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
        ConnectionState::Loading { pods } => (
            format!("● loading… {} pods so far", thousands(*pods)),
            theme.status_warn,
        ),
        ConnectionState::Connected => ("● connected".to_owned(), theme.status_ok),
        ConnectionState::Reconnecting { for_secs, .. } => {
            (format!("● reconnecting… {for_secs}s"), theme.status_error)
        }
        ConnectionState::NotAnswering { for_secs } => (
            format!("● engine not answering {for_secs}s"),
            theme.status_error,
        ),
    };
    let mut news = Vec::new();
    if let Some(err) = &state.last_error {
        news.push(Span::styled(format!("  {err}"), theme.status_error));
    }
    let mut running = state.running_operations();
    if let Some(first) = running.next() {
        let (done, total) = first.op.done();
        let more = match running.count() {
            0 => String::new(),
            n => format!(" (+{n})"),
        };
        news.push(Span::styled(
            format!(
                "  {} {} {done}/{total}{more}",
                icon(None),
                first.op.plan.request.describe()
            ),
            theme.state_transient,
        ));
    }
    if let Some(n) = &state.notice {
        let style = match n.level {
            Level::Info => theme.status_bar,
            Level::Ok => theme.status_ok,
            Level::Warn => theme.status_warn,
            Level::Error => theme.status_error,
        };
        news.push(Span::styled(format!("  {}", n.text), style));
    }
    let head = [
        Span::styled(" berth ", theme.title),
        Span::styled(format!("{} ", s.backend.label()), theme.status_bar),
    ];
    let endpoint = Span::styled(format!("{} ", s.endpoint), theme.dim);
    let mut tail = Vec::new();
    // Which namespace is shown matters as much as the connection.
    if let Some(k) = &state.kube {
        let ns = match &k.namespace {
            Some(ns) => format!("ns {ns} "),
            None => "all namespaces ".to_owned(),
        };
        tail.push(Span::styled(ns, theme.status_bar));
    }
    tail.push(Span::styled(conn, conn_style));
    if s.read_only {
        tail.push(Span::styled(" read-only", theme.status_warn));
    }
    let news_w: usize = news.iter().map(|sp| sp.width()).sum();
    let mut spans: Vec<Span> = head.into_iter().collect();
    // News matters more than the endpoint, which never changes.
    let width_without: usize = spans.iter().chain(&tail).map(|sp| sp.width()).sum();
    if news.is_empty() || width_without + endpoint.width() + news_w <= area.width as usize {
        spans.push(endpoint);
    }
    spans.extend(tail);
    if news.is_empty() {
        spans.push(Span::styled(
            "  ? help  : command  / filter  q quit",
            theme.dim,
        ));
    }
    spans.extend(news);
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status_bar),
        area,
    );
}

/// 10000 -> "10,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(500), "500");
        assert_eq!(super::thousands(1500), "1,500");
        assert_eq!(super::thousands(10_000), "10,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
