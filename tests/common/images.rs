//! Image tags a test makes (for the test bed's registry), removed however
//! the test ends.

use super::docker;
use std::process::Command;

/// Local image tags a test made; untagged when it drops (declare it before
/// the containers that use the tags, so that it drops after them).
#[derive(Default)]
pub struct Tags(Vec<String>);

impl Tags {
    /// `docker tag SRC DST`, remembered for removal.
    pub fn tag(&mut self, src: &str, dst: &str) {
        docker(&["tag", src, dst]);
        self.keep(dst);
    }

    /// Removes `reference` too when the test ends (a tag made another way).
    pub fn keep(&mut self, reference: &str) {
        if !self.0.iter().any(|t| t == reference) {
            self.0.push(reference.to_owned());
        }
    }
}

impl Drop for Tags {
    fn drop(&mut self) {
        for t in &self.0 {
            untag(t);
        }
    }
}

/// Removes a local tag and every `repo@digest` name pushes and pulls left
/// for its repository; the images stay while other names use them.
pub fn untag(reference: &str) {
    let repo = reference.rsplit_once(':').map_or(reference, |(r, _)| r);
    let digests = Command::new("docker")
        .args([
            "images",
            "--digests",
            "--format",
            "{{.Repository}}@{{.Digest}}",
            repo,
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut names = vec![reference.to_owned()];
    names.extend(
        digests
            .lines()
            .filter(|d| !d.ends_with("@<none>"))
            .map(str::to_owned),
    );
    names.dedup();
    let _ = Command::new("docker").arg("rmi").args(&names).output();
}
