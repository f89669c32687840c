//! The console's operations without the console: for scripts and tests.
//! Same backend code as the interactive view.

pub mod logs;
mod ls;
pub mod operate;

pub use logs::logs;
pub use ls::ls;
pub use operate::operate;
