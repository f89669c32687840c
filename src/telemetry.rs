//! berth's own log: to a file in the state dir, and to the in-console pane.

use std::path::Path;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Sets up tracing. `console` also feeds the toggleable log pane.
/// Returns the log file's path, if one could be opened.
pub fn init(state_dir: Option<&Path>, console: bool) -> Option<std::path::PathBuf> {
    let filter = EnvFilter::try_from_env("BERTH_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,berth=debug,hyper=warn,bollard=warn"));
    let file = state_dir.and_then(|dir| {
        std::fs::create_dir_all(dir).ok()?;
        let path = dir.join("berth.log");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .ok()?;
        Some((path, f))
    });
    let (path, file_layer) = match file {
        Some((path, f)) => (
            Some(path),
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(f)),
            ),
        ),
        None => (None, None),
    };
    let pane = console.then_some(tui_logger::TuiTracingSubscriberLayer);
    if console {
        tui_logger::set_default_level(tui_logger::LevelFilter::Debug);
        tui_logger::set_hot_buffer_depth(1000);
        tui_logger::set_buffer_depth(2000);
    }
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(pane)
        .try_init();
    path
}
