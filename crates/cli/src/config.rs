//! Layered configuration: built-in defaults, then `carebridge.toml`, then `CAREBRIDGE_*`
//! variables and flags (clap reads those). The database URL may carry a password, so it is
//! redacted in every message.

use anyhow::Context;
use carebridge_server::ServerConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// What `carebridge.toml` may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub token_ttl_hours: Option<i64>,
    pub public_url: Option<String>,
    pub body_limit: Option<u64>,
    /// Occupancy above physical beds × this percentage is refused: 100 to 1000, default 150 (corridor
    /// beds of a surge are a fraction of the physical beds, a typo is multiples; see
    /// `carebridge_domain::capacity::SurgeFactor`).
    pub surge_factor_percent: Option<u32>,
}

/// The surge factor the file sets, else the default.
pub fn surge_factor(file: &FileConfig) -> anyhow::Result<carebridge_domain::capacity::SurgeFactor> {
    match file.surge_factor_percent {
        Some(p) => carebridge_domain::capacity::SurgeFactor::from_percent(p).map_err(anyhow::Error::msg),
        None => Ok(carebridge_domain::capacity::SurgeFactor::DEFAULT),
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

pub fn default_database_url() -> String {
    "sqlite://carebridge-data/carebridge.sqlite".to_string()
}

/// The server's HTTP settings: flags and variables first, then the file, then the defaults.
pub fn server_config(listen: String, http: crate::args::HttpArgs, file: &FileConfig) -> anyhow::Result<ServerConfig> {
    let mut config = ServerConfig::new(listen);
    config.public_url = http.public_url.or_else(|| file.public_url.clone());
    if let Some(url) = &config.public_url {
        carebridge_server::startup::normalise_public_url(url).map_err(anyhow::Error::msg)?;
    }
    if let Some(limit) = http.body_limit.or(file.body_limit) {
        anyhow::ensure!((1024..=268_435_456).contains(&limit), "body_limit must be between 1024 and 268435456 bytes");
        config.body_limit = usize::try_from(limit).context("body_limit does not fit this machine")?;
    }
    Ok(config)
}

/// Read the config file named, or `./carebridge.toml` if it exists.
pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("carebridge.toml"), false),
    };
    if !path.exists() {
        if required {
            anyhow::bail!("config file {} does not exist", path.display());
        }
        return Ok(FileConfig::default());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The database URL: flag or variable, else the file, else the default embedded file.
pub fn database_url(flag: Option<String>, file: &FileConfig) -> String {
    flag.or_else(|| file.database_url.clone()).unwrap_or_else(default_database_url)
}

/// Make sure a SQLite file's directory exists.
pub fn prepare_sqlite_dir(url: &str) -> anyhow::Result<()> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    Ok(())
}
