//! Colour themes, read from TOML. A theme file may set only some styles: the
//! rest come from the built-in dark theme.
use super::error::Source;
use super::{ConfigError, Paths, closest, file_order, is_path, parse_toml, read, toml_stems};
use ratatui::style::{Color, Modifier, Style};
use std::path::Path;
use toml::Spanned;
use toml::de::DeValue;

const DARK_TOML: &str = include_str!("../../themes/dark.toml");
const LIGHT_TOML: &str = include_str!("../../themes/light.toml");
const MONOCHROME_TOML: &str = include_str!("../../themes/monochrome.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub border: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub dim: Style,
    pub status_bar: Style,
    pub status_ok: Style,
    pub status_warn: Style,
    pub status_error: Style,
    pub state_running: Style,
    pub state_stopped: Style,
    pub state_transient: Style,
    pub unhealthy: Style,
    pub key: Style,
    pub prompt: Style,
    pub filter_match: Style,
    pub search_match: Style,
    pub log_stderr: Style,
    pub log_timestamp: Style,
    pub level_error: Style,
    pub level_warn: Style,
    pub level_info: Style,
    pub level_debug: Style,
    /// Colours for log sources; a source keeps its colour for the session.
    pub sources: Vec<Style>,
}

/// Generates the name <-> field mapping once, so the list of settable
/// styles cannot drift from the struct.
macro_rules! style_fields {
    ($($field:ident),* $(,)?) => {
        impl Theme {
            /// The names of the `[styles]` entries, as in theme files.
            pub const STYLE_NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Every style with its name (not `sources`), in `STYLE_NAMES` order.
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                vec![$((stringify!($field), self.$field)),*]
            }

            fn style_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $(stringify!($field) => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }
    };
}

style_fields!(
    base,
    border,
    title,
    header,
    selected,
    dim,
    status_bar,
    status_ok,
    status_warn,
    status_error,
    state_running,
    state_stopped,
    state_transient,
    unhealthy,
    key,
    prompt,
    filter_match,
    search_match,
    log_stderr,
    log_timestamp,
    level_error,
    level_warn,
    level_info,
    level_debug,
);

impl Theme {
    /// The themes shipped in `themes/`.
    pub const BUILTINS: &'static [&'static str] = &["dark", "light", "monochrome"];

    pub fn builtin(name: &str) -> Option<Theme> {
        match builtin_result(name)? {
            Ok(t) => Some(t),
            // A unit test keeps the shipped files valid; this only avoids a panic path.
            Err(_) => (name == "dark").then(Theme::default_styles),
        }
    }

    /// Parses a full or partial theme; missing styles come from the dark theme.
    /// The file's `name = "..."`, if any, replaces `name`.
    pub fn parse(name: &str, text: &str, file: &Path) -> Result<Theme, ConfigError> {
        let mut base = Theme::dark();
        base.name = name.to_owned();
        base.merged(text, file)
    }

    /// This theme with a theme file merged over it: each style the file sets
    /// replaces the one here; the rest are kept.
    pub fn merged(&self, text: &str, file: &Path) -> Result<Theme, ConfigError> {
        let src = Source { file, text };
        let doc = parse_toml(src)?;
        let mut t = self.clone();
        for (k, v) in file_order(&doc) {
            match k.get_ref().as_ref() {
                "name" => match v.get_ref() {
                    DeValue::String(s) => t.name = s.to_string(),
                    other => {
                        let msg = format!("expected a string, found {}", other.type_str());
                        return Err(src.err(v.span(), "name", msg));
                    }
                },
                "styles" => {
                    for (sk, sv) in file_order(as_table(src, v, "styles")?) {
                        let name = sk.get_ref().as_ref();
                        let Some(slot) = t.style_mut(name) else {
                            return Err(src.err(sk.span(), name, unknown_style(name)));
                        };
                        *slot = parse_style(src, sv, name)?;
                    }
                }
                "sources" => {
                    for (sk, sv) in file_order(as_table(src, v, "sources")?) {
                        let key = format!("sources.{}", sk.get_ref());
                        if sk.get_ref() != "palette" {
                            let msg = "unknown key (expected palette)";
                            return Err(src.err(sk.span(), &key, msg));
                        }
                        t.sources = parse_palette(src, sv, &key)?;
                    }
                }
                other => {
                    let msg = "unknown key (expected name, styles or sources)";
                    return Err(src.err(k.span(), other, msg));
                }
            }
        }
        Ok(t)
    }

    /// A colourless theme built in code: the last resort if the embedded dark
    /// theme failed to parse (a unit test rules that out), and the base the
    /// dark theme is parsed over.
    pub fn default_styles() -> Theme {
        let s = Style::default();
        let bold = s.add_modifier(Modifier::BOLD);
        let dim = s.add_modifier(Modifier::DIM);
        let rev = s.add_modifier(Modifier::REVERSED);
        Theme {
            name: "default".into(),
            base: s,
            border: dim,
            title: bold,
            header: bold,
            selected: rev,
            dim,
            status_bar: rev,
            status_ok: s,
            status_warn: bold,
            status_error: bold,
            state_running: s,
            state_stopped: dim,
            state_transient: bold,
            unhealthy: bold,
            key: bold,
            prompt: bold,
            filter_match: s.add_modifier(Modifier::UNDERLINED),
            search_match: rev,
            log_stderr: s,
            log_timestamp: dim,
            level_error: bold,
            level_warn: bold,
            level_info: s,
            level_debug: dim,
            sources: vec![s],
        }
    }

    fn dark() -> Theme {
        Theme::builtin("dark").unwrap_or_else(Theme::default_styles)
    }
}

