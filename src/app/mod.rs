//! The app core: state, the action vocabulary, the reducer and the runtime.

mod action;
pub mod columns;
pub mod layout;
pub mod list;
pub mod logview;
mod msg;
pub mod runtime;
mod state;
mod stats;
mod update;
#[cfg(test)]
mod update_tests;
pub mod view;

pub use action::Action;
pub use msg::{Command, Msg};
pub use state::{AppState, Prompt, Screen, Settings};
pub use update::update;
