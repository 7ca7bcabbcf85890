//! The GUID file: exported while the password is known, imported to reset.
//!
//! Facts (sadp-reset-hikconnect.md §2.6, isapi.md §8.3): the vendor's SADP demo writes exactly
//! 128 bytes (binary, despite the `.xml` name it uses); protocol 3.1 carries up to 512 bytes;
//! the ISAPI export answer *is* the file, of a size not documented. Whoever holds the file can
//! reset the device, so its bytes are zeroized when dropped, never printed, and written
//! owner-only.
//!
//! A file hikproto wrote has a sidecar (serial, time, source, hash), so any size the device
//! produced is accepted back and a file for another device is refused. A file without a
//! sidecar (made by another tool) must be 128 or 512 bytes.

use std::fmt;
use std::path::Path;
use std::time::SystemTime;

use serde::Serialize;
use zeroize::Zeroizing;

use super::atomic::{read_bounded, write_atomic};
use super::sidecar::Sidecar;
use super::{FileError, FileKind};
use crate::isapi::security::guid::MAX_EXPORT;

/// The size class of a GUID file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum GuidFormat {
    /// 128 bytes (SADP 3.0, the vendor demo's file).
    Bytes128,
    /// 512 bytes (SADP 3.1).
    Bytes512,
    /// Another size, as a device's ISAPI export gave it.
    Other(usize),
}

impl GuidFormat {
    fn of(len: usize) -> Self {
        match len {
            128 => Self::Bytes128,
            512 => Self::Bytes512,
            n => Self::Other(n),
        }
    }
}

/// A GUID file's bytes (zeroized on drop, never printed) and what is known about it.
#[derive(Clone, PartialEq, Eq)]
pub struct GuidFile {
    bytes: Zeroizing<Vec<u8>>,
    /// Its size class.
    pub format: GuidFormat,
    /// Where it came from: `isapi`, `sadp`, `sadp-3.1`, or `file` (read without a sidecar).
    pub source: String,
    /// The sidecar, when the file was written by hikproto.
    pub sidecar: Option<Sidecar>,
}

impl fmt::Debug for GuidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuidFile")
            .field("len", &self.bytes.len())
            .field("format", &self.format)
            .field("source", &self.source)
            .field("bytes", &"[redacted]")
            .finish()
    }
}

impl GuidFile {
    /// Wraps what a device exported. `source` names the interface (`isapi`, `sadp`,
    /// `sadp-3.1`). SADP exports must be at most 128 bytes (3.0) or 512 (3.1); ISAPI ones at most
    /// 4096. All-zero content is refused.
    pub fn from_export(bytes: Vec<u8>, source: &str) -> Result<Self, FileError> {
        let path = Path::new("<device export>");
        let max = match source {
            "sadp" => 128,
            "sadp-3.1" => 512,
            _ => MAX_EXPORT,
        };
        if bytes.is_empty() {
            return Err(FileError::Empty {
                path: path.to_owned(),
            });
        }
        if bytes.len() > max {
            return Err(FileError::TooLarge {
                path: path.to_owned(),
                limit: max as u64,
            });
        }
        check_not_blank(path, &bytes)?;
        Ok(Self {
            format: GuidFormat::of(bytes.len()),
            bytes: Zeroizing::new(bytes),
            source: source.to_owned(),
            sidecar: None,
        })
    }

    /// The bytes, to send back to the device.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when empty (never, for a validated file).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The full serial of the device it belongs to, when recorded.
    pub fn serial(&self) -> Option<&str> {
        self.sidecar.as_ref().and_then(|s| s.serial.as_deref())
    }

    /// Writes the file to exactly `path` (owner-only, atomically) and its sidecar beside it;
    /// `serial` is the device's full serial.
    pub fn save(
        &mut self,
        path: &Path,
        serial: Option<&str>,
        now: SystemTime,
    ) -> Result<(), FileError> {
        let mut sidecar = Sidecar::new(FileKind::GuidFile, &self.bytes, serial, now);
        sidecar.source = Some(self.source.clone());
        write_atomic(path, &self.bytes)?;
        sidecar.write(path)?;
        self.sidecar = Some(sidecar);
        Ok(())
    }

    /// Reads a GUID file and checks it: the right kind (not a reply, key file or sidecar),
    /// unchanged since hikproto wrote it, and for the device with `device_serial` (full or
    /// short) when both are known.
    pub fn load(path: &Path, device_serial: Option<&str>) -> Result<Self, FileError> {
        let bytes = Zeroizing::new(read_bounded(path, MAX_EXPORT as u64)?);
        if Sidecar::parse(&bytes).is_some() {
            return Err(FileError::WrongKind {
                path: path.to_owned(),
                expected: FileKind::GuidFile,
                found: FileKind::Sidecar,
            });
        }
        let sidecar = Sidecar::load(path)?;
        let source = match &sidecar {
            Some(sc) => {
                sc.expect_kind(path, FileKind::GuidFile)?;
                sc.verify(path, &bytes)?;
                sc.expect_device(path, device_serial)?;
                sc.source.clone().unwrap_or_else(|| "file".into())
            }
            None => {
                if !matches!(bytes.len(), 128 | 512) {
                    return Err(FileError::WrongSize {
                        path: path.to_owned(),
                        kind: FileKind::GuidFile,
                        expected: "128 or 512",
                        found: bytes.len() as u64,
                    });
                }
                "file".into()
            }
        };
        check_not_blank(path, &bytes)?;
        Ok(Self {
            format: GuidFormat::of(bytes.len()),
            bytes,
            source,
            sidecar,
        })
    }
}

