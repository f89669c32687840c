//! Reading a Traefik's API over plain HTTP: version, providers, every page
//! of routers and services. One deadline covers the whole reading, and each
//! body is bounded, so a wrong address or a huge answer cannot stall berth.

use super::{ApiState, next_page, parse_providers, parse_routers, parse_services, parse_version};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::time::Duration;

/// Largest body read from one answer; a thousand routers take ~500 KiB.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// Entries asked for per page (Traefik's default is 100).
const PER_PAGE: u32 = 1000;
/// Pages followed at most per list, against an answer that never ends.
const MAX_PAGES: u32 = 100;

/// Where the API listens: `host:port` and a path prefix (`--api.basePath`).
#[derive(Debug, PartialEq, Eq)]
struct Base {
    authority: String,
    prefix: String,
}

fn parse_base(url: &str) -> Result<Base, String> {
    let rest = if let Some(rest) = url.strip_prefix("http://") {
        rest
    } else if url.starts_with("https://") {
        return Err(format!(
            "{url}: https is not supported; give the API's plain http address (http://HOST:8080)"
        ));
    } else if url.contains("://") {
        return Err(format!("{url}: not an http:// address"));
    } else {
        url
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(format!("{url}: no host"));
    }
    // No port (an IPv6 address ends with `]`): HTTP's default.
    let has_port = authority.rsplit_once(':').is_some_and(|(host, port)| {
        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !host.is_empty()
    });
    let authority = if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    Ok(Base {
        authority,
        prefix: path.trim_end_matches('/').to_string(),
    })
}

/// Reads version, providers, routers and services from the Traefik API at
/// `base_url` (`http://172.17.0.4:8080`), all within `timeout`.
pub async fn fetch(base_url: &str, timeout: Duration) -> Result<ApiState, String> {
    fetch_paged(base_url, timeout, PER_PAGE).await
}

/// [`fetch`] asking for `per_page` entries a page (tests prove paging with
/// small pages).
pub async fn fetch_paged(
    base_url: &str,
    timeout: Duration,
    per_page: u32,
) -> Result<ApiState, String> {
    let base = parse_base(base_url)?;
    tokio::time::timeout(timeout, read_all(&base, base_url, per_page.max(1)))
        .await
        .map_err(|_| {
            format!(
                "traefik API at {base_url}: no answer within {} ms",
                timeout.as_millis()
            )
        })?
}

async fn read_all(base: &Base, base_url: &str, per_page: u32) -> Result<ApiState, String> {
    let (_, version) = get(base, base_url, "/api/version").await?;
    let (_, overview) = get(base, base_url, "/api/overview").await?;
    Ok(ApiState {
        version: parse_version(&version)?,
        providers: parse_providers(&overview)?,
        routers: all_pages(base, base_url, "routers", per_page, parse_routers).await?,
        services: all_pages(base, base_url, "services", per_page, parse_services).await?,
    })
}

/// Every page of `/api/http/LIST`, following `X-Next-Page`.
async fn all_pages<T>(
    base: &Base,
    base_url: &str,
    list: &str,
    per_page: u32,
    parse: fn(&str) -> Result<Vec<T>, String>,
) -> Result<Vec<T>, String> {
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let path = format!("/api/http/{list}?per_page={per_page}&page={page}");
        let (next, body) = get(base, base_url, &path).await?;
        all.extend(parse(&body)?);
        match next_page(next.as_deref(), page) {
            Some(n) if n <= MAX_PAGES => page = n,
            _ => return Ok(all),
        }
    }
}

/// One GET on a fresh connection: the `X-Next-Page` header and the body.
async fn get(base: &Base, base_url: &str, path: &str) -> Result<(Option<String>, String), String> {
    let url = format!("{}{path}", base_url.trim_end_matches('/'));
    let fail = |what: String| format!("traefik API {url}: {what}");
    let stream = tokio::net::TcpStream::connect(&base.authority)
        .await
        .map_err(|e| fail(format!("cannot connect to {}: {e}", base.authority)))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| fail(e.to_string()))?;
    // Drives the connection; it ends when the sender is dropped.
    tokio::spawn(conn);
    let req = hyper::Request::get(format!("{}{path}", base.prefix))
        .header(hyper::header::HOST, &base.authority)
        .header(hyper::header::ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|e| fail(e.to_string()))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let status = resp.status();
    let next = resp
        .headers()
        .get("x-next-page")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = Limited::new(resp.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| {
            fail(format!(
                "reading the answer: {e} (at most {} MiB)",
                MAX_BODY >> 20
            ))
        })?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    if !status.is_success() {
        let said: String = text.trim().chars().take(200).collect();
        return Err(fail(format!("HTTP {status}: {said}")));
    }
    Ok((next, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let b = parse_base("http://172.17.0.4:8080").expect("ok");
        assert_eq!(
            b,
            Base {
                authority: "172.17.0.4:8080".into(),
                prefix: String::new()
            }
        );
        let b = parse_base("http://traefik.local/admin/").expect("ok");
        assert_eq!(
            b,
            Base {
                authority: "traefik.local:80".into(),
                prefix: "/admin".into()
            }
        );
        let b = parse_base("10.0.0.1:9000").expect("ok");
        assert_eq!(b.authority, "10.0.0.1:9000");
        let b = parse_base("http://[fd00::2]:8080").expect("ok");
        assert_eq!(b.authority, "[fd00::2]:8080");
        let b = parse_base("http://[fd00::2]").expect("ok");
        assert_eq!(b.authority, "[fd00::2]:80");
        let e = parse_base("https://t:8443").expect_err("https");
        assert!(e.contains("https is not supported"), "{e}");
        assert!(parse_base("ftp://x").is_err());
        assert!(parse_base("http:///api").is_err());
    }
}
