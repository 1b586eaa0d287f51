//! Configuration, in order of precedence: command-line flags, then
//! `MUBIAO_*` environment variables (both handled by clap), then an optional
//! `mubiao.toml`, then defaults.

use std::path::Path;

use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://mubiao.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "mubiao.toml";

/// The optional `mubiao.toml`. Every key is optional.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    /// IANA name, e.g. `Asia/Shanghai`.
    pub time_zone: Option<String>,
    /// Month (1–12) the fiscal year starts in.
    pub fiscal_year_start: Option<u8>,
    pub secure_cookies: Option<bool>,
    pub max_upload_mb: Option<usize>,
}

impl FileConfig {
    /// Reads the file if it exists. A file that exists but does not parse
    /// is an error: silently ignoring a typo would run with wrong settings.
    pub fn load(path: &Path, required: bool) -> Result<FileConfig, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(FileConfig::default())
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

/// Picks the first value present: flag/env, then file, then default.
pub fn pick<T>(flag: Option<T>, file: Option<T>, default: T) -> T {
    flag.or(file).unwrap_or(default)
}

/// Parses a time zone name.
pub fn time_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.parse()
        .map_err(|_| format!("unknown time zone \"{name}\" (expected e.g. Asia/Shanghai)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        assert_eq!(pick(Some(1), Some(2), 3), 1);
        assert_eq!(pick(None, Some(2), 3), 2);
        assert_eq!(pick(None, None, 3), 3);
    }

    #[test]
    fn file_keys_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("mubiao.toml");
        std::fs::write(
            &p,
            "listen = \"0.0.0.0:9000\"\ntime_zone = \"Asia/Shanghai\"\n",
        )
        .expect("write");
        let c = FileConfig::load(&p, false).expect("parses");
        assert_eq!(c.listen.as_deref(), Some("0.0.0.0:9000"));
        std::fs::write(&p, "lisen = \"x\"\n").expect("write");
        assert!(FileConfig::load(&p, false).is_err());
        assert_eq!(
            FileConfig::load(&dir.path().join("none.toml"), false),
            Ok(FileConfig::default())
        );
        assert!(FileConfig::load(&dir.path().join("none.toml"), true).is_err());
    }

    #[test]
    fn time_zones_by_name() {
        assert!(time_zone("Asia/Shanghai").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
    }
}
