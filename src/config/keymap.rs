//! Keymaps: per-mode tables of key string -> action, read from TOML.
//!
//! Keys are stored normalised (see [`normalize`]) so that a lookup is a single
//! hash probe whatever modifiers the terminal reports for shifted characters.
use super::error::Source;
use super::{ConfigError, Paths, closest, file_order, is_path, parse_toml, read, toml_stems};
use crate::app::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::HashMap;
use std::path::Path;
use toml::de::DeValue;

const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
const VIM_TOML: &str = include_str!("../../keymaps/vim.toml");

/// A key as stored in a table: always the output of [`normalize`].
type Key = (KeyCode, KeyModifiers);

/// The tables of a keymap file. Lookups try the mode's table, then `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    List,
    Logs,
    Help,
    /// A confirmation (or a plan being asked for) is open.
    Confirm,
    /// The operations (progress) screen.
    Operation,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::Global,
        Mode::List,
        Mode::Logs,
        Mode::Help,
        Mode::Confirm,
        Mode::Operation,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::List => "list",
            Mode::Logs => "logs",
            Mode::Help => "help",
            Mode::Confirm => "confirm",
            Mode::Operation => "operation",
        }
    }

    pub fn from_table(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.table() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub name: String,
    /// `None` marks a key unbound (`"none"`) in a mode table: it then does
    /// nothing in that mode instead of falling through to `[global]`.
    bindings: HashMap<Mode, HashMap<Key, Option<Action>>>,
}

/// A parsed keymap file before it is applied to a base keymap.
struct KeymapFile {
    name: Option<String>,
    entries: Vec<(Mode, Key, Option<Action>)>,
}

impl Keymap {
    /// The keymaps shipped in `keymaps/`.
    pub const BUILTINS: &'static [&'static str] = &["default", "vim"];

    fn empty(name: &str) -> Keymap {
        Keymap {
            name: name.to_owned(),
            bindings: Mode::ALL.into_iter().map(|m| (m, HashMap::new())).collect(),
        }
    }

    pub fn builtin(name: &str) -> Option<Keymap> {
        match builtin_result(name)? {
            Ok(k) => Some(k),
            // A unit test keeps the shipped files valid; never leave berth without a way out.
            Err(_) => (name == "default").then(Keymap::minimal),
        }
    }

    /// Used only if the embedded default failed to parse: enough to get out.
    fn minimal() -> Keymap {
        let mut k = Keymap::empty("minimal");
        let global = k.bindings.entry(Mode::Global).or_default();
        for (code, mods, action) in [
            (KeyCode::Char('q'), KeyModifiers::NONE, Action::Quit),
            (KeyCode::Char('c'), KeyModifiers::CONTROL, Action::Quit),
            (KeyCode::Esc, KeyModifiers::NONE, Action::Back),
            (KeyCode::Up, KeyModifiers::NONE, Action::Up),
            (KeyCode::Down, KeyModifiers::NONE, Action::Down),
            (KeyCode::Enter, KeyModifiers::NONE, Action::Open),
        ] {
            global.insert(normalize(code, mods), Some(action));
        }
        k
    }

    /// Parses a complete keymap file. The file's `name = "..."`, if any,
    /// replaces `name`.
    pub fn parse(name: &str, text: &str, file: &Path) -> Result<Keymap, ConfigError> {
        Keymap::empty(name).merged(text, file)
    }

    /// This keymap with a keymap file merged over it, per key per table:
    /// entries replace or add, and `"none"` unbinds the key.
    pub fn merged(&self, text: &str, file: &Path) -> Result<Keymap, ConfigError> {
        let parsed = read_keymap(Source { file, text })?;
        let mut k = self.clone();
        if let Some(name) = parsed.name {
            k.name = name;
        }
        for (mode, key, action) in parsed.entries {
            let table = k.bindings.entry(mode).or_default();
            match action {
                Some(a) => {
                    table.insert(key, Some(a));
                }
                // Nothing below global to shadow, so just drop the key.
                None if mode == Mode::Global => {
                    table.remove(&key);
                }
                None => {
                    table.insert(key, None);
                }
            }
        }
        Ok(k)
    }

    pub fn lookup(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let k = normalize(key.code, key.modifiers);
        match self.bindings.get(&mode).and_then(|t| t.get(&k)) {
            Some(bound) => *bound,
            None => self
                .bindings
                .get(&Mode::Global)
                .and_then(|t| t.get(&k))
                .copied()
                .flatten(),
        }
    }

    /// Key strings bound to `action` in `mode` (not counting global), sorted.
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<String> {
        let mut keys: Vec<String> = self
            .entries(mode)
            .into_iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        keys
    }

    /// (key string, action) pairs of one table, sorted by action then key.
    pub fn entries(&self, mode: Mode) -> Vec<(String, Action)> {
        let mut v: Vec<(String, Action)> = self
            .bindings
            .get(&mode)
            .into_iter()
            .flat_map(|t| t.iter())
            .filter_map(|((c, m), a)| a.map(|a| (format_key(*c, *m), a)))
            .collect();
        v.sort_by(|a, b| a.1.name().cmp(&b.1.name()).then(a.0.cmp(&b.0)));
        v
    }
}

fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        "default" => Some(DEFAULT_TOML),
        "vim" => Some(VIM_TOML),
        _ => None,
    }
}

fn builtin_result(name: &str) -> Option<Result<Keymap, ConfigError>> {
    let text = builtin_text(name)?;
    let file = format!("keymaps/{name}.toml");
    Some(Keymap::parse(name, text, Path::new(&file)))
}

fn read_keymap(src: Source<'_>) -> Result<KeymapFile, ConfigError> {
    let doc = parse_toml(src)?;
    let mut out = KeymapFile {
        name: None,
        entries: Vec::new(),
    };
    // Different spellings of one key ("G", "shift-g") would silently shadow each other.
    let mut seen: HashMap<(Mode, Key), String> = HashMap::new();
    for (k, v) in file_order(&doc) {
        let top = k.get_ref().as_ref();
        if top == "name" {
            match v.get_ref() {
                DeValue::String(s) => out.name = Some(s.to_string()),
                other => {
                    let msg = format!("expected a string, found {}", other.type_str());
                    return Err(src.err(v.span(), top, msg));
                }
            }
            continue;
        }
        let Some(mode) = Mode::from_table(top) else {
            let msg = format!(
                "unknown table \"{top}\" (expected global, list, logs, help, confirm or operation)"
            );
            return Err(src.err(k.span(), top, msg));
        };
        let DeValue::Table(table) = v.get_ref() else {
            let msg = format!("expected a table, found {}", v.get_ref().type_str());
            return Err(src.err(v.span(), top, msg));
        };
        for (key, action) in file_order(table) {
            let key_str = key.get_ref().as_ref();
            let parsed = parse_key(key_str).map_err(|m| src.err(key.span(), key_str, m))?;
            let DeValue::String(action_name) = action.get_ref() else {
                let msg = format!(
                    "expected an action name (a string), found {}",
                    action.get_ref().type_str()
                );
                return Err(src.err(action.span(), key_str, msg));
            };
            let bound = if action_name == "none" {
                None
            } else {
                let a = action_by_name(action_name)
                    .ok_or_else(|| src.err(action.span(), key_str, unknown_action(action_name)))?;
                Some(a)
            };
            if let Some(prev) = seen.insert((mode, parsed), key_str.to_owned()) {
                let msg = format!("same key as \"{prev}\" in [{top}]");
                return Err(src.err(key.span(), key_str, msg));
            }
            out.entries.push((mode, parsed, bound));
        }
    }
    Ok(out)
}

fn action_by_name(name: &str) -> Option<Action> {
    Action::ALL.iter().copied().find(|a| a.name() == name)
}

