//! The lock-out guard: a credential a device rejected is never sent to it again automatically.
//!
//! Hikvision devices lock the client address after a few failed logins (5 or 7 by default, for
//! about 30 minutes; isapi.md §3). Clients that retry blindly (urllib's digest handler retries
//! five times) lock accounts. hikproto therefore:
//!
//! * never retries a rejected credential inside one call (see [`super::flow`]);
//! * remembers every rejection in a [`LockoutGuard`] latch keyed on (device address, user name)
//!   and a salted SHA-256 fingerprint of the credential, and refuses to send that same
//!   credential to that device again ([`Error::CredentialLatched`]) — across calls, across clones
//!   of a [`Device`](crate::Device), and (with the default guard) across `Device` handles of the
//!   whole process;
//! * lets a *different* credential through at once (supplying new credentials with
//!   [`Device::set_credentials`](crate::Device::set_credentials) is how a caller recovers);
//! * lets requests without credentials through (they do not count as failed logins).
//!
//! A latch set by a *lock* (the device said `lockStatus=lock` with an `unlockTime`) lifts by
//! itself when that time has passed: the credential may have been right and the lock caused by
//! someone else. A latch set by a *rejection* stays until [`LockoutGuard::clear`] is called
//! (for example after the device's password was changed to match).
//!
//! The default guard, [`LockoutGuard::global`], is process-wide. [`LockoutGuard::new`] makes an
//! isolated one (give it to [`DeviceBuilder::lockout_guard`](crate::DeviceBuilder::lockout_guard)).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::error::{Error, Result};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::Credentials;

/// At most this many (device, user) pairs are remembered; the oldest latch is dropped beyond.
pub const MAX_LATCHED_ACCOUNTS: usize = 65_536;

/// At most this many distinct rejected credentials are remembered per (device, user).
pub const MAX_LATCHES_PER_ACCOUNT: usize = 8;

/// Why a credential is latched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatchReason {
    /// The device rejected the credential.
    Rejected,
    /// The device was locked when the credential was sent.
    Locked,
}

#[derive(Clone)]
struct Latch {
    fingerprint: [u8; 32],
    reason: LatchReason,
    since: Instant,
    until: Option<Instant>,
}

struct State {
    salt: [u8; 32],
    accounts: HashMap<(String, String), Vec<Latch>>,
}

/// Remembers rejected credentials per (device address, user). Cheap to clone; clones share
/// the same latches. See the [module docs](self).
#[derive(Clone)]
pub struct LockoutGuard {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for LockoutGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockoutGuard")
            .field("latched_accounts", &self.latched_accounts())
            .finish()
    }
}

impl Default for LockoutGuard {
    /// The process-wide guard (same as [`LockoutGuard::global`]).
    fn default() -> Self {
        Self::global()
    }
}

impl LockoutGuard {
    /// A new, isolated guard (its latches are not shared with other guards).
    pub fn new() -> Self {
        let mut salt = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut salt);
        Self {
            state: Arc::new(Mutex::new(State {
                salt,
                accounts: HashMap::new(),
            })),
        }
    }

    /// The process-wide guard every [`Device`](crate::Device) uses unless told otherwise.
    pub fn global() -> Self {
        static GLOBAL: OnceLock<LockoutGuard> = OnceLock::new();
        GLOBAL.get_or_init(Self::new).clone()
    }

    /// True when both handles share the same latches.
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // a panic while holding the lock cannot leave the map inconsistent: keep going
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fingerprint(salt: &[u8; 32], creds: &Credentials) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(salt);
        h.update((creds.user.len() as u64).to_be_bytes());
        h.update(creds.user.as_bytes());
        h.update(creds.password.expose().as_bytes());
        h.finalize().into()
    }

    /// Fails with [`Error::CredentialLatched`] when `creds` were rejected by `host` before.
    pub fn check(&self, host: &str, creds: &Credentials) -> Result<()> {
        if self.is_latched(host, creds) {
            tracing::debug!(host, user = %creds.user, "credential latched: not sending it");
            return Err(Error::CredentialLatched {
                user: creds.user.clone(),
            });
        }
        Ok(())
    }

    /// True when `creds` are latched for `host` (an expired lock latch is dropped here).
    pub fn is_latched(&self, host: &str, creds: &Credentials) -> bool {
        let mut st = self.lock();
        let fp = Self::fingerprint(&st.salt, creds);
        let key = (host.to_owned(), creds.user.clone());
        let now = Instant::now();
        let Some(list) = st.accounts.get_mut(&key) else {
            return false;
        };
        list.retain(|l| l.until.is_none_or(|u| u > now));
        let hit = list.iter().any(|l| bool::from(l.fingerprint.ct_eq(&fp)));
        if list.is_empty() {
            st.accounts.remove(&key);
        }
        hit
    }

    /// Records that `host` rejected `creds` (or was locked) as `outcome` says.
    pub fn latch(&self, host: &str, creds: &Credentials, outcome: &LoginOutcome) {
        let (reason, until) = match outcome {
            LoginOutcome::Rejected { .. } => (LatchReason::Rejected, None),
            LoginOutcome::Locked { retry_after } => (
                LatchReason::Locked,
                retry_after.and_then(|d| Instant::now().checked_add(d)),
            ),
        };
        self.latch_with(host, creds, reason, until);
    }

    fn latch_with(
        &self,
        host: &str,
        creds: &Credentials,
        reason: LatchReason,
        until: Option<Instant>,
    ) {
        let mut st = self.lock();
        let fp = Self::fingerprint(&st.salt, creds);
        let key = (host.to_owned(), creds.user.clone());
        if !st.accounts.contains_key(&key) && st.accounts.len() >= MAX_LATCHED_ACCOUNTS {
            evict_oldest(&mut st.accounts);
        }
        let list = st.accounts.entry(key).or_default();
        list.retain(|l| !bool::from(l.fingerprint.ct_eq(&fp)));
        if list.len() >= MAX_LATCHES_PER_ACCOUNT {
            list.remove(0);
        }
        list.push(Latch {
            fingerprint: fp,
            reason,
            since: Instant::now(),
            until,
        });
        tracing::debug!(host, user = %creds.user, ?reason, "credential latched");
    }

    /// Records that `host` accepted `creds`: a latch on exactly this credential is dropped.
    pub fn record_success(&self, host: &str, creds: &Credentials) {
        let mut st = self.lock();
        let fp = Self::fingerprint(&st.salt, creds);
        let key = (host.to_owned(), creds.user.clone());
        if let Some(list) = st.accounts.get_mut(&key) {
            list.retain(|l| !bool::from(l.fingerprint.ct_eq(&fp)));
            if list.is_empty() {
                st.accounts.remove(&key);
            }
        }
    }

    /// Forgets every latch for `user` on `host`: the next request may send credentials again.
    /// Call it only when you know the device will now accept them (each rejected try counts
    /// toward the device's lock-out).
    pub fn clear(&self, host: &str, user: &str) {
        self.lock()
            .accounts
            .remove(&(host.to_owned(), user.to_owned()));
    }

    /// Why `creds` are latched for `host`, and for how much longer when the latch expires.
    pub fn latch_reason(
        &self,
        host: &str,
        creds: &Credentials,
    ) -> Option<(LatchReason, Option<Duration>)> {
        let st = self.lock();
        let fp = Self::fingerprint(&st.salt, creds);
        let now = Instant::now();
        st.accounts
            .get(&(host.to_owned(), creds.user.clone()))?
            .iter()
            .find(|l| bool::from(l.fingerprint.ct_eq(&fp)) && l.until.is_none_or(|u| u > now))
            .map(|l| (l.reason, l.until.map(|u| u.saturating_duration_since(now))))
    }

    /// How many (device, user) pairs currently hold at least one latch.
    pub fn latched_accounts(&self) -> usize {
        self.lock().accounts.len()
    }
}

