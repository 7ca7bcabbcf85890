//! Capability documents: `GET /ISAPI/System/capabilities` (`DeviceCap`) and the parts hikproto
//! acts on — `SecurityCap` (field encryption, login checks, password limits) and the EZVIZ/ISUP
//! flags of `SysCap/NetworkCap` with `VerificationCodeModification`.
//!
//! Capability documents differ widely between families (the real fixtures have SecurityCap with
//! 5 or 50 children, `isSupportEhome` under NetworkCap on cameras and at the DeviceCap root on
//! NVRs, `securityVersion opt="1"` with or without a text value), so every field is optional and
//! every boolean leaf is also kept by name in a `flags` map.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::xml::{Element, FromXml, parse_bool};

/// The device capability document.
pub const PATH: &str = "/ISAPI/System/capabilities";
/// The security capability document (root `SecurityCap`).
pub const SECURITY_PATH: &str = "/ISAPI/Security/capabilities";
/// The network capability document (root `NetworkCap`).
pub const NETWORK_PATH: &str = "/ISAPI/System/Network/capabilities";

/// A numeric capability range: the `min`, `max` and `def` attributes, and the current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CapRange {
    /// `min` attribute.
    pub min: Option<i64>,
    /// `max` attribute.
    pub max: Option<i64>,
    /// `def` attribute (the default).
    pub def: Option<i64>,
    /// The element's text, when it carries the current value.
    pub current: Option<i64>,
}

impl CapRange {
    /// Reads the attributes and text of `el`.
    pub fn from_element(el: &Element) -> Self {
        let n = |k: &str| el.attr(k).and_then(|v| v.trim().parse().ok());
        Self {
            min: n("min"),
            max: n("max"),
            def: n("def"),
            current: el.text.trim().parse().ok(),
        }
    }

