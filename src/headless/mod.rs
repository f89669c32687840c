//! The console's operations without the console: for scripts and tests.
//! Same backend code as the interactive view.

pub mod logs;
mod ls;

pub use logs::logs;
pub use ls::ls;
