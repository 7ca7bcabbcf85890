//! Argument checks (nothing is sent when they fail) and the small value types of the commands.

// the checks serve the command client, which needs the `sadp-udp` feature
#![cfg_attr(not(feature = "sadp-udp"), allow(dead_code))]

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::crypto::sadp::SessionKey;
use crate::error::{Error, Result};
use crate::keys::Secret;

use super::probe::QuestionField;

/// Longest password a protocol-3.0 command carries (`MAX_PASS_LEN`).
pub const MAX_PASSWORD_LEN: usize = 16;

/// Longest security answer (`SADP_MAX_ANSWER_LEN`-class limit; the device answers
/// `LongAnswer`/2025 beyond it).
pub const MAX_ANSWER_LEN: usize = 256;

/// The GUID reset token exported by `ExportGUID`, as the device sent it.
///
/// Whoever holds it can reset the admin password, so it is kept as a [`Secret`]. Its wire form
/// is text (the SDK stores up to 128 bytes for protocol 3.0); [`GuidFile::to_bytes`] decodes it
/// when it is base64.
#[derive(Clone, PartialEq, Eq)]
pub struct GuidFile {
    token: Secret,
}

impl GuidFile {
    /// Wraps a token (from a file written earlier, for instance).
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
        }
    }

    /// The token as sent on the wire.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// The token's bytes: base64-decoded when it is base64, else its UTF-8 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = self.token.expose().trim();
        B64.decode(t).unwrap_or_else(|_| t.as_bytes().to_vec())
    }
}

impl fmt::Debug for GuidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GuidFile([redacted])")
    }
}

pub(super) fn check_new_password(p: &Secret) -> Result<()> {
    if p.is_empty() {
        return Err(Error::invalid("the new password is empty"));
    }
    if p.len() > MAX_PASSWORD_LEN {
        return Err(Error::invalid(format!(
            "the new password is longer than {MAX_PASSWORD_LEN} bytes, the most SADP 3.0 carries"
        )));
    }
    Ok(())
}

/// A reset's new password: what SADP can carry, then the device password policy (standard
/// rules) for the account being reset, so a password the device would refuse as risky is
/// stopped before the reset is sent (and before a one-time code or file is spent on it).
pub(super) fn check_reset_password(user: &str, p: &Secret) -> Result<()> {
    check_new_password(p)?;
    crate::reset::check_new_password(user, p, &crate::keys::PasswordPolicy::default())
}

pub(super) fn check_password(p: &Secret) -> Result<()> {
    if p.is_empty() {
        return Err(Error::invalid("the admin password is empty"));
    }
    Ok(())
}

pub(super) fn check_answers(answers: &[(u32, Secret)], exactly_three: bool) -> Result<()> {
    if answers.is_empty() || (exactly_three && answers.len() != 3) {
        return Err(Error::invalid(
            "three security questions with answers are needed",
        ));
    }
    for (i, (id, a)) in answers.iter().enumerate() {
        if a.is_empty() || a.len() > MAX_ANSWER_LEN {
            return Err(Error::invalid(format!(
                "the answer to question {id} must be 1 to {MAX_ANSWER_LEN} bytes"
            )));
        }
        if answers[..i].iter().any(|(other, _)| other == id) {
            return Err(Error::invalid(format!("question {id} is listed twice")));
        }
    }
    Ok(())
}

/// Checks a Hik-Connect verification code the way the device documents it: 6 to 12 printable
/// ASCII characters without spaces (the vendor's complexity rule beyond that is not public).
pub fn check_verification_code(code: &Secret) -> Result<()> {
    let c = code.expose();
    if !(6..=12).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "the verification code must be 6 to 12 printable characters without spaces",
        ));
    }
    Ok(())
}

pub(super) fn check_email(email: &str) -> Result<()> {
    let ok = (3..=128).contains(&email.len())
        && email.contains('@')
        && !email.starts_with('@')
        && !email.ends_with('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("not a usable e-mail address"))
    }
}

pub(super) fn check_code(code: &Secret) -> Result<()> {
    if code.is_empty() {
        return Err(Error::invalid("the reset code is empty"));
    }
    if code.len() > 16 * 1024 {
        return Err(Error::invalid(
            "the reset code is too long for one datagram",
        ));
    }
    Ok(())
}

/// The `Code` value and whether it is encrypted (`bEncrypt="true"` when the device supports it).
pub(super) fn code_field(key: &SessionKey, code: &Secret, encrypt: bool) -> Result<(String, bool)> {
    if encrypt {
        Ok((key.seal(code.expose())?, true))
    } else {
        Ok((code.expose().trim().to_owned(), false))
    }
}

pub(super) fn question_fields(
    key: &SessionKey,
    answers: &[(u32, Secret)],
    mark: bool,
) -> Result<Vec<QuestionField>> {
    answers
        .iter()
        .map(|(id, a)| {
            Ok(QuestionField {
                id: *id,
                answer: Some(key.seal(a.expose())?),
                mark,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_checks() {
        assert!(check_new_password(&Secret::new("")).is_err());
        assert!(check_new_password(&Secret::new("x".repeat(17))).is_err());
        assert!(check_new_password(&Secret::new("Abcdef12")).is_ok());
        assert!(check_verification_code(&Secret::new("ABCDE")).is_err());
        assert!(check_verification_code(&Secret::new("ABCDEF")).is_ok());
        assert!(check_verification_code(&Secret::new("ABCDEFGHIJKL")).is_ok());
        assert!(check_verification_code(&Secret::new("ABCDEFGHIJKLM")).is_err());
        assert!(check_verification_code(&Secret::new("ABC DEF")).is_err());
        assert!(check_email("user@example.com").is_ok());
        assert!(check_email("user example.com").is_err());
        assert!(check_email("@x").is_err());
        let a = |id: u32, s: &str| (id, Secret::new(s));
        assert!(check_answers(&[a(1, "x"), a(2, "y"), a(3, "z")], true).is_ok());
        assert!(check_answers(&[a(1, "x"), a(2, "y")], true).is_err());
        assert!(check_answers(&[a(1, "x"), a(1, "y"), a(3, "z")], true).is_err());
        assert!(check_answers(&[a(1, "")], false).is_err());
        assert!(check_answers(&[a(1, &"x".repeat(257))], false).is_err());
        // error messages never carry the secret
        let e = check_new_password(&Secret::new("TopSecretButWayTooLong!")).unwrap_err();
        assert!(!e.to_string().contains("TopSecret"));
    }

    #[test]
    fn guid_file_is_secret() {
        let g = GuidFile::new("QUJDRA==");
        assert_eq!(format!("{g:?}"), "GuidFile([redacted])");
        assert_eq!(g.to_bytes(), b"ABCD");
        assert_eq!(GuidFile::new("not base64!").to_bytes(), b"not base64!");
    }
}
