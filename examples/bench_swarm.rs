//! Swarm benchmarks, driven by `scripts/bench`: berth on a swarm manager
//! beside the docker CLI, on the test bed's swarm (the host's engine as
//! manager, workers `berth-worker1/2`) with 30 services in 6 stacks and 150
//! tasks. Measures the first full frame of the services view against
//! `docker service ls` + `docker node ls`, what the open services view
//! costs while nothing changes, and `berth scale` against `docker service
//! scale`, then prints a Markdown section.
//!
//! It is an example, not a test: CI compiles it but never runs it. Every
//! service it makes is named `berthbench…` and labelled `berth.test=1` and
//! `berth.bench=1` (its tasks' containers too), and removed when it ends;
//! `scripts/bench` removes them too if the run is interrupted.
//!
//! ```sh
//! cargo run --release --example bench_swarm -- --berth target/release/berth
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
    docker, foreign_events, home_env, median, ms, publish, quiet_start, quit, rounded, run_ok,
    status_bytes, unix_now, usage_over, wait_quiet, wait_screen,
};
use pty::Tui;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const IMAGE: &str = "local/busybox:1";
/// Every stack and service name starts with it.
const PREFIX: &str = "berthbench";
const BENCH_FILTER: &str = "label=berth.bench=1";
const STACKS: usize = 6;
/// The services of each stack (`berthbenchK_api` ... in stack `berthbenchK`).
const SERVICES: [&str; 5] = ["api", "web", "worker", "cache", "queue"];
const REPLICAS: u32 = 5;
/// The service scaled in the scale runs, made after the console runs so
/// that they see exactly the 30 services.
const SCALE_STACK: &str = "berthbench7";
const SCALE_SERVICE: &str = "scaled";
const SCALE_TO: u32 = 10;
const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Parser)]
#[command(about = "berth swarm benchmarks (run by scripts/bench)")]
struct Opts {
    /// The berth binary (a release build).
    #[arg(long)]
    berth: PathBuf,
    /// Runs of each first-frame and scale measurement (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Length of the idle window with the services view open, seconds.
    #[arg(long, default_value_t = 30)]
    idle_secs: u64,
    /// Terminal size for berth.
    #[arg(long, default_value_t = 50)]
    rows: u16,
    #[arg(long, default_value_t = 200)]
    cols: u16,
    /// Also write the Markdown section here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let mut opts = Opts::parse();
    // The pty spawns by absolute path or from PATH.
    opts.berth = std::fs::canonicalize(&opts.berth)
        .with_context(|| format!("berth binary {}", opts.berth.display()))?;
    let started = Instant::now();
    let nodes = swarm_nodes()?;
    let home = std::env::temp_dir().join(format!("berth-bench-swarm-{}", std::process::id()));
    // Removes the bench services and berth's home however main ends (error or panic).
    let _cleanup = Cleanup { home: home.clone() };
    remove_bench_services();
    std::fs::create_dir_all(&home)?;
    let mut report = Report::default();
    let created = deploy()?;
    report.note(tasks_per_node()?);
    let nodes_now = docker(&["node", "ls", "--format", "{{.Hostname}} {{.Status}}"])?;
    if nodes_now.lines().collect::<Vec<_>>() != nodes {
        report.note(format!(
            "the nodes changed during the setup: now {}",
            nodes_now.replace('\n', ", ")
        ));
    }
    let others = docker(&["service", "ls", "-q"])?
        .lines()
        .count()
        .saturating_sub(STACKS * SERVICES.len());
    if others > 0 {
        report.note(format!(
            "the swarm held {others} other service(s) besides the bench ones; berth lists them too"
        ));
    }
    let bench = Bench {
        opts: &opts,
        home: &home,
    };
    bench.first_frame(&mut report)?;
    bench.idle(&created, &mut report)?;
    bench.scale(&mut report)?;

    let md = report.markdown(&opts, &nodes, started.elapsed());
    publish(&md, opts.out.as_deref())
}

fn log(msg: &str) {
    eprintln!("[bench_swarm] {msg}");
}

// ---------------------------------------------------------------- swarm

