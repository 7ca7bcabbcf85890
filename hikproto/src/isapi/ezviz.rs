//! Hik-Connect (EZVIZ) platform access: `GET/PUT /ISAPI/System/Network/EZVIZ` and its
//! companions (isapi.md §5.2–5.3).
//!
//! [`Ezviz`] names every element the documents and web UIs use and keeps the device's own
//! document for read-modify-write: a PUT echoes the namespace, the element order and every
//! unknown element the device sent, with only the changed values edited.
//!
//! Open points handled tolerantly (inferred): a plain GET may return `verificationCode` masked,
//! in clear, or not at all (only a valid 6–12 character code is taken as the code);
//! `netWork` and `operateCode` are kept without interpretation; `offlineStatus` has one
//! documented value (`secretKeyInvalid`) and is kept as text.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::field_cipher::FieldCipher;
use crate::error::{Error, Result};
use crate::isapi::capabilities::leaf_extras;
use crate::keys::VerificationCode;
use crate::xml::{Element, fmt_bool};

/// The platform-access resource.
pub const PATH: &str = "/ISAPI/System/Network/EZVIZ";
/// Its capabilities.
pub const CAPABILITIES_PATH: &str = "/ISAPI/System/Network/EZVIZ/capabilities";
/// `GET`: the QR code the Hik-Connect app scans to add the device.
pub const QR_CODE_PATH: &str = "/ISAPI/System/Network/EZVIZ/QRCode?format=json";
/// Unbinds the device from its Hik-Connect account (PUT inferred).
pub const UNBIND_PATH: &str = "/ISAPI/System/Network/EZVIZ/unbind?format=json";
/// Tests the platform parameters (connectivity).
pub const PARAMETER_TEST_PATH: &str = "/ISAPI/System/Network/EZVIZ/parameterTest?format=json";
/// `PUT`: the separate secret-key (verification code) endpoint of newer firmware.
pub const SECRET_KEY_PATH: &str = "/ISAPI/System/Network/EZVIZ/secretKey?format=json";
/// `POST`: checks a verification code without revealing it (note: under `Network/`).
pub const CODE_CHECK_PATH: &str = "/ISAPI/System/Network/verificationCodeCheck";

/// `serverAddress`: where the device registers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerAddress {
    /// `addressingFormatType`: `hostname` or `ipaddress`.
    pub addressing_format_type: Option<String>,
    /// `hostName`, for example `litedev.hik-connect.com`.
    pub host_name: Option<String>,
    /// `ipAddress`.
    pub ip_address: Option<String>,
    /// `ipv6Address`.
    pub ipv6_address: Option<String>,
}

/// `bindStatus`: whether a Hik-Connect account holds the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BindStatus {
    /// `bind`: an account holds the device.
    Bound,
    /// `unbind`: no account holds it.
    Unbound,
    /// Another value, kept as sent.
    Other(String),
}

impl BindStatus {
    fn parse(s: &str) -> Self {
        match s.trim() {
            "bind" | "bound" => Self::Bound,
            "unbind" | "unbound" => Self::Unbound,
            other => Self::Other(other.to_owned()),
        }
    }
}

const KNOWN: &[&str] = &[
    "enabled",
    "registerStatus",
    "redirect",
    "serverAddress",
    "verificationCode",
    "enabledTiming",
    "streamEncrypteEnabled",
    "convergenceCloudEnabled",
    "offlineStatus",
    "operateCode",
    "netWork",
    "bindStatus",
];

/// The `EZVIZ` document. `None` means the device did not send the element (and a write leaves
/// it as the device has it).
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ezviz {
    /// `enabled`: Hik-Connect on or off.
    pub enabled: Option<bool>,
    /// `registerStatus` (read-only): registered with the platform.
    pub register_status: Option<bool>,
    /// `redirect` (the web UI shows its inverse).
    pub redirect: Option<bool>,
    /// `serverAddress`.
    pub server_address: Option<ServerAddress>,
    /// `verificationCode` (admin only; never serialised; redacted in `Debug`).
    #[serde(skip)]
    pub verification_code: Option<VerificationCode>,
    /// `enabledTiming`: take the time from the platform.
    pub enabled_timing: Option<bool>,
    /// `streamEncrypteEnabled` (spelled as devices do): encrypt streams with the verification
    /// code; third-party RTSP clients then fail.
    pub stream_encrypte_enabled: Option<bool>,
    /// `convergenceCloudEnabled`.
    pub convergence_cloud_enabled: Option<bool>,
    /// `offlineStatus` (read-only): why it is offline, e.g. `secretKeyInvalid`.
    pub offline_status: Option<String>,
    /// `operateCode` (read-only): the code used when binding to an account.
    pub operate_code: Option<String>,
    /// `netWork` (documented 0–4, meaning unconfirmed).
    pub net_work: Option<u32>,
    /// `bindStatus` (read-only).
    pub bind_status: Option<BindStatus>,
    /// Unknown leaf elements by name, as sent.
    pub extra: BTreeMap<String, String>,
    /// The device's document with the verification code blanked, for read-modify-write.
    #[serde(skip)]
    raw: Element,
}

