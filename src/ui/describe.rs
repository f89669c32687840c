//! One route in full, drawn from the live snapshot: its declaration, each
//! backend with what its probe found, and every problem.

use super::popup::scrolled;
use super::text::wrap;
use crate::app::AppState;
use crate::app::columns::status_text;
use crate::config::Theme;
use crate::domain::{Route, RouteStatus};
use crate::routes::probe;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const LABEL: usize = 13;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    theme: &Theme,
    id: &str,
    scroll: usize,
) {
    let w = area.width.saturating_sub(4).min(100);
    let text_w = (w as usize).saturating_sub(2 + LABEL).max(10);
    let route = state.snapshot.routes.iter().find(|r| r.id == id);
    let (title, lines) = match route {
        Some(r) => (
            format!(" route {} ({}) ", r.name, r.source.label()),
            lines(state, r, theme, text_w),
        ),
        None => (
            " route ".to_owned(),
            vec![Line::from(
                "this route is gone: its declaration was removed",
            )],
        ),
    };
    scrolled(frame, area, title, lines, w, scroll, theme);
}

fn lines<'a>(state: &AppState, r: &Route, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let mut field = |name: &str, value: String, style: Style| {
        for (i, part) in wrap(&value, width).into_iter().enumerate() {
            let label = if i == 0 { name } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!("{label:<LABEL$}"), theme.header),
                Span::styled(part, style),
            ]));
        }
    };
    let or_any = |v: &[String], any: &str| {
        if v.is_empty() {
            any.to_owned()
        } else {
            v.join(", ")
        }
    };
    field("rule", r.rule.clone(), theme.base);
    field("hosts", or_any(&r.hosts, "any host"), theme.base);
    field("paths", or_any(&r.paths, "any path"), theme.base);
    field("entrypoints", or_any(&r.entrypoints, "all"), theme.base);
    let tls = match (r.tls, r.tls_detail.is_empty()) {
        (false, _) => "no".to_owned(),
        (true, true) => "yes".to_owned(),
        (true, false) => format!("yes, {}", r.tls_detail),
    };
    field("tls", tls, theme.base);
    field("middlewares", or_any(&r.middlewares, "none"), theme.base);
    let port = r.port.map(|p| format!(", port {p}")).unwrap_or_default();
    field("service", format!("{}{port}", r.service), theme.base);
    let status_style = match r.status {
        RouteStatus::Up => theme.state_running,
        RouteStatus::Down | RouteStatus::NoBackend => theme.status_error,
        RouteStatus::Unknown => theme.dim,
    };
    let detail = if r.status_detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", r.status_detail)
    };
    field(
        "status",
        format!("{}{detail}", status_text(r)),
        status_style,
    );
    if r.backends.is_empty() {
        field("backends", "none".into(), theme.status_error);
    }
    for (i, b) in r.backends.iter().enumerate() {
        let key = probe::key(&b.address, b.port);
        let who = state
            .snapshot
            .containers
            .iter()
            .find(|c| c.id == b.container_id)
            .map(|c| format!(" {}", c.name))
            .unwrap_or_default();
        let (found, style) = match state.routes_live.probes.get(&key) {
            Some(p) if p.status == RouteStatus::Up => (
                format!("up {} ms, {}", p.latency_ms.unwrap_or(0), p.detail),
                theme.state_running,
            ),
            Some(p) => (
                format!("{}: {}", p.status.label(), p.detail),
                theme.status_error,
            ),
            None => ("not probed yet".into(), theme.dim),
        };
        let label = if i == 0 { "backends" } else { "" };
        field(label, format!("{key}{who}  {found}"), style);
    }
    if r.problems.is_empty() {
        field("problems", "none".into(), theme.state_running);
    }
    for (i, p) in r.problems.iter().enumerate() {
        field(
            if i == 0 { "problems" } else { "" },
            format!("• {p}"),
            theme.status_warn,
        );
    }
    out
}
