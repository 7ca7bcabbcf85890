//! The 9-character short serial.

use std::fmt;

use serde::Serialize;

use super::LabelError;

/// Longest full serial accepted (SADP's `szSerialNOEx` holds 128 bytes).
const MAX_FULL_SERIAL: usize = 128;

/// The 9-character serial Hik-Connect uses: the last 9 characters of the full serial.
///
/// Stored upper-case. Real short serials are mostly digits but may contain letters
/// (`DS-2CD2385G1-I20200414AAWRE33842150` → `E33842150`), so any ASCII letter or digit is accepted.
///
/// ```
/// use hikproto::hikconnect::ShortSerial;
/// let s = ShortSerial::from_full_serial("DS-2CD2622FWD-IZS20180312BBWR681619114").unwrap();
/// assert_eq!(s.as_str(), "681619114");
/// assert!(s.matches_full_serial("ds-2cd2622fwd-izs20180312bbwr681619114"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ShortSerial(String);

impl ShortSerial {
    /// The length of a short serial.
    pub const LEN: usize = 9;

    /// Parses a short serial: exactly 9 ASCII letters or digits (surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Self, LabelError> {
        let s = s.trim();
        if s.len() != Self::LEN {
            return Err(LabelError::BadSerial {
                reason: format!(
                    "a short serial has 9 characters, found {}",
                    s.chars().count()
                ),
            });
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(LabelError::BadSerial {
                reason: "a short serial has only letters and digits".into(),
            });
        }
        Ok(Self(s.to_ascii_uppercase()))
    }

    /// Takes the last 9 characters of a full serial (`DS-…20180312BBWR681619114`).
    ///
    /// The full serial must be printable ASCII without spaces, at most 128 characters, and end
    /// in 9 letters or digits. A 9-character input is accepted as already short.
    pub fn from_full_serial(full: &str) -> Result<Self, LabelError> {
        let full = full.trim();
        if full.len() > MAX_FULL_SERIAL {
            return Err(LabelError::BadSerial {
                reason: format!("longer than {MAX_FULL_SERIAL} characters"),
            });
        }
        if !full.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(LabelError::BadSerial {
                reason: "a serial is printable ASCII without spaces".into(),
            });
        }
        if full.len() < Self::LEN {
            return Err(LabelError::BadSerial {
                reason: format!("shorter than {} characters", Self::LEN),
            });
        }
        Self::parse(&full[full.len() - Self::LEN..])
    }

    /// The short serial as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `full` (a full or short serial, any case) ends in this short serial.
    pub fn matches_full_serial(&self, full: &str) -> bool {
        let full = full.trim();
        full.len() >= Self::LEN
            && full.is_ascii()
            && full[full.len() - Self::LEN..].eq_ignore_ascii_case(&self.0)
    }
}

impl fmt::Display for ShortSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ShortSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShortSerial({})", self.0)
    }
}

impl std::str::FromStr for ShortSerial {
    type Err = LabelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_serial_table() {
        let ok = [
            ("733050127", "733050127"),
            (" 456654855 ", "456654855"),
            ("e33842150", "E33842150"),
        ];
        for (input, want) in ok {
            assert_eq!(ShortSerial::parse(input).unwrap().as_str(), want, "{input}");
        }
        let bad = [
            "",
            "12345678",
            "1234567890",
            "12345678-",
            "12345 678",
            "١٢٣٤٥٦٧٨٩",
        ];
        for input in bad {
            assert!(
                matches!(ShortSerial::parse(input), Err(LabelError::BadSerial { .. })),
                "{input:?}"
            );
        }
    }

    #[test]
    fn from_full_serial_table() {
        let cases = [
            ("DS-2CD2622FWD-IZS20180312BBWR681619114", Some("681619114")),
            ("DS-2CD2385G1-I20200414AAWRE33842150", Some("E33842150")),
            ("733050127", Some("733050127")),
            ("DS-2CD 2622FWD", None),
            ("12345678", None),
            ("DS-2CD2622FWD-IZS20180312BBWR68161911-", None),
        ];
        for (full, want) in cases {
            let got = ShortSerial::from_full_serial(full).ok();
            assert_eq!(got.as_ref().map(ShortSerial::as_str), want, "{full}");
        }
        let long = "A".repeat(200);
        assert!(ShortSerial::from_full_serial(&long).is_err());
    }

    #[test]
    fn matching() {
        let s = ShortSerial::parse("681619114").unwrap();
        assert!(s.matches_full_serial("DS-2CD2622FWD-IZS20180312BBWR681619114"));
        assert!(s.matches_full_serial("681619114"));
        assert!(!s.matches_full_serial("DS-2CD2622FWD-IZS20180312BBWR681619115"));
        assert!(!s.matches_full_serial("19114"));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"681619114\"");
    }
}
