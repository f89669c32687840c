//! Replacing a container by a new one of the same configuration: the
//! configuration read back from inspect (minus what the old image brought),
//! and the replace-with-restore sequence.

use super::engine::{Engine, words};
use super::members::{Member, is_running, name_of};
use super::wait::{self, Ready};
use crate::backend::BackendError;
use crate::backend::docker::convert::short_id;
use crate::backend::report::Report;
use crate::domain::Step;
use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, ContainerStateStatusEnum, EndpointSettings,
    ImageConfig, MountType, NetworkConnectRequest, NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder,
};
use std::collections::{HashMap, HashSet};

/// The image id a container ran before berth's last redeploy or rollback.
pub const LABEL_PREVIOUS: &str = "berth.previous-image";
/// The reference a redeploy pulls, kept when a rollback runs an image by id.
pub const LABEL_REF: &str = "berth.image-ref";

/// Why `old` cannot be replaced safely, if it cannot.
pub fn refusal(old: &ContainerInspectResponse) -> Option<String> {
    // Stopping an auto-removed container deletes it: it could not be put
    // back if its replacement failed.
    let auto_remove = old
        .host_config
        .as_ref()
        .and_then(|h| h.auto_remove)
        .unwrap_or(false);
    if auto_remove {
        return Some(format!(
            "{} was started with --rm: stopping it deletes it, so berth cannot replace it and keep a way back",
            name_of(old)
        ));
    }
    let paused =
        old.state.as_ref().and_then(|s| s.status) == Some(ContainerStateStatusEnum::PAUSED);
    paused.then(|| format!("{} is paused: unpause it first", name_of(old)))
}

/// Inspects every member, refusing the lot if one cannot be replaced
/// safely: a plan promises nothing it could not keep.
pub async fn inspect_replaceable(
    eng: &Engine,
    members: &[Member],
) -> Result<Vec<ContainerInspectResponse>, BackendError> {
    let mut olds = Vec::with_capacity(members.len());
    for m in members {
        let old = eng.inspect(&m.id).await?;
        if let Some(why) = refusal(&old) {
            return Err(BackendError::Unsupported(why));
        }
        olds.push(old);
    }
    Ok(olds)
}

/// What `docker create` needs to make the replacement.
#[derive(Debug, Clone, Default)]
pub struct Blueprint {
    pub body: ContainerCreateBody,
    /// API 1.41 attaches one network at create; these are connected after.
    pub more_networks: Vec<(String, EndpointSettings)>,
}

impl Blueprint {
    pub fn set_label(&mut self, key: &str, value: &str) {
        self.body
            .labels
            .get_or_insert_with(HashMap::new)
            .insert(key.to_owned(), value.to_owned());
    }
}

/// Anonymous volumes: a replacement inherits them (as compose does); a new
/// replica gets its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volumes {
    Carry,
    Fresh,
}

