//! The exported key file ("encrypted string", SADP `getencryptstring`) that goes to support.
//!
//! Facts (sadp-reset-hikconnect.md §2.3): the device returns a string of up to 256 characters
//! (protocol 3.0) or 1024 (3.1); the vendor's demo writes it verbatim to a file; the export is
//! valid for 24 or 48 hours depending on the device; a new export invalidates earlier replies;
//! the device must not reboot between export and import. hikproto writes the string verbatim
//! and records the serial, the time and the device's `BootTime` in the sidecar so that all of
//! this can be checked later ([`KeyExport::check`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::atomic::{read_bounded, write_atomic};
use super::sidecar::Sidecar;
use super::time::{compact, from_unix, unix_secs};
use super::{FileError, FileKind};
use crate::hikconnect::ShortSerial;

/// Longest encrypted string (protocol 3.1).
pub const MAX_ENCRYPTED_STRING: usize = 1024;
/// After this long some devices have discarded the export.
pub const VALIDITY_SHORT: Duration = Duration::from_secs(24 * 3600);
/// After this long every device has discarded the export.
pub const VALIDITY_LONG: Duration = Duration::from_secs(48 * 3600);

/// An exported key file and its sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyExport {
    /// Where the key file is.
    pub path: PathBuf,
    /// What was recorded beside it.
    pub sidecar: Sidecar,
}

/// The result of [`KeyExport::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportCheck {
    /// Time since the export.
    pub age: Duration,
    /// True after 24 hours: devices with the shorter validity have discarded it.
    pub may_have_expired: bool,
    /// The latest moment any device still accepts a reply (export + 48 h).
    pub valid_until_latest: SystemTime,
    /// What to tell the user.
    pub warnings: Vec<String>,
}

impl KeyExport {
    /// A file name in the vendor's style: `DeviceKey_<short serial>_<UTC time>.xml`.
    pub fn suggested_file_name(serial: &str, now: SystemTime) -> String {
        match ShortSerial::from_full_serial(serial) {
            Ok(s) => format!("DeviceKey_{s}_{}.xml", compact(now)),
            Err(_) => format!("DeviceKey_{}.xml", compact(now)),
        }
    }

