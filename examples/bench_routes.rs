//! Routes benchmark, driven by `scripts/bench`: berth's routes view with N
//! routed containers (busybox `httpd`, each with its own Traefik v2 labels):
//! first full frame, idle CPU and terminal bytes while the route feed
//! probes every backend, peak RSS, and the probe traffic on the wire, also
//! with the routes view not on screen (where it must be none).
//!
//! It is an example, not a test: CI compiles it but never runs it. Every
//! container it makes is labelled `berth.test=1` and `berth.bench=1`, and
//! so is its network; both are removed when it ends, and so are the
//! iptables chains that count the probes (`support/wire.rs`). Needs root
//! (iptables) and the test bed's `local/busybox:1`.
//!
//! ```sh
//! cargo run --release --example bench_routes -- --berth target/release/berth
//! ```

#[path = "support/measure.rs"]
#[allow(dead_code)]
mod measure;
#[path = "../tests/common/pty.rs"]
#[allow(dead_code, clippy::unwrap_used)]
mod pty;
#[path = "support/wire.rs"]
mod wire;

use anyhow::{Context, Result, bail};
use berth::app::Action;
use berth::config::{Keymap, Mode};
use berth::routes::feed::{IN_FLIGHT, OTHERS_EVERY, VISIBLE_EVERY};
use clap::Parser;
use measure::{
    docker, foreign_events, home_env, in_parallel, median, ms, publish, quit, remove_containers,
    rounded, run_ok, status_bytes, unix_now, usage_over, wait_quiet, wait_screen,
};
use pty::Tui;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wire::{Counters, Traffic};

const IMAGE: &str = "local/busybox:1";
const PREFIX: &str = "berth-bench-rt-";
const PORT: u16 = 8080;
const DOMAIN: &str = "bench.test";
const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Parser)]
#[command(about = "berth routes benchmark (run by scripts/bench)")]
struct Opts {
    /// The berth binary (a release build).
    #[arg(long)]
    berth: PathBuf,
    /// Routed containers.
    #[arg(long, default_value_t = 500)]
    routes: usize,
    /// Runs of the first-frame measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The idle window with the routes view on screen, seconds.
    #[arg(long, default_value_t = 60)]
    idle_secs: u64,
    /// Each window with the routes view not on screen, seconds.
    #[arg(long, default_value_t = 30)]
    off_secs: u64,
    /// Containers started at once during setup.
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// Terminal size.
    #[arg(long, default_value_t = 45)]
    rows: u16,
    #[arg(long, default_value_t = 160)]
    cols: u16,
    /// Also write the Markdown section here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let mut opts = Opts::parse();
    // The pty spawns by path: a relative one would be looked up in PATH.
    opts.berth = std::fs::canonicalize(&opts.berth)
        .with_context(|| format!("the berth binary {}", opts.berth.display()))?;
    let started = Instant::now();
    // One name for every run: dockerd 20.10 may keep counting endpoints of
    // a network whose 500 containers were just removed, and refuse to
    // remove it ("has active endpoints") until it restarts. Such a network
    // is used again by the next run rather than a new one made each time,
    // which would use up the engine's address pools.
    let net = format!("{PREFIX}net");
    // Removes containers, network and chains however main ends.
    let _cleanup = Cleanup { net: net.clone() };
    remove_bench_objects(&net);
    wire::remove_chains();