/// An engine-made volume name (64 hex digits): an anonymous volume.
pub fn is_anonymous(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `src:dst[:mode]` -> (src, dst).
fn bind_parts(bind: &str) -> (&str, &str) {
    let mut it = bind.splitn(3, ':');
    (it.next().unwrap_or_default(), it.next().unwrap_or_default())
}

/// `Some(v)` unless it equals what the image gives anyway.
fn unless_default<T: PartialEq>(v: Option<T>, image: &Option<T>) -> Option<T> {
    if v.is_some() && &v == image { None } else { v }
}

fn without<T: PartialEq>(v: Option<Vec<T>>, image: &Option<Vec<T>>) -> Option<Vec<T>> {
    let image = image.as_deref().unwrap_or_default();
    v.map(|v| v.into_iter().filter(|x| !image.contains(x)).collect())
}

/// The create request for a container like `old` running `image`. Inspect
/// merges the old image's defaults into `Config`; entries equal to them are
/// dropped so that the new image's defaults apply.
pub fn blueprint(
    old: &ContainerInspectResponse,
    old_image: Option<&ImageConfig>,
    image: &str,
    volumes: Volumes,
) -> Blueprint {
    let cfg = old.config.clone().unwrap_or_default();
    let img = old_image.cloned().unwrap_or_default();
    let short = short_id(old.id.as_deref().unwrap_or_default()).to_owned();

    // The engine uses the image's Cmd only when no Entrypoint is given: a
    // Cmd set beside a custom Entrypoint is the user's.
    let (entrypoint, cmd) = if cfg.entrypoint.is_some() && cfg.entrypoint != img.entrypoint {
        (cfg.entrypoint, cfg.cmd)
    } else {
        (None, unless_default(cfg.cmd, &img.cmd))
    };
    let labels = cfg.labels.map(|l| {
        l.into_iter()
            .filter(|(k, v)| img.labels.as_ref().and_then(|il| il.get(k)) != Some(v))
            .collect()
    });
    let hostname = cfg.hostname.filter(|h| *h != short && !h.is_empty());

    let mut hc = old.host_config.clone().unwrap_or_default();
    match volumes {
        Volumes::Carry => carry_volumes(old, &mut hc),
        Volumes::Fresh => {
            if let Some(b) = hc.binds.as_mut() {
                b.retain(|b| !is_anonymous(bind_parts(b).0));
            }
        }
    }

    let (networking_config, more_networks) = networks(old, &short);
    let body = ContainerCreateBody {
        hostname,
        domainname: cfg.domainname,
        user: unless_default(cfg.user, &img.user),
        attach_stdin: cfg.attach_stdin,
        attach_stdout: cfg.attach_stdout,
        attach_stderr: cfg.attach_stderr,
        exposed_ports: without(cfg.exposed_ports, &img.exposed_ports),
        tty: cfg.tty,
        open_stdin: cfg.open_stdin,
        stdin_once: cfg.stdin_once,
        env: without(cfg.env, &img.env),
        cmd,
        healthcheck: unless_default(cfg.healthcheck, &img.healthcheck),
        args_escaped: None,
        image: Some(image.to_owned()),
        volumes: without(cfg.volumes, &img.volumes),
        working_dir: unless_default(cfg.working_dir, &img.working_dir),
        entrypoint,
        network_disabled: cfg.network_disabled,
        on_build: None,
        labels,
        stop_signal: unless_default(cfg.stop_signal, &img.stop_signal),
        stop_timeout: cfg.stop_timeout,
        shell: unless_default(cfg.shell, &img.shell),
        host_config: Some(hc),
        networking_config,
    };
    Blueprint {
        body,
        more_networks,
    }
}

/// Mounts the old container's anonymous volumes at the same places; binds
/// and named volumes are already in HostConfig as they were.
fn carry_volumes(old: &ContainerInspectResponse, hc: &mut bollard::models::HostConfig) {
    let mut covered: HashSet<String> = hc
        .binds
        .iter()
        .flatten()
        .map(|b| bind_parts(b).1.to_owned())
        .collect();
    let old_mounts = old.mounts.as_deref().unwrap_or_default();
    let volume_at = |dest: &str| {
        old_mounts
            .iter()
            .find(|m| m.typ.as_deref() == Some("volume") && m.destination.as_deref() == Some(dest))
            .and_then(|m| m.name.clone())
    };
    for m in hc.mounts.iter_mut().flatten() {
        let target = m.target.clone().unwrap_or_default();
        if m.typ == Some(MountType::VOLUME) && m.source.as_deref().unwrap_or_default().is_empty() {
            m.source = volume_at(&target);
        }
        covered.insert(target);
    }
    for m in old_mounts {
        let (Some(name), Some(dest)) = (m.name.as_deref(), m.destination.as_deref()) else {
            continue;
        };
        if m.typ.as_deref() == Some("volume") && !covered.contains(dest) {
            let ro = if m.rw == Some(false) { ":ro" } else { "" };
            hc.binds
                .get_or_insert_with(Vec::new)
                .push(format!("{name}:{dest}{ro}"));
        }
    }
}

/// The network to create with and the ones to connect after, with their
/// aliases minus the old short id (the engine adds the new one's).
fn networks(
    old: &ContainerInspectResponse,
    short: &str,
) -> (Option<NetworkingConfig>, Vec<(String, EndpointSettings)>) {
    let mode = old
        .host_config
        .as_ref()
        .and_then(|h| h.network_mode.clone())
        .unwrap_or_default();
    if mode == "host" || mode == "none" || mode.starts_with("container:") {
        return (None, Vec::new());
    }
    let nets = old
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.clone())
        .unwrap_or_default();
    let mut names: Vec<&String> = nets.keys().collect();
    names.sort();
    // The primary network is the one named by NetworkMode when attached.
    if let Some(i) = names.iter().position(|n| **n == mode) {
        let first = names.remove(i);
        names.insert(0, first);
    }
    let endpoint = |name: &str, e: &EndpointSettings| {
        // The default bridge takes no aliases.
        let user_defined = name != "bridge" && name != "default";
        let aliases: Vec<String> = e
            .aliases
            .iter()
            .flatten()
            .filter(|a| *a != short)
            .cloned()
            .collect();
        EndpointSettings {
            ipam_config: e.ipam_config.clone(),
            links: e.links.clone(),
            aliases: (user_defined && !aliases.is_empty()).then_some(aliases),
            driver_opts: e.driver_opts.clone(),
            ..Default::default()
        }
    };
    let mut all = names
        .into_iter()
        .map(|n| (n.clone(), endpoint(n, &nets[n])));
    let first = all.next();
    let rest = all.collect();
    let cfg = first.map(|(n, e)| NetworkingConfig {
        endpoints_config: Some(HashMap::from([(n, e)])),
    });
    (cfg, rest)
}

