//! Reset-file formats: the exported key file, support's reply file, the GUID file, and the
//! e-mail / app QR payload files.
//!
//! | file | written by | content | kept beside it |
//! |---|---|---|---|
//! | key file ([`KeyExport`]) | hikproto, from SADP `getencryptstring` | the encrypted string, verbatim | sidecar: serial, export time, boot time |
//! | reply ([`SupportReply`]) | vendor support (`Encrypt_<short serial>_*.xml`, `Encrypt.xml`) | opaque; sent verbatim as `Code` | — |
//! | typed key ([`SupportKey`]) | vendor support, for the QR variant | 8 letters or digits | — |
//! | GUID file ([`GuidFile`]) | hikproto, from ISAPI `GUIDFileData` or SADP `ExportGUID` | 128 bytes (512 for SADP 3.1), binary | sidecar: serial, export time |
//! | QR payload ([`QrPayloadFile`]) | hikproto, from the e-mail / app QR answer | the QR text, verbatim | sidecar: kind, serial, time, mailboxes |
//!
//! The sidecar is `<file>.hikproto.json` ([`Sidecar`]): small JSON, no secrets, with the SHA-256
//! of the file it describes so that a replaced file is noticed.
//!
//! Files are written **only** where the caller says, atomically (a temporary file in the same
//! directory, flushed to disk, then renamed over the target) and, on Unix, readable by the owner
//! only: a GUID file or a key file lets its holder reset the device. Reads are bounded. Every
//! check fails with a typed [`FileError`]: the wrong kind of file, a stale one, or one made for
//! another device.

mod atomic;
mod guid;
mod key_export;
mod qr;
mod reply;
mod sidecar;
pub(crate) mod time;

pub use atomic::{read_bounded, write_atomic};
pub use guid::{GuidFile, GuidFormat};
pub use key_export::{ExportCheck, KeyExport, MAX_ENCRYPTED_STRING, VALIDITY_LONG, VALIDITY_SHORT};
pub use qr::{QR_VALIDITY, QrPayloadFile};
pub use reply::{MAX_REPLY, SupportKey, SupportReply};
pub use sidecar::{FORMAT as SIDECAR_FORMAT, Sidecar, sidecar_path};
pub use time::unix_secs;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The kinds of reset file hikproto knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    /// The exported key file (encrypted string) to send to support.
    KeyExport,
    /// Support's reply to a key file.
    SupportReply,
    /// A GUID file.
    GuidFile,
    /// The e-mail route's QR payload.
    EmailQr,
    /// The Hik-Connect app route's QR payload.
    AppQr,
    /// hikproto's own sidecar JSON.
    Sidecar,
}

impl FileKind {
    /// A short description for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::KeyExport => "exported key file",
            Self::SupportReply => "support reply file",
            Self::GuidFile => "GUID file",
            Self::EmailQr => "e-mail reset QR payload",
            Self::AppQr => "Hik-Connect reset QR payload",
            Self::Sidecar => "hikproto sidecar file",
        }
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a reset file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Reading or writing failed.
    #[error("cannot {op} {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`read`, `write`, …).
        op: &'static str,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{} is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is larger than this kind of file can be.
    #[error("{} is larger than {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// The file is another kind of reset file than the one needed.
    #[error("{} is a {found}, not a {expected}", path.display())]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// What was needed.
        expected: FileKind,
        /// What it is.
        found: FileKind,
    },
    /// The file has a size this kind of file never has.
    #[error("{} has {found} bytes; a {kind} has {expected}", path.display())]
    WrongSize {
        /// The file.
        path: PathBuf,
        /// The kind expected.
        kind: FileKind,
        /// The sizes it can have, in words.
        expected: &'static str,
        /// The size found.
        found: u64,
    },
    /// The content cannot be this kind of file.
    #[error("{} is not a valid {kind}: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The kind expected.
        kind: FileKind,
        /// Why.
        reason: String,
    },
    /// The file was made for another device.
    #[error("{} belongs to the device with serial …{found}, not …{expected}", path.display())]
    OtherDevice {
        /// The file.
        path: PathBuf,
        /// The short serial of the device at hand.
        expected: String,
        /// The short serial the file names.
        found: String,
    },
    /// The file is too old to be accepted.
    #[error("{} is {} old; it is valid for {}", path.display(), human(*age), human(*limit))]
    Stale {
        /// The file.
        path: PathBuf,
        /// Its age.
        age: Duration,
        /// How long such a file stays valid.
        limit: Duration,
    },
    /// The reply answers an earlier export: a newer export invalidated it.
    #[error("{} answers an earlier export; request a reply to the latest export", path.display())]
    Superseded {
        /// The reply file.
        path: PathBuf,
    },
    /// The device rebooted after the export, which invalidates it.
    #[error("the device rebooted after {} was exported; export again", path.display())]
    DeviceRebooted {
        /// The export.
        path: PathBuf,
    },
    /// The file no longer matches the sidecar written with it (it was replaced or edited).
    #[error("{} was changed after hikproto wrote it", path.display())]
    Modified {
        /// The file.
        path: PathBuf,
    },
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else {
        crate::error::human_duration(d)
    }
}

impl From<FileError> for crate::Error {
    /// Becomes [`Error::InvalidInput`](crate::Error::InvalidInput): the caller supplied the wrong
    /// file or path. An I/O cause is folded into the message because the variant has no source.
    fn from(e: FileError) -> Self {
        match &e {
            FileError::Io { source, .. } => Self::InvalidInput(format!("{e}: {source}")),
            _ => Self::InvalidInput(e.to_string()),
        }
    }
}
