//! The sidecar JSON hikproto keeps beside each reset file it writes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::{read_bounded, write_atomic};
use super::time::{rfc3339, unix_secs};
use super::{FileError, FileKind};
use crate::hikconnect::ShortSerial;

/// The `format` value that marks a hikproto sidecar.
pub const FORMAT: &str = "hikproto-reset-sidecar";
/// Largest sidecar read.
const MAX_SIDECAR: u64 = 64 * 1024;

/// The sidecar of `path`: `path` with `.hikproto.json` appended.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".hikproto.json");
    PathBuf::from(s)
}

/// What hikproto records beside a reset file. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sidecar {
    /// Always [`FORMAT`].
    pub format: String,
    /// Layout version (1).
    pub version: u32,
    /// What the file is.
    pub kind: FileKind,
    /// The device's full serial, when known.
    #[serde(default)]
    pub serial: Option<String>,
    /// The device's 9-character short serial, when known.
    #[serde(default)]
    pub short_serial: Option<String>,
    /// When the file was written (Unix seconds).
    pub created_at: u64,
    /// The same, readable (UTC).
    #[serde(default)]
    pub created: String,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// Where the content came from (`isapi`, `sadp`, `sadp-3.1`).
    #[serde(default)]
    pub source: Option<String>,
    /// The device's SADP `BootTime` at export (a change means it rebooted).
    #[serde(default)]
    pub boot_time: Option<String>,
    /// The device's MAC address.
    #[serde(default)]
    pub mac: Option<String>,
    /// QR payloads: the reserved address the code goes to (as the device showed it).
    #[serde(default)]
    pub mailbox: Option<String>,
    /// QR payloads: the vendor address to mail the QR code to.
    #[serde(default)]
    pub service_mailbox: Option<String>,
    /// QR payloads: the platform domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// QR payloads: the model.
    #[serde(default)]
    pub model: Option<String>,
}

impl Sidecar {
    /// A sidecar for `bytes` of `kind`, written at `now`.
    pub fn new(kind: FileKind, bytes: &[u8], serial: Option<&str>, now: SystemTime) -> Self {
        let created_at = unix_secs(now);
        Self {
            format: FORMAT.into(),
            version: 1,
            kind,
            serial: serial
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            short_serial: serial
                .and_then(|s| ShortSerial::from_full_serial(s).ok())
                .map(|s| s.as_str().to_owned()),
            created_at,
            created: rfc3339(created_at),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
            source: None,
            boot_time: None,
            mac: None,
            mailbox: None,
            service_mailbox: None,
            domain: None,
            model: None,
        }
    }

    /// Writes the sidecar of `file` (atomically).
    pub fn write(&self, file: &Path) -> Result<(), FileError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| FileError::Malformed {
            path: sidecar_path(file),
            kind: FileKind::Sidecar,
            reason: e.to_string(),
        })?;
        write_atomic(&sidecar_path(file), &json)
    }

    /// Reads the sidecar of `file`; `Ok(None)` when there is none.
    pub fn load(file: &Path) -> Result<Option<Self>, FileError> {
        let path = sidecar_path(file);
        if !path.exists() {
            return Ok(None);
        }
        let bytes = read_bounded(&path, MAX_SIDECAR)?;
        Self::parse(&bytes)
            .map(Some)
            .ok_or_else(|| FileError::Malformed {
                path,
                kind: FileKind::Sidecar,
                reason: "not a hikproto sidecar".into(),
            })
    }

    /// Parses sidecar bytes; `None` unless they are a hikproto sidecar.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|s| s.format == FORMAT)
    }

    /// Fails with [`FileError::Modified`] unless `bytes` are the file this sidecar describes.
    pub fn verify(&self, file: &Path, bytes: &[u8]) -> Result<(), FileError> {
        if self.size != bytes.len() as u64
            || !self
                .sha256
                .eq_ignore_ascii_case(&hex::encode(Sha256::digest(bytes)))
        {
            return Err(FileError::Modified {
                path: file.to_owned(),
            });
        }
        Ok(())
    }

    /// Fails with [`FileError::WrongKind`] unless the sidecar says `expected`.
    pub fn expect_kind(&self, file: &Path, expected: FileKind) -> Result<(), FileError> {
        if self.kind != expected {
            return Err(FileError::WrongKind {
                path: file.to_owned(),
                expected,
                found: self.kind,
            });
        }
        Ok(())
    }

    /// Fails with [`FileError::OtherDevice`] when both serials are known and differ.
    pub fn expect_device(&self, file: &Path, serial: Option<&str>) -> Result<(), FileError> {
        check_device(file, self.short_serial.as_deref(), serial)
    }
}

/// Fails with [`FileError::OtherDevice`] when the file's short serial and the device's serial
/// (full or short) are both known and differ.
pub(crate) fn check_device(
    file: &Path,
    file_short: Option<&str>,
    device_serial: Option<&str>,
) -> Result<(), FileError> {
    let (Some(found), Some(device)) = (file_short, device_serial) else {
        return Ok(());
    };
    let Ok(expected) = ShortSerial::from_full_serial(device) else {
        return Ok(());
    };
    if !expected.as_str().eq_ignore_ascii_case(found) {
        return Err(FileError::OtherDevice {
            path: file.to_owned(),
            expected: expected.as_str().to_owned(),
            found: found.to_ascii_uppercase(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_checks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("DeviceKey.xml");
        assert_eq!(
            sidecar_path(&file),
            dir.path().join("DeviceKey.xml.hikproto.json")
        );
        assert_eq!(Sidecar::load(&file).unwrap(), None);
        let now = super::super::time::from_unix(1_700_000_000);
        let sc = Sidecar::new(
            FileKind::KeyExport,
            b"content",
            Some("DS-2CD2622FWD-IZS20180312BBWR681619114"),
            now,
        );
        assert_eq!(sc.short_serial.as_deref(), Some("681619114"));
        assert_eq!(sc.created, "2023-11-14T22:13:20Z");
        sc.write(&file).unwrap();
        let back = Sidecar::load(&file).unwrap().unwrap();
        assert_eq!(back, sc);
        back.verify(&file, b"content").unwrap();
        assert!(matches!(
            back.verify(&file, b"c0ntent"),
            Err(FileError::Modified { .. })
        ));
        back.expect_kind(&file, FileKind::KeyExport).unwrap();
        assert!(matches!(
            back.expect_kind(&file, FileKind::GuidFile),
            Err(FileError::WrongKind {
                expected: FileKind::GuidFile,
                found: FileKind::KeyExport,
                ..
            })
        ));
        back.expect_device(&file, Some("681619114")).unwrap();
        back.expect_device(&file, None).unwrap();
        let err = back
            .expect_device(&file, Some("DS-X20180312BBWR733050127"))
            .unwrap_err();
        assert!(
            matches!(&err, FileError::OtherDevice { expected, found, .. } if expected == "733050127" && found == "681619114")
        );
        assert!(err.to_string().contains("733050127"));

        std::fs::write(sidecar_path(&file), b"{\"format\":\"other\"}").unwrap();
        assert!(matches!(
            Sidecar::load(&file),
            Err(FileError::Malformed { .. })
        ));
    }
}
