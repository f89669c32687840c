//! Runs a program in a pseudo-terminal and reads its screen through a vt100
//! emulator, to test the TUI as a user sees it: what is on screen, how it
//! reacts to keys and resizes, and whether it gives the terminal back in a
//! normal state when it exits.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// Escape sequences whose order in the raw output tells whether the program
/// restored the terminal. vt100's screen state says the same for the final
/// state; the raw stream also proves the program sent them itself.
const ALT_ON: &[u8] = b"\x1b[?1049h";
const ALT_OFF: &[u8] = b"\x1b[?1049l";
const CURSOR_HIDE: &[u8] = b"\x1b[?25l";
const CURSOR_SHOW: &[u8] = b"\x1b[?25h";
const MARKERS: [&[u8]; 4] = [ALT_ON, ALT_OFF, CURSOR_HIDE, CURSOR_SHOW];
const LONGEST_MARKER: usize = 8;

// Linux c_lflag bits (nix's flag types cannot be named without depending on
// the same nix version as portable-pty, so compare raw bits).
const ECHO: u32 = 0o000010;
const ICANON: u32 = 0o000002;

/// Output-stream bookkeeping shared with the reader thread.
#[derive(Default)]
struct Stream {
    /// Stream offset of the last occurrence of each marker (`MARKERS` order).
    last_seen: [Option<u64>; 4],
    /// The tail of the previous chunk, so markers split across reads are found.
    carry: Vec<u8>,
    offset: u64,
}

impl Stream {
    fn feed(&mut self, chunk: &[u8]) {
        let base = self.offset - self.carry.len() as u64;
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(chunk);
        for (i, marker) in MARKERS.iter().enumerate() {
            // A marker can't lie entirely inside the carry (it is shorter
            // than a marker), so nothing is counted twice.
            if let Some(pos) = buf.windows(marker.len()).rposition(|w| w == *marker) {
                self.last_seen[i] = Some(base + pos as u64);
            }
        }
        self.offset += chunk.len() as u64;
        let keep = buf.len().min(LONGEST_MARKER - 1);
        self.carry = buf[buf.len() - keep..].to_vec();
    }

    /// `on` was never sent, or `off` was sent after the last `on`.
    fn balanced(&self, on: usize, off: usize) -> bool {
        match (self.last_seen[on], self.last_seen[off]) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => b > a,
        }
    }
}

/// What a program left behind in its terminal; see [`Tui::terminal_state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalState {
    /// Raw stream: `ESC[?1049h` was never sent or was followed by `ESC[?1049l`.
    pub alt_screen_left: bool,
    /// Raw stream: `ESC[?25l` was never sent or was followed by `ESC[?25h`.
    pub cursor_shown: bool,
    /// vt100: the emulated terminal is on its main screen.
    pub vt_main_screen: bool,
    /// vt100: the cursor is visible.
    pub vt_cursor_visible: bool,
    /// vt100: mouse reporting is off.
    pub vt_mouse_off: bool,
    /// vt100: bracketed paste is off.
    pub vt_bracketed_paste_off: bool,
    /// termios of the pty (read through the master): ECHO and ICANON are set,
    /// i.e. raw mode was left. None if the termios could not be read.
    pub cooked_mode: Option<bool>,
}

impl TerminalState {
    /// All pieces are in their normal state (an unreadable termios counts as normal).
    pub fn restored(&self) -> bool {
        self.alt_screen_left
            && self.cursor_shown
            && self.vt_main_screen
            && self.vt_cursor_visible
            && self.vt_mouse_off
            && self.vt_bracketed_paste_off
            && self.cooked_mode.unwrap_or(true)
    }
}

/// A program running in a pseudo-terminal. Dropping it kills the program.
pub struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    stream: Arc<Mutex<Stream>>,
    bytes: Arc<AtomicU64>,
    eof: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    status: Option<ExitStatus>,
}

fn size(rows: u16, cols: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("terminal size must be > 0")
}

