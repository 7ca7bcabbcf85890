//! The two places where recovery depends on shared rules: the device password policy, and
//! the `security=1` field cipher. Each is one small function so it can follow the shared
//! implementation in one edit.

use crate::error::{Error, Result};
use crate::keys::Secret;

/// Checks a new admin password against the device password policy before any reset attempt,
/// so that a device never sees a password it would refuse (and never counts the attempt).
///
/// The rules are the documented base policy (isapi.md §4.5): 8–16 printable ASCII characters
/// without spaces, at least two of digits / lower case / upper case / symbols, and not
/// containing the user name (3 characters or more), the user name reversed, or `admin`.
/// Errors say which rule failed, never the password.
pub(crate) fn check_new_password(user: &str, password: &Secret) -> Result<()> {
    let pw = password.expose();
    let refuse = |why: &str| {
        Err(Error::invalid(format!(
            "the new password is refused before sending: {why}"
        )))
    };
    let len = pw.chars().count();
    if !(8..=16).contains(&len) {
        return refuse("it must have 8 to 16 characters");
    }
    if !pw.bytes().all(|b| b.is_ascii_graphic()) {
        return refuse("only printable ASCII characters without spaces are accepted");
    }
    let classes = [
        pw.bytes().any(|b| b.is_ascii_digit()),
        pw.bytes().any(|b| b.is_ascii_lowercase()),
        pw.bytes().any(|b| b.is_ascii_uppercase()),
        pw.bytes().any(|b| b.is_ascii_punctuation()),
    ];
    if classes.iter().filter(|c| **c).count() < 2 {
        return refuse("it must mix at least two of digits, lower case, upper case and symbols");
    }
    let lower = pw.to_ascii_lowercase();
    let user = user.trim().to_ascii_lowercase();
    if user.len() >= 3 {
        let reversed: String = user.chars().rev().collect();
        if lower.contains(&user) || lower.contains(&reversed) {
            return refuse("it must not contain the user name or the user name reversed");
        }
    }
    if lower.contains("admin") {
        return refuse("it must not contain \"admin\"");
    }
    Ok(())
}

/// How the sensitive fields of a request are protected.
///
/// The device's `security=1` cipher derives its key from the *current* password, so it can
/// only protect requests made while the password is known (setting questions, the e-mail,
/// exporting the GUID file). Until the shared cipher is wired here every request is sent
/// [`plain`](FieldProtection::plain), which devices without `securityVersion` expect; use
/// HTTPS when the network is not trusted.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldProtection {
    query: Option<String>,
}

impl FieldProtection {
    /// No field encryption.
    pub(crate) fn plain() -> Self {
        Self { query: None }
    }

    /// The query parameters to add (`security=1&iv=…`), if any.
    pub(crate) fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Protects one field value.
    pub(crate) fn encode(&self, value: &str) -> String {
        value.to_owned()
    }

    /// `path` with the protection's query parameters added.
    pub(crate) fn path(&self, path: &str) -> String {
        match self.query() {
            None => path.to_owned(),
            Some(q) if path.contains('?') => format!("{path}&{q}"),
            Some(q) => format!("{path}?{q}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        let ok = ["N3wPassword!", "abc12345", "ABCD!@#$", "Passw0rd"];
        for p in ok {
            assert!(check_new_password("admin", &Secret::new(p)).is_ok(), "{p}");
        }
        let bad = [
            ("short1A", "admin"),
            ("waytoolongpassword1", "admin"),
            ("abcdefgh", "admin"),
            ("12345678", "admin"),
            ("pass word1", "admin"),
            ("pässword1", "admin"),
            ("xxadmin123", "admin"),
            ("Nimda1234", "admin"),
            ("operator12", "operator"),
            ("Rotarepo12", "operator"),
        ];
        for (p, user) in bad {
            let err = check_new_password(user, &Secret::new(p)).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)));
            assert!(!err.to_string().contains(p), "{err}");
        }
        assert!(check_new_password("ab", &Secret::new("ab12345678")).is_ok());
    }

    #[test]
    fn plain_protection() {
        let p = FieldProtection::plain();
        assert_eq!(p.encode("x"), "x");
        assert_eq!(p.path("/a?format=json"), "/a?format=json");
    }
}
