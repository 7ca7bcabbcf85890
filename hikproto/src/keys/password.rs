//! The device password policy, checked locally before a password is sent anywhere.
//!
//! The rules mirror what devices enforce on activation and on password changes (isapi.md §4.5):
//!
//! * 8–16 characters, printable ASCII only, no spaces;
//! * at least two of four classes: digits, lower case, upper case, special characters;
//! * not equal to the user name, not the user name reversed, and not containing the user name
//!   when the name has three or more characters (compared without regard to case);
//! * not containing `admin` (the web UI rejects it);
//! * [`PolicyLevel::Dvr`] adds the rules a DVR manual lists: no `123`, no run of four or more
//!   sequential digits, no character repeated four or more times in a row.
//!
//! Strength levels follow the device UI: 0 [`Strength::Risky`], 1 [`Strength::Weak`],
//! 2 [`Strength::Medium`], 3 [`Strength::Strong`]. The exact split between Weak and Medium is not
//! documented; hikproto uses the split the web UI is understood to use (inferred): two classes of
//! digits plus one letter case are Weak, any other two classes are Medium, three or more are Strong.
//! A password with any [`PasswordIssue`] is Risky and refused before anything is sent.

use std::fmt;

use serde::Serialize;

use super::Secret;
use crate::error::{Error, Result};

/// How strong a password is, as the device UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Strength {
    /// Level 0: breaks a rule; devices refuse it (`riskPassword`) or accept it with a warning.
    Risky = 0,
    /// Level 1: digits plus one letter case only.
    Weak = 1,
    /// Level 2: two classes other than digits plus one letter case.
    Medium = 2,
    /// Level 3: three or four classes.
    Strong = 3,
}

impl Strength {
    /// The numeric level (0–3) the device UI uses.
    pub fn level(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Risky => "risky",
            Self::Weak => "weak",
            Self::Medium => "medium",
            Self::Strong => "strong",
        })
    }
}

/// Which rule set to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyLevel {
    /// The rules every current camera and NVR enforces.
    #[default]
    Standard,
    /// The stricter DVR rules on top of the standard ones.
    Dvr,
}

/// One reason a password is refused. Never carries the password itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "issue")]
#[non_exhaustive]
pub enum PasswordIssue {
    /// Fewer characters than the policy's minimum.
    TooShort {
        /// The minimum length.
        min: usize,
    },
    /// More characters than the policy's maximum.
    TooLong {
        /// The maximum length.
        max: usize,
    },
    /// A character outside printable ASCII.
    NotPrintableAscii,
    /// A space character.
    ContainsSpace,
    /// Fewer than two character classes (digits, lower case, upper case, special).
    TooFewClasses {
        /// How many classes the password has.
        found: u8,
    },
    /// The password equals the user name.
    EqualsUserName,
    /// The password is the user name reversed.
    ReversedUserName,
    /// The password contains the user name.
    ContainsUserName,
    /// The password contains `admin`.
    ContainsAdmin,
    /// DVR rule: the password contains `123`.
    Contains123,
    /// DVR rule: four or more sequential digits (`2345`, `8765`).
    SequentialDigits,
    /// DVR rule: one character four or more times in a row.
    RepeatedCharacters,
}

impl fmt::Display for PasswordIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { min } => write!(f, "shorter than {min} characters"),
            Self::TooLong { max } => write!(f, "longer than {max} characters"),
            Self::NotPrintableAscii => f.write_str("contains a character outside printable ASCII"),
            Self::ContainsSpace => f.write_str("contains a space"),
            Self::TooFewClasses { found } => write!(
                f,
                "uses {found} kind(s) of characters; at least two of digits, lower case, upper case and special characters are needed"
            ),
            Self::EqualsUserName => f.write_str("equals the user name"),
            Self::ReversedUserName => f.write_str("is the user name reversed"),
            Self::ContainsUserName => f.write_str("contains the user name"),
            Self::ContainsAdmin => f.write_str("contains \"admin\""),
            Self::Contains123 => f.write_str("contains \"123\""),
            Self::SequentialDigits => f.write_str("contains four or more sequential digits"),
            Self::RepeatedCharacters => {
                f.write_str("repeats one character four or more times in a row")
            }
        }
    }
}