    let home = std::env::temp_dir().join(format!("{PREFIX}home-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    let setup = make_containers(&opts, &net)?;
    let subnet = docker(&[
        "network",
        "inspect",
        &net,
        "--format",
        "{{range .IPAM.Config}}{{.Subnet}} {{end}}",
    ])?
    .split_whitespace()
    .next()
    .context("the bench network has no subnet")?
    .to_owned();
    let counters = Counters::install(&subnet, PORT)?;
    let curl = curl_round(&opts, &net, &counters)?;
    let keys = Keys::new()?;
    let bench = Bench {
        opts: &opts,
        home: &home,
        counters: &counters,
        keys: &keys,
    };
    let mut frames = Vec::new();
    for run in 0..opts.runs {
        let f = bench.first_frame()?;
        log(&format!("first frame run {run}: {f:?}"));
        frames.push(f);
    }
    let idle = bench.idle()?;
    check_intact(opts.routes)?;
    drop(counters);
    let _ = std::fs::remove_dir_all(&home);

    let md = markdown(
        &opts,
        &subnet,
        &setup,
        &curl,
        &frames,
        &idle,
        started.elapsed(),
    );
    publish(&md, opts.out.as_deref())
}

fn log(msg: &str) {
    eprintln!("[bench_routes] {msg}");
}

// ---------------------------------------------------------------- engine

fn name(i: usize) -> String {
    format!("{PREFIX}{i:04}")
}

/// The i-th route's host.
fn host(i: usize) -> String {
    format!("r{i}.{DOMAIN}")
}

/// How setup went: wall time of making the network and the containers.
#[derive(Debug)]
struct Setup {
    secs: f64,
    parallel: usize,
}

fn make_containers(opts: &Opts, net: &str) -> Result<Setup> {
    let t = Instant::now();
    let left = docker(&["network", "inspect", net]).is_ok();
    if !left {
        docker(&[
            "network",
            "create",
            "--label",
            "berth.test=1",
            "--label",
            "berth.bench=1",
            net,
        ])?;
    }
    let net = net.to_owned();
    in_parallel(opts.routes, 0, opts.parallel, move |i| {
        let rule = format!("traefik.http.routers.r{i}.rule=Host(`{}`)", host(i));
        let port = format!("traefik.http.services.r{i}.loadbalancer.server.port={PORT}");
        let port_arg = PORT.to_string();
        docker(&[
            "run",
            "-d",
            "--name",
            &name(i),
            "--network",
            &net,
            "--label",
            "berth.test=1",
            "--label",
            "berth.bench=1",
            "--label",
            &rule,
            "--label",
            &port,
            IMAGE,
            "httpd",
            "-f",
            "-p",
            &port_arg,
            "-h",
            "/var/www",
        ])
        .map(drop)
    })?;
    check_intact(opts.routes)?;
    let secs = t.elapsed().as_secs_f64();
    log(&format!(
        "made {} routed containers in {secs:.1} s ({} at a time)",
        opts.routes, opts.parallel
    ));
    Ok(Setup {
        secs,
        parallel: opts.parallel,
    })
}

/// Every bench container still runs: another user of a shared engine may
/// remove labelled containers (`scripts/testbed down`).
fn check_intact(n: usize) -> Result<()> {
    let running = docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("name=^{PREFIX}"),
        "--filter",
        "status=running",
    ])?
    .lines()
    .count();
    if running != n {
        bail!("{running} bench route containers run, expected {n}: someone removed some?");
    }
    Ok(())
}

