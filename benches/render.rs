//! Render and ingest micro-benchmarks (divan). Budget on the 2-core dev
//! machine: a frame ≤ 4 ms (10k-row table, full log view at 200x50), log
//! ingest ≥ 50k lines/s. See benches/README.md for how to run and the
//! callgrind recipe.
//!
//! Every benchmark builds its state through the reducer, outside the timed
//! closure; only the measured step is timed. `cargo test` runs each once.

use berth::app::{Action, AppState, Msg, Settings, update};
use berth::backend::{BackendEvent, BackendKind, ConnectionState};
use berth::config::{Keymap, Theme};
use berth::domain::Snapshot;
use berth::domain::fixtures::{NOW, many, sample};
use berth::logs::{LogEvent, LogLine, LogStream};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use divan::counter::ItemsCount;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::{Arc, OnceLock};

fn main() {
    divan::main();
}

const BIG: (u16, u16) = (200, 50);
const SMALL: (u16, u16) = (80, 24);
/// Lines in a full log view: the default `--log-buffer`.
const LOG_LINES: usize = 100_000;
/// What the Docker backend sends per `LogEvent::Lines`.
const BATCH: usize = 512;

// ---- state -----------------------------------------------------------------

fn new_state(size: (u16, u16), snap: Snapshot) -> AppState {
    let settings = Settings {
        backend: BackendKind::Docker,
        endpoint: "unix:///var/run/docker.sock".into(),
        read_only: false,
        log_tail: 1000,
        log_capacity: LOG_LINES,
        save_dir: std::env::temp_dir(),
        audit_dir: None,
        routes: Default::default(),
    };
    let mut s = AppState::new(settings, size, NOW);
    update(
        &mut s,
        Msg::Backend(BackendEvent::Connection(ConnectionState::Connected)),
    );
    update(&mut s, Msg::Backend(BackendEvent::Snapshot(Arc::new(snap))));
    s
}

fn act(s: &mut AppState, actions: &[Action]) {
    for a in actions {
        update(s, Msg::Action(*a));
    }
}

/// Types `text` into the filter prompt and accepts it.
fn filter(s: &mut AppState, text: &str) {
    act(s, &[Action::Filter]);
    let key = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    for c in text.chars() {
        update(s, key(KeyCode::Char(c)));
    }
    update(s, key(KeyCode::Enter));
}

/// A 10k-container table with the cursor near the middle.
fn table_state(size: (u16, u16)) -> AppState {
    let mut s = new_state(size, many(10_000));
    let pages = 5_000 / s.body_height();
    act(&mut s, &vec![Action::PageDown; pages]);
    s
}

// ---- log lines -------------------------------------------------------------

/// Deterministic, realistic raw lines: access logs, JSON, logfmt, SGR
/// coloured, Java-style, tab-indented stack frames, some long lines and a
/// rare huge one (cut at `MAX_LINE_CHARS`).
fn raw_lines(n: usize) -> Vec<Vec<u8>> {
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|i| {
            // xorshift64: a fixed pseudo-random mix, the same every run.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            raw_line(i, rng).into_bytes()
        })
        .collect()
}

fn raw_line(i: usize, r: u64) -> String {
    let level = ["info", "info", "info", "debug", "warn", "error"][(r >> 8) as usize % 6];
    let ms = (r >> 16) % 900;
    let id = (r >> 24) % 100_000;
    match r % 100 {
        0..35 => format!(
            "10.0.{}.{} - - [22/Nov/2026:01:31:20 +0000] \"GET /api/orders/{id}?page={} HTTP/1.1\" {} {} \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\" {ms}ms",
            r % 256,
            (r >> 40) % 256,
            i % 7,
            if ms > 800 { 500 } else { 200 },
            (r >> 32) % 20_000,
        ),
        35..60 => format!(
            "{{\"ts\":\"2026-11-22T01:31:20.{:03}Z\",\"level\":\"{level}\",\"logger\":\"http\",\"msg\":\"request done\",\"method\":\"POST\",\"path\":\"/api/cart/{id}\",\"status\":201,\"duration_ms\":{ms}.5,\"trace_id\":\"{r:016x}\"}}",
            i % 1000
        ),
        60..80 => format!(
            "time=2026-11-22T01:31:20Z level={level} msg=\"slow query\" component=db query_ms={ms} rows={} table=orders user={id}",
            r % 50
        ),
        80..88 => format!(
            "\x1b[2m01:31:20\x1b[0m \x1b[{}m{:<5}\x1b[0m [\x1b[36mworker-{}\x1b[0m] job \x1b[1m{id}\x1b[0m finished in {ms}ms",
            match level {
                "error" => 31,
                "warn" => 33,
                _ => 32,
            },
            level.to_uppercase(),
            i % 8
        ),
        88..94 => format!(
            "2026-11-22 01:31:20,{:03} {:<5} [pool-3-thread-{}] c.e.shop.Checkout - retrying payment {id} attempt {}/5",
            ms,
            level.to_uppercase(),
            i % 16,
            r % 5
        ),
        94..97 => format!(
            "\tat com.example.shop.checkout.PaymentService.charge(PaymentService.java:{})",
            ms
        ),
        // A big JSON payload, 1-4 kB; one in a few thousand is huge.
        _ if i.is_multiple_of(3_000) => huge_line(id as usize),
        _ => payload(level, id as usize, 1_000 + (r >> 20) as usize % 3_000),
    }
}

