//! Colour themes. (stub: helper fills in loading; the fields are the contract)
use super::{ConfigError, Paths};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub border: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub dim: Style,
    pub status_bar: Style,
    pub status_ok: Style,
    pub status_warn: Style,
    pub status_error: Style,
    pub state_running: Style,
    pub state_stopped: Style,
    pub state_transient: Style,
    pub unhealthy: Style,
    pub key: Style,
    pub prompt: Style,
    pub filter_match: Style,
    pub search_match: Style,
    pub log_stderr: Style,
    pub log_timestamp: Style,
    pub level_error: Style,
    pub level_warn: Style,
    pub level_info: Style,
    pub level_debug: Style,
    /// Colours for log sources; a source keeps its colour for the session.
    pub sources: Vec<Style>,
}

impl Theme {
    pub fn builtin(_name: &str) -> Option<Theme> {
        Some(Theme::fallback())
    }

    pub fn parse(_name: &str, _text: &str, _file: &std::path::Path) -> Result<Theme, ConfigError> {
        Ok(Theme::fallback())
    }

    fn fallback() -> Theme {
        let s = Style::default();
        Theme {
            name: "dark".into(),
            base: s,
            border: s.fg(Color::DarkGray),
            title: s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: s.add_modifier(Modifier::BOLD),
            selected: s.add_modifier(Modifier::REVERSED),
            dim: s.fg(Color::DarkGray),
            status_bar: s,
            status_ok: s.fg(Color::Green),
            status_warn: s.fg(Color::Yellow),
            status_error: s.fg(Color::Red),
            state_running: s.fg(Color::Green),
            state_stopped: s.fg(Color::DarkGray),
            state_transient: s.fg(Color::Yellow),
            unhealthy: s.fg(Color::Red),
            key: s.fg(Color::Cyan),
            prompt: s.fg(Color::Yellow),
            filter_match: s.add_modifier(Modifier::BOLD),
            search_match: s.add_modifier(Modifier::REVERSED),
            log_stderr: s,
            log_timestamp: s.fg(Color::DarkGray),
            level_error: s.fg(Color::Red),
            level_warn: s.fg(Color::Yellow),
            level_info: s,
            level_debug: s.fg(Color::DarkGray),
            sources: vec![s.fg(Color::Cyan), s.fg(Color::Magenta), s.fg(Color::Green)],
        }
    }
}

pub(super) fn load(
    _paths: &Paths,
    _name: Option<&str>,
    _no_color: bool,
    _warnings: &mut Vec<String>,
) -> Theme {
    Theme::fallback()
}
