//! Drawing: a pure function of state, theme and keymap. One file per view or widget.

mod confirm;
mod describe;
mod help;
mod log_pane;
mod logs;
mod operations;
mod pending;
mod picker;
mod popup;
mod scale_prompt;
mod status;
mod table;
pub mod text;

use crate::app::layout::{self, LOG_PANE_HEIGHT};
use crate::app::{AppState, Overlay, Screen};
use crate::config::{Keymap, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, keymap: &Keymap) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    if layout::too_small((area.width, area.height)) {
        let msg = format!(
            "Terminal too small ({}x{}): berth needs at least {}x{}. Enlarge the window, or press q to quit.",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(
            Paragraph::new(msg)
                .style(theme.status_warn)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let pane = if state.show_log_pane {
        LOG_PANE_HEIGHT
    } else {
        0
    };
    let [body, pane_area, status_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(pane),
        Constraint::Length(1),
    ])
    .areas(area);
    match state.screen() {
        Screen::List(list) => table::draw(frame, body, state, list, theme),
        Screen::Logs(view) => logs::draw(frame, body, view, theme),
        Screen::Operations { .. } => operations::draw(frame, body, state, keymap, theme),
    }
    if state.show_log_pane {
        log_pane::draw(frame, pane_area, theme);
    }
    status::draw(frame, status_area, state, theme);
    match &state.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help::draw(frame, area, state, keymap, theme, *scroll),
        Some(Overlay::Scale {
            target,
            current,
            text,
        }) => scale_prompt::draw(frame, area, target, *current, text, theme),
        Some(Overlay::Pending { req }) => pending::draw(frame, area, req, keymap, theme),
        Some(Overlay::Confirm { plan, again }) => {
            confirm::draw(frame, area, plan, *again, keymap, theme)
        }
        Some(Overlay::Pick(p)) => picker::draw(frame, area, p, theme),
        Some(Overlay::Describe { route, scroll }) => {
            describe::draw(frame, area, state, theme, route, *scroll)
        }
    }
}