impl Tui {
    /// Starts `bin ARGS` in a `rows`x`cols` pty with TERM=xterm-256color,
    /// the test's environment plus `envs`, and the current directory.
    pub fn spawn(
        bin: impl AsRef<Path>,
        args: &[&str],
        envs: &[(&str, &str)],
        rows: u16,
        cols: u16,
    ) -> Tui {
        let bin = bin.as_ref();
        let pair = native_pty_system()
            .openpty(size(rows, cols))
            .expect("openpty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.cwd(std::env::current_dir().expect("current dir"));
        cmd.env("TERM", "xterm-256color");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        // Only the child may hold the slave: the reader sees EOF when it exits.
        drop(pair.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let stream = Arc::new(Mutex::new(Stream::default()));
        let bytes = Arc::new(AtomicU64::new(0));
        let eof = Arc::new(AtomicBool::new(false));
        let mut src = pair.master.try_clone_reader().expect("pty reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));
        let reader = {
            let (parser, stream, bytes, eof, answer) = (
                parser.clone(),
                stream.clone(),
                bytes.clone(),
                eof.clone(),
                writer.clone(),
            );
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match src.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            let mut p = parser.lock().unwrap();
                            p.process(&buf[..n]);
                            // A terminal answers "where is the cursor?"
                            // (DSR, ESC [ 6 n); crossterm programs wait for it.
                            if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                                let (row, col) = p.screen().cursor_position();
                                let reply = format!("\x1b[{};{}R", row + 1, col + 1);
                                let mut w = answer.lock().unwrap();
                                let _ = w.write_all(reply.as_bytes());
                                let _ = w.flush();
                            }
                            drop(p);
                            stream.lock().unwrap().feed(&buf[..n]);
                            bytes.fetch_add(n as u64, Ordering::SeqCst);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        // Linux reports EIO, not 0, once the slave side is closed.
                        Err(_) => break,
                    }
                }
                eof.store(true, Ordering::SeqCst);
            })
        };
        Tui {
            parser,
            stream,
            bytes,
            eof,
            reader: Some(reader),
            writer,
            master: pair.master,
            child,
            status: None,
        }
    }

    /// The visible screen, rows joined with '\n' (trailing blanks trimmed per row).
    pub fn screen_text(&self) -> String {
        let parser = self.parser.lock().unwrap();
        let (_, cols) = parser.screen().size();
        parser
            .screen()
            .rows(0, cols.get())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Runs `f` on the emulated screen (colours, cursor, modes).
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().unwrap().screen())
    }

    /// Waits until `needle` is on screen; the error shows the screen.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> Result<(), String> {
        self.wait_screen(timeout, |s| s.contains(needle))
            .map_err(|screen| format!("{needle:?} not on screen after {timeout:?}:\n{screen}"))
    }

    /// Waits until `needle` is no longer on screen; the error shows the screen.
    pub fn wait_for_absent(&self, needle: &str, timeout: Duration) -> Result<(), String> {
        self.wait_screen(timeout, |s| !s.contains(needle))
            .map_err(|screen| format!("{needle:?} still on screen after {timeout:?}:\n{screen}"))
    }

    /// Waits until `pred(screen_text)` holds; Err carries the last screen.
    pub fn wait_screen(
        &self,
        timeout: Duration,
        mut pred: impl FnMut(&str) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen_text();
            if pred(&screen) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends raw bytes as if typed.
    pub fn send(&mut self, text: &str) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(text.as_bytes()).expect("write to pty");
        w.flush().expect("flush pty");
    }

    /// Sends a named key as xterm encodes it: enter, esc, tab, shift-tab,
    /// backspace, delete, up, down, left, right, home, end, pageup, pagedown,
    /// f1..f12, ctrl-a..ctrl-z, and any single character. Arrows follow the
    /// program's cursor-key mode (DECCKM), as a real xterm does.
    pub fn key(&mut self, name: &str) {
        let app = self.with_screen(|s| s.application_cursor());
        let cursor = |c: char| {
            if app {
                format!("\x1bO{c}")
            } else {
                format!("\x1b[{c}")
            }
        };
        let seq = match name {
            "enter" => "\r".to_string(),
            "esc" => "\x1b".to_string(),
            "tab" => "\t".to_string(),
            "shift-tab" => "\x1b[Z".to_string(),
            "backspace" => "\x7f".to_string(),
            "delete" => "\x1b[3~".to_string(),
            "up" => cursor('A'),
            "down" => cursor('B'),
            "right" => cursor('C'),
            "left" => cursor('D'),
            "home" => cursor('H'),
            "end" => cursor('F'),
            "pageup" => "\x1b[5~".to_string(),
            "pagedown" => "\x1b[6~".to_string(),
            "f1" => "\x1bOP".to_string(),
            "f2" => "\x1bOQ".to_string(),
            "f3" => "\x1bOR".to_string(),
            "f4" => "\x1bOS".to_string(),
            "f5" => "\x1b[15~".to_string(),
            "f6" => "\x1b[17~".to_string(),
            "f7" => "\x1b[18~".to_string(),
            "f8" => "\x1b[19~".to_string(),
            "f9" => "\x1b[20~".to_string(),
            "f10" => "\x1b[21~".to_string(),
            "f11" => "\x1b[23~".to_string(),
            "f12" => "\x1b[24~".to_string(),
            _ => match name.strip_prefix("ctrl-").map(str::as_bytes) {
                Some(&[c]) if c.is_ascii_lowercase() => ((c - b'a' + 1) as char).to_string(),
                _ if name.chars().count() == 1 => name.to_string(),
                _ => panic!("unknown key name {name:?}"),
            },
        };
        self.send(&seq);
    }

    /// Total bytes the program wrote to the terminal so far (to check that
    /// an idle screen is not redrawn continuously, for instance).
    pub fn bytes_received(&self) -> u64 {
        self.bytes.load(Ordering::SeqCst)
    }

    /// Resizes the pty (the program gets SIGWINCH) and the emulated screen.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.parser.lock().unwrap().set_size(nz(rows), nz(cols));
        self.master.resize(size(rows, cols)).expect("resize pty");
    }

    /// The program's pid, while known.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Waits for the program to exit and for its last output to be read.
    /// None if it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while self.status.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.status = Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(None) => return None,
                Err(e) => panic!("waiting for child: {e}"),
            }
        }
        // The output is complete only once the reader has drained the pty;
        // a grandchild still holding the slave could delay that, so bound it.
        let drained = deadline.max(Instant::now() + Duration::from_secs(2));
        while !self.eof.load(Ordering::SeqCst) && Instant::now() < drained {
            std::thread::sleep(Duration::from_millis(10));
        }
        if self.eof.load(Ordering::SeqCst)
            && let Some(h) = self.reader.take()
        {
            let _ = h.join();
        }
        self.status.clone()
    }

    /// Whether the program is still running.
    pub fn is_running(&mut self) -> bool {
        self.status.is_none() && matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the program: SIGHUP, then SIGKILL if it is still alive after
    /// 0.2 s (portable-pty's semantics), and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.wait_exit(Duration::from_secs(5));
    }

    /// The terminal-mode pieces; meaningful after [`Tui::wait_exit`].
    pub fn terminal_state(&self) -> TerminalState {
        let stream = self.stream.lock().unwrap();
        let (main, cursor, mouse_off, paste_off) = self.with_screen(|s| {
            (
                !s.alternate_screen(),
                !s.hide_cursor(),
                s.mouse_protocol_mode() == vt100::MouseProtocolMode::None,
                !s.bracketed_paste(),
            )
        });
        TerminalState {
            alt_screen_left: stream.balanced(0, 1),
            cursor_shown: stream.balanced(2, 3),
            vt_main_screen: main,
            vt_cursor_visible: cursor,
            vt_mouse_off: mouse_off,
            vt_bracketed_paste_off: paste_off,
            cooked_mode: self.cooked_mode(),
        }
    }

    /// True when the program left the terminal usable: main screen, cursor
    /// shown, no mouse reporting or bracketed paste, raw mode left.
    pub fn terminal_restored(&self) -> bool {
        self.terminal_state().restored()
    }

    /// ECHO and ICANON set on the pty's termios. On Linux the master reads
    /// the slave's termios, which outlives the child while we hold the master.
    pub fn cooked_mode(&self) -> Option<bool> {
        let t = self.master.get_termios()?;
        let lflag: u32 = t.local_flags.bits();
        Some(lflag & ECHO != 0 && lflag & ICANON != 0)
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
