//! Password rotation across a fleet that survives a crash at any moment.
//!
//! Each device gets a new random password. Before it is sent, the password is recorded in the
//! [journal](super::journal) and flushed to disk; the device's answer is recorded after. A
//! resume reads the journal and settles every device whose change was in flight (sent, but
//! its answer not recorded) before it starts on any other device, so that a crash during the
//! new changes never interrupts a settling.
//!
//! # Settling a device whose change was in flight
//!
//! Either the old password or the new one is valid. Each candidate is tried at most once over
//! all resumes, and a `probe` record goes to the journal before each try, so a crash between
//! the try and its verdict never makes a later resume send that candidate again:
//!
//! 1. **The old password first.** Accepted: the change never landed; the device is sent the
//!    same new password again. Refused: the change landed, the new password is valid, and the
//!    device has counted one failed login — its only one, since nothing else is tried.
//! 2. **The new password, when the old one's verdict was lost.** Accepted: done (the old try,
//!    if it reached the device, was its one failed login). Refused: the change never landed,
//!    so the old try had been accepted; this refusal is the device's one failed login, and the
//!    old password — which the device's own refusal of the other candidate shows valid — is
//!    used to send the change again.
//!
//! A device therefore counts at most one failed login over a whole rotation, and it always
//! ends on its new password, except in two cases that no order of tries can settle without
//! risking a second failed login. Both need the device's settling itself to be interrupted
//! (by a crash, `kill -9` or Ctrl-C between a try and its verdict) after its change was
//! interrupted:
//!
//! * **Both verdicts lost**: the old password was tried and its verdict lost, then the new
//!   one was tried and its verdict lost too. One of the two tries may have been refused (and
//!   counted), and nothing in the journal says which: trying either candidate again may be
//!   the second refusal of that device.
//! * **A second change interrupted after a refusal**: step 2 found the device on its old
//!   password (its new password refused: one failed login counted), and the change sent again
//!   was interrupted. Either password may be valid now, and the device already counted its
//!   one failed login: whichever is tried first may be the second.
//!
//! Such a device is reported with an error that asks for a manual login with either
//! candidate (the old password is the devices file's, the new one is the `candidate` column of
//! the [export](Rotation::export_csv)); its [final credential](Rotation::final_credentials) is
//! `unknown`. Nothing else is sent to it.
//! The lock-out rule (a credential the device may have counted as a failed login is never sent
//! again, see [`LockoutGuard`]) is kept across processes by the journal exactly as within one.
//!
//! Each device of a rotation has a lock-out guard of its own (see [`LockoutGuard`]): the journal
//! keeps the one-try-per-candidate rule for it, and a refusal by one device never stands for
//! another. The process-wide guard keys latches by host, so several devices behind one address
//! (a NAT forwarding several ports, or a simulated site on loopback) would otherwise answer for
//! each other — and a refusal lent by a neighbour would be recorded as this device's verdict.
//!
//! ```no_run
//! # async fn run(targets: Vec<hikproto::fleet::rotation::Target>) -> hikproto::Result<()> {
//! use hikproto::fleet::{Fleet, rotation::Rotation};
//! let rotation = Rotation::start(std::path::Path::new("rotation.journal"))?;
//! let results = rotation.run(&Fleet::new(), targets.clone()).await?;
//! rotation.export_csv(&targets, std::path::Path::new("new-credentials.csv"))?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng as _;
use serde::Serialize;

use super::devices_file::{DeviceEntry, create_private};
use super::journal::{DeviceState, Journal, JournalState, Record, Stage};
use super::{DeviceResult, Fleet, FleetStream};
use crate::auth::LockoutGuard;
use crate::client::Device;
use crate::error::{Error, Result};
use crate::keys::{Password, Secret};

/// Characters of generated passwords (no quotes, commas or spaces, so they paste anywhere).
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-.@_";
/// Length of generated passwords.
const GENERATED_LEN: usize = 16;

/// A device to rotate: its devices-file entry and its current password.
#[derive(Debug, Clone)]
pub struct Target {
    /// The device.
    pub entry: DeviceEntry,
    /// The password it has before the rotation.
    pub old: Secret,
}

