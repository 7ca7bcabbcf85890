//! The Hik-Connect (EZVIZ) verification code and the ISUP (Ehome) key.
//!
//! Verification code rules (isapi.md §5.3): 6–12 letters and digits, `^[A-Za-z0-9]{6,12}$`.
//! Older devices shipped a sticker code of exactly six upper-case letters; such codes are still
//! read and recognised ([`VerificationCode::is_legacy`]). The code is the platform secret and the
//! stream-encryption key, so hikproto treats it as **case-sensitive** (no source says otherwise;
//! inferred).
//!
//! Setting a code is stricter than reading one: [`VerificationCode::new`] also refuses obvious
//! codes (`ABCDEF`, one character repeated, straight sequences such as `123456` or `abcdef`, short
//! repeated patterns such as `ababab`, a few keyboard rows, and — with
//! [`VerificationCode::new_for_device`] — the device's serial number or its 9-character short
//! serial). [`VerificationCode::generate`] draws from the operating system's CSPRNG over an
//! alphabet without look-alikes (no `0`/`O`/`o`, `1`/`I`/`l`).

use std::fmt;

use rand::Rng;
use rand::rngs::OsRng;
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::Secret;
use crate::error::{Error, Result};

/// Why a verification code (or ISUP key) was refused. Never carries the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CodeIssue {
    /// Outside the allowed length.
    Length {
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: usize,
    },
    /// A character other than the allowed ones.
    Characters,
    /// The literal `ABCDEF` (refused by the device web UI).
    Abcdef,
    /// One character repeated.
    AllSame,
    /// A straight sequence (`123456`, `fedcba`).
    Sequence,
    /// A short pattern repeated (`ababab`, `123123`).
    RepeatedPattern,
    /// A well-known weak word or keyboard row.
    CommonWord,
    /// Equal to the device's serial number or short serial.
    EqualsSerial,
}

impl fmt::Display for CodeIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { min, max } => write!(f, "must be {min} to {max} characters long"),
            Self::Characters => f.write_str("contains characters that are not allowed"),
            Self::Abcdef => f.write_str("ABCDEF is refused by devices"),
            Self::AllSame => f.write_str("repeats a single character"),
            Self::Sequence => f.write_str("is a straight sequence"),
            Self::RepeatedPattern => f.write_str("repeats a short pattern"),
            Self::CommonWord => f.write_str("is a well-known weak code"),
            Self::EqualsSerial => f.write_str("equals the device serial number"),
        }
    }
}

/// Characters used by [`VerificationCode::generate`]: letters and digits without look-alikes.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";

const COMMON: &[&str] = &[
    "qwerty",
    "qwertz",
    "azerty",
    "asdfgh",
    "zxcvbn",
    "qwertyuiop",
    "password",
    "passw0rd",
    "hikvision",
    "hikconnect",
    "abc123",
    "abcd1234",
    "admin123",
    "123abc",
    "letmein",
];

/// The Hik-Connect device verification code: a [`Secret`], redacted when printed.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(Secret);

impl VerificationCode {
    /// Shortest code devices accept.
    pub const MIN_LEN: usize = 6;
    /// Longest code devices accept.
    pub const MAX_LEN: usize = 12;
    /// Length of generated codes unless asked otherwise.
    pub const GENERATED_LEN: usize = 10;

    /// A code to set on a device: format checked and obvious codes refused.
    pub fn new(code: impl Into<Secret>) -> Result<Self> {
        Self::checked(code.into(), None)
    }

    /// Like [`VerificationCode::new`], also refusing the device's serial or short serial.
    pub fn new_for_device(code: impl Into<Secret>, serial: &str) -> Result<Self> {
        Self::checked(code.into(), Some(serial))
    }

    /// A code as a device reports it: only the format is checked (legacy and weak codes pass).
    pub fn from_device(code: impl Into<Secret>) -> Result<Self> {
        let code = code.into();
        match format_issue(code.expose()) {
            None => Ok(Self(code)),
            Some(i) => Err(refusal("the verification code the device reported", i)),
        }
    }

    /// Every reason `code` would be refused by [`VerificationCode::new_for_device`].
    pub fn issues(code: &str, serial: Option<&str>) -> Vec<CodeIssue> {
        if let Some(i) = format_issue(code) {
            return vec![i];
        }
        let lower = code.to_ascii_lowercase();
        let b = lower.as_bytes();
        let mut out = Vec::new();
        if lower == "abcdef" {
            out.push(CodeIssue::Abcdef);
        }
        if b.iter().all(|&c| c == b[0]) {
            out.push(CodeIssue::AllSame);
        } else if is_sequence(b) {
            out.push(CodeIssue::Sequence);
        } else if has_short_period(b) {
            out.push(CodeIssue::RepeatedPattern);
        }
        if COMMON.contains(&lower.as_str()) {
            out.push(CodeIssue::CommonWord);
        }
        if let Some(serial) = serial.map(str::trim).filter(|s| !s.is_empty()) {
            let serial = serial.to_ascii_lowercase();
            let short = serial
                .get(serial.len().saturating_sub(9)..)
                .unwrap_or(&serial);
            if lower == serial || lower == short {
                out.push(CodeIssue::EqualsSerial);
            }
        }
        out
    }

