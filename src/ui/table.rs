//! A list view as a table. Only the window of rows on screen is built, so a
//! frame costs the same for 50 rows or 10,000.

use super::text;
use crate::app::AppState;
use crate::app::columns::{Column, Row, Tone, columns};
use crate::app::list::ListState;
use crate::config::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, list: &ListState, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(Span::styled(title(list), theme.title)))
        .title_top(Line::from(right_title(list, theme)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let cols = columns(list.view);
    let body = inner.height as usize - 1;
    let snap = &state.snapshot;
    let window = || {
        list.rows
            .iter()
            .skip(list.offset)
            .take(body)
            .filter_map(|&idx| Row::get(snap, list.view, idx))
    };
    // An optional column stays hidden while no row on screen fills it.
    let hidden: Vec<bool> = (0..cols.len())
        .map(|i| cols[i].optional && window().all(|r| r.cell(i, state.now).is_empty()))
        .collect();
    let widths = widths(cols, &hidden, inner.width as usize);
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    lines.push(header(cols, &widths, list, theme));
    if list.rows.is_empty() {
        let msg = if !state.loaded {
            "loading…".to_owned()
        } else if list.filter.is_some() {
            format!("no {} match the filter (esc clears it)", list.view.name())
        } else {
            format!("no {}", list.view.name())
        };
        lines.push(Line::from(Span::styled(format!(" {msg}"), theme.dim)));
    }
    for (pos, &idx) in list.rows.iter().enumerate().skip(list.offset).take(body) {
        let Some(row) = Row::get(snap, list.view, idx) else {
            continue;
        };
        let mut spans = Vec::with_capacity(widths.len() * 2);
        for (i, w) in widths.iter().enumerate() {
            let Some(w) = *w else { continue };
            if !spans.is_empty() {
                spans.push(Span::raw(" "));
            }
            let content = row.cell(i, state.now);
            spans.push(Span::styled(
                text::cell(&content, w, cols[i].numeric),
                tone_style(row.tone(i), theme),
            ));
        }
        let mut line = Line::from(spans);
        if pos == list.cursor {
            line = line.style(theme.selected);
            for s in &mut line.spans {
                s.style = s.style.patch(theme.selected);
            }
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn title(list: &ListState) -> String {
    let scope = list.scope.describe().unwrap_or_else(|| "all".into());
    let count = if list.filter.is_some() {
        format!("{}/{}", list.rows.len(), list.total_in_scope)
    } else {
        list.rows.len().to_string()
    };
    format!(" {}({scope})[{count}] ", list.view.name())
}

fn right_title<'a>(list: &ListState, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    if let Some(f) = &list.filter {
        let kind = if f.is_regex() { "regex" } else { "filter" };
        spans.push(Span::styled(
            format!(" {kind}: {} ", f.pattern()),
            theme.prompt,
        ));
    }
    spans
}

fn header<'a>(
    cols: &[Column],
    widths: &[Option<usize>],
    list: &ListState,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
        let Some(w) = *w else { continue };
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        let mut name = c.title.to_owned();
        if i == list.sort_col {
            name.push(if list.sort_desc { '↓' } else { '↑' });
        }
        spans.push(Span::styled(text::cell(&name, w, c.numeric), theme.header));
    }
    Line::from(spans)
}

/// Column widths for `total` columns of space; `None` hides a column that
/// does not fit or is `hidden`. Columns with the highest `drop` go first (rightmost first
/// among equals), so a narrow ssh window keeps what matters.
pub fn widths(cols: &[Column], hidden: &[bool], total: usize) -> Vec<Option<usize>> {
    let mut shown: Vec<bool> = (0..cols.len())
        .map(|i| !hidden.get(i).copied().unwrap_or(false))
        .collect();
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(cols[i].drop), std::cmp::Reverse(i)));
    let min_width = |shown: &[bool]| -> usize {
        let n = shown.iter().filter(|s| **s).count();
        cols.iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.width as usize)
            .sum::<usize>()
            + n.saturating_sub(1)
    };
    for &i in &order {
        if min_width(&shown) <= total || shown.iter().filter(|s| **s).count() == 1 {
            break;
        }
        shown[i] = false;
    }
    let spare = total.saturating_sub(min_width(&shown));
    let flex: usize = cols
        .iter()
        .zip(&shown)
        .filter(|(c, s)| **s && c.flex)
        .map(|(c, _)| c.width as usize)
        .sum();
    let last_flex = (0..cols.len()).rev().find(|&i| shown[i] && cols[i].flex);
    let only = shown.iter().filter(|s| **s).count() == 1;
    let mut given = 0;
    cols.iter()
        .enumerate()
        .map(|(i, c)| {
            if !shown[i] {
                return None;
            }
            if only {
                return Some(total);
            }
            let mut w = c.width as usize;
            if c.flex && flex > 0 {
                let extra = if Some(i) == last_flex {
                    spare - given
                } else {
                    spare * c.width as usize / flex
                };
                given += extra;
                w += extra;
            }
            Some(w)
        })
        .collect()
}

/// The theme's style for what a cell means.
fn tone_style(tone: Tone, theme: &Theme) -> Style {
    match tone {
        Tone::Base => theme.base,
        Tone::Ok => theme.state_running,
        Tone::Warn => theme.status_warn,
        Tone::Error => theme.status_error,
        Tone::Transient => theme.state_transient,
        Tone::Stopped => theme.state_stopped,
        Tone::Unhealthy => theme.unhealthy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::columns::{ContainerColumn as C, KindColumn};
    use crate::app::view::View;

    #[test]
    fn a_hidden_column_gives_its_space_to_the_others() {
        let cols = columns(View::Stacks);
        let all = widths(cols, &[], 100);
        let mut hidden = vec![false; cols.len()];
        *hidden.last_mut().expect("columns") = true;
        let fewer = widths(cols, &hidden, 100);
        assert!(all.last().expect("columns").is_some());
        assert_eq!(*fewer.last().expect("columns"), None);
        let used = |w: &[Option<usize>]| {
            w.iter().flatten().sum::<usize>() + w.iter().flatten().count() - 1
        };
        assert_eq!(used(&fewer), 100, "the rest fill the width");
    }

    #[test]
    fn widths_fill_the_space_or_hide_columns() {
        let cols = columns(View::Containers);
        let w = widths(cols, &[], 200);
        let used: usize = w.iter().flatten().sum::<usize>() + w.iter().flatten().count() - 1;
        assert_eq!(used, 200);
        let narrow = widths(cols, &[], 60);
        assert!(
            narrow.iter().any(Option::is_none),
            "some columns hidden at 60 cols"
        );
        let at = |c: C| c.position().and_then(|i| narrow[i]);
        assert!(at(C::Name).is_some(), "NAME always shown");
        assert!(at(C::Age).is_some(), "AGE outlives NODE and PORTS");
        assert!(at(C::Node).is_none() && at(C::Ports).is_none());
        let used: usize =
            narrow.iter().flatten().sum::<usize>() + narrow.iter().flatten().count() - 1;
        assert!(used <= 60);
    }
}
