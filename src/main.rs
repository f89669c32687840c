use anyhow::Context;
use berth::app::Settings;
use berth::app::runtime::Switching;
use berth::audit::Audit;
use berth::backend::kube::startup_target;
use berth::backend::{Backend, BackendKind, KubeSwitcher, connect, guarded};
use berth::cli::{Cli, Cmd};
use berth::config::{self, Paths};
use berth::headless::{self, logs::LogsArgs, operate::OperateArgs};
use berth::routes::feed::FeedConfig;
use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    // clap exits with 2 on usage errors by itself.
    let cli = Cli::parse();
    // One thread: the work is I/O-bound, and cross-thread wake-ups cost more
    // CPU than they save (measured under a log flood; see docs/benchmarks.md).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("berth: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            berth::terminal::restore();
            eprintln!("berth: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths::from_env();
    let console = cli.command.is_none();
    berth::telemetry::init(paths.state_dir.as_deref(), console);
    // As kubectl: --namespace, else -A, else the context's namespace, else all.
    let kube = startup_target(
        cli.kubeconfig.clone(),
        cli.context.clone(),
        cli.namespace.clone().or(cli.ns.clone()),
        cli.all_namespaces,
    );
    let backend = connect(cli.backend, cli.host.as_deref(), &kube).await?;
    // Refused again at the boundary, whatever the layers above let through.
    let backend: Arc<dyn Backend> = guarded(backend, cli.read_only);
    match cli.command {
        Some(Cmd::Ls { kind, output }) => {
            let mut out = std::io::stdout().lock();
            let routes = FeedConfig {
                haproxy_file: cli.haproxy_config.clone(),
                traefik_url: cli.traefik_url.clone(),
            };
            headless::ls(backend.as_ref(), kind, output, &routes, &mut out).await
        }
        Some(Cmd::Logs {
            target,
            follow,
            tail,
            since,
            timestamps,
            previous,
            container,
        }) => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let args = LogsArgs {
                target,
                follow,
                tail,
                since_secs: since,
                timestamps,
                previous,
                container,
            };
            headless::logs(backend.as_ref(), args, &mut out).await
        }
        Some(cmd) => operation(backend.as_ref(), &paths, &cmd, cli.read_only).await,
        None => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let cfg = config::load(
                &paths,
                cli.theme.as_deref(),
                cli.keymap.as_deref(),
                no_color,
            );
            let settings = Settings {
                backend: backend.kind(),
                endpoint: backend.endpoint().to_owned(),
                read_only: cli.read_only,
                log_tail: cli.log_tail,
                log_capacity: cli.log_buffer.max(1),
                save_dir: paths
                    .data_dir
                    .clone()
                    .unwrap_or_else(std::env::temp_dir)
                    .join("logs"),
                audit_dir: paths.data_dir.clone(),
                routes: FeedConfig {
                    haproxy_file: cli.haproxy_config.clone(),
                    traefik_url: cli.traefik_url.clone(),
                },
            };
            let mut warnings = cfg.warnings;
            warnings.extend(backend.note());
            let switching = (backend.kind() == BackendKind::Kubernetes).then(|| Switching {
                switcher: Arc::new(KubeSwitcher {
                    kubeconfig: cli.kubeconfig.clone(),
                    read_only: cli.read_only,
                }),
                target: kube.clone(),
            });
            let mut term = berth::terminal::init().context("cannot set up the terminal")?;
            let result = berth::app::runtime::run(
                &mut term, backend, settings, cfg.theme, cfg.keymap, warnings, switching,
            )
            .await;
            berth::terminal::restore();
            result
        }
    }
}

/// A headless operation subcommand.
async fn operation(
    backend: &dyn Backend,
    paths: &Paths,
    cmd: &Cmd,
    read_only: bool,
) -> anyhow::Result<()> {
    let (kind, target, replicas, flags) = cmd.operation().context("not an operation subcommand")?;
    let (audit, writer) = Audit::open(paths.data_dir.as_deref());
    let args = OperateArgs {
        kind,
        target: target.to_owned(),
        replicas,
        yes: flags.yes,
        wait: flags.wait,
        timeout: std::time::Duration::from_secs(flags.timeout),
        output: flags.output,
        read_only,
    };
    let mut out = std::io::stdout().lock();
    let result = headless::operate(backend, &audit, args, &mut out).await;
    // The audit line is on disk before berth exits.
    drop(audit);
    writer.finish();
    result
}
