//! Request accounting: how many HTTP exchanges a [`Device`](super::Device) made, and how many of
//! them were authentication overhead. Tests use it to prove that steady-state calls cost one
//! round trip.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a device handle's counters (shared by its clones), from
/// [`Device::stats`](super::Device::stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestStats {
    /// HTTP requests sent (every exchange, authentication included).
    pub requests_sent: u64,
    /// `401 Unauthorized` answers received.
    pub unauthorized_seen: u64,
    /// Exchanges made only for authentication: probes answered with a challenge, retries after
    /// a stale or refused nonce, session capabilities/login/logout.
    pub auth_round_trips: u64,
    /// Requests that carried credentials (an `Authorization` header or a session-login hash).
    pub credentials_sent: u64,
    /// Successful session logins.
    pub session_logins: u64,
}

impl RequestStats {
    /// Counter-wise difference `self - earlier` (saturating), for measuring one call.
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            requests_sent: self.requests_sent.saturating_sub(earlier.requests_sent),
            unauthorized_seen: self
                .unauthorized_seen
                .saturating_sub(earlier.unauthorized_seen),
            auth_round_trips: self
                .auth_round_trips
                .saturating_sub(earlier.auth_round_trips),
            credentials_sent: self
                .credentials_sent
                .saturating_sub(earlier.credentials_sent),
            session_logins: self.session_logins.saturating_sub(earlier.session_logins),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests_sent: AtomicU64,
    unauthorized_seen: AtomicU64,
    auth_round_trips: AtomicU64,
    credentials_sent: AtomicU64,
    session_logins: AtomicU64,
}

impl Counters {
    /// Records one exchange.
    pub(crate) fn exchange(&self, status: u16, carried_credentials: bool) {
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
        if status == 401 {
            self.unauthorized_seen.fetch_add(1, Ordering::Relaxed);
        }
        if carried_credentials {
            self.credentials_sent.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn auth_round_trip(&self) {
        self.auth_round_trips.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn session_login(&self) {
        self.session_logins.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> RequestStats {
        RequestStats {
            requests_sent: self.requests_sent.load(Ordering::Relaxed),
            unauthorized_seen: self.unauthorized_seen.load(Ordering::Relaxed),
            auth_round_trips: self.auth_round_trips.load(Ordering::Relaxed),
            credentials_sent: self.credentials_sent.load(Ordering::Relaxed),
            session_logins: self.session_logins.load(Ordering::Relaxed),
        }
    }
}