fn payload(level: &str, id: usize, len: usize) -> String {
    let blob: String = "ab3f9e".chars().cycle().take(len).collect();
    format!("{{\"level\":\"{level}\",\"msg\":\"payload\",\"id\":{id},\"body\":\"{blob}\"}}")
}

/// Longer than `MAX_LINE_CHARS`, so it arrives cut.
fn huge_line(id: usize) -> String {
    payload("info", id, 20_000)
}

/// `raw` as the backend would send it: `LogLine`s in batches of `BATCH`.
fn ingest(s: &mut AppState, raw: &[Vec<u8>], sources: &[Arc<str>]) {
    let mut seq = 0usize;
    for chunk in raw.chunks(BATCH) {
        let lines = chunk
            .iter()
            .map(|r| {
                let source = sources[seq % sources.len()].clone();
                let ts = (NOW * 1_000_000_000) + seq as i64 * 1_000_000;
                seq += 1;
                LogLine::from_raw(source, LogStream::Stdout, Some(ts), r)
            })
            .collect();
        update(
            s,
            Msg::Log {
                session: 1,
                event: LogEvent::Lines(lines),
            },
        );
    }
}

/// The raw lines, made once per process (several benchmarks share them).
fn shared_raw() -> &'static [Vec<u8>] {
    static RAW: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    RAW.get_or_init(|| raw_lines(LOG_LINES))
}

/// The raw lines made into `LogLine`s once per process: cloning them is
/// cheaper than parsing again, which keeps `cargo test` quick.
fn shared_lines() -> &'static [LogLine] {
    static LINES: OnceLock<Vec<LogLine>> = OnceLock::new();
    LINES.get_or_init(|| {
        let source: Arc<str> = Arc::from("-");
        shared_raw()
            .iter()
            .enumerate()
            .map(|(seq, r)| {
                let ts = (NOW * 1_000_000_000) + seq as i64 * 1_000_000;
                LogLine::from_raw(source.clone(), LogStream::Stdout, Some(ts), r)
            })
            .collect()
    })
}

/// Fills the open log view with the shared lines, from `sources` in turn.
fn fill(s: &mut AppState, sources: &[Arc<str>]) {
    for (n, chunk) in shared_lines().chunks(BATCH).enumerate() {
        let lines = chunk
            .iter()
            .enumerate()
            .map(|(i, l)| LogLine {
                source: sources[(n * BATCH + i) % sources.len()].clone(),
                ..l.clone()
            })
            .collect();
        update(
            s,
            Msg::Log {
                session: 1,
                event: LogEvent::Lines(lines),
            },
        );
    }
}

/// A container's log view (the first container of the sample) holding
/// `LOG_LINES` lines, following.
fn container_logs(size: (u16, u16)) -> AppState {
    let mut s = new_state(size, sample());
    act(&mut s, &[Action::Logs]);
    fill(&mut s, &[Arc::from("grafana")]);
    s
}

/// A service's merged log view (shop/web, two replicas): source prefixes on.
fn service_logs(size: (u16, u16)) -> AppState {
    let mut s = new_state(size, sample());
    act(&mut s, &[Action::ViewServices, Action::End, Action::Logs]);
    fill(&mut s, &[Arc::from("shop-web-1"), Arc::from("shop-web-2")]);
    s
}

// ---- drawing ---------------------------------------------------------------

struct Screen {
    term: Terminal<TestBackend>,
    theme: Theme,
    keymap: Keymap,
}

impl Screen {
    fn new(size: (u16, u16)) -> Self {
        Screen {
            term: Terminal::new(TestBackend::new(size.0, size.1)).expect("test terminal"),
            theme: Theme::builtin("dark").expect("dark theme"),
            keymap: Keymap::builtin("default").expect("default keymap"),
        }
    }

    /// One frame, as the runtime draws it (render, diff, flush).
    fn draw(&mut self, s: &AppState) {
        let Screen {
            term,
            theme,
            keymap,
        } = self;
        term.draw(|f| berth::ui::draw(f, s, theme, keymap))
            .expect("draw");
    }
}

// The measured steps are `timed_*` functions, never inlined, so that
// callgrind can count exactly them (`--toggle-collect='*timed_*'`).

#[inline(never)]
fn timed_frame(screen: &mut Screen, s: &AppState) {
    screen.draw(s);
}

/// Times one frame of `s`, after a first untimed one (as in the app, the
/// previous frame is on screen and only the diff is written).
fn bench_frame(bencher: Bencher, s: AppState) {
    let mut screen = Screen::new(s.size);
    screen.draw(&s);
    bencher.bench_local(|| timed_frame(&mut screen, &s));
}

