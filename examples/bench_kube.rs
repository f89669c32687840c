//! Kubernetes benchmarks, driven by `scripts/bench`: berth beside kdash on
//! the test bed's control plane with 1,000 and then 10,000 pods in the
//! namespace `berth-bench-kube`. The pods ask for a scheduler that does
//! not exist (`schedulerName: berth-none`), so they stay Pending: the
//! apiserver holds them and nothing works on them. Measures the first
//! full frame of each program's pods list against the raw list of every
//! pod, peak RSS, and idle CPU and terminal bytes with nothing changing,
//! then prints a Markdown section.
//!
//! It is an example, not a test: CI compiles it but never runs it. The
//! namespace is deleted (and its pods waited for) however the run ends;
//! `scripts/bench` deletes it too if the run is interrupted. Other users of
//! a shared cluster see every all-namespace watch slow while it holds
//! 10,000 pods, so that phase is kept short.
//!
//! ```sh
//! cargo run --release --example bench_kube -- --berth target/release/berth --kdash ~/.cargo/bin/kdash
//! ```

#[path = "support/measure.rs"]
#[allow(dead_code)]
mod measure;
#[path = "../tests/common/pty.rs"]
#[allow(dead_code, clippy::unwrap_used)]
mod pty;

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use measure::{
    home_env, median, ms, publish, quiet_start, quit, rounded, run_ok, status_bytes, unix_now,
    usage_over, wait_quiet, wait_screen,
};
use pty::Tui;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NAMESPACE: &str = "berth-bench-kube";
const IMAGE: &str = "docker.io/local/busybox:1";
const MIB: f64 = 1024.0 * 1024.0;
/// Pod creations in flight at once.
const PARALLEL: usize = 32;

#[derive(Debug, Parser)]
#[command(about = "berth Kubernetes benchmarks (run by scripts/bench)")]
struct Opts {
    /// The berth binary (a release build).
    #[arg(long)]
    berth: PathBuf,
    /// The kdash binary; without it only berth is measured.
    #[arg(long)]
    kdash: Option<PathBuf>,
    /// The kubeconfig of the cluster (the test bed's admin one by default).
    #[arg(
        long,
        env = "KUBECONFIG",
        default_value = "/var/tmp/berth-testbed/kube/admin.kubeconfig"
    )]
    kubeconfig: PathBuf,
    /// Pod counts, in increasing order (pods are added between them).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    pods: Vec<usize>,
    /// Runs of each first-frame measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Length of the idle window, seconds.
    #[arg(long, default_value_t = 30)]
    idle_secs: u64,
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
    opts.berth = std::fs::canonicalize(&opts.berth)
        .with_context(|| format!("berth binary {}", opts.berth.display()))?;
    if let Some(k) = &opts.kdash {
        opts.kdash =
            Some(std::fs::canonicalize(k).with_context(|| format!("kdash {}", k.display()))?);
    }
    let started = Instant::now();
    let rt = tokio::runtime::Runtime::new()?;
    let client = rt.block_on(client(&opts.kubeconfig))?;
    let home = std::env::temp_dir().join(format!("berth-bench-kube-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    // Deletes the namespace and berth's home however main ends.
    let _cleanup = Cleanup {
        home: home.clone(),
        kubeconfig: opts.kubeconfig.clone(),
    };
    delete_namespace(&opts.kubeconfig);
    rt.block_on(create_namespace(&client))?;
    let bench = Bench {
        opts: &opts,
        home: &home,
    };
    let mut report = Report::default();
    let mut made = 0;
    for &n in &opts.pods {
        let t = Instant::now();
        rt.block_on(create_pods(&client, made, n))?;
        report.note(format!(
            "{} pods created in {:.1} s ({PARALLEL} creations in flight)",
            n - made,
            t.elapsed().as_secs_f64()
        ));
        made = n;
        let total = rt.block_on(cluster_pods(&client))?;
        report.note(format!(
            "N={n}: the cluster held {total} pods in all ({} besides the bench ones)",
            total - n
        ));
        bench.measure(n, &mut report)?;
    }
    let t = Instant::now();
    drop(_cleanup);
    report.note(format!(
        "deleting the namespace and waiting for its pods took {:.1} s",
        t.elapsed().as_secs_f64()
    ));
    let md = report.markdown(&opts, started.elapsed());
    publish(&md, opts.out.as_deref())
}

fn log(msg: &str) {
    eprintln!("[bench_kube] {msg}");
}

// ---------------------------------------------------------------- cluster

async fn client(kubeconfig: &Path) -> Result<kube::Client> {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig)?;
    let cfg = kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
        .await?;
    Ok(kube::Client::try_from(cfg)?)
}

