//! The configs of running haproxy containers, read through the engine's
//! archive API (a tar of the path), so that a bind-mounted `haproxy.cfg`
//! is seen as haproxy sees it, with no access to the host's files.

use crate::backend::ContainerFile;
use crate::domain::{Container, Snapshot};
use bollard::Docker;
use bollard::query_parameters::DownloadFromContainerOptionsBuilder;
use futures::StreamExt;
use std::sync::Arc;

mod tar;

/// The most config text read from one container.
pub const LIMIT: usize = 1 << 20;
const TOO_LARGE: &str = "it is larger than 1 MiB";
/// Where haproxy images keep their config when the command names none:
/// the official image's, then Debian's.
pub const DEFAULT_PATHS: [&str; 2] = [
    "/usr/local/etc/haproxy/haproxy.cfg",
    "/etc/haproxy/haproxy.cfg",
];

/// Reads the config of every running haproxy container in `snap`.
pub async fn configs(docker: Docker, snap: Arc<Snapshot>) -> Vec<ContainerFile> {
    let reads = snap
        .containers
        .iter()
        .filter(|c| is_haproxy(c))
        .map(|c| read_config(docker.clone(), c.clone()));
    futures::future::join_all(reads).await
}

/// A running container of an haproxy image (a swarm task's current one).
pub fn is_haproxy(c: &Container) -> bool {
    c.state.is_running()
        && c.image.to_ascii_lowercase().contains("haproxy")
        && c.task.as_ref().is_none_or(|t| !t.history)
}

/// The paths the command gives with `-f` (files or directories), in order.
pub fn config_paths(command: &str) -> Vec<String> {
    let mut words = command.split_whitespace();
    let mut paths = Vec::new();
    while let Some(w) = words.next() {
        if w == "-f"
            && let Some(p) = words.next()
        {
            paths.push(p.trim_matches(|c| c == '"' || c == '\'').to_owned());
        }
    }
    paths
}

async fn read_config(docker: Docker, c: Container) -> ContainerFile {
    // A swarm task is read through the container that runs it.
    let engine_id = match &c.task {
        Some(t) => t.container_id.clone(),
        None => c.id.clone(),
    };
    let named = config_paths(&c.command);
    let file = |origin: String, text| ContainerFile {
        container_id: c.id.clone(),
        origin,
        text,
    };
    if engine_id.is_empty() {
        return file(
            format!("{}:", c.name),
            Err(format!("{}: the task has no container yet", c.name)),
        );
    }
    if !named.is_empty() {
        let mut texts = Vec::new();
        let mut sources = Vec::new();
        for path in &named {
            match read_path(&docker, &engine_id, path, LIMIT).await {
                Ok(found) => {
                    for (p, t) in found {
                        sources.push(p);
                        texts.push(t);
                    }
                }
                Err(e) => {
                    return file(format!("{}:{path}", c.name), Err(e.say(&c.name, path)));
                }
            }
        }
        let total: usize = texts.iter().map(String::len).sum();
        let text = if total > LIMIT {
            Err(format!(
                "{}: the config files ({}) are larger than 1 MiB",
                c.name,
                sources.join(", ")
            ))
        } else {
            Ok(texts.join("\n"))
        };
        return file(format!("{}:{}", c.name, sources.join(", ")), text);
    }
    for path in DEFAULT_PATHS {
        match read_path(&docker, &engine_id, path, LIMIT).await {
            Ok(found) => {
                let sources: Vec<String> = found.iter().map(|(p, _)| p.clone()).collect();
                let texts: Vec<String> = found.into_iter().map(|(_, t)| t).collect();
                return file(
                    format!("{}:{}", c.name, sources.join(", ")),
                    Ok(texts.join("\n")),
                );
            }
            Err(Failure::NotFound) => continue,
            Err(e) => return file(format!("{}:{path}", c.name), Err(e.say(&c.name, path))),
        }
    }
    file(
        format!("{}:{}", c.name, DEFAULT_PATHS[0]),
        Err(format!(
            "{}: no haproxy config at {} or {}, and its command names none with -f",
            c.name, DEFAULT_PATHS[0], DEFAULT_PATHS[1]
        )),
    )
}

/// Why a path could not be read.
#[derive(Debug)]
enum Failure {
    /// The path is not in the container.
    NotFound,
    Other(String),
}

impl Failure {
    fn say(&self, container: &str, path: &str) -> String {
        match self {
            Failure::NotFound => format!("{container}: {path} does not exist in the container"),
            Failure::Other(why) => format!("{container}: cannot read {path}: {why}"),
        }
    }
}

