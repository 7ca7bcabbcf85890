//! The lock-out guard: the one place that decides whether a credential may be sent to a device.
//!
//! Hikvision devices lock the client address after a few failed logins (5 or 7 by default, for
//! about 30 minutes; isapi.md §3). Clients that retry blindly lock accounts. The rule, enforced
//! here for every path (Digest, Basic, session login, SADP):
//!
//! > **A credential is never sent to a device again once the device may have counted it as a
//! > failed login, unless the device's own answer shows it did not.**
//!
//! See [`LockoutGuard`] for how each part of the rule is implemented.

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

pub use super::flight::Admission;
use super::flight::Flights;

/// At most this many (device, user) pairs are remembered; the oldest latch is dropped beyond.
pub const MAX_LATCHED_ACCOUNTS: usize = 65_536;

/// At most this many distinct rejected credentials are remembered per (device, user).
pub const MAX_LATCHES_PER_ACCOUNT: usize = 8;

/// The prefix of SADP device keys (`sadp:<MAC>`); other keys are network addresses.
pub const SADP_KEY_PREFIX: &str = "sadp:";

/// Why a credential is latched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatchReason {
    /// The device rejected the credential (or may have counted it as a failed login).
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

type Account = (String, String);

pub(super) struct State {
    salt: [u8; 32],
    accounts: HashMap<Account, Vec<Latch>>,
    /// Credentials a device accepted (the single flight is over for them).
    verified: HashMap<Account, Vec<[u8; 32]>>,
    /// `host:port` → the device's serial number, once known.
    serials: HashMap<String, String>,
    /// Device key → until when a device answer said it is locked (for the user).
    locked_until: HashMap<Account, Instant>,
    pub(super) flights: Flights,
}

