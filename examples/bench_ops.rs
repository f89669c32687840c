//! Operation benchmarks, driven by `scripts/bench`: a redeploy of a
//! 3-replica compose service by berth beside docker-compose on the same
//! project, and what a finished operation's view costs while it stays open.
//!
//! It is an example, not a test: CI compiles it but never runs it. Every
//! object it makes is labelled `berth.test=1` and `berth.bench=1` and removed
//! when it ends. Needs the test bed's registry on 127.0.0.1:5000.
//!
//! ```sh
//! cargo run --release --example bench_ops -- --berth target/release/berth
//! ```

#[path = "support/measure.rs"]
#[allow(dead_code)]
mod measure;
#[path = "../tests/common/pty.rs"]
#[allow(dead_code, clippy::unwrap_used)]
mod pty;

use anyhow::{Context, Result, bail};
use berth::app::Action;
use berth::config::{Keymap, Mode};
use clap::Parser;
use measure::{docker, home_env, median, publish, quit, rounded, run_ok, usage_over, wait_quiet};
use pty::Tui;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const REGISTRY: &str = "127.0.0.1:5000";
const SERVICE: &str = "web";

#[derive(Debug, Parser)]
#[command(about = "berth operation benchmarks (run by scripts/bench)")]
struct Opts {
    /// The berth binary (a release build).
    #[arg(long)]
    berth: PathBuf,
    /// Redeploys per tool (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[arg(long, default_value_t = 3)]
    replicas: u32,
    /// Length of the idle window with a finished operation's view open, seconds.
    #[arg(long, default_value_t = 10)]
    idle_secs: u64,
    /// Write the Markdown section here (also printed).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let opts = Opts::parse();
    let project = format!("berthbenchops{}", std::process::id());
    let dir = std::env::temp_dir().join(&project);
    let _cleanup = Cleanup {
        project: project.clone(),
        dir: dir.clone(),
    };
    let image = push_image(&project)?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("docker-compose.yml"),
        compose_yaml(&image, opts.replicas),
    )?;
    compose(&project, &dir, &["up", "-d"])?;
    let target = format!("{project}/{SERVICE}");

    // Interleaved, so drifting machine load hits every tool alike.
    let (mut up, mut pull_up, mut berth) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..opts.runs {
        up.push(timed(&project, || {
            compose(
                &project,
                &dir,
                &["up", "-d", "--force-recreate", "--no-deps", SERVICE],
            )
        })?);
        pull_up.push(timed(&project, || {
            compose(&project, &dir, &["pull", SERVICE])?;
            compose(
                &project,
                &dir,
                &["up", "-d", "--force-recreate", "--no-deps", SERVICE],
            )
        })?);
        berth.push(timed(&project, || {
            run_ok(Command::new(&opts.berth).args(["redeploy", &target, "--yes", "--wait"]))
        })?);
        log(&format!(
            "run {run}: compose up {:.2}s (min running {}), compose pull+up {:.2}s ({}), berth {:.2}s ({})",
            up[run].secs,
            up[run].min_running,
            pull_up[run].secs,
            pull_up[run].min_running,
            berth[run].secs,
            berth[run].min_running
        ));
    }
    let running = compose(&project, &dir, &["ps", "-q", SERVICE])?
        .lines()
        .count();
    if running != opts.replicas as usize {
        bail!(
            "after the runs docker-compose ps lists {running} replicas, not {}",
            opts.replicas
        );
    }
    let (cpu, bytes, shown) = idle_after_operation(&opts, &project, &target)?;

    let secs = |v: &[Run]| v.iter().map(|r| r.secs).collect::<Vec<f64>>();
    let fewest = |v: &[Run]| v.iter().map(|r| r.min_running).min().unwrap_or_default();
    let (m_up, m_pull, m_berth) = (
        median(&secs(&up)),
        median(&secs(&pull_up)),
        median(&secs(&berth)),
    );
    let md = format!(
        "## Operations\n\n\
         Redeploy of a {n}-replica compose service (image from the test bed's registry on\n\
         {REGISTRY}, containers `sh` with a TERM trap, `stop_grace_period: 1s`), median of\n\
         {runs} runs each, interleaved. berth pulls the image, then replaces the replicas one at\n\
         a time (a new container runs before its old one is removed); docker-compose\n\
         recreates them all at once and does not pull unless asked.\n\n\
         | | wall time (median) | berth ÷ this | fewest replicas running meanwhile (of {n}) |\n\
         |---|---:|---:|---:|\n\
         | `berth redeploy {svc} --yes --wait` | {b:.2} s | 1.00 | {fb} |\n\
         | `docker-compose up -d --force-recreate --no-deps {SERVICE}` | {u:.2} s | {r1:.2} | {fu} |\n\
         | `docker-compose pull {SERVICE}` + the same `up` | {p:.2} s | {r2:.2} | {fp} |\n\n\
         The last column polls `docker ps` every 50 ms during each run: berth keeps\n\
         the service serving, compose takes every replica down at once.\n\n\
         Raw runs (s): berth {braw:?}; compose up {uraw:?}; compose pull+up {praw:?}.\n\n\
         A finished redeploy's progress view left open in the console for {idle} s (after\n\
         2 s without output): **{cpu:.2} % CPU, {bytes} bytes** written to the terminal\n\
         (budget 0 bytes). The view showed: `{shown}`.\n",
        n = opts.replicas,
        runs = opts.runs,
        svc = "STACK/web",
        b = m_berth,
        u = m_up,
        p = m_pull,
        r1 = m_berth / m_up,
        r2 = m_berth / m_pull,
        braw = rounded(&secs(&berth)),
        uraw = rounded(&secs(&up)),
        praw = rounded(&secs(&pull_up)),
        fb = fewest(&berth),
        fu = fewest(&up),
        fp = fewest(&pull_up),
        idle = opts.idle_secs,
    );
    publish(&md, opts.out.as_deref())
}

