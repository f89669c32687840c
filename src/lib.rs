//! berth: a terminal console for container clusters.

pub mod app;
pub mod audit;
pub mod backend;
pub mod cli;
pub mod config;
pub mod domain;
pub mod headless;
pub mod logs;
pub mod routes;
pub mod telemetry;
pub mod terminal;
pub mod ui;
