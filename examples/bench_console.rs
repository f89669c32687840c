//! Console benchmarks, driven by `scripts/bench`: berth (and oxker, the
//! comparison peer) in a pseudo-terminal against the real Docker engine,
//! read through a vt100 emulator as a user would see them.
//!
//! Measures time to the first full frame, idle CPU and terminal bytes,
//! peak memory, and log-follow throughput with key-to-frame latency, then
//! prints a Markdown table with each figure beside its budget.
//!
//! It is an example, not a test: `cargo test --all-targets` compiles it but
//! never runs it, so CI stays fast. Everything it creates on the engine is
//! labelled `berth.test=1` and `berth.bench=1` and removed when it ends
//! (the script's trap covers a ctrl-c).
//!
//! ```sh
//! cargo run --release --example bench_console -- --berth target/release/berth
//! ```

#[path = "support/measure.rs"]
#[allow(dead_code)]
mod measure;
#[path = "../tests/common/pty.rs"]
#[allow(dead_code, clippy::unwrap_used)]
mod pty;

use anyhow::{Context, Result, bail};
use clap::Parser;
use measure::{
    clk_tck, cpu_ticks, docker, foreign_events, home_env, in_parallel, median, ms, percentile,
    publish, quit, remove_containers, status_bytes, unix_now, usage_over, wait_quiet, wait_screen,
};
use pty::Tui;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const LABELS: [&str; 4] = ["--label", "berth.test=1", "--label", "berth.bench=1"];
const BENCH_FILTER: &str = "label=berth.bench=1";
const IMAGE: &str = "local/busybox:1";
/// Names sort before anything else the engine may hold, so berth (sorted
/// by name) shows the container that changes state on its first row.
const PREFIX: &str = "berth-bench-";
const HISTORY: &str = "berth-bench-history";
const HISTORY_LINES: u64 = 120_000;
/// berth's default `--log-buffer`, and its default `--log-tail`.
const RING: u64 = 100_000;
const TAIL: u64 = 1000;
const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Parser)]
#[command(about = "berth console benchmarks (run by scripts/bench)")]
struct Opts {
    /// The berth binary (a release build).
    #[arg(long)]
    berth: PathBuf,
    /// The oxker binary, the comparison peer.
    #[arg(long, default_value = "oxker")]
    oxker: PathBuf,
    /// Numbers of running containers to measure with.
    #[arg(long, value_delimiter = ',', default_value = "50,500")]
    ns: Vec<usize>,
    /// Runs per first-frame measurement (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Length of each idle window, seconds.
    #[arg(long, default_value_t = 30)]
    idle_secs: u64,
    /// Length of each log-follow period, seconds.
    #[arg(long, default_value_t = 10)]
    follow_secs: u64,
    /// Containers started at once during setup.
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// Terminal size for both programs.
    #[arg(long, default_value_t = 40)]
    rows: u16,
    #[arg(long, default_value_t = 160)]
    cols: u16,
    /// Also write the Markdown results here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let opts = Opts::parse();
    let started = Instant::now();
    // Removes the bench containers however main ends (error or panic).
    let _cleanup = Cleanup;
    remove_bench_containers();
    let mut report = Report::default();
    let home = tempdir("home")?;
    let mut bench = Bench {
        opts: &opts,
        home: &home,
        clk_tck: clk_tck(),
        report: &mut report,
        created: 0,
        last_created: Instant::now(),
    };
    for &n in &opts.ns {
        bench.containers(n)?;
    }
    // The per-N measurements leave the engine; the log ones need none of them.
    log("removing the per-N containers");
    remove_bench_containers();
    bench.log_history()?;
    bench.log_follow(Flood::Max)?;
    bench.log_follow(Flood::Steady)?;
    let _ = std::fs::remove_dir_all(&home);

    let md = report.markdown(&opts, started.elapsed());
    publish(&md, opts.out.as_deref())
}

// ---------------------------------------------------------------- engine

fn log(msg: &str) {
    eprintln!("[bench_console] {msg}");
}

fn count_containers(filter: Option<&str>) -> Result<usize> {
    let mut args = vec!["ps", "-aq"];
    if let Some(f) = filter {
        args.extend(["--filter", f]);
    }
    Ok(docker(&args)?.lines().count())
}

fn remove_bench_containers() {
    remove_containers(BENCH_FILTER);
}

struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        remove_bench_containers();
    }
}

