//! The QR payload files of the two code-based routes (reserved e-mail, Hik-Connect app).
//!
//! The vendor's demo saves the QR text as `MailQrCodes<yyyymmddhhmmssmmm>.xml` or
//! `PhoneQrCodes<…>.xml`. hikproto writes the text verbatim (so any QR tool can render it) and
//! keeps the route, the device serial, the time and the mailboxes in the sidecar. The mailed
//! code is valid 48 hours and a reboot or e-mail change invalidates it, so a payload older
//! than 48 hours is refused as stale (the same limit is assumed for the app route).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::atomic::{read_bounded, write_atomic};
use super::sidecar::Sidecar;
use super::time::{compact_millis, from_unix, unix_secs};
use super::{FileError, FileKind};
use crate::isapi::security::ResetQrPayload;
use crate::isapi::security::email::{MAX_QR_TEXT, QrKind};

/// How long a QR payload (and the code it leads to) stays usable.
pub const QR_VALIDITY: Duration = Duration::from_secs(48 * 3600);

fn kind_of(k: QrKind) -> FileKind {
    match k {
        QrKind::Email => FileKind::EmailQr,
        QrKind::HikConnectApp => FileKind::AppQr,
    }
}

/// A saved QR payload and its sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayloadFile {
    /// Where the payload is.
    pub path: PathBuf,
    /// The payload.
    pub payload: ResetQrPayload,
    /// What was recorded beside it.
    pub sidecar: Sidecar,
}

impl QrPayloadFile {
    /// The vendor demo's file name: `MailQrCodes<stamp>.xml` or `PhoneQrCodes<stamp>.xml`.
    pub fn suggested_file_name(kind: QrKind, now: SystemTime) -> String {
        let prefix = match kind {
            QrKind::Email => "MailQrCodes",
            QrKind::HikConnectApp => "PhoneQrCodes",
        };
        format!("{prefix}{}.xml", compact_millis(now))
    }

    /// Writes the QR text verbatim to exactly `path`, and the sidecar beside it.
    pub fn save(
        path: &Path,
        payload: &ResetQrPayload,
        serial: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, FileError> {
        if payload.qr_text.trim().is_empty() {
            return Err(FileError::Empty {
                path: path.to_owned(),
            });
        }
        let bytes = payload.qr_text.as_bytes();
        if bytes.len() > MAX_QR_TEXT {
            return Err(FileError::TooLarge {
                path: path.to_owned(),
                limit: MAX_QR_TEXT as u64,
            });
        }
        let mut sidecar = Sidecar::new(kind_of(payload.kind), bytes, serial, now);
        sidecar.source = Some("isapi".into());
        sidecar.mailbox.clone_from(&payload.mailbox);
        sidecar.service_mailbox.clone_from(&payload.service_mailbox);
        sidecar.domain.clone_from(&payload.domain);
        sidecar.model.clone_from(&payload.model);
        write_atomic(path, bytes)?;
        sidecar.write(path)?;
        Ok(Self {
            path: path.to_owned(),
            payload: payload.clone(),
            sidecar,
        })
    }

    /// Reads a payload hikproto saved and checks it: the `expected` route, unchanged, for the
    /// device with `device_serial` when both are known, and younger than 48 hours at `now`.
    pub fn load(
        path: &Path,
        expected: QrKind,
        device_serial: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, FileError> {
        let bytes = read_bounded(path, MAX_QR_TEXT as u64)?;
        if Sidecar::parse(&bytes).is_some() {
            return Err(FileError::WrongKind {
                path: path.to_owned(),
                expected: kind_of(expected),
                found: FileKind::Sidecar,
            });
        }
        let sidecar = Sidecar::load(path)?.ok_or_else(|| FileError::Malformed {
            path: path.to_owned(),
            kind: kind_of(expected),
            reason: "no hikproto sidecar beside it, so its route, device and time are unknown"
                .into(),
        })?;
        sidecar.expect_kind(path, kind_of(expected))?;
        sidecar.verify(path, &bytes)?;
        sidecar.expect_device(path, device_serial)?;
        let age = Duration::from_secs(unix_secs(now).saturating_sub(sidecar.created_at));
        if age > QR_VALIDITY {
            return Err(FileError::Stale {
                path: path.to_owned(),
                age,
                limit: QR_VALIDITY,
            });
        }
        let payload = ResetQrPayload {
            kind: expected,
            qr_text: String::from_utf8_lossy(&bytes).into_owned(),
            mailbox: sidecar.mailbox.clone(),
            service_mailbox: sidecar.service_mailbox.clone(),
            domain: sidecar.domain.clone(),
            model: sidecar.model.clone(),
        };
        Ok(Self {
            path: path.to_owned(),
            payload,
            sidecar,
        })
    }

    /// When the payload was saved.
    pub fn saved_at(&self) -> SystemTime {
        from_unix(self.sidecar.created_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIAL: &str = "DS-7608NXI-I220230619CCRRJ12345678";

    fn t(h: u64) -> SystemTime {
        from_unix(1_700_000_000 + h * 3600)
    }

    fn email() -> ResetQrPayload {
        ResetQrPayload {
            kind: QrKind::Email,
            qr_text: "HIKRESET:abc123==".into(),
            mailbox: Some("o***@example.com".into()),
            service_mailbox: Some("pw_recovery@hikvision.com".into()),
            domain: None,
            model: None,
        }
    }

    #[test]
    fn save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let name =
            QrPayloadFile::suggested_file_name(QrKind::Email, t(0) + Duration::from_millis(7));
        assert_eq!(name, "MailQrCodes20231114221320007.xml");
        assert!(
            QrPayloadFile::suggested_file_name(QrKind::HikConnectApp, t(0))
                .starts_with("PhoneQrCodes")
        );
        let p = dir.path().join(name);
        let saved = QrPayloadFile::save(&p, &email(), Some(SERIAL), t(0)).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "HIKRESET:abc123==");
        let back = QrPayloadFile::load(&p, QrKind::Email, Some("J12345678"), t(47)).unwrap();
        assert_eq!(back, saved);
        assert_eq!(back.saved_at(), t(0));
    }

    #[test]
    fn refusal_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("MailQrCodes.xml");
        QrPayloadFile::save(&p, &email(), Some(SERIAL), t(0)).unwrap();
        type Check = fn(&FileError) -> bool;
        let cases: Vec<(QrKind, Option<&str>, SystemTime, Check)> = vec![
            (QrKind::HikConnectApp, None, t(1), |e| {
                matches!(
                    e,
                    FileError::WrongKind {
                        found: FileKind::EmailQr,
                        ..
                    }
                )
            }),
            (
                QrKind::Email,
                Some("DS-X20180312BBWR733050127"),
                t(1),
                |e| matches!(e, FileError::OtherDevice { .. }),
            ),
            (QrKind::Email, None, t(49), |e| {
                matches!(e, FileError::Stale { .. })
            }),
        ];
        for (kind, serial, now, check) in cases {
            let err = QrPayloadFile::load(&p, kind, serial, now).unwrap_err();
            assert!(check(&err), "{err:?}");
        }
        let mut empty = email();
        empty.qr_text = " ".into();
        assert!(matches!(
            QrPayloadFile::save(&dir.path().join("e.xml"), &empty, None, t(0)),
            Err(FileError::Empty { .. })
        ));
        let bare = dir.path().join("bare.xml");
        std::fs::write(&bare, "QR").unwrap();
        assert!(matches!(
            QrPayloadFile::load(&bare, QrKind::Email, None, t(0)),
            Err(FileError::Malformed { .. })
        ));
    }
}
