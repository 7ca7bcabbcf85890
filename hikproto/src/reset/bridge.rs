//! The two places where recovery depends on shared rules: the device password policy
//! ([`crate::keys::PasswordPolicy`]) and the `security=1` field cipher
//! ([`crate::auth::field_cipher`]). Each is used through one small function here.

use crate::auth::field_cipher::{FieldCipher, FieldKey, KeyParams};
use crate::error::Result;
use crate::keys::{Password, PasswordPolicy, Secret};

/// Checks a new admin password against the device password policy before any reset attempt,
/// so that a device never sees a password it would refuse (and never counts the attempt).
/// Errors say which rule failed, never the password.
pub(crate) fn check_new_password(
    user: &str,
    password: &Secret,
    policy: &PasswordPolicy,
) -> Result<()> {
    Password::with_policy(user, password.clone(), policy).map(|_| ())
}

/// How the sensitive fields of one request are protected.
///
/// The device's `security=1` cipher derives its key from the *current* password, so it can
/// only protect requests made while the password is known (setting the questions, the e-mail,
/// exporting the GUID file). Requests of the reset routes themselves, and requests to devices
/// that do not advertise `securityVersion` 1, are sent [`plain`](FieldProtection::plain) only
/// inside TLS or after [`Device::allow_plaintext_secrets`](crate::Device::allow_plaintext_secrets);
/// otherwise they are refused before sending.
// used by the client's recovery operations (the `client` feature)
#[cfg_attr(not(feature = "client"), allow(dead_code))]
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldProtection {
    cipher: Option<FieldCipher>,
}

#[cfg_attr(not(feature = "client"), allow(dead_code))]
impl FieldProtection {
    /// No field encryption.
    pub(crate) fn plain() -> Self {
        Self { cipher: None }
    }

    /// Encryption for `user`/`password` with the device's key parameters, with a fresh IV.
    pub(crate) fn encrypted(user: &str, password: &Secret, params: &KeyParams) -> Result<Self> {
        Ok(Self {
            cipher: Some(FieldKey::derive(user, password, params)?.cipher_random_iv()),
        })
    }

    /// True when fields are encrypted.
    #[cfg(test)]
    pub(crate) fn is_encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    /// Protects one field value.
    pub(crate) fn encode(&self, value: &str) -> String {
        match &self.cipher {
            Some(c) => c.encrypt(value),
            None => value.to_owned(),
        }
    }

    /// `path` with the protection's query parameters (`security=1&iv=…`) added.
    pub(crate) fn path(&self, path: &str) -> String {
        match &self.cipher {
            Some(c) => c.apply_to_path(path),
            None => path.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn policy_is_applied_without_leaking() {
        let std = PasswordPolicy::standard();
        assert!(check_new_password("admin", &Secret::new("N3wPassword!"), &std).is_ok());
        for p in ["short1A", "abcdefgh", "xxadmin123", "pass word1"] {
            let err = check_new_password("admin", &Secret::new(p), &std).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)));
            assert!(!err.to_string().contains(p), "{err}");
        }
        // the DVR rules are stricter
        assert!(check_new_password("admin", &Secret::new("Abcd1234!"), &std).is_ok());
        assert!(
            check_new_password("admin", &Secret::new("Abcd1234!"), &PasswordPolicy::dvr()).is_err()
        );
    }

    #[test]
    fn protection_modes() {
        let p = FieldProtection::plain();
        assert!(!p.is_encrypted());
        assert_eq!(p.encode("x"), "x");
        assert_eq!(p.path("/a?format=json"), "/a?format=json");
        let params = KeyParams::default();
        let e = FieldProtection::encrypted("admin", &Secret::new("Passw0rd!"), &params).unwrap();
        assert!(e.is_encrypted());
        let enc = e.encode("answer");
        assert!(
            enc.len() >= 32 && enc.bytes().all(|b| b.is_ascii_hexdigit()),
            "{enc}"
        );
        assert!(
            e.path("/a?format=json")
                .starts_with("/a?format=json&security=1&iv=")
        );
    }
}
