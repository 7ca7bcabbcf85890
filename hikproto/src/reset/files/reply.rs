//! Support's answer to an exported key file: the reply file, or an 8-character key.
//!
//! Facts (sadp-reset-hikconnect.md §2.3–2.4): support returns `Encrypt.xml` or
//! `Encrypt_<short serial>_<suffix>.xml` (e.g. `Encrypt_681619114_o2.xml` for a device whose
//! serial ends in `681619114`); the SDK reads the file and places its content in the `Code`
//! element of the SADP `reset` command. For the QR variant support answers with a key of 8
//! letters or digits.
//!
//! The reply's format is not public, so it is treated as opaque text: taken verbatim, with a
//! UTF-8 byte-order mark and trailing white space removed (inferred). Checks made before it is
//! used: it is not another kind of file (the export itself, a GUID file, a sidecar), it does
//! not name another device (in its file name, or in a serial element if it is XML), and it
//! answers the latest export of this device within its validity.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::atomic::read_bounded;
use super::key_export::KeyExport;
use super::sidecar::{Sidecar, check_device};
use super::time::unix_secs;
use super::{FileError, FileKind};
use crate::keys::Secret;
use crate::xml::Element;

/// Largest reply file accepted.
pub const MAX_REPLY: u64 = 64 * 1024;
/// Allowed clock difference when comparing the reply's time with the export's.
const CLOCK_SLACK: Duration = Duration::from_secs(120);

/// A support reply file, validated, ready to be sent as the SADP `Code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportReply {
    /// Where it was read from.
    pub path: PathBuf,
    /// The short serial in the file name (`Encrypt_<serial>_….xml`), when there is one.
    pub name_serial: Option<String>,
    /// A serial found inside the content (when it is XML with a serial element).
    pub content_serial: Option<String>,
    code: Secret,
}

impl SupportReply {
    /// Reads and checks a reply file.
    ///
    /// * `export`: the key file it answers, when hikproto wrote it (enables the staleness,
    ///   "answers an earlier export" and "this is the export itself" checks);
    /// * `device_serial`: the serial (full or short) of the device it will be imported into;
    ///   defaults to the export's serial.
    pub fn load(
        path: &Path,
        export: Option<&KeyExport>,
        device_serial: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, FileError> {
        let bytes = read_bounded(path, MAX_REPLY)?;
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if let Some(sc) = Sidecar::load(path)? {
            sc.expect_kind(path, FileKind::SupportReply)?;
        }
        Self::from_bytes(path, &bytes, modified, export, device_serial, now)
    }

    /// Checks reply content already in memory; `path` names it (its file name is inspected)
    /// and `modified` is when it was saved, if known.
    pub fn from_bytes(
        path: &Path,
        bytes: &[u8],
        modified: Option<SystemTime>,
        export: Option<&KeyExport>,
        device_serial: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, FileError> {
        let wrong = |found| FileError::WrongKind {
            path: path.to_owned(),
            expected: FileKind::SupportReply,
            found,
        };
        if Sidecar::parse(bytes).is_some() {
            return Err(wrong(FileKind::Sidecar));
        }
        if bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
            if matches!(bytes.len(), 128 | 512) {
                return Err(wrong(FileKind::GuidFile));
            }
            return Err(FileError::Malformed {
                path: path.to_owned(),
                kind: FileKind::SupportReply,
                reason: "binary content; a reply file is text".into(),
            });
        }
        if let Some(ex) = export {
            if ex.sidecar.verify(path, bytes).is_ok() {
                return Err(wrong(FileKind::KeyExport));
            }
        }
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_start_matches('\u{feff}').trim_end();
        if text.trim().is_empty() {
            return Err(FileError::Empty {
                path: path.to_owned(),
            });
        }

        let name_serial = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(serial_in_name);
        let content_serial = serial_in_content(text);
        let device = device_serial.or_else(|| export.and_then(|e| e.sidecar.serial.as_deref()));
        if let Some(ex) = export {
            check_device(&ex.path, ex.sidecar.short_serial.as_deref(), device)?;
        }
        check_device(path, name_serial.as_deref(), device)?;
        check_device(path, content_serial.as_deref(), device)?;

        if let Some(ex) = export {
            ex.check(now, None)?;
            if let Some(m) = modified {
                if unix_secs(m) + CLOCK_SLACK.as_secs() < ex.sidecar.created_at {
                    return Err(FileError::Superseded {
                        path: path.to_owned(),
                    });
                }
            }
        }
        Ok(Self {
            path: path.to_owned(),
            name_serial,
            content_serial,
            code: Secret::new(text),
        })
    }

    /// The content to send as the SADP `Code`.
    pub fn code(&self) -> &Secret {
        &self.code
    }
}

/// `Encrypt_<9 letters/digits>_….xml` (any case) → the 9 characters.
///
/// The pattern is \[inferred\] from one sample (sadp-reset-hikconnect.md §2.3), so a name that
/// does not follow it is accepted as it is; only a name that follows it and names another device
/// is refused.
fn serial_in_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix("encrypt_")?;
    let candidate = &name[name.len() - rest.len()..];
    let serial = candidate.split(['_', '.']).next()?;
    (serial.len() == 9 && serial.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| serial.to_ascii_uppercase())
}

