//! The test bed's registry that wants a login (scripts/testbed, registry
//! part), used through a docker CLI config of the test's own.

use super::{unique_name, untag};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub const AUTH_REGISTRY: &str = "127.0.0.1:5001";
pub const USER: &str = "berth";
pub const PASSWORD: &str = "berth-test";

/// A private docker CLI config dir logged in to [`AUTH_REGISTRY`], and a
/// fresh `AUTH_REGISTRY/<name>:1` reference; the dir and every local name
/// of the reference are removed however the test ends.
pub struct Login {
    pub config: PathBuf,
    pub reference: String,
}

impl Login {
    pub fn new(prefix: &str) -> Login {
        let name = unique_name(prefix);
        let login = Login {
            config: std::env::temp_dir().join(format!("berth-test-dockercfg-{name}")),
            reference: format!("{AUTH_REGISTRY}/{name}:1"),
        };
        std::fs::create_dir_all(&login.config).expect("config dir");
        login.docker(
            &["login", AUTH_REGISTRY, "-u", USER, "--password-stdin"],
            PASSWORD,
        );
        login
    }

    /// `docker --config DIR ARGS` with `stdin`; panics on failure, returns stdout.
    pub fn docker(&self, args: &[&str], stdin: &str) -> String {
        let mut child = Command::new("docker")
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docker");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let out = child.wait_with_output().expect("docker");
        assert!(out.status.success(), "docker {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Login {
    fn drop(&mut self) {
        untag(&self.reference);
        let _ = std::fs::remove_dir_all(&self.config);
    }
}