fn builtin_result(name: &str) -> Option<Result<Theme, ConfigError>> {
    let text = match name {
        "dark" => DARK_TOML,
        "light" => LIGHT_TOML,
        "monochrome" => MONOCHROME_TOML,
        _ => return None,
    };
    let file = format!("themes/{name}.toml");
    let file = Path::new(&file);
    Some(if name == "dark" {
        // Dark is the base of every other theme, so it is parsed over the code-built one.
        let mut base = Theme::default_styles();
        base.name = name.to_owned();
        base.merged(text, file)
    } else {
        Theme::parse(name, text, file)
    })
}

fn unknown_style(name: &str) -> String {
    match closest(name, Theme::STYLE_NAMES.iter().copied()) {
        Some(s) => format!("unknown style \"{name}\" (did you mean \"{s}\"?)"),
        None => format!("unknown style \"{name}\" (e.g. base, title, selected, status_bar)"),
    }
}

fn as_table<'a, 'i>(
    src: Source<'_>,
    v: &'a Spanned<DeValue<'i>>,
    key: &str,
) -> Result<&'a toml::de::DeTable<'i>, ConfigError> {
    match v.get_ref() {
        DeValue::Table(t) => Ok(t),
        other => {
            let msg = format!("expected a table, found {}", other.type_str());
            Err(src.err(v.span(), key, msg))
        }
    }
}

