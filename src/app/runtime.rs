//! The event loop: terminal input, backend events, log streams, timers and
//! signals in one `select!`. It feeds the reducer and performs its commands;
//! it draws only when state changed, at most ~30 frames a second.

use super::notice::{Level, NOTICE_TTL};
use super::op_runner::OpRunner;
use super::stats::Stats;
use super::{AppState, Command, Msg, Screen, Settings, update};
use crate::audit::{Audit, AuditContext};
use crate::backend::kube::KubeTarget;
use crate::backend::{Backend, Switcher};
use crate::config::{Keymap, Theme};
use crate::logs::{LogEvent, format_timestamp};
use crate::terminal::Term;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Least time between two frames.
const FRAME: Duration = Duration::from_millis(33);
/// Ages are shown in seconds for the first minute, then minutes: tick as
/// often as the youngest age on screen changes.
const TICK_FRESH: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_secs(60);
/// Log batches taken per loop turn at most, and for how long, before keys
/// and drawing get their turn again.
const LOG_DRAIN: usize = 64;
const LOG_DRAIN_TIME: Duration = Duration::from_millis(8);
/// How long quitting waits for running operations to stop at a safe point.
const QUIT_GRACE: Duration = Duration::from_secs(10);

struct LogSession {
    id: u64,
    rx: mpsc::Receiver<LogEvent>,
    task: JoinHandle<()>,
}

impl Drop for LogSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Where a Kubernetes console starts, and how it reaches other contexts
/// and namespaces (`:ctx`, `:ns`).
pub struct Switching {
    pub target: KubeTarget,
    pub switcher: Arc<dyn Switcher>,
}

type Connecting = (KubeTarget, JoinHandle<Result<Arc<dyn Backend>, String>>);

