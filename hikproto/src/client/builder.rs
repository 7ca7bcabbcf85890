//! Building a [`Device`](super::Device): address, credentials, timeouts, TLS.

use std::time::Duration;

use crate::auth::{AuthMode, LockoutGuard};
use crate::error::{Error, Result};
use crate::keys::{Credentials, Secret};

use super::Device;
use super::engine::Inner;

/// How HTTPS certificates are checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Verify the certificate chain and host name against the system roots and any added roots
    /// (the default).
    #[default]
    Verify,
    /// Accept exactly the certificate whose SHA-256 fingerprint (of the DER leaf) is given —
    /// the recommended way to trust a device's self-signed certificate.
    PinSha256([u8; 32]),
    /// Accept any certificate. Explicit and loudly named: it gives up protection against
    /// interception. Prefer [`TlsMode::PinSha256`].
    DangerAcceptInvalidCerts,
}

impl TlsMode {
    /// [`TlsMode::PinSha256`] from a fingerprint written as 64 hex digits, with or without `:`
    /// separators (`AB:CD:…` as browsers show it, or `abcd…`).
    pub fn pin_from_hex(fingerprint: &str) -> Result<Self> {
        super::tls::parse_fingerprint(fingerprint)
            .map(Self::PinSha256)
            .ok_or_else(|| Error::invalid("a SHA-256 fingerprint is 64 hex digits"))
    }
}

/// Builder for [`Device`].
#[derive(Debug, Clone)]
pub struct DeviceBuilder {
    pub(crate) host: String,
    pub(crate) https: bool,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) tls: TlsMode,
    pub(crate) extra_roots_der: Vec<Vec<u8>>,
    pub(crate) auth_mode: AuthMode,
    pub(crate) lockout_guard: LockoutGuard,
}

impl DeviceBuilder {
    pub(crate) fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            https: false,
            credentials: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            max_response_bytes: 8 * 1024 * 1024,
            tls: TlsMode::Verify,
            extra_roots_der: Vec::new(),
            auth_mode: AuthMode::Auto,
            lockout_guard: LockoutGuard::global(),
        }
    }

    /// Logs in with this user and password.
    #[must_use]
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials = Some(Credentials::new(user, password));
        self
    }

    /// Uses HTTPS (port 443 unless the host names one).
    #[must_use]
    pub fn https(mut self, yes: bool) -> Self {
        self.https = yes;
        self
    }

    /// Deadline for establishing a connection (also covers the authentication probe).
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Deadline for one whole operation, authentication round trips included.
    #[must_use]
    pub fn timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Largest response body accepted; larger ones fail with [`Error::TooLarge`].
    #[must_use]
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// Sets how certificates are checked (see [`TlsMode`]).
    #[must_use]
    pub fn tls(mut self, mode: TlsMode) -> Self {
        self.tls = mode;
        self
    }

    /// Trusts an additional root certificate (DER) in [`TlsMode::Verify`].
    #[must_use]
    pub fn add_root_certificate_der(mut self, der: Vec<u8>) -> Self {
        self.extra_roots_der.push(der);
        self
    }

    /// Chooses how to authenticate (default [`AuthMode::Auto`]: header-driven Digest/Basic).
    #[must_use]
    pub fn auth_mode(mut self, mode: AuthMode) -> Self {
        self.auth_mode = mode;
        self
    }

    /// Uses this lock-out guard instead of the process-wide one ([`LockoutGuard::global`]).
    /// Handles sharing a guard never re-send a credential one of them saw rejected.
    #[must_use]
    pub fn lockout_guard(mut self, guard: LockoutGuard) -> Self {
        self.lockout_guard = guard;
        self
    }

    /// Builds the handle. No network traffic happens until the first request.
    pub fn build(self) -> Result<Device> {
        if self.host.trim().is_empty() {
            return Err(Error::invalid("host is empty"));
        }
        if self.request_timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::invalid("timeouts must be greater than zero"));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid(
                "the response size cap must be greater than zero",
            ));
        }
        Ok(Device {
            inner: std::sync::Arc::new(Inner::new(self)?),
            plaintext_secrets: false,
        })
    }
}
