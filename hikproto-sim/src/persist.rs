//! The state file: the site's device configurations written atomically (temporary file in the
//! same directory, `fsync`, rename, `fsync` of the directory), so a crash leaves either the old
//! or the new file, never a torn one. The file holds device passwords: it is created `0600`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use crate::config::SiteConfig;
use crate::error::{Result, SimError};
use crate::state::DeviceShared;

/// Write-through persistence of a site: [`Persister::flush`] writes the state file when any
/// device changed. The HTTP layer flushes after every request that changed state and before
/// answering it, so an acknowledged change survives a crash (`kill -9`) right after the answer.
#[derive(Debug)]
pub(crate) struct Persister {
    path: PathBuf,
    base: SiteConfig,
    devices: Vec<Weak<DeviceShared>>,
    /// Serialises writers, so a flush that finds nothing dirty returns only after a concurrent
    /// write (which holds its change) is on disk.
    writing: Mutex<()>,
}

impl Persister {
    /// A persister for these devices; `base` provides the site-wide settings.
    pub(crate) fn new(path: PathBuf, base: SiteConfig, devices: &[Arc<DeviceShared>]) -> Self {
        Self {
            path,
            base,
            devices: devices.iter().map(Arc::downgrade).collect(),
            writing: Mutex::new(()),
        }
    }

    /// Writes the state file if any device changed since the last write.
    pub(crate) fn flush(&self) -> Result<()> {
        let _one_writer = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let devices: Vec<Arc<DeviceShared>> =
            self.devices.iter().filter_map(Weak::upgrade).collect();
        let mut any = false;
        for d in &devices {
            any |= d.take_dirty();
        }
        if !any {
            return Ok(());
        }
        let mut cfg = self.base.clone();
        cfg.devices = devices.iter().map(|d| d.snapshot()).collect();
        let r = save(&self.path, &cfg);
        if r.is_err() {
            // try again at the next flush
            for d in &devices {
                d.mark_dirty();
            }
        }
        r
    }
}

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