fn unknown_action(name: &str) -> String {
    let names: Vec<String> = Action::ALL.iter().map(|a| a.name()).collect();
    match closest(name, names.iter().map(String::as_str)) {
        Some(s) => format!("unknown action \"{name}\" (did you mean \"{s}\"?)"),
        None => format!(
            "unknown action \"{name}\" (valid: quit, help, back, open, logs, filter, up, down, ..., or \"none\" to unbind)"
        ),
    }
}

/// One canonical form per physical key, applied to bindings and to events:
/// - shifted characters: terminals differ on whether SHIFT accompanies `'G'`
///   or `'?'`, so SHIFT is folded into the character and dropped;
/// - ctrl+letter: legacy terminals cannot tell ctrl-x from ctrl-shift-x, so
///   the letter is lowercased;
/// - shift-tab: arrives as `BackTab`, with or without SHIFT; stored as bare `BackTab`.
fn normalize(code: KeyCode, mut mods: KeyModifiers) -> Key {
    let shifted = mods.contains(KeyModifiers::SHIFT);
    let code = match code {
        KeyCode::Tab if shifted => KeyCode::BackTab,
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(one_char(c.to_lowercase(), c))
        }
        KeyCode::Char(c) if shifted => KeyCode::Char(one_char(c.to_uppercase(), c)),
        other => other,
    };
    if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    (code, mods)
}

/// The single char of a case mapping, or `fallback` when it expands (e.g. ß).
fn one_char(mut it: impl Iterator<Item = char>, fallback: char) -> char {
    match (it.next(), it.next()) {
        (Some(c), None) => c,
        _ => fallback,
    }
}

/// "ctrl-c", "shift-tab", "f1", "enter", "q", "G" -> key code and modifiers.
/// The result is normalised: `"shift-g"` and `"G"` give the same key.
pub fn parse_key(s: &str) -> Result<(KeyCode, KeyModifiers), String> {
    const PREFIXES: [(&str, KeyModifiers); 3] = [
        ("ctrl-", KeyModifiers::CONTROL),
        ("alt-", KeyModifiers::ALT),
        ("shift-", KeyModifiers::SHIFT),
    ];
    let mut rest = s;
    let mut mods = KeyModifiers::NONE;
    // A prefix only counts if something follows it, so "-" and "ctrl--" work.
    while let Some((p, m)) = PREFIXES.iter().find(|(p, _)| {
        rest.len() > p.len()
            && rest
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
    }) {
        mods |= *m;
        rest = &rest[p.len()..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (None, _) => return Err("empty key".into()),
        (Some(c), None) => KeyCode::Char(c),
        _ => named_key(&rest.to_ascii_lowercase())
            .ok_or_else(|| format!("unknown key \"{rest}\" (try e.g. q, ctrl-c, enter, f1)"))?,
    };
    Ok(normalize(code, mods))
}

fn named_key(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "space" => KeyCode::Char(' '),
        f => match f.strip_prefix('f')?.parse::<u8>().ok()? {
            n @ 1..=12 => KeyCode::F(n),
            _ => return None,
        },
    })
}

