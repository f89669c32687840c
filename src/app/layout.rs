//! Screen geometry shared by the reducer (scrolling) and the UI (drawing).

/// Smallest terminal berth draws into; smaller gets a message.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;
/// Height of berth's own log pane when shown.
pub const LOG_PANE_HEIGHT: u16 = 8;

/// Rows left for table rows or log lines: minus the status bar, the
/// frame's borders, the table header and the log pane.
pub fn body_rows(size: (u16, u16), log_pane: bool, logs: bool) -> usize {
    let (_, h) = size;
    let pane = if log_pane { LOG_PANE_HEIGHT } else { 0 };
    let chrome = 1 + 2 + if logs { 0 } else { 1 };
    h.saturating_sub(chrome + pane).max(1) as usize
}

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}
