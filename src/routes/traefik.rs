//! What is known of the Traefik that reads the labels: its container in
//! the snapshot, which tells its version (rule syntax), its networks and
//! whether it exposes containers by default.

use super::rule::Syntax;
use crate::domain::{Container, Snapshot};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traefik {
    /// Its container's name.
    pub name: String,
    pub networks: Vec<String>,
    /// The grammar its rules are read with; v2 unless it is known to be v3.
    pub syntax: Syntax,
    /// `--providers.docker.exposedByDefault=false` makes it ignore
    /// containers without `traefik.enable=true`.
    pub exposed_by_default: bool,
    /// The certificate resolvers its command line defines
    /// (`--certificatesresolvers.<name>.…`); `None` when it defines none
    /// there (they may come from a file or the environment: unknown).
    pub resolvers: Option<Vec<String>>,
}

impl Traefik {
    /// The running Traefik container in `snap`, if there is one.
    pub fn find(snap: &Snapshot) -> Option<Traefik> {
        snap.containers
            .iter()
            .find(|c| c.state.is_running() && is_traefik(c))
            .map(|c| Traefik {
                name: c.name.clone(),
                networks: c.networks.iter().map(|(n, _)| n.clone()).collect(),
                syntax: syntax_of(&c.image),
                exposed_by_default: !c
                    .command
                    .to_ascii_lowercase()
                    .contains("exposedbydefault=false"),
                resolvers: resolvers_of(&c.command),
            })
    }

    /// What is wrong with a router's `tls.certresolver=name`: Traefik logs
    /// "Router uses a nonexistent certificate resolver" for a resolver it
    /// lacks, yet serves the router (its API says enabled) with its own
    /// self-signed default certificate.
    pub fn resolver_problem(&self, name: &str) -> Option<String> {
        let known = self.resolvers.as_ref()?;
        if known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            return None;
        }
        Some(format!(
            "certresolver {name} is not defined by Traefik ({}), whose command line defines {}: \
             it serves TRAEFIK DEFAULT CERT (self-signed) instead",
            self.name,
            known.join(", ")
        ))
    }
}

/// Resolver names from `--certificatesresolvers.<name>.…` flags (Traefik
/// reads flag names case-insensitively); `None` when there are none.
fn resolvers_of(command: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for arg in command.split_whitespace() {
        let Some(rest) = super::labels_v2::strip_prefix_ci(arg, "--certificatesresolvers.") else {
            continue;
        };
        let name = rest.split(['.', '=']).next().unwrap_or_default();
        if !name.is_empty() && !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name.to_owned());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `traefik:v3.1`, `local/traefik:3`, `registry/traefik` — not `traefik-forward-auth`.
pub fn is_traefik(c: &Container) -> bool {
    let repo = c.image.rsplit('/').next().unwrap_or_default();
    let name = repo.split([':', '@']).next().unwrap_or_default();
    name == "traefik"
}

/// v2 unless the image's tag says 3 or later: v2's grammar is the wider
/// one (several values per matcher), so a rule is only refused for what
/// the running Traefik refuses.
fn syntax_of(image: &str) -> Syntax {
    let repo = image.rsplit('/').next().unwrap_or_default();
    let tag = repo.split_once(':').map(|(_, t)| t).unwrap_or_default();
    let major: u32 = tag
        .trim_start_matches('v')
        .split(['.', '-'])
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major >= 3 { Syntax::V3 } else { Syntax::V2 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContainerState;

    fn container(image: &str, command: &str) -> Container {
        Container {
            name: "proxy".into(),
            image: image.into(),
            command: command.into(),
            state: ContainerState::Running,
            networks: vec![("front".into(), "172.20.0.2".into())],
            ..Container::default()
        }
    }

    #[test]
    fn the_version_comes_from_the_tag() {
        assert_eq!(syntax_of("traefik:v3.1"), Syntax::V3);
        assert_eq!(syntax_of("local/traefik:3"), Syntax::V3);
        assert_eq!(syntax_of("traefik:v2.11"), Syntax::V2);
        assert_eq!(syntax_of("traefik"), Syntax::V2);
        assert!(!is_traefik(&container(
            "thomseddon/traefik-forward-auth",
            ""
        )));
    }

    #[test]
    fn exposed_by_default_unless_the_command_says_not() {
        let snap = Snapshot {
            containers: vec![container(
                "traefik:v3.1",
                "/traefik --providers.docker.exposedByDefault=false",
            )],
            ..Snapshot::default()
        };
        let t = Traefik::find(&snap).expect("found");
        assert!(!t.exposed_by_default);
        assert_eq!(t.networks, vec!["front".to_string()]);
        assert_eq!(t.syntax, Syntax::V3);
        assert_eq!(t.resolvers, None);
        assert_eq!(t.resolver_problem("le"), None, "unknown: no claim");
    }

    #[test]
    fn resolvers_come_from_the_command_line() {
        let c = container(
            "traefik:v3.1",
            "/entrypoint.sh --certificatesresolvers.le.acme.email=a@b.test \
             --certificatesResolvers.LE.acme.storage=/x --certificatesresolvers.dns.acme.dnschallenge=true",
        );
        let snap = Snapshot {
            containers: vec![c],
            ..Snapshot::default()
        };
        let t = Traefik::find(&snap).expect("found");
        assert_eq!(t.resolvers, Some(vec!["le".to_string(), "dns".to_string()]));
        assert_eq!(t.resolver_problem("le"), None);
        let p = t.resolver_problem("nope").expect("a problem");
        assert!(p.contains("nope") && p.contains("le, dns"), "{p}");
    }
}
