//! Per-device counters, readable from the library API so client tests can assert on them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// A snapshot of one device's counters (see [`crate::SimDevice::stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DeviceStats {
    /// HTTP requests received (every request, authenticated or not).
    pub requests: u64,
    /// TCP/TLS connections accepted.
    pub connections: u64,
    /// Requests without credentials answered with a 401 challenge (not failed logins).
    pub challenges: u64,
    /// Logins (Digest, Basic or session) that succeeded.
    pub logins: u64,
    /// Attempts rejected because the credentials were wrong (attempts refused while locked
    /// are counted in [`DeviceStats::locked_rejections`] instead).
    pub auth_failures: u64,
    /// Every failed login this device counted toward its lock-out, on every path: Digest and
    /// Basic answers, session logins, refused reused nonces on a device that counts them
    /// ([`crate::Personality::reused_nonce_counted`]) and SADP passwords, answers and codes.
    pub failed_logins: u64,
    /// The SADP part of [`DeviceStats::failed_logins`].
    pub sadp_failures: u64,
    /// Times a client address was locked after too many failures.
    pub locks: u64,
    /// Attempts refused because the client address was locked.
    pub locked_rejections: u64,
    /// Times a credential that this device had already rejected as wrong was sent again (over
    /// ISAPI or SADP).
    ///
    /// Basic and any password the device knows (current, earlier ones, and those registered
    /// with [`crate::SimDevice::recognise_password`]) are identified exactly. A Digest or
    /// session response for an unknown password cannot be told apart from another unknown
    /// password, so a second such failure for the same user from the same client address,
    /// with no successful login in between, counts as a repeat.
    pub repeated_rejected_credentials: u64,
    /// Digest responses with a correct password but an expired nonce (answered `stale=true`).
    pub stale_nonces: u64,
    /// Digest nonces used again on a device that rejects reuse (or with a replayed `nc`).
    pub nonce_reuse_rejections: u64,
    /// Basic credentials sent to a device that does not offer Basic.
    pub basic_refused: u64,
    /// Requests answered by an injected fault.
    pub faults_injected: u64,
    /// Hits per endpoint, keyed `"METHOD /path"` (query string removed).
    pub endpoints: BTreeMap<String, u64>,
}

impl DeviceStats {
    /// Hits of `path` with any method.
    pub fn hits(&self, path: &str) -> u64 {
        self.endpoints
            .iter()
            .filter(|(k, _)| k.split_once(' ').is_some_and(|(_, p)| p == path))
            .map(|(_, v)| v)
            .sum()
    }

    /// Hits of `method path` (for example `("PUT", "/ISAPI/System/Network/EZVIZ")`).
    pub fn hits_method(&self, method: &str, path: &str) -> u64 {
        self.endpoints
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }
}

/// The live counters of one device.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) connections: AtomicU64,
    pub(crate) challenges: AtomicU64,
    pub(crate) logins: AtomicU64,
    pub(crate) auth_failures: AtomicU64,
    pub(crate) failed_logins: AtomicU64,
    pub(crate) sadp_failures: AtomicU64,
    pub(crate) locks: AtomicU64,
    pub(crate) locked_rejections: AtomicU64,
    pub(crate) repeated_rejected_credentials: AtomicU64,
    pub(crate) stale_nonces: AtomicU64,
    pub(crate) nonce_reuse_rejections: AtomicU64,
    pub(crate) basic_refused: AtomicU64,
    pub(crate) faults_injected: AtomicU64,
    endpoints: Mutex<HashMap<String, u64>>,
}

/// Adds one to a counter.
pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Stats {
    pub(crate) fn hit(&self, method: &str, path: &str) {
        bump(&self.requests);
        let mut map = self.endpoints.lock().unwrap_or_else(|p| p.into_inner());
        // Bound the map: unknown paths are folded into one key past 512 distinct entries.
        let key = format!("{method} {path}");
        if map.len() >= 512 && !map.contains_key(&key) {
            *map.entry("* (other)".into()).or_default() += 1;
        } else {
            *map.entry(key).or_default() += 1;
        }
    }

    pub(crate) fn snapshot(&self) -> DeviceStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DeviceStats {
            requests: g(&self.requests),
            connections: g(&self.connections),
            challenges: g(&self.challenges),
            logins: g(&self.logins),
            auth_failures: g(&self.auth_failures),
            failed_logins: g(&self.failed_logins),
            sadp_failures: g(&self.sadp_failures),
            locks: g(&self.locks),
            locked_rejections: g(&self.locked_rejections),
            repeated_rejected_credentials: g(&self.repeated_rejected_credentials),
            stale_nonces: g(&self.stale_nonces),
            nonce_reuse_rejections: g(&self.nonce_reuse_rejections),
            basic_refused: g(&self.basic_refused),
            faults_injected: g(&self.faults_injected),
            endpoints: self
                .endpoints
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        }
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.requests,
            &self.connections,
            &self.challenges,
            &self.logins,
            &self.auth_failures,
            &self.failed_logins,
            &self.sadp_failures,
            &self.locks,
            &self.locked_rejections,
            &self.repeated_rejected_credentials,
            &self.stale_nonces,
            &self.nonce_reuse_rejections,
            &self.basic_refused,
            &self.faults_injected,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        self.endpoints
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}
