//! Measuring helpers shared by the benchmark drivers (`#[path]`-included:
//! a file here is not an example of its own).

use super::pty::Tui;
use anyhow::{Context, Result, bail};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// A `/proc/PID/status` field in bytes (VmHWM, VmRSS).
pub fn status_bytes(pid: u32, key: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
        .with_context(|| format!("no {key} in /proc/{pid}/status"))?;
    let kib: u64 = line[key.len() + 1..]
        .split_whitespace()
        .next()
        .context("empty field")?
        .parse()?;
    Ok(kib * 1024)
}

/// What each program cost over `window`, measured from now: CPU in % of
/// one core (utime + stime from /proc) and bytes written to its terminal.
pub fn usage_over(tuis: &[&Tui], window: Duration) -> Result<Vec<(f64, u64)>> {
    let pids = tuis
        .iter()
        .map(|t| t.pid().context("the program's pid"))
        .collect::<Result<Vec<u32>>>()?;
    let t0 = Instant::now();
    let start = pids
        .iter()
        .zip(tuis)
        .map(|(&pid, t)| Ok((cpu_ticks(pid)?, t.bytes_received())))
        .collect::<Result<Vec<_>>>()?;
    std::thread::sleep(window);
    let tck = clk_tck() as f64;
    let mut out = Vec::new();
    for ((&pid, t), (c0, b0)) in pids.iter().zip(tuis).zip(start) {
        let (c1, b1) = (cpu_ticks(pid)?, t.bytes_received());
        let wall = t0.elapsed().as_secs_f64();
        out.push(((c1 - c0) as f64 / tck / wall * 100.0, b1 - b0));
    }
    Ok(out)
}

/// The environment of a private home, so no user config, keymap or state
/// of the machine's user reaches the program measured.
pub fn home_env(home: &str) -> [(&'static str, &str); 5] {
    [
        ("HOME", home),
        ("BERTH_CONFIG_DIR", home),
        ("XDG_CONFIG_HOME", home),
        ("XDG_STATE_HOME", home),
        ("XDG_DATA_HOME", home),
    ]
}

/// Polls the emulated screen each time new output arrives (and every
/// millisecond otherwise) until `pred` holds; the instant it was seen.
pub fn wait_screen(
    tui: &Tui,
    timeout: Duration,
    mut pred: impl FnMut(&str) -> bool,
) -> Option<Instant> {
    let deadline = Instant::now() + timeout;
    let mut seen = u64::MAX;
    loop {
        let bytes = tui.bytes_received();
        if bytes != seen {
            seen = bytes;
            if pred(&tui.screen_text()) {
                return Some(Instant::now());
            }
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
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

/// Runs `cmd` (stdin from /dev/null): its trimmed stdout; an error carries stderr.
pub fn run_ok(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `docker ARGS`: trimmed stdout; an error carries stderr.
pub fn docker(args: &[&str]) -> Result<String> {
    run_ok(Command::new("docker").args(args))
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Engine events in [since, until] about objects whose name does not hold
/// `ours`: other users of a shared engine can make a "nothing changes"
/// window busy.
pub fn foreign_events(since: u64, until: u64, ours: &str) -> usize {
    docker(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &until.to_string(),
        "--format",
        "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}",
    ])
    .map(|s| s.lines().filter(|l| !l.contains(ours)).count())
    .unwrap_or_default()
}

/// Prints a driver's Markdown and writes it to `out` when given.
pub fn publish(md: &str, out: Option<&std::path::Path>) -> Result<()> {
    println!("{md}");
    if let Some(out) = out {
        std::fs::write(out, md).with_context(|| format!("write {}", out.display()))?;
    }
    Ok(())
}

/// Seconds with two decimals, for the raw runs of a report.
pub fn rounded(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| (x * 100.0).round() / 100.0).collect()
}

/// The first unix second ≥ `now` (and a minute after the last one was
/// made) from which a window of `secs` (plus a few seconds of settling
/// before and after) sees no given age turn a minute: berth
/// shows ages in whole minutes past the first one.
pub fn quiet_start(created: &[u64], now: u64, secs: u64) -> u64 {
    let earliest = now.max(created.iter().max().copied().unwrap_or(now) + 62);
    let calm = |t: u64| {
        created
            .iter()
            .all(|&c| (t - 3 - c) / 60 == (t + secs + 3 - c) / 60)
    };
    (earliest..earliest + 120)
        .find(|&t| calm(t))
        .unwrap_or(earliest)
}

/// Runs `job(i)` for every i in `0..n`, `workers` at a time (threads each
/// taking the next index); stops handing out work at the first error and
/// returns it.
pub fn in_parallel(
    n: usize,
    start: usize,
    workers: usize,
    job: impl Fn(usize) -> Result<()> + Send + Sync + 'static,
) -> Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = Arc::new(AtomicUsize::new(start));
    let failed = Arc::new(AtomicBool::new(false));
    let job = Arc::new(job);
    let handles: Vec<_> = (0..workers.max(1))
        .map(|_| {
            let (next, failed, job) = (next.clone(), failed.clone(), job.clone());
            std::thread::spawn(move || -> Result<()> {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n || failed.load(Ordering::SeqCst) {
                        return Ok(());
                    }
                    if let Err(e) = job(i) {
                        failed.store(true, Ordering::SeqCst);
                        return Err(e);
                    }
                }
            })
        })
        .collect();
    let mut first_err = None;
    for h in handles {
        let r = h
            .join()
            .map_err(|_| anyhow::anyhow!("a worker thread panicked"))
            .and_then(|r| r);
        if let Err(e) = r {
            first_err.get_or_insert(e);
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// Removes every container `docker ps -a --filter FILTER` lists, in batches
/// of 50 one after another: batches keep the command line short, and ten
/// `rm -f` of 50 at once once left this engine (20.10, fuse-overlayfs)
/// deadlocked.
pub fn remove_containers(filter: &str) {
    let Ok(ids) = docker(&["ps", "-aq", "--filter", filter]) else {
        return;
    };
    let ids: Vec<&str> = ids.lines().collect();
    for chunk in ids.chunks(50) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v"])
            .args(chunk)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
