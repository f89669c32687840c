//! One HTTP request to a backend, from berth's host: does it answer, and
//! how fast. Bounded in time (connect and answer) and in what is read.

use crate::domain::RouteStatus;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest a probe waits, connect and answer together.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest it waits for the connection alone. An address that takes
/// no connection in that time is one this host cannot reach (a pod or an
/// overlay network seen from outside), not a backend that is down: a
/// stopped process refuses at once, a hung one accepts and then says nothing.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);
/// What is read of an answer: its status line is all that matters.
const READ_LIMIT: usize = 1024;

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub status: RouteStatus,
    /// Round trip to the first byte of the answer, in ms.
    pub latency_ms: Option<u32>,
    /// "HTTP 502", "connection refused", "no answer in 2 s".
    pub detail: String,
}

/// What to ask a backend: where, and as which host and path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub address: String,
    pub port: u16,
    pub host: String,
    pub path: String,
}

impl Target {
    /// The key probes are kept under: one backend, whatever routes share it.
    pub fn key(&self) -> String {
        key(&self.address, self.port)
    }
}

pub fn key(address: &str, port: u16) -> String {
    if address.contains(':') {
        format!("[{address}]:{port}")
    } else {
        format!("{address}:{port}")
    }
}

/// `GET path` with the route's Host; any answer below 500 is up.
pub async fn probe(t: &Target) -> Probe {
    match tokio::time::timeout(PROBE_TIMEOUT, ask(t)).await {
        Ok(p) => p,
        Err(_) => down(format!("no answer in {} s", PROBE_TIMEOUT.as_secs())),
    }
}

async fn ask(t: &Target) -> Probe {
    let started = Instant::now();
    let addr = key(&t.address, t.port);
    let mut stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&addr)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return refused(&e),
        Err(_) => return unreachable(),
    };
    let host = if t.host.is_empty() {
        t.address.as_str()
    } else {
        t.host.as_str()
    };
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: berth-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        t.path
    );
    if let Err(e) = stream.write_all(req.as_bytes()).await {
        return down(format!("write failed: {}", e.kind()));
    }
    let mut buf = vec![0u8; READ_LIMIT];
    let mut got = 0;
    let mut first_byte: Option<Duration> = None;
    while got < READ_LIMIT {
        match stream.read(&mut buf[got..]).await {
            Ok(0) => break,
            Ok(n) => {
                first_byte.get_or_insert_with(|| started.elapsed());
                got += n;
                if buf[..got].contains(&b'\n') {
                    break;
                }
            }
            Err(e) => return down(format!("read failed: {}", e.kind())),
        }
    }
    let latency = first_byte.map(|d| d.as_millis().min(u32::MAX as u128) as u32);
    match status_code(&buf[..got]) {
        Some(code) if code < 500 => Probe {
            status: RouteStatus::Up,
            latency_ms: latency,
            detail: format!("HTTP {code}"),
        },
        Some(code) => Probe {
            latency_ms: latency,
            ..down(format!("HTTP {code}"))
        },
        None if got == 0 => down("closed without an answer".into()),
        None => down("answers, but not HTTP".into()),
    }
}

fn status_code(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    words.next().filter(|w| w.starts_with("HTTP/"))?;
    words.next()?.parse().ok()
}

fn down(detail: String) -> Probe {
    Probe {
        status: RouteStatus::Down,
        latency_ms: None,
        detail,
    }
}

/// A refused connection is down; an address this host has no route to
/// (an overlay network of another node) is unknown, not down.
fn refused(e: &std::io::Error) -> Probe {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => down("connection refused".into()),
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => unreachable(),
        k => down(format!("connect failed: {k}")),
    }
}

fn unreachable() -> Probe {
    Probe {
        status: RouteStatus::Unknown,
        latency_ms: None,
        detail: "not reachable from this host".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn server(answer: &'static [u8]) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        let task = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.expect("accept");
            let mut req = vec![0u8; 512];
            let n = s.read(&mut req).await.unwrap_or(0);
            let _ = s.write_all(answer).await;
            req.truncate(n);
            req
        });
        (port, task)
    }

    fn target(port: u16) -> Target {
        Target {
            address: "127.0.0.1".into(),
            port,
            host: "shop.example.org".into(),
            path: "/api".into(),
        }
    }

    #[tokio::test]
    async fn an_answer_below_500_is_up_and_the_route_host_is_asked() {
        let (port, req) = server(b"HTTP/1.1 404 Not Found\r\n\r\n").await;
        let p = probe(&target(port)).await;
        assert_eq!(p.status, RouteStatus::Up, "{p:?}");
        assert!(p.latency_ms.is_some());
        let req = String::from_utf8(req.await.expect("served")).expect("utf8");
        assert!(
            req.starts_with("GET /api HTTP/1.1\r\nHost: shop.example.org\r\n"),
            "{req}"
        );
    }

    #[tokio::test]
    async fn a_502_or_a_refused_connection_is_down() {
        let (port, _req) = server(b"HTTP/1.0 502 Bad Gateway\r\n\r\n").await;
        let p = probe(&target(port)).await;
        assert_eq!(
            (p.status, p.detail.as_str()),
            (RouteStatus::Down, "HTTP 502")
        );
        let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let p = probe(&target(port)).await;
        assert_eq!(
            (p.status, p.detail.as_str()),
            (RouteStatus::Down, "connection refused")
        );
    }

    #[tokio::test]
    async fn a_backend_that_accepts_and_never_answers_is_down() {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        let hold = tokio::spawn(async move {
            let (s, _) = l.accept().await.expect("accept");
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(s);
        });
        let p = probe(&target(port)).await;
        assert_eq!(
            (p.status, p.detail.as_str()),
            (RouteStatus::Down, "no answer in 2 s")
        );
        hold.abort();
    }

    #[tokio::test]
    async fn garbage_is_not_http() {
        let (port, _req) = server(b"\x1b[31mhello\n").await;
        let p = probe(&target(port)).await;
        assert_eq!(p.detail, "answers, but not HTTP");
    }
}