    /// True when `v` lies within the known bounds.
    pub fn contains(&self, v: i64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// Splits an `opt="a,b,c"` attribute.
pub fn options(el: &Element) -> Vec<String> {
    el.attr("opt")
        .map(|o| {
            o.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Every direct leaf child whose text is a boolean, by local name (repeats: the first wins).
pub fn bool_flags(el: &Element) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for c in el.children.iter().filter(|c| c.children.is_empty()) {
        if let Some(b) = parse_bool(&c.text) {
            out.entry(c.name.clone()).or_insert(b);
        }
    }
    out
}

/// Every direct leaf child not named in `known`, by local name (text content; first wins).
pub(crate) fn leaf_extras(el: &Element, known: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in &el.children {
        if c.children.is_empty() && !known.contains(&c.name.as_str()) {
            out.entry(c.name.clone()).or_insert_with(|| c.text.clone());
        }
    }
    out
}

/// `SecurityCap`: what the device offers for authentication and sensitive fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityCap {
    /// `supportUserNums`: how many users the device holds.
    pub support_user_nums: Option<u32>,
    /// `securityVersion` values offered (`opt`, or the text): 1 = AES-128 field encryption.
    pub security_versions: Vec<u32>,
    /// `keyIterateNum`: SHA-256 rounds of the field-key derivation.
    pub key_iterate_num: Option<u32>,
    /// `isSupportUserCheck`: adding, editing or deleting users needs the operator's `loginPassword`.
    pub is_support_user_check: Option<bool>,
    /// `isIrreversible`: passwords are stored as salted hashes.
    pub is_irreversible: Option<bool>,
    /// `salt` (also sent in the session-login capabilities).
    pub salt: Option<String>,
    /// `SecurityLimits/LoginPasswordLenLimit`.
    pub login_password_len: Option<CapRange>,
    /// `SecurityLimits/SecurityAnswerLenLimit`.
    pub security_answer_len: Option<CapRange>,
    /// `RSAKeyLength` options.
    pub rsa_key_lengths: Vec<u32>,
    /// `WebCertificateCap/CertificateType` options (`digest`, `digest/basic`).
    pub web_auth_options: Vec<String>,
    /// `WebCertificateCap/CertificateType` current value, when given.
    pub web_auth: Option<String>,
    /// `WebCertificateCap/SecurityAlgorithm/algorithmType` options (`MD5`, `SHA256`, `MD5/SHA256`).
    pub digest_algorithm_options: Vec<String>,
    /// `maxIllegalLoginTimes`: failed logins before the lock.
    pub max_illegal_login_times: Option<CapRange>,
    /// `maxIllegalLoginLockTime` (units not settled; see isapi.md §11.3).
    pub max_illegal_login_lock_time: Option<CapRange>,
    /// Every boolean leaf (`isSupportSecurityEmail`, `issupIllegalLoginLock`, …) by name.
    pub flags: BTreeMap<String, bool>,
}

impl SecurityCap {
    /// True when `security=1` (AES-128 field encryption) is offered.
    pub fn supports_field_encryption(&self) -> bool {
        self.security_versions.contains(&1)
    }

    /// A boolean flag by element name.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.flags.get(name).copied()
    }
}

fn numbers(el: &Element) -> Vec<u32> {
    let mut v: Vec<u32> = options(el).iter().filter_map(|s| s.parse().ok()).collect();
    if let Ok(n) = el.text.trim().parse::<u32>() {
        if !v.contains(&n) {
            v.push(n);
        }
    }
    v
}

impl FromXml for SecurityCap {
    const ROOT: &'static str = "SecurityCap";

    fn from_element(el: &Element) -> Result<Self> {
        let range = |p: &str| el.path(p).map(CapRange::from_element);
        let cert = el.path("WebCertificateCap/CertificateType");
        Ok(Self {
            support_user_nums: el.num_at("supportUserNums"),
            security_versions: el.child("securityVersion").map(numbers).unwrap_or_default(),
            key_iterate_num: el.num_at("keyIterateNum"),
            is_support_user_check: el.bool_at("isSupportUserCheck"),
            is_irreversible: el.bool_at("isIrreversible"),
            salt: el.string_at("salt"),
            login_password_len: range("SecurityLimits/LoginPasswordLenLimit"),
            security_answer_len: range("SecurityLimits/SecurityAnswerLenLimit"),
            rsa_key_lengths: el.child("RSAKeyLength").map(numbers).unwrap_or_default(),
            web_auth_options: cert.map(options).unwrap_or_default(),
            web_auth: cert.map(|c| c.text.clone()).filter(|t| !t.is_empty()),
            digest_algorithm_options: el
                .path("WebCertificateCap/SecurityAlgorithm/algorithmType")
                .map(options)
                .unwrap_or_default(),
            max_illegal_login_times: range("maxIllegalLoginTimes"),
            max_illegal_login_lock_time: range("maxIllegalLoginLockTime"),
            flags: bool_flags(el),
        })
    }
}

/// `VerificationCodeModification`: whether and how the Hik-Connect verification code can be set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationCodeModification {
    /// The element's own `opt` attribute (some NVRs send `opt="true,false"`).
    pub options: Vec<String>,
    /// `verificationCodeType`: `normal` (a code is set) or `empty` (none yet; the device will
    /// insist on one when Hik-Connect is enabled).
    pub code_type: Option<String>,
    /// `verificationCodeType` options.
    pub code_type_options: Vec<String>,
    /// `verificationCodeModify`: the code can be changed.
    pub modify: Option<bool>,
    /// `isSupportDeclarationURL`.
    pub is_support_declaration_url: Option<bool>,
    /// `isSupportPrivacyPolicyURL`.
    pub is_support_privacy_policy_url: Option<bool>,
    /// `Hyperlinks/declarationURL` (the terms of service).
    pub declaration_url: Option<String>,
    /// `Hyperlinks/privacyPolicyURL`.
    pub privacy_policy_url: Option<String>,
    /// `isSupportVerificationCodeCheck`: `POST /ISAPI/System/Network/verificationCodeCheck` works.
    pub is_support_verification_code_check: Option<bool>,
}

impl VerificationCodeModification {
    /// True when the device reports that no code is set yet (`verificationCodeType=empty`).
    pub fn code_is_empty(&self) -> bool {
        self.code_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("empty"))
    }
}

impl FromXml for VerificationCodeModification {
    const ROOT: &'static str = "VerificationCodeModification";