/// What happened to one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The device now has its new password.
    Rotated,
    /// An earlier run already rotated it.
    AlreadyRotated,
    /// A resume found the earlier change had gone through.
    Recovered,
}

/// The report for one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What happened.
    pub status: Status,
    /// Logins the device refused during this run (0 or 1).
    pub failed_logins: u32,
}

/// A rotation bound to its journal. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Rotation {
    journal: Arc<Mutex<Journal>>,
    /// One guard per device (by devices-file key), shared by every handle to it.
    guards: Arc<Mutex<HashMap<String, LockoutGuard>>>,
    timeout: Duration,
}

impl Rotation {
    /// Starts a new rotation with a new journal at `path`.
    pub fn start(path: &Path) -> Result<Self> {
        Ok(Self::with(Journal::create(path)?))
    }

    /// Continues the rotation recorded in the journal at `path`.
    pub fn resume(path: &Path) -> Result<Self> {
        Ok(Self::with(Journal::resume(path)?.0))
    }

    fn with(j: Journal) -> Self {
        Self {
            journal: Arc::new(Mutex::new(j)),
            guards: Arc::default(),
            timeout: Duration::from_secs(15),
        }
    }

    /// Deadline of each request (default 15 s).
    #[must_use]
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// A copy of every device's state in the journal.
    pub fn state(&self) -> JournalState {
        self.lock().state().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, rec: &Record) -> Result<()> {
        self.lock()
            .append(rec)
            .map_err(|e| Error::invalid(format!("cannot write the journal: {e}")))
    }

    /// Rotates every target under `fleet`'s limits (sites from the devices file's `site`
    /// column); one result per target, in order. Fails before any device is contacted when a
    /// target's address does not build.
    pub async fn run(
        &self,
        fleet: &Fleet,
        targets: Vec<Target>,
    ) -> Result<Vec<DeviceResult<Report>>> {
        let mut stream = self.stream(fleet, targets)?;
        let mut out = Vec::with_capacity(stream.total());
        while let Some(r) = stream.next().await {
            out.push(r);
        }
        out.sort_by_key(|r| r.index);
        Ok(out)
    }

    /// Like [`Rotation::run`], each result as soon as its device finishes. The devices whose
    /// change was in flight when the journal was last written are settled first; the others
    /// start once all of those have finished (see the [module docs](self)).
    ///
    /// Must be called inside a tokio runtime.
    pub fn stream(&self, fleet: &Fleet, targets: Vec<Target>) -> Result<FleetStream<Report>> {
        // The fleet's handles only key its limits (address, user); each login builds its own.
        let devices = targets
            .iter()
            .map(|t| t.entry.builder(t.old.clone()).build())
            .collect::<Result<Vec<_>>>()?;
        let sites: Vec<Option<String>> = targets.iter().map(|t| t.entry.site.clone()).collect();
        let state = self.state();
        let first: Vec<bool> = targets
            .iter()
            .map(|t| {
                state
                    .get(&t.entry.key())
                    .is_some_and(|s| s.stage == Stage::InFlight)
            })
            .collect();
        let targets = Arc::new(targets);
        let this = self.clone();
        let op = move |i: usize, _dev: Device| {
            let this = this.clone();
            let targets = targets.clone();
            async move { this.one(&targets[i]).await }
        };
        Ok(fleet.stream_phased(devices, &sites, first, op))
    }

    async fn login(&self, t: &Target, password: &Secret) -> Result<Device> {
        let dev = self.handle(t, password)?;
        dev.device_info().await?;
        Ok(dev)
    }

    /// The device's own guard (see the module docs).
    // not `or_default()`: the default guard is the process-wide one, and each device needs its own
    #[allow(clippy::unwrap_or_default)]
    fn guard(&self, t: &Target) -> LockoutGuard {
        self.guards
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(t.entry.key())
            .or_insert_with(LockoutGuard::new)
            .clone()
    }

    fn handle(&self, t: &Target, password: &Secret) -> Result<Device> {
        t.entry
            .builder(password.clone())
            .lockout_guard(self.guard(t))
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .build()
    }