/// Redacts the verification code and the `operateCode` (used to bind the device to an account,
/// so treated as a secret), and shows only the names of unknown elements.
impl std::fmt::Debug for Ezviz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |present: bool| if present { Some("[redacted]") } else { None };
        f.debug_struct("Ezviz")
            .field("enabled", &self.enabled)
            .field("register_status", &self.register_status)
            .field("redirect", &self.redirect)
            .field("server_address", &self.server_address)
            .field(
                "verification_code",
                &redacted(self.verification_code.is_some()),
            )
            .field("enabled_timing", &self.enabled_timing)
            .field("stream_encrypte_enabled", &self.stream_encrypte_enabled)
            .field("convergence_cloud_enabled", &self.convergence_cloud_enabled)
            .field("offline_status", &self.offline_status)
            .field("operate_code", &redacted(self.operate_code.is_some()))
            .field("net_work", &self.net_work)
            .field("bind_status", &self.bind_status)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Ezviz {
    /// Decodes a GET answer; with `cipher`, the verification code is decrypted first (a
    /// `?security=1` GET).
    pub fn from_element_with(el: &Element, cipher: Option<&FieldCipher>) -> Result<Self> {
        if el.name != "EZVIZ" {
            return Err(Error::decode(
                "EZVIZ",
                format!("expected <EZVIZ>, found <{}>", el.name),
            ));
        }
        let code = match (el.text_at("verificationCode"), cipher) {
            (Some(t), Some(c)) => VerificationCode::from_device(c.decrypt(t)?).ok(),
            (Some(t), None) => VerificationCode::from_device(t).ok(),
            (None, _) => None,
        };
        let server_address = el.child("serverAddress").map(|s| ServerAddress {
            addressing_format_type: s.string_at("addressingFormatType"),
            host_name: s.string_at("hostName"),
            ip_address: s.string_at("ipAddress"),
            ipv6_address: s.string_at("ipv6Address"),
        });
        let mut raw = el.clone();
        if let Some(v) = raw.child_mut("verificationCode") {
            v.text.clear();
        }
        Ok(Self {
            enabled: el.bool_at("enabled"),
            register_status: el.bool_at("registerStatus"),
            redirect: el.bool_at("redirect"),
            server_address,
            verification_code: code,
            enabled_timing: el.bool_at("enabledTiming"),
            stream_encrypte_enabled: el.bool_at("streamEncrypteEnabled"),
            convergence_cloud_enabled: el.bool_at("convergenceCloudEnabled"),
            offline_status: el.string_at("offlineStatus"),
            operate_code: el.string_at("operateCode"),
            net_work: el.num_at("netWork"),
            bind_status: el.text_at("bindStatus").map(BindStatus::parse),
            extra: leaf_extras(el, KNOWN),
            raw,
        })
    }

    /// The namespace the device used, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.raw.namespace()
    }

    /// True when registered with the platform.
    pub fn is_registered(&self) -> bool {
        self.register_status == Some(true)
    }

    /// Builds the PUT body: the device's own document with the typed values written over it
    /// (element order, namespace and unknown elements kept). With `cipher`, the verification
    /// code is encrypted for a `?security=1` PUT. Without a known code the element is left out.
    pub fn to_element(&self, cipher: Option<&FieldCipher>) -> Element {
        let mut el = if self.raw.name.is_empty() {
            Element::new("EZVIZ").with_namespace(crate::xml::ns::HIKVISION_V20)
        } else {
            self.raw.clone()
        };
        let b = |el: &mut Element, p: &str, v: Option<bool>| {
            if let Some(v) = v {
                el.set_text_at(p, fmt_bool(v));
            }
        };
        b(&mut el, "enabled", self.enabled);
        b(&mut el, "redirect", self.redirect);
        if let Some(s) = &self.server_address {
            let fields = [
                ("addressingFormatType", &s.addressing_format_type),
                ("hostName", &s.host_name),
                ("ipAddress", &s.ip_address),
                ("ipv6Address", &s.ipv6_address),
            ];
            for (name, value) in fields {
                if let Some(v) = value {
                    el.set_text_at(&format!("serverAddress/{name}"), v.clone());
                }
            }
        }
        match &self.verification_code {
            Some(code) => {
                let text = match cipher {
                    Some(c) => c.encrypt(code.expose()),
                    None => code.expose().to_owned(),
                };
                el.set_text_at("verificationCode", text);
            }
            None => el.remove_at("verificationCode"),
        }
        b(&mut el, "enabledTiming", self.enabled_timing);
        b(
            &mut el,
            "streamEncrypteEnabled",
            self.stream_encrypte_enabled,
        );
        b(
            &mut el,
            "convergenceCloudEnabled",
            self.convergence_cloud_enabled,
        );
        if let Some(n) = self.net_work {
            el.set_text_at("netWork", n.to_string());
        }
        el
    }
}

