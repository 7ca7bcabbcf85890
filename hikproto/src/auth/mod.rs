//! Authentication: HTTP Digest and Basic, ISAPI session login, and the lock-out guard.
//!
//! Everything here is sans-IO: the [`Device`](crate::Device) client drives these pieces over
//! HTTP, and tests drive them with scripted answers.
//!
//! * [`challenge`] parses every `WWW-Authenticate` header leniently and picks the strongest
//!   challenge offered (SHA-256 over MD5, Digest over Basic).
//! * [`digest`] answers digest challenges (hash arithmetic by the `digest_auth` crate) with a
//!   growing nonce count, and builds Basic answers.
//! * [`flow`] is the per-request state machine: pre-emptive answers with the cached nonce
//!   (one round trip in steady state), `stale=true` re-challenges, detection of devices that
//!   refuse nonce reuse, and never a second credential for one rejection.
//! * [`refusal`] reads what an answer to an authenticated attempt says about the credential
//!   (rejected, locked, a refused nonce, or nothing).
//! * [`session`] is the web UI's session login: capabilities, the three password-hash
//!   variants, the login document, the cookie, expiry detection.
//! * [`field_cipher`] is the `security=1` sensitive-field cipher (AES-128-CBC, key from the
//!   session-login salt).
//! * [`lockout`] is the one place that decides whether a credential may be sent: it remembers
//!   what devices said about credentials and lets one request at a time carry an unverified
//!   credential (see [`LockoutGuard`] for the rule).
//!
//! Logs (`tracing`, target `hikproto::auth`) describe the flow at debug level and never contain
//! passwords, digest `response=` values, `Authorization` headers or cookies.

pub mod challenge;
pub mod digest;
pub mod field_cipher;
#[cfg(any(feature = "client", feature = "sadp-udp"))]
mod flight;
pub mod flow;
#[cfg(any(feature = "client", feature = "sadp-udp"))]
pub mod lockout;
pub mod refusal;
pub mod session;

#[cfg(test)]
mod flow_tests;

pub use challenge::{Challenge, DigestAlgorithm, DigestChallenge};
pub use flow::NonceReuse;
#[cfg(any(feature = "client", feature = "sadp-udp"))]
pub use lockout::{Admission, LockoutGuard};

use challenge::SchemeFilter;

/// How a [`Device`](crate::Device) authenticates
/// (set with [`DeviceBuilder::auth_mode`](crate::DeviceBuilder::auth_mode)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Header-driven (the default): probe without credentials, then answer the strongest
    /// challenge the device offers: Digest (SHA-256 over MD5), or Basic only when the device
    /// offers nothing but Basic.
    #[default]
    Auto,
    /// HTTP Digest only; a device that offers only Basic gives [`Error::NotSupported`](crate::Error::NotSupported).
    Digest,
    /// HTTP Basic, used only when the device's challenge offers it (never sent blind). Prefer
    /// [`AuthMode::Auto`]: Basic sends the password in clear over plain HTTP.
    Basic,
    /// ISAPI session login (the web UI's cookie session): after one login, requests carry only
    /// the session cookie. No fallback to Digest when the device has no session login.
    Session,
}

impl AuthMode {
    /// The scheme filter a header-driven mode uses (`None` for [`AuthMode::Session`]).
    pub fn scheme_filter(self) -> Option<SchemeFilter> {
        match self {
            Self::Auto => Some(SchemeFilter::Any),
            Self::Digest => Some(SchemeFilter::DigestOnly),
            Self::Basic => Some(SchemeFilter::BasicOnly),
            Self::Session => None,
        }
    }
}