/// The nodes as `HOSTNAME STATUS`; an error unless this engine is a manager.
fn swarm_nodes() -> Result<Vec<String>> {
    let state = docker(&[
        "info",
        "--format",
        "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}",
    ])?;
    if state != "active true" {
        bail!(
            "the engine is not a swarm manager (swarm state: {state}): run `scripts/testbed up` \
             (its swarm part: this engine as manager and workers berth-worker1/2)"
        );
    }
    // A worker restarted by another test may still be on its way back.
    let t = Instant::now();
    loop {
        let nodes: Vec<String> = docker(&["node", "ls", "--format", "{{.Hostname}} {{.Status}}"])?
            .lines()
            .map(str::to_owned)
            .collect();
        let ready = nodes.iter().filter(|n| n.ends_with(" Ready")).count();
        if ready == nodes.len() || t.elapsed() > Duration::from_secs(60) {
            log(&format!("nodes: {nodes:?}"));
            return Ok(nodes);
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn stack_name(k: usize) -> String {
    format!("{PREFIX}{k}")
}

/// `docker service create -d` of a bench service: stack membership by the
/// label `docker stack deploy` sets, `--init` (busybox `sleep` as PID 1
/// ignores SIGTERM), dnsrr (this machine's kernel has no IPVS for a VIP),
/// no digest lookup (the image is on every node, in no registry).
fn create_service(stack: &str, name: &str, replicas: u32) -> Result<()> {
    let full = format!("{stack}_{name}");
    let ns = format!("com.docker.stack.namespace={stack}");
    let replicas = replicas.to_string();
    let mut args = vec![
        "service",
        "create",
        "-d",
        "--name",
        &full,
        "--label",
        &ns,
        "--replicas",
        &replicas,
    ];
    for l in ["berth.test=1", "berth.bench=1"] {
        args.extend(["--label", l, "--container-label", l]);
    }
    args.extend([
        "--init",
        "--stop-grace-period",
        "1s",
        "--endpoint-mode",
        "dnsrr",
        "--no-resolve-image",
        IMAGE,
        "sleep",
        "100000",
    ]);
    docker(&args).map(drop)
}

/// Makes the 30 services and waits until their 150 tasks run; the unix
/// times they were made.
fn deploy() -> Result<Vec<u64>> {
    let t = Instant::now();
    let mut created = Vec::new();
    for k in 1..=STACKS {
        for name in SERVICES {
            create_service(&stack_name(k), name, REPLICAS)?;
            created.push(unix_now());
        }
    }
    log(&format!(
        "made {} services in {:.1} s",
        created.len(),
        t.elapsed().as_secs_f64()
    ));
    let want = STACKS * SERVICES.len();
    let full = format!("{REPLICAS}/{REPLICAS}");
    let mut last = String::new();
    while t.elapsed() < Duration::from_secs(300) {
        let ls = docker(&[
            "service",
            "ls",
            "--filter",
            BENCH_FILTER,
            "--format",
            "{{.Replicas}}",
        ])?;
        let done = ls.lines().filter(|r| *r == full).count();
        if done == want {
            log(&format!(
                "all {} tasks run, {:.1} s after the first service was made",
                want * REPLICAS as usize,
                t.elapsed().as_secs_f64()
            ));
            return Ok(created);
        }
        last = ls.replace('\n', " ");
        std::thread::sleep(Duration::from_secs(1));
    }
    bail!("the bench services did not all run {full} within 300 s: {last}")
}

/// Where the swarm put the bench tasks, as a note for the report.
fn tasks_per_node() -> Result<String> {
    let ids = docker(&["service", "ls", "-q", "--filter", BENCH_FILTER])?;
    let mut args = vec![
        "service",
        "ps",
        "--filter",
        "desired-state=running",
        "--format",
        "{{.Node}}",
    ];
    args.extend(ids.lines());
    let mut per: Vec<(String, usize)> = Vec::new();
    let listed = docker(&args)?;
    let total = listed.lines().count();
    for node in listed.lines() {
        let node = if node.trim().is_empty() {
            "(no node)"
        } else {
            node.trim()
        };
        match per.iter_mut().find(|(n, _)| n == node) {
            Some((_, c)) => *c += 1,
            None => per.push((node.to_owned(), 1)),
        }
    }
    per.sort();
    let per: Vec<String> = per.iter().map(|(n, c)| format!("{n} {c}")).collect();
    Ok(format!(
        "bench tasks meant to run, per node: {} ({total} in all)",
        per.join(", ")
    ))
}

/// Bench task containers still on the manager or a test bed worker.
fn bench_containers() -> usize {
    let mut n = docker(&["ps", "-aq", "--filter", BENCH_FILTER])
        .map(|s| s.lines().count())
        .unwrap_or_default();
    let workers = docker(&[
        "ps",
        "--filter",
        "name=^berth-worker",
        "--format",
        "{{.Names}}",
    ])
    .unwrap_or_default();
    for w in workers.lines() {
        n += docker(&["exec", w, "docker", "ps", "-aq", "--filter", BENCH_FILTER])
            .map(|s| s.lines().count())
            .unwrap_or_default();
    }
    n
}

/// `docker service rm` of every bench service, then waits (at most 60 s)
/// for their tasks' containers to go.
fn remove_bench_services() {
    let Ok(ids) = docker(&["service", "ls", "-q", "--filter", BENCH_FILTER]) else {
        return;
    };
    if ids.is_empty() {
        return;
    }
    let mut args = vec!["service", "rm"];
    args.extend(ids.lines());
    let _ = docker(&args);
    let t = Instant::now();
    while bench_containers() > 0 && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(500));
    }
    log(&format!(
        "removed the bench services ({} task container(s) left after {:.0} s)",
        bench_containers(),
        t.elapsed().as_secs_f64()
    ));
}

struct Cleanup {
    /// berth's private home (config, state, audit log) for the runs.
    home: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        remove_bench_services();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// Wall time of `docker service ls` then `docker node ls`: what the CLI
/// needs to show the same services and nodes.
fn time_cli_floor() -> Result<Duration> {
    let t = Instant::now();
    docker(&["service", "ls"])?;
    docker(&["node", "ls"])?;
    Ok(t.elapsed())
}

/// The replicas `docker service ls` shows for `full` (`running/desired`).
fn replicas_of(full: &str) -> Result<String> {
    let ls = docker(&[
        "service",
        "ls",
        "--filter",
        &format!("name={full}"),
        "--format",
        "{{.Name}} {{.Replicas}}",
    ])?;
    ls.lines()
        .find_map(|l| l.strip_prefix(full)?.strip_prefix(' '))
        .map(str::to_owned)
        .with_context(|| format!("no service {full}"))
}

/// Polls until `docker service ls` shows `want` for `full`; the time it took.
fn until_replicas(full: &str, want: &str, timeout: Duration) -> Result<Duration> {
    let t = Instant::now();
    loop {
        if replicas_of(full)? == want {
            return Ok(t.elapsed());
        }
        if t.elapsed() > timeout {
            bail!("{full} did not show {want} within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Scales `full` back to one task (untimed) and waits until the others
/// have stopped, so every timed run starts from the same state.
fn reset_to_one(full: &str) -> Result<()> {
    docker(&["service", "scale", "-d", &format!("{full}=1")])?;
    let t = Instant::now();
    loop {
        let ps = docker(&["service", "ps", full, "--format", "{{.CurrentState}}"])?;
        let running = ps.lines().filter(|s| s.starts_with("Running")).count();
        if running == 1 && replicas_of(full)? == "1/1" {
            return Ok(());
        }
        if t.elapsed() > Duration::from_secs(60) {
            bail!("{full} did not come back to 1 running task within 60 s");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

// ---------------------------------------------------------------- screens

/// All bench services are in the services list at `5/5`: a row reads
/// `NAME STACK KIND REPLICAS …` between the list's borders.
fn all_bench_services_full(screen: &str, want: &HashSet<(String, &str)>) -> bool {
    let full = format!("{REPLICAS}/{REPLICAS}");
    let mut seen = HashSet::new();
    for row in screen.lines() {
        let t: Vec<&str> = row
            .trim_matches(|c: char| c == '│' || c.is_whitespace())
            .split_whitespace()
            .collect();
        if t.len() >= 4 && t[1].starts_with(PREFIX) && t.contains(&full.as_str()) {
            seen.insert((t[1].to_owned(), t[0]));
        }
    }
    want.iter()
        .all(|(stack, name)| seen.contains(&(stack.clone(), *name)))
}

fn bench_rows() -> HashSet<(String, &'static str)> {
    (1..=STACKS)
        .flat_map(|k| SERVICES.iter().map(move |s| (stack_name(k), *s)))
        .collect()
}

// ---------------------------------------------------------------- bench

struct Bench<'a> {
    opts: &'a Opts,
    home: &'a Path,
}

impl Bench<'_> {
    fn spawn(&self) -> Tui {
        let env = home_env(self.home.to_str().unwrap_or("/tmp"));
        Tui::spawn(&self.opts.berth, &[], &env, self.opts.rows, self.opts.cols)
    }

    /// Spawns berth and opens the services view as soon as it draws;
    /// returns it with the time from spawn to the frame that shows every
    /// bench service at 5/5, and from the key to that frame.
    fn services_view(&self) -> Result<(Tui, Duration, Duration)> {
        let want = bench_rows();
        let t0 = Instant::now();
        let mut tui = self.spawn();
        // berth opens on its containers list; the key works once it draws.
        if wait_screen(&tui, Duration::from_secs(30), |s| s.contains("containers(")).is_none() {
            bail!("berth drew no list within 30 s:\n{}", tui.screen_text());
        }
        let key = Instant::now();
        tui.send("3");
        let Some(seen) = wait_screen(&tui, Duration::from_secs(60), |s| {
            all_bench_services_full(s, &want)
        }) else {
            bail!(
                "berth's services view did not show the {} bench services at {REPLICAS}/{REPLICAS} \
                 within 60 s (more services on the swarm than --rows shows?):\n{}",
                want.len(),
                tui.screen_text()
            );
        };
        Ok((tui, seen - t0, seen - key))
    }

    /// Measure 1: first full frame of the services view, beside the CLI's floor.
    fn first_frame(&self, r: &mut Report) -> Result<()> {
        log("== first full frame");
        let _ = time_cli_floor()?; // warm the CLI and the manager's caches
        let (mut floor, mut berth, mut key) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..self.opts.runs {
            floor.push(ms(time_cli_floor()?));
            let (tui, frame, after_key) = self.services_view()?;
            quit(tui);
            berth.push(ms(frame));
            key.push(ms(after_key));
            log(&format!(
                "run {run}: berth {:.0} ms (key 3 → frame {:.0} ms), docker service ls + node ls {:.0} ms",
                berth[run], key[run], floor[run]
            ));
        }
        let (b, f) = (median(&berth), median(&floor));
        r.row(
            "first full frame: spawn → services view with the 30 services at 5/5",
            format!("{b:.0} ms"),
            format!("{f:.0} ms (`docker service ls` + `docker node ls`)"),
            format!("berth ÷ CLI = {:.2}", b / f),
        );
        r.note(format!(
            "first frame (ms, all runs): berth {berth:.0?}, of which key `3` → services frame \
             {key:.0?}; docker service ls + docker node ls {floor:.0?}"
        ));
        Ok(())
    }

    /// Measure 2: CPU and terminal bytes with the services view open while
    /// nothing changes, in a window where no bench service's age changes
    /// its minute.
    fn idle(&self, created: &[u64], r: &mut Report) -> Result<()> {
        log("== idle, services view open");
        let (tui, _, _) = self.services_view()?;
        let secs = self.opts.idle_secs;
        let start = quiet_start(created, unix_now(), secs);
        if let Some(wait) = start.checked_sub(unix_now() + 3).filter(|w| *w > 0) {
            log(&format!(
                "waiting {wait} s: every service over a minute old, no age turning a minute in the window"
            ));
            std::thread::sleep(Duration::from_secs(wait));
        }
        let (settle, quiet) = wait_quiet(&tui, Duration::from_secs(2), Duration::from_secs(30));
        log(&format!("idle window, {secs} s"));
        let since = unix_now();
        let (cpu, bytes) = usage_over(&[&tui], Duration::from_secs(secs))?[0];
        let until = unix_now();
        // Other users of a shared swarm change what the view shows.
        let foreign = foreign_events(since, until, PREFIX);
        let busy = if foreign > 0 {
            format!(" ({foreign} engine events about other objects in the window)")
        } else {
            String::new()
        };
        let hwm = status_bytes(tui.pid().context("berth pid")?, "VmHWM")? as f64 / MIB;
        quit(tui);
        log(&format!("  cpu {cpu:.2} %, {bytes} bytes"));
        r.row(
            &format!("idle CPU, services view open, nothing changes ({secs} s)"),
            format!("{cpu:.2} %"),
            "—".into(),
            verdict("≤ 0.5 % of a core", cpu <= 0.5) + &busy,
        );
        r.row(
            &format!("idle terminal bytes / {secs} s, services view open"),
            format!("{bytes} B"),
            "—".into(),
            verdict("0 B", bytes == 0) + &busy,
        );
        r.row(
            "peak RSS (VmHWM) after the idle window",
            format!("{hwm:.1} MiB"),
            "—".into(),
            "—".into(),
        );
        r.note(if quiet {
            format!(
                "idle: the window opened once berth's screen had been quiet for 2 s ({:.1} s of waiting)",
                settle.as_secs_f64()
            )
        } else {
            format!(
                "idle: berth's screen was still changing after {:.0} s of waiting; the window \
                 opened anyway",
                settle.as_secs_f64()
            )
        });
        if foreign > 0 {
            r.note(format!(
                "idle window: the engine reported {foreign} event(s) about non-bench objects \
                 (another user of the swarm): berth shows those changes"
            ));
        }
        Ok(())
    }

    /// Measure 3: `berth scale S 10 --yes --wait` beside `docker service
    /// scale S=10`, both from one running task, interleaved; the engine's
    /// own time is `docker service scale -d` then polling `service ls`.
    fn scale(&self, r: &mut Report) -> Result<()> {
        log("== scale");
        create_service(SCALE_STACK, SCALE_SERVICE, 1)?;
        let full = format!("{SCALE_STACK}_{SCALE_SERVICE}");
        let target = format!("{SCALE_STACK}/{SCALE_SERVICE}");
        let want = format!("{SCALE_TO}/{SCALE_TO}");
        until_replicas(&full, "1/1", Duration::from_secs(60))?;
        let timeout = Duration::from_secs(120);
        let (mut berth, mut cli, mut floor) = (Vec::new(), Vec::new(), Vec::new());
        let mut berth_error: Option<String> = None;
        for run in 0..self.opts.runs {
            if berth_error.is_none() {
                reset_to_one(&full)?;
                let t = Instant::now();
                let env = home_env(self.home.to_str().unwrap_or("/tmp"));
                let res = run_ok(
                    Command::new(&self.opts.berth)
                        .args(["scale", &target, &SCALE_TO.to_string(), "--yes", "--wait"])
                        .envs(env),
                );
                let took = t.elapsed();
                match res {
                    Ok(_) => {
                        berth.push(took.as_secs_f64());
                        let shown = replicas_of(&full)?;
                        if shown != want {
                            r.note(format!(
                                "scale run {run}: berth returned with `docker service ls` showing {shown}"
                            ));
                        }
                    }
                    Err(e) => {
                        log(&format!("berth scale failed: {e:#}"));
                        berth_error = Some(format!("{e:#}").lines().next().unwrap_or("").into());
                    }
                }
            }
            reset_to_one(&full)?;
            let t = Instant::now();
            docker(&["service", "scale", &format!("{full}={SCALE_TO}")])?;
            cli.push(t.elapsed().as_secs_f64());
            reset_to_one(&full)?;
            let t = Instant::now();
            docker(&["service", "scale", "-d", &format!("{full}={SCALE_TO}")])?;
            until_replicas(&full, &want, timeout)?;
            floor.push(t.elapsed().as_secs_f64());
            log(&format!(
                "run {run}: berth {:?} s, docker service scale {:.2} s, engine {:.2} s",
                berth.get(run).map(|s| (s * 100.0).round() / 100.0),
                cli[run],
                floor[run]
            ));
        }
        let (c, f) = (median(&cli), median(&floor));
        let (b, ratio) = match &berth_error {
            Some(e) => (
                format!("not available (`berth scale` failed: {e})"),
                "—".to_owned(),
            ),
            None => {
                let b = median(&berth);
                (format!("{b:.2} s"), format!("berth ÷ CLI = {:.2}", b / c))
            }
        };
        r.row(
            &format!("scale 1 → {SCALE_TO} replicas, wall time to converged"),
            b,
            format!("{c:.2} s (`docker service scale S={SCALE_TO}`)"),
            ratio,
        );
        r.row(
            &format!("engine: `docker service scale -d` until `service ls` shows {want}"),
            "—".into(),
            format!("{f:.2} s"),
            "—".into(),
        );
        r.note(format!(
            "scale (s, all runs): berth {:?}; docker service scale {:?}; engine {:?}",
            rounded(&berth),
            rounded(&cli),
            rounded(&floor)
        ));
        Ok(())
    }
}

fn verdict(budget: &str, pass: bool) -> String {
    format!("{budget}: {}", if pass { "PASS" } else { "**MISS**" })
}

// ---------------------------------------------------------------- report

#[derive(Debug, Default)]
struct Report {
    /// measure | berth | docker CLI | budget or verdict
    rows: Vec<[String; 4]>,
    notes: Vec<String>,
}

impl Report {
    fn row(&mut self, measure: &str, berth: String, cli: String, verdict: String) {
        self.rows.push([measure.to_owned(), berth, cli, verdict]);
    }

    fn note(&mut self, s: String) {
        log(&s);
        self.notes.push(s);
    }

    fn markdown(&self, opts: &Opts, nodes: &[String], took: Duration) -> String {
        let ready = nodes.iter().filter(|n| n.ends_with(" Ready")).count();
        let mut md = format!(
            "## Swarm ({} nodes, {} services, {} tasks)\n\n\
             berth on the swarm manager of the test bed (`docker node ls`: {}), {} stacks of {} \
             services with {REPLICAS} replicas each (`{IMAGE}` running `sleep`, `--init`, \
             `--stop-grace-period 1s`, `--endpoint-mode dnsrr`), all running before any timing. \
             berth runs in a {}x{} pty, read through a vt100 emulator; the docker CLI runs \
             beside it in the same run. Median of {} runs.\n\n\
             | measure | berth | docker CLI | budget / verdict |\n\
             |---|---:|---:|---|\n",
            nodes.len(),
            STACKS * SERVICES.len(),
            STACKS * SERVICES.len() * REPLICAS as usize,
            nodes.join(", "),
            STACKS,
            SERVICES.len(),
            opts.cols,
            opts.rows,
            opts.runs,
        );
        for [m, b, c, v] in &self.rows {
            md.push_str(&format!("| {m} | {b} | {c} | {v} |\n"));
        }
        md.push_str(&format!(
            "\n- **First full frame**: from spawning berth to the first screen of its services \
             view (key `3`, sent as soon as its first list is drawn) that shows all 30 bench \
             services at {REPLICAS}/{REPLICAS}; the screen is checked each time output arrives. \
             The floor is `docker service ls` then `docker node ls`, back to back.\n\
             - **Idle**: the services view stays open; once every service is over a minute old \
             (ages count seconds before that) in a window where no age turns a minute, and after \
             2 s without output, CPU is utime+stime from `/proc/PID/stat` over {} s in % of one \
             core, and bytes are what the pty read. berth polls the swarm every 2 s and draws \
             only when what it shows changes.\n\
             - **Scale**: a fresh 1-replica service `{SCALE_STACK}_{SCALE_SERVICE}` scaled to \
             {SCALE_TO}, back to 1 between runs (untimed, until the other tasks stopped); berth \
             and the CLI both wait for convergence and then watch the tasks for a 5 s monitor \
             window before they return. The engine line has no monitor window: `docker service \
             scale -d`, then `docker service ls` every 100 ms until it shows {SCALE_TO}/{SCALE_TO}.\n",
            opts.idle_secs
        ));
        if ready < nodes.len() {
            md.push_str(&format!(
                "\n**Only {ready} of {} nodes were Ready**: the tasks ran on fewer nodes.\n",
                nodes.len()
            ));
        }
        md.push_str(&format!(
            "\nThe swarm measurements took {:.0} s. Observed during the run:\n\n",
            took.as_secs_f64()
        ));
        for n in &self.notes {
            md.push_str(&format!("- {n}\n"));
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_services_screen_is_read_row_by_row() {
        let want: HashSet<(String, &str)> = [("berthbench1".to_owned(), "api")].into();
        let full =
            "│api          berthbench1  swarm        5/5      local/busybox:1     16s      │";
        let short =
            "│api          berthbench1  swarm        4/5      local/busybox:1     16s      │";
        assert!(all_bench_services_full(full, &want));
        assert!(!all_bench_services_full(short, &want));
    }

    #[test]
    fn the_idle_window_avoids_a_minute_turning() {
        // Made at 0..5: ages turn a minute at 60..65 and 120..125.
        let created = [0, 1, 2, 3, 4, 5];
        let t = quiet_start(&created, 10, 30);
        assert!(t >= 67);
        for c in created {
            assert_eq!((t - 3 - c) / 60, (t + 33 - c) / 60);
        }
    }
}