impl crate::xml::FromXml for Ezviz {
    const ROOT: &'static str = "EZVIZ";

    fn from_element(el: &Element) -> Result<Self> {
        Self::from_element_with(el, None)
    }
}

/// The `verificationCode` value of a check request: `base64(SHA256hex(random + code))`.
///
/// The reference gives `base64(SHA256hex(R + code))`; hikproto reads it as Base64 of the
/// lower-case hex text (like the other `base64(hex(…))` fields; inferred).
pub fn code_check_value(random: &str, code: &VerificationCode) -> String {
    let mut h = Sha256::new();
    h.update(random.as_bytes());
    h.update(code.expose().as_bytes());
    STANDARD.encode(hex::encode(h.finalize()))
}

/// The `CheckInfo` body of `POST /ISAPI/System/Network/verificationCodeCheck`.
pub fn code_check_document(
    random: &str,
    code: &VerificationCode,
    namespace: Option<&str>,
) -> Element {
    let mut el = Element::new("CheckInfo");
    if let Some(n) = namespace {
        el = el.with_namespace(n);
    }
    el.push_text("randomString", random)
        .push_text("verificationCode", code_check_value(random, code))
}

/// The answer body of a code check, when it is not a `ResponseStatus`: looks for a boolean
/// `result`/`checkResult`/`isMatch`/`isCorrect` leaf (the reply format is not documented).
pub fn code_check_result(el: &Element) -> Option<bool> {
    ["result", "checkResult", "isMatch", "isCorrect", "match"]
        .iter()
        .find_map(|k| el.bool_at(k))
}

