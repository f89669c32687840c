//! Measuring helpers shared by the benchmark drivers (`#[path]`-included:
//! a file here is not an example of its own).

use super::pty::Tui;
use anyhow::{Context, Result};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn clk_tck() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

/// utime + stime of the whole process (all threads), in clock ticks.
pub fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces: fields are counted after its ')'.
    let rest = stat.rsplit_once(')').context("malformed stat")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11).context("no utime")?.parse()?;
    let stime: u64 = f.get(12).context("no stime")?.parse()?;
    Ok(utime + stime)
}

/// Waits until the terminal has been quiet for `quiet`, at most `max`.
/// Returns how long it waited and whether it became quiet.
pub fn wait_quiet(tui: &Tui, quiet: Duration, max: Duration) -> (Duration, bool) {
    let start = Instant::now();
    let mut last = tui.bytes_received();
    let mut since = Instant::now();
    while start.elapsed() < max {
        std::thread::sleep(Duration::from_millis(50));
        let b = tui.bytes_received();
        if b != last {
            last = b;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return (start.elapsed(), true);
        }
    }
    (start.elapsed(), false)
}

pub fn quit(mut tui: Tui) {
    tui.send("q");
    if tui.wait_exit(Duration::from_secs(5)).is_none() {
        tui.kill();
    }
}

pub fn median(v: &[f64]) -> f64 {
    percentile(v, 50.0)
}

/// Nearest-rank percentile; NaN for no samples.
pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
