//! Image references: where an image came from (a registry, or built on
//! this host), pulling it again, and what the registry has now.

use super::auth;
use super::engine::{Engine, words};
use crate::backend::report::Report;
use bollard::models::ImageInspect;
use bollard::query_parameters::CreateImageOptionsBuilder;
use futures::StreamExt;
use std::collections::HashSet;

/// `name` and `tag` of a reference; a digest reference keeps `@sha256:…`
/// as its tag. No tag means `latest`, as the CLI pulls.
pub fn split_ref(reference: &str) -> (&str, String) {
    if let Some((name, digest)) = reference.split_once('@') {
        return (name, format!("@{digest}"));
    }
    // A `:` after the last `/` starts the tag; one before it is a port.
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[slash..].rfind(':') {
        Some(i) => (
            &reference[..slash + i],
            reference[slash + i + 1..].to_owned(),
        ),
        None => (reference, "latest".to_owned()),
    }
}

/// A repository name as the engine records it in RepoDigests: Docker Hub
/// names get their implicit `docker.io/` and `library/`.
pub fn normalize_repo(name: &str) -> String {
    let first = name.split('/').next().unwrap_or_default();
    let has_domain =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_domain {
        name.to_owned()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    }
}

/// The digest the registry gave for `reference`'s repository when this
/// image was pulled or pushed; None for an image built on this host.
pub fn registry_digest(image: &ImageInspect, reference: &str) -> Option<String> {
    let repo = normalize_repo(split_ref(reference).0);
    image.repo_digests.iter().flatten().find_map(|d| {
        let (name, digest) = d.split_once('@')?;
        (normalize_repo(name) == repo).then(|| digest.to_owned())
    })
}

/// `sha256:0123456789ab…` for reading; ids stay whole in labels.
pub fn short_digest(d: &str) -> String {
    // Labels are anyone's to write: never slice inside a character.
    match d.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => match hex.get(..12) {
            Some(head) => format!("{alg}:{head}…"),
            None => d.to_owned(),
        },
        _ => d.to_owned(),
    }
}

/// What the registry serves for `reference` now (GET /distribution/…/json).
pub async fn registry_has(eng: &Engine, reference: &str) -> Result<String, String> {
    let d = eng
        .docker
        .inspect_registry_image(reference, auth::for_reference(reference))
        .await
        .map_err(|e| words(&e))?;
    d.descriptor
        .digest
        .ok_or_else(|| "the registry answered without a digest".to_owned())
}

/// Pulls `reference` again, passing the engine's progress on as messages
/// (one line per layer event, not per byte). Err carries the registry's words.
pub async fn pull(eng: &Engine, rep: &Report, reference: &str) -> Result<(), String> {
    let (name, tag) = split_ref(reference);
    let opts = CreateImageOptionsBuilder::new()
        .from_image(name)
        .tag(tag.trim_start_matches('@'))
        .build();
    let creds = auth::for_reference(reference);
    // A slow registry may keep the first answer longer than usual.
    let mut stream = eng.patient().create_image(Some(opts), None, creds);
    let mut said = HashSet::new();
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| words(&e))?;
        let Some(status) = info.status else { continue };
        // Downloading/Extracting repeat with byte counts: say each once.
        let line = match info.id {
            Some(id) => format!("{reference}: {id}: {status}"),
            None => format!("{reference}: {status}"),
        };
        if said.insert(line.clone()) {
            rep.message(line).await;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_not_the_port() {
        assert_eq!(
            split_ref("127.0.0.1:5000/app:1"),
            ("127.0.0.1:5000/app", "1".to_owned())
        );
        assert_eq!(
            split_ref("127.0.0.1:5000/app"),
            ("127.0.0.1:5000/app", "latest".to_owned())
        );
        assert_eq!(split_ref("busybox"), ("busybox", "latest".to_owned()));
        assert_eq!(
            split_ref("app@sha256:abc"),
            ("app", "@sha256:abc".to_owned())
        );
    }

    #[test]
    fn hub_names_are_normalized_like_repo_digests() {
        assert_eq!(normalize_repo("busybox"), "docker.io/library/busybox");
        assert_eq!(normalize_repo("me/app"), "docker.io/me/app");
        assert_eq!(normalize_repo("localhost/app"), "localhost/app");
        assert_eq!(normalize_repo("127.0.0.1:5000/app"), "127.0.0.1:5000/app");
    }

    #[test]
    fn only_a_digest_of_the_same_repository_counts() {
        let img = ImageInspect {
            repo_digests: Some(vec!["127.0.0.1:5000/other@sha256:1".into()]),
            ..Default::default()
        };
        // Same image id, re-tagged locally: built on this host for that name.
        assert_eq!(registry_digest(&img, "local/app:1"), None);
        assert_eq!(
            registry_digest(&img, "127.0.0.1:5000/other:7").as_deref(),
            Some("sha256:1")
        );
        assert_eq!(
            short_digest("sha256:0123456789abcdef"),
            "sha256:0123456789ab…"
        );
    }
}
