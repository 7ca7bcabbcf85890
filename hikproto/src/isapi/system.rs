//! Factory reset and reboot (`/ISAPI/System`).
//!
//! Documented (isapi.md §8.7): `PUT /ISAPI/System/factoryReset?mode=<mode>` and
//! `PUT /ISAPI/System/reboot` with an empty body, each answered with a `ResponseStatus`; both need
//! an administrator. `mode=basic` restores defaults but keeps the network and user settings;
//! `mode=full` restores everything. That `full` leaves the device **inactive** (so it must be
//! activated again) is inferred from the factory state; other modes (for example `part`) exist
//! on some families and are passed through as [`FactoryResetMode::Other`].

use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};

/// `PUT` here, with `?mode=…`, to restore defaults.
pub const FACTORY_RESET_PATH: &str = "/ISAPI/System/factoryReset";
/// `PUT` here, with an empty body, to reboot.
pub const REBOOT_PATH: &str = "/ISAPI/System/reboot";

/// How much a factory reset restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FactoryResetMode {
    /// Defaults, keeping network and user settings: the admin password survives.
    Basic,
    /// Everything: the device returns to factory state and (inferred) becomes inactive.
    Full,
    /// A family-specific mode sent as given (letters and digits only).
    Other(String),
}

impl FactoryResetMode {
    /// The `mode` query value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Basic => "basic",
            Self::Full => "full",
            Self::Other(s) => s,
        }
    }

    /// Parses a mode name (`basic`, `full`, or another word of letters and digits).
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        match s.to_ascii_lowercase().as_str() {
            "basic" => Ok(Self::Basic),
            "full" => Ok(Self::Full),
            _ if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                Ok(Self::Other(s.to_owned()))
            }
            _ => Err(Error::invalid(format!("{s:?} is not a factory-reset mode"))),
        }
    }

    /// True when the reset is expected to leave the device inactive (only `full`; inferred).
    pub fn leaves_device_inactive(&self) -> bool {
        matches!(self, Self::Full)
    }

    /// The request path with the mode in the query.
    pub fn path(&self) -> String {
        format!("{FACTORY_RESET_PATH}?mode={}", self.as_str())
    }
}

impl fmt::Display for FactoryResetMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for FactoryResetMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let cases = [
            ("basic", Some("basic")),
            ("FULL", Some("full")),
            ("part", Some("part")),
            ("", None),
            ("a&b=c", None),
            ("full mode", None),
        ];
        for (input, want) in cases {
            let got = FactoryResetMode::parse(input).ok();
            assert_eq!(
                got.as_ref().map(FactoryResetMode::as_str),
                want,
                "{input:?}"
            );
        }
        assert_eq!(
            FactoryResetMode::Full.path(),
            "/ISAPI/System/factoryReset?mode=full"
        );
        assert!(FactoryResetMode::Full.leaves_device_inactive());
        assert!(!FactoryResetMode::Basic.leaves_device_inactive());
    }
}
