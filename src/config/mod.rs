//! Themes and keymaps: TOML files shipped in the repo (embedded as defaults)
//! with user files from the config dir merged over them.

mod error;
mod keymap;
mod paths;
mod theme;

pub use error::ConfigError;
pub use keymap::{Keymap, Mode, format_key, parse_key};
pub use paths::Paths;
pub use theme::Theme;

/// What the console starts with, plus anything wrong found on the way.
#[derive(Debug, Clone)]
pub struct Config {
    pub theme: Theme,
    pub keymap: Keymap,
    /// One clear message per broken user file; the defaults were used instead.
    pub warnings: Vec<String>,
}

/// Loads the theme and keymap. `theme`/`keymap` are a shipped name or a file
/// path; `None` means the user's choice from the config dir, else the default.
/// With `no_color` and no explicit theme, the monochrome theme is used.
pub fn load(paths: &Paths, theme: Option<&str>, keymap: Option<&str>, no_color: bool) -> Config {
    let mut warnings = Vec::new();
    let theme = theme::load(paths, theme, no_color, &mut warnings);
    let keymap = keymap::load(paths, keymap, &mut warnings);
    Config {
        theme,
        keymap,
        warnings,
    }
}
