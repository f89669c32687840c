//! berth: a terminal console for container clusters.

pub mod app;
pub mod backend;
pub mod config;
pub mod domain;
pub mod logs;
