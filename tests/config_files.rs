//! The shipped theme and keymap files, read from disk so a newly added file is
//! covered automatically, and the loading rules for user files.

use berth::app::Action;
use berth::config::{self, Keymap, Mode, Paths, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Style};
use std::path::{Path, PathBuf};

fn shipped(dir: &str) -> Vec<(String, PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("shipped dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("readable");
            (name, p, text)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    files
}

/// A fresh config dir under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "berth-config-test-{}-{tag}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    fn paths(&self) -> Paths {
        Paths::for_test(&self.0)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn key(s: &str) -> KeyEvent {
    let (c, m) = config::parse_key(s).expect("valid key");
    KeyEvent::new(c, m)
}

fn bound_anywhere(k: &Keymap, a: Action) -> bool {
    Mode::ALL.iter().any(|m| !k.keys_for(*m, a).is_empty())
}

#[test]
fn every_shipped_keymap_parses_and_binds_the_essentials() {
    use Action::*;
    let essentials = [
        Quit,
        Help,
        Command,
        Filter,
        Back,
        Up,
        Down,
        PageUp,
        PageDown,
        Open,
        Logs,
        ViewNodes,
        ViewStacks,
        ViewServices,
        ViewContainers,
        ToggleFollow,
        ToggleTimestamps,
        ToggleWrap,
        SearchNext,
        SearchPrev,
        SaveLogs,
        Scale,
        Restart,
        Stop,
        Start,
        Redeploy,
        Rollback,
        Confirm,
        Cancel,
        Operations,
        CancelOperation,
    ];
    for (name, path, text) in shipped("keymaps") {
        let k = Keymap::parse(&name, &text, &path).unwrap_or_else(|e| panic!("{e}"));
        for a in essentials {
            assert!(bound_anywhere(&k, a), "{name}: {} not bound", a.name());
        }
        // The embedded copy is the same file.
        assert_eq!(Keymap::builtin(&name), Some(k), "{name}");
    }
}

#[test]
fn default_keymap_binds_every_action() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps/default.toml");
    let text = std::fs::read_to_string(&path).expect("default.toml");
    let k = Keymap::parse("default", &text, &path).expect("parses");
    for a in Action::ALL {
        assert!(bound_anywhere(&k, *a), "{} not bound", a.name());
    }
}

#[test]
fn every_shipped_theme_parses() {
    for (name, path, text) in shipped("themes") {
        let t = Theme::parse(&name, &text, &path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.name, name);
        assert!(!t.sources.is_empty(), "{name}: empty palette");
        assert_eq!(Theme::builtin(&name), Some(t), "{name}");
    }
}

#[test]
fn monochrome_has_no_colours() {
    let t = Theme::builtin("monochrome").expect("monochrome");
    let no_colour = |c: Option<Color>| matches!(c, None | Some(Color::Reset));
    let styles: Vec<(String, Style)> = t
        .styles()
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .chain(
            t.sources
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("sources[{i}]"), *s)),
        )
        .collect();
    assert_eq!(styles.len(), Theme::STYLE_NAMES.len() + t.sources.len());
    for (name, s) in styles {
        assert!(no_colour(s.fg) && no_colour(s.bg), "{name}: {s:?}");
    }
}

#[test]
fn broken_user_keymap_warns_once_and_uses_default() {
    let dir = TempDir::new("keymap");
    let file = dir.write(
        "keymap.toml",
        "[global]\n\"x\" = \"quit\"\n\n[list]\n\"j\" = \"down\"\n\nctrl-x = \"explode\"\n",
    );
    let cfg = config::load(&dir.paths(), None, None, false);
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    let w = &cfg.warnings[0];
    assert!(w.contains(&file.display().to_string()), "{w}");
    assert!(w.contains(":7:"), "{w}");
    assert!(w.contains("ctrl-x"), "{w}");
    assert!(w.contains("unknown action \"explode\""), "{w}");
    assert_eq!(Some(cfg.keymap), Keymap::builtin("default"));
}