/// Runs the console until the user quits, the terminal goes away, or a signal.
/// `warnings` (broken config files) are shown in the status bar at start.
/// `switching` is `None` on Docker: `:ctx` and `:ns` then say why not.
pub async fn run(
    term: &mut Term,
    mut backend: Arc<dyn Backend>,
    settings: Settings,
    theme: Theme,
    keymap: Keymap,
    warnings: Vec<String>,
    switching: Option<Switching>,
) -> anyhow::Result<()> {
    // `--read-only`: the reducer refuses changes, and main hands in a
    // backend wrapped in the read-only guard.
    let size = term.size()?;
    let mut state = AppState::new(settings, (size.width, size.height), unix_now());
    let (switcher, kube) = match switching {
        Some(s) => (Some(s.switcher), Some(s.target)),
        None => (None, None),
    };
    state.kube = kube;
    // A backend being connected by `:ctx` / `:ns`, then the one that
    // answered, held until the reducer adopts it.
    let mut connecting: Option<Connecting> = None;
    let mut connected: Option<Arc<dyn Backend>> = None;
    for w in &warnings {
        tracing::warn!("{w}");
    }
    if !warnings.is_empty() {
        state.notify(Level::Warn, warnings.join("; "));
    }
    let (audit, audit_writer) = Audit::open(state.settings.audit_dir.as_deref());
    let audit_ctx = AuditContext {
        via: "console",
        backend: state.settings.backend.label().to_owned(),
        endpoint: state.settings.endpoint.clone(),
    };
    let mut runner = OpRunner::new(backend.clone(), audit, audit_ctx);
    // The notice whose expiry is scheduled, and when.
    let mut notice_timer = state
        .notice
        .as_ref()
        .map(|n| (n.id, Instant::now() + NOTICE_TTL));
    let (btx, mut brx) = mpsc::channel(16);
    let mut interest = state.interest();
    backend.set_interest(interest.clone());
    let mut watcher = tokio::spawn(backend.watch(btx));
    // The route feed: probes and other sources, only while routes are shown.
    let (snap_tx, snap_rx) = watch::channel(state.base.clone());
    let mut watching = super::routes::watching(&state);
    let (watch_tx, watch_rx) = watch::channel(watching.clone());
    let (rtx, mut rrx) = mpsc::channel(4);
    let mut feed = tokio::spawn(crate::routes::feed::run(
        backend.clone(),
        state.settings.routes.clone(),
        snap_rx,
        watch_rx,
        rtx,
    ));
    let mut keys = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut next_tick = Instant::now() + TICK;
    let mut logs: Option<LogSession> = None;
    let mut next_draw: Option<Instant> = Some(Instant::now());
    let mut last_draw = Instant::now() - FRAME;
    let mut stats = Stats::new();

    loop {
        // Biased: signals, then a due frame, then keys, ahead of a log
        // stream that is always ready under a flood.
        let msg = tokio::select! {
            biased;
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sleep_until(next_draw), if next_draw.is_some() => {
                term.draw(|f| crate::ui::draw(f, &state, &theme, &keymap))?;
                                stats.frames += 1;
                // Lets the end-to-end tests check that a panic restores the terminal.
                if stats.frames == 1 && std::env::var_os("BERTH_TEST_PANIC").is_some() {
                    panic!("BERTH_TEST_PANIC is set");
                }
                state.dirty = false;
                last_draw = Instant::now();
                next_draw = None;
                continue;
            }
            ev = keys.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => match state.key_mode() {
                    None => Msg::Key(k),
                    Some(mode) => match keymap.lookup(mode, &k) {
                        Some(a) => Msg::Action(a),
                        None => continue,
                    },
                },
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone (ssh dropped): nothing left to show.
                Some(Err(_)) | None => break,
            },
            Some(ev) = brx.recv() => {
                update(&mut state, Msg::Tick(unix_now()));
                Msg::Backend(ev)
            }
            Some((id, ev)) = next_log(&mut logs) => Msg::Log { session: id, event: ev },
            Some(live) = rrx.recv() => Msg::Routes(live),
            (target, result) = next_connected(&mut connecting) => {
                let result = result.map(|b| {
                    let endpoint = b.endpoint().to_owned();
                    connected = Some(b);
                    endpoint
                });
                Msg::Connected { target, result }
            }
            msg = runner.next() => {
                // Stamps the end of an operation with the time it arrived.
                if matches!(msg, Msg::Op { .. }) {
                    update(&mut state, Msg::Tick(unix_now()));
                }
                msg
            }
            _ = sleep_until(notice_timer.map(|(_, at)| at)), if notice_timer.is_some() => {
                let id = notice_timer.take().map(|(id, _)| id).unwrap_or_default();
                Msg::NoticeExpired(id)
            }

            _ = tokio::time::sleep_until(next_tick) => {
                next_tick = Instant::now() + TICK;
                Msg::Tick(unix_now())
            }
        };
        let ages_matter = matches!(msg, Msg::Backend(_) | Msg::Tick(_));
        stats.count(&msg);
        let cmds = update(&mut state, msg);
        // Chatty logs: take what is already queued before the next frame.
        if let Some(session) = logs.as_mut() {
            let until = Instant::now() + LOG_DRAIN_TIME;
            for _ in 0..LOG_DRAIN {
                if Instant::now() >= until {
                    break;
                }
                let Ok(event) = session.rx.try_recv() else {
                    break;
                };
                let msg = Msg::Log {
                    session: session.id,
                    event,
                };
                stats.count(&msg);
                update(&mut state, msg);
            }
        }
        let wanted = state.interest();
        if wanted != interest {
            backend.set_interest(wanted.clone());
            interest = wanted;
        }
        if !Arc::ptr_eq(&snap_tx.borrow(), &state.base) {
            snap_tx.send_replace(state.base.clone());
        }
        let wanted = super::routes::watching(&state);
        if wanted != watching {
            watch_tx.send_replace(wanted.clone());
            watching = wanted;
        }
        // Commands may answer at once (a capability check) with more commands.
        let mut queue = VecDeque::from(cmds);
        while let Some(cmd) = queue.pop_front() {
            let reply = match cmd {
                Command::OpenLogs { session, req } => {
                    let (tx, rx) = mpsc::channel(64);
                    let task = tokio::spawn(backend.logs(req, tx));
                    logs = Some(LogSession {
                        id: session,
                        rx,
                        task,
                    });
                    None
                }
                Command::CloseLogs { session } => {
                    if logs.as_ref().is_some_and(|l| l.id == session) {
                        logs = None;
                    }
                    None
                }
                Command::SaveLogs { session } => Some(Msg::Saved(save_logs(&state, session))),
                Command::ListContexts { pick } => {
                    let result = match &switcher {
                        Some(s) => s.contexts(),
                        None => Err("not a Kubernetes console".into()),
                    };
                    Some(Msg::Contexts { pick, result })
                }
                Command::Connect { target } => {
                    // A newer request replaces one still connecting.
                    if let Some((_, task)) = connecting.take() {
                        task.abort();
                    }
                    match &switcher {
                        Some(s) => {
                            let task = tokio::spawn(s.connect(target.clone()));
                            connecting = Some((target, task));
                            None
                        }
                        None => Some(Msg::Connected {
                            target,
                            result: Err("not a Kubernetes console".into()),
                        }),
                    }
                }
                Command::Adopt => {
                    if let Some(new) = connected.take() {
                        // The old watcher's queued events go with its channel.
                        watcher.abort();
                        logs = None;
                        backend = new;
                        runner.set_backend(backend.clone());
                        let (tx, rx) = mpsc::channel(16);
                        brx = rx;
                        interest = state.interest();
                        backend.set_interest(interest.clone());
                        watcher = tokio::spawn(backend.watch(tx));
                        feed.abort();
                        let (rtx, rx) = mpsc::channel(4);
                        rrx = rx;
                        feed = tokio::spawn(crate::routes::feed::run(
                            backend.clone(),
                            state.settings.routes.clone(),
                            snap_tx.subscribe(),
                            watch_tx.subscribe(),
                            rtx,
                        ));
                        tracing::info!("switched to {}", backend.endpoint());
                    }
                    None
                }
                Command::Quit => None,
                // Operations: check, plan, execute, cancel, audit.
                other => runner.perform(other),
            };
            if let Some(msg) = reply {
                queue.extend(update(&mut state, msg));
            }
        }
        // A backend the reducer did not adopt (a switch refused) is dropped.
        connected = None;
        let shown = state.notice.as_ref().map(|n| n.id);
        if shown != notice_timer.map(|(id, _)| id) {
            notice_timer = shown.map(|id| (id, Instant::now() + NOTICE_TTL));
        }
        if state.quit {
            break;
        }
        if ages_matter {
            next_tick = Instant::now()
                + if state.has_fresh_ages() {
                    TICK_FRESH
                } else {
                    TICK
                };
        }
        // A running operation's elapsed time counts in seconds, when shown.
        if state.shows_running_clock() {
            next_tick = next_tick.min(Instant::now() + TICK_FRESH);
        }
        if state.dirty && next_draw.is_none() {
            next_draw = Some((last_draw + FRAME).max(Instant::now()));
        }
    }
    watcher.abort();
    feed.abort();
    if runner.running() > 0 {
        // They run in this process: stop them at a safe point, and wait a
        // little for their last word so the audit trail says how each ended.
        state.notify(
            Level::Warn,
            format!(
                "stopping {} operation(s) at a safe point…",
                runner.running()
            ),
        );
        // The terminal may be gone (ssh dropped): nothing to show then.
        let _ = term.draw(|f| crate::ui::draw(f, &state, &theme, &keymap));
        runner
            .stop_all(&mut state, Instant::now() + QUIT_GRACE)
            .await;
    }
    // Every audit handle must be gone before the writer can finish.
    drop(runner);
    audit_writer.finish();
    stats.log_dropped = state.logs().map(|v| v.ring.dropped()).unwrap_or_default();
    stats.write_if_asked();
    Ok(())
}

