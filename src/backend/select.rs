//! Picks and connects the backend chosen at startup.