    /// Writes `encrypted_string` verbatim to exactly `path`, and the sidecar beside it.
    ///
    /// `serial` is the device's full serial (from SADP `DeviceSN`); `boot_time` its SADP
    /// `BootTime`, which lets a later check notice a reboot.
    pub fn write(
        path: &Path,
        encrypted_string: &str,
        serial: &str,
        boot_time: Option<&str>,
        mac: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, FileError> {
        let malformed = |reason: &str| FileError::Malformed {
            path: path.to_owned(),
            kind: FileKind::KeyExport,
            reason: reason.to_owned(),
        };
        if encrypted_string.trim().is_empty() {
            return Err(malformed(
                "the device returned an empty encrypted string (SADP error 2022)",
            ));
        }
        if encrypted_string.len() > MAX_ENCRYPTED_STRING {
            return Err(FileError::TooLarge {
                path: path.to_owned(),
                limit: MAX_ENCRYPTED_STRING as u64,
            });
        }
        if encrypted_string
            .chars()
            .any(|c| c.is_control() && !c.is_whitespace())
        {
            return Err(malformed(
                "the encrypted string contains control characters",
            ));
        }
        if ShortSerial::from_full_serial(serial).is_err() {
            return Err(malformed("the device serial is not valid"));
        }
        let bytes = encrypted_string.as_bytes();
        let mut sidecar = Sidecar::new(FileKind::KeyExport, bytes, Some(serial), now);
        sidecar.source = Some("sadp".into());
        sidecar.boot_time = boot_time.map(str::to_owned);
        sidecar.mac = mac.map(str::to_owned);
        write_atomic(path, bytes)?;
        sidecar.write(path)?;
        Ok(Self {
            path: path.to_owned(),
            sidecar,
        })
    }

    /// Reads a key file hikproto wrote, with its sidecar (required: it holds the serial and the
    /// export time), and checks that the file is unchanged.
    pub fn load(path: &Path) -> Result<Self, FileError> {
        let bytes = read_bounded(path, MAX_ENCRYPTED_STRING as u64)?;
        let sidecar = Sidecar::load(path)?.ok_or_else(|| FileError::Malformed {
            path: path.to_owned(),
            kind: FileKind::KeyExport,
            reason: "no hikproto sidecar beside it, so its device and export time are unknown"
                .into(),
        })?;
        sidecar.expect_kind(path, FileKind::KeyExport)?;
        sidecar.verify(path, &bytes)?;
        Ok(Self {
            path: path.to_owned(),
            sidecar,
        })
    }

    /// When the export was made.
    pub fn exported_at(&self) -> SystemTime {
        from_unix(self.sidecar.created_at)
    }

    /// Checks the export is still usable at `now`: not older than 48 hours
    /// ([`FileError::Stale`]) and, when the device's current SADP `BootTime` is given, not
    /// followed by a reboot ([`FileError::DeviceRebooted`]). Warns after 24 hours.
    pub fn check(
        &self,
        now: SystemTime,
        current_boot_time: Option<&str>,
    ) -> Result<ExportCheck, FileError> {
        let age = Duration::from_secs(unix_secs(now).saturating_sub(self.sidecar.created_at));
        if age > VALIDITY_LONG {
            return Err(FileError::Stale {
                path: self.path.clone(),
                age,
                limit: VALIDITY_LONG,
            });
        }
        if let (Some(then), Some(current)) = (self.sidecar.boot_time.as_deref(), current_boot_time)
        {
            if then.trim() != current.trim() {
                return Err(FileError::DeviceRebooted {
                    path: self.path.clone(),
                });
            }
        }
        let may_have_expired = age > VALIDITY_SHORT;
        let mut warnings =
            vec!["do not reboot the device until the reply has been imported".to_owned()];
        if may_have_expired {
            warnings.push("the export is older than 24 hours; devices with a 24-hour validity have discarded it".into());
        }
        if self.sidecar.boot_time.is_none() {
            warnings.push(
                "the boot time was not recorded at export, so a reboot cannot be detected".into(),
            );
        }
        Ok(ExportCheck {
            age,
            may_have_expired,
            valid_until_latest: self.exported_at() + VALIDITY_LONG,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reset::files::sidecar_path;

    const SERIAL: &str = "DS-2CD2622FWD-IZS20180312BBWR681619114";

    fn t(h: u64) -> SystemTime {
        from_unix(1_700_000_000 + h * 3600)
    }

    #[test]
    fn written_verbatim_with_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir
            .path()
            .join(KeyExport::suggested_file_name(SERIAL, t(0)));
        assert!(p.ends_with("DeviceKey_681619114_20231114221320.xml"));
        let text = "  QkFTRTY0…string with spaces\r\n";
        let ex = KeyExport::write(
            &p,
            text,
            SERIAL,
            Some("2023-11-01 08:00:00"),
            Some("58-50-ed-1f-e3-85"),
            t(0),
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
        assert!(sidecar_path(&p).exists());
        let back = KeyExport::load(&p).unwrap();
        assert_eq!(back, ex);
        assert_eq!(back.sidecar.short_serial.as_deref(), Some("681619114"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn freshness_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.xml");
        let ex =
            KeyExport::write(&p, "abc", SERIAL, Some("2023-11-01 08:00:00"), None, t(0)).unwrap();
        let c = ex.check(t(1), Some("2023-11-01 08:00:00")).unwrap();
        assert!(!c.may_have_expired);
        assert_eq!(c.age, Duration::from_secs(3600));
        assert_eq!(c.valid_until_latest, t(48));
        let c = ex.check(t(30), None).unwrap();
        assert!(c.may_have_expired);
        assert!(c.warnings.iter().any(|w| w.contains("24 hours")));
        assert!(matches!(
            ex.check(t(49), None),
            Err(FileError::Stale { .. })
        ));
        assert!(matches!(
            ex.check(t(2), Some("2023-11-15 09:00:00")),
            Err(FileError::DeviceRebooted { .. })
        ));
        // a clock before the export counts as age 0
        assert_eq!(
            ex.check(from_unix(1_600_000_000), None).unwrap().age,
            Duration::ZERO
        );
    }

    #[test]
    fn refusals_are_typed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.xml");
        assert!(matches!(
            KeyExport::write(&p, "  ", SERIAL, None, None, t(0)),
            Err(FileError::Malformed { .. })
        ));
        let long = "a".repeat(MAX_ENCRYPTED_STRING + 1);
        assert!(matches!(
            KeyExport::write(&p, &long, SERIAL, None, None, t(0)),
            Err(FileError::TooLarge { .. })
        ));
        assert!(matches!(
            KeyExport::write(&p, "a\0b", SERIAL, None, None, t(0)),
            Err(FileError::Malformed { .. })
        ));
        assert!(matches!(
            KeyExport::write(&p, "abc", "short", None, None, t(0)),
            Err(FileError::Malformed { .. })
        ));
        assert!(!p.exists(), "nothing is written when validation fails");

        KeyExport::write(&p, "abc", SERIAL, None, None, t(0)).unwrap();
        std::fs::write(&p, "abd").unwrap();
        assert!(matches!(
            KeyExport::load(&p),
            Err(FileError::Modified { .. })
        ));
        std::fs::remove_file(sidecar_path(&p)).unwrap();
        assert!(matches!(
            KeyExport::load(&p),
            Err(FileError::Malformed { .. })
        ));
    }
}