    /// Rotates one device from where the journal left it.
    async fn one(&self, t: &Target) -> Result<Report> {
        let key = t.entry.key();
        let prior = self.lock().state().get(&key).cloned().unwrap_or_default();
        match prior.stage {
            Stage::Changed => Ok(Report {
                status: Status::AlreadyRotated,
                failed_logins: 0,
            }),
            Stage::InFlight => self.resolve(t, prior).await,
            Stage::Untouched | Stage::OnOld { .. } => {
                let dev = self.login(t, &t.old).await?;
                self.change(t, &dev, prior.new_password, 0).await
            }
        }
    }

    /// Finds which password a device whose change was in flight accepts, trying each
    /// candidate at most once over all resumes (a `probe` record precedes each try), then
    /// finishes its rotation.
    async fn resolve(&self, t: &Target, prior: DeviceState) -> Result<Report> {
        let key = t.entry.key();
        let new = prior
            .new_password
            .clone()
            .ok_or_else(|| Error::invalid("journal: an intent without its password"))?;
        let verdict = |new_valid| Record::Verified {
            key: key.clone(),
            new_valid,
        };
        if prior.failed_logins > 0 {
            return Err(unsettled(
                &key,
                "the change was interrupted again after this device refused one login of this \
                 rotation",
            ));
        }
        if !prior.probed_old {
            // old first: if the device refuses it, the change went through and only the
            // new password is left, without another try
            self.record(&Record::Probe {
                key: key.clone(),
                new: false,
            })?;
            return match self.login(t, &t.old).await {
                Ok(dev) => {
                    self.record(&verdict(false))?;
                    self.change(t, &dev, Some(new), 0).await
                }
                Err(Error::CredentialsRejected { .. }) => {
                    self.record(&verdict(true))?;
                    Ok(Report {
                        status: Status::Recovered,
                        failed_logins: 1,
                    })
                }
                Err(e) => Err(e),
            };
        }
        if !prior.probed_new {
            // an earlier resume tried the old password and its verdict was lost: if that
            // try failed, the new one is valid; so the new one now
            self.record(&Record::Probe {
                key: key.clone(),
                new: true,
            })?;
            return match self.login(t, &new).await {
                Ok(_) => {
                    self.record(&verdict(true))?;
                    Ok(Report {
                        status: Status::Recovered,
                        failed_logins: 0,
                    })
                }
                Err(Error::CredentialsRejected { .. }) => {
                    // so the old try had succeeded: the old password is valid, and the latch
                    // the refused new one left on this user does not apply to it
                    self.record(&verdict(false))?;
                    let dev = self.handle(t, &t.old)?;
                    dev.clear_credential_latch();
                    dev.device_info().await?;
                    self.change(t, &dev, Some(new), 1).await
                }
                Err(e) => Err(e),
            };
        }
        Err(unsettled(
            &key,
            "both candidate passwords were tried once and both verdicts were lost",
        ))
    }

    /// Records the new password, sends it, records the answer.
    async fn change(
        &self,
        t: &Target,
        dev: &Device,
        new: Option<Secret>,
        failed_logins: u32,
    ) -> Result<Report> {
        let key = t.entry.key();
        let password = match new {
            Some(p) => Password::new(&t.entry.user, p)?,
            None => generate(&t.entry.user),
        };
        self.record(&Record::Intent {
            key: key.clone(),
            password: password.expose().to_owned(),
        })?;
        match dev
            .change_password(&t.entry.user, &password, Some(&t.old))
            .await
        {
            Ok(_) => {
                self.record(&Record::Changed { key })?;
                Ok(Report {
                    status: Status::Rotated,
                    failed_logins,
                })
            }
            // refused before anything was sent: nothing changed
            Err(e @ (Error::InvalidInput(_) | Error::NotSupported { .. })) => {
                self.record(&Record::Failed {
                    key,
                    reason: e.to_string(),
                })?;
                Err(e)
            }
            // no answer, or an answer that does not prove the password unchanged: the change
            // may have happened; a resume finds out
            Err(e) => Err(e),
        }
    }