/// The canonical string for a key, as `parse_key` reads it back:
/// "ctrl-c", "enter", "G", "shift-tab", "f1", "pagedown".
pub fn format_key(code: KeyCode, mods: KeyModifiers) -> String {
    let (code, mods) = normalize(code, mods);
    let mut s = String::new();
    for (m, p) in [
        (KeyModifiers::CONTROL, "ctrl-"),
        (KeyModifiers::ALT, "alt-"),
        (KeyModifiers::SHIFT, "shift-"),
    ] {
        if mods.contains(m) {
            s.push_str(p);
        }
    }
    let name = match code {
        KeyCode::Char(' ') => "space",
        KeyCode::Char(c) => {
            s.push(c);
            return s;
        }
        KeyCode::F(n) => {
            s.push_str(&format!("f{n}"));
            return s;
        }
        KeyCode::BackTab => "shift-tab",
        KeyCode::Enter => "enter",
        KeyCode::Esc => "esc",
        KeyCode::Tab => "tab",
        KeyCode::Backspace => "backspace",
        KeyCode::Delete => "delete",
        KeyCode::Insert => "insert",
        KeyCode::Home => "home",
        KeyCode::End => "end",
        KeyCode::PageUp => "pageup",
        KeyCode::PageDown => "pagedown",
        KeyCode::Up => "up",
        KeyCode::Down => "down",
        KeyCode::Left => "left",
        KeyCode::Right => "right",
        // Not bindable; shown as crossterm names it.
        other => {
            s.push_str(&format!("{other:?}").to_lowercase());
            return s;
        }
    };
    s.push_str(name);
    s
}

/// The keymap to start with; see [`super::load`]. Every fallback is "what
/// you would get without `--keymap`": the default with the user's
/// `keymap.toml` merged over it.
pub(super) fn load(paths: &Paths, name: Option<&str>, warnings: &mut Vec<String>) -> Keymap {
    let default = Keymap::builtin("default").unwrap_or_else(Keymap::minimal);
    let chosen = match name {
        None => None,
        Some(n) if is_path(n) => Some(load_file(&default, Path::new(n)).map(|k| (k, false))),
        Some(n) => match paths.config_file(format!("keymaps/{n}.toml")) {
            Some(f) if f.is_file() => Some(load_file(&default, &f).map(|k| (k, true))),
            _ => match builtin_result(n) {
                Some(r) => Some(r.map(|k| (k, true))),
                None => {
                    let mut names: Vec<String> =
                        Keymap::BUILTINS.iter().map(|s| s.to_string()).collect();
                    names.extend(toml_stems(paths.config_file("keymaps")));
                    names.sort();
                    names.dedup();
                    warnings.push(format!(
                        "unknown keymap \"{n}\" (available: {}); using the default",
                        names.join(", ")
                    ));
                    None
                }
            },
        },
    };
    // A named keymap still gets the user's keymap.toml; a file path is taken as is.
    let (base, with_user) = match chosen {
        Some(Ok(k)) => k,
        Some(Err(e)) => {
            warnings.push(e.to_string());
            (default, true)
        }
        None => (default, true),
    };
    if !with_user {
        return base;
    }
    match paths.config_file("keymap.toml") {
        Some(f) if f.is_file() => match read(&f).and_then(|t| base.merged(&t, &f)) {
            Ok(k) => k,
            Err(e) => {
                warnings.push(e.to_string());
                base
            }
        },
        _ => base,
    }
}

