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