/// Reads a file, or the `*.cfg` files directly in a directory (by name, as
/// haproxy loads them), following one symlink. Returns (path, text) pairs.
async fn read_path(
    docker: &Docker,
    id: &str,
    path: &str,
    limit: usize,
) -> Result<Vec<(String, String)>, Failure> {
    let mut path = path.to_owned();
    for _ in 0..2 {
        let tar = download(docker, id, &path, limit).await?;
        let entries = tar::entries(&tar).map_err(Failure::Other)?;
        if entries.iter().map(|e| e.data.len()).sum::<usize>() > limit {
            return Err(Failure::Other(TOO_LARGE.into()));
        }
        let Some(first) = entries.first() else {
            return Err(Failure::Other("the engine sent an empty archive".into()));
        };
        match &first.kind {
            tar::Kind::File => {
                return Ok(vec![(
                    path,
                    String::from_utf8_lossy(first.data).into_owned(),
                )]);
            }
            tar::Kind::Link(target) => {
                path = resolve_link(&path, target);
            }
            tar::Kind::Dir => {
                let dir = path.trim_end_matches('/').to_owned();
                let mut files: Vec<(String, String)> = entries
                    .iter()
                    .filter(|e| matches!(e.kind, tar::Kind::File))
                    .filter_map(|e| {
                        // Entries are `DIRNAME/FILE`: only files directly in it.
                        let (_, rest) = e.name.trim_end_matches('/').split_once('/')?;
                        (!rest.contains('/') && rest.ends_with(".cfg")).then(|| {
                            (
                                format!("{dir}/{rest}"),
                                String::from_utf8_lossy(e.data).into_owned(),
                            )
                        })
                    })
                    .collect();
                files.sort();
                if files.is_empty() {
                    return Err(Failure::Other(format!(
                        "no *.cfg file in the directory {dir}"
                    )));
                }
                return Ok(files);
            }
            tar::Kind::Other => {
                return Err(Failure::Other("not a file or a directory".into()));
            }
        }
    }
    Err(Failure::Other("a symlink to a symlink".into()))
}

/// A symlink's target as an absolute path.
fn resolve_link(path: &str, target: &str) -> String {
    if target.starts_with('/') {
        return target.to_owned();
    }
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
    format!("{dir}/{target}")
}

/// The archive of `path`, refused past `limit` bytes of content (tar
/// headers and padding get room of their own).
async fn download(docker: &Docker, id: &str, path: &str, limit: usize) -> Result<Vec<u8>, Failure> {
    let options = DownloadFromContainerOptionsBuilder::default()
        .path(path)
        .build();
    let mut stream = docker.download_from_container(id, Some(options));
    let mut tar = Vec::new();
    let room = limit + limit / 8 + 64 * 1024;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                tar.extend_from_slice(&bytes);
                if tar.len() > room {
                    return Err(Failure::Other(TOO_LARGE.into()));
                }
            }
            // 404 is also "no such container": only a missing path is NotFound.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                message,
            }) if !message.contains("No such container") => return Err(Failure::NotFound),
            Err(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
                return Err(Failure::Other(message.trim().to_owned()));
            }
            Err(e) => return Err(Failure::Other(e.to_string())),
        }
    }
    Ok(tar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_paths_come_from_the_command() {
        assert_eq!(
            config_paths("docker-entrypoint.sh haproxy -f /usr/local/etc/haproxy/haproxy.cfg -db"),
            ["/usr/local/etc/haproxy/haproxy.cfg"]
        );
        assert_eq!(
            config_paths("haproxy -W -f /etc/haproxy/a.cfg -f /etc/haproxy/conf.d"),
            ["/etc/haproxy/a.cfg", "/etc/haproxy/conf.d"]
        );
        assert_eq!(config_paths("haproxy -db -W -f /x.cfg"), ["/x.cfg"]);
        assert!(config_paths("haproxy -db").is_empty());
        assert!(config_paths("haproxy -f").is_empty());
    }

    #[test]
    fn links_resolve_beside_the_path() {
        assert_eq!(
            resolve_link("/etc/haproxy/haproxy.cfg", "../cfg/h.cfg"),
            "/etc/haproxy/../cfg/h.cfg"
        );
        assert_eq!(
            resolve_link("/etc/haproxy/haproxy.cfg", "/srv/h.cfg"),
            "/srv/h.cfg"
        );
    }
}
