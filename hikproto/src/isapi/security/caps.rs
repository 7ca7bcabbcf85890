//! Which reset methods a device offers: `externSecurityCap` (readable before login) and the
//! reset flags of `SecurityCap`.

use serde::Serialize;

use super::{find, find_any, find_bool};
use crate::error::{Error, Result};
use crate::xml::{Element, fmt_bool};

/// `GET` this path, without credentials, for [`ExternSecurityCap`].
pub const EXTERN_CAPS_PATH: &str = "/ISAPI/Security/extern/capabilities";
/// `GET` this path (authenticated) for `SecurityCap`, read by [`ResetCapabilities`].
pub const SECURITY_CAPS_PATH: &str = "/ISAPI/Security/capabilities";

/// A `min`/`max` range a capability document gives (as attributes, or as child elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LenLimit {
    /// Smallest accepted length.
    pub min: Option<u32>,
    /// Largest accepted length.
    pub max: Option<u32>,
}

impl LenLimit {
    fn from_element(el: &Element) -> Option<Self> {
        let attr = |k: &str| el.attr(k).and_then(|v| v.trim().parse().ok());
        let min = attr("min").or_else(|| el.num_at("min"));
        let max = attr("max").or_else(|| el.num_at("max"));
        (min.is_some() || max.is_some()).then_some(Self { min, max })
    }

    /// True when `len` is inside the range (an absent bound does not constrain).
    pub fn contains(&self, len: usize) -> bool {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.min.is_none_or(|m| len >= m) && self.max.is_none_or(|m| len <= m)
    }

    fn to_element(self, name: &str) -> Element {
        let mut el = Element::new(name);
        if let Some(m) = self.min {
            el.set_attr("min", m.to_string());
        }
        if let Some(m) = self.max {
            el.set_attr("max", m.to_string());
        }
        el
    }
}

/// `externSecurityCap`: the reset methods the login page offers, readable before login.
///
/// Element names are documented (`RestAdminPassWord/isSupportWithSecurityQuestion`, …); newer
/// firmware adds `isSupportWithHCApp` and `minResetAdminPassWordNum`, whose position in the
/// document is inferred, so every flag is looked up anywhere in the document. `None` means the
/// device did not say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternSecurityCap {
    /// `isSupportWithSecurityQuestion`: reset by answering the security questions.
    pub with_security_question: Option<bool>,
    /// `isSupportWithGUIDFileData`: reset by importing an exported GUID file.
    pub with_guid_file_data: Option<bool>,
    /// `isSupportWithSecurityEmail`: reset by a code sent to the reserved e-mail address.
    pub with_security_email: Option<bool>,
    /// `isSupportWithHCApp`: reset with a code from the Hik-Connect app.
    pub with_hc_app: Option<bool>,
    /// `minResetAdminPassWordNum`: how many reset methods the device wants configured.
    pub min_reset_methods: Option<u32>,
    /// `SecurityLimits/LoginPasswordLenLimit`.
    pub login_password_len: Option<LenLimit>,
    /// `SecurityLimits/SecurityAnswerLenLimit`.
    pub answer_len: Option<LenLimit>,
}

impl ExternSecurityCap {
    /// Root element names accepted (the documented one first).
    pub const ROOTS: [&'static str; 3] = [
        "externSecurityCap",
        "ExternSecurityCap",
        "RestAdminPassWord",
    ];

    /// Parses the document.
    pub fn from_xml(input: &[u8]) -> Result<Self> {
        Self::from_element(&Element::parse(input)?)
    }

    /// Decodes from a parsed document; the root must be one of [`Self::ROOTS`].
    pub fn from_element(el: &Element) -> Result<Self> {
        if !Self::ROOTS.contains(&el.name.as_str()) {
            return Err(Error::decode(
                "externSecurityCap",
                format!("expected <externSecurityCap>, found <{}>", el.name),
            ));
        }
        Ok(Self {
            with_security_question: find_bool(el, &["isSupportWithSecurityQuestion"]),
            with_guid_file_data: find_bool(
                el,
                &["isSupportWithGUIDFileData", "isSupportWithGUIDFile"],
            ),
            with_security_email: find_bool(el, &["isSupportWithSecurityEmail"]),
            with_hc_app: find_bool(el, &["isSupportWithHCApp"]),
            min_reset_methods: find_any(
                el,
                &["minResetAdminPassWordNum", "minResetAdminPasswordNum"],
            )
            .and_then(|e| e.text.trim().parse().ok()),
            login_password_len: find(el, "LoginPasswordLenLimit").and_then(LenLimit::from_element),
            answer_len: find(el, "SecurityAnswerLenLimit").and_then(LenLimit::from_element),
        })
    }