/// `docker run -d` with the bench labels and `--init` (busybox `sh` as PID 1
/// ignores SIGTERM). No network: nothing here needs one and it starts faster.
fn run_container(name: &str, extra: &[&str], cmd: &[&str]) -> Result<()> {
    let mut args = vec!["run", "-d", "--name", name, "--network", "none", "--init"];
    args.extend(LABELS);
    args.extend(extra);
    args.push(IMAGE);
    args.extend(cmd);
    docker(&args).map(drop)
}

fn bench_name(i: usize) -> String {
    format!("{PREFIX}{i:04}")
}

/// Wall time of `docker ps -a`, the engine's floor for listing everything.
fn time_docker_ps() -> Result<Duration> {
    let t = Instant::now();
    let out = Command::new("docker")
        .args(["ps", "-a"])
        .stdout(Stdio::piped())
        .output()?;
    let d = t.elapsed();
    if !out.status.success() {
        bail!("docker ps -a failed");
    }
    Ok(d)
}

fn tempdir(tag: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("berth-bench-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

// ---------------------------------------------------------------- screens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Berth,
    Oxker,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Berth => "berth",
            Tool::Oxker => "oxker",
        }
    }

    /// Containers the list claims to show: berth's title is
    /// `containers(all)[T]`, oxker's `Containers i/T`.
    fn listed(self, screen: &str) -> Option<usize> {
        match self {
            Tool::Berth => number_after(screen, "containers(all)["),
            Tool::Oxker => {
                let at = screen.find("Containers ")? + "Containers ".len();
                let rest = &screen[at..];
                let slash = rest.find('/')?;
                // Only `digits/digits`: oxker's title before anything is listed differs.
                rest[..slash]
                    .chars()
                    .all(|c| c.is_ascii_digit())
                    .then(|| number_after(&rest[slash..], "/"))?
            }
        }
    }
}

/// The number right after the first `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<usize> {
    let at = text.find(prefix)? + prefix.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// berth's log title row: `┌ logs: NAME ── following │ N lines │ … ┐`.
fn log_title(screen: &str) -> Option<&str> {
    screen
        .lines()
        .find(|l| l.contains(" lines") && (l.contains("following") || l.contains("paused")))
}

/// Lines the view holds plus those it dropped: every line it received.
fn log_title_total(screen: &str) -> Option<u64> {
    let title = log_title(screen)?;
    Some(number_before(title, " lines")? + number_before(title, " dropped").unwrap_or(0))
}

fn log_title_lines(screen: &str) -> Option<u64> {
    number_before(log_title(screen)?, " lines")
}

/// The number written just before the first `word` in `text` ("… 42 lines").
fn number_before(text: &str, word: &str) -> Option<u64> {
    let head = &text[..text.find(word)?];
    let start = head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    head[start..].parse().ok()
}

/// The `ts` flag is among the title's `│`-separated parts.
fn log_title_ts(screen: &str) -> Option<bool> {
    let title = log_title(screen)?;
    Some(
        title
            .split('│')
            .any(|p| p.trim_matches(|c: char| !c.is_alphanumeric()) == "ts"),
    )
}

// ---------------------------------------------------------------- report

/// A figure and whether smaller is better (for the berth/oxker ratio).
#[derive(Debug, Clone, Copy)]
struct Fig {
    value: f64,
    unit: &'static str,
}

impl Fig {
    fn new(value: f64, unit: &'static str) -> Self {
        Fig { value, unit }
    }

    fn show(self) -> String {
        if self.value.is_nan() {
            return "n/a".into();
        }
        match self.unit {
            "ms" if self.value < 10.0 => format!("{:.1} ms", self.value),
            "ms" => format!("{:.0} ms", self.value),
            "%" => format!("{:.2} %", self.value),
            "MiB" => format!("{:.1} MiB", self.value),
            "B" => format!("{:.0} B", self.value),
            "lines/s" => format!("{:.0} lines/s", self.value),
            u => format!("{:.0} {u}", self.value),
        }
    }
}

#[derive(Debug)]
struct Row {
    measure: String,
    berth: Fig,
    budget: String,
    /// None: no absolute budget for this line.
    pass: Option<bool>,
    oxker: Option<Fig>,
}