    fn from_element(el: &Element) -> Result<Self> {
        let ty = el.child("verificationCodeType");
        Ok(Self {
            options: options(el),
            code_type: ty.map(|t| t.text.clone()).filter(|t| !t.is_empty()),
            code_type_options: ty.map(options).unwrap_or_default(),
            modify: el.bool_at("verificationCodeModify"),
            is_support_declaration_url: el.bool_at("isSupportDeclarationURL"),
            is_support_privacy_policy_url: el.bool_at("isSupportPrivacyPolicyURL"),
            declaration_url: el.string_at("Hyperlinks/declarationURL"),
            privacy_policy_url: el.string_at("Hyperlinks/privacyPolicyURL"),
            is_support_verification_code_check: el.bool_at("isSupportVerificationCodeCheck"),
        })
    }
}

/// The platform-access flags of `NetworkCap`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkCap {
    /// `isSupportEZVIZ`: Hik-Connect platform access.
    pub is_support_ezviz: Option<bool>,
    /// `isSupportEhome`: ISUP platform access.
    pub is_support_ehome: Option<bool>,
    /// `isSupportEZVIZTiming`: time sync from the platform.
    pub is_support_ezviz_timing: Option<bool>,
    /// `isSupportEZVIZUnbind`.
    pub is_support_ezviz_unbind: Option<bool>,
    /// `isSupportEZVIZQRCode`.
    pub is_support_ezviz_qr_code: Option<bool>,
    /// `isSupportEZVIZParameterTest`.
    pub is_support_ezviz_parameter_test: Option<bool>,
    /// The `EZVIZSecretKey` capability (the separate secret-key endpoint).
    pub is_support_ezviz_secret_key: Option<bool>,
    /// `isSupportVerificationCodeCheck` (here or inside `VerificationCodeModification`).
    pub is_support_verification_code_check: Option<bool>,
    /// `isSupportGetLinkSocketIP`.
    pub is_support_get_link_socket_ip: Option<bool>,
    /// `isSupportIntegrate`.
    pub is_support_integrate: Option<bool>,
    /// `VerificationCodeModification`.
    pub verification_code_modification: Option<VerificationCodeModification>,
    /// Every boolean leaf by name.
    pub flags: BTreeMap<String, bool>,
}

impl FromXml for NetworkCap {
    const ROOT: &'static str = "NetworkCap";

    fn from_element(el: &Element) -> Result<Self> {
        let vcm = el
            .child("VerificationCodeModification")
            .map(VerificationCodeModification::from_element)
            .transpose()?;
        let secret_key = el.bool_at("isSupportEZVIZSecretKey").or_else(|| {
            el.path("EZVIZSecretKey")
                .map(|k| parse_bool(&k.text).unwrap_or(true))
        });
        Ok(Self {
            is_support_ezviz: el.bool_at("isSupportEZVIZ"),
            is_support_ehome: el.bool_at("isSupportEhome"),
            is_support_ezviz_timing: el.bool_at("isSupportEZVIZTiming"),
            is_support_ezviz_unbind: el.bool_at("isSupportEZVIZUnbind"),
            is_support_ezviz_qr_code: el.bool_at("isSupportEZVIZQRCode"),
            is_support_ezviz_parameter_test: el.bool_at("isSupportEZVIZParameterTest"),
            is_support_ezviz_secret_key: secret_key,
            is_support_verification_code_check: el
                .bool_at("isSupportVerificationCodeCheck")
                .or(vcm
                    .as_ref()
                    .and_then(|v| v.is_support_verification_code_check)),
            is_support_get_link_socket_ip: el.bool_at("isSupportGetLinkSocketIP"),
            is_support_integrate: el.bool_at("isSupportIntegrate"),
            verification_code_modification: vcm,
            flags: bool_flags(el),
        })
    }
}