fn remove_bench_objects(net: &str) {
    remove_containers(&format!("name=^{PREFIX}"));
    for attempt in 0..10 {
        let gone = Command::new("docker")
            .args(["network", "rm", net])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let exists = docker(&["network", "inspect", net]).is_ok();
        if gone || !exists {
            return;
        }
        if attempt == 9 {
            log(&format!(
                "dockerd refuses to remove the (empty, labelled) network {net}: it is left behind"
            ));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

struct Cleanup {
    net: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        log("removing the bench containers and network");
        remove_bench_objects(&self.net);
        wire::remove_chains();
    }
}

/// One `curl` to each backend, IN_FLIGHT at a time, as berth probes: a
/// reference for what one round of probes costs.
#[derive(Debug)]
struct CurlRound {
    secs: f64,
    traffic: Traffic,
}

fn curl_round(opts: &Opts, net: &str, counters: &Counters) -> Result<CurlRound> {
    let addrs = docker(&[
        "network",
        "inspect",
        net,
        "--format",
        "{{range .Containers}}{{.Name}} {{.IPv4Address}}\n{{end}}",
    ])?;
    let mut lines = String::new();
    for l in addrs.lines() {
        let mut f = l.split_whitespace();
        let (Some(n), Some(ip)) = (f.next(), f.next()) else {
            continue;
        };
        let i: usize = n.trim_start_matches(PREFIX).parse()?;
        let ip = ip.split('/').next().unwrap_or(ip);
        lines.push_str(&format!("{ip} {}\n", host(i)));
    }
    if lines.lines().count() != opts.routes {
        bail!(
            "the bench network lists {} containers",
            lines.lines().count()
        );
    }
    let list = std::env::temp_dir().join(format!("{PREFIX}curl-{}", std::process::id()));
    std::fs::write(&list, lines)?;
    let before = counters.read()?;
    let t = Instant::now();
    let script = format!(
        "xargs -P {IN_FLIGHT} -n 2 sh -c 'curl -sf -o /dev/null --max-time 2 -H \"Host: $1\" \
         http://$0:{PORT}/' < {}",
        list.display()
    );
    let result = run_ok(Command::new("sh").args(["-c", &script]));
    let secs = t.elapsed().as_secs_f64();
    let traffic = before.until(counters.read()?).all;
    let _ = std::fs::remove_file(&list);
    result.context("curl to every backend")?;
    log(&format!("curl round: {secs:.2} s, {traffic:?}"));
    Ok(CurlRound { secs, traffic })
}

// ---------------------------------------------------------------- console

/// The keys of the default keymap for the views used here.
struct Keys {
    routes: String,
    containers: String,
}

impl Keys {
    fn new() -> Result<Keys> {
        let keymap = Keymap::builtin("default").context("default keymap")?;
        let key = |action: &str| -> Result<String> {
            let action: Action = serde_json::from_value(serde_json::Value::String(action.into()))?;
            let mode = Mode::from_table("global").context("keymap mode")?;
            keymap
                .keys_for(mode, action)
                .into_iter()
                .next()
                .with_context(|| format!("no key for {action:?}"))
        };
        Ok(Keys {
            routes: key("view_routes")?,
            containers: key("view_containers")?,
        })
    }
}

/// The number right after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<usize> {
    let at = text.find(prefix)? + prefix.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Routes the list's title counts: ` routes(all)[T] `.
fn routes_listed(screen: &str) -> usize {
    number_after(screen, "routes(all)[").unwrap_or(0)
}

fn containers_listed(screen: &str) -> usize {
    number_after(screen, "containers(all)[").unwrap_or(0)
}

/// Rows of bench routes on screen, and how many of them show `up`.
fn rows_up(screen: &str) -> (usize, usize) {
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains(&format!(".{DOMAIN}")))
        .collect();
    let up = rows.iter().filter(|l| l.contains(" up ")).count();
    (rows.len(), up)
}

/// Lines of `after` that differ from `before`, both trimmed, in pairs.
fn changed_rows(before: &str, after: &str) -> Vec<(String, String)> {
    before
        .lines()
        .zip(after.lines())
        .filter(|(b, a)| b != a)
        .map(|(b, a)| (squeeze(b), squeeze(a)))
        .collect()
}

/// A screen line with its runs of blanks made one.
fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug)]
struct FirstFrame {
    /// Process start → routes(all)[≥N], the key sent at berth's first frame.
    start_to_full: Duration,
    /// That key → routes(all)[≥N].
    key_to_full: Duration,
    /// That key → every route row on screen shows `up` (probed).
    key_to_probed: Duration,
}

/// What berth cost in a window, and the probes it sent meanwhile.
#[derive(Debug)]
struct Window {
    secs: u64,
    cpu: f64,
    bytes: u64,
    traffic: Traffic,
    /// Requests to the bench backends by others (other users' `berth ls
    /// routes`), not counted in `traffic`.
    others: u64,
    foreign_events: usize,
}