#[derive(Debug, Default)]
struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    fn row(&mut self, measure: String, berth: Fig, budget: &str, pass: Option<bool>) {
        self.rows.push(Row {
            measure,
            berth,
            budget: budget.to_string(),
            pass,
            oxker: None,
        });
    }

    /// A row compared with oxker: smaller is better.
    fn vs(&mut self, measure: String, berth: Fig, oxker: Fig, budget: &str, pass: Option<bool>) {
        self.rows.push(Row {
            measure,
            berth,
            budget: budget.to_string(),
            pass,
            oxker: Some(oxker),
        });
    }

    fn note(&mut self, s: String) {
        log(&s);
        self.notes.push(s);
    }

    fn markdown(&self, opts: &Opts, took: Duration) -> String {
        let mut md = String::new();
        md.push_str(
            "| measure | berth | budget | result | oxker | berth/oxker | vs oxker |\n\
             |---|---:|---|---|---:|---:|---|\n",
        );
        for r in &self.rows {
            let result = match r.pass {
                Some(true) => "PASS",
                Some(false) => "**MISS**",
                None => "—",
            };
            let (ox, ratio, better) = match r.oxker {
                None => ("—".to_string(), "—".to_string(), "—"),
                Some(o) if o.value.is_nan() || r.berth.value.is_nan() => {
                    (o.show(), "n/a".into(), "n/a")
                }
                Some(o) => {
                    let ratio = if o.value == 0.0 {
                        if r.berth.value == 0.0 {
                            "1 (both 0)".to_string()
                        } else {
                            "∞".to_string()
                        }
                    } else {
                        format!("{:.2}", r.berth.value / o.value)
                    };
                    let better = if r.berth.value < o.value {
                        "PASS"
                    } else if r.berth.value == o.value {
                        "tie"
                    } else {
                        "**MISS**"
                    };
                    (o.show(), ratio, better)
                }
            };
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                r.measure,
                r.berth.show(),
                r.budget,
                result,
                ox,
                ratio,
                better
            ));
        }
        md.push_str(&format!(
            "\nParameters: N = {:?}, {} runs per first-frame figure (median), idle windows of {} s, \
             log follow periods of {} s, terminal {}x{} (cols x rows) for both programs; \
             the measurements took {:.0} s.\n",
            opts.ns,
            opts.runs,
            opts.idle_secs,
            opts.follow_secs,
            opts.cols,
            opts.rows,
            took.as_secs_f64()
        ));
        if !self.notes.is_empty() {
            md.push_str("\nObserved during the run:\n\n");
            for n in &self.notes {
                md.push_str(&format!("- {n}\n"));
            }
        }
        md
    }
}

// ---------------------------------------------------------------- bench

#[derive(Debug, Clone, Copy)]
enum Flood {
    /// `yes`: as fast as the container can write.
    Max,
    /// 1000-line batches every 100 ms: about 10k lines/s.
    Steady,
}

struct Bench<'a> {
    opts: &'a Opts,
    home: &'a Path,
    clk_tck: u64,
    report: &'a mut Report,
    /// Bench containers made so far (`berth-bench-0000` ...).
    created: usize,
    last_created: Instant,
}

