//! Docker Engine backend (plain engine and Compose projects).