fn evict_oldest(accounts: &mut HashMap<(String, String), Vec<Latch>>) {
    let oldest = accounts
        .iter()
        .filter_map(|(k, v)| v.iter().map(|l| l.since).max().map(|t| (t, k.clone())))
        .min_by_key(|(t, _)| *t)
        .map(|(_, k)| k);
    if let Some(k) = oldest {
        accounts.remove(&k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "192.0.2.1:80";

    #[test]
    fn rejected_credential_is_latched_until_cleared() {
        let g = LockoutGuard::new();
        let bad = Credentials::new("admin", "wrong");
        let good = Credentials::new("admin", "right");
        assert!(g.check(HOST, &bad).is_ok());
        g.latch(
            HOST,
            &bad,
            &LoginOutcome::Rejected {
                attempts_left: Some(4),
            },
        );
        assert!(matches!(
            g.check(HOST, &bad),
            Err(Error::CredentialLatched { user }) if user == "admin"
        ));
        // another password, another device, another user: all fine
        assert!(g.check(HOST, &good).is_ok());
        assert!(g.check("192.0.2.2:80", &bad).is_ok());
        assert!(
            g.check(HOST, &Credentials::new("operator", "wrong"))
                .is_ok()
        );
        // success with another credential does not lift the latch of the bad one
        g.record_success(HOST, &good);
        assert!(g.check(HOST, &bad).is_err());
        assert_eq!(
            g.latch_reason(HOST, &bad),
            Some((LatchReason::Rejected, None))
        );
        g.clear(HOST, "admin");
        assert!(g.check(HOST, &bad).is_ok());
        assert_eq!(g.latched_accounts(), 0);
    }

    #[test]
    fn lock_latch_expires() {
        let g = LockoutGuard::new();
        let c = Credentials::new("admin", "pw");
        g.latch(
            HOST,
            &c,
            &LoginOutcome::Locked {
                retry_after: Some(Duration::from_millis(30)),
            },
        );
        assert!(g.is_latched(HOST, &c));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!g.is_latched(HOST, &c));
        g.latch(HOST, &c, &LoginOutcome::Locked { retry_after: None });
        assert!(g.is_latched(HOST, &c), "a lock without a time stays");
    }

    #[test]
    fn guards_are_isolated_but_global_is_shared() {
        let a = LockoutGuard::new();
        let b = LockoutGuard::new();
        let c = Credentials::new("admin", "x");
        a.latch(
            HOST,
            &c,
            &LoginOutcome::Rejected {
                attempts_left: None,
            },
        );
        assert!(!b.is_latched(HOST, &c));
        assert!(LockoutGuard::global().same_as(&LockoutGuard::global()));
        assert!(!a.same_as(&b));
        assert!(a.same_as(&a.clone()));
    }

    #[test]
    fn bounded() {
        let g = LockoutGuard::new();
        for i in 0..(MAX_LATCHES_PER_ACCOUNT + 3) {
            let c = Credentials::new("admin", format!("pw{i}"));
            g.latch(
                HOST,
                &c,
                &LoginOutcome::Rejected {
                    attempts_left: None,
                },
            );
        }
        let st = g.lock();
        assert_eq!(
            st.accounts[&(HOST.to_owned(), "admin".to_owned())].len(),
            MAX_LATCHES_PER_ACCOUNT
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let g = LockoutGuard::new();
        let c = Credentials::new("admin", "Sup3rSecret");
        g.latch(
            HOST,
            &c,
            &LoginOutcome::Rejected {
                attempts_left: None,
            },
        );
        let s = format!("{g:?}");
        assert!(!s.contains("Sup3rSecret"));
    }
}
