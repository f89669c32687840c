//! The real binary run headless (no terminal on stdin), with a data dir of
//! its own so that the audit trail it writes is the test's alone.

use super::{berth_bin, unique_name};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A private data dir, so the audit file is this test's alone.
pub fn data_home(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique_name(&format!("berth-ops-{tag}")));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// `berth ARGS` with no terminal on stdin.
pub fn berth(home: &Path, args: &[&str]) -> Output {
    Command::new(berth_bin())
        .args(args)
        .env("XDG_DATA_HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("berth runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `-o json` printed: one object per line.
pub fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// The audit lines written under `home`, oldest first.
pub fn audit(home: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(home.join("berth").join("audit.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each audit line is JSON"))
        .collect()
}
