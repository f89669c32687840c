//! Helpers shared by the integration tests (`mod common;` in each test file).
//!
//! Integration tests run against the real engines that `scripts/testbed up`
//! prepares; without them they fail, never skip.

// Each test file compiles this module on its own and uses only part of it
// (the re-exports below included).
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

pub mod apiserver;
pub mod docker;
pub mod headless;
pub mod images;
pub mod kube;
pub mod live;
pub mod ops;
pub mod pty;
pub mod registry;
pub mod spare_engine;
pub mod swarm;
pub mod traefik;

pub use docker::*;
pub use images::{Tags, untag};
pub use pty::{TerminalState, Tui};

/// The first single-key binding of `action` in the default keymap, as a
/// user would press it.
pub fn key_for(mode: berth::config::Mode, action: berth::app::Action) -> String {
    let km = berth::config::Keymap::builtin("default").expect("default keymap");
    km.keys_for(mode, action)
        .into_iter()
        .find(|k| k.chars().count() == 1)
        .unwrap_or_else(|| panic!("{action:?} has a one-key binding in {mode:?}"))
}
