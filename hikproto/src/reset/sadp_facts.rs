//! Reset facts a SADP `ProbeMatch` (and a `getPasswordResetType` reply) gives.
//!
//! Read by element name from the XML, so they can be filled from whatever type the SADP codec
//! uses: [`SadpResetFacts::from_probe_match`] takes the parsed `ProbeMatch` element and
//! [`SadpResetFacts::from_lookup`] takes any name → text lookup. Element names and meanings are
//! those of sadp-reset-hikconnect.md §1.4 and §1.6.

use serde::Serialize;

use crate::sadp::{PasswordResetTypes, ProbeMatch};
use crate::xml::{Element, parse_bool};

/// Which reset methods a device reports as configured (`getPasswordResetType` reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SadpConfiguredTypes {
    /// `PasswordResetTypeEnabled`: at least one method is configured.
    pub any: Option<bool>,
    /// `SecurityQuestionEnabled`.
    pub security_question: Option<bool>,
    /// `GuidFileDataEnabled`.
    pub guid_file: Option<bool>,
    /// `SecurityEmailEnabled`.
    pub security_email: Option<bool>,
    /// `HCVerificationCodeEnabled`: reset through the Hik-Connect app is set up.
    pub hc_verification_code: Option<bool>,
}

impl SadpConfiguredTypes {
    /// Reads a `getPasswordResetType` reply.
    pub fn from_element(el: &Element) -> Self {
        Self::from_lookup(|n| el.text_at(n).map(str::to_owned))
    }

    /// Reads the fields through any name → text lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let b = |n: &str| get(n).as_deref().and_then(parse_bool);
        Self {
            any: b("PasswordResetTypeEnabled"),
            security_question: b("SecurityQuestionEnabled"),
            guid_file: b("GuidFileDataEnabled"),
            security_email: b("SecurityEmailEnabled"),
            hc_verification_code: b("HCVerificationCodeEnabled"),
        }
    }
}

/// The reset-related facts of a SADP `ProbeMatch`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SadpResetFacts {
    /// `DeviceSN`: the full serial.
    pub serial: Option<String>,
    /// `MAC`.
    pub mac: Option<String>,
    /// `BootTime` (`YYYY-MM-DD hh:mm:ss`, device clock): changes when the device reboots,
    /// which invalidates an exported key file.
    pub boot_time: Option<String>,
    /// `Activated`.
    pub activated: Option<bool>,
    /// `PasswordResetAbility`: supports resetting the password.
    pub password_reset_ability: Option<bool>,
    /// `PasswordResetModeSecond`: the key-file ("encrypted string") method.
    pub reset_mode_second: Option<bool>,
    /// `SupportGUID`.
    pub support_guid: Option<bool>,
    /// `SupportSecurityQuestion`.
    pub support_security_question: Option<bool>,
    /// `SupportMailBox`: reset by e-mail.
    pub support_mailbox: Option<bool>,
    /// `SupportResetPwByPhoneNo`: reset through the app QR.
    pub support_reset_by_phone: Option<bool>,
    /// `SupportRestoreInactive`.
    pub support_restore_inactive: Option<bool>,
    /// `SyncIPCPassword`: an NVR can push the new password to its cameras.
    pub sync_ipc_password: Option<bool>,
    /// `ResetAbility`: the legacy restore-default-password method.
    pub legacy_reset_ability: Option<bool>,
    /// `SADPVersion` split on commas, e.g. `["3.0", "3.1"]`.
    pub sadp_versions: Vec<String>,
    /// `HCPlatformEnable`.
    pub hc_platform_enabled: Option<bool>,
    /// `EZVIZBindStatus`: bound to a Hik-Connect account (1 → true, 2 → false, 0 → unknown).
    pub hc_bound: Option<bool>,
    /// The `getPasswordResetType` answer, when it was asked.
    pub configured: Option<SadpConfiguredTypes>,
}

impl SadpResetFacts {
    /// Reads a parsed `ProbeMatch` element.
    pub fn from_probe_match(el: &Element) -> Self {
        Self::from_lookup(|n| el.text_at(n).map(str::to_owned))
    }

