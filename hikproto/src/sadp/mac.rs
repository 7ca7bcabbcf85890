//! MAC addresses as SADP spells them.
//!
//! Devices send lower-case, dash-separated addresses (`58-50-ed-1f-e3-85`); users paste them with
//! colons, dots or upper case. [`MacAddr`] parses all of those and always prints the device form,
//! because commands are matched by MAC on the device side.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

/// A 48-bit MAC address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// `ff-ff-ff-ff-ff-ff`: "every device" in requests that address no single device.
    pub const BROADCAST: Self = Self([0xff; 6]);
    /// `00-00-00-00-00-00`: the other "no device" form some clients send.
    pub const ZERO: Self = Self([0; 6]);

    /// The six bytes.
    pub fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// True for the broadcast or all-zero address (a request that addresses no single device).
    pub fn is_wildcard(&self) -> bool {
        *self == Self::BROADCAST || *self == Self::ZERO
    }

    /// Parses `aa-bb-cc-dd-ee-ff`, `AA:BB:CC:DD:EE:FF`, `aabb.ccdd.eeff` or `aabbccddeeff`.
    pub fn parse(s: &str) -> Result<Self> {
        let hex: Vec<u8> = s
            .trim()
            .bytes()
            .filter(|b| !matches!(b, b'-' | b':' | b'.' | b' '))
            .collect();
        let bad = || Error::decode("MAC address", format!("not a MAC address: {:?}", clip(s)));
        if hex.len() != 12 {
            return Err(bad());
        }
        let mut out = [0u8; 6];
        for (i, pair) in hex.chunks_exact(2).enumerate() {
            let hi = nibble(pair[0]).ok_or_else(bad)?;
            let lo = nibble(pair[1]).ok_or_else(bad)?;
            out[i] = (hi << 4) | lo;
        }
        Ok(Self(out))
    }
}

fn nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Shortens attacker-controlled text before it goes into an error message.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

impl FromStr for MacAddr {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl From<[u8; 6]> for MacAddr {
    fn from(b: [u8; 6]) -> Self {
        Self(b)
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacAddr({self})")
    }
}

impl Serialize for MacAddr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_to_the_device_form() {
        for s in [
            "58-50-ed-1f-e3-85",
            "58:50:ED:1F:E3:85",
            "5850.ed1f.e385",
            "5850ED1FE385",
            " 58-50-ed-1f-e3-85 ",
        ] {
            assert_eq!(MacAddr::parse(s).unwrap().to_string(), "58-50-ed-1f-e3-85");
        }
    }

    #[test]
    fn garbage_is_an_error() {
        for s in [
            "",
            "58-50-ed-1f-e3",
            "58-50-ed-1f-e3-85-00",
            "zz-50-ed-1f-e3-85",
            "é€-50-ed-1f-e3",
        ] {
            assert!(MacAddr::parse(s).is_err(), "{s}");
        }
        let long = "x".repeat(10_000);
        let msg = MacAddr::parse(&long).unwrap_err().to_string();
        assert!(msg.len() < 200, "{msg}");
    }

    #[test]
    fn wildcards() {
        assert!(MacAddr::BROADCAST.is_wildcard());
        assert!(MacAddr::parse("00:00:00:00:00:00").unwrap().is_wildcard());
        assert!(!MacAddr::parse("58-50-ed-1f-e3-85").unwrap().is_wildcard());
    }
}