#[derive(Debug)]
struct Idle {
    /// Routes view never opened (containers view).
    before: Window,
    /// Routes view on screen.
    on: Window,
    /// Back on the containers view.
    after: Window,
    /// The routes view, opened on a full container list: key → full frame.
    switch: Duration,
    /// Route rows on screen during the `on` window.
    visible: usize,
    /// Rows that differ between the start and the end of that window.
    changed: Vec<(String, String)>,
    /// From opening the routes view until every backend had one probe.
    all_probed: Option<Duration>,
    /// Quiet wait before the `on` window, and whether it got quiet.
    settle: (Duration, bool),
    hwm_mib: f64,
    frames: Option<u64>,
    uptime_s: f64,
}

struct Bench<'a> {
    opts: &'a Opts,
    home: &'a Path,
    counters: &'a Counters,
    keys: &'a Keys,
}

impl Bench<'_> {
    /// berth in a pty, through `setpriv` so that its probes are counted
    /// apart from other users' (the pid is berth's: setpriv execs it).
    fn spawn(&self, extra_env: &[(&str, &str)]) -> Tui {
        let mut env = home_env(self.home.to_str().unwrap_or("/tmp")).to_vec();
        env.extend_from_slice(extra_env);
        let mut args = Counters::command_prefix();
        args.push(self.opts.berth.display().to_string());
        let args: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
        Tui::spawn(
            "/usr/bin/setpriv",
            &args,
            &env,
            self.opts.rows,
            self.opts.cols,
        )
    }

    fn wait(&self, tui: &Tui, what: &str, pred: impl FnMut(&str) -> bool) -> Result<Instant> {
        wait_screen(tui, Duration::from_secs(120), pred).with_context(|| {
            format!(
                "berth did not show {what} within 120 s; screen:\n{}",
                tui.screen_text()
            )
        })
    }

    /// Start berth, press the routes key at its first frame, and time the
    /// routes view until it lists every route and until its rows are probed.
    fn first_frame(&self) -> Result<FirstFrame> {
        let n = self.opts.routes;
        let t0 = Instant::now();
        let mut tui = self.spawn(&[]);
        self.wait(&tui, "its first frame", |s| s.contains("containers("))?;
        let key = Instant::now();
        tui.key(&self.keys.routes);
        let full = self.wait(&tui, &format!("{n} routes"), |s| routes_listed(s) >= n)?;
        let probed = self.wait(&tui, "probed rows", |s| {
            let (rows, up) = rows_up(s);
            rows > 0 && up == rows
        })?;
        quit(tui);
        Ok(FirstFrame {
            start_to_full: full - t0,
            key_to_full: full - key,
            key_to_probed: probed - key,
        })
    }

    /// One window: berth's CPU and terminal bytes, and the probe traffic.
    fn window(&self, tui: &Tui, what: &str, secs: u64) -> Result<Window> {
        log(&format!("window: {what}, {secs} s"));
        let since = unix_now();
        let before = self.counters.read()?;
        let used = usage_over(&[tui], Duration::from_secs(secs))?[0];
        let counted = before.until(self.counters.read()?);
        let w = Window {
            secs,
            cpu: used.0,
            bytes: used.1,
            traffic: counted.ours,
            others: counted.others_requests(),
            foreign_events: foreign_events(since, unix_now(), PREFIX),
        };
        log(&format!("  {w:?}"));
        Ok(w)
    }

    /// One session: the containers view (routes never opened), the routes
    /// view while its probes run, and the containers view again.
    fn idle(&self) -> Result<Idle> {
        let n = self.opts.routes;
        let stats = self.home.join("stats.json");
        let _ = std::fs::remove_file(&stats);
        let stats_env = stats.to_str().unwrap_or("/tmp/berth-bench-rt-stats.json");
        let mut tui = self.spawn(&[("BERTH_STATS", stats_env)]);
        self.wait(&tui, &format!("{n} containers"), |s| {
            containers_listed(s) >= n
        })?;
        std::thread::sleep(Duration::from_secs(5));
        wait_quiet(&tui, Duration::from_secs(2), Duration::from_secs(30));
        let before = self.window(&tui, "routes never opened", self.opts.off_secs)?;

        let asked = self.counters.read()?;
        let key = Instant::now();
        tui.key(&self.keys.routes);
        let full = self.wait(&tui, &format!("{n} routes"), |s| routes_listed(s) >= n)?;
        // The first round reaches every backend within OTHERS_EVERY.
        let mut all_probed = None;
        while key.elapsed() < OTHERS_EVERY + Duration::from_secs(30) {
            if asked.until(self.counters.read()?).ours.requests >= n as u64 {
                all_probed = Some(key.elapsed());
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // The first round's latencies are the burst's own: a row settles
        // once two probes in a row (VISIBLE_EVERY apart) agree on it.
        std::thread::sleep(Duration::from_secs(5));
        let settle = wait_quiet(
            &tui,
            VISIBLE_EVERY * 2 + Duration::from_secs(1),
            Duration::from_secs(60),
        );
        let shown = tui.screen_text();
        let visible = rows_up(&shown).0;
        let on = self.window(&tui, "routes view on screen", self.opts.idle_secs)?;
        let changed = changed_rows(&shown, &tui.screen_text());
        let hwm_mib = status_bytes(tui.pid().context("berth pid")?, "VmHWM")? as f64 / MIB;

        tui.key(&self.keys.containers);
        self.wait(&tui, "the container list again", |s| {
            containers_listed(s) >= n
        })?;
        // Probes under way end within their timeout.
        std::thread::sleep(Duration::from_secs(3));
        let after = self.window(&tui, "routes view left", self.opts.off_secs)?;
        quit(tui);
        let stats: Option<serde_json::Value> = std::fs::read(&stats)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let field = |k: &str| stats.as_ref().and_then(|s| s.get(k)?.as_u64());
        Ok(Idle {
            before,
            on,
            after,
            switch: full - key,
            visible,
            changed,
            all_probed,
            settle,
            hwm_mib,
            frames: field("frames"),
            uptime_s: field("uptime_ms").unwrap_or_default() as f64 / 1000.0,
        })
    }
}

// ---------------------------------------------------------------- report

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "**MISS**" }
}

