//! HAProxy configs: the frontends (binds, ACLs, `use_backend`,
//! `default_backend`), backends and their servers, and `listen` sections
//! that are both, read leniently: whatever is not understood is skipped or
//! recorded as a problem with its line, never a panic. [`routes`] turns a
//! config into routes matched to the snapshot's containers.

mod acl;
mod route;
#[cfg(test)]
mod tests;
mod words;

pub use acl::{AclRef, Condition, Term, Test};
pub use route::{addresses, name_addresses, routes};

use std::fmt;
use words::Word;

/// What a config declares, and what berth could not read in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Frontends and `listen` sections, in file order.
    pub frontends: Vec<Frontend>,
    /// Backends and `listen` sections (which have servers too).
    pub backends: Vec<Pool>,
    pub problems: Vec<Problem>,
}

/// Something berth could not understand, at a line (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontend {
    pub name: String,
    /// A `listen` section: its own servers serve what no rule sends elsewhere.
    pub listen: bool,
    /// The section's first and last lines.
    pub lines: (usize, usize),
    pub mode: Option<String>,
    pub binds: Vec<Bind>,
    pub acls: Vec<Acl>,
    pub use_backends: Vec<UseBackend>,
    /// Its own, or the one of the `defaults` section before it.
    pub default_backend: Option<(String, usize)>,
}

/// One address of a `bind` line: `:80`, `*:443`, `ipv4@:8080`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub address: String,
    pub tls: bool,
    /// The certificate (`crt` or `crt-list`), for the route's TLS detail.
    pub crt: Option<String>,
    pub line: usize,
}

impl Bind {
    /// The port it listens on (the first of a range).
    pub fn port(&self) -> Option<u16> {
        let (_, port) = self.address.rsplit_once(':')?;
        port.split('-').next()?.parse().ok()
    }
}

/// `acl NAME TEST`; several lines with one name are ORed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acl {
    pub name: String,
    pub test: Test,
    pub line: usize,
}

/// `use_backend NAME [if|unless CONDITION]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseBackend {
    pub backend: String,
    /// None: always (or a condition that did not parse: see the problems).
    pub condition: Option<Condition>,
    /// The condition as written, `if host_api !is_admin`.
    pub text: String,
    pub line: usize,
}

/// A backend (or a `listen` section's servers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pool {
    pub name: String,
    pub listen: bool,
    pub lines: (usize, usize),
    pub mode: Option<String>,
    pub servers: Vec<Server>,
}

/// `server NAME ADDRESS[:PORT] …` (or `server-template`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    /// A host name or IP address, without brackets or `ipv4@`-style prefix;
    /// a unix socket keeps its `unix@` or path form.
    pub address: String,
    /// None: the port the client connected to (or one not given as a number).
    pub port: Option<u16>,
    pub line: usize,
}

/// Which section the lines belong to.
#[derive(Clone, Copy)]
enum Section {
    /// Before any section.
    Top,
    /// global, userlist, peers, resolvers…: nothing berth reads.
    Skipped,
    Defaults,
    Frontend(usize),
    Backend(usize),
    Listen(usize, usize),
}

/// Section keywords of haproxy 2.x/3.x whose bodies berth does not read.
const OTHER_SECTIONS: &[&str] = &[
    "global",
    "userlist",
    "peers",
    "resolvers",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "cache",
    "fcgi-app",
    "crt-store",
    "traces",
    "log-forward",
    "acme",
];

/// Reads a config. Never fails: what it cannot read is in `problems`.
pub fn parse(text: &str) -> Config {
    let mut p = Parser::default();
    for (i, line) in text.lines().enumerate() {
        p.line(i + 1, line);
    }
    p.close(text.lines().count());
    p.cfg
}

#[derive(Default)]
struct Parser {
    cfg: Config,
    section: Option<Section>,
    /// The last `defaults` section's `default_backend` and `mode`.
    default_backend: Option<(String, usize)>,
    default_mode: Option<String>,
}

