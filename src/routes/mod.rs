//! Routes: parsing what declares them (Traefik labels and rules, haproxy
//! configs, Traefik's API) into [`crate::domain::Route`]s, and the lint
//! that says what is wrong with them. Pure functions; no I/O here but in
//! the prober and the API client.

pub mod haproxy;
pub mod rule;