    /// Builds the document (for the simulator), in the documented layout.
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut reset = Element::new("RestAdminPassWord");
        let flags = [
            ("isSupportWithSecurityQuestion", self.with_security_question),
            ("isSupportWithGUIDFileData", self.with_guid_file_data),
            ("isSupportWithSecurityEmail", self.with_security_email),
            ("isSupportWithHCApp", self.with_hc_app),
        ];
        for (name, v) in flags {
            if let Some(v) = v {
                reset = reset.push_text(name, fmt_bool(v));
            }
        }
        if let Some(n) = self.min_reset_methods {
            reset = reset.push_text("minResetAdminPassWordNum", n.to_string());
        }
        let mut el = Element::new("externSecurityCap");
        if let Some(ns) = namespace {
            el = el.with_namespace(ns);
        }
        el = el.push(reset);
        if self.login_password_len.is_some() || self.answer_len.is_some() {
            let mut limits = Element::new("SecurityLimits");
            if let Some(l) = self.login_password_len {
                limits = limits.push(l.to_element("LoginPasswordLenLimit"));
            }
            if let Some(l) = self.answer_len {
                limits = limits.push(l.to_element("SecurityAnswerLenLimit"));
            }
            el = el.push(limits);
        }
        el
    }
}

/// The password-reset flags of `SecurityCap` (from `/ISAPI/Security/capabilities` or inside
/// `DeviceCap` of `/ISAPI/System/capabilities`). Only what recovery needs is read here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetCapabilities {
    /// `isSupportSecurityQuestionConfig`: the security questions can be configured.
    pub security_question_config: Option<bool>,
    /// `isSupportGUIDFileDataExport`: a GUID file can be exported.
    pub guid_file_export: Option<bool>,
    /// `isSupportSecurityEmail`: a reserved e-mail address can be set.
    pub security_email: Option<bool>,
    /// `isSupportResetLANPassword` (access control): LAN reset.
    pub reset_lan_password: Option<bool>,
    /// `isSupportResetPasswordFile`: key-file export/import through support.
    pub reset_password_file: Option<bool>,
    /// `isSupportResetPasswordBySecurityPhoneNo`: reset with a code for the bound phone/app.
    pub reset_by_phone_no: Option<bool>,
    /// `isSupportResetChannelPassword` (NVR): reset the cameras' passwords.
    pub reset_channel_password: Option<bool>,
    /// `isSupportSyncIPCPassword` (NVR): push a new password to the cameras.
    pub sync_ipc_password: Option<bool>,
    /// `securityVersion opt="1,2"`: the `security=1` field-cipher versions offered.
    pub security_versions: Vec<u32>,
    /// `SecurityLimits/SecurityAnswerLenLimit`.
    pub answer_len: Option<LenLimit>,
}

impl ResetCapabilities {
    /// Parses `SecurityCap` (or a `DeviceCap` that contains one).
    pub fn from_xml(input: &[u8]) -> Result<Self> {
        Self::from_element(&Element::parse(input)?)
    }