    /// Reads the fields through any name → text lookup (the SADP element names).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let b = |n: &str| get(n).as_deref().and_then(parse_bool);
        let s = |n: &str| {
            get(n)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            serial: s("DeviceSN"),
            mac: s("MAC"),
            boot_time: s("BootTime"),
            activated: b("Activated"),
            password_reset_ability: b("PasswordResetAbility"),
            reset_mode_second: b("PasswordResetModeSecond"),
            support_guid: b("SupportGUID"),
            support_security_question: b("SupportSecurityQuestion"),
            support_mailbox: b("SupportMailBox"),
            support_reset_by_phone: b("SupportResetPwByPhoneNo"),
            support_restore_inactive: b("SupportRestoreInactive"),
            sync_ipc_password: b("SyncIPCPassword"),
            legacy_reset_ability: b("ResetAbility"),
            sadp_versions: s("SADPVersion")
                .map(|v| {
                    v.split(',')
                        .map(|p| p.trim().to_owned())
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            hc_platform_enabled: b("HCPlatformEnable"),
            hc_bound: s("EZVIZBindStatus").and_then(|v| match v.to_ascii_lowercase().as_str() {
                "1" | "bind" | "true" => Some(true),
                "2" | "unbind" | "false" => Some(false),
                _ => None,
            }),
            configured: None,
        }
    }

    /// Adds a `getPasswordResetType` reply.
    #[must_use]
    pub fn with_configured(mut self, configured: SadpConfiguredTypes) -> Self {
        self.configured = Some(configured);
        self
    }

    /// True when the device speaks SADP protocol 3.1 (the QR-key variant is then unavailable).
    pub fn speaks_v31(&self) -> Option<bool> {
        if self.sadp_versions.is_empty() {
            return None;
        }
        let at_least_31 = |v: &str| {
            let mut parts = v.split('.').map(|p| p.trim().parse::<u32>().unwrap_or(0));
            let major = parts.next().unwrap_or(0);
            let minor = parts.next().unwrap_or(0);
            (major, minor) >= (3, 1)
        };
        Some(self.sadp_versions.iter().any(|v| at_least_31(v)))
    }
}

impl From<&ProbeMatch> for SadpResetFacts {
    fn from(pm: &ProbeMatch) -> Self {
        Self::from_probe_match(&pm.to_element())
    }
}

impl From<&PasswordResetTypes> for SadpConfiguredTypes {
    fn from(t: &PasswordResetTypes) -> Self {
        Self {
            any: t.reset_type_enabled,
            security_question: t.security_question,
            guid_file: t.guid_file,
            security_email: t.security_email,
            hc_verification_code: t.hc_verification_code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_match_fields() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<ProbeMatch>
<Uuid>X</Uuid><Types>inquiry</Types><DeviceSN>DS-2CD2385G1-I20200414AAWRE33842150</DeviceSN>
<MAC>58-50-ed-1f-e3-85</MAC><BootTime>2020-01-01 00:00:00</BootTime><Activated>true</Activated>
<ResetAbility>false</ResetAbility><PasswordResetAbility>true</PasswordResetAbility>
<PasswordResetModeSecond>true</PasswordResetModeSecond><SupportSecurityQuestion>true</SupportSecurityQuestion>
<SupportGUID>flase</SupportGUID><SupportMailBox>TRUE</SupportMailBox><SyncIPCPassword>true</SyncIPCPassword>
<SADPVersion>3.0,3.1</SADPVersion><HCPlatformEnable>flase</HCPlatformEnable><EZVIZBindStatus>2</EZVIZBindStatus>
</ProbeMatch>"#;
        let el = Element::parse(doc).unwrap();
        let f = SadpResetFacts::from_probe_match(&el);
        let typed = ProbeMatch::from_element(&el).unwrap();
        assert_eq!(SadpResetFacts::from(&typed), f);
        assert_eq!(
            f.serial.as_deref(),
            Some("DS-2CD2385G1-I20200414AAWRE33842150")
        );
        assert_eq!(f.boot_time.as_deref(), Some("2020-01-01 00:00:00"));
        assert_eq!(f.support_guid, Some(false));
        assert_eq!(f.support_mailbox, Some(true));
        assert_eq!(f.support_reset_by_phone, None);
        assert_eq!(f.legacy_reset_ability, Some(false));
        assert_eq!(f.sadp_versions, vec!["3.0", "3.1"]);
        assert_eq!(f.speaks_v31(), Some(true));
        assert_eq!(f.hc_bound, Some(false));
        assert_eq!(f.hc_platform_enabled, Some(false));

        let types = br#"<ProbeMatch><Types>getPasswordResetType</Types><Result>success</Result><PasswordResetTypeEnabled>true</PasswordResetTypeEnabled><SecurityQuestionEnabled>true</SecurityQuestionEnabled><GuidFileDataEnabled>false</GuidFileDataEnabled></ProbeMatch>"#;
        let c = SadpConfiguredTypes::from_element(&Element::parse(types).unwrap());
        let typed = PasswordResetTypes {
            reset_type_enabled: Some(true),
            security_question: Some(true),
            guid_file: Some(false),
            ..PasswordResetTypes::default()
        };
        assert_eq!(SadpConfiguredTypes::from(&typed), c);
        assert_eq!(c.security_question, Some(true));
        assert_eq!(c.guid_file, Some(false));
        assert_eq!(c.hc_verification_code, None);
        let f = f.with_configured(c);
        assert_eq!(f.configured.unwrap().any, Some(true));

        let old = SadpResetFacts::from_lookup(|n| (n == "SADPVersion").then(|| "3.0".to_owned()));
        assert_eq!(old.speaks_v31(), Some(false));
        assert_eq!(SadpResetFacts::default().speaks_v31(), None);
    }
}
