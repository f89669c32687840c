//! The confirmation: what the engine will do, before anything changes.

use super::popup::{centered, hints};
use super::text::wrap;
use crate::app::Action;
use crate::config::{Keymap, Mode, Theme};
use crate::domain::Plan;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    plan: &Plan,
    again: bool,
    keymap: &Keymap,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(4).min(76);
    let inner_w = w.saturating_sub(4) as usize;
    let body = body(plan, again, inner_w, theme);
    // Body, a blank line, the key hints, and the frame.
    let popup = centered(area, w, body.len() as u16 + 4);
    let border = if again {
        theme.status_error
    } else {
        theme.status_warn
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            format!(" confirm: {} ", plan.request.describe()),
            theme.title,
        ));
    let inner = block.inner(popup).inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(Clear, popup);
    frame.render_widget(block.style(theme.base), popup);
    // The keys stay on the last line even when the plan is cut.
    let [text, keys] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(body), text);
    let hint = hints(
        keymap,
        Mode::Confirm,
        &[(Action::Confirm, "confirm"), (Action::Cancel, "cancel")],
    );
    frame.render_widget(Paragraph::new(Span::styled(hint, theme.key)), keys);
}

fn body<'a>(plan: &Plan, again: bool, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out: Vec<Line> = Vec::new();
    let para = |text: &str, prefix: &str, style: Style, out: &mut Vec<Line<'a>>| {
        let indent = " ".repeat(prefix.chars().count());
        for (i, l) in wrap(text, width.saturating_sub(indent.len()))
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { prefix } else { &indent };
            out.push(Line::from(Span::styled(format!("{lead}{l}"), style)));
        }
    };
    para(&plan.summary, "", theme.base, &mut out);
    if !plan.details.is_empty() {
        out.push(Line::from(""));
    }
    for d in &plan.details {
        para(d, "· ", theme.base, &mut out);
    }
    if !plan.warnings.is_empty() {
        out.push(Line::from(""));
    }
    for warn in &plan.warnings {
        para(warn, "⚠ ", theme.status_warn, &mut out);
    }
    if !plan.replicas.is_empty() {
        out.push(Line::from(""));
        let list = format!("replicas: {}", plan.replicas.join(", "));
        para(&list, "", theme.dim, &mut out);
    }
    if again {
        out.push(Line::from(""));
        let ask = format!(
            "Asking a second time, because this is hard to undo: {}. Really go ahead?",
            plan.request.describe()
        );
        para(
            &ask,
            "",
            theme.status_error.add_modifier(Modifier::BOLD),
            &mut out,
        );
    }
    out
}
