//! A service's previous spec. The engine returns it as `PreviousSpec` in
//! the service's inspect, but the client library's `Service` type has no
//! such field, so the same GET is made here and read as JSON.

use super::service::Svc;
use crate::backend::BackendError;
use crate::backend::docker::ops::engine::Engine;
use bollard::models::{Service, ServiceSpec};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::time::Duration;

/// As long as the backend waits for any answer's headers.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// The service and its previous spec, from one inspect.
pub fn parse(json: &Value) -> Result<(Service, Option<ServiceSpec>), String> {
    let svc: Service = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    let previous = match json.get("PreviousSpec") {
        None | Some(Value::Null) => None,
        Some(v) => Some(serde_json::from_value(v.clone()).map_err(|e| e.to_string())?),
    };
    Ok((svc, previous))
}

async fn send<S>(stream: S, path: &str) -> Result<(u16, Bytes), String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header(hyper::header::HOST, "docker")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

async fn get(eng: &Engine, path: &str) -> Result<(u16, Bytes), String> {
    let path = format!("/v{}{path}", eng.docker.client_version());
    let ep = &eng.endpoint;
    let answer = async {
        if let Some(sock) = ep.strip_prefix("unix://") {
            let s = tokio::net::UnixStream::connect(sock)
                .await
                .map_err(|e| e.to_string())?;
            send(s, &path).await
        } else {
            let addr = ep
                .strip_prefix("tcp://")
                .or_else(|| ep.strip_prefix("http://"))
                .unwrap_or(ep)
                .trim_end_matches('/');
            let s = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| e.to_string())?;
            send(s, &path).await
        }
    };
    tokio::time::timeout(ANSWER_WITHIN, answer)
        .await
        .map_err(|_| format!("no answer within {}s", ANSWER_WITHIN.as_secs()))?
}

/// Reads service `id` with its previous spec.
pub async fn inspect(eng: &Engine, id: &str) -> Result<Svc, BackendError> {
    let (status, body) = get(eng, &format!("/services/{id}"))
        .await
        .map_err(|reason| BackendError::Engine(format!("reading service {id}: {reason}")))?;
    let json: Value = serde_json::from_slice(&body)
        .map_err(|e| BackendError::Engine(format!("reading service {id}: not JSON ({e})")))?;
    if status == 404 {
        return Err(BackendError::NotFound {
            what: format!("swarm service {id}"),
            hint: ": it was removed (see `berth ls services`)".to_owned(),
        });
    }
    if status >= 400 {
        let msg = json
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(BackendError::Engine(msg.to_owned()));
    }
    let (svc, previous) =
        parse(&json).map_err(|e| BackendError::Engine(format!("reading service {id}: {e}")))?;
    let mut out = Svc::from_service(svc, id);
    out.previous = previous;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_previous_spec_is_read_beside_the_service() {
        let v = json!({
            "ID": "abc",
            "Version": {"Index": 42},
            "Spec": {"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "reg/web:2"}}},
            "PreviousSpec": {"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "reg/web:1"}}}
        });
        let (svc, prev) = parse(&v).expect("parses");
        assert_eq!(svc.version.and_then(|v| v.index), Some(42));
        let prev = prev.expect("a previous spec");
        assert_eq!(super::super::service::image_of(&prev), "reg/web:1");
        let (_, none) = parse(&json!({"ID": "abc", "Spec": {}})).expect("parses");
        assert!(none.is_none());
    }
}