/// The `QRCode` text of `{"EZVIZQRCode": {"QRCode": "…"}}` (or a flat `QRCode`).
pub fn qr_code(v: &Value) -> Result<String> {
    v.pointer("/EZVIZQRCode/QRCode")
        .or_else(|| v.get("QRCode"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Error::decode("EZVIZQRCode", "missing \"QRCode\""))
}

/// The body of `PUT …/EZVIZ/secretKey?format=json`: `{"EZVIZSecretKey":{"secretKey":"<enc>"}}`.
pub fn secret_key_body(encrypted: &str) -> Value {
    json!({ "EZVIZSecretKey": { "secretKey": encrypted } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::field_cipher::FieldKey;
    use crate::xml::FromXml;

    const DOC: &str = r#"<EZVIZ version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
      <enabled>false</enabled><registerStatus>false</registerStatus><redirect>true</redirect>
      <serverAddress><addressingFormatType>hostname</addressingFormatType><hostName>litedev.hik-connect.com</hostName></serverAddress>
      <verificationCode>QHXKTR</verificationCode><enabledTiming>true</enabledTiming>
      <streamEncrypteEnabled>flase</streamEncrypteEnabled><offlineStatus>secretKeyInvalid</offlineStatus>
      <operateCode>3f2a</operateCode><netWork>1</netWork><bindStatus>unbind</bindStatus>
      <futureFlag>7</futureFlag></EZVIZ>"#;

    #[test]
    fn every_element_is_read() {
        let e = Ezviz::from_xml(DOC.as_bytes()).unwrap();
        assert_eq!(e.enabled, Some(false));
        assert_eq!(e.redirect, Some(true));
        assert_eq!(
            e.server_address.as_ref().unwrap().host_name.as_deref(),
            Some("litedev.hik-connect.com")
        );
        assert!(e.verification_code.as_ref().unwrap().is_legacy());
        assert_eq!(e.stream_encrypte_enabled, Some(false));
        assert_eq!(e.offline_status.as_deref(), Some("secretKeyInvalid"));
        assert_eq!(e.net_work, Some(1));
        assert_eq!(e.bind_status, Some(BindStatus::Unbound));
        assert_eq!(e.extra.get("futureFlag").map(String::as_str), Some("7"));
        assert!(!e.is_registered());
        assert!(!format!("{e:?}").contains("QHXKTR"));
        assert!(!serde_json::to_string(&e).unwrap().contains("QHXKTR"));
    }

    #[test]
    fn read_modify_write_keeps_the_device_document() {
        let mut e = Ezviz::from_xml(DOC.as_bytes()).unwrap();
        e.enabled = Some(true);
        e.verification_code = Some(VerificationCode::new("Hq7pRt2mW").unwrap());
        e.convergence_cloud_enabled = Some(false);
        let out = e.to_element(None);
        assert_eq!(out.namespace(), Some(crate::xml::ns::ISAPI_V20));
        assert_eq!(out.text_at("enabled"), Some("true"));
        assert_eq!(out.text_at("verificationCode"), Some("Hq7pRt2mW"));
        assert_eq!(out.text_at("futureFlag"), Some("7"));
        let names: Vec<&str> = out.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            &names[..6],
            [
                "enabled",
                "registerStatus",
                "redirect",
                "serverAddress",
                "verificationCode",
                "enabledTiming"
            ]
        );
        assert_eq!(names.last(), Some(&"convergenceCloudEnabled"));
        // no code known: the element is left out rather than blanked
        e.verification_code = None;
        assert_eq!(e.to_element(None).child("verificationCode"), None);
    }

    #[test]
    fn encrypted_codes_round_trip() {
        let c = FieldKey::from_bytes([5; 16]).cipher([6; 16]);
        let e = Ezviz {
            enabled: Some(true),
            verification_code: Some(VerificationCode::new("Hq7pRt2mW").unwrap()),
            ..Ezviz::default()
        };
        let out = e.to_element(Some(&c));
        assert_eq!(out.name, "EZVIZ");
        assert_ne!(out.text_at("verificationCode"), Some("Hq7pRt2mW"));
        let back = Ezviz::from_element_with(&out, Some(&c)).unwrap();
        assert!(back.verification_code.unwrap().matches("Hq7pRt2mW"));
        // a masked plain code is not taken as the code
        let masked =
            Element::parse(b"<EZVIZ><verificationCode>******</verificationCode></EZVIZ>").unwrap();
        assert!(
            Ezviz::from_element(&masked)
                .unwrap()
                .verification_code
                .is_none()
        );
        assert!(Ezviz::from_element(&Element::new("Other")).is_err());
    }

    #[test]
    fn companions() {
        let code = VerificationCode::new("Hq7pRt2mW").unwrap();
        let want = STANDARD.encode(hex::encode(Sha256::digest(b"0f1e2d3cHq7pRt2mW")));
        assert_eq!(code_check_value("0f1e2d3c", &code), want);
        let doc = code_check_document("0f1e2d3c", &code, None);
        assert_eq!(doc.text_at("randomString"), Some("0f1e2d3c"));
        assert!(!doc.to_xml().contains("Hq7pRt2mW"));
        let r = Element::parse(b"<CheckResult><result>false</result></CheckResult>").unwrap();
        assert_eq!(code_check_result(&r), Some(false));
        assert_eq!(
            qr_code(&json!({"EZVIZQRCode": {"QRCode": "abc"}})).unwrap(),
            "abc"
        );
        assert!(qr_code(&json!({"EZVIZQRCode": {}})).is_err());
        assert_eq!(secret_key_body("ff")["EZVIZSecretKey"]["secretKey"], "ff");
    }
}