#[test]
fn broken_user_keymap_syntax_warns_with_line() {
    let dir = TempDir::new("keymap-syntax");
    let file = dir.write("keymap.toml", "[global]\n\"x\" = \"quit\n");
    let cfg = config::load(&dir.paths(), None, None, false);
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    let w = &cfg.warnings[0];
    assert!(w.starts_with(&format!("{}:2: x: ", file.display())), "{w}");
    assert_eq!(Some(cfg.keymap), Keymap::builtin("default"));
}

#[test]
fn broken_user_theme_warns_once_and_uses_default() {
    let dir = TempDir::new("theme");
    let file = dir.write(
        "theme.toml",
        "[styles]\ntitle = { fg = \"red\" }\nselected = { bg = \"chartreuse\" }\n",
    );
    let cfg = config::load(&dir.paths(), None, None, false);
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    let w = &cfg.warnings[0];
    assert!(w.contains(&file.display().to_string()), "{w}");
    assert!(w.contains(":3:"), "{w}");
    assert!(w.contains("selected.bg"), "{w}");
    assert_eq!(Some(cfg.theme), Theme::builtin("dark"));
}

#[test]
fn partial_user_theme_is_merged_over_dark() {
    let dir = TempDir::new("theme-partial");
    dir.write("theme.toml", "[styles]\ntitle = { fg = \"red\" }\n");
    let cfg = config::load(&dir.paths(), None, None, false);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let dark = Theme::builtin("dark").expect("dark");
    assert_eq!(cfg.theme.title, Style::default().fg(Color::Red));
    assert_eq!(cfg.theme.selected, dark.selected);
}

#[test]
fn no_color_picks_monochrome_unless_a_theme_is_named() {
    let dir = TempDir::new("no-color");
    let cfg = config::load(&dir.paths(), None, None, true);
    assert_eq!(Some(cfg.theme), Theme::builtin("monochrome"));
    let cfg = config::load(&dir.paths(), Some("light"), None, true);
    assert_eq!(Some(cfg.theme), Theme::builtin("light"));
}

#[test]
fn named_and_file_themes() {
    let dir = TempDir::new("theme-named");
    dir.write(
        "themes/mine.toml",
        "name = \"mine\"\n[styles]\nkey = \"magenta\"\n",
    );
    let cfg = config::load(&dir.paths(), Some("mine"), None, false);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    assert_eq!(cfg.theme.name, "mine");
    assert_eq!(cfg.theme.key, Style::default().fg(Color::Magenta));

    let file = dir.write("elsewhere/other.toml", "[styles]\nkey = \"blue\"\n");
    let cfg = config::load(&dir.paths(), file.to_str(), None, false);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    assert_eq!(cfg.theme.name, "other");

    let cfg = config::load(&dir.paths(), Some("nope"), None, false);
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    assert!(
        cfg.warnings[0].contains("monochrome"),
        "{}",
        cfg.warnings[0]
    );
    assert!(cfg.warnings[0].contains("mine"), "{}", cfg.warnings[0]);
    assert_eq!(Some(cfg.theme), Theme::builtin("dark"));
}

#[test]
fn user_keymap_rebinds_and_unbinds_via_merge() {
    let dir = TempDir::new("merge");
    dir.write(
        "keymap.toml",
        "[global]\n\"z\" = \"quit\"\n\"q\" = \"none\"\n",
    );
    let cfg = config::load(&dir.paths(), None, None, false);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let k = &cfg.keymap;
    assert_eq!(k.lookup(Mode::List, &key("z")), Some(Action::Quit));
    assert_eq!(k.lookup(Mode::List, &key("q")), None);
    // Untouched bindings survive the merge.
    assert_eq!(k.lookup(Mode::List, &key("ctrl-c")), Some(Action::Quit));
    assert_eq!(k.lookup(Mode::List, &key("j")), Some(Action::Down));
    // [help] has its own q.
    assert_eq!(k.lookup(Mode::Help, &key("q")), Some(Action::Back));
}

