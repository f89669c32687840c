//! The app core: state, the action vocabulary and the reducer.

mod action;

pub use action::Action;
