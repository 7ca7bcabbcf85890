//! Activation documents (isapi.md §4): the unauthenticated status probe, the legacy challenge
//! exchange and the V3 JSON exchange. The cryptography is in [`crate::crypto::activation`].

use serde::Serialize;
use serde_json::{Value, json};

use crate::crypto::activation::ActivationFlow;
use crate::error::{Error, Result};
use crate::xml::{Element, FromXml, fmt_bool, ns};

/// `GET` (no authentication): is the device activated, and which flow does it speak.
pub const STATUS_PATH: &str = "/SDK/activateStatus";
/// `POST` (no authentication): the legacy RSA challenge.
pub const CHALLENGE_PATH: &str = "/ISAPI/Security/challenge";
/// `PUT` (no authentication): the legacy activation.
pub const ACTIVATE_PATH: &str = "/ISAPI/System/activate";
/// `POST` (no authentication): the V3 challenge.
pub const V3_CHALLENGE_PATH: &str = "/ISAPI/System/activate/GetChallengeV3?format=json";
/// `POST` (no authentication): the V3 activation.
pub const V3_ACTIVATE_PATH: &str = "/ISAPI/System/activate/StartActivateV3?format=json";

/// What `/SDK/activateStatus` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateStatus {
    /// True once an admin password is set.
    pub activated: bool,
    /// `supportVersion`: 3 or more selects the V3 flow (newer firmware; absent on older).
    pub support_version: Option<u32>,
}

impl ActivateStatus {
    /// The flow this device speaks.
    pub fn flow(&self) -> ActivationFlow {
        ActivationFlow::for_support_version(self.support_version)
    }

    /// Reads the JSON form (`{"ActivateStatus": {...}}` or a flat object), with the same
    /// element spellings as the XML form.
    pub fn from_json(v: &Value) -> Result<Self> {
        let obj = v.get("ActivateStatus").unwrap_or(v);
        let get_bool = |k: &str| {
            obj.get(k).and_then(|x| match x {
                Value::Bool(b) => Some(*b),
                Value::String(s) => crate::xml::parse_bool(s),
                _ => None,
            })
        };
        let activated = get_bool("Activated")
            .or_else(|| get_bool("activated"))
            .or_else(|| get_bool("isActivated"))
            .or_else(|| get_bool("notActivated").map(|b| !b))
            .ok_or_else(|| Error::decode("ActivateStatus (JSON)", "no activation flag"))?;
        let support_version = obj.get("supportVersion").and_then(|x| {
            x.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()))
        });
        Ok(Self {
            activated,
            support_version,
        })
    }

    /// Builds the XML document (for simulators and tests).
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut el = Element::new("ActivateStatus");
        if let Some(n) = namespace {
            el = el.with_namespace(n);
        }
        el = el.push_text("Activated", fmt_bool(self.activated));
        if let Some(v) = self.support_version {
            el = el.push_text("supportVersion", v.to_string());
        }
        el
    }
}

impl FromXml for ActivateStatus {
    const ROOT: &'static str = "ActivateStatus";

    /// Accepts `Activated`, `activated`, `isActivated`, or an inverted `notActivated` flag.
    fn from_element(el: &Element) -> Result<Self> {
        let activated = el
            .bool_at("Activated")
            .or_else(|| el.bool_at("activated"))
            .or_else(|| el.bool_at("isActivated"))
            .or_else(|| el.bool_at("notActivated").map(|b| !b))
            .ok_or_else(|| Error::decode(Self::ROOT, "no <Activated> flag"))?;
        Ok(Self {
            activated,
            support_version: el.num_at("supportVersion"),
        })
    }
}

/// What a successful activation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationReport {
    /// The exchange used.
    pub flow: ActivationFlow,
    /// The device accepted the password but flagged it risky (`riskPassword` with statusCode 1);
    /// its UI will ask for a stronger one.
    pub risky_password_warning: bool,
    /// The device wanted the `<Activate>` wrapper around `ActivateInfo`.
    pub wrapped: bool,
}

/// The legacy challenge request: `<PublicKey><key>base64(hex(n))</key></PublicKey>`.
pub fn public_key_document(key_field: &str, namespace: Option<&str>) -> Element {
    Element::new("PublicKey")
        .with_namespace(namespace.unwrap_or(ns::ISAPI_V20))
        .push_text("key", key_field)
}