/// A keymap file, merged over the default so it need not bind everything.
fn load_file(default: &Keymap, file: &Path) -> Result<Keymap, ConfigError> {
    let text = read(file)?;
    let mut k = default.merged(&text, file)?;
    // Name it after the file unless the file names itself.
    if k.name == default.name
        && let Some(stem) = file.file_stem().and_then(|s| s.to_str())
    {
        k.name = stem.to_owned();
    }
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn key(s: &str) -> Key {
        parse_key(s).expect("valid key")
    }

    #[test]
    fn parse_format_round_trip() {
        for s in [
            "q",
            "G",
            "?",
            ":",
            "/",
            "-",
            "ctrl-c",
            "ctrl--",
            "alt-x",
            "ctrl-alt-d",
            "enter",
            "esc",
            "tab",
            "shift-tab",
            "backspace",
            "delete",
            "insert",
            "home",
            "end",
            "pageup",
            "pagedown",
            "up",
            "down",
            "left",
            "right",
            "space",
            "f1",
            "f12",
            "shift-up",
            "ctrl-shift-tab",
            "alt-G",
        ] {
            let (c, m) = key(s);
            assert_eq!(format_key(c, m), s, "{s}");
        }
    }

    #[test]
    fn parse_aliases_and_case() {
        assert_eq!(key("CTRL-c"), key("ctrl-c"));
        assert_eq!(key("Shift-Ctrl-C"), key("ctrl-c"));
        assert_eq!(key("ctrl-C"), key("ctrl-c"));
        assert_eq!(key("shift-g"), key("G"));
        assert_ne!(key("g"), key("G"));
        assert_eq!(key("backtab"), key("shift-tab"));
        assert_eq!(key("del"), key("delete"));
        assert_eq!(key("PgDn"), key("pagedown"));
        assert_eq!(key("pgup"), key("pageup"));
        assert_eq!(key("Enter"), (KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(key("space"), (KeyCode::Char(' '), KeyModifiers::NONE));
        assert_eq!(key("f5"), (KeyCode::F(5), KeyModifiers::NONE));
    }

    #[test]
    fn parse_rejects_unknown() {
        for s in ["", "ctrl-", "foo", "f13", "f0", "ctrl-banana", "hyper-x"] {
            assert!(parse_key(s).is_err(), "{s:?} should be rejected");
        }
        assert_eq!(
            parse_key("foo"),
            Err("unknown key \"foo\" (try e.g. q, ctrl-c, enter, f1)".into())
        );
    }

    fn km(text: &str) -> Keymap {
        Keymap::parse("t", text, Path::new("t.toml")).expect("valid keymap")
    }

    #[test]
    fn shift_is_normalised_for_chars() {
        let k = km("[list]\nG = \"end\"\n\"?\" = \"help\"\n");
        for mods in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
            assert_eq!(
                k.lookup(Mode::List, &ev(KeyCode::Char('G'), mods)),
                Some(Action::End)
            );
            assert_eq!(
                k.lookup(Mode::List, &ev(KeyCode::Char('?'), mods)),
                Some(Action::Help)
            );
        }
        // Some terminals report shift+g as lowercase with SHIFT.
        let shifted_lower = ev(KeyCode::Char('g'), KeyModifiers::SHIFT);
        assert_eq!(k.lookup(Mode::List, &shifted_lower), Some(Action::End));
        assert_eq!(
            k.lookup(Mode::List, &ev(KeyCode::Char('g'), KeyModifiers::NONE)),
            None
        );

        let k = km("[list]\nshift-g = \"end\"\n");
        let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(k.lookup(Mode::List, &g), Some(Action::End));
    }

    #[test]
    fn backtab_matches_shift_tab() {
        let k = km("[list]\nshift-tab = \"up\"\ntab = \"down\"\n");
        for mods in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
            let e = ev(KeyCode::BackTab, mods);
            assert_eq!(k.lookup(Mode::List, &e), Some(Action::Up));
        }
        let e = ev(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(k.lookup(Mode::List, &e), Some(Action::Up));
        let e = ev(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(k.lookup(Mode::List, &e), Some(Action::Down));
        assert_eq!(
            format_key(KeyCode::BackTab, KeyModifiers::SHIFT),
            "shift-tab"
        );
    }

    #[test]
    fn ctrl_letters_ignore_case() {
        let k = km("[global]\nctrl-c = \"quit\"\n");
        let mods = KeyModifiers::CONTROL | KeyModifiers::SHIFT;
        assert_eq!(
            k.lookup(Mode::List, &ev(KeyCode::Char('C'), mods)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn lookup_falls_back_to_global_and_ignores_release() {
        let k = km(
            "[global]\nq = \"quit\"\nx = \"help\"\n[list]\nx = \"logs\"\n[help]\nq = \"none\"\n",
        );
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        let x = ev(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Mode::List, &q), Some(Action::Quit));
        assert_eq!(k.lookup(Mode::List, &x), Some(Action::Logs));
        assert_eq!(k.lookup(Mode::Logs, &x), Some(Action::Help));
        // "none" in a mode table shadows the global binding.
        assert_eq!(k.lookup(Mode::Help, &q), None);
        let release = KeyEvent::new_with_kind_and_state(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
            KeyEventState::NONE,
        );
        assert_eq!(k.lookup(Mode::List, &release), None);
        let repeat =
            KeyEvent::new_with_kind(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Repeat);
        assert_eq!(k.lookup(Mode::List, &repeat), Some(Action::Quit));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let err =
            |text: &str| Keymap::parse("t", text, Path::new("/x/k.toml")).expect_err("should fail");
        let e = err("[global]\nq = \"quit\"\nctrl-x = \"explode\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "ctrl-x"));
        assert!(
            e.to_string()
                .starts_with("/x/k.toml:3: ctrl-x: unknown action \"explode\"")
        );
        let e = err("[global]\nq = \"qiut\"\n");
        assert!(e.message.contains("did you mean \"quit\""), "{}", e.message);
        let e = err("\n[list]\nctrl-banana = \"up\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "ctrl-banana"));
        let e = err("name = \"x\"\n\n[lists]\nq = \"up\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "lists"));
        assert!(e.message.contains("unknown table"));
        let e = err("[list]\nq = 3\n");
        assert_eq!((e.line, e.key.as_str()), (2, "q"));
        assert!(e.message.contains("integer"));
        let e = err("[list]\nq = \"up\"\nk = \"down\n");
        assert_eq!((e.line, e.key.as_str()), (3, "k"));
        let e = err("[list]\nG = \"end\"\nshift-g = \"end\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "shift-g"));
    }

    #[test]
    fn merge_replaces_adds_and_unbinds() {
        let base = km("[global]\nq = \"quit\"\n[list]\nj = \"down\"\n");
        let k = base
            .merged(
                "[global]\nq = \"none\"\nx = \"quit\"\n",
                Path::new("u.toml"),
            )
            .expect("valid overlay");
        assert_eq!(
            k.keys_for(Mode::Global, Action::Quit),
            vec!["x".to_string()]
        );
        assert_eq!(k.keys_for(Mode::List, Action::Down), vec!["j".to_string()]);
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Mode::List, &q), None);
    }

    #[test]
    fn builtins_parse_and_bind_everything() {
        for name in Keymap::BUILTINS {
            let k = builtin_result(name)
                .expect("known")
                .expect("embedded keymap parses");
            assert_eq!(k.name, *name);
            for a in Action::ALL {
                let bound = Mode::ALL.iter().any(|m| !k.keys_for(*m, *a).is_empty());
                assert!(bound, "{name}: {} unbound", a.name());
            }
        }
        assert!(Keymap::builtin("nope").is_none());
    }

    #[test]
    fn default_bindings() {
        let k = Keymap::builtin("default").expect("default");
        let look = |m, s: &str| {
            let (c, md) = key(s);
            k.lookup(m, &ev(c, md))
        };
        assert_eq!(look(Mode::List, "q"), Some(Action::Quit));
        assert_eq!(look(Mode::Help, "q"), Some(Action::Back));
        assert_eq!(look(Mode::List, "G"), Some(Action::End));
        assert_eq!(look(Mode::Logs, "N"), Some(Action::SearchPrev));
        assert_eq!(look(Mode::Logs, "f2"), Some(Action::ToggleLogPane));
        assert_eq!(k.keys_for(Mode::List, Action::Up), vec!["k", "up"]);
    }

    #[test]
    fn node_operations_have_the_same_keys_in_both_builtins() {
        for name in Keymap::BUILTINS {
            let k = Keymap::builtin(name).expect("builtin");
            let look = |s: &str| {
                let (c, md) = key(s);
                k.lookup(Mode::List, &ev(c, md))
            };
            assert_eq!(look("D"), Some(Action::DrainNode), "{name}");
            assert_eq!(look("c"), Some(Action::PauseNode), "{name}");
            assert_eq!(look("a"), Some(Action::ActivateNode), "{name}");
        }
    }
}