impl Bench<'_> {
    /// Starts `tool` in a fresh pty with a private home (no user config).
    fn spawn(&self, tool: Tool, args: &[&str], extra_env: &[(&str, &str)]) -> Tui {
        let mut env = home_env(self.home.to_str().unwrap_or("/tmp")).to_vec();
        env.extend_from_slice(extra_env);
        let bin = match tool {
            Tool::Berth => &self.opts.berth,
            Tool::Oxker => &self.opts.oxker,
        };
        Tui::spawn(bin, args, &env, self.opts.rows, self.opts.cols)
    }

    /// Makes bench containers `created..n`, `parallel` at a time.
    fn create_up_to(&mut self, n: usize) -> Result<()> {
        if self.created >= n {
            return Ok(());
        }
        let t = Instant::now();
        in_parallel(n, self.created, self.opts.parallel, |i| {
            run_container(&bench_name(i), &[], &["sleep", "100000"])
        })?;
        log(&format!(
            "made containers {}..{n} in {:.1} s",
            self.created,
            t.elapsed().as_secs_f64()
        ));
        self.created = n;
        self.last_created = Instant::now();
        Ok(())
    }

    /// Another user of a shared engine may remove labelled containers
    /// (`scripts/testbed down` removes every `berth.test=1`): say so loudly.
    fn check_intact(&self) -> Result<()> {
        let have = count_containers(Some(BENCH_FILTER))?;
        if have != self.created {
            bail!(
                "{have} bench containers on the engine, expected {}: someone removed or added \
                 labelled containers during the run (scripts/testbed down?)",
                self.created
            );
        }
        Ok(())
    }

    /// Process start → first screen whose list holds at least `n` containers.
    fn first_frame(&self, tool: Tool, n: usize) -> Result<(Duration, usize)> {
        let t0 = Instant::now();
        let tui = self.spawn(tool, &[], &[]);
        let mut listed = 0;
        let seen = wait_screen(&tui, Duration::from_secs(120), |s| {
            listed = tool.listed(s).unwrap_or(0);
            listed >= n
        });
        let took = seen.map(|t| t - t0);
        let screen = tui.screen_text();
        quit(tui);
        match took {
            Some(d) => Ok((d, listed)),
            None => bail!(
                "{} did not list {n} containers within 120 s; screen:\n{screen}",
                tool.name()
            ),
        }
    }

    /// All measurements for `n` running bench containers.
    fn containers(&mut self, n: usize) -> Result<()> {
        log(&format!("== N = {n}"));
        self.create_up_to(n)?;
        self.check_intact()?;
        let total = count_containers(None)?;
        if total > n {
            self.report.note(format!(
                "N={n}: the engine held {} other container(s) besides the bench ones",
                total - n
            ));
        }

        // 1. First full frame, interleaved so drifting machine load hits both.
        let mut ps = Vec::new();
        let _ = time_docker_ps()?; // warm the CLI and the engine's caches
        for _ in 0..self.opts.runs.max(5) {
            ps.push(ms(time_docker_ps()?));
        }
        let (mut berth, mut oxker) = (Vec::new(), Vec::new());
        for run in 0..self.opts.runs {
            let (b, bl) = self.first_frame(Tool::Berth, n)?;
            let (o, ol) = self.first_frame(Tool::Oxker, n)?;
            log(&format!(
                "first frame run {run}: berth {:.0} ms ({bl} listed), oxker {:.0} ms ({ol} listed)",
                ms(b),
                ms(o)
            ));
            berth.push(ms(b));
            oxker.push(ms(o));
        }
        self.check_intact()?;
        let ps_med = median(&ps);
        let (b_med, o_med) = (median(&berth), median(&oxker));
        self.report.row(
            format!("`docker ps -a` (engine floor), N={n}"),
            Fig::new(ps_med, "ms"),
            "—",
            None,
        );
        let (budget, pass) = if n >= 500 {
            (
                format!("≤ 2 × docker ps -a = {:.0} ms", 2.0 * ps_med),
                Some(b_med <= 2.0 * ps_med),
            )
        } else {
            ("—".to_string(), None)
        };
        self.report.vs(
            format!("first full frame, N={n}"),
            Fig::new(b_med, "ms"),
            Fig::new(o_med, "ms"),
            &budget,
            pass,
        );
        self.report.note(format!(
            "N={n} first frame (ms, all runs): berth {berth:.0?}, oxker {oxker:.0?}, docker ps -a {ps:.0?}"
        ));

        // 2. Idle. berth re-renders ages each second while a container is
        // under a minute old: wait until the youngest is older than that, so
        // "nothing changes" really holds.
        let age_ok = self.last_created + Duration::from_secs(62);
        if let Some(wait) = age_ok.checked_duration_since(Instant::now()) {
            log(&format!(
                "waiting {:.0} s until every container is over a minute old",
                wait.as_secs_f64()
            ));
            std::thread::sleep(wait);
        }
        // Both programs run side by side through the same windows: the
        // engine changes the same way for both, and it halves the run time.
        let tb = self.spawn(Tool::Berth, &[], &[]);
        let to = self.spawn(Tool::Oxker, &[], &[]);
        for (tool, tui) in [(Tool::Berth, &tb), (Tool::Oxker, &to)] {
            if wait_screen(tui, Duration::from_secs(120), |s| {
                tool.listed(s).unwrap_or(0) >= n
            })
            .is_none()
            {
                bail!(
                    "{} did not list {n} containers for the idle run",
                    tool.name()
                );
            }
        }
        std::thread::sleep(Duration::from_secs(5));
        // berth fills restart counts in the background: let that finish.
        let (settle, quiet) = wait_quiet(&tb, Duration::from_secs(2), Duration::from_secs(30));
        self.report.note(format!(
            "N={n}: berth's screen was {} {:.1} s after the 5 s settle time",
            if quiet { "quiet" } else { "still changing" },
            settle.as_secs_f64()
        ));
        let pids = [
            tb.pid().context("berth pid")?,
            to.pid().context("oxker pid")?,
        ];
        let still = self.window(&[&tb, &to], None)?;
        let churn = self.window(&[&tb, &to], Some(&bench_name(0)))?;
        let hwm = [
            status_bytes(pids[0], "VmHWM")? as f64 / MIB,
            status_bytes(pids[1], "VmHWM")? as f64 / MIB,
        ];
        quit(tb);
        quit(to);
        self.check_intact()?;

        let secs = self.opts.idle_secs;
        self.report.vs(
            format!("idle CPU, nothing changes, N={n}"),
            Fig::new(still.cpu[0], "%"),
            Fig::new(still.cpu[1], "%"),
            "≤ 0.5 % of a core",
            Some(still.cpu[0] <= 0.5),
        );
        self.report.vs(
            format!("idle terminal bytes / {secs} s, nothing changes, N={n}"),
            Fig::new(still.bytes[0] as f64, "B"),
            Fig::new(still.bytes[1] as f64, "B"),
            "0 B",
            Some(still.bytes[0] == 0),
        );
        self.report.vs(
            format!("CPU, 1 container paused/unpaused each second, N={n}"),
            Fig::new(churn.cpu[0], "%"),
            Fig::new(churn.cpu[1], "%"),
            "—",
            None,
        );
        self.report.vs(
            format!("terminal bytes / {secs} s, 1 container changing, N={n}"),
            Fig::new(churn.bytes[0] as f64, "B"),
            Fig::new(churn.bytes[1] as f64, "B"),
            "—",
            None,
        );
        for (what, w) in [
            ("nothing changes", &still),
            ("1 container changing", &churn),
        ] {
            if w.foreign_events > 0 {
                self.report.note(format!(
                    "N={n}, idle window \"{what}\": the engine reported {} event(s) about \
                     non-bench objects (another user of the engine): berth redraws for them",
                    w.foreign_events
                ));
            }
        }

        // 3. Memory with N containers, after the idle period.
        let budget = if n >= 500 {
            "≤ 40 MiB"
        } else {
            "≤ 40 MiB (the N=500 budget)"
        };
        self.report.vs(
            format!("peak RSS (VmHWM), N={n}"),
            Fig::new(hwm[0], "MiB"),
            Fig::new(hwm[1], "MiB"),
            budget,
            Some(hwm[0] <= 40.0),
        );
        Ok(())
    }

    /// One idle window over both programs; with `churn`, a thread pauses
    /// and unpauses that container every second meanwhile.
    fn window(&self, tuis: &[&Tui], churn: Option<&str>) -> Result<Window> {
        let stop = Arc::new(AtomicBool::new(false));
        let churner = churn.map(|name| {
            let (stop, name) = (stop.clone(), name.to_string());
            std::thread::spawn(move || {
                let mut paused = false;
                let mut next = Instant::now();
                while !stop.load(Ordering::SeqCst) {
                    let verb = if paused { "unpause" } else { "pause" };
                    if docker(&[verb, &name]).is_ok() {
                        paused = !paused;
                    }
                    next += Duration::from_secs(1);
                    if let Some(d) = next.checked_duration_since(Instant::now()) {
                        std::thread::sleep(d);
                    }
                }
                if paused {
                    let _ = docker(&["unpause", &name]);
                }
            })
        });
        if churn.is_some() {
            // The first change lands before the window opens.
            std::thread::sleep(Duration::from_secs(2));
        }
        let label = if churn.is_some() { "changing" } else { "still" };
        log(&format!("idle window ({label}), {} s", self.opts.idle_secs));
        let since = unix_now();
        let used = usage_over(tuis, Duration::from_secs(self.opts.idle_secs))?;
        let until = unix_now();
        stop.store(true, Ordering::SeqCst);
        if let Some(h) = churner {
            let _ = h.join();
        }
        let w = Window {
            cpu: [used[0].0, used[1].0],
            bytes: [used[0].1, used[1].1],
            foreign_events: foreign_events(since, until, PREFIX),
        };
        log(&format!("  {w:?}"));
        Ok(w)
    }

    /// Opens berth's log view on `name`: filter the list to it, then `l`.
    fn berth_logs(&self, tui: &mut Tui, name: &str) -> Result<Instant> {
        if wait_screen(tui, Duration::from_secs(30), |s| {
            Tool::Berth.listed(s).is_some()
        })
        .is_none()
        {
            bail!("berth showed no container list:\n{}", tui.screen_text());
        }
        tui.send("/");
        tui.send(name);
        tui.key("enter");
        // A filtered list's title reads `containers(all)[shown/total]`.
        if wait_screen(tui, Duration::from_secs(10), |s| {
            s.contains("containers(all)[1/")
        })
        .is_none()
        {
            bail!(
                "berth's filter did not narrow to {name}:\n{}",
                tui.screen_text()
            );
        }
        let t = Instant::now();
        tui.send("l");
        if wait_screen(tui, Duration::from_secs(30), |s| log_title(s).is_some()).is_none() {
            bail!(
                "berth opened no log view for {name}:\n{}",
                tui.screen_text()
            );
        }
        Ok(t)
    }

    /// Measure 3, logs: peak RSS once 100k lines are in the log view, berth and oxker.
    fn log_history(&mut self) -> Result<()> {
        log("== 100k log lines");
        // ~85-byte logfmt lines, like a busy service's access log.
        let script = format!(
            "awk 'BEGIN{{for(i=1;i<={HISTORY_LINES};i++) printf \"level=info msg=\\\"request served\\\" \
             id=%d path=/api/orders/%d status=200 dur=%dms\\n\", i, i%977, i%113}}'; exec sleep 100000"
        );
        run_container(HISTORY, &[], &["sh", "-c", &script])?;
        let full = || {
            docker(&["logs", "--tail", "1", HISTORY])
                .map(|l| l.contains(&format!("id={HISTORY_LINES} ")))
                .unwrap_or(false)
        };
        let t = Instant::now();
        while !full() {
            if t.elapsed() > Duration::from_secs(60) {
                bail!("{HISTORY} did not write its {HISTORY_LINES} lines within 60 s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }

        let spawned = Instant::now();
        let mut tb = self.spawn(Tool::Berth, &["--log-tail", "200000"], &[]);
        let opened = self.berth_logs(&mut tb, HISTORY)?;
        let loaded = wait_screen(&tb, Duration::from_secs(60), |s| {
            log_title_lines(s).is_some_and(|n| n >= RING)
        })
        .context("berth's log title never reached 100000 lines")?;
        std::thread::sleep(Duration::from_secs(1));
        let b_hwm = status_bytes(tb.pid().context("pid")?, "VmHWM")? as f64 / MIB;
        self.report.note(format!(
            "berth loaded {HISTORY_LINES} lines of history (ring keeps {RING}) in {:.0} ms after `l`, \
             {:.0} ms after it started",
            ms(loaded - opened),
            ms(loaded - spawned)
        ));
        quit(tb);

        // oxker keeps the whole history of the selected container; its log
        // panel title reads `Logs i/T`. Filter the list to the container.
        let spawned = Instant::now();
        let mut to = self.spawn(Tool::Oxker, &[], &[]);
        let o_hwm = if wait_screen(&to, Duration::from_secs(60), |s| {
            Tool::Oxker.listed(s).is_some()
        })
        .is_some()
        {
            to.send("/");
            to.send(HISTORY);
            to.key("enter");
            let seen = wait_screen(&to, Duration::from_secs(60), |s| {
                s.contains(HISTORY)
                    && number_after_all(s, "Logs ").is_some_and(|n| n >= RING as usize)
            });
            match seen {
                Some(at) => {
                    std::thread::sleep(Duration::from_secs(1));
                    self.report.note(format!(
                        "oxker showed ≥ {RING} lines in its log panel {:.0} ms after it started",
                        ms(at - spawned)
                    ));
                    status_bytes(to.pid().context("pid")?, "VmHWM")? as f64 / MIB
                }
                None => {
                    self.report.note(format!(
                        "oxker never showed ≥ {RING} log lines; screen:\n\n```\n{}\n```",
                        to.screen_text()
                    ));
                    f64::NAN
                }
            }
        } else {
            f64::NAN
        };
        quit(to);
        let _ = docker(&["rm", "-f", HISTORY]);
        self.report.vs(
            "peak RSS (VmHWM), 100k log lines in the log view".into(),
            Fig::new(b_hwm, "MiB"),
            Fig::new(o_hwm, "MiB"),
            "≤ 80 MiB",
            Some(b_hwm <= 80.0),
        );
        Ok(())
    }

    /// Measure 4: berth follows a chatty container, throughput from its own
    /// counters, dropped-line accounting, memory and key-to-frame latency.
    fn log_follow(&mut self, kind: Flood) -> Result<()> {
        let (name, label, script) = match kind {
            Flood::Max => (
                "berth-bench-flood",
                "as fast as it can (`yes`)",
                // 80 characters, a plausible service line.
                "yes '2024-05-01T12:00:00Z INFO  api::orders served GET /api/orders/4711 200 12ms ok'"
                    .to_string(),
            ),
            Flood::Steady => (
                "berth-bench-steady",
                "~10k lines/s (1000-line batches every 100 ms)",
                "while true; do awk 'BEGIN{for(i=0;i<1000;i++) printf \"2024-05-01T12:00:00Z \
                 INFO  api::orders served GET /api/orders/%06d 200 12ms\\n\", i}'; usleep 100000; done"
                    .to_string(),
            ),
        };
        log(&format!("== log follow: {label}"));
        // Rotated json-file logs keep the disk bounded under `yes`.
        run_container(
            name,
            &["--log-opt", "max-size=50m", "--log-opt", "max-file=2"],
            &["sh", "-c", &script],
        )?;
        std::thread::sleep(Duration::from_secs(2));
        let secs = self.opts.follow_secs;
        let stats_dir = tempdir("stats")?;
        let stats = stats_dir.join(format!("{name}.json"));
        let stats_s = stats.to_str().context("utf-8 temp path")?;
        let mut tui = self.spawn(Tool::Berth, &[], &[("BERTH_STATS", stats_s)]);
        let pid = tui.pid().context("berth pid")?;
        let opened = self.berth_logs(&mut tui, name)?;

        // Key-to-frame: `t` toggles the title's `ts` flag; time each press
        // until the emulated screen shows the new state. Between presses,
        // sample the title's `N lines │ D dropped` (lines the view got) and RSS.
        let presses = 20u32;
        let gap = Duration::from_secs(secs) / (presses + 1);
        let cpu0 = cpu_ticks(pid)?;
        let mut lat = Vec::new();
        let mut timeouts = 0;
        let mut rss = Vec::new();
        let mut seen: Vec<(Instant, u64)> = Vec::new();
        let mut first_new: Option<Instant> = None;
        let end = opened + Duration::from_secs(secs);
        let mut next_press = opened + gap;
        let mut next_rss = Instant::now();
        while Instant::now() < end {
            let screen = tui.screen_text();
            if let Some(total) = log_title_total(&screen) {
                seen.push((Instant::now(), total));
                if total > TAIL && first_new.is_none() {
                    first_new = Some(Instant::now());
                }
            }
            if Instant::now() >= next_rss {
                rss.push(status_bytes(pid, "VmRSS")? as f64 / MIB);
                next_rss += Duration::from_millis(500);
            }
            if lat.len() + timeouts < presses as usize && Instant::now() >= next_press {
                let before = log_title_ts(&screen).unwrap_or(false);
                let t = Instant::now();
                tui.send("t");
                match wait_screen(&tui, Duration::from_secs(2), |s| {
                    log_title_ts(s).is_some_and(|ts| ts != before)
                }) {
                    Some(at) => lat.push(ms(at - t)),
                    None => timeouts += 1,
                }
                next_press += gap;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let cpu = (cpu_ticks(pid)? - cpu0) as f64 / self.clk_tck as f64;
        rss.push(status_bytes(pid, "VmRSS")? as f64 / MIB);
        let hwm = status_bytes(pid, "VmHWM")? as f64 / MIB;
        let title = tui
            .screen_text()
            .lines()
            .find(|l| log_title(l).is_some())
            .unwrap_or_default()
            .trim()
            .to_string();
        // Steady state: the second half of the period, from the title.
        let half = opened + Duration::from_secs(secs) / 2;
        let steady = match (seen.iter().find(|(t, _)| *t >= half), seen.last()) {
            (Some(&(t0, n0)), Some(&(t1, n1))) if t1 > t0 => {
                n1.saturating_sub(n0) as f64 / (t1 - t0).as_secs_f64()
            }
            _ => f64::NAN,
        };
        let followed = opened.elapsed();
        quit(tui);
        let json = std::fs::read_to_string(&stats)
            .with_context(|| format!("berth wrote no stats to {}", stats.display()))?;
        let _ = std::fs::remove_dir_all(&stats_dir);
        let v: serde_json::Value = serde_json::from_str(&json).context("stats json")?;
        let counter = |k: &str| v[k].as_u64().unwrap_or_default();
        let (lines, dropped) = (counter("log_lines"), counter("log_dropped"));
        // The history the view opened with is not part of the follow rate.
        let rate = lines.saturating_sub(TAIL) as f64 / followed.as_secs_f64();

        // Docker's own floor: `docker logs -f -t` on the same container, alone.
        let floor = docker_follow_rate(name, Duration::from_secs(secs))?;
        let _ = docker(&["rm", "-f", name]);

        let short = match kind {
            Flood::Max => "max rate",
            Flood::Steady => "~10k/s",
        };
        let max = matches!(kind, Flood::Max);
        self.report.row(
            format!("log follow, {short}: lines/s berth received (its counters, whole period)"),
            Fig::new(rate, "lines/s"),
            if max { "≥ 50000 lines/s" } else { "—" },
            max.then_some(rate >= 50_000.0),
        );
        self.report.row(
            format!("log follow, {short}: lines/s, second half of the period (log title)"),
            Fig::new(steady, "lines/s"),
            if max { "≥ 50000 lines/s" } else { "—" },
            max.then_some(steady >= 50_000.0),
        );
        self.report.row(
            format!("log follow, {short}: `docker logs -f -t` alone (engine floor)"),
            Fig::new(floor, "lines/s"),
            "—",
            None,
        );
        self.report.row(
            format!("log follow, {short}: `l` → first followed line on screen"),
            Fig::new(first_new.map(|t| ms(t - opened)).unwrap_or(f64::NAN), "ms"),
            "—",
            None,
        );
        self.report.row(
            format!("log follow, {short}: berth CPU while following"),
            Fig::new(cpu / followed.as_secs_f64() * 100.0, "%"),
            "—",
            None,
        );
        let (p50, p95) = (median(&lat), percentile(&lat, 95.0));
        self.report.row(
            format!("log follow, {short}: key-to-frame median"),
            Fig::new(p50, "ms"),
            "≤ 50 ms",
            Some(timeouts == 0 && p50 <= 50.0),
        );
        self.report.row(
            format!("log follow, {short}: key-to-frame p95"),
            Fig::new(p95, "ms"),
            "≤ 50 ms",
            Some(timeouts == 0 && p95 <= 50.0),
        );
        self.report.row(
            format!("log follow, {short}: peak RSS (VmHWM)"),
            Fig::new(hwm, "MiB"),
            "bounded by the ring: ≤ 80 MiB",
            Some(hwm <= 80.0),
        );
        let expected_dropped = lines.saturating_sub(RING);
        self.report.row(
            format!("log follow, {short}: dropped lines counted (log_dropped)"),
            Fig::new(dropped as f64, "lines"),
            &format!("= lines − ring = {expected_dropped}"),
            Some(dropped == expected_dropped),
        );
        // One RSS sample a second is enough to see whether it levels off.
        let rss_s: Vec<f64> = rss.iter().step_by(2).copied().collect();
        self.report.note(format!(
            "log follow {label}: berth received {lines} lines in {:.1} s ({TAIL} of them history) \
             using {cpu:.2} s of CPU ({:.0} lines per CPU-second); log_dropped = {dropped}, \
             lines − ring ({RING}) = {expected_dropped} → {}; RSS each second {rss_s:.1?} MiB; \
             key presses {}, timeouts {timeouts}, latencies {lat:.0?} ms; final title `{title}`",
            followed.as_secs_f64(),
            lines.saturating_sub(TAIL) as f64 / cpu.max(0.01),
            if dropped == expected_dropped {
                "match"
            } else {
                "MISMATCH"
            },
            lat.len() + timeouts,
        ));
        Ok(())
    }
}

/// The number after the last `prefix` followed by `i/` in `text`: oxker's
/// log title `Logs i/T` gives T.
fn number_after_all(text: &str, prefix: &str) -> Option<usize> {
    text.match_indices(prefix).find_map(|(at, _)| {
        let rest = &text[at + prefix.len()..];
        let slash = rest.find('/')?;
        if slash == 0 || !rest[..slash].chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        number_after(&rest[slash..], "/")
    })
}

#[derive(Debug)]
struct Window {
    /// % of one core: berth, oxker.
    cpu: [f64; 2],
    bytes: [u64; 2],
    foreign_events: usize,
}

/// Lines/s `docker logs -f -t --tail 0` delivers for `period`.
fn docker_follow_rate(name: &str, period: Duration) -> Result<f64> {
    use std::io::Read;
    let mut child = Command::new("docker")
        // berth asks for timestamps too: the same work for the engine.
        .args(["logs", "-f", "-t", "--tail", "0", name])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("docker logs -f")?;
    let mut out = child.stdout.take().context("docker logs stdout")?;
    let count = Arc::new(AtomicUsize::new(0));
    let reader = {
        let count = count.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let nl = buf[..n].iter().filter(|&&b| b == b'\n').count();
                count.fetch_add(nl, Ordering::SeqCst);
            }
        })
    };
    let t = Instant::now();
    std::thread::sleep(period);
    let lines = count.load(Ordering::SeqCst);
    let took = t.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    Ok(lines as f64 / took.as_secs_f64())
}

#[cfg(test)]
mod title_tests {
    use super::*;

    #[test]
    fn counts_are_read_from_a_log_title() {
        let screen = "x\n┌ logs: flood ──── following │ 100000 lines │ 325103 dropped ┐\ny";
        assert_eq!(log_title_lines(screen), Some(100_000));
        assert_eq!(log_title_total(screen), Some(425_103));
        let quiet = "┌ logs: a ─ paused │ 86538 lines ┐";
        assert_eq!(log_title_total(quiet), Some(86_538));
        assert_eq!(log_title_lines("no title here"), None);
    }
}
