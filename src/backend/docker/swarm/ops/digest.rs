//! Image references of a swarm service: the `@sha256:…` pin the swarm
//! records, taken off before asking the registry for the tag's digest now,
//! and put back with that digest (never an empty one).

use crate::backend::docker::ops::engine::Engine;
use crate::backend::docker::ops::image::registry_has;

/// `name:tag@sha256:…` → (`name:tag`, Some(`sha256:…`)).
pub fn strip(image: &str) -> (&str, Option<&str>) {
    match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest).filter(|d| !d.is_empty())),
        None => (image, None),
    }
}

/// Whether a reference names a tag (a `:` after its last `/`).
pub fn has_tag(reference: &str) -> bool {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.contains(':')
}

/// A digest as the registry gives it: `algorithm:hex`, both non-empty.
pub fn is_digest(d: &str) -> bool {
    matches!(d.split_once(':'), Some((alg, hex)) if !alg.is_empty() && !hex.is_empty()
        && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `reference@digest`, or the reference alone when `digest` is not one.
pub fn pin(reference: &str, digest: Option<&str>) -> String {
    let (bare, _) = strip(reference);
    match digest.filter(|d| is_digest(d)) {
        Some(d) => format!("{bare}@{d}"),
        None => bare.to_owned(),
    }
}

/// What the registry serves for `reference` now, as the engine's redeploy
/// asks it; an answer that is no digest would leave a dangling `@`.
pub async fn registry_digest(eng: &Engine, reference: &str) -> Result<String, String> {
    Some(registry_has(eng, reference).await?)
        .filter(|d| is_digest(d))
        .ok_or_else(|| "the registry answered without a digest".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_comes_off_and_goes_back_on() {
        let img = "172.17.0.1:5000/app:1@sha256:0123abcd";
        assert_eq!(
            strip(img),
            ("172.17.0.1:5000/app:1", Some("sha256:0123abcd"))
        );
        assert_eq!(
            strip("172.17.0.1:5000/app:1"),
            ("172.17.0.1:5000/app:1", None)
        );
        assert_eq!(strip("app:1@"), ("app:1", None));
        assert_eq!(
            pin(img, Some("sha256:ffee")),
            "172.17.0.1:5000/app:1@sha256:ffee"
        );
        assert!(has_tag("172.17.0.1:5000/app:1"));
        assert!(!has_tag("172.17.0.1:5000/app"));
    }

    #[test]
    fn an_empty_or_odd_digest_never_makes_a_dangling_at() {
        for bad in [
            Some(""),
            Some("sha256:"),
            Some(":abc"),
            Some("latest"),
            None,
        ] {
            let p = pin("172.17.0.1:5000/app:1@sha256:0123", bad);
            assert_eq!(p, "172.17.0.1:5000/app:1", "{bad:?}");
            assert!(!p.contains('@'));
        }
    }
}
