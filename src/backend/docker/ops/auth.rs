//! Registry credentials from the Docker CLI's config file
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), sent with
//! pulls and registry lookups as `docker pull` would. Only the `auths`
//! entries are read; credential helpers (`credsStore`) are not run.

use bollard::auth::DockerCredentials;
use serde_json::Value;
use std::path::PathBuf;

/// The registry host of a reference; Docker Hub when it names none.
pub fn registry_of(reference: &str) -> &str {
    match reference.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

fn config_path() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    Some(dir.join("config.json"))
}

/// Credentials for the registry of `reference`, if the config has some.
pub fn for_reference(reference: &str) -> Option<DockerCredentials> {
    let text = std::fs::read_to_string(config_path()?).ok()?;
    let config: Value = serde_json::from_str(&text).ok()?;
    lookup(&config, registry_of(reference))
}

/// `https://host/v1/` -> `host`, as the CLI matches `auths` keys.
fn host_of(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

pub fn lookup(config: &Value, registry: &str) -> Option<DockerCredentials> {
    let auths = config.get("auths")?.as_object()?;
    let hub = registry == "docker.io";
    let (key, entry) = auths.iter().find(|(k, _)| {
        let h = host_of(k);
        h == registry || (hub && matches!(h, "index.docker.io" | "registry-1.docker.io"))
    })?;
    let field = |f: &str| {
        entry
            .get(f)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (mut username, mut password) = (field("username"), field("password"));
    if let Some(auth) = field("auth") {
        let plain = String::from_utf8(base64_decode(&auth)?).ok()?;
        let (u, p) = plain.split_once(':')?;
        username = Some(u.to_owned());
        password = Some(p.to_owned());
    }
    let identitytoken = field("identitytoken");
    if username.is_none() && identitytoken.is_none() {
        return None;
    }
    Some(DockerCredentials {
        username,
        password,
        identitytoken,
        serveraddress: Some(key.clone()),
        ..Default::default()
    })
}

/// Standard base64 (padding optional), as the CLI writes `auth`.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b'=' && !b.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_registry_is_the_first_component_when_it_is_a_host() {
        assert_eq!(registry_of("127.0.0.1:5000/app:1"), "127.0.0.1:5000");
        assert_eq!(
            registry_of("registry.example.com/team/app"),
            "registry.example.com"
        );
        assert_eq!(registry_of("localhost/app"), "localhost");
        assert_eq!(registry_of("me/app:1"), "docker.io");
        assert_eq!(registry_of("busybox"), "docker.io");
    }

    #[test]
    fn auth_entries_are_decoded_and_matched_by_host() {
        // base64("ops:s3cret:with:colons")
        let config = json!({"auths": {
            "https://127.0.0.1:5000": {"auth": "b3BzOnMzY3JldDp3aXRoOmNvbG9ucw=="},
            "https://index.docker.io/v1/": {"auth": "aHViOnB3"},
            "other.example": {}
        }});
        let c = lookup(&config, "127.0.0.1:5000").expect("credentials");
        assert_eq!(c.username.as_deref(), Some("ops"));
        assert_eq!(c.password.as_deref(), Some("s3cret:with:colons"));
        assert_eq!(c.serveraddress.as_deref(), Some("https://127.0.0.1:5000"));
        let hub = lookup(&config, "docker.io").expect("hub");
        assert_eq!(
            (hub.username.as_deref(), hub.password.as_deref()),
            (Some("hub"), Some("pw"))
        );
        assert!(
            lookup(&config, "other.example").is_none(),
            "an empty entry is no credential"
        );
        assert!(lookup(&config, "nowhere.example").is_none());
    }

    #[test]
    fn base64_without_padding_decodes() {
        assert_eq!(base64_decode("aHViOnB3").as_deref(), Some(&b"hub:pw"[..]));
        assert_eq!(base64_decode("YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("Y"), None);
    }
}