/// `DeviceCap`, the root of `GET /ISAPI/System/capabilities`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCap {
    /// `SecurityCap`.
    pub security: Option<SecurityCap>,
    /// `SysCap/NetworkCap`.
    pub network: Option<NetworkCap>,
    /// Boolean leaves of the root (`isSupportEhome` on NVRs, `isSupportSnapshot`, …).
    pub flags: BTreeMap<String, bool>,
    /// The namespace the device used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl DeviceCap {
    /// Hik-Connect platform access is offered.
    pub fn supports_ezviz(&self) -> bool {
        self.network
            .as_ref()
            .and_then(|n| n.is_support_ezviz)
            .unwrap_or(false)
    }

    /// ISUP platform access is offered (NetworkCap on cameras, the root on NVRs).
    pub fn supports_ehome(&self) -> bool {
        self.network
            .as_ref()
            .and_then(|n| n.is_support_ehome)
            .or_else(|| self.flags.get("isSupportEhome").copied())
            .unwrap_or(false)
    }

    /// `security=1` field encryption is offered.
    pub fn supports_field_encryption(&self) -> bool {
        self.security
            .as_ref()
            .is_some_and(SecurityCap::supports_field_encryption)
    }

    /// `VerificationCodeModification`, when present.
    pub fn verification_code_modification(&self) -> Option<&VerificationCodeModification> {
        self.network
            .as_ref()
            .and_then(|n| n.verification_code_modification.as_ref())
    }
}

impl FromXml for DeviceCap {
    const ROOT: &'static str = "DeviceCap";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self {
            security: el
                .child("SecurityCap")
                .map(SecurityCap::from_element)
                .transpose()?,
            network: el
                .path("SysCap/NetworkCap")
                .or_else(|| el.child("NetworkCap"))
                .map(NetworkCap::from_element)
                .transpose()?,
            flags: bool_flags(el),
            namespace: el.namespace().map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<DeviceCap version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
      <SysCap><NetworkCap>
        <isSupportEZVIZ>true</isSupportEZVIZ>
        <EZVIZSecretKey><secretKey min="0" max="64"/></EZVIZSecretKey>
        <VerificationCodeModification opt="true,false">
          <verificationCodeType opt="normal,empty">empty</verificationCodeType>
          <verificationCodeModify>true</verificationCodeModify>
          <isSupportVerificationCodeCheck>true</isSupportVerificationCodeCheck>
        </VerificationCodeModification>
      </NetworkCap></SysCap>
      <SecurityCap>
        <securityVersion opt="1,2">1</securityVersion><keyIterateNum>100</keyIterateNum>
        <isSupportUserCheck>TRUE</isSupportUserCheck>
        <SecurityLimits><LoginPasswordLenLimit min="1" max="16"/></SecurityLimits>
        <maxIllegalLoginTimes min="3" max="20" def="7">5</maxIllegalLoginTimes>
      </SecurityCap>
      <isSupportEhome>true</isSupportEhome>
    </DeviceCap>"#;

    #[test]
    fn decodes_the_parts_hikproto_uses() {
        let cap = DeviceCap::from_xml(DOC.as_bytes()).unwrap();
        assert!(cap.supports_ezviz());
        assert!(cap.supports_ehome(), "root-level flag counts");
        assert!(cap.supports_field_encryption());
        let sec = cap.security.as_ref().unwrap();
        assert_eq!(sec.security_versions, [1, 2]);
        assert_eq!(sec.is_support_user_check, Some(true));
        let r = sec.max_illegal_login_times.unwrap();
        assert_eq!(
            (r.min, r.max, r.def, r.current),
            (Some(3), Some(20), Some(7), Some(5))
        );
        assert!(r.contains(7) && !r.contains(21));
        let net = cap.network.as_ref().unwrap();
        assert_eq!(net.is_support_ezviz_secret_key, Some(true));
        assert_eq!(net.is_support_verification_code_check, Some(true));
        let vcm = cap.verification_code_modification().unwrap();
        assert!(vcm.code_is_empty());
        assert_eq!(vcm.options, ["true", "false"]);
        assert_eq!(vcm.code_type_options, ["normal", "empty"]);
    }

    #[test]
    fn empty_documents_decode_to_nothing_offered() {
        let cap = DeviceCap::from_xml(b"<DeviceCap/>").unwrap();
        assert!(!cap.supports_ezviz() && !cap.supports_ehome() && !cap.supports_field_encryption());
        assert!(DeviceCap::from_xml(b"<SecurityCap/>").is_err());
    }
}