    fn checked(code: Secret, serial: Option<&str>) -> Result<Self> {
        match Self::issues(code.expose(), serial).first() {
            None => Ok(Self(code)),
            Some(&i) => Err(refusal("verification code", i)),
        }
    }

    /// A fresh random code of [`Self::GENERATED_LEN`] characters.
    pub fn generate() -> Self {
        Self::generate_valid(Self::GENERATED_LEN)
    }

    /// A fresh random code of `len` characters (6–12), with at least one letter and one digit.
    pub fn generate_with_len(len: usize) -> Result<Self> {
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(refusal(
                "generated verification code",
                CodeIssue::Length {
                    min: Self::MIN_LEN,
                    max: Self::MAX_LEN,
                },
            ));
        }
        Ok(Self::generate_valid(len))
    }

    /// Draws until the code has a letter and a digit and is not obvious (`len` is within range).
    fn generate_valid(len: usize) -> Self {
        loop {
            let s = Secret::new(random_string(len));
            let c = s.expose();
            let mixed =
                c.bytes().any(|b| b.is_ascii_digit()) && c.bytes().any(|b| b.is_ascii_alphabetic());
            if mixed && Self::issues(c, None).is_empty() {
                return Self(s);
            }
        }
    }

    /// True for the legacy sticker form: exactly six upper-case letters.
    pub fn is_legacy(&self) -> bool {
        let c = self.0.expose();
        c.len() == 6 && c.bytes().all(|b| b.is_ascii_uppercase())
    }

    /// Compares with `other` in constant time, case-sensitively.
    pub fn matches(&self, other: &str) -> bool {
        self.0.expose().as_bytes().ct_eq(other.as_bytes()).into()
    }

    /// The code as a [`Secret`].
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// The clear text. Use it only where the protocol needs it; never log it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Length in characters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a code has at least six characters. (Present for API symmetry.)
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationCode([redacted])")
    }
}

impl fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

fn format_issue(code: &str) -> Option<CodeIssue> {
    let n = code.chars().count();
    if !(VerificationCode::MIN_LEN..=VerificationCode::MAX_LEN).contains(&n) {
        return Some(CodeIssue::Length {
            min: VerificationCode::MIN_LEN,
            max: VerificationCode::MAX_LEN,
        });
    }
    if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Some(CodeIssue::Characters);
    }
    None
}

fn is_sequence(b: &[u8]) -> bool {
    let up = b.windows(2).all(|w| w[1] == w[0].wrapping_add(1));
    let down = b.windows(2).all(|w| w[0] == w[1].wrapping_add(1));
    up || down
}

fn has_short_period(b: &[u8]) -> bool {
    (2..=3).any(|p| b.len() >= 2 * p && b.iter().enumerate().all(|(i, &c)| c == b[i % p]))
}

fn random_string(len: usize) -> String {
    (0..len)
        .map(|_| char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())]))
        .collect()
}

fn refusal(what: &str, issue: CodeIssue) -> Error {
    Error::invalid(format!("{what} refused: it {issue}"))
}

/// The ISUP (Ehome) encryption key: 8–32 printable ASCII characters without spaces.
///
/// The device capability reports `key` with 8–32 characters (isapi.md §5.4). Which characters are
/// allowed is not documented; hikproto accepts printable ASCII without spaces (inferred). The key is
/// write-only on devices: a GET never returns it.
#[derive(Clone, PartialEq, Eq)]
pub struct IsupKey(Secret);

impl IsupKey {
    /// Shortest key.
    pub const MIN_LEN: usize = 8;
    /// Longest key.
    pub const MAX_LEN: usize = 32;