    /// Decodes from `SecurityCap`, or from any document containing a `SecurityCap`.
    pub fn from_element(el: &Element) -> Result<Self> {
        let cap = find(el, "SecurityCap").ok_or_else(|| {
            Error::decode("SecurityCap", format!("no <SecurityCap> in <{}>", el.name))
        })?;
        let versions = cap
            .child("securityVersion")
            .map(|v| {
                v.attr("opt")
                    .unwrap_or(&v.text)
                    .split(',')
                    .filter_map(|p| p.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            security_question_config: find_bool(cap, &["isSupportSecurityQuestionConfig"]),
            guid_file_export: find_bool(cap, &["isSupportGUIDFileDataExport"]),
            security_email: find_bool(cap, &["isSupportSecurityEmail"]),
            reset_lan_password: find_bool(cap, &["isSupportResetLANPassword"]),
            reset_password_file: find_bool(cap, &["isSupportResetPasswordFile"]),
            reset_by_phone_no: find_bool(cap, &["isSupportResetPasswordBySecurityPhoneNo"]),
            reset_channel_password: find_bool(cap, &["isSupportResetChannelPassword"]),
            sync_ipc_password: find_bool(cap, &["isSupportSyncIPCPassword"]),
            security_versions: versions,
            answer_len: find(cap, "SecurityAnswerLenLimit").and_then(LenLimit::from_element),
        })
    }

    /// Builds a `SecurityCap` carrying these flags (for the simulator and tests).
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut el = Element::new("SecurityCap");
        if let Some(ns) = namespace {
            el = el.with_namespace(ns);
        }
        if !self.security_versions.is_empty() {
            let mut v = Element::new("securityVersion");
            let opt: Vec<String> = self.security_versions.iter().map(u32::to_string).collect();
            v.set_attr("opt", opt.join(","));
            el = el.push(v);
        }
        let flags = [
            (
                "isSupportSecurityQuestionConfig",
                self.security_question_config,
            ),
            ("isSupportGUIDFileDataExport", self.guid_file_export),
            ("isSupportSecurityEmail", self.security_email),
            ("isSupportResetLANPassword", self.reset_lan_password),
            ("isSupportResetPasswordFile", self.reset_password_file),
            (
                "isSupportResetPasswordBySecurityPhoneNo",
                self.reset_by_phone_no,
            ),
            ("isSupportResetChannelPassword", self.reset_channel_password),
            ("isSupportSyncIPCPassword", self.sync_ipc_password),
        ];
        for (name, v) in flags {
            if let Some(v) = v {
                el = el.push_text(name, fmt_bool(v));
            }
        }
        if let Some(l) = self.answer_len {
            el = el
                .push(Element::new("SecurityLimits").push(l.to_element("SecurityAnswerLenLimit")));
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extern_caps_documented_and_newer_layouts() {
        let documented = br#"<?xml version="1.0" encoding="UTF-8"?>
<externSecurityCap version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
 <RestAdminPassWord>
  <isSupportWithSecurityQuestion>true</isSupportWithSecurityQuestion>
  <isSupportWithGUIDFileData>TRUE</isSupportWithGUIDFileData>
  <isSupportWithSecurityEmail>flase</isSupportWithSecurityEmail>
 </RestAdminPassWord>
 <SecurityLimits><LoginPasswordLenLimit min="8" max="16"/><SecurityAnswerLenLimit min="1" max="128"/></SecurityLimits>
</externSecurityCap>"#;
        let c = ExternSecurityCap::from_xml(documented).unwrap();
        assert_eq!(c.with_security_question, Some(true));
        assert_eq!(c.with_guid_file_data, Some(true));
        assert_eq!(c.with_security_email, Some(false));
        assert_eq!(c.with_hc_app, None);
        assert_eq!(c.min_reset_methods, None);
        assert_eq!(
            c.login_password_len,
            Some(LenLimit {
                min: Some(8),
                max: Some(16)
            })
        );
        assert!(c.answer_len.unwrap().contains(128) && !c.answer_len.unwrap().contains(129));

        // newer firmware: the two extra flags at the top level
        let newer = br#"<externSecurityCap><RestAdminPassWord><isSupportWithSecurityQuestion>false</isSupportWithSecurityQuestion></RestAdminPassWord><isSupportWithHCApp>true</isSupportWithHCApp><minResetAdminPassWordNum>1</minResetAdminPassWordNum></externSecurityCap>"#;
        let n = ExternSecurityCap::from_xml(newer).unwrap();
        assert_eq!(n.with_hc_app, Some(true));
        assert_eq!(n.min_reset_methods, Some(1));

        let again = ExternSecurityCap::from_element(&c.to_element(Some(crate::xml::ns::ISAPI_V20)))
            .unwrap();
        assert_eq!(again, c);
        assert!(ExternSecurityCap::from_xml(b"<DeviceInfo/>").is_err());
    }

    #[test]
    fn security_cap_flags_and_device_cap_wrapper() {
        let doc = br#"<DeviceCap><SecurityCap version="1.0"><securityVersion opt="1,2"/><isSupportGUIDFileDataExport>true</isSupportGUIDFileDataExport><isSupportSecurityQuestionConfig>true</isSupportSecurityQuestionConfig><isSupportResetChannelPassword>false</isSupportResetChannelPassword><SecurityLimits><SecurityAnswerLenLimit min="1" max="128"></SecurityAnswerLenLimit></SecurityLimits></SecurityCap></DeviceCap>"#;
        let c = ResetCapabilities::from_xml(doc).unwrap();
        assert_eq!(c.guid_file_export, Some(true));
        assert_eq!(c.security_question_config, Some(true));
        assert_eq!(c.reset_channel_password, Some(false));
        assert_eq!(c.security_email, None);
        assert_eq!(c.security_versions, vec![1, 2]);
        assert_eq!(c.answer_len.and_then(|l| l.max), Some(128));
        let again = ResetCapabilities::from_element(&c.to_element(None)).unwrap();
        assert_eq!(again, c);
        assert!(ResetCapabilities::from_xml(b"<DeviceInfo/>").is_err());
    }
}
