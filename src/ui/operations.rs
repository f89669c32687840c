//! The operations screen: this session's operations, newest first, and the
//! selected one's progress replica by replica.

use super::popup::hints;
use super::text::{cell, wrap};
use crate::app::ops::{elapsed, icon, newest_first, selected_index, took};
use crate::app::{Action, AppState, OpEntry};
use crate::config::{Keymap, Mode, Theme};
use crate::domain::{Outcome, Step};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Rows of the list at most; the detail gets the rest.
const LIST_ROWS: u16 = 6;
/// Columns for an operation's description in the list.
const NAME_MAX: usize = 48;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, keymap: &Keymap, theme: &Theme) {
    let n = state.operations.len();
    let list_h = (n as u16).clamp(1, LIST_ROWS) + 2;
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(area);
    let selected = selected_index(state);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" operations[{n}] "), theme.title));
    let inner_w = list_area.width.saturating_sub(2) as usize;
    let rows = list_area.height.saturating_sub(2) as usize;
    // Keep the selection in sight.
    let first = selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = if n == 0 {
        vec![Line::from(Span::styled(
            "No operation in this session yet: select a service or a container in a list.",
            theme.dim,
        ))]
    } else {
        newest_first(state)
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(i, e)| list_row(e, state.now, inner_w, i == selected, theme))
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), list_area);
    if let Some(entry) = newest_first(state).nth(selected) {
        detail(frame, detail_area, entry, state.now, keymap, theme);
    }
}

fn list_row<'a>(e: &OpEntry, now: i64, width: usize, selected: bool, theme: &Theme) -> Line<'a> {
    let (done, total) = e.op.done();
    let right = format!("{done}/{total}  {:>7}", time(e, now));
    // The counts stay next to the name on a wide screen.
    let name_w = width.saturating_sub(right.len() + 4).min(NAME_MAX);
    let text = format!(
        "{} {} {right} ",
        icon(e.op.outcome),
        cell(&e.op.plan.request.describe(), name_w, false)
    );
    let style = if selected {
        theme.selected
    } else {
        outcome_style(e.op.outcome, theme)
    };
    Line::from(Span::styled(cell(&text, width, false), style))
}

/// Elapsed while running; how long it took once finished.
fn time(e: &OpEntry, now: i64) -> String {
    match (e.took_ms, e.op.finished) {
        (Some(ms), _) => took(ms),
        (None, Some(end)) => elapsed(end - e.op.started),
        (None, None) => elapsed(now - e.op.started),
    }
}

fn outcome_style(outcome: Option<Outcome>, theme: &Theme) -> Style {
    match outcome {
        None => theme.state_transient,
        Some(Outcome::Converged) => theme.status_ok,
        Some(Outcome::Failed) => theme.status_error,
        Some(Outcome::Restored | Outcome::Cancelled | Outcome::RolledBack) => theme.status_warn,
    }
}

fn step_style(step: Step, theme: &Theme) -> Style {
    match step {
        Step::Failed => theme.status_error,
        Step::Restored | Step::Stopped | Step::Removed => theme.status_warn,
        Step::Running | Step::Healthy | Step::OldRemoved | Step::Updated => theme.status_ok,
        Step::Waiting => theme.dim,
        _ => theme.state_transient,
    }
}

fn detail(frame: &mut Frame, area: Rect, e: &OpEntry, now: i64, keymap: &Keymap, theme: &Theme) {
    let op = &e.op;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", op.plan.request.describe()),
            theme.title,
        ));
    if op.is_running() {
        let keys = hints(
            keymap,
            Mode::Operation,
            &[
                (Action::CancelOperation, "cancel at a safe point"),
                (Action::Back, "leave it running"),
            ],
        );
        block = block.title_bottom(Span::styled(format!(" {keys} "), theme.key));
    }
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = wrap(&op.plan.summary, width)
        .into_iter()
        .map(Line::from)
        .collect();
    lines.push(Line::from(""));
    let (done, total) = op.done();
    let state_line = match op.outcome {
        None => format!(
            "{} running: {done}/{total} replicas done, {}",
            icon(None),
            time(e, now)
        ),
        Some(o) => format!(
            "{} {}: {done}/{total} replicas done in {}",
            icon(Some(o)),
            o.label(),
            time(e, now)
        ),
    };
    lines.push(Line::from(Span::styled(
        state_line,
        outcome_style(op.outcome, theme),
    )));
    if let Some(result) = &op.result {
        for l in wrap(result, width) {
            lines.push(Line::from(Span::styled(
                l,
                outcome_style(op.outcome, theme),
            )));
        }
    }
    lines.push(Line::from(""));
    let name_w = op
        .replicas
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 32);
    for r in &op.replicas {
        let mark = if r.done { "✓" } else { " " };
        let mut spans = vec![
            Span::raw(format!("  {} ", cell(&r.name, name_w, false))),
            Span::styled(cell(r.step.label(), 12, false), step_style(r.step, theme)),
            Span::styled(format!(" {mark} "), theme.status_ok),
        ];
        if let Some(d) = &r.detail {
            spans.push(Span::styled(d.clone(), theme.dim));
        }
        lines.push(Line::from(spans));
    }
    // The newest engine messages that still fit.
    if !op.messages.is_empty() {
        lines.push(Line::from(""));
        let room = height.saturating_sub(lines.len());
        let skip = op.messages.len().saturating_sub(room);
        for m in &op.messages[skip..] {
            lines.push(Line::from(Span::styled(format!("  {m}"), theme.dim)));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
