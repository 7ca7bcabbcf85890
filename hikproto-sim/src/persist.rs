//! The state file: the site's device configurations written atomically (temporary file in the
//! same directory, `fsync`, rename, `fsync` of the directory), so a crash leaves either the old
//! or the new file, never a torn one. The file holds device passwords: it is created `0600`.

use std::io::Write as _;
use std::path::Path;

use crate::config::SiteConfig;
use crate::error::{Result, SimError};

/// Writes `cfg` to `path` atomically.
pub(crate) fn save(path: &Path, cfg: &SiteConfig) -> Result<()> {
    let err = |reason: String| SimError::State {
        path: path.to_owned(),
        reason,
    };
    let text = serde_json::to_string_pretty(cfg).map_err(|e| err(e.to_string()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| err(e.to_string()))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| err(e.to_string()))?;
    tmp.as_file().sync_all().map_err(|e| err(e.to_string()))?;
    tmp.persist(path).map_err(|e| err(e.error.to_string()))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads a state file, or `None` when there is none yet.
pub(crate) fn load(path: &Path) -> Result<Option<SiteConfig>> {
    match std::fs::read_to_string(path) {
        Ok(text) => SiteConfig::from_json(&text)
            .map(Some)
            .map_err(|e| SimError::State {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SimError::State {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.json");
        assert!(load(&path).unwrap().is_none());
        let mut cfg = SiteConfig::activated_cameras(2, "Passw0rd!x");
        cfg.normalise().unwrap();
        save(&path, &cfg).unwrap();
        save(&path, &cfg).unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.devices.len(), 2);
        assert_eq!(back.devices[1].serial, cfg.devices[1].serial);
        assert_eq!(back.devices[0].users[0].password.expose(), "Passw0rd!x");
        // Only the state file is left behind: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::write(&path, "{ torn").unwrap();
        assert!(load(&path).is_err());
    }
}