/// Creates a container from `bp` under `name` and attaches its other
/// networks; on failure nothing is left behind. Returns the new id.
pub async fn create(eng: &Engine, name: &str, bp: Blueprint) -> Result<String, String> {
    let opts = CreateContainerOptionsBuilder::new().name(name).build();
    let made = eng
        .docker
        .create_container(Some(opts), bp.body)
        .await
        .map_err(|e| format!("create {name}: {}", words(&e)))?;
    for (net, endpoint) in bp.more_networks {
        let req = NetworkConnectRequest {
            container: made.id.clone(),
            endpoint_config: Some(endpoint),
        };
        if let Err(e) = eng.docker.connect_network(&net, req).await {
            remove(eng, &made.id).await;
            return Err(format!("connect {name} to {net}: {}", words(&e)));
        }
    }
    Ok(made.id)
}

/// Removes a container berth made or replaced; its volumes stay.
pub async fn remove(eng: &Engine, id: &str) -> Option<String> {
    let opts = RemoveContainerOptionsBuilder::new().force(true).build();
    eng.docker
        .remove_container(id, Some(opts))
        .await
        .err()
        .map(|e| words(&e))
}

async fn rename(eng: &Engine, id: &str, to: &str) -> Result<(), String> {
    let opts = RenameContainerOptionsBuilder::new().name(to).build();
    eng.docker
        .rename_container(id, opts)
        .await
        .map_err(|e| format!("rename to {to}: {}", words(&e)))
}

/// Why a replacement did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The old container is back under its name (running if it ran).
    Restored(String),
    /// Putting the old one back failed too: the operator must look.
    Broken(String),
}

/// What was done so far, to undo in reverse.
struct Undo {
    new_id: Option<String>,
    old_renamed: bool,
}

/// Replaces `old` by a container made from `bp`: create under
/// `<short-id>_<name>`, stop the old, rename it away, give the new the name,
/// start it and wait until it runs; only then remove the old (keeping its
/// volumes). Any failure puts the old one back. A stopped container is
/// replaced by a stopped one (None): a redeploy does not start what was
/// stopped on purpose.
pub async fn replace(
    eng: &Engine,
    rep: &Report,
    old: &ContainerInspectResponse,
    bp: Blueprint,
) -> Result<Option<Ready>, Failure> {
    let name = name_of(old);
    let old_id = old.id.clone().unwrap_or_default();
    let short = short_id(&old_id).to_owned();
    // A crash-looping container is meant to run: its replacement starts.
    let was_running = is_running(old)
        || old.state.as_ref().and_then(|s| s.status) == Some(ContainerStateStatusEnum::RESTARTING);
    let mut undo = Undo {
        new_id: None,
        old_renamed: false,
    };
    let res = async {
        rep.step(&name, Step::Creating, false, None).await;
        undo.new_id = Some(create(eng, &format!("{short}_{name}"), bp).await?);
        let new_id = undo.new_id.clone().unwrap_or_default();
        if was_running {
            rep.step(&name, Step::Stopping, false, None).await;
            eng.patient()
                .stop_container(&old_id, None)
                .await
                .map_err(|e| format!("stop {name}: {}", words(&e)))?;
        }
        rename(eng, &old_id, &format!("{name}_berth-old-{short}")).await?;
        undo.old_renamed = true;
        rename(eng, &new_id, &name).await?;
        if !was_running {
            return Ok(None);
        }
        rep.step(&name, Step::Starting, false, None).await;
        eng.docker
            .start_container(&new_id, None)
            .await
            .map_err(|e| format!("start the new {name}: {}", words(&e)))?;
        wait::until_running(eng, &new_id, &name, None)
            .await
            .map(Some)
    }
    .await;
    match res {
        Ok(ready) => {
            if let Some(e) = remove(eng, &old_id).await {
                rep.message(format!(
                    "{name}: the new container runs, but the old one ({short}) could not be removed: {e}"
                ))
                .await;
            }
            Ok(ready)
        }
        Err(why) => Err(restore(eng, &name, &old_id, was_running, undo, why).await),
    }
}