/// A serial element inside XML content (`DeviceSN`, `serialNumber`, `SerialNo`, `SN`) → its
/// last 9 characters.
fn serial_in_content(text: &str) -> Option<String> {
    if !text.trim_start().starts_with('<') {
        return None;
    }
    let el = Element::parse(text.as_bytes()).ok()?;
    let found = ["DeviceSN", "serialNumber", "SerialNo", "serialNo", "SN"]
        .iter()
        .find_map(|n| crate::isapi::security::find(&el, n))?;
    crate::hikconnect::ShortSerial::from_full_serial(&found.text)
        .ok()
        .map(|s| s.as_str().to_owned())
}

/// The 8-character key support gives for the QR variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportKey(Secret);

impl SupportKey {
    /// Parses a key: exactly 8 ASCII letters or digits (surrounding spaces ignored).
    pub fn parse(s: &str) -> crate::Result<Self> {
        let s = s.trim();
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(crate::Error::invalid(
                "a support key is 8 letters or digits",
            ));
        }
        Ok(Self(Secret::new(s)))
    }

    /// The key, to send as the SADP `Code`.
    pub fn code(&self) -> &Secret {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reset::files::time::from_unix;

    const SERIAL: &str = "DS-2CD2622FWD-IZS20180312BBWR681619114";

    fn t(h: u64) -> SystemTime {
        from_unix(1_700_000_000 + h * 3600)
    }

    #[test]
    fn file_names() {
        let cases = [
            ("Encrypt_681619114_o2.xml", Some("681619114")),
            ("encrypt_e33842150_x.XML", Some("E33842150")),
            ("Encrypt_681619114.xml", Some("681619114")),
            ("Encrypt.xml", None),
            ("Encrypt_12345_o2.xml", None),
            ("reply.xml", None),
        ];
        for (name, want) in cases {
            assert_eq!(serial_in_name(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn accepted_replies() {
        let dir = tempfile::tempdir().unwrap();
        let export = KeyExport::write(
            &dir.path().join("DeviceKey.xml"),
            "EXPORTED",
            SERIAL,
            None,
            None,
            t(0),
        )
        .unwrap();
        let named = dir.path().join("Encrypt_681619114_o2.xml");
        std::fs::write(&named, "\u{feff}REPLY-CONTENT-1\r\n").unwrap();
        let r = SupportReply::from_bytes(
            &named,
            &std::fs::read(&named).unwrap(),
            Some(t(2)),
            Some(&export),
            None,
            t(3),
        )
        .unwrap();
        assert_eq!(r.code().expose(), "REPLY-CONTENT-1");
        assert_eq!(r.name_serial.as_deref(), Some("681619114"));
        assert!(!format!("{r:?}").contains("REPLY-CONTENT"));

        // plain Encrypt.xml, read from disk, no export record, XML content naming the device
        let plain = dir.path().join("Encrypt.xml");
        std::fs::write(&plain, "<Reply><DeviceSN>DS-2CD2622FWD-IZS20180312BBWR681619114</DeviceSN><Code>abc</Code></Reply>").unwrap();
        let r = SupportReply::load(&plain, None, Some("681619114"), t(1)).unwrap();
        assert_eq!(r.content_serial.as_deref(), Some("681619114"));
        assert!(r.code().expose().starts_with("<Reply>"));
    }

    #[test]
    fn refusal_table() {
        let dir = tempfile::tempdir().unwrap();
        let export_path = dir.path().join("DeviceKey.xml");
        let export = KeyExport::write(&export_path, "EXPORTED", SERIAL, None, None, t(0)).unwrap();
        let p = |n: &str| dir.path().join(n);
        let guid = vec![0u8; 128];
        let sidecar_json = std::fs::read(crate::reset::files::sidecar_path(&export_path)).unwrap();
        type Check = fn(&FileError) -> bool;
        type Row<'a> = (
            PathBuf,
            Vec<u8>,
            Option<SystemTime>,
            SystemTime,
            Option<&'a str>,
            Check,
        );
        let cases: Vec<Row<'_>> = vec![
            (
                p("Encrypt_733050127_o2.xml"),
                b"R".to_vec(),
                Some(t(1)),
                t(1),
                None,
                |e| matches!(e, FileError::OtherDevice { .. }),
            ),
            (
                p("Encrypt.xml"),
                b"<R><DeviceSN>DS-X20180312BBWR733050127</DeviceSN></R>".to_vec(),
                None,
                t(1),
                None,
                |e| matches!(e, FileError::OtherDevice { .. }),
            ),
            (
                p("Encrypt.xml"),
                b"R".to_vec(),
                Some(t(1)),
                t(1),
                Some("DS-X20180312BBWR733050127"),
                |e| matches!(e, FileError::OtherDevice { .. }),
            ),
            (
                p("Encrypt.xml"),
                b"R".to_vec(),
                Some(t(1)),
                t(50),
                None,
                |e| matches!(e, FileError::Stale { .. }),
            ),
            (
                p("Encrypt.xml"),
                b"R".to_vec(),
                Some(from_unix(1_699_990_000)),
                t(1),
                None,
                |e| matches!(e, FileError::Superseded { .. }),
            ),
            (
                p("Encrypt.xml"),
                b"EXPORTED".to_vec(),
                None,
                t(1),
                None,
                |e| {
                    matches!(
                        e,
                        FileError::WrongKind {
                            found: FileKind::KeyExport,
                            ..
                        }
                    )
                },
            ),
            (p("Encrypt.xml"), guid, None, t(1), None, |e| {
                matches!(
                    e,
                    FileError::WrongKind {
                        found: FileKind::GuidFile,
                        ..
                    }
                )
            }),
            (
                p("Encrypt.xml"),
                vec![0xff, 0xfe, 0x00, 0x41],
                None,
                t(1),
                None,
                |e| matches!(e, FileError::Malformed { .. }),
            ),
            (p("Encrypt.xml"), sidecar_json, None, t(1), None, |e| {
                matches!(
                    e,
                    FileError::WrongKind {
                        found: FileKind::Sidecar,
                        ..
                    }
                )
            }),
            (
                p("Encrypt.xml"),
                b" \r\n\t".to_vec(),
                None,
                t(1),
                None,
                |e| matches!(e, FileError::Empty { .. }),
            ),
        ];
        for (i, (path, bytes, modified, now, device, check)) in cases.into_iter().enumerate() {
            let err = SupportReply::from_bytes(&path, &bytes, modified, Some(&export), device, now)
                .expect_err(&format!("case {i}"));
            assert!(check(&err), "case {i} {}: {err:?}", path.display());
        }
        // the export file itself, picked from disk: its sidecar says what it is
        assert!(matches!(
            SupportReply::load(&export_path, None, None, t(1)),
            Err(FileError::WrongKind {
                found: FileKind::KeyExport,
                ..
            })
        ));
        let big = p("Encrypt_big.xml");
        std::fs::write(&big, vec![b'a'; MAX_REPLY as usize + 1]).unwrap();
        assert!(matches!(
            SupportReply::load(&big, None, None, t(1)),
            Err(FileError::TooLarge { .. })
        ));
    }

    #[test]
    fn support_keys() {
        assert_eq!(
            SupportKey::parse(" Ab3dE6g8 ").unwrap().code().expose(),
            "Ab3dE6g8"
        );
        for bad in ["", "1234567", "123456789", "1234-678", "12345 78"] {
            assert!(SupportKey::parse(bad).is_err(), "{bad:?}");
        }
    }
}
