//! Keymaps: per-mode tables of key string -> action. (stub: helper fills in)
use super::{ConfigError, Paths};
use crate::app::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;

/// The tables of a keymap file. Lookups try the mode's table, then `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    List,
    Logs,
    Help,
}

impl Mode {
    pub fn table(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::List => "list",
            Mode::Logs => "logs",
            Mode::Help => "help",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub name: String,
    bindings: HashMap<Mode, HashMap<(KeyCode, KeyModifiers), Action>>,
}

impl Keymap {
    pub fn builtin(_name: &str) -> Option<Keymap> {
        let mut global = HashMap::new();
        global.insert((KeyCode::Char('q'), KeyModifiers::NONE), Action::Quit);
        let mut bindings = HashMap::new();
        bindings.insert(Mode::Global, global);
        Some(Keymap {
            name: "default".into(),
            bindings,
        })
    }

    pub fn parse(_name: &str, _text: &str, _file: &std::path::Path) -> Result<Keymap, ConfigError> {
        Ok(Keymap::builtin("default").unwrap_or_else(|| Keymap {
            name: String::new(),
            bindings: HashMap::new(),
        }))
    }

    pub fn lookup(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        let k = (key.code, key.modifiers);
        self.bindings
            .get(&mode)
            .and_then(|t| t.get(&k))
            .or_else(|| self.bindings.get(&Mode::Global).and_then(|t| t.get(&k)))
            .copied()
    }

    /// Key strings bound to `action` in `mode` (not counting global), sorted.
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<String> {
        let mut keys: Vec<String> = self
            .bindings
            .get(&mode)
            .into_iter()
            .flat_map(|t| t.iter())
            .filter(|(_, a)| **a == action)
            .map(|((c, m), _)| format_key(*c, *m))
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
            .map(|((c, m), a)| (format_key(*c, *m), *a))
            .collect();
        v.sort_by(|a, b| a.1.name().cmp(&b.1.name()).then(a.0.cmp(&b.0)));
        v
    }
}

/// "ctrl-c", "shift-tab", "f1", "enter", "q", "G" -> key code and modifiers.
pub fn parse_key(_s: &str) -> Result<(KeyCode, KeyModifiers), String> {
    Err("not yet".into())
}

pub fn format_key(code: KeyCode, _mods: KeyModifiers) -> String {
    format!("{code}")
}

pub(super) fn load(_paths: &Paths, _name: Option<&str>, _warnings: &mut Vec<String>) -> Keymap {
    Keymap::builtin("default").unwrap_or_else(|| Keymap {
        name: String::new(),
        bindings: HashMap::new(),
    })
}