/// Puts the old container back as it was after a failed replacement.
async fn restore(
    eng: &Engine,
    name: &str,
    old_id: &str,
    was_running: bool,
    undo: Undo,
    why: String,
) -> Failure {
    let mut problems = Vec::new();
    if let Some(new_id) = &undo.new_id
        && let Some(e) = remove(eng, new_id).await
    {
        problems.push(format!("remove the new container: {e}"));
    }
    if undo.old_renamed
        && let Err(e) = rename(eng, old_id, name).await
    {
        problems.push(e);
    }
    if was_running && problems.is_empty() {
        let started = eng.docker.start_container(old_id, None).await;
        if let Err(e) = started {
            problems.push(format!("start the old {name}: {}", words(&e)));
        } else if let Err(e) = wait::until_running(eng, old_id, name, None).await {
            problems.push(e);
        }
    }
    if problems.is_empty() {
        Failure::Restored(why)
    } else {
        Failure::Broken(format!(
            "{why}; putting the old {name} back failed too: {}",
            problems.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerConfig, HostConfig, MountPoint, NetworkSettings};

    const OLD_ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const ANON: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn strings(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    fn image() -> ImageConfig {
        ImageConfig {
            env: strings(&["PATH=/bin", "LANG=C"]),
            cmd: strings(&["httpd", "-f"]),
            working_dir: Some("/srv".into()),
            user: Some("".into()),
            exposed_ports: strings(&["8080/tcp"]),
            volumes: strings(&["/cache"]),
            labels: Some(HashMap::from([("maintainer".into(), "img".into())])),
            ..Default::default()
        }
    }

    fn endpoint(aliases: &[&str]) -> EndpointSettings {
        EndpointSettings {
            aliases: strings(aliases),
            ip_address: Some("172.20.0.5".into()),
            network_id: Some("n1".into()),
            ..Default::default()
        }
    }

    /// A compose replica as inspect shows it: the image's defaults merged in.
    fn old() -> ContainerInspectResponse {
        ContainerInspectResponse {
            id: Some(OLD_ID.into()),
            name: Some("/shop_web_1".into()),
            config: Some(ContainerConfig {
                hostname: Some("0123456789ab".into()),
                env: strings(&["PATH=/bin", "LANG=C", "GREETING=hello"]),
                cmd: strings(&["httpd", "-f"]),
                working_dir: Some("/srv".into()),
                user: Some("".into()),
                exposed_ports: strings(&["80/tcp", "8080/tcp"]),
                volumes: strings(&["/cache", "/data"]),
                image: Some("127.0.0.1:5000/app:1".into()),
                labels: Some(HashMap::from([
                    ("maintainer".into(), "img".into()),
                    ("com.docker.compose.service".into(), "web".into()),
                ])),
                ..Default::default()
            }),
            host_config: Some(HostConfig {
                network_mode: Some("shop_back".into()),
                binds: strings(&["named:/named", "/host:/host:ro"]),
                ..Default::default()
            }),
            mounts: Some(vec![
                MountPoint {
                    typ: Some("volume".into()),
                    name: Some(ANON.into()),
                    destination: Some("/data".into()),
                    rw: Some(true),
                    ..Default::default()
                },
                MountPoint {
                    typ: Some("volume".into()),
                    name: Some("named".into()),
                    destination: Some("/named".into()),
                    rw: Some(true),
                    ..Default::default()
                },
            ]),
            network_settings: Some(NetworkSettings {
                networks: Some(HashMap::from([
                    (
                        "shop_back".into(),
                        endpoint(&["web", "webalias", "0123456789ab"]),
                    ),
                    ("shop_front".into(), endpoint(&["web", "0123456789ab"])),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn what_the_old_image_gave_is_dropped_so_the_new_image_decides() {
        let bp = blueprint(
            &old(),
            Some(&image()),
            "127.0.0.1:5000/app:1",
            Volumes::Carry,
        );
        let b = &bp.body;
        assert_eq!(b.image.as_deref(), Some("127.0.0.1:5000/app:1"));
        assert_eq!(b.env, strings(&["GREETING=hello"]));
        assert_eq!(b.cmd, None);
        assert_eq!(b.entrypoint, None);
        assert_eq!(b.working_dir, None);
        assert_eq!(b.user, None);
        assert_eq!(b.exposed_ports, strings(&["80/tcp"]));
        assert_eq!(b.volumes, strings(&["/data"]));
        assert_eq!(b.hostname, None, "the auto hostname was the old short id");
        let labels = b.labels.clone().unwrap_or_default();
        assert_eq!(
            labels.get("com.docker.compose.service").map(String::as_str),
            Some("web")
        );
        assert!(!labels.contains_key("maintainer"));
    }

    #[test]
    fn a_command_beside_a_custom_entrypoint_is_kept() {
        let mut c = old();
        if let Some(cfg) = c.config.as_mut() {
            cfg.entrypoint = strings(&["/run.sh"]);
        }
        let bp = blueprint(&c, Some(&image()), "x", Volumes::Carry);
        assert_eq!(bp.body.entrypoint, strings(&["/run.sh"]));
        assert_eq!(bp.body.cmd, strings(&["httpd", "-f"]));
    }

    #[test]
    fn anonymous_volumes_carry_over_on_replace_and_not_to_a_new_replica() {
        let bp = blueprint(&old(), Some(&image()), "x", Volumes::Carry);
        let binds = bp
            .body
            .host_config
            .and_then(|h| h.binds)
            .unwrap_or_default();
        assert_eq!(
            binds,
            vec![
                "named:/named".to_owned(),
                "/host:/host:ro".to_owned(),
                format!("{ANON}:/data")
            ]
        );
        // A clone of a replaced container drops the carried volume.
        let mut c = old();
        if let Some(h) = c.host_config.as_mut() {
            h.binds = Some(binds);
        }
        let bp = blueprint(&c, Some(&image()), "x", Volumes::Fresh);
        let binds = bp
            .body
            .host_config
            .and_then(|h| h.binds)
            .unwrap_or_default();
        assert_eq!(
            binds,
            vec!["named:/named".to_owned(), "/host:/host:ro".to_owned()]
        );
    }

    #[test]
    fn the_primary_network_is_created_with_and_the_others_connected_without_the_old_id() {
        let bp = blueprint(&old(), Some(&image()), "x", Volumes::Carry);
        let eps = bp
            .body
            .networking_config
            .and_then(|n| n.endpoints_config)
            .unwrap_or_default();
        assert_eq!(eps.len(), 1);
        let back = &eps["shop_back"];
        assert_eq!(back.aliases, strings(&["web", "webalias"]));
        assert_eq!(back.ip_address, None, "addresses are the engine's to give");
        assert_eq!(bp.more_networks.len(), 1);
        assert_eq!(bp.more_networks[0].0, "shop_front");
        assert_eq!(bp.more_networks[0].1.aliases, strings(&["web"]));
    }

    #[test]
    fn the_default_bridge_takes_no_aliases_and_host_mode_no_endpoints() {
        let mut c = old();
        if let Some(n) = c.network_settings.as_mut() {
            n.networks = Some(HashMap::from([("bridge".into(), endpoint(&["x"]))]));
        }
        if let Some(h) = c.host_config.as_mut() {
            h.network_mode = Some("default".into());
        }
        let bp = blueprint(&c, None, "x", Volumes::Carry);
        let eps = bp
            .body
            .networking_config
            .and_then(|n| n.endpoints_config)
            .unwrap_or_default();
        assert_eq!(eps["bridge"].aliases, None);
        if let Some(h) = c.host_config.as_mut() {
            h.network_mode = Some("host".into());
        }
        let bp = blueprint(&c, None, "x", Volumes::Carry);
        assert!(bp.body.networking_config.is_none() && bp.more_networks.is_empty());
    }
}