    /// Checks and wraps a key.
    pub fn new(key: impl Into<Secret>) -> Result<Self> {
        let key = key.into();
        let k = key.expose();
        let n = k.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&n) {
            return Err(refusal(
                "ISUP key",
                CodeIssue::Length {
                    min: Self::MIN_LEN,
                    max: Self::MAX_LEN,
                },
            ));
        }
        if !k.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(refusal("ISUP key", CodeIssue::Characters));
        }
        Ok(Self(key))
    }

    /// A fresh random key of `len` characters (8–32) from the look-alike-free alphabet.
    pub fn generate(len: usize) -> Result<Self> {
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(refusal(
                "generated ISUP key",
                CodeIssue::Length {
                    min: Self::MIN_LEN,
                    max: Self::MAX_LEN,
                },
            ));
        }
        Ok(Self(Secret::new(random_string(len))))
    }

    /// The key as a [`Secret`].
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// The clear text. Use it only where the protocol needs it; never log it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for IsupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IsupKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_rules() {
        for ok in ["Xk42pQ", "k7Pq2mZx9R", "ZXCV12pq", "a1b2c3d4e5f6"] {
            assert!(VerificationCode::new(ok).is_ok(), "{ok}");
        }
        for bad in ["Ab12", "Abc123Abc123x", "Abc 12", "Abc-123", "Äbc123", ""] {
            let e = VerificationCode::new(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidInput(_)));
            assert!(bad.is_empty() || !e.to_string().contains(bad), "{e}");
        }
    }

    #[test]
    fn obvious_codes_are_refused() {
        use CodeIssue::*;
        let table: &[(&str, CodeIssue)] = &[
            ("ABCDEF", Abcdef),
            ("abcdef", Abcdef),
            ("aaaaaa", AllSame),
            ("777777777", AllSame),
            ("123456", Sequence),
            ("987654", Sequence),
            ("uvwxyz", Sequence),
            ("ababab", RepeatedPattern),
            ("123123123", RepeatedPattern),
            ("QWERTY", CommonWord),
            ("Passw0rd", CommonWord),
        ];
        for (code, want) in table {
            let got = VerificationCode::issues(code, None);
            assert!(got.contains(want), "{code}: {got:?}");
            assert!(VerificationCode::new(*code).is_err());
        }
        let serial = "DS-2CD2386G2-IU20240101AAWRG12345678";
        assert_eq!(
            VerificationCode::issues("G12345678", Some(serial)),
            [EqualsSerial]
        );
        assert!(VerificationCode::new_for_device("g12345678", serial).is_err());
        assert!(VerificationCode::new_for_device("Hq7pRt2mW", serial).is_ok());
    }

    #[test]
    fn legacy_codes_are_read_and_recognised() {
        let legacy = VerificationCode::from_device("ABCDEF").unwrap();
        assert!(legacy.is_legacy());
        assert!(VerificationCode::from_device("QHXKTR").unwrap().is_legacy());
        assert!(!VerificationCode::from_device("QHXKtr").unwrap().is_legacy());
        assert!(VerificationCode::from_device("QH-KTR").is_err());
    }

    #[test]
    fn case_sensitive_matching() {
        let c = VerificationCode::new("Hq7pRt2mW").unwrap();
        assert!(c.matches("Hq7pRt2mW"));
        assert!(!c.matches("hq7prt2mw"));
        assert!(!c.matches("Hq7pRt2m"));
    }

    #[test]
    fn generation_uses_the_safe_alphabet() {
        let mut seen = std::collections::HashSet::new();
        for len in 6..=12 {
            for _ in 0..50 {
                let c = VerificationCode::generate_with_len(len).unwrap();
                assert_eq!(c.len(), len);
                assert!(VerificationCode::issues(c.expose(), None).is_empty());
                assert!(!c.expose().contains(['0', 'O', 'o', '1', 'I', 'l']));
                assert!(c.expose().bytes().any(|b| b.is_ascii_digit()));
                seen.insert(c.expose().to_owned());
            }
        }
        assert!(seen.len() > 340, "codes repeat: {}", seen.len());
        assert_eq!(VerificationCode::generate().len(), 10);
        assert!(VerificationCode::generate_with_len(5).is_err());
        assert!(VerificationCode::generate_with_len(13).is_err());
    }

    #[test]
    fn secrets_are_redacted() {
        let c = VerificationCode::new("Hq7pRt2mW").unwrap();
        let k = IsupKey::new("isup-Key_2024").unwrap();
        let shown = format!("{c:?} {c} {k:?}");
        assert!(
            !shown.contains("Hq7pRt2mW") && !shown.contains("isup-Key"),
            "{shown}"
        );
    }

    #[test]
    fn isup_key_rules() {
        assert!(IsupKey::new("12345678").is_ok());
        assert!(IsupKey::new("x".repeat(32)).is_ok());
        assert!(IsupKey::new("1234567").is_err());
        assert!(IsupKey::new("x".repeat(33)).is_err());
        assert!(IsupKey::new("with space").is_err());
        let g = IsupKey::generate(16).unwrap();
        assert_eq!(g.expose().len(), 16);
        assert!(IsupKey::generate(7).is_err());
    }
}