/// The `<key>` of the device's `<Challenge>` answer.
pub fn challenge_key(el: &Element) -> Result<String> {
    if el.name != "Challenge" && el.name != "PublicKey" {
        return Err(Error::decode(
            "Challenge",
            format!("expected <Challenge>, found <{}>", el.name),
        ));
    }
    el.string_at("key")
        .ok_or_else(|| Error::decode("Challenge", "missing <key>"))
}

/// The legacy activation body `<ActivateInfo><password>…</password></ActivateInfo>`, optionally
/// wrapped in `<Activate>` (some face-recognition terminals want it and answer
/// `MessageParametersLack` without it).
pub fn activate_info(encrypted_password: &str, namespace: Option<&str>, wrapped: bool) -> Element {
    let ns = namespace.unwrap_or(ns::ISAPI_V20);
    let info = Element::new("ActivateInfo")
        .with_namespace(ns)
        .push_text("password", encrypted_password);
    if wrapped {
        Element::new("Activate").with_namespace(ns).push(info)
    } else {
        info
    }
}

/// The V3 challenge request `{"publicKey": base64(hex(n))}`.
pub fn v3_challenge_request(key_field: &str) -> Value {
    json!({ "publicKey": key_field })
}

/// The `challenge` of the V3 answer (flat or wrapped in one object).
pub fn v3_challenge(v: &Value) -> Result<String> {
    let direct = v.get("challenge").and_then(Value::as_str);
    let nested = || {
        v.as_object()?
            .values()
            .find_map(|inner| inner.get("challenge").and_then(Value::as_str))
    };
    direct
        .or_else(nested)
        .map(str::to_owned)
        .ok_or_else(|| Error::decode("GetChallengeV3 answer", "missing \"challenge\""))
}

/// The V3 activation request `{"password": …, "iv": …}`.
pub fn v3_activate_request(encrypted_password: &str, iv_hex: &str) -> Value {
    json!({ "password": encrypted_password, "iv": iv_hex })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_forms() {
        let s = ActivateStatus::from_xml(
            b"<ActivateStatus><Activated>flase</Activated></ActivateStatus>",
        )
        .unwrap();
        assert!(!s.activated);
        assert_eq!(s.flow(), ActivationFlow::Legacy);
        let s = ActivateStatus::from_xml(
            b"<ActivateStatus xmlns=\"urn:psialliance-org\"><isActivated>true</isActivated><supportVersion>3</supportVersion></ActivateStatus>",
        )
        .unwrap();
        assert!(s.activated);
        assert_eq!(s.flow(), ActivationFlow::V3);
        let s = ActivateStatus::from_xml(
            b"<ActivateStatus><notActivated>true</notActivated></ActivateStatus>",
        )
        .unwrap();
        assert!(!s.activated);
        assert!(ActivateStatus::from_xml(b"<ActivateStatus/>").is_err());
        let j = ActivateStatus::from_json(
            &serde_json::json!({"ActivateStatus": {"Activated": false, "supportVersion": "3"}}),
        )
        .unwrap();
        assert_eq!((j.activated, j.support_version), (false, Some(3)));
        let again = ActivateStatus::from_xml(j.to_element(Some(ns::ISAPI_V20)).to_xml().as_bytes())
            .unwrap();
        assert_eq!(again, j);
    }

    #[test]
    fn documents() {
        let pk = public_key_document("QUJD", None);
        assert_eq!(pk.namespace(), Some(ns::ISAPI_V20));
        assert_eq!(pk.text_at("key"), Some("QUJD"));
        let ch = Element::parse(b"<Challenge version=\"2.0\"><key>eHl6</key></Challenge>").unwrap();
        assert_eq!(challenge_key(&ch).unwrap(), "eHl6");
        assert!(challenge_key(&Element::new("Other")).is_err());
        assert!(challenge_key(&Element::new("Challenge")).is_err());
        let w = activate_info("cGFzcw==", Some(ns::HIKVISION_V20), true);
        assert_eq!(w.text_at("ActivateInfo/password"), Some("cGFzcw=="));
        assert_eq!(
            v3_challenge(&serde_json::json!({"challenge": "x"})).unwrap(),
            "x"
        );
        assert_eq!(
            v3_challenge(&serde_json::json!({"Challenge": {"challenge": "y"}})).unwrap(),
            "y"
        );
        assert!(v3_challenge(&serde_json::json!({})).is_err());
        assert_eq!(v3_activate_request("p", "i")["iv"], "i");
    }
}
