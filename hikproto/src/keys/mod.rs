//! Secrets: passwords, verification codes, keys.
//!
//! [`Secret`] zeroizes its bytes on drop and prints as `[redacted]` in `Debug` and `Display`, so a
//! secret cannot leak through logs, error messages or `{:?}`. Read it with [`Secret::expose`] at
//! the one place that needs the clear text.
//!
//! The typed secrets built on it check their format before anything is sent to a device:
//!
//! * [`Password`] — the device password policy ([`PasswordPolicy`]) with strength levels
//!   ([`Strength`]) and a typed list of reasons ([`PasswordIssue`]);
//! * [`VerificationCode`] — the Hik-Connect (EZVIZ) device verification code, with generation
//!   from the operating system's CSPRNG;
//! * [`IsupKey`] — the ISUP (Ehome) encryption key.

use std::fmt;

mod codes;
mod password;

pub use codes::{CodeIssue, IsupKey, VerificationCode};
pub use password::{Password, PasswordCheck, PasswordIssue, PasswordPolicy, PolicyLevel, Strength};

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string (password, verification code, key): zeroized on drop, redacted when printed.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The clear text. Use it only where the protocol needs it; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// User name and password for a device.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (not secret).
    pub user: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// Builds credentials.
    pub fn new(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Credentials::new("admin", "Sup3rSecret!");
        let shown = format!("{c:?} {} {:?}", c.password, c.password);
        assert!(!shown.contains("Sup3rSecret"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(c.password.expose(), "Sup3rSecret!");
    }
}