fn parse_palette(
    src: Source<'_>,
    v: &Spanned<DeValue<'_>>,
    key: &str,
) -> Result<Vec<Style>, ConfigError> {
    let DeValue::Array(items) = v.get_ref() else {
        let msg = format!("expected an array, found {}", v.get_ref().type_str());
        return Err(src.err(v.span(), key, msg));
    };
    // Callers pick a source's style by index modulo the length.
    if items.is_empty() {
        return Err(src.err(v.span(), key, "the palette must not be empty"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_style(src, item, &format!("{key}[{i}]")))
        .collect()
}

/// A style: `{ fg = "cyan", bg = "#202020", bold = true, ... }`, or just a
/// colour as shorthand for `{ fg = ... }`.
fn parse_style(src: Source<'_>, v: &Spanned<DeValue<'_>>, key: &str) -> Result<Style, ConfigError> {
    let table = match v.get_ref() {
        DeValue::String(_) | DeValue::Integer(_) => {
            return Ok(Style::default().fg(parse_color(src, v, key)?));
        }
        DeValue::Table(t) => t,
        other => {
            let msg = format!(
                "expected a style like {{ fg = \"cyan\", bold = true }}, found {}",
                other.type_str()
            );
            return Err(src.err(v.span(), key, msg));
        }
    };
    let mut style = Style::default();
    for (k, val) in file_order(table) {
        let attr = k.get_ref().as_ref();
        let path = format!("{key}.{attr}");
        let modifier = match attr {
            "fg" => {
                style = style.fg(parse_color(src, val, &path)?);
                continue;
            }
            "bg" => {
                style = style.bg(parse_color(src, val, &path)?);
                continue;
            }
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underline" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            _ => {
                let msg =
                    "unknown attribute (expected fg, bg, bold, dim, italic, underline, reversed)";
                return Err(src.err(k.span(), &path, msg));
            }
        };
        match val.get_ref() {
            DeValue::Boolean(true) => style = style.add_modifier(modifier),
            DeValue::Boolean(false) => {}
            other => {
                let msg = format!("expected true or false, found {}", other.type_str());
                return Err(src.err(val.span(), &path, msg));
            }
        }
    }
    Ok(style)
}

fn parse_color(src: Source<'_>, v: &Spanned<DeValue<'_>>, key: &str) -> Result<Color, ConfigError> {
    let bad = |what: &str| {
        let msg = format!(
            "bad colour {what} (use a name like \"cyan\" or \"lightred\", \"#rrggbb\", or 0-255)"
        );
        src.err(v.span(), key, msg)
    };
    match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .and_then(|n| u8::try_from(n).ok())
            .map(Color::Indexed)
            .ok_or_else(|| bad(i.as_str())),
        DeValue::String(s) => color_from_str(s).ok_or_else(|| bad(&format!("\"{s}\""))),
        other => Err(bad(&format!("(a {})", other.type_str()))),
    }
}

/// ratatui colour names (case, `-`, `_` and "grey" spelling forgiven),
/// `#rrggbb`, or a palette index "0".."255".
fn color_from_str(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        return Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u8>().ok().map(Color::Indexed);
    }
    let name: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace("grey", "gray");
    Some(match name.as_str() {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "darkgray" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

/// The theme to start with; see [`super::load`]. Every fallback is "what
/// you would get without `--theme`": the user's `theme.toml` merged over dark
/// (over monochrome under NO_COLOR, so only what the user wrote is coloured),
/// or just dark / monochrome.
pub(super) fn load(
    paths: &Paths,
    name: Option<&str>,
    no_color: bool,
    warnings: &mut Vec<String>,
) -> Theme {
    let chosen = match name {
        None => None,
        Some(n) if is_path(n) => Some(load_file(Path::new(n))),
        Some(n) => match paths.config_file(format!("themes/{n}.toml")) {
            // A user theme of the same name wins, so a shipped one can be customised.
            Some(f) if f.is_file() => Some(load_file(&f)),
            _ => match builtin_result(n) {
                Some(r) => Some(r),
                None => {
                    let mut names: Vec<String> =
                        Theme::BUILTINS.iter().map(|s| s.to_string()).collect();
                    names.extend(toml_stems(paths.config_file("themes")));
                    names.sort();
                    names.dedup();
                    warnings.push(format!(
                        "unknown theme \"{n}\" (available: {}); using the default",
                        names.join(", ")
                    ));
                    None
                }
            },
        },
    };
    match chosen {
        Some(Ok(t)) => return t,
        Some(Err(e)) => warnings.push(e.to_string()),
        None => {}
    }
    let base = if no_color {
        Theme::builtin("monochrome").unwrap_or_else(Theme::default_styles)
    } else {
        Theme::dark()
    };
    match paths.config_file("theme.toml") {
        Some(f) if f.is_file() => match read(&f).and_then(|t| base.merged(&t, &f)) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(e.to_string());
                base
            }
        },
        _ => base,
    }
}

