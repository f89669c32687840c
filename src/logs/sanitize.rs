//! Turns untrusted container bytes into printable text. (stub: helper fills in)

/// A colour an SGR sequence asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SgrColor {
    /// 0-255 (0-7 normal, 8-15 bright).
    Indexed(u8),
    Rgb(u8, u8, u8),
}

pub const ATTR_BOLD: u8 = 1;
pub const ATTR_DIM: u8 = 2;
pub const ATTR_ITALIC: u8 = 4;
pub const ATTR_UNDERLINE: u8 = 8;
pub const ATTR_REVERSE: u8 = 16;

/// Style over `text[start..end]` (byte offsets, on char boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StyleSpan {
    pub start: u32,
    pub end: u32,
    pub fg: Option<SgrColor>,
    pub bg: Option<SgrColor>,
    pub attrs: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SanitizedLine {
    pub text: String,
    pub spans: Vec<StyleSpan>,
}

pub fn sanitize(raw: &[u8]) -> SanitizedLine {
    SanitizedLine {
        text: String::from_utf8_lossy(raw).into_owned(),
        spans: Vec::new(),
    }
}
