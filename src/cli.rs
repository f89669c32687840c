//! Command line: the console by default, and the same backend code headless.

use crate::backend::BackendChoice;
use crate::domain::OpKind;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    about = "A terminal console for container clusters: Docker Engine, Compose, Swarm, Kubernetes"
)]
pub struct Cli {
    /// Backend to drive (default: Docker when an endpoint is configured or the local socket exists, else Kubernetes).
    #[arg(long, value_enum, global = true)]
    pub backend: Option<BackendChoice>,
    /// Docker endpoint, e.g. unix:///var/run/docker.sock or tcp://host:2375 (default: DOCKER_HOST, then the local socket).
    #[arg(long, short = 'H', global = true)]
    pub host: Option<String>,
    /// Kubernetes: the kubeconfig file (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true)]
    pub kubeconfig: Option<std::path::PathBuf>,
    /// Kubernetes: the kubeconfig context to use (default: its current one).
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Kubernetes: show one namespace (default: the context's namespace, else every namespace).
    #[arg(long, global = true, conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// Kubernetes: --namespace, before a subcommand only (`logs -n` is its line count).
    #[arg(short = 'n', value_name = "NAMESPACE", conflicts_with_all = ["namespace", "all_namespaces"])]
    pub ns: Option<String>,
    /// Kubernetes: show every namespace, whatever the context sets.
    #[arg(long, short = 'A', global = true)]
    pub all_namespaces: bool,
    /// Hide and refuse every action that changes something.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Routes: an haproxy.cfg whose frontends and backends are shown as routes.
    #[arg(long, global = true, value_name = "FILE")]
    pub haproxy_config: Option<std::path::PathBuf>,
    /// Routes: Traefik's API (http://host:8080) for router and server states
    /// (default: a running Traefik container started with --api.insecure).
    #[arg(long, global = true, value_name = "URL")]
    pub traefik_url: Option<String>,
    /// Theme: dark, light, monochrome, or a path to a .toml file.
    #[arg(long)]
    pub theme: Option<String>,
    /// Keymap: default, vim, or a path to a .toml file.
    #[arg(long)]
    pub keymap: Option<String>,
    /// Lines of history a log view opens with.
    #[arg(long, default_value_t = 1000)]
    pub log_tail: u64,
    /// Lines a log view keeps; older ones are dropped (and counted).
    #[arg(long, default_value_t = 100_000)]
    pub log_buffer: usize,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// List nodes, stacks, services or containers.
    Ls {
        #[arg(value_enum)]
        kind: Kind,
        /// Output format.
        #[arg(long, short = 'o', value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Print the logs of a container, or of every container of a service.
    Logs {
        /// A container (name or id) or a service as `berth ls services` names it (stack/service).
        target: String,
        /// Keep following new lines (and new replicas).
        #[arg(long, short = 'f')]
        follow: bool,
        /// Lines of history per container (default: all).
        #[arg(long, short = 'n')]
        tail: Option<u64>,
        /// Only lines newer than this: 30s, 10m, 2h, 1d, or 1h30m.
        #[arg(long, value_parser = parse_duration)]
        since: Option<u64>,
        /// Prefix each line with the engine's timestamp.
        #[arg(long, short = 't')]
        timestamps: bool,
        /// Kubernetes: the previous run of the pod's containers (the lines
        /// before a crash).
        #[arg(long, short = 'p', conflicts_with = "follow")]
        previous: bool,
        /// Kubernetes: one container of the pod (default: all of them).
        #[arg(long, short = 'c')]
        container: Option<String>,
    },
    /// Scale a service to N replicas (0 stops them all and keeps them).
    Scale {
        /// A service as `berth ls services` names it (stack/service).
        target: String,
        replicas: u32,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Pull the image again and replace every container, one at a time (Kubernetes: rollout restart).
    Redeploy {
        /// A service (stack/service) or a container, as `berth ls` names it.
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Go back to the image recorded at the last redeploy (swarm: the previous spec; Kubernetes: rollout undo).
    Rollback {
        /// A service (stack/service) or a container, as `berth ls` names it.
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Restart a container, or every container of a service one at a time (Kubernetes: rollout restart; a pod is recreated by its controller).
    Restart {
        /// A service (stack/service) or a container, as `berth ls` names it.
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Stop a container, or every container of a service.
    Stop {
        /// A service (stack/service) or a container, as `berth ls` names it.
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Start a container, or every container of a service.
    Start {
        /// A service (stack/service) or a container, as `berth ls` names it.
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Drain a node: it takes no tasks and its tasks move to other nodes
    /// (Kubernetes: cordon, then evict its pods, respecting disruption budgets).
    Drain {
        /// A node as `berth ls nodes` names it.
        node: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Pause (cordon) a node: it takes no new tasks or pods; those it runs stay.
    #[command(visible_alias = "cordon")]
    Pause {
        /// A node as `berth ls nodes` names it.
        node: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Activate (uncordon) a paused, cordoned or drained node: it takes tasks again.
    #[command(visible_alias = "uncordon")]
    Activate {
        /// A node as `berth ls nodes` names it.
        node: String,
        #[command(flatten)]
        flags: OpFlags,
    },
}

impl Cmd {
    /// For an operation subcommand: what it asks for.
    pub fn operation(&self) -> Option<(OpKind, &str, Option<u32>, &OpFlags)> {
        match self {
            Cmd::Scale {
                target,
                replicas,
                flags,
            } => Some((OpKind::Scale, target, Some(*replicas), flags)),
            Cmd::Redeploy { target, flags } => Some((OpKind::Redeploy, target, None, flags)),
            Cmd::Rollback { target, flags } => Some((OpKind::Rollback, target, None, flags)),
            Cmd::Restart { target, flags } => Some((OpKind::Restart, target, None, flags)),
            Cmd::Stop { target, flags } => Some((OpKind::Stop, target, None, flags)),
            Cmd::Start { target, flags } => Some((OpKind::Start, target, None, flags)),
            Cmd::Drain { node, flags } => Some((OpKind::Drain, node, None, flags)),
            Cmd::Pause { node, flags } => Some((OpKind::Pause, node, None, flags)),
            Cmd::Activate { node, flags } => Some((OpKind::Activate, node, None, flags)),
            Cmd::Ls { .. } | Cmd::Logs { .. } => None,
        }
    }
}

/// How an operation is confirmed, followed and reported.
#[derive(Debug, Clone, clap::Args)]
pub struct OpFlags {
    /// Do it without asking (needed when there is no terminal to ask on).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print progress until the operation converges (exit 1 on failure or timeout).
    #[arg(long, short = 'w')]
    pub wait: bool,
    /// Give up (cancelling at the next safe point) after this long: 90s, 5m, 1h.
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    pub timeout: u64,
    /// Output format: the result as text, or as one JSON object (with
    /// --wait, one JSON progress event per line before it).
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Nodes,
    Stacks,
    Services,
    Containers,
    /// Which host and path reach which service, probed once, with lint.
    Routes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

/// "30s", "10m", "2h", "1d", "1h30m" -> seconds.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let bad = || format!("invalid duration {s:?}: use e.g. 30s, 10m, 2h, 1d or 1h30m");
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().map_err(|_| bad())?;
        num.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        total += n * unit;
    }
    if !num.is_empty() {
        // A bare number means seconds.
        total += num.parse::<u64>().map_err(|_| bad())?;
    }
    if s.trim().is_empty() {
        return Err(bad());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("45"), Ok(45));
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn node_operations_parse_with_the_operation_flags() {
        for (word, kind) in [
            ("drain", OpKind::Drain),
            ("pause", OpKind::Pause),
            ("activate", OpKind::Activate),
            ("cordon", OpKind::Pause),
            ("uncordon", OpKind::Activate),
        ] {
            let cli = Cli::try_parse_from([
                "berth",
                word,
                "worker1",
                "--yes",
                "--wait",
                "--timeout",
                "2m",
                "-o",
                "json",
            ])
            .expect("parses");
            let cmd = cli.command.expect("a subcommand");
            let (k, node, replicas, flags) = cmd.operation().expect("an operation");
            assert_eq!((k, node, replicas), (kind, "worker1", None));
            assert!(flags.yes && flags.wait);
            assert_eq!((flags.timeout, flags.output), (120, Output::Json));
        }
        assert!(
            Cli::try_parse_from(["berth", "drain"]).is_err(),
            "a node is needed"
        );
    }

    #[test]
    fn the_namespace_short_flag_is_the_consoles_and_logs_keeps_its_own() {
        let cli = Cli::try_parse_from(["berth", "-n", "shop"]).expect("parses");
        assert_eq!(cli.ns.as_deref(), Some("shop"));
        let cli = Cli::try_parse_from(["berth", "-n", "shop", "ls", "services"]).expect("parses");
        assert_eq!(cli.ns.as_deref(), Some("shop"));
        let cli = Cli::try_parse_from(["berth", "logs", "web", "-n", "5"]).expect("parses");
        assert!(matches!(cli.command, Some(Cmd::Logs { tail: Some(5), .. })));
        assert_eq!(cli.ns, None);
        let cli = Cli::try_parse_from(["berth", "ls", "pods", "--namespace", "shop"]);
        assert!(cli.is_err(), "pods is no kind");
        let cli = Cli::try_parse_from(["berth", "ls", "services", "--namespace", "shop"])
            .expect("--namespace goes anywhere");
        assert_eq!(cli.namespace.as_deref(), Some("shop"));
        assert!(Cli::try_parse_from(["berth", "-n", "a", "--namespace", "b"]).is_err());
        assert!(Cli::try_parse_from(["berth", "-n", "a", "-A"]).is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
