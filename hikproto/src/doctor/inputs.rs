//! Turning what the user and SADP supply into facts: the label QR text (parsed with
//! [`crate::hikconnect::LabelQr`]), the password (checked with the device password policy), and
//! a SADP [`ProbeMatch`].

use super::facts::{BindStatus, LabelFacts, SadpView, Supplied, UserInputs};
use crate::hikconnect::LabelQr;
use crate::keys::PasswordPolicy;
use crate::sadp::{self, ProbeMatch};

/// The user name the doctor assumes when none is given.
pub const DEFAULT_USER: &str = "admin";

impl UserInputs {
    /// The user name to log in with (`admin` unless given).
    pub fn user_name(&self) -> &str {
        self.user.as_deref().unwrap_or(DEFAULT_USER)
    }
}

/// Reads a label QR text into label facts; text that is not a label gives `unreadable`.
pub fn label_facts(text: &str) -> LabelFacts {
    match LabelQr::parse(text) {
        Ok(l) => LabelFacts {
            serial: Some(l.serial.as_str().to_owned()),
            code: l.verification_code.clone(),
            model: l.model.clone(),
            unreadable: None,
        },
        // LabelError messages never contain the code.
        Err(e) => LabelFacts {
            unreadable: Some(e.to_string()),
            ..LabelFacts::default()
        },
    }
}

/// What the user supplied, as the rules see it (pure: nothing is sent).
pub fn supplied(inputs: &UserInputs) -> Supplied {
    Supplied {
        stored_code: inputs.stored_code.clone(),
        label: inputs.label_qr.as_deref().map(label_facts),
        password_problems: inputs.password.as_ref().map(|p| {
            PasswordPolicy::default()
                .check(inputs.user_name(), p.expose())
                .issues
                .iter()
                .map(ToString::to_string)
                .collect()
        }),
        app_error: inputs.app_error,
        in_own_account: inputs.in_own_account,
    }
}

impl From<&ProbeMatch> for SadpView {
    fn from(pm: &ProbeMatch) -> Self {
        Self {
            activated: pm.activated,
            hc_platform_supported: pm.support_hc_platform,
            hc_platform_enabled: pm.hc_platform_enable,
            bind_status: match pm.bind_status() {
                Some(sadp::BindStatus::Bound) => Some(BindStatus::Bound),
                Some(sadp::BindStatus::NotBound) => Some(BindStatus::NotBound),
                _ => None,
            },
            software_version: pm.software_version.clone(),
            model: pm.device_description.clone(),
            serial: pm.device_sn.clone(),
            mac: pm.mac.map(|m| m.to_string()),
            ipv4_address: pm.ipv4_address.map(|a| a.to_string()),
            ipv4_subnet_mask: pm.ipv4_subnet_mask.map(|a| a.to_string()),
            ipv4_gateway: pm.ipv4_gateway.map(|a| a.to_string()),
            http_port: pm.http_port,
            locked: None,
            lock_minutes_left: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Secret;

    #[test]
    fn label_text_becomes_facts() {
        let l = label_facts("www.hik-connect.com\r\n681619114\r\nABCDEF\r\nDS-2CD2622FWD-IZS\r\n");
        assert_eq!(l.serial.as_deref(), Some("681619114"));
        assert_eq!(l.code.as_ref().map(Secret::expose), Some("ABCDEF"));
        assert_eq!(l.model.as_deref(), Some("DS-2CD2622FWD-IZS"));
        assert!(l.unreadable.is_none());
        let bad = label_facts("www.hik-connect.com\n681619114\nAB\n");
        assert!(bad.unreadable.is_some() && bad.serial.is_none());
        assert!(label_facts("").unreadable.is_some());
    }

    #[test]
    fn password_is_checked_against_the_policy() {
        let weak = supplied(&UserInputs {
            password: Some(Secret::new("12345")),
            ..UserInputs::default()
        });
        let p = weak.password_problems.unwrap();
        assert!(!p.is_empty());
        assert!(p.iter().all(|s| !s.contains("12345")));
        let strong = supplied(&UserInputs {
            password: Some(Secret::new("Gx7!pLm2qR")),
            ..UserInputs::default()
        });
        assert_eq!(strong.password_problems, Some(Vec::new()));
        assert_eq!(supplied(&UserInputs::default()).password_problems, None);
    }

    #[test]
    fn probe_match_maps_to_the_sadp_view() {
        let xml = br#"<ProbeMatch><Uuid>U</Uuid><Types>inquiry</Types><DeviceDescription>DS-2CD2385G1-I</DeviceDescription><DeviceSN>DS-2CD2385G1-I20200414AAWRE33842150</DeviceSN><MAC>58-50-ed-1f-e3-85</MAC><IPv4Address>192.0.2.64</IPv4Address><SoftwareVersion>V5.6.2build 190701</SoftwareVersion><Activated>true</Activated><SupportHCPlatform>true</SupportHCPlatform><HCPlatformEnable>flase</HCPlatformEnable><EZVIZBindStatus>1</EZVIZBindStatus></ProbeMatch>"#;
        let pm = ProbeMatch::from_element(&crate::xml::Element::parse(xml).unwrap()).unwrap();
        let v = SadpView::from(&pm);
        assert_eq!(v.activated, Some(true));
        assert_eq!(v.hc_platform_enabled, Some(false));
        assert_eq!(v.bind_status, Some(BindStatus::Bound));
        assert_eq!(v.model.as_deref(), Some("DS-2CD2385G1-I"));
        assert_eq!(v.ipv4_address.as_deref(), Some("192.0.2.64"));
        assert_eq!(v.mac.as_deref(), Some("58-50-ed-1f-e3-85"));
    }
}