fn check_not_blank(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    if bytes.iter().all(|&b| b == 0) {
        return Err(FileError::Malformed {
            path: path.to_owned(),
            kind: FileKind::GuidFile,
            reason: "only zero bytes".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reset::files::sidecar_path;
    use crate::reset::files::time::from_unix;

    const SERIAL: &str = "DS-7608NXI-I220230619CCRRJ12345678";

    fn guid(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn export_save_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        for (len, source, format) in [
            (128, "sadp", GuidFormat::Bytes128),
            (512, "sadp-3.1", GuidFormat::Bytes512),
            (300, "isapi", GuidFormat::Other(300)),
        ] {
            let p = dir.path().join(format!("DeviceGUID-{len}.bin"));
            let mut g = GuidFile::from_export(guid(len), source).unwrap();
            g.save(&p, Some(SERIAL), from_unix(1_700_000_000)).unwrap();
            assert_eq!(std::fs::read(&p).unwrap(), guid(len));
            let back = GuidFile::load(&p, Some("J12345678")).unwrap();
            assert_eq!(back.as_bytes(), &guid(len)[..]);
            assert_eq!(back.format, format);
            assert_eq!(back.source, source);
            assert_eq!(back.serial(), Some(SERIAL));
            let shown = format!("{back:?}");
            assert!(
                shown.contains("[redacted]") && !shown.contains("3, 10, 17"),
                "{shown}"
            );
        }
    }

    #[test]
    fn foreign_files_without_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("DeviceGUID.xml");
        std::fs::write(&p, guid(128)).unwrap();
        assert_eq!(GuidFile::load(&p, Some(SERIAL)).unwrap().source, "file");
        std::fs::write(&p, guid(512)).unwrap();
        assert_eq!(
            GuidFile::load(&p, None).unwrap().format,
            GuidFormat::Bytes512
        );
    }

    #[test]
    fn refusal_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.bin");
        let mut g = GuidFile::from_export(guid(128), "isapi").unwrap();
        g.save(&p, Some(SERIAL), from_unix(1_700_000_000)).unwrap();
        assert!(matches!(
            GuidFile::load(&p, Some("DS-X20180312BBWR733050127")),
            Err(FileError::OtherDevice { .. })
        ));
        std::fs::write(&p, guid(127)).unwrap();
        assert!(matches!(
            GuidFile::load(&p, None),
            Err(FileError::Modified { .. })
        ));
        assert!(matches!(
            GuidFile::load(&sidecar_path(&p), None),
            Err(FileError::WrongKind {
                found: FileKind::Sidecar,
                ..
            })
        ));

        let reply = dir.path().join("Encrypt.xml");
        std::fs::write(&reply, b"<reply>not a guid</reply>").unwrap();
        assert!(matches!(
            GuidFile::load(&reply, None),
            Err(FileError::WrongSize { found: 25, .. })
        ));
        let key = dir.path().join("DeviceKey.xml");
        crate::reset::files::KeyExport::write(
            &key,
            "EXPORTED",
            SERIAL,
            None,
            None,
            from_unix(1_700_000_000),
        )
        .unwrap();
        assert!(matches!(
            GuidFile::load(&key, None),
            Err(FileError::WrongKind {
                found: FileKind::KeyExport,
                ..
            })
        ));
        let zeros = dir.path().join("zeros.bin");
        std::fs::write(&zeros, [0u8; 128]).unwrap();
        assert!(matches!(
            GuidFile::load(&zeros, None),
            Err(FileError::Malformed { .. })
        ));
        let big = dir.path().join("big.bin");
        std::fs::write(&big, guid(MAX_EXPORT + 1)).unwrap();
        assert!(matches!(
            GuidFile::load(&big, None),
            Err(FileError::TooLarge { .. })
        ));

        assert!(matches!(
            GuidFile::from_export(vec![], "isapi"),
            Err(FileError::Empty { .. })
        ));
        assert!(matches!(
            GuidFile::from_export(guid(129), "sadp"),
            Err(FileError::TooLarge { .. })
        ));
        assert!(matches!(
            GuidFile::from_export(vec![0; 64], "isapi"),
            Err(FileError::Malformed { .. })
        ));
    }
}