    /// Every target's credential after the rotation, from the journal.
    pub fn final_credentials(&self, targets: &[Target]) -> Vec<FinalCredential> {
        let state = self.state();
        targets
            .iter()
            .map(|t| {
                let s = state.get(&t.entry.key()).cloned().unwrap_or_default();
                let (status, password, candidate) = match s.stage {
                    Stage::Changed => ("rotated", s.new_password, None),
                    Stage::Untouched | Stage::OnOld { .. } => {
                        ("unchanged", Some(t.old.clone()), None)
                    }
                    Stage::InFlight => ("unknown", None, s.new_password),
                };
                FinalCredential {
                    entry: t.entry.clone(),
                    status,
                    password,
                    candidate,
                }
            })
            .collect()
    }

    /// Writes [`Rotation::final_credentials`] as CSV to a new private file (mode 0600):
    /// `host,port,user,site,label,status,password,candidate`.
    pub fn export_csv(&self, targets: &[Target], path: &Path) -> Result<usize> {
        use std::io::Write as _;
        let creds = self.final_credentials(targets);
        let mut text = String::from("host,port,user,site,label,status,password,candidate\n");
        for c in &creds {
            let e = &c.entry;
            text.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                e.host,
                e.port,
                e.user,
                e.site.as_deref().unwrap_or(""),
                e.label.as_deref().unwrap_or(""),
                c.status,
                c.password.as_ref().map_or("", Secret::expose),
                c.candidate.as_ref().map_or("", Secret::expose),
            ));
        }
        let res = create_private(path)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
        zeroize::Zeroize::zeroize(&mut text);
        res.map_err(|e| Error::invalid(format!("cannot write {}: {e}", path.display())))?;
        Ok(creds.len())
    }
}

/// The error of a device no order of tries can settle without risking a second failed login
/// (see the [module docs](self)).
fn unsettled(key: &str, why: &str) -> Error {
    Error::invalid(format!(
        "{key}: {why}; trying a candidate again could cost a second failed login: log in by \
         hand with the old password or the new one (the `candidate` column of the export)"
    ))
}

/// A device's credential after a rotation.
#[derive(Debug, Clone)]
pub struct FinalCredential {
    /// The device.
    pub entry: DeviceEntry,
    /// `rotated`, `unchanged`, or `unknown` (the change is in flight: resume).
    pub status: &'static str,
    /// The valid password, when known.
    pub password: Option<Secret>,
    /// For an `unknown` device, the new password that may have reached it (the other candidate
    /// is its old password).
    pub candidate: Option<Secret>,
}

/// A random password that passes the device policy for `user`.
pub fn generate(user: &str) -> Password {
    let mut rng = rand::thread_rng();
    loop {
        let s: String = (0..GENERATED_LEN)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        if looks_risky(user, &s) {
            continue;
        }
        if let Ok(p) = Password::new(user, s) {
            return p;
        }
    }
}

/// What devices flag as a risky password even when the policy passes: the user name, `admin`
/// or `password` inside it, or four same or consecutive characters (case folded).
fn looks_risky(user: &str, pw: &str) -> bool {
    let lower = pw.to_ascii_lowercase();
    let name = user.to_ascii_lowercase();
    let run = lower.as_bytes().windows(4).any(|w| {
        let same = w.iter().all(|&c| c == w[0]);
        let up = w.windows(2).all(|p| p[1] == p[0].wrapping_add(1));
        let down = w.windows(2).all(|p| p[0] == p[1].wrapping_add(1));
        same || ((up || down) && w.iter().all(u8::is_ascii_alphanumeric))
    });
    run || lower.contains("admin")
        || lower.contains("password")
        || (name.len() >= 3 && lower.contains(&name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn risky_looking_passwords_are_never_generated() {
        assert!(super::looks_risky("admin", "xxbCdEyy12!#ZZqq"));
        assert!(super::looks_risky("op", "q9!AdMiNzzz"));
        assert!(!super::looks_risky("admin", "Hq7!pRt2mW#x9Lk4"));
        for _ in 0..2000 {
            assert!(!super::looks_risky(
                "admin",
                super::generate("admin").expose()
            ));
        }
    }

    #[test]
    fn generated_passwords_differ_and_pass_the_policy() {
        let a = super::generate("admin");
        let b = super::generate("admin");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), super::GENERATED_LEN);
    }
}
