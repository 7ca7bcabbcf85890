//! Typed operations, one file per family, each an `impl Device` block:
//!
//! * `provisioning` — capabilities, activation, the `security=1` field key;
//! * `users` — list, add, delete, change password;
//! * `platform` — Hik-Connect (EZVIZ) platform access, the verification code, ISUP (Ehome);
//! * `network` — interfaces, addressing, DNS, admin ports, time and NTP;
//! * `recovery` — password-recovery routes and their preparation;
//! * `protect` — how a secret may travel (TLS, field cipher, or an explicit plain-text opt-in).

mod network;
mod platform;
mod protect;
mod provisioning;
mod recovery;
mod users;

use crate::error::{Error, Result};
use crate::keys::Credentials;

use super::Device;

impl Device {
    /// The credentials of this handle, or an [`Error::InvalidInput`] naming the operation.
    pub(crate) fn require_credentials(&self, what: &str) -> Result<Credentials> {
        self.inner
            .credentials()
            .ok_or_else(|| Error::invalid(format!("{what} needs credentials and none were given")))
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters pass through).
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fresh random hex string of `bytes` bytes from the operating system's CSPRNG.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_queries() {
        assert_eq!(query_escape("admin"), "admin");
        assert_eq!(query_escape("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(random_hex(16).len(), 32);
        assert_ne!(random_hex(16), random_hex(16));
    }
}
