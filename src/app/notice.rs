//! A notice in the status bar: a config warning, an operation's result, a
//! refusal. Kept apart from the connection state so a "connected" event
//! cannot wipe it; it stays until dismissed (esc) or its time is up.

/// How long a notice stays when nobody dismisses it.
pub const NOTICE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Tells this notice from a later one with the same text, so an
    /// expiry timer set for an old notice clears nothing.
    pub id: u64,
    pub level: Level,
    pub text: String,
}
