//! The durable journal of a password rotation: an append-only file of JSON lines, each record
//! written and flushed to disk (`fsync`) before the next step.
//!
//! Protection of the new passwords: the journal must hold every new password before it is sent
//! (otherwise a crash could leave a device on a password nobody knows), so the whole journal
//! is private. It is created new with mode 0600 (never over an existing file), and a resume
//! refuses a journal that others can read or that another user owns ([`check_private`]). Treat
//! it like the credentials file: keep it until the exported credentials are in your vault, then
//! delete it.
//!
//! Records: `intent` (device, new password) before the change is sent; then `changed` or
//! `failed` (device, reason) once the device answered; `probe` before a resume logs in with a
//! candidate, and `verified` when it found which password a device accepts. A record cut short by a crash (the last line, without its newline)
//! is ignored and cut off when the journal is reopened.
//!
//! For tests, `HIKPROTO_TEST_JOURNAL_CRASH=N:MODE` makes the process abort at its `N`th record
//! (from 1): `MODE` is `before-write`, `torn` (half the record written), or `unsynced` (the
//! record written but not yet flushed).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fleet::devices_file::{check_private, create_private};
use crate::keys::Secret;

/// Environment variable of the crash hook (tests only).
pub const CRASH_ENV: &str = "HIKPROTO_TEST_JOURNAL_CRASH";
/// Largest journal read back (bytes).
const MAX_JOURNAL: u64 = 256 << 20;

/// One journal record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// The new password is about to be sent to the device `key`.
    Intent {
        /// `user@host:port`.
        key: String,
        /// The new password.
        password: String,
    },
    /// The device accepted the new password.
    Changed {
        /// `user@host:port`.
        key: String,
    },
    /// The device refused the change; the old password stays valid.
    Failed {
        /// `user@host:port`.
        key: String,
        /// Why.
        reason: String,
    },
    /// A resume is about to log in with one candidate (so that a crash before its verdict
    /// never makes the next resume send the same candidate again).
    Probe {
        /// `user@host:port`.
        key: String,
        /// True for the new password, false for the old one.
        new: bool,
    },
    /// A resume found out which password is valid.
    Verified {
        /// `user@host:port`.
        key: String,
        /// True when the new password is the valid one.
        new_valid: bool,
    },
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Intent { key, .. } => write!(f, "Intent({key}, <redacted>)"),
            Self::Changed { key } => write!(f, "Changed({key})"),
            Self::Failed { key, reason } => write!(f, "Failed({key}, {reason})"),
            Self::Probe { key, new } => write!(f, "Probe({key}, new={new})"),
            Self::Verified { key, new_valid } => write!(f, "Verified({key}, new={new_valid})"),
        }
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        if let Self::Intent { password, .. } = self {
            zeroize::Zeroize::zeroize(password);
        }
    }
}

/// Where one device stands, from its journal records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Nothing recorded: the old password is valid.
    Untouched,
    /// The new password was recorded and may have been sent: which one is valid is unknown.
    InFlight,
    /// The device is on the new password.
    Changed,
    /// The device is on its old password (the change was refused, or a resume found it so).
    OnOld {
        /// Why the change did not happen, when it was refused.
        reason: Option<String>,
    },
}

/// One device's state in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceState {
    /// Where it stands.
    pub stage: Stage,
    /// The new password last recorded for it.
    pub new_password: Option<Secret>,
    /// Since the last intent, a resume tried the old password (its verdict unrecorded).
    pub probed_old: bool,
    /// Since the last intent, a resume tried the new password (its verdict unrecorded).
    pub probed_new: bool,
    /// Failed logins this rotation is known to have cost the device (a verdict that followed a
    /// try of the other candidate).
    pub failed_logins: u32,
}

impl Default for DeviceState {
    fn default() -> Self {
        Self {
            stage: Stage::Untouched,
            new_password: None,
            probed_old: false,
            probed_new: false,
            failed_logins: 0,
        }
    }
}

/// The state of every device the journal mentions, by key.
pub type JournalState = HashMap<String, DeviceState>;

/// How the crash hook stops the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CrashMode {
    BeforeWrite,
    Torn,
    Unsynced,
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    file: File,
    state: JournalState,
    written: usize,
    crash: Option<(usize, CrashMode)>,
}

fn io(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::invalid(format!("journal {}: {what}: {e}", path.display()))
}

impl Journal {
    /// Creates a new, private journal (refused when `path` exists).
    pub fn create(path: &Path) -> Result<Self> {
        let file = create_private(path).map_err(|e| {
            io(
                "cannot create it (an existing journal is continued with resume)",
                path,
                &e,
            )
        })?;
        sync_dir(path);
        Ok(Self::with(file))
    }