impl Parser {
    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.cfg.problems.push(Problem {
            line,
            message: message.into(),
        });
    }

    fn line(&mut self, n: usize, line: &str) {
        let (words, err) = words::split(line);
        if let Some(err) = err {
            self.problem(n, err);
        }
        let Some(first) = words.first() else { return };
        if !first.quoted && self.section_start(n, &words) {
            return;
        }
        let keyword = if first.quoted {
            ""
        } else {
            first.text.as_str()
        };
        let args = words.get(1..).unwrap_or(&[]);
        match self.section.unwrap_or(Section::Top) {
            Section::Top => self.problem(n, format!("`{}` outside any section", first.text)),
            Section::Skipped => {}
            Section::Defaults => match keyword {
                "default_backend" => {
                    self.default_backend = args.first().map(|w| (w.text.clone(), n));
                }
                "mode" => self.default_mode = args.first().map(|w| w.text.clone()),
                _ => {}
            },
            Section::Frontend(f) => self.frontend_line(f, n, keyword, line, args, false),
            Section::Backend(b) => self.backend_line(b, n, keyword, args, false),
            Section::Listen(f, b) => {
                self.frontend_line(f, n, keyword, line, args, true);
                self.backend_line(b, n, keyword, args, true);
            }
        }
    }

    /// Starts a section when the line is a section header.
    fn section_start(&mut self, n: usize, words: &[Word]) -> bool {
        let keyword = words.first().map(|w| w.text.as_str()).unwrap_or_default();
        let kind = match keyword {
            "frontend" | "backend" | "listen" | "defaults" => keyword,
            k if OTHER_SECTIONS.contains(&k) => "other",
            _ => return false,
        };
        self.close(n.saturating_sub(1));
        let name = words.get(1).map(|w| w.text.clone()).unwrap_or_default();
        if kind == "other" {
            self.section = Some(Section::Skipped);
            return true;
        }
        if kind == "defaults" {
            self.section = Some(Section::Defaults);
            self.default_backend = None;
            self.default_mode = None;
            return true;
        }
        if name.is_empty() {
            self.problem(n, format!("{keyword} without a name"));
        }
        let frontend = || Frontend {
            name: name.clone(),
            listen: kind == "listen",
            lines: (n, n),
            mode: self.default_mode.clone(),
            default_backend: self.default_backend.clone(),
            ..Frontend::default()
        };
        let pool = || Pool {
            name: name.clone(),
            listen: kind == "listen",
            lines: (n, n),
            mode: self.default_mode.clone(),
            servers: Vec::new(),
        };
        let section = match kind {
            "frontend" => {
                self.cfg.frontends.push(frontend());
                Section::Frontend(self.cfg.frontends.len() - 1)
            }
            "backend" => {
                self.cfg.backends.push(pool());
                Section::Backend(self.cfg.backends.len() - 1)
            }
            _ => {
                let (f, b) = (frontend(), pool());
                self.cfg.frontends.push(f);
                self.cfg.backends.push(b);
                Section::Listen(self.cfg.frontends.len() - 1, self.cfg.backends.len() - 1)
            }
        };
        self.section = Some(section);
        // Old style `listen NAME ADDRESS`: the header binds.
        if matches!(section, Section::Frontend(_) | Section::Listen(..)) {
            let rest = words.get(2..).unwrap_or(&[]);
            let addresses: Vec<&Word> = rest
                .iter()
                .take_while(|w| !w.is("from"))
                .filter(|w| w.text.contains(':'))
                .collect();
            for w in addresses {
                self.bind(n, std::slice::from_ref(w));
            }
        }
        true
    }

    /// Sets the end line of the open section.
    fn close(&mut self, last: usize) {
        let (f, b) = match self.section {
            Some(Section::Frontend(f)) => (Some(f), None),
            Some(Section::Backend(b)) => (None, Some(b)),
            Some(Section::Listen(f, b)) => (Some(f), Some(b)),
            _ => (None, None),
        };
        if let Some(fr) = f.and_then(|f| self.cfg.frontends.get_mut(f)) {
            fr.lines.1 = last.max(fr.lines.0);
        }
        if let Some(pool) = b.and_then(|b| self.cfg.backends.get_mut(b)) {
            pool.lines.1 = last.max(pool.lines.0);
        }
    }

    fn frontend_line(
        &mut self,
        f: usize,
        n: usize,
        keyword: &str,
        line: &str,
        args: &[Word],
        listen: bool,
    ) {
        match keyword {
            "bind" => self.bind(n, args),
            "mode" if !listen => {
                if let Some(fr) = self.cfg.frontends.get_mut(f) {
                    fr.mode = args.first().map(|w| w.text.clone());
                }
            }
            "acl" => self.acl(f, n, args),
            "use_backend" => self.use_backend(f, n, line, args),
            "default_backend" => match args.first() {
                Some(w) => {
                    if let Some(fr) = self.cfg.frontends.get_mut(f) {
                        fr.default_backend = Some((w.text.clone(), n));
                    }
                }
                None => self.problem(n, "default_backend without a backend name"),
            },
            "server" | "server-template" if !listen => {
                self.problem(
                    n,
                    format!("`{keyword}` in a frontend: servers go in a backend"),
                );
            }
            _ => {}
        }
    }

    fn backend_line(&mut self, b: usize, n: usize, keyword: &str, args: &[Word], listen: bool) {
        match keyword {
            "mode" => {
                let mode = args.first().map(|w| w.text.clone());
                if let Some(fr) = self.listen_frontend(b).filter(|_| listen) {
                    fr.mode = mode.clone();
                }
                if let Some(pool) = self.cfg.backends.get_mut(b) {
                    pool.mode = mode;
                }
            }
            "server" => self.server(b, n, args, false),
            "server-template" => self.server(b, n, args, true),
            "use_backend" | "default_backend" | "bind" if !listen => {
                self.problem(
                    n,
                    format!("`{keyword}` in a backend: it belongs in a frontend"),
                );
            }
            _ => {}
        }
    }

    /// The frontend half of the `listen` section whose pool is `b`.
    fn listen_frontend(&mut self, b: usize) -> Option<&mut Frontend> {
        let name = self.cfg.backends.get(b)?.name.clone();
        self.cfg
            .frontends
            .iter_mut()
            .rev()
            .find(|f| f.listen && f.name == name)
    }

    fn current_frontend(&mut self) -> Option<&mut Frontend> {
        match self.section? {
            Section::Frontend(f) | Section::Listen(f, _) => self.cfg.frontends.get_mut(f),
            _ => None,
        }
    }

    /// `bind ADDRESS[,ADDRESS…] [ssl] [crt FILE] …`
    fn bind(&mut self, n: usize, args: &[Word]) {
        let Some((first, params)) = args.split_first() else {
            self.problem(n, "bind without an address");
            return;
        };
        let tls = params.iter().any(|w| w.is("ssl"));
        let crt = params
            .windows(2)
            .find(|p| p[0].is("crt") || p[0].is("crt-list"))
            .map(|p| p[1].text.clone());
        let binds: Vec<Bind> = first
            .text
            .split(',')
            .filter(|a| !a.is_empty())
            .map(|address| Bind {
                address: address.to_owned(),
                tls,
                crt: crt.clone(),
                line: n,
            })
            .collect();
        if let Some(fr) = self.current_frontend() {
            fr.binds.extend(binds);
        }
    }

    /// `acl NAME FETCH [FLAGS] PATTERNS…`
    fn acl(&mut self, f: usize, n: usize, args: &[Word]) {
        let Some((name, test)) = args.split_first() else {
            self.problem(n, "acl without a name");
            return;
        };
        match acl::parse_test(test) {
            Ok((test, notes)) => {
                for note in notes {
                    self.problem(n, format!("acl {}: {note}", name.text));
                }
                if let Some(fr) = self.cfg.frontends.get_mut(f) {
                    fr.acls.push(Acl {
                        name: name.text.clone(),
                        test,
                        line: n,
                    });
                }
            }
            Err(e) => self.problem(n, format!("acl {}: {e}", name.text)),
        }
    }

    /// `use_backend NAME [if|unless CONDITION]`
    fn use_backend(&mut self, f: usize, n: usize, line: &str, args: &[Word]) {
        let Some((backend, rest)) = args.split_first() else {
            self.problem(n, "use_backend without a backend name");
            return;
        };
        let text = match (rest.first(), rest.last()) {
            (Some(a), Some(b)) => line.get(a.start..b.end).unwrap_or_default().to_owned(),
            _ => String::new(),
        };
        let condition = match rest.split_first() {
            None => None,
            Some((kw, cond)) if kw.is("if") || kw.is("unless") => {
                match acl::parse_condition(kw.is("unless"), cond) {
                    Ok((c, notes)) => {
                        for note in notes {
                            self.problem(n, format!("use_backend {}: {note}", backend.text));
                        }
                        Some(c)
                    }
                    Err(e) => {
                        self.problem(n, format!("use_backend {}: {e}", backend.text));
                        None
                    }
                }
            }
            Some((kw, _)) => {
                self.problem(
                    n,
                    format!(
                        "use_backend {}: expected `if` or `unless`, found `{}`",
                        backend.text, kw.text
                    ),
                );
                None
            }
        };
        if let Some(fr) = self.cfg.frontends.get_mut(f) {
            fr.use_backends.push(UseBackend {
                backend: backend.text.clone(),
                condition,
                text,
                line: n,
            });
        }
    }

    /// `server NAME ADDRESS[:PORT] …`, `server-template PREFIX COUNT ADDRESS[:PORT] …`
    fn server(&mut self, b: usize, n: usize, args: &[Word], template: bool) {
        let (name, address) = if template {
            match (args.first(), args.get(1), args.get(2)) {
                (Some(prefix), Some(count), Some(addr)) => {
                    (format!("{}[{}]", prefix.text, count.text), addr)
                }
                _ => {
                    self.problem(n, "server-template needs a prefix, a count and an address");
                    return;
                }
            }
        } else {
            match (args.first(), args.get(1)) {
                (Some(name), Some(addr)) => (name.text.clone(), addr),
                _ => {
                    self.problem(n, "server needs a name and an address");
                    return;
                }
            }
        };
        let (address, port, note) = split_address(&address.text);
        if let Some(note) = note {
            self.problem(n, format!("server {name}: {note}"));
        }
        if let Some(pool) = self.cfg.backends.get_mut(b) {
            pool.servers.push(Server {
                name,
                address,
                port,
                line: n,
            });
        }
    }
}