#[test]
fn default_keymap_has_k9s_operation_keys_and_a_confirm_table() {
    let k = Keymap::builtin("default").expect("default");
    for (s, a) in [
        ("s", Action::Scale),
        ("r", Action::Restart),
        ("R", Action::Redeploy),
        ("B", Action::Rollback),
        ("x", Action::Stop),
        ("u", Action::Start),
        ("p", Action::Operations),
        (">", Action::SortNext),
        ("<", Action::SortReverse),
    ] {
        assert_eq!(k.lookup(Mode::List, &key(s)), Some(a), "{s}");
    }
    for s in ["y", "enter"] {
        assert_eq!(
            k.lookup(Mode::Confirm, &key(s)),
            Some(Action::Confirm),
            "{s}"
        );
    }
    // q cancels a confirmation instead of quitting berth.
    for s in ["n", "esc", "q"] {
        assert_eq!(
            k.lookup(Mode::Confirm, &key(s)),
            Some(Action::Cancel),
            "{s}"
        );
    }
    assert_eq!(
        k.lookup(Mode::Operation, &key("x")),
        Some(Action::CancelOperation)
    );
    assert_eq!(k.lookup(Mode::Operation, &key("esc")), Some(Action::Back));
    assert_eq!(
        k.lookup(Mode::Operation, &key("backspace")),
        Some(Action::Back)
    );
}

#[test]
fn keymap_vim_by_name() {
    let dir = TempDir::new("vim");
    let cfg = config::load(&dir.paths(), None, Some("vim"), false);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let k = &cfg.keymap;
    assert_eq!(k.name, "vim");
    assert_eq!(k.lookup(Mode::List, &key("l")), Some(Action::Right));
    assert_eq!(k.lookup(Mode::List, &key("L")), Some(Action::Logs));
    assert_eq!(k.lookup(Mode::Logs, &key("ctrl-d")), Some(Action::PageDown));
    assert_eq!(k.lookup(Mode::List, &key("s")), Some(Action::Scale));
    assert_eq!(k.lookup(Mode::List, &key(">")), Some(Action::SortNext));
    assert_eq!(k.lookup(Mode::Confirm, &key("y")), Some(Action::Confirm));
    assert_eq!(
        k.lookup(Mode::Operation, &key("x")),
        Some(Action::CancelOperation)
    );
    let shifted_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(k.lookup(Mode::List, &shifted_g), Some(Action::End));

    // The user's keymap.toml still applies on top of a named keymap.
    dir.write("keymap.toml", "[list]\n\"x\" = \"logs\"\n");
    let cfg = config::load(&dir.paths(), None, Some("vim"), false);
    assert_eq!(cfg.keymap.lookup(Mode::List, &key("x")), Some(Action::Logs));
    assert_eq!(
        cfg.keymap.lookup(Mode::List, &key("l")),
        Some(Action::Right)
    );
}

#[test]
fn unknown_keymap_name_warns_and_uses_default() {
    let dir = TempDir::new("unknown");
    let cfg = config::load(&dir.paths(), None, Some("emacs"), false);
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    let w = &cfg.warnings[0];
    assert!(
        w.contains("emacs") && w.contains("default") && w.contains("vim"),
        "{w}"
    );
    assert_eq!(Some(cfg.keymap), Keymap::builtin("default"));
}

#[test]
fn keymap_file_path_is_merged_over_default() {
    let dir = TempDir::new("path");
    let file = dir.write("mine.toml", "[list]\n\"enter\" = \"logs\"\n");
    let cfg = config::load(&dir.paths(), None, file.to_str(), false);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    assert_eq!(cfg.keymap.name, "mine");
    assert_eq!(
        cfg.keymap.lookup(Mode::List, &key("enter")),
        Some(Action::Logs)
    );
    assert_eq!(cfg.keymap.lookup(Mode::List, &key("q")), Some(Action::Quit));

    let missing = dir.0.join("missing.toml");
    let cfg = config::load(&dir.paths(), None, missing.to_str(), false);
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    assert!(
        cfg.warnings[0].contains("missing.toml"),
        "{}",
        cfg.warnings[0]
    );
    assert_eq!(Some(cfg.keymap), Keymap::builtin("default"));
}
