//! The help overlay, generated from the keymap in force: the screen's own
//! table, what opens from it (the confirmation), then the global keys.

use super::popup::scrolled;
use crate::app::{Action, AppState, Screen};
use crate::config::{Keymap, Mode, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    keymap: &Keymap,
    theme: &Theme,
    scroll: usize,
) {
    let lines = lines(keymap, &tables(state), state.settings.read_only, theme);
    let w = area.width.saturating_sub(4).min(72);
    let title = format!(" help: keymap {} ", keymap.name);
    scrolled(frame, area, title, lines, w, scroll, theme);
}

/// The tables that matter on the current screen, most specific first.
pub fn tables(state: &AppState) -> Vec<Mode> {
    let mut t = match state.screen() {
        Screen::List(_) if state.settings.read_only => vec![Mode::List],
        // Operation keys on a list open the confirmation.
        Screen::List(_) => vec![Mode::List, Mode::Confirm],
        Screen::Logs(_) => vec![Mode::Logs],
        Screen::Operations { .. } => vec![Mode::Operation],
    };
    t.push(Mode::Global);
    t
}

/// One line per bound action: its keys and what it does, by table. With
/// `read_only`, actions that change the cluster are left out.
pub fn lines<'a>(
    keymap: &Keymap,
    tables: &[Mode],
    read_only: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for &table in tables {
        out.push(Line::from(Span::styled(
            format!("[{}]", table.table()),
            theme.header,
        )));
        // In the vocabulary's order, which groups related actions.
        let bound: Vec<Action> = keymap.entries(table).into_iter().map(|(_, a)| a).collect();
        let shown = Action::ALL
            .iter()
            .filter(|a| bound.contains(a))
            .filter(|a| !(read_only && a.op_kind().is_some()));
        for &action in shown {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(read_only: bool) -> String {
        let k = Keymap::builtin("default").expect("default");
        let t = Theme::builtin("dark").expect("dark");
        lines(
            &k,
            &[Mode::List, Mode::Confirm, Mode::Global],
            read_only,
            &t,
        )
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
    }

    #[test]
    fn read_only_hides_the_operation_keys() {
        let all = text(false);
        assert!(all.contains("redeploy"), "{all}");
        assert!(all.contains("[confirm]"), "{all}");
        let ro = text(true);
        for word in ["scale", "redeploy", "rollback", "restart"] {
            assert!(!ro.contains(word), "{word} shown read-only:\n{ro}");
        }
    }
}