#[divan::bench]
fn table_10k_rows_200x50(bencher: Bencher) {
    bench_frame(bencher, table_state(BIG));
}

#[divan::bench]
fn table_10k_rows_80x24(bencher: Bencher) {
    bench_frame(bencher, table_state(SMALL));
}

#[divan::bench]
fn log_view_full_200x50(bencher: Bencher) {
    bench_frame(bencher, container_logs(BIG));
}

#[divan::bench]
fn log_view_full_wrap_200x50(bencher: Bencher) {
    let mut s = container_logs(BIG);
    act(&mut s, &[Action::ToggleWrap]);
    bench_frame(bencher, s);
}

#[divan::bench]
fn log_view_full_timestamps_sources_200x50(bencher: Bencher) {
    let mut s = service_logs(BIG);
    act(&mut s, &[Action::ToggleTimestamps]);
    bench_frame(bencher, s);
}

#[divan::bench]
fn log_view_full_filter_200x50(bencher: Bencher) {
    let mut s = container_logs(BIG);
    filter(&mut s, "error");
    bench_frame(bencher, s);
}

/// A filter that matches almost everywhere: many highlights per line.
#[divan::bench]
fn log_view_full_filter_common_200x50(bencher: Bencher) {
    let mut s = container_logs(BIG);
    filter(&mut s, "a");
    bench_frame(bencher, s);
}

/// The newest lines are huge (cut at `MAX_LINE_CHARS`).
fn huge_lines(size: (u16, u16)) -> AppState {
    let mut s = container_logs(size);
    let huge: Vec<Vec<u8>> = (0..50).map(|i| huge_line(i).into_bytes()).collect();
    ingest(&mut s, &huge, &[Arc::from("grafana")]);
    s
}

/// Worst case for wrapping: each line wraps to more rows than the screen has.
fn huge_lines_wrapped(size: (u16, u16)) -> AppState {
    let mut s = huge_lines(size);
    act(&mut s, &[Action::ToggleWrap]);
    s
}

#[divan::bench]
fn log_view_full_huge_lines_200x50(bencher: Bencher) {
    bench_frame(bencher, huge_lines(BIG));
}

#[divan::bench]
fn log_view_full_huge_lines_wrap_200x50(bencher: Bencher) {
    bench_frame(bencher, huge_lines_wrapped(BIG));
}

#[divan::bench]
fn log_view_full_huge_lines_wrap_80x24(bencher: Bencher) {
    bench_frame(bencher, huge_lines_wrapped(SMALL));
}

/// Huge lines, wrapped, with a filter that highlights all over them.
#[divan::bench]
fn log_view_full_huge_lines_wrap_filter_200x50(bencher: Bencher) {
    let mut s = huge_lines_wrapped(BIG);
    filter(&mut s, "a");
    bench_frame(bencher, s);
}

#[divan::bench]
fn log_view_full_colors_200x50(bencher: Bencher) {
    let mut s = container_logs(BIG);
    act(&mut s, &[Action::ToggleColors]);
    bench_frame(bencher, s);
}

// ---- per-change and per-line work -----------------------------------------

/// A new 10k-container snapshot through the reducer: what every engine
/// change costs (rows rebuilt, filtered, sorted; cursor kept on its item).
fn bench_rebuild(bencher: Bencher, mut s: AppState) {
    let snap = Arc::clone(&s.snapshot);
    bencher.bench_local(|| timed_rebuild(&mut s, &snap));
}

#[inline(never)]
fn timed_rebuild(s: &mut AppState, snap: &Arc<Snapshot>) {
    update(s, Msg::Backend(BackendEvent::Snapshot(Arc::clone(snap))));
}

#[divan::bench]
fn list_rebuild_10k(bencher: Bencher) {
    bench_rebuild(bencher, table_state(BIG));
}

/// Sorted by SERVICE, a column whose text is built (`stack/service`).
#[divan::bench]
fn list_rebuild_10k_by_service(bencher: Bencher) {
    let mut s = table_state(BIG);
    act(&mut s, &[Action::SortNext; 4]);
    bench_rebuild(bencher, s);
}

/// With a filter, every cell of every row is matched.
#[divan::bench]
fn list_rebuild_10k_filtered(bencher: Bencher) {
    let mut s = table_state(BIG);
    filter(&mut s, "svc4");
    bench_rebuild(bencher, s);
}

/// `LogLine::from_raw` and the push into a full, following view (the ring
/// drops as many old lines as arrive): the sustained ingest path.
#[divan::bench]
fn log_ingest_100k(bencher: Bencher) {
    let mut s = container_logs(BIG);
    let raw = shared_raw();
    let sources = [Arc::from("grafana")];
    bencher
        .counter(ItemsCount::new(raw.len()))
        .bench_local(|| timed_ingest(&mut s, raw, &sources));
}

#[inline(never)]
fn timed_ingest(s: &mut AppState, raw: &[Vec<u8>], sources: &[Arc<str>]) {
    ingest(s, raw, sources);
}
