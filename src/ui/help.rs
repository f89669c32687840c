//! The help overlay, generated from the keymap in force.

use crate::app::{Action, AppState, Screen};
use crate::config::{Keymap, Mode, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    keymap: &Keymap,
    theme: &Theme,
    scroll: usize,
) {
    let mode = match state.screen() {
        Screen::Logs(_) => Mode::Logs,
        Screen::List(_) => Mode::List,
    };
    let lines = lines(keymap, mode, theme);
    let w = area.width.saturating_sub(4).min(72);
    let h = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let max_scroll = lines.len().saturating_sub(h.saturating_sub(2) as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(
            format!(" help: keymap {} ", keymap.name),
            theme.title,
        ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.base)
            .scroll((scroll.min(max_scroll) as u16, 0)),
        popup,
    );
}

/// One line per bound action: its keys and what it does, by table.
pub fn lines<'a>(keymap: &Keymap, mode: Mode, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for (table, title) in [(mode, mode.table()), (Mode::Global, "global")] {
        out.push(Line::from(Span::styled(format!("[{title}]"), theme.header)));
        // In the vocabulary's order, which groups related actions.
        let bound: Vec<Action> = keymap.entries(table).into_iter().map(|(_, a)| a).collect();
        for &action in Action::ALL.iter().filter(|a| bound.contains(a)) {
            let keys = keymap.keys_for(table, action).join(", ");
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key),
                Span::raw(action.describe()),
            ]));
        }
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "  prompts: enter accepts, esc cancels, ctrl-u clears",
        theme.dim,
    )));
    out
}
