//! The app core: state, the action vocabulary, the reducer and the runtime.

mod action;
pub mod columns;
pub mod layout;
pub mod list;
pub mod logview;
mod msg;
pub mod notice;
mod op_runner;
#[cfg(test)]
mod op_runner_tests;
pub mod ops;
#[cfg(test)]
mod ops_tests;
pub mod overlay;
pub mod picker;
mod routes;
#[cfg(test)]
mod routes_tests;
pub mod runtime;
mod state;
mod stats;
mod switch;
#[cfg(test)]
mod switch_tests;
mod update;
#[cfg(test)]
mod update_tests;
pub mod view;

pub use action::Action;
pub use msg::{Command, Msg};
pub use notice::{Level, Notice};
pub use overlay::Overlay;
pub use state::{AppState, OpEntry, Prompt, Screen, Settings};
pub use update::update;
