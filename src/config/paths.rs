use std::path::{Path, PathBuf};

/// Where berth reads config and writes its own state.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// User themes (`themes/NAME.toml`) and keymaps (`keymap.toml`, `keymaps/NAME.toml`).
    pub config_dir: Option<PathBuf>,
    /// berth's own log file.
    pub state_dir: Option<PathBuf>,
    /// Saved logs, audit log.
    pub data_dir: Option<PathBuf>,
}

impl Paths {
    /// The platform's directories (`~/.config/berth`, `~/.local/state/berth`, ...).
    /// `BERTH_CONFIG_DIR` overrides the config dir (tests use it).
    pub fn from_env() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "berth");
        let config_dir = std::env::var_os("BERTH_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()));
        let state_dir = dirs.as_ref().map(|d| {
            d.state_dir()
                .map(|s| s.to_path_buf())
                .unwrap_or_else(|| d.data_local_dir().to_path_buf())
        });
        let data_dir = dirs.as_ref().map(|d| d.data_dir().to_path_buf());
        Paths {
            config_dir,
            state_dir,
            data_dir,
        }
    }

    /// Everything under one directory: config in `dir`, state and data in
    /// `dir/state` and `dir/data`. For tests and portable setups.
    pub fn for_test(dir: impl Into<PathBuf>) -> Paths {
        let dir = dir.into();
        Paths {
            state_dir: Some(dir.join("state")),
            data_dir: Some(dir.join("data")),
            config_dir: Some(dir),
        }
    }

    /// `config_dir/rel`, if there is a config dir.
    pub fn config_file(&self, rel: impl AsRef<Path>) -> Option<PathBuf> {
        self.config_dir.as_ref().map(|d| d.join(rel))
    }
}