fn per_min(v: u64, secs: u64) -> f64 {
    v as f64 * 60.0 / secs.max(1) as f64
}

fn kib(b: f64) -> String {
    format!("{:.1} KiB", b / 1024.0)
}

fn markdown(
    opts: &Opts,
    subnet: &str,
    setup: &Setup,
    curl: &CurlRound,
    frames: &[FirstFrame],
    idle: &Idle,
    took: Duration,
) -> String {
    let n = opts.routes;
    let med = |f: fn(&FirstFrame) -> Duration| {
        let v: Vec<f64> = frames.iter().map(|x| ms(f(x))).collect();
        (
            median(&v),
            rounded(&v.iter().map(|x| x / 1000.0).collect::<Vec<_>>()),
        )
    };
    let (full, full_raw) = med(|f| f.key_to_full);
    let (start, start_raw) = med(|f| f.start_to_full);
    let (probed, probed_raw) = med(|f| f.key_to_probed);
    let on = &idle.on;
    let v = idle.visible as u64;
    let others = (n as u64).saturating_sub(v);
    let vis_per_min = 60 / VISIBLE_EVERY.as_secs();
    let oth_per_min = 60 / OTHERS_EVERY.as_secs();
    let bound = v * vis_per_min + others * oth_per_min;
    let req_min = per_min(on.traffic.requests, on.secs);
    let bytes_min = per_min(on.traffic.bytes(), on.secs);
    let per_req = on.traffic.bytes() as f64 / on.traffic.requests.max(1) as f64;
    let curl_per_req = curl.traffic.bytes() as f64 / curl.traffic.requests.max(1) as f64;
    let frames_note = match idle.frames {
        Some(f) => format!(
            "berth's own counters (`BERTH_STATS`) give {f} frames drawn over the whole \
             {:.0} s session (start, the {n}-row lists, the view switches and the first \
             probe results);",
            idle.uptime_s
        ),
        None => "berth wrote no `BERTH_STATS` file;".into(),
    };
    let mut notes = Vec::new();
    for (what, w) in [
        ("routes never opened", &idle.before),
        ("routes on screen", &idle.on),
        ("routes left", &idle.after),
    ] {
        if w.others > 0 {
            notes.push(format!(
                "- Window \"{what}\": {} request(s) to the bench backends came from other \
                 processes (other users of the engine; `berth ls routes` probes every route): \
                 counted apart, not in the figures above.",
                w.others
            ));
        }
        if w.foreign_events > 0 {
            notes.push(format!(
                "- Window \"{what}\": the engine reported {} event(s) about other users' \
                 objects; berth redraws for those that it lists.",
                w.foreign_events
            ));
        }
    }
    if !idle.changed.is_empty() {
        let examples: Vec<String> = idle
            .changed
            .iter()
            .take(3)
            .map(|(b, a)| format!("`{b}` → `{a}`"))
            .collect();
        notes.push(format!(
            "- {} screen line(s) differed between the start and the end of the routes \
             window, e.g. {}.",
            idle.changed.len(),
            examples.join("; ")
        ));
    }
    if !idle.settle.1 {
        notes.push(format!(
            "- berth's screen was still changing {:.0} s after the first round of probes \
             (a status change, or a latency of another order seen twice, redraws a row).",
            idle.settle.0.as_secs_f64()
        ));
    }
    let all_probed = idle
        .all_probed
        .map(|d| format!("{:.1} s", d.as_secs_f64()))
        .unwrap_or_else(|| "not within 60 s".into());
    format!(
        "## Routes ({n} routed containers)\n\n\
         {n} containers `{IMAGE} httpd -f -p {PORT} -h /var/www` on their own bridge network\n\
         ({subnet}), each with its own Traefik v2 labels (`` traefik.http.routers.rN.rule=Host(`rN.{DOMAIN}`) ``,\n\
         `traefik.http.services.rN.loadbalancer.server.port={PORT}`); berth in a {rows}x{cols} pty.\n\
         Setup (network and {n} `docker run -d`, {par} at a time) took {setup:.0} s.\n\
         No peer console has a routes view, so there is no peer column; for reference, one\n\
         `curl` to each backend ({IN_FLIGHT} at a time, as berth probes) took {curl_s:.2} s and\n\
         {curl_b} on the wire ({curl_pr:.0} bytes a request).\n\n\
         | | berth | budget | |\n\
         |---|---:|---|---|\n\
         | first full frame: `{key}` pressed → `routes(all)[{n}]`, median of {runs} | {full:.0} ms | ≤ 1 s | {full_ok} |\n\
         | process start → `routes(all)[{n}]` (`{key}` sent at the first frame) | {start:.0} ms | — | |\n\
         | `{key}` → every row on screen probed (`up`) | {probed:.0} ms | — | |\n\
         | `{key}` on a loaded list → `routes(all)[{n}]` | {switch:.0} ms | ≤ 1 s | {switch_ok} |\n\
         | `{key}` → {n} probes sent (the first round) | {all_probed} | ≤ {others_every} s | |\n\
         | idle CPU, routes on screen, probes running ({secs} s) | {cpu:.2} % | ≤ 0.5 % of a core | {cpu_ok} |\n\
         | terminal bytes in those {secs} s (status stable) | {bytes} B | 0 B | {bytes_ok} |\n\
         | probe requests / min | {req_min:.0} | ≤ {bound} | {req_ok} |\n\
         | probe traffic / min (IP bytes, both ways) | {bytes_min} | ≤ {bound} × {per_req:.0} B = {bound_b} | |\n\
         | probe requests, routes view never opened ({off} s) | {r0} | 0 | {r0_ok} |\n\
         | probe requests, routes view left for the containers view ({off} s) | {r1} | 0 | {r1_ok} |\n\
         | idle CPU / terminal bytes, routes never opened ({off} s) | {c0:.2} % / {b0} B | — | |\n\
         | idle CPU / terminal bytes, routes left ({off} s) | {c1:.2} % / {b1} B | — | |\n\
         | peak RSS (VmHWM) after the routes window | {hwm:.1} MiB | ≤ 40 MiB | {hwm_ok} |\n\n\
         The bound on probe traffic comes from the feed's intervals: backends of rows on screen\n\
         every {vis_every} s, the others every {others_every} s, at most {IN_FLIGHT} at once, one\n\
         HTTP/1.1 GET with `Connection: close` each. With {v} rows on screen that is\n\
         {v} × {vis_per_min} + {others} × {oth_per_min} = {bound} requests a minute, whatever the\n\
         backends answer; in bytes, that many times one probe's size: {per_req:.0} bytes measured\n\
         ({pkt_out} packets out, {pkt_in} back, in {secs} s; a `curl` request took {curl_pr:.0}).\n\n\
         How: requests are the SYNs from this host to the subnet's port {PORT}, bytes the IP\n\
         lengths of every packet to it and back, read from two counting iptables chains\n\
         (`{out_chain}`, `{in_chain}`, OUTPUT and INPUT) before and after each window.\n\
         berth runs through `setpriv --regid {gid} --keep-groups`: an `owner --gid-owner` rule\n\
         marks its connections (CONNMARK), so only its own probes are counted, both ways, and\n\
         other processes probing the same backends are counted apart.\n\
         CPU is utime+stime from `/proc/PID/stat` over the window; bytes are what the pty\n\
         master read. Every frame writes at least the cursor-hide sequence, so 0 bytes means\n\
         no frame was drawn; {frames_note} a row is redrawn only when its status or detail\n\
         changes, or two probes in a row see a latency of another order (over 5 times and\n\
         20 ms apart). First-frame runs (s): key → full\n\
         {full_raw:?}; start → full {start_raw:?}; key → rows probed {probed_raw:?}. The\n\
         screen was quiet {settle:.1} s after the first round before the window opened.\n\
         The whole routes bench took {took_m} min {took_s} s.\n{notes}",
        rows = opts.rows,
        cols = opts.cols,
        par = setup.parallel,
        setup = setup.secs,
        curl_s = curl.secs,
        curl_b = kib(curl.traffic.bytes() as f64),
        curl_pr = curl_per_req,
        key = "5",
        runs = frames.len(),
        full_ok = pass(full <= 1000.0),
        switch = ms(idle.switch),
        switch_ok = pass(idle.switch <= Duration::from_secs(1)),
        others_every = OTHERS_EVERY.as_secs(),
        vis_every = VISIBLE_EVERY.as_secs(),
        secs = on.secs,
        cpu = on.cpu,
        cpu_ok = pass(on.cpu <= 0.5),
        bytes = on.bytes,
        bytes_ok = pass(on.bytes == 0),
        req_ok = pass(req_min <= bound as f64),
        bytes_min = kib(bytes_min),
        bound_b = kib(bound as f64 * per_req),
        off = opts.off_secs,
        r0 = idle.before.traffic.requests,
        r0_ok = pass(idle.before.traffic.requests == 0),
        r1 = idle.after.traffic.requests,
        r1_ok = pass(idle.after.traffic.requests == 0),
        c0 = idle.before.cpu,
        b0 = idle.before.bytes,
        c1 = idle.after.cpu,
        b1 = idle.after.bytes,
        hwm = idle.hwm_mib,
        hwm_ok = pass(idle.hwm_mib <= 40.0),
        pkt_out = on.traffic.packets_out,
        pkt_in = on.traffic.packets_in,
        gid = wire::PROBE_GID,
        out_chain = wire::OUT_CHAIN,
        in_chain = wire::IN_CHAIN,
        settle = idle.settle.0.as_secs_f64(),
        took_m = took.as_secs() / 60,
        took_s = took.as_secs() % 60,
        notes = if notes.is_empty() {
            String::new()
        } else {
            format!("\n{}\n", notes.join("\n"))
        },
    )
}
