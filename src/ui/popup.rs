//! What the popups (help, confirmation, prompts) share: a centred frame
//! and key hints read from the keymap in force (the progress view uses
//! those too).

use crate::app::Action;
use crate::config::{Keymap, Mode};
use ratatui::layout::Rect;

/// A `w` x `h` rectangle in the middle of `area`, shrunk to fit.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The shortest key bound to `action` in `mode` ("y" before "enter"), if any.
pub fn key(keymap: &Keymap, mode: Mode, action: Action) -> Option<String> {
    let mut keys = keymap.keys_for(mode, action);
    keys.sort_by_key(|k| (k.chars().count(), k.clone()));
    keys.into_iter().next()
}

/// "y confirm · n cancel" for the given (action, word) pairs that are bound.
pub fn hints(keymap: &Keymap, mode: Mode, pairs: &[(Action, &str)]) -> String {
    pairs
        .iter()
        .filter_map(|(a, word)| key(keymap, mode, *a).map(|k| format!("{k} {word}")))
        .collect::<Vec<_>>()
        .join(" · ")
}
