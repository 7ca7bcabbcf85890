//! The `<Types>` values: what a SADP message asks for or answers.

use std::fmt;

use serde::{Serialize, Serializer};

/// The value of `<Types>` (protocol 3.0 names; reference §1.3).
///
/// Parsing trims whitespace (one unofficial client reports replies with `Types` = `"activate "`),
/// then matches exactly, then case-insensitively; anything else is kept in [`ProbeType::Other`].
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProbeType {
    /// `inquiry`: discovery.
    Inquiry,
    /// `inquiry_v32`: unicast discovery across subnets.
    InquiryV32,
    /// `hello`: boot announcement sent by a device.
    Hello,
    /// `exchangecode`: RSA key exchange before a password-bearing command.
    ExchangeCode,
    /// `activate`: set the first admin password.
    Activate,
    /// `update`: change network parameters.
    Update,
    /// `getcode`: the legacy "device code" (a base64 "SafeCode").
    GetCode,
    /// `getencryptstring`: the "encrypted string" of the export-file reset.
    GetEncryptString,
    /// `reset`: reset with a code (legacy form) or with the support desk's reply file.
    Reset,
    /// `ExportGUID`: export the GUID reset token.
    ExportGuid,
    /// `GUIDReset`: reset the password with a GUID.
    GuidReset,
    /// `getsecurityquestion`: which security questions are set.
    GetSecurityQuestion,
    /// `setsecurityquestion`: configure the three security questions.
    SetSecurityQuestion,
    /// `AnswerReset`: reset the password by answering the security questions.
    AnswerReset,
    /// `SetMailBox`: set the reserved e-mail address.
    SetMailBox,
    /// `GetQRcodes`: the QR payload of the e-mail reset.
    GetQrCodes,
    /// `MailReset`: reset with the code received by e-mail.
    MailReset,
    /// `GetPhoneNoQRCode`: the QR payload of the Hik-Connect app reset.
    GetPhoneNoQrCode,
    /// `PhoneNoReset`: reset with the code shown in the Hik-Connect app.
    PhoneNoReset,
    /// `getPasswordResetType`: which reset methods are configured.
    GetPasswordResetType,
    /// `SetHCPlatform`: enable or disable Hik-Connect platform access.
    SetHcPlatform,
    /// `SetVerificationCode`: set the Hik-Connect verification code.
    SetVerificationCode,
    /// `ezvizUnbind`: release the device from its Hik-Connect account.
    EzvizUnbind,
    /// `getUnbindStatus`: the outcome of `ezvizUnbind`.
    GetUnbindStatus,
    /// `restoreInactive`: return the device to "not activated".
    RestoreInactive,
    /// `lamp`: switch the locator LED on (`open`) or off (`close`).
    Lamp,
    /// Any other value (protocol 3.1 `_v31` names, NVR commands…), trimmed.
    Other(String),
}

const TABLE: &[(ProbeType, &str)] = &[
    (ProbeType::Inquiry, "inquiry"),
    (ProbeType::InquiryV32, "inquiry_v32"),
    (ProbeType::Hello, "hello"),
    (ProbeType::ExchangeCode, "exchangecode"),
    (ProbeType::Activate, "activate"),
    (ProbeType::Update, "update"),
    (ProbeType::GetCode, "getcode"),
    (ProbeType::GetEncryptString, "getencryptstring"),
    (ProbeType::Reset, "reset"),
    (ProbeType::ExportGuid, "ExportGUID"),
    (ProbeType::GuidReset, "GUIDReset"),
    (ProbeType::GetSecurityQuestion, "getsecurityquestion"),
    (ProbeType::SetSecurityQuestion, "setsecurityquestion"),
    (ProbeType::AnswerReset, "AnswerReset"),
    (ProbeType::SetMailBox, "SetMailBox"),
    (ProbeType::GetQrCodes, "GetQRcodes"),
    (ProbeType::MailReset, "MailReset"),
    (ProbeType::GetPhoneNoQrCode, "GetPhoneNoQRCode"),
    (ProbeType::PhoneNoReset, "PhoneNoReset"),
    (ProbeType::GetPasswordResetType, "getPasswordResetType"),
    (ProbeType::SetHcPlatform, "SetHCPlatform"),
    (ProbeType::SetVerificationCode, "SetVerificationCode"),
    (ProbeType::EzvizUnbind, "ezvizUnbind"),
    (ProbeType::GetUnbindStatus, "getUnbindStatus"),
    (ProbeType::RestoreInactive, "restoreInactive"),
    (ProbeType::Lamp, "lamp"),
];

impl ProbeType {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => TABLE
                .iter()
                .find(|(t, _)| t == known)
                .map(|(_, s)| *s)
                .unwrap_or_default(),
        }
    }

    /// Parses a `<Types>` value leniently (trimmed; exact, then case-insensitive).
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        TABLE
            .iter()
            .find(|(_, w)| *w == s)
            .or_else(|| TABLE.iter().find(|(_, w)| w.eq_ignore_ascii_case(s)))
            .map(|(t, _)| t.clone())
            .unwrap_or_else(|| Self::Other(s.to_owned()))
    }

    /// True for the discovery types (`inquiry`, `inquiry_v32`, `hello`), whose replies describe a device.
    pub fn is_discovery(&self) -> bool {
        matches!(self, Self::Inquiry | Self::InquiryV32 | Self::Hello)
    }

    /// True for protocol-3.1 names (`…_v31`), which hikproto recognises but does not send.
    pub fn is_v31(&self) -> bool {
        self.as_str().to_ascii_lowercase().ends_with("_v31")
    }
}

impl Default for ProbeType {
    /// `inquiry`.
    fn default() -> Self {
        Self::Inquiry
    }
}

impl fmt::Display for ProbeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ProbeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProbeType({})", self.as_str())
    }
}

impl Serialize for ProbeType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tolerance() {
        for (t, w) in TABLE {
            assert_eq!(t.as_str(), *w);
            assert_eq!(&ProbeType::parse(w), t);
        }
        assert_eq!(ProbeType::parse("activate "), ProbeType::Activate);
        assert_eq!(ProbeType::parse("\r\nInquiry\t"), ProbeType::Inquiry);
        assert_eq!(ProbeType::parse("exportguid"), ProbeType::ExportGuid);
        let v31 = ProbeType::parse("activate_v31");
        assert_eq!(v31, ProbeType::Other("activate_v31".into()));
        assert!(v31.is_v31());
        assert!(ProbeType::Hello.is_discovery());
        assert!(!ProbeType::Activate.is_discovery());
    }
}