async fn create_namespace(client: &kube::Client) -> Result<()> {
    let ns: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": NAMESPACE, "labels": {"berth.bench": "1"}}
    }))?;
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await?;
    Ok(())
}

/// A pod no scheduler will place, shaped like an ordinary workload's pod
/// (labels, env, requests, a probe) so that a list carries what lists carry.
fn bench_pod(i: usize) -> Result<Pod> {
    Ok(serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("bench-{i:05}"),
            "labels": {"app.kubernetes.io/name": "bench", "berth.bench": "1",
                "shard": (i % 16).to_string()}},
        "spec": {
            "schedulerName": "berth-none",
            "terminationGracePeriodSeconds": 0,
            "containers": [{
                "name": "main", "image": IMAGE, "imagePullPolicy": "Never",
                "command": ["sleep", "100000"],
                "env": [{"name": "MODE", "value": "bench"}, {"name": "INDEX", "value": i.to_string()}],
                "ports": [{"containerPort": 8080, "name": "http"}],
                "resources": {"requests": {"cpu": "1m", "memory": "4Mi"}},
                "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 10}
            }]
        }
    }))?)
}

/// Creates bench pods `from..to` ([`PARALLEL`] at a time); ones that exist
/// already are fine.
async fn create_pods(client: &kube::Client, from: usize, to: usize) -> Result<()> {
    log(&format!("creating pods {from}..{to}"));
    let api: Api<Pod> = Api::namespaced(client.clone(), NAMESPACE);
    let pods = (from..to).map(bench_pod).collect::<Result<Vec<_>>>()?;
    let mut results = futures::stream::iter(pods.iter().map(|p| {
        let api = api.clone();
        async move {
            // A new namespace's service account gets its token a moment
            // later: until then the apiserver asks to retry.
            let mut tries = 0;
            loop {
                match api.create(&PostParams::default(), p).await {
                    Err(kube::Error::Api(s)) if s.code == 500 && tries < 30 => {
                        tries += 1;
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    r => return r,
                }
            }
        }
    }))
    .buffer_unordered(PARALLEL);
    while let Some(r) = results.next().await {
        match r {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(e) => bail!("create a bench pod: {e}"),
        }
    }
    Ok(())
}

/// Pods in every namespace, from a one-item list's remaining count.
async fn cluster_pods(client: &kube::Client) -> Result<usize> {
    let list = Api::<Pod>::all(client.clone())
        .list(&ListParams::default().limit(1))
        .await?;
    Ok(list.items.len() + list.metadata.remaining_item_count.unwrap_or(0).max(0) as usize)
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("kubectl");
    c.arg("--kubeconfig").arg(kubeconfig).args(args);
    c
}

/// Deletes the bench namespace and waits until it (and so every pod in it)
/// is gone.
fn delete_namespace(kubeconfig: &Path) {
    let exists = kubectl(kubeconfig, &["get", "namespace", NAMESPACE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !exists {
        return;
    }
    log(&format!("deleting namespace {NAMESPACE}"));
    // The pods first, in one request: unscheduled pods go at once.
    if let Ok(rt) = tokio::runtime::Runtime::new() {
        let _ = rt.block_on(async {
            let c = client(kubeconfig).await?;
            Api::<Pod>::namespaced(c, NAMESPACE)
                .delete_collection(&DeleteParams::default(), &ListParams::default())
                .await?;
            anyhow::Ok(())
        });
    }
    let _ = kubectl(
        kubeconfig,
        &[
            "delete",
            "namespace",
            NAMESPACE,
            "--wait=true",
            "--timeout=600s",
        ],
    )
    .stdout(Stdio::null())
    .status();
}

struct Cleanup {
    home: PathBuf,
    kubeconfig: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        delete_namespace(&self.kubeconfig);
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// The wall time of `kubectl ARGS` (output discarded).
fn time_kubectl(kubeconfig: &Path, args: &[&str]) -> Result<Duration> {
    let t = Instant::now();
    run_ok(&mut kubectl(kubeconfig, args))?;
    Ok(t.elapsed())
}

// ---------------------------------------------------------------- screens

/// The count in a list title: `containers(all)[1002]`, `Pods (ns: all) [1002]`.
fn title_count(screen: &str, head: &str) -> Option<usize> {
    let rest = &screen[screen.find(head)? + head.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Program {
    Berth,
    Kdash,
    /// berth watching the bench namespace alone (`--namespace`): no other
    /// user's change reaches it.
    BerthNs,
}

impl Program {
    fn name(self) -> &'static str {
        match self {
            Program::Berth => "berth",
            Program::Kdash => "kdash",
            Program::BerthNs => "berth --namespace",
        }
    }

    /// The title whose count says how many pods the list holds.
    fn title(self) -> &'static str {
        match self {
            Program::Berth | Program::BerthNs => "containers(all)[",
            Program::Kdash => "Pods (ns: all) [",
        }
    }
}

// ---------------------------------------------------------------- bench

struct Bench<'a> {
    opts: &'a Opts,
    home: &'a Path,
}

impl Bench<'_> {
    fn programs(&self) -> Vec<Program> {
        let mut p = vec![Program::Berth];
        if self.opts.kdash.is_some() {
            p.push(Program::Kdash);
        }
        p
    }

    fn spawn(&self, p: Program) -> Tui {
        let home = self.home.to_str().unwrap_or("/tmp");
        let kc = self.opts.kubeconfig.to_str().unwrap_or_default();
        let mut env = home_env(home).to_vec();
        env.push(("KUBECONFIG", kc));
        let (rows, cols) = (self.opts.rows, self.opts.cols);
        match p {
            Program::Berth => Tui::spawn(
                &self.opts.berth,
                &["--backend", "kubernetes"],
                &env,
                rows,
                cols,
            ),
            Program::BerthNs => Tui::spawn(
                &self.opts.berth,
                &["--backend", "kubernetes", "--namespace", NAMESPACE],
                &env,
                rows,
                cols,
            ),
            Program::Kdash => Tui::spawn(
                self.opts.kdash.as_deref().unwrap_or(Path::new("kdash")),
                &[],
                &env,
                rows,
                cols,
            ),
        }
    }

    /// Spawns `p` and waits for its pods list to count at least `n`: the
    /// program and the time from spawn to that frame.
    fn first_frame(&self, p: Program, n: usize) -> Result<(Tui, Duration)> {
        let t0 = Instant::now();
        let tui = self.spawn(p);
        let seen = wait_screen(&tui, Duration::from_secs(120), |s| {
            title_count(s, p.title()).is_some_and(|c| c >= n)
        });
        match seen {
            Some(at) => Ok((tui, at - t0)),
            None => bail!(
                "{}'s pods list did not count {n} within 120 s:\n{}",
                p.name(),
                tui.screen_text()
            ),
        }
    }

    fn measure(&self, n: usize, r: &mut Report) -> Result<()> {
        let kc = &self.opts.kubeconfig;
        log(&format!("== N={n}: floors"));
        let raw_args = ["get", "--raw", "/api/v1/pods"];
        let get_args = ["get", "pods", "-A"];
        time_kubectl(kc, &raw_args)?; // warm up
        let (mut raw, mut get) = (Vec::new(), Vec::new());
        for _ in 0..self.opts.runs {
            raw.push(time_kubectl(kc, &raw_args)?.as_secs_f64());
            get.push(time_kubectl(kc, &get_args)?.as_secs_f64());
        }
        let (raw_m, get_m) = (median(&raw), median(&get));
        r.row(n, "`kubectl get --raw /api/v1/pods` (floor)", secs(raw_m));
        r.row(n, "`kubectl get pods -A`", secs(get_m));
        r.note(format!(
            "N={n} floors (s, all runs): raw list {:?}, kubectl get pods -A {:?}",
            rounded(&raw),
            rounded(&get)
        ));

        log(&format!("== N={n}: first full frame"));
        let mut frames: Vec<Vec<f64>> = vec![Vec::new(); 2];
        for run in 0..self.opts.runs {
            for p in self.programs() {
                let (tui, d) = self.first_frame(p, n)?;
                quit(tui);
                frames[p as usize].push(d.as_secs_f64());
                log(&format!("run {run}: {} {:.0} ms", p.name(), ms(d)));
            }
        }
        let fb = median(&frames[0]);
        let fk = (!frames[1].is_empty()).then(|| median(&frames[1]));
        r.row_vs(
            n,
            "first full frame (spawn → pods list counts N)",
            secs(fb),
            fk.map(secs),
            fk.map(|k| fb / k),
            Some((
                format!("≤ 2 × raw list = {}", secs(2.0 * raw_m)),
                fb <= 2.0 * raw_m,
            )),
            fk.map(|k| fb < k),
        );
        r.note(format!(
            "N={n} first frame (s, all runs): berth {:?}, kdash {:?}",
            rounded(&frames[0]),
            rounded(&frames[1])
        ));

        log(&format!("== N={n}: idle"));
        let mut tuis = Vec::new();
        let mut idle = self.programs();
        idle.push(Program::BerthNs);
        for &p in &idle {
            tuis.push(self.first_frame(p, n)?.0);
        }
        // berth shows ages in whole minutes past the first: a window in
        // which none of the first pods on its screen (the bench pods sort
        // first... or other namespaces' pods) turns a minute.
        let created = first_rows_created(kc, self.opts.rows as usize)?;
        let start = quiet_start(&created, unix_now(), self.opts.idle_secs);
        if let Some(wait) = start.checked_sub(unix_now() + 2).filter(|w| *w > 0) {
            log(&format!(
                "waiting {wait} s: no age on screen turns a minute in the window"
            ));
            std::thread::sleep(Duration::from_secs(wait));
        }
        let (settle, quiet) = wait_quiet(&tuis[0], Duration::from_secs(2), Duration::from_secs(30));
        let mut foreign = ForeignPods::start(kc)?;
        let refs: Vec<&Tui> = tuis.iter().collect();
        let usage = usage_over(&refs, Duration::from_secs(self.opts.idle_secs))?;
        let events = foreign.stop();
        let hwm = tuis
            .iter()
            .map(|t| Ok(status_bytes(t.pid().context("pid")?, "VmHWM")? as f64 / MIB))
            .collect::<Result<Vec<f64>>>()?;
        for t in tuis {
            quit(t);
        }
        let (cb, bb) = usage[0];
        let (cn, bn) = usage[idle.len() - 1];
        let hn = hwm[idle.len() - 1];
        let kd = idle
            .iter()
            .position(|&p| p == Program::Kdash)
            .map(|i| usage[i]);
        let busy = if events > 0 {
            format!(" ({events} pod events elsewhere in the cluster during the window)")
        } else {
            String::new()
        };
        r.row_vs(
            n,
            &format!("idle CPU over {} s, nothing changes", self.opts.idle_secs),
            format!("{cb:.2} %"),
            kd.map(|k| format!("{:.2} %", k.0)),
            kd.map(|k| cb / k.0),
            Some(("≤ 0.5 % of a core".to_owned() + &busy, cb <= 0.5)),
            kd.map(|k| cb < k.0),
        );
        r.row_vs(
            n,
            &format!("idle terminal bytes over {} s", self.opts.idle_secs),
            format!("{bb} B"),
            kd.map(|k| format!("{} B", k.1)),
            kd.map(|k| bb as f64 / k.1.max(1) as f64),
            Some(("0 B".to_owned() + &busy, bb == 0)),
            kd.map(|k| bb < k.1 || bb == 0),
        );
        let hk = idle
            .iter()
            .position(|&p| p == Program::Kdash)
            .map(|i| hwm[i]);
        r.row_vs(
            n,
            "peak RSS (VmHWM) after the idle window",
            format!("{:.1} MiB", hwm[0]),
            hk.map(|k| format!("{k:.1} MiB")),
            hk.map(|k| hwm[0] / k),
            (n >= 10_000).then(|| ("≤ 150 MiB".to_owned(), hwm[0] <= 150.0)),
            hk.map(|k| hwm[0] < k),
        );
        r.row_vs(
            n,
            &format!(
                "berth `--namespace {NAMESPACE}`: idle CPU / terminal bytes over {} s, peak RSS",
                self.opts.idle_secs
            ),
            format!("{cn:.2} % / {bn} B / {hn:.1} MiB"),
            None,
            None,
            Some(("≤ 0.5 % / 0 B".to_owned(), cn <= 0.5 && bn == 0)),
            None,
        );
        r.note(if quiet {
            format!(
                "N={n} idle: the window opened once berth's screen had been quiet for 2 s ({:.1} s of waiting)",
                settle.as_secs_f64()
            )
        } else {
            format!(
                "N={n} idle: berth's screen was still changing after {:.0} s; the window opened anyway",
                settle.as_secs_f64()
            )
        });
        Ok(())
    }
}

/// Creation times (unix s) of the first `rows` pods by name in the whole
/// cluster and in the bench namespace: the rows berth's lists show.
fn first_rows_created(kubeconfig: &Path, rows: usize) -> Result<Vec<u64>> {
    let out = run_ok(&mut kubectl(
        kubeconfig,
        &[
            "get",
            "pods",
            "-A",
            "--no-headers",
            "-o",
            "custom-columns=N:.metadata.name,T:.metadata.creationTimestamp",
        ],
    ))?;
    let mut pods: Vec<(String, u64)> = out
        .lines()
        .filter_map(|l| {
            let (name, t) = l.split_once(char::is_whitespace)?;
            let t: Time = serde_json::from_value(serde_json::json!(t.trim())).ok()?;
            Some((name.to_owned(), t.0.as_second().max(0) as u64))
        })
        .collect();
    pods.sort();
    // The rows of berth's list on every namespace, and on the bench one.
    let bench = pods
        .iter()
        .filter(|(n, _)| n.starts_with("bench-"))
        .take(rows);
    Ok(pods
        .iter()
        .take(rows)
        .chain(bench)
        .map(|(_, t)| *t)
        .collect())
}

/// Counts pod events outside the bench namespace while it runs: changes a
/// shared cluster's other users make, which berth has to show.
struct ForeignPods {
    child: std::process::Child,
}

impl ForeignPods {
    fn start(kubeconfig: &Path) -> Result<ForeignPods> {
        let child = kubectl(
            kubeconfig,
            &[
                "get",
                "pods",
                "-A",
                "--watch-only",
                "--no-headers",
                "-o",
                "custom-columns=NS:.metadata.namespace",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
        Ok(ForeignPods { child })
    }

    fn stop(&mut self) -> usize {
        let _ = self.child.kill();
        let mut out = String::new();
        if let Some(mut s) = self.child.stdout.take() {
            let _ = std::io::Read::read_to_string(&mut s, &mut out);
        }
        let _ = self.child.wait();
        out.lines().filter(|l| l.trim() != NAMESPACE).count()
    }
}

fn secs(s: f64) -> String {
    format!("{s:.2} s")
}

// ---------------------------------------------------------------- report

#[derive(Debug, Default)]
struct Report {
    /// pods | measure | berth | kdash | berth/kdash | goal | vs kdash
    rows: Vec<[String; 7]>,
    notes: Vec<String>,
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "**MISS**" }
}

impl Report {
    fn row(&mut self, n: usize, measure: &str, value: String) {
        self.row_vs(n, measure, value, None, None, None, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn row_vs(
        &mut self,
        n: usize,
        measure: &str,
        berth: String,
        kdash: Option<String>,
        ratio: Option<f64>,
        goal: Option<(String, bool)>,
        better: Option<bool>,
    ) {
        let dash = || "—".to_owned();
        self.rows.push([
            format!("{n}"),
            measure.to_owned(),
            berth,
            kdash.unwrap_or_else(dash),
            ratio.map(|r| format!("{r:.2}")).unwrap_or_else(dash),
            goal.map(|(g, p)| format!("{g}: {}", verdict(p)))
                .unwrap_or_else(dash),
            better.map(|b| verdict(b).to_owned()).unwrap_or_else(dash),
        ]);
    }

    fn note(&mut self, s: String) {
        log(&s);
        self.notes.push(s);
    }

    fn markdown(&self, opts: &Opts, took: Duration) -> String {
        let kdash = opts
            .kdash
            .as_ref()
            .and_then(|k| run_ok(Command::new(k).arg("--version")).ok())
            .unwrap_or_else(|| "not run".into());
        let server = run_ok(&mut kubectl(&opts.kubeconfig, &["version", "-o", "json"]))
            .ok()
            .and_then(|v| serde_json::from_str::<serde_json::Value>(&v).ok())
            .and_then(|v| v["serverVersion"]["gitVersion"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "?".into());
        let mut md = format!(
            "## Kubernetes ({} pods, beside kdash)\n\n\
             The test bed's control plane (kube-apiserver {server}, two kubelet nodes), the pods in the \
             namespace `{NAMESPACE}`: `{IMAGE}` with labels, env, a port, requests and a \
             readiness probe, and `schedulerName: berth-none` so that they stay Pending (the \
             apiserver holds them, nothing works on them). berth (`--backend kubernetes`, every \
             namespace, its pods list) and {kdash} (its pods view, every namespace) run in a \
             {}x{} pty each, read through a vt100 emulator, in the same run. Median of {} runs.\n\n\
             | pods | measure | berth | kdash | berth ÷ kdash | goal | vs kdash |\n\
             |---:|---|---:|---:|---:|---|---|\n",
            opts.pods
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" and "),
            opts.cols,
            opts.rows,
            opts.runs,
        );
        for [n, m, b, k, ra, g, v] in &self.rows {
            md.push_str(&format!("| {n} | {m} | {b} | {k} | {ra} | {g} | {v} |\n"));
        }
        md.push_str(&format!(
            "\n- **First full frame**: from spawning the program to the first screen whose pods \
             list title counts at least N (berth's `containers(all)[T]`, kdash's \
             `Pods (ns: all) [T]`); the screen is checked each time output arrives. berth draws \
             the first page (500 pods) at once and the whole list when its listing is complete. \
             The floor is `kubectl get --raw /api/v1/pods` (one unpaged list, not decoded) after \
             a warm-up call.\n\
             - **Idle**: both programs open side by side; in a window where no age on berth's \
             screen turns a minute, and after berth's screen has been quiet for 2 s, CPU is \
             utime+stime from `/proc/PID/stat` over {} s in % of one core, and bytes are what \
             the pty read. Pod events in other namespaces during the window (other users of the \
             cluster) are counted: they are real changes berth shows.\n\
             - **Memory**: VmHWM from `/proc/PID/status` after the idle window.\n\
             \nThe Kubernetes measurements took {:.0} s. Observed during the run:\n\n",
            opts.idle_secs,
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
    fn list_titles_are_counted() {
        let berth = "┌ containers(all)[10002] ───┐";
        let kdash = "│ Pods (ns: all) [1002] ⏎:containers";
        assert_eq!(title_count(berth, Program::Berth.title()), Some(10002));
        assert_eq!(title_count(kdash, Program::Kdash.title()), Some(1002));
        assert_eq!(title_count("nothing yet", Program::Berth.title()), None);
    }
}