fn load_file(file: &Path) -> Result<Theme, ConfigError> {
    let text = read(file)?;
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("custom");
    Theme::parse(stem, &text, file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::de::DeTable;

    fn parse(text: &str) -> Result<Theme, ConfigError> {
        Theme::parse("t", text, Path::new("/x/t.toml"))
    }

    #[test]
    fn builtins_parse_and_set_every_style() {
        for name in Theme::BUILTINS {
            let text = match *name {
                "dark" => DARK_TOML,
                "light" => LIGHT_TOML,
                _ => MONOCHROME_TOML,
            };
            let t = builtin_result(name)
                .expect("known")
                .expect("embedded theme parses");
            assert_eq!(t.name, *name);
            // Every style spelled out, so nothing leaks in from the dark base.
            let doc = DeTable::parse(text).expect("valid toml").into_inner();
            let styles = doc
                .get("styles")
                .and_then(|s| s.get_ref().as_table())
                .expect("[styles]");
            for s in Theme::STYLE_NAMES {
                assert!(styles.contains_key(*s), "{name}: {s} not set");
            }
            assert!(doc.get("sources").is_some(), "{name}: no [sources]");
        }
        assert_ne!(Theme::dark(), Theme::default_styles());
        assert!(Theme::builtin("nope").is_none());
    }

    #[test]
    fn partial_theme_keeps_dark_for_the_rest() {
        let t = parse("[styles]\ntitle = { fg = \"red\", italic = true }\n").expect("valid");
        let dark = Theme::dark();
        assert_eq!(
            t.title,
            Style::default()
                .fg(Color::Red)
                .add_modifier(Modifier::ITALIC)
        );
        assert_eq!(t.selected, dark.selected);
        assert_eq!(t.sources, dark.sources);
        assert_eq!(t.name, "t");
    }

    #[test]
    fn colours() {
        assert_eq!(color_from_str("#ff8000"), Some(Color::Rgb(255, 128, 0)));
        assert_eq!(color_from_str("42"), Some(Color::Indexed(42)));
        assert_eq!(color_from_str("LightRed"), Some(Color::LightRed));
        assert_eq!(color_from_str("dark-grey"), Some(Color::DarkGray));
        assert_eq!(color_from_str("reset"), Some(Color::Reset));
        for bad in ["256", "#ff80", "#gg0000", "purple", ""] {
            assert_eq!(color_from_str(bad), None, "{bad}");
        }
        let t = parse("[styles]\nkey = { fg = 208, bg = \"#000000\" }\ndim = \"darkgray\"\n[sources]\npalette = [\"red\", 3, { bold = true }]\n")
            .expect("valid");
        assert_eq!(
            t.key,
            Style::default()
                .fg(Color::Indexed(208))
                .bg(Color::Rgb(0, 0, 0))
        );
        assert_eq!(t.dim, Style::default().fg(Color::DarkGray));
        assert_eq!(t.sources.len(), 3);
        assert_eq!(t.sources[1], Style::default().fg(Color::Indexed(3)));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e =
            parse("name = \"x\"\n[styles]\ntitle = { fg = \"purple\" }\n").expect_err("bad colour");
        assert_eq!((e.line, e.key.as_str()), (3, "title.fg"));
        assert!(
            e.to_string()
                .starts_with("/x/t.toml:3: title.fg: bad colour \"purple\"")
        );
        let e = parse("[styles]\n\ntitel = \"red\"\n").expect_err("unknown style");
        assert_eq!((e.line, e.key.as_str()), (3, "titel"));
        assert!(e.message.contains("did you mean \"title\""));
        let e = parse("[styles]\ntitle = { blink = true }\n").expect_err("unknown attr");
        assert_eq!((e.line, e.key.as_str()), (2, "title.blink"));
        let e = parse("[styles]\ntitle = { bold = \"yes\" }\n").expect_err("non-bool");
        assert_eq!(e.key, "title.bold");
        let e = parse("[sources]\npalette = []\n").expect_err("empty palette");
        assert_eq!((e.line, e.key.as_str()), (2, "sources.palette"));
        let e = parse("[sources]\npalette = [\"red\",\n  300]\n").expect_err("bad index");
        assert_eq!((e.line, e.key.as_str()), (3, "sources.palette[1]"));
        let e = parse("[colors]\n").expect_err("unknown table");
        assert_eq!((e.line, e.key.as_str()), (1, "colors"));
        let e = parse("[styles]\ntitle = { fg = \"red\"\n").expect_err("syntax");
        assert_eq!(e.line, 2);
    }
}