    /// Opens an existing journal for a resume: checks it is private, reads its state, cuts off
    /// a record left incomplete by a crash, and appends after it.
    pub fn resume(path: &Path) -> Result<(Self, JournalState)> {
        check_private(path)
            .map_err(|m| Error::invalid(format!("journal {}: {m}", path.display())))?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io("cannot open it", path, &e))?;
        let len = file
            .metadata()
            .map_err(|e| io("cannot read it", path, &e))?
            .len();
        if len > MAX_JOURNAL {
            return Err(Error::invalid(format!(
                "journal {}: larger than {MAX_JOURNAL} bytes",
                path.display()
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.read_to_end(&mut bytes)
            .map_err(|e| io("cannot read it", path, &e))?;
        let (state, good) = replay(&bytes)
            .map_err(|m| Error::invalid(format!("journal {}: {m}", path.display())))?;
        zeroize::Zeroize::zeroize(&mut bytes);
        if (good as u64) < len {
            file.set_len(good as u64)
                .and_then(|()| file.sync_data())
                .map_err(|e| io("cannot cut off the incomplete record", path, &e))?;
        }
        file.seek(SeekFrom::End(0))
            .map_err(|e| io("cannot append", path, &e))?;
        let mut j = Self::with(file);
        j.state = state.clone();
        Ok((j, state))
    }

    /// The state of every device, with every record appended so far.
    pub fn state(&self) -> &JournalState {
        &self.state
    }

    fn with(file: File) -> Self {
        let crash = std::env::var(CRASH_ENV).ok().and_then(|v| {
            let (n, mode) = v.split_once(':')?;
            let mode = match mode {
                "before-write" => CrashMode::BeforeWrite,
                "torn" => CrashMode::Torn,
                "unsynced" => CrashMode::Unsynced,
                _ => return None,
            };
            Some((n.parse().ok()?, mode))
        });
        Self {
            file,
            state: JournalState::new(),
            written: 0,
            crash,
        }
    }

    /// Appends one record and flushes it to disk before returning.
    pub fn append(&mut self, rec: &Record) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(rec).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.written += 1;
        let crash = self.crash.filter(|(n, _)| *n == self.written).map(|c| c.1);
        if crash == Some(CrashMode::BeforeWrite) {
            std::process::abort();
        }
        let res = if crash == Some(CrashMode::Torn) {
            self.file
                .write_all(&line[..line.len() / 2])
                .and_then(|()| self.file.flush())
        } else {
            self.file.write_all(&line)
        };
        zeroize::Zeroize::zeroize(&mut line);
        res?;
        if crash.is_some() {
            std::process::abort();
        }
        self.file.sync_data()?;
        apply(&mut self.state, rec);
        Ok(())
    }
}

/// Makes the new file's directory entry durable too (best effort; Unix).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Replays the records: the state per device, and the length of the complete records (a last
/// line without its newline is a record cut short by a crash and is left out).
pub fn replay(bytes: &[u8]) -> std::result::Result<(JournalState, usize), String> {
    let mut state = JournalState::new();
    let mut good = 0;
    for (n, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        if !line.ends_with(b"\n") {
            break;
        }
        let rec: Record = serde_json::from_slice(line)
            .map_err(|e| format!("line {}: not a journal record ({e})", n + 1))?;
        good += line.len();
        apply(&mut state, &rec);
    }
    Ok((state, good))
}

fn apply(state: &mut JournalState, rec: &Record) {
    match rec {
        Record::Intent { key, password } => {
            let s = state.entry(key.clone()).or_default();
            s.stage = Stage::InFlight;
            s.new_password = Some(Secret::new(password.clone()));
            s.probed_old = false;
            s.probed_new = false;
        }
        Record::Probe { key, new } => {
            let s = state.entry(key.clone()).or_default();
            if *new {
                s.probed_new = true;
            } else {
                s.probed_old = true;
            }
        }
        Record::Changed { key } => state.entry(key.clone()).or_default().stage = Stage::Changed,
        Record::Failed { key, reason } => {
            state.entry(key.clone()).or_default().stage = Stage::OnOld {
                reason: Some(reason.clone()),
            };
        }
        Record::Verified { key, new_valid } => {
            let s = state.entry(key.clone()).or_default();
            // the candidate tried last was refused when the verdict names the other one
            let refused = if *new_valid {
                s.probed_old && !s.probed_new
            } else {
                s.probed_new
            };
            if refused {
                s.failed_logins += 1;
            }
            s.probed_old = false;
            s.probed_new = false;
            s.stage = if *new_valid {
                Stage::Changed
            } else {
                Stage::OnOld { reason: None }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_keeps_complete_records_and_cuts_a_torn_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut j = Journal::create(&path).unwrap();
        let intent = |k: &str| Record::Intent {
            key: k.into(),
            password: "N3w-Passw0rd!".into(),
        };
        j.append(&intent("a")).unwrap();
        j.append(&Record::Changed { key: "a".into() }).unwrap();
        j.append(&intent("b")).unwrap();
        j.append(&intent("c")).unwrap();
        j.append(&Record::Failed {
            key: "c".into(),
            reason: "refused".into(),
        })
        .unwrap();
        drop(j);
        assert!(
            Journal::create(&path).is_err(),
            "never over an existing journal"
        );
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"kind\":\"changed\",\"ke").unwrap();
        drop(f);
        let (mut j, st) = Journal::resume(&path).unwrap();
        assert_eq!(st["a"].stage, Stage::Changed);
        assert_eq!(st["b"].stage, Stage::InFlight);
        assert!(matches!(st["c"].stage, Stage::OnOld { .. }));
        j.append(&Record::Verified {
            key: "b".into(),
            new_valid: true,
        })
        .unwrap();
        let (_, st) = Journal::resume(&path).unwrap();
        assert_eq!(st["b"].stage, Stage::Changed);
        assert!(!format!("{:?}", intent("x")).contains("Passw0rd"));
        std::fs::write(&path, b"garbage\n").unwrap();
        assert!(Journal::resume(&path).is_err());
    }
}