/// Redeploys from the console, waits for the end state, then measures CPU
/// and terminal bytes while the finished view stays open.
fn idle_after_operation(opts: &Opts, project: &str, target: &str) -> Result<(f64, u64, String)> {
    let home = std::env::temp_dir().join(format!("{project}-home"));
    std::fs::create_dir_all(&home)?;
    let env = home_env(home.to_str().unwrap_or("/tmp"));
    let mut tui = Tui::spawn(&opts.berth, &[], &env, 40, 160);
    let keymap = Keymap::builtin("default").context("default keymap")?;
    let key = |mode: &str, action: &str| -> Result<String> {
        let action: Action = serde_json::from_value(serde_json::Value::String(action.into()))?;
        let mode = Mode::from_table(mode).context("keymap mode")?;
        keymap
            .keys_for(mode, action)
            .into_iter()
            .next()
            .with_context(|| format!("no key for {action:?}"))
    };
    wait(&tui, "connected", 20)?;
    tui.key(&key("global", "view_services")?);
    tui.key(&key("list", "filter")?);
    tui.send(project);
    tui.key("enter");
    wait(&tui, SERVICE, 10)?;
    tui.key(&key("list", "redeploy")?);
    // The confirmation itself, not the "asking the engine" that precedes it.
    wait(&tui, &format!("confirm: redeploy {target}"), 20)?;
    tui.key(&key("confirm", "confirm")?);
    wait(&tui, "converged", 120)?;
    let (_, quiet) = wait_quiet(&tui, Duration::from_secs(2), Duration::from_secs(30));
    if !quiet {
        bail!("the console kept writing after the operation finished");
    }
    let (cpu, bytes) = usage_over(&[&tui], Duration::from_secs(opts.idle_secs))?[0];
    let shown = tui
        .screen_text()
        .lines()
        .find(|l| l.contains("converged"))
        .map(|l| l.trim().chars().take(100).collect())
        .unwrap_or_default();
    quit(tui);
    let _ = std::fs::remove_dir_all(&home);
    Ok((cpu, bytes, shown))
}

fn wait(tui: &Tui, needle: &str, secs: u64) -> Result<()> {
    tui.wait_for(needle, Duration::from_secs(secs))
        .map_err(|screen| anyhow::anyhow!("waiting for {needle:?}: {screen}"))
}

/// Tags the test bed's v1 image into the registry under a name of this run.
fn push_image(project: &str) -> Result<String> {
    let image = format!("{REGISTRY}/{project}:1");
    docker(&["tag", "local/busybox:1", &image])?;
    docker(&["push", &image]).context("push to the test bed's registry (scripts/testbed up)")?;
    Ok(image)
}

fn compose_yaml(image: &str, replicas: u32) -> String {
    format!(
        "version: \"2.4\"\nservices:\n  {SERVICE}:\n    image: {image}\n    \
         command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]\n    \
         stop_grace_period: 1s\n    scale: {replicas}\n    environment: {{MODE: bench}}\n    \
         labels: {{berth.test: \"1\", berth.bench: \"1\"}}\n"
    )
}

/// One run: wall time, and the fewest replicas seen running meanwhile (the
/// engine is asked every 50 ms by another thread).
struct Run {
    secs: f64,
    min_running: usize,
}

fn timed(project: &str, f: impl FnOnce() -> Result<String>) -> Result<Run> {
    let stop = Arc::new(AtomicBool::new(false));
    let poller = {
        let (stop, project) = (stop.clone(), project.to_owned());
        std::thread::spawn(move || {
            let mut min = usize::MAX;
            while !stop.load(Ordering::SeqCst) {
                if let Ok(n) = running_replicas(&project) {
                    min = min.min(n);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            min
        })
    };
    let t = Instant::now();
    let result = f();
    let secs = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    let min_running = poller
        .join()
        .map_err(|_| anyhow::anyhow!("the poller panicked"))?;
    result?;
    Ok(Run { secs, min_running })
}

fn running_replicas(project: &str) -> Result<usize> {
    let p = format!("label=com.docker.compose.project={project}");
    let s = format!("label=com.docker.compose.service={SERVICE}");
    let ids = docker(&[
        "ps",
        "-q",
        "--filter",
        &p,
        "--filter",
        &s,
        "--filter",
        "status=running",
    ])?;
    Ok(ids.lines().count())
}

fn log(msg: &str) {
    eprintln!("[bench_ops] {msg}");
}

fn compose(project: &str, dir: &Path, args: &[&str]) -> Result<String> {
    let file = dir.join("docker-compose.yml");
    run_ok(
        Command::new("docker-compose")
            .args(["-p", project, "-f"])
            .arg(&file)
            .args(args),
    )
}

/// Takes the project down and forgets the image, however the run ends.
struct Cleanup {
    project: String,
    dir: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = compose(&self.project, &self.dir, &["down", "-t", "1", "-v"]);
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = docker(&["rmi", &format!("{REGISTRY}/{}:1", self.project)]);
    }
}