/// The result of checking a password: its strength and every rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PasswordCheck {
    /// The strength level; [`Strength::Risky`] whenever `issues` is not empty.
    pub strength: Strength,
    /// Every rule the password breaks, in a stable order.
    pub issues: Vec<PasswordIssue>,
}

impl PasswordCheck {
    /// True when the password breaks no rule.
    pub fn is_acceptable(&self) -> bool {
        self.issues.is_empty()
    }

    /// A one-line explanation of the issues (empty when there are none).
    pub fn explain(&self) -> String {
        self.issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The password rules to apply (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordPolicy {
    /// Standard or DVR rules.
    pub level: PolicyLevel,
    /// Minimum length (8 on the activation and password-change paths).
    pub min_len: usize,
    /// Maximum length (16).
    pub max_len: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

impl PasswordPolicy {
    /// The standard rules: 8–16 characters.
    pub const fn standard() -> Self {
        Self {
            level: PolicyLevel::Standard,
            min_len: 8,
            max_len: 16,
        }
    }

    /// The stricter DVR rules.
    pub const fn dvr() -> Self {
        Self {
            level: PolicyLevel::Dvr,
            min_len: 8,
            max_len: 16,
        }
    }

    /// Checks `password` for `user` against this policy. Pure; nothing is sent.
    pub fn check(&self, user: &str, password: &str) -> PasswordCheck {
        let mut issues = Vec::new();
        let len = password.chars().count();
        if len < self.min_len {
            issues.push(PasswordIssue::TooShort { min: self.min_len });
        }
        if len > self.max_len {
            issues.push(PasswordIssue::TooLong { max: self.max_len });
        }
        if password
            .chars()
            .any(|c| !c.is_ascii() || c.is_ascii_control())
        {
            issues.push(PasswordIssue::NotPrintableAscii);
        }
        if password.contains(' ') {
            issues.push(PasswordIssue::ContainsSpace);
        }
        let classes = classes(password);
        if classes.count() < 2 {
            issues.push(PasswordIssue::TooFewClasses {
                found: classes.count(),
            });
        }
        let pw = password.to_ascii_lowercase();
        let name = user.trim().to_ascii_lowercase();
        if !name.is_empty() {
            let reversed: String = name.chars().rev().collect();
            if pw == name {
                issues.push(PasswordIssue::EqualsUserName);
            } else if pw == reversed {
                issues.push(PasswordIssue::ReversedUserName);
            } else if name.chars().count() >= 3 && pw.contains(&name) {
                issues.push(PasswordIssue::ContainsUserName);
            }
        }
        if pw.contains("admin") {
            issues.push(PasswordIssue::ContainsAdmin);
        }
        if self.level == PolicyLevel::Dvr {
            if pw.contains("123") {
                issues.push(PasswordIssue::Contains123);
            }
            if has_sequential_digits(password.as_bytes(), 4) {
                issues.push(PasswordIssue::SequentialDigits);
            }
            if has_repeats(password.as_bytes(), 4) {
                issues.push(PasswordIssue::RepeatedCharacters);
            }
        }
        let strength = if issues.is_empty() {
            classes.strength()
        } else {
            Strength::Risky
        };
        PasswordCheck { strength, issues }
    }
}

#[derive(Clone, Copy)]
struct Classes {
    digit: bool,
    lower: bool,
    upper: bool,
    special: bool,
}

impl Classes {
    fn count(self) -> u8 {
        u8::from(self.digit) + u8::from(self.lower) + u8::from(self.upper) + u8::from(self.special)
    }

    fn strength(self) -> Strength {
        match self.count() {
            0 | 1 => Strength::Risky,
            2 if self.digit && !self.special => Strength::Weak,
            2 => Strength::Medium,
            _ => Strength::Strong,
        }
    }
}

fn classes(p: &str) -> Classes {
    Classes {
        digit: p.bytes().any(|b| b.is_ascii_digit()),
        lower: p.bytes().any(|b| b.is_ascii_lowercase()),
        upper: p.bytes().any(|b| b.is_ascii_uppercase()),
        special: p.bytes().any(|b| b.is_ascii_punctuation()),
    }
}

fn has_sequential_digits(b: &[u8], run: usize) -> bool {
    b.windows(run).any(|w| {
        w.iter().all(u8::is_ascii_digit)
            && (w.windows(2).all(|p| p[1] == p[0] + 1) || w.windows(2).all(|p| p[0] == p[1] + 1))
    })
}

fn has_repeats(b: &[u8], run: usize) -> bool {
    b.windows(run).any(|w| w.iter().all(|&c| c == w[0]))
}

/// A password that passed the policy: a [`Secret`] plus its strength.
///
/// Build it with [`Password::new`] (standard rules) or [`Password::with_policy`]; every activation
/// and password change in hikproto takes one, so a password that breaks the device rules is refused
/// locally with [`Error::InvalidInput`] before anything is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    secret: Secret,
    strength: Strength,
}

impl Password {
    /// Checks `password` for `user` against the standard policy.
    pub fn new(user: &str, password: impl Into<Secret>) -> Result<Self> {
        Self::with_policy(user, password, &PasswordPolicy::standard())
    }

    /// Checks `password` for `user` against `policy`.
    pub fn with_policy(
        user: &str,
        password: impl Into<Secret>,
        policy: &PasswordPolicy,
    ) -> Result<Self> {
        let secret = password.into();
        let check = policy.check(user, secret.expose());
        if !check.is_acceptable() {
            return Err(Error::invalid(format!(
                "the password for user {user:?} breaks the device password policy: {}",
                check.explain()
            )));
        }
        Ok(Self {
            secret,
            strength: check.strength,
        })
    }

    /// Checks a password without keeping it (the typed reasons, for a UI).
    pub fn check(user: &str, password: &str, policy: &PasswordPolicy) -> PasswordCheck {
        policy.check(user, password)
    }

    /// The strength level.
    pub fn strength(&self) -> Strength {
        self.strength
    }

    /// The password as a [`Secret`].
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The clear text. Use it only where the protocol needs it; never log it.
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Password")
            .field("secret", &self.secret)
            .field("strength", &self.strength)
            .finish()
    }
}

/// `subStatusCode`s with which devices refuse a password for breaking their policy.
const POLICY_REFUSALS: &[&str] = &[
    "riskPassword",
    "illegalPassword",
    "passwordMustContainMorethan8Characters",
    "userPwdLenUnder8",
    "userPwdNameSame",
    "userPwdNameMirror",
    "passwordLenNoMoreThan16",
    "passwordMustContainMorethan2Types",
];

impl Error {
    /// True when the device refused a password as risky (`riskPassword`, 0x60000015).
    ///
    /// The accepted-with-a-warning form (statusCode 1, 0x10000002) is a success and never an
    /// error; operations report it in their result instead.
    pub fn is_risky_password(&self) -> bool {
        self.response_status()
            .is_some_and(|s| s.sub_status_code == "riskPassword" || s.error_code == 0x6000_0015)
    }

    /// True when the device refused a password for breaking its policy (risky, too short, same
    /// as the user name, …).
    pub fn is_password_policy_refusal(&self) -> bool {
        self.response_status().is_some_and(|s| {
            POLICY_REFUSALS.contains(&s.sub_status_code.as_str())
                || matches!(
                    s.error_code,
                    0x6000_0015
                        | 0x6000_2020
                        | 0x6000_0021
                        | 0x6000_0022
                        | 0x6000_0023
                        | 0x6000_0024
                        | 0x6000_005F
                        | 0x6000_6046
                )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isapi::status::{ResponseStatus, status_error};

    fn check(user: &str, pw: &str) -> PasswordCheck {
        PasswordPolicy::standard().check(user, pw)
    }

    #[test]
    fn strength_levels() {
        let table = [
            ("abcd1234", Strength::Weak),
            ("ABCD9876", Strength::Weak),
            ("abcdEFGH", Strength::Medium),
            ("abcd!@#$", Strength::Medium),
            ("9876!@#$", Strength::Medium),
            ("abCD1234", Strength::Strong),
            ("Xy7!Xy7!Q", Strength::Strong),
            ("abcdefgh", Strength::Risky),
            ("12345678", Strength::Risky),
        ];
        for (pw, want) in table {
            assert_eq!(check("user1", pw).strength, want, "{pw}");
        }
    }

    #[test]
    fn every_rule_is_reported() {
        use PasswordIssue::*;
        let table: &[(&str, &str, &[PasswordIssue])] = &[
            ("admin", "Ab1!", &[TooShort { min: 8 }]),
            ("u", "Ab1!Ab1!Ab1!Ab1!x", &[TooLong { max: 16 }]),
            ("u", "Ab1!Ab1 x", &[ContainsSpace]),
            ("u", "Ab1!Ab1\u{e9}x", &[NotPrintableAscii]),
            ("u", "Ab1!Ab1\tx", &[NotPrintableAscii]),
            ("u", "abcdefghij", &[TooFewClasses { found: 1 }]),
            ("Operator1", "operator1", &[EqualsUserName]),
            ("Operator1", "1rotarepO", &[ReversedUserName]),
            ("bob", "xxBOB123!", &[ContainsUserName]),
            ("user", "xAdmin12!", &[ContainsAdmin]),
            ("admin", "Admin12345", &[ContainsUserName, ContainsAdmin]),
            ("ab", "xxab12!!", &[]),
        ];
        for (user, pw, want) in table {
            assert_eq!(&check(user, pw).issues, want, "{user}/{pw}");
        }
    }

    #[test]
    fn dvr_rules_are_stricter() {
        use PasswordIssue::*;
        let dvr = PasswordPolicy::dvr();
        assert!(check("user", "Xk123!aa").is_acceptable());
        assert_eq!(dvr.check("user", "Xk123!aa").issues, [Contains123]);
        assert_eq!(dvr.check("user", "Xk9876!a").issues, [SequentialDigits]);
        assert_eq!(dvr.check("user", "Xk2345!a").issues, [SequentialDigits]);
        assert_eq!(dvr.check("user", "Xkaaaa!7").issues, [RepeatedCharacters]);
        assert!(dvr.check("user", "Xk97!a3aa").is_acceptable());
    }

    #[test]
    fn password_type_refuses_and_redacts() {
        let err = Password::new("admin", "secretpw").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::InvalidInput(_)));
        assert!(!msg.contains("secretpw"), "{msg}");
        assert!(msg.contains("kind(s) of characters"), "{msg}");
        let p = Password::new("admin", "Hik!Vision2024").unwrap();
        assert_eq!(p.strength(), Strength::Strong);
        assert!(!format!("{p:?}").contains("Vision"));
        assert_eq!(p.expose(), "Hik!Vision2024");
    }

    #[test]
    fn risky_refusals_are_recognised() {
        let refused = ResponseStatus {
            status_code: 6,
            status_string: "Invalid Content".into(),
            sub_status_code: "riskPassword".into(),
            error_code: 0x6000_0015,
            ..ResponseStatus::default()
        };
        let risky = status_error(refused, "PUT /ISAPI/System/activate", 400);
        assert!(risky.is_risky_password());
        assert!(risky.is_password_policy_refusal());
        let mirror = status_error(
            ResponseStatus::from_dictionary("userPwdNameMirror"),
            "PUT /x",
            400,
        );
        assert!(!mirror.is_risky_password());
        assert!(mirror.is_password_policy_refusal());
        let other = status_error(
            ResponseStatus::from_dictionary("badXmlContent"),
            "PUT /x",
            400,
        );
        assert!(!other.is_password_policy_refusal());
        assert!(!Error::invalid("x").is_risky_password());
    }
}