async fn next_log(logs: &mut Option<LogSession>) -> Option<(u64, LogEvent)> {
    match logs {
        Some(s) => s.rx.recv().await.map(|ev| (s.id, ev)),
        None => std::future::pending().await,
    }
}

/// The backend `:ctx` / `:ns` asked for, once it answered or failed.
async fn next_connected(
    connecting: &mut Option<Connecting>,
) -> (KubeTarget, Result<Arc<dyn Backend>, String>) {
    let Some((_, task)) = connecting.as_mut() else {
        return std::future::pending().await;
    };
    let result = match task.await {
        Ok(r) => r,
        Err(e) => Err(format!("the connection attempt ended: {e}")),
    };
    let target = connecting.take().map(|(t, _)| t).unwrap_or_default();
    (target, result)
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Writes the lines the log view shows (all, or those matching its filter).
fn save_logs(state: &AppState, session: u64) -> Result<(PathBuf, usize), String> {
    let view = state
        .screens
        .iter()
        .find_map(|s| match s {
            Screen::Logs(v) if v.session == session => Some(v),
            _ => None,
        })
        .ok_or("the log view is closed")?;
    let dir = &state.settings.save_dir;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let safe: String = view
        .title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{safe}-{}.log", unix_now()));
    let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let n = view.visible_len();
    for i in 0..n {
        let Some((_, line)) = view.visible(i) else {
            continue;
        };
        let ts = line
            .ts
            .map(|t| format!("{} ", format_timestamp(t)))
            .unwrap_or_default();
        let src = if view.show_source {
            format!("{} | ", line.source)
        } else {
            String::new()
        };
        writeln!(out, "{ts}{src}{}", line.text).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok((path, n))
}

pub use crate::backend::unix_now;
