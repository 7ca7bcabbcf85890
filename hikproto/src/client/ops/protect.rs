//! The rule every secret-carrying operation follows: a secret (password, answer, code, key,
//! reset file) leaves the process only protected —
//!
//! 1. inside TLS (the handle talks HTTPS), or
//! 2. under the device's `security=1` field cipher, or
//! 3. in clear, because the caller opted in for this call with
//!    [`Device::allow_plaintext_secrets`].
//!
//! Without one of these the operation is refused before the secret is sent, with an
//! [`Error::InvalidInput`] naming the three ways out.

use crate::error::{Error, Result};

use super::super::Device;

/// How one secret-carrying request is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carrier {
    /// The handle talks HTTPS.
    Tls,
    /// The caller's field cipher protects the secret fields.
    Cipher,
    /// Sent in clear: the caller opted in ([`Device::allow_plaintext_secrets`]).
    PlaintextOptIn,
}

/// The refusal for `what` (for example `"changing a user's password"`).
pub(crate) fn refusal(what: &str) -> Error {
    Error::invalid(format!(
        "refusing to send the secret of {what} in clear over plain HTTP: use HTTPS (TLS), \
         a device offering the security=1 field cipher, or opt in to plain text for this call \
         (allow_plaintext_secrets)"
    ))
}

/// The refusal for `what` when the secret would travel in the URL (where TLS does not keep it
/// out of logs): only the field cipher or the opt-in will do.
pub(crate) fn url_refusal(what: &str) -> Error {
    Error::invalid(format!(
        "refusing to put the secret of {what} in a URL in clear: HTTPS (TLS) does not keep a URL \
         out of logs, so use a device offering the security=1 field cipher, or opt in to plain \
         text for this call (allow_plaintext_secrets)"
    ))
}

impl Device {
    /// A handle to the same device (sharing connections, credentials and counters) whose
    /// operations may send secrets **in clear** when neither TLS nor the device's `security=1`
    /// field cipher protects them.
    ///
    /// Without this, an operation carrying a password, answer, code or key over plain HTTP to a
    /// device without the cipher is refused before the secret is sent. Use it per call, for a
    /// trusted network only: `dev.allow_plaintext_secrets().set_ehome(…)`. Every plain-text
    /// send is logged as a warning.
    pub fn allow_plaintext_secrets(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            plaintext_secrets: true,
        }
    }

    /// True for a handle made by [`Device::allow_plaintext_secrets`].
    pub fn plaintext_secrets_allowed(&self) -> bool {
        self.plaintext_secrets
    }

    /// True when this handle talks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.inner.base.starts_with("https://")
    }

    /// Decides how the secret of `what` travels when the field cipher is (`ciphered`) or is
    /// not available: the cipher first, then TLS, then the opt-in; otherwise the refusal.
    pub(crate) fn secret_carrier(&self, what: &str, ciphered: bool) -> Result<Carrier> {
        if ciphered {
            Ok(Carrier::Cipher)
        } else if self.is_tls() {
            Ok(Carrier::Tls)
        } else if self.plaintext_secrets {
            tracing::warn!(
                host = %self.inner.host,
                "sending the secret of {what} in clear over plain HTTP (allow_plaintext_secrets)"
            );
            Ok(Carrier::PlaintextOptIn)
        } else {
            Err(refusal(what))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(host: &str) -> Device {
        Device::builder(host).build().unwrap()
    }

    #[test]
    fn cipher_then_tls_then_opt_in_then_refusal() {
        let plain = dev("192.0.2.1");
        assert_eq!(plain.secret_carrier("x", true).unwrap(), Carrier::Cipher);
        let e = plain
            .secret_carrier("setting the ISUP key", false)
            .unwrap_err();
        let text = e.to_string();
        for needle in ["HTTPS", "security=1", "allow_plaintext_secrets", "ISUP key"] {
            assert!(text.contains(needle), "{text}");
        }
        assert!(matches!(e, Error::InvalidInput(_)));
        assert!(!plain.plaintext_secrets_allowed());
        let opted = plain.allow_plaintext_secrets();
        assert!(opted.plaintext_secrets_allowed());
        assert_eq!(
            opted.secret_carrier("x", false).unwrap(),
            Carrier::PlaintextOptIn
        );
        // the opt-in is per handle made for it: the original stays strict
        assert!(plain.secret_carrier("x", false).is_err());
        let tls = dev("https://192.0.2.1");
        assert!(tls.is_tls());
        assert_eq!(tls.secret_carrier("x", false).unwrap(), Carrier::Tls);
        assert!(url_refusal("deleting a user").to_string().contains("URL"));
    }
}
