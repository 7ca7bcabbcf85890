//! The vocabulary of recovery: methods, where they run, and what each needs.

use std::fmt;

use serde::Serialize;

/// A way to regain access to a device whose admin password is lost (or to start over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResetMethod {
    /// Answer the three security questions set earlier.
    SecurityQuestions,
    /// Import the GUID file exported earlier.
    GuidFile,
    /// Scan the device's QR code with the Hik-Connect app of the account the device is bound to.
    HikConnectApp,
    /// Mail the device's QR code to the vendor; a code arrives at the reserved e-mail address.
    ReservedEmail,
    /// Export the device's key file ("encrypted string") on the LAN, send it to vendor support,
    /// import the reply file they send back (SADP "reset mode 2").
    SupportKeyFile,
    /// The same request shown as a QR code; support answers with an 8-character key
    /// (SADP protocol 3.0 only).
    SupportQrKey,
    /// Restore factory settings over ISAPI (`basic` keeps users; `full` makes the device
    /// inactive). Needs the admin password.
    FactoryReset,
    /// Return the device to "not activated" over SADP. Needs the admin password.
    RestoreInactive,
    /// The hardware reset button (not on every model): factory state, inactive.
    ResetButton,
    /// The obsolete code computed from the serial number and the device date. Reported when a
    /// device advertises it; deliberately **not implemented** (see the [`reset`](super) docs).
    LegacySecurityCode,
}

impl ResetMethod {
    /// Every method, in the order a plan lists them (self-service first, destructive last).
    pub const ALL: [Self; 10] = [
        Self::SecurityQuestions,
        Self::GuidFile,
        Self::HikConnectApp,
        Self::ReservedEmail,
        Self::SupportKeyFile,
        Self::SupportQrKey,
        Self::FactoryReset,
        Self::RestoreInactive,
        Self::ResetButton,
        Self::LegacySecurityCode,
    ];

    /// A short name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::SecurityQuestions => "security questions",
            Self::GuidFile => "GUID file",
            Self::HikConnectApp => "Hik-Connect app",
            Self::ReservedEmail => "reserved e-mail",
            Self::SupportKeyFile => "key file via vendor support",
            Self::SupportQrKey => "QR key via vendor support",
            Self::FactoryReset => "factory reset",
            Self::RestoreInactive => "restore inactive",
            Self::ResetButton => "reset button",
            Self::LegacySecurityCode => "legacy security code",
        }
    }

    /// True when the method keeps the device's configuration (only the password changes).
    pub fn keeps_configuration(self) -> bool {
        !matches!(
            self,
            Self::FactoryReset | Self::RestoreInactive | Self::ResetButton
        )
    }

    /// The SDK reset type (`byResetType`) a SADP reset with this method uses, when there is one.
    pub fn sadp_reset_type(self) -> Option<u8> {
        match self {
            Self::LegacySecurityCode => Some(1),
            Self::SupportKeyFile => Some(2),
            Self::SupportQrKey => Some(3),
            Self::GuidFile => Some(4),
            Self::SecurityQuestions => Some(5),
            Self::ReservedEmail => Some(6),
            Self::HikConnectApp => Some(7),
            _ => None,
        }
    }
}

impl fmt::Display for ResetMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a method is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Transport {
    /// ISAPI over HTTP(S): the `Device` operations of this crate.
    Isapi,
    /// SADP on the same LAN segment (the `sadp` module's commands).
    Sadp,
    /// By hand at the device (button, local menu).
    OnSite,
}

/// A condition a method depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Prerequisite {
    /// The three security questions were answered earlier.
    QuestionsSet,
    /// A reserved e-mail address was set earlier.
    ReservedEmailSet,
    /// A GUID file was exported earlier and is at hand.
    GuidFileExported,
    /// The device is bound to a Hik-Connect account the owner can log in to.
    BoundToHikConnect,
    /// The computer is on the device's LAN segment (SADP does not cross routers).
    SameLan,
    /// The current admin password is known.
    PasswordKnown,
    /// Vendor support can be reached (usually with proof of purchase).
    VendorSupport,
    /// The device is not rebooted between exporting the key file and importing the reply.
    NoRebootBetween,
    /// Someone can press the button at the device.
    PhysicalAccess,
}

impl Prerequisite {
    /// True when it can be put in place now, with the admin password, for later use.
    pub fn preparable(self) -> bool {
        matches!(
            self,
            Self::QuestionsSet
                | Self::ReservedEmailSet
                | Self::GuidFileExported
                | Self::BoundToHikConnect
        )
    }

    /// A short description for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::QuestionsSet => "security questions set",
            Self::ReservedEmailSet => "reserved e-mail set",
            Self::GuidFileExported => "GUID file exported earlier",
            Self::BoundToHikConnect => "bound to a Hik-Connect account",
            Self::SameLan => "same LAN as the device",
            Self::PasswordKnown => "admin password known",
            Self::VendorSupport => "vendor support reachable",
            Self::NoRebootBetween => "no reboot between export and import",
            Self::PhysicalAccess => "physical access to the device",
        }
    }
}

impl fmt::Display for Prerequisite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A three-valued fact: known yes, known no, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Fact {
    /// Known to hold.
    Yes,
    /// Known not to hold.
    No,
    /// Not known.
    #[default]
    Unknown,
}

impl Fact {
    /// From an optional boolean.
    pub fn from_option(b: Option<bool>) -> Self {
        match b {
            Some(true) => Self::Yes,
            Some(false) => Self::No,
            None => Self::Unknown,
        }
    }

    /// Combines sources: any `Yes` wins, then any `No`, else `Unknown`.
    ///
    /// Sources disagree when a device advertises a method on one interface and not another;
    /// the method is then available on the interface that says yes.
    pub fn any(facts: impl IntoIterator<Item = Self>) -> Self {
        let mut seen_no = false;
        for f in facts {
            match f {
                Self::Yes => return Self::Yes,
                Self::No => seen_no = true,
                Self::Unknown => {}
            }
        }
        if seen_no { Self::No } else { Self::Unknown }
    }

    /// True for `Yes`.
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }

    /// True for `No`.
    pub fn is_no(self) -> bool {
        self == Self::No
    }
}

impl From<Option<bool>> for Fact {
    fn from(b: Option<bool>) -> Self {
        Self::from_option(b)
    }
}

impl From<bool> for Fact {
    fn from(b: bool) -> Self {
        if b { Self::Yes } else { Self::No }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_combination_table() {
        use Fact::*;
        let cases = [
            (vec![], Unknown),
            (vec![Unknown, Unknown], Unknown),
            (vec![No, Unknown], No),
            (vec![No, Yes], Yes),
            (vec![Unknown, Yes, No], Yes),
        ];
        for (input, want) in cases {
            assert_eq!(Fact::any(input.clone()), want, "{input:?}");
        }
        assert_eq!(Fact::from(Some(false)), No);
        assert_eq!(Fact::from(None), Unknown);
    }

    #[test]
    fn method_tables() {
        assert_eq!(ResetMethod::ALL.len(), 10);
        assert_eq!(ResetMethod::GuidFile.sadp_reset_type(), Some(4));
        assert_eq!(ResetMethod::FactoryReset.sadp_reset_type(), None);
        assert!(!ResetMethod::ResetButton.keeps_configuration());
        assert!(ResetMethod::SecurityQuestions.keeps_configuration());
        assert!(Prerequisite::QuestionsSet.preparable());
        assert!(!Prerequisite::SameLan.preparable());
        assert_eq!(
            serde_json::to_string(&ResetMethod::HikConnectApp).unwrap(),
            "\"hikConnectApp\""
        );
    }
}
