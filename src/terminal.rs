//! Entering and leaving the full-screen terminal. Restoring is idempotent
//! and runs on quit, on error, on panic (any thread) and on SIGTERM/SIGHUP.

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{BufWriter, Stdout, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Raw mode, alternate screen, and a panic hook that puts things back first.
pub fn init() -> std::io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = stdout();
    // Clearing ourselves: ratatui's clear() asks the terminal where the cursor
    // is, a round trip that stalls start-up on a slow ssh link.
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        Clear(ClearType::All)
    ) {
        restore();
        return Err(e);
    }
    // One buffered write per frame: fewer syscalls and packets over ssh.
    let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, stdout()));
    let mut term = Terminal::new(backend)?;
    term.hide_cursor()?;
    Ok(term)
}

/// Leaves raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, Show);
    let _ = out.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
        // A panic in a background task would leave a console that no longer
        // draws; end the process rather than leave the user stuck.
        std::process::exit(101);
    }));
}
