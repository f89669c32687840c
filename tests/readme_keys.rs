//! The README's key table agrees with the shipped default keymap: every
//! action bound in it has a row, and every key bound to it is in that row.

use berth::app::Action;
use berth::config::{Keymap, Mode};

#[test]
fn readme_key_table_matches_the_default_keymap() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    let keymap = Keymap::builtin("default").expect("default keymap");
    let mut missing = Vec::new();
    for &action in Action::ALL {
        let name = format!("`{}`", action.name());
        let Some(row) = rows
            .iter()
            .find(|r| r.split('|').nth(1).is_some_and(|c| c.contains(&name)))
        else {
            missing.push(format!("no row for {name}"));
            continue;
        };
        for mode in [Mode::Global, Mode::List, Mode::Logs] {
            for key in keymap.keys_for(mode, action) {
                if !row.contains(&format!("`{key}`")) {
                    missing.push(format!("{name}: key `{key}` ({mode:?}) not in its row"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "README and keymaps/default.toml disagree:\n{}",
        missing.join("\n")
    );
}