/// `10.0.0.5:8080`, `web:80`, `[::1]:80`, `ipv4@web:80`, `web` (no port),
/// `unix@/run/app.sock`: the host, the port, and a note on a port that is
/// no number.
fn split_address(text: &str) -> (String, Option<u16>, Option<String>) {
    let (family, rest) = match text.split_once('@') {
        Some((f, r)) => (Some(f), r),
        None => (None, text),
    };
    if matches!(family, Some("unix" | "abns" | "abnsz" | "sockpair" | "fd"))
        || rest.starts_with('/')
    {
        return (text.to_owned(), None, None);
    }
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        match inner.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => (inner, None),
        }
    } else if rest.matches(':').count() > 1 {
        // Bare IPv6: the port, if any, is after the last colon only when
        // it is a number.
        match rest.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() && h.contains("::") => (h, Some(p)),
            _ => (rest, None),
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let (port, note) = match port {
        None | Some("") => (None, None),
        // `+1`/`-1`: an offset from the port the client connected to.
        Some(p) if p.starts_with('+') || p.starts_with('-') => (None, None),
        Some(p) => match p.parse::<u16>() {
            Ok(n) => (Some(n), None),
            Err(_) => (None, Some(format!("port {p} is not a number"))),
        },
    };
    (host.to_owned(), port, note)
}