/// Remembers what devices said about credentials, per device and user, and decides whether a
/// credential may be sent. Cheap to clone; clones share everything.
///
/// # The rule
///
/// **A credential is never sent to a device again once the device may have counted it as a
/// failed login, unless the device's own answer shows it did not.** How it is applied:
///
/// * **Rejections latch.** A 401 to an authenticated attempt, a session-login refusal
///   (including a `ResponseStatus` `loginPasswordError`/`passError`), any answer (a 403
///   included) whose body speaks of a lock (`userNameLocked`, `lockStatus=lock`, …) or is a
///   `userCheck` saying 401, and a SADP password/answer/code refusal latch the
///   credential ([`Error::CredentialsRejected`] or [`Error::Locked`] the first time,
///   [`Error::CredentialLatched`] afterwards, without sending). A *different* credential goes
///   through at once ([`Device::set_credentials`](crate::Device::set_credentials)).
/// * **Refused reused nonces are read, never retried blindly.** A 401 to a pre-emptive answer
///   with a cached nonce allows one answer to a fresh challenge only when the device shows it
///   did not judge the password: `stale=true`, or a `ResponseStatus` body without lock or
///   retry fields (the reported answer of real firmware to a refused nonce; not confirmed by a
///   capture). Anything else (empty, HTML, a `userCheck` with lock fields, a bare `userCheck`)
///   is taken as a rejection and latched, and the device gets no reused nonce again.
/// * **`stale=true` is bounded.** It allows one resend per call, and only when the body does
///   not show a rejection; a device that keeps answering `stale` gets an error, not a storm.
/// * **Single flight.** While a credential is unverified for a device, exactly one request
///   carries it ([`LockoutGuard::admit`]); concurrent calls on any handle sharing this guard
///   (clones, handles built separately with the default [`LockoutGuard::global`], `Fleet`, the
///   C library's and Python's threads and tasks) wait for its verdict, then proceed, or fail
///   with the same typed error without sending. Once accepted, calls run in parallel. Calls
///   already in flight when a device starts rejecting an accepted credential (its password was
///   changed meanwhile) cannot be recalled; every later call is refused locally.
/// * **Locks.** A lock answered to a credential the device had accepted before, or sent while an
///   earlier answer of that device said it was locked, was not caused by that credential
///   (attempts during a lock are not counted: inferred, as the simulator models it): that
///   latch lifts at `unlockTime`. A lock answered to any other credential may have been
///   triggered by it (its attempt may have been the one the device counted last): it stays
///   latched after the lock ends, like every rejected credential.
/// * **Unknown answers are not acceptance.** Only a 2xx answer marks a credential accepted.
///   Other statuses after an authenticated attempt are errors; the credential stays unverified.
/// * **Requests without credentials** always go through (they are not login attempts).
///
/// # Keys
///
/// Latches are keyed by the device, not by the spelling of its address: the host (name or
/// address, case-folded, without scheme or port) is one key, so HTTP and HTTPS and every port of
/// one host share it; once a handle learned the device's serial number (from `deviceInfo`), the
/// serial is a second key, which joins a device reached by name and by address. Behind a NAT
/// that forwards several ports of one address to several devices, those devices share the host
/// key: a credential rejected by one is refused for the others too (the safe side; clear it
/// with [`LockoutGuard::clear`] when you know better). Only a latch that expires with a lock
/// is kept per exact address (`host:port`) and serial, since a lock is the state of one device.
/// SADP commands use `sadp:<MAC>` keys.
///
/// Latches live in memory only (for this process); [`LockoutGuard::new`] makes an isolated
/// guard.
#[derive(Clone)]
pub struct LockoutGuard {
    pub(super) state: Arc<Mutex<State>>,
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

/// The device keys of an address: the host, the exact address (`addr:host:port`, which only
/// locks use), plus `sn:<serial>` when known. The first key names the flight.
fn keys_of(st: &State, address: &str) -> Vec<String> {
    if address.starts_with(SADP_KEY_PREFIX) {
        return vec![address.to_owned()];
    }
    let (host, _) = split_authority(address);
    let exact = normalize_authority(address);
    let mut keys = vec![format!("host:{host}")];
    if let Some(sn) = st.serials.get(&exact) {
        keys.push(format!("sn:{sn}"));
    }
    keys.push(format!("{ADDR_KEY_PREFIX}{exact}"));
    keys
}

/// Keys naming one exact address: a lock is a state of the device behind it, so a latch that
/// expires with a lock is kept there (and under the serial), not under the whole host.
const ADDR_KEY_PREFIX: &str = "addr:";

/// `(host, port)` of `host`, `host:port`, `[v6]:port` or a URL, case-folded.
fn split_authority(address: &str) -> (String, Option<u16>) {
    let a = address.trim();
    let a = a.split_once("://").map_or(a, |(_, rest)| rest);
    let a = a.split('/').next().unwrap_or(a);
    let a = a.rsplit_once('@').map_or(a, |(_, h)| h);
    if let Some(rest) = a.strip_prefix('[') {
        let (host, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
        return (host.to_ascii_lowercase(), port);
    }
    match a.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => {
            (h.trim_end_matches('.').to_ascii_lowercase(), p.parse().ok())
        }
        _ => (a.trim_end_matches('.').to_ascii_lowercase(), None),
    }
}

fn normalize_authority(address: &str) -> String {
    let (h, p) = split_authority(address);
    format!("{h}:{}", p.unwrap_or(80))
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
                verified: HashMap::new(),
                serials: HashMap::new(),
                locked_until: HashMap::new(),
                flights: Flights::default(),
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

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // a panic while holding the lock cannot leave the maps inconsistent: keep going
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

    /// The device keys, the fingerprint and the user of `creds` sent to `address`.
    pub(super) fn identify(
        st: &State,
        address: &str,
        creds: &Credentials,
    ) -> (Vec<String>, [u8; 32]) {
        (keys_of(st, address), Self::fingerprint(&st.salt, creds))
    }

    /// Waits until `creds` may be sent to the device at `address`: at once when the device
    /// accepted them before; otherwise as the one request that carries them (the returned
    /// [`Admission`] must be told the verdict), or after another request's verdict. Fails
    /// without sending when they are latched or the verdict was a rejection or a lock.
    pub async fn admit(&self, address: &str, creds: &Credentials) -> Result<Admission> {
        super::flight::admit(self, address, creds).await
    }

    /// Fails with [`Error::CredentialLatched`] when `creds` may not be sent to `address`.
    pub fn check(&self, address: &str, creds: &Credentials) -> Result<()> {
        if self.is_latched(address, creds) {
            tracing::debug!(address, user = %creds.user, "credential latched: not sending it");
            return Err(Error::CredentialLatched {
                user: creds.user.clone(),
            });
        }
        Ok(())
    }

    /// True when `creds` are latched for `address` (an expired lock latch is dropped here).
    pub fn is_latched(&self, address: &str, creds: &Credentials) -> bool {
        let mut st = self.lock();
        let (keys, fp) = Self::identify(&st, address, creds);
        latched_in(&mut st, &keys, &creds.user, &fp)
    }

    /// Records that the device at `address` refused `creds` as `outcome` says (see the rule
    /// on locks in the [type docs](LockoutGuard)).
    pub fn latch(&self, address: &str, creds: &Credentials, outcome: &LoginOutcome) {
        let mut st = self.lock();
        let (keys, fp) = Self::identify(&st, address, creds);
        latch_in(&mut st, &keys, &creds.user, &fp, outcome);
        tracing::debug!(address, user = %creds.user, ?outcome, "credential latched");
    }

    /// Records that the device at `address` accepted `creds`: a latch on exactly this
    /// credential is dropped and it is sent without waiting from now on.
    pub fn record_success(&self, address: &str, creds: &Credentials) {
        let mut st = self.lock();
        let (keys, fp) = Self::identify(&st, address, creds);
        success_in(&mut st, &keys, &creds.user, &fp);
    }

    /// Remembers that the device at `address` has serial number `serial`: from now on the
    /// serial is one of its keys (latches set so far under its host are copied to it).
    pub fn learn_serial(&self, address: &str, serial: &str) {
        let serial = serial.trim();
        if serial.is_empty() || address.starts_with(SADP_KEY_PREFIX) {
            return;
        }
        let mut st = self.lock();
        if st.serials.len() >= MAX_LATCHED_ACCOUNTS {
            st.serials.clear();
        }
        st.serials
            .insert(normalize_authority(address), serial.to_owned());
        let (host, _) = split_authority(address);
        let (from, to) = (format!("host:{host}"), format!("sn:{serial}"));
        let copies: Vec<(Account, Vec<Latch>)> = st
            .accounts
            .iter()
            .filter(|((k, _), _)| *k == from)
            .map(|((_, u), v)| ((to.clone(), u.clone()), v.clone()))
            .collect();
        for (acct, latches) in copies {
            for l in latches {
                push_latch(&mut st.accounts, acct.clone(), l);
            }
        }
    }

    /// Forgets every latch for `user` on the device at `address` (under all of its keys): the
    /// next request may send credentials again. Call it only when you know the device will now
    /// accept them (each rejected try counts toward the device's lock-out).
    pub fn clear(&self, address: &str, user: &str) {
        let mut st = self.lock();
        for k in keys_of(&st, address) {
            st.accounts.remove(&(k, user.to_owned()));
        }
    }

    /// Why `creds` are latched for `address`, and for how much longer when the latch expires.
    pub fn latch_reason(
        &self,
        address: &str,
        creds: &Credentials,
    ) -> Option<(LatchReason, Option<Duration>)> {
        let st = self.lock();
        let (keys, fp) = Self::identify(&st, address, creds);
        let now = Instant::now();
        keys.into_iter().find_map(|k| {
            st.accounts
                .get(&(k, creds.user.clone()))?
                .iter()
                .find(|l| bool::from(l.fingerprint.ct_eq(&fp)) && l.until.is_none_or(|u| u > now))
                .map(|l| (l.reason, l.until.map(|u| u.saturating_duration_since(now))))
        })
    }

    /// How many (device key, user) pairs currently hold at least one latch.
    pub fn latched_accounts(&self) -> usize {
        self.lock().accounts.len()
    }
}

/// True when `fp` is latched under any of `keys` (expired lock latches are dropped).
pub(super) fn latched_in(st: &mut State, keys: &[String], user: &str, fp: &[u8; 32]) -> bool {
    let now = Instant::now();
    let mut hit = false;
    for k in keys {
        let acct = (k.clone(), user.to_owned());
        let Some(list) = st.accounts.get_mut(&acct) else {
            continue;
        };
        list.retain(|l| l.until.is_none_or(|u| u > now));
        hit |= list.iter().any(|l| bool::from(l.fingerprint.ct_eq(fp)));
        if list.is_empty() {
            st.accounts.remove(&acct);
        }
    }
    hit
}

/// True when the device accepted `fp` before (under any of `keys`).
pub(super) fn verified_in(st: &State, keys: &[String], user: &str, fp: &[u8; 32]) -> bool {
    keys.iter().any(|k| {
        st.verified
            .get(&(k.clone(), user.to_owned()))
            .is_some_and(|v| v.iter().any(|x| bool::from(x.ct_eq(fp))))
    })
}

/// True when an earlier answer said the device behind one of `keys` is locked (for `user`)
/// until a time still to come.
fn known_locked(st: &State, keys: &[String], user: &str, now: Instant) -> bool {
    keys.iter().any(|k| {
        st.locked_until
            .get(&(k.clone(), user.to_owned()))
            .is_some_and(|u| *u > now)
    })
}

/// Applies a refusal: see the rule on locks in [`LockoutGuard`].
pub(super) fn latch_in(
    st: &mut State,
    keys: &[String],
    user: &str,
    fp: &[u8; 32],
    outcome: &LoginOutcome,
) {
    let now = Instant::now();
    let (reason, until, expiring) = match outcome {
        LoginOutcome::Rejected { .. } => (LatchReason::Rejected, None, false),
        LoginOutcome::Locked { retry_after } => {
            // A credential the device accepted before did not trigger the lock, and neither
            // did one sent while an earlier answer said the device was already locked (attempts
            // during a lock are not counted; inferred). Any other may have been the attempt
            // that triggered it: it stays latched after the lock.
            let expires = verified_in(st, keys, user, fp) || known_locked(st, keys, user, now);
            let until = retry_after.and_then(|d| now.checked_add(d));
            if let Some(u) = until {
                for k in keys.iter().filter(|k| !k.starts_with("host:")) {
                    if st.locked_until.len() >= MAX_LATCHED_ACCOUNTS {
                        st.locked_until.retain(|_, t| *t > now);
                    }
                    st.locked_until.insert((k.clone(), user.to_owned()), u);
                }
            }
            let until = until.filter(|_| expires);
            (LatchReason::Locked, until, until.is_some())
        }
    };
    if reason == LatchReason::Rejected {
        for k in keys {
            if let Some(v) = st.verified.get_mut(&(k.clone(), user.to_owned())) {
                v.retain(|x| !bool::from(x.ct_eq(fp)));
            }
        }
    }
    for k in keys {
        // a lock that expires belongs to the device behind this address, not the whole host
        if expiring && k.starts_with("host:") {
            continue;
        }
        let acct = (k.clone(), user.to_owned());
        // a rejection is never downgraded to a lock that expires
        let was_rejected = st.accounts.get(&acct).is_some_and(|l| {
            l.iter()
                .any(|l| bool::from(l.fingerprint.ct_eq(fp)) && l.reason == LatchReason::Rejected)
        });
        let (reason, until) = if was_rejected {
            (LatchReason::Rejected, None)
        } else {
            (reason, until)
        };
        if !st.accounts.contains_key(&acct) && st.accounts.len() >= MAX_LATCHED_ACCOUNTS {
            evict_oldest(&mut st.accounts);
        }
        push_latch(
            &mut st.accounts,
            acct,
            Latch {
                fingerprint: *fp,
                reason,
                since: now,
                until,
            },
        );
    }
}

/// Records an acceptance: the latch on `fp` is dropped and `fp` is verified.
pub(super) fn success_in(st: &mut State, keys: &[String], user: &str, fp: &[u8; 32]) {
    for k in keys {
        let acct = (k.clone(), user.to_owned());
        if let Some(list) = st.accounts.get_mut(&acct) {
            list.retain(|l| !bool::from(l.fingerprint.ct_eq(fp)));
            if list.is_empty() {
                st.accounts.remove(&acct);
            }
        }
        if !st.verified.contains_key(&acct) && st.verified.len() >= MAX_LATCHED_ACCOUNTS {
            st.verified.clear();
        }
        let v = st.verified.entry(acct).or_default();
        if !v.iter().any(|x| bool::from(x.ct_eq(fp))) {
            if v.len() >= MAX_LATCHES_PER_ACCOUNT {
                v.remove(0);
            }
            v.push(*fp);
        }
    }
}

fn push_latch(accounts: &mut HashMap<Account, Vec<Latch>>, acct: Account, latch: Latch) {
    let list = accounts.entry(acct).or_default();
    list.retain(|l| !bool::from(l.fingerprint.ct_eq(&latch.fingerprint)));
    if list.len() >= MAX_LATCHES_PER_ACCOUNT {
        list.remove(0);
    }
    list.push(latch);
}

fn evict_oldest(accounts: &mut HashMap<Account, Vec<Latch>>) {
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
#[path = "lockout_tests.rs"]
mod tests;
