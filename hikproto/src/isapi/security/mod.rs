//! Password-recovery resources of `/ISAPI/Security`: reset capabilities, security questions,
//! the GUID file, the reserved e-mail and the Hik-Connect app codes.
//!
//! What is documented and what is inferred (isapi.md §8, sadp-reset-hikconnect.md §2):
//!
//! | resource | path | confidence |
//! |---|---|---|
//! | reset capabilities (readable before login) | `GET /ISAPI/Security/extern/capabilities` | documented |
//! | reset flags in `SecurityCap` | `GET /ISAPI/Security/capabilities` | documented |
//! | security questions | `GET/PUT /ISAPI/Security/questionConfiguration` | documented |
//! | reset by answers | `PUT /ISAPI/Security/questionCertification` | path documented; method and body inferred |
//! | GUID export | `PUT /ISAPI/Security/GUIDFileData` | documented |
//! | reset by GUID file | [`guid::CERTIFICATION_PATH`] | inferred: the import endpoint is not public |
//! | reserved e-mail | `GET/PUT /ISAPI/Security/email/parameter?format=json` | documented |
//! | e-mail QR code | `GET /ISAPI/Security/email/qrCode?format=json` | path documented; answer shape inferred |
//! | reset by e-mailed code | `PUT /ISAPI/Security/emailCertification?format=json` | path documented; body inferred |
//! | app QR code / reset by app code | `/ISAPI/Security/resetPassword/GetPhoneNoQRCode`, `…/ResetPasswordByPhoneNoSecurityCode` | paths documented (access control); bodies inferred |
//!
//! Every decoder here is tolerant: elements are found by local name wherever they sit, JSON keys
//! are matched without regard to case, and what is not understood is ignored rather than fatal.
//! Every document also has a builder, so the simulator can serve the same shapes.

pub mod caps;
pub mod email;
pub mod guid;
pub mod phone;
pub mod questions;

pub use caps::{ExternSecurityCap, LenLimit, ResetCapabilities};
pub use email::{QrKind, ResetQrPayload, SecurityEmail};
pub use questions::{QuestionAnswer, QuestionStatus, SecurityQuestions};

use crate::xml::Element;

/// The first element named `name` anywhere below `el` (depth first), or `el` itself.
pub(crate) fn find<'a>(el: &'a Element, name: &str) -> Option<&'a Element> {
    if el.name == name {
        return Some(el);
    }
    el.children.iter().find_map(|c| find(c, name))
}

/// The first element with any of `names` anywhere below `el`.
pub(crate) fn find_any<'a>(el: &'a Element, names: &[&str]) -> Option<&'a Element> {
    names.iter().find_map(|n| find(el, n))
}

/// A lenient boolean found anywhere below `el` under any of `names`.
pub(crate) fn find_bool(el: &Element, names: &[&str]) -> Option<bool> {
    find_any(el, names).and_then(|e| crate::xml::parse_bool(&e.text))
}

/// The first JSON value under a key equal (ignoring case) to one of `keys` for which `accept`
/// holds, depth first (bounded depth).
fn json_walk<'a>(
    v: &'a serde_json::Value,
    keys: &[&str],
    accept: &dyn Fn(&serde_json::Value) -> bool,
    depth: usize,
) -> Option<&'a serde_json::Value> {
    if depth > 16 {
        return None;
    }
    match v {
        serde_json::Value::Object(map) => map
            .iter()
            .find(|(k, val)| keys.iter().any(|want| k.eq_ignore_ascii_case(want)) && accept(val))
            .map(|(_, val)| val)
            .or_else(|| {
                map.values()
                    .find_map(|val| json_walk(val, keys, accept, depth + 1))
            }),
        serde_json::Value::Array(items) => items
            .iter()
            .find_map(|i| json_walk(i, keys, accept, depth + 1)),
        _ => None,
    }
}

/// The first non-null JSON value under a key equal (ignoring case) to one of `keys`, depth first.
pub(crate) fn json_find<'a>(
    v: &'a serde_json::Value,
    keys: &[&str],
) -> Option<&'a serde_json::Value> {
    json_walk(v, keys, &|val| !val.is_null(), 0)
}

/// The first non-empty JSON string (or number, as text) under any of `keys`, depth first.
pub(crate) fn json_string(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    let scalar = |val: &serde_json::Value| match val {
        serde_json::Value::String(s) => !s.trim().is_empty(),
        serde_json::Value::Number(_) => true,
        _ => false,
    };
    match json_walk(v, keys, &scalar, 0)? {
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lookup_is_case_insensitive_and_deep() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"QRCode":{"b":[{"QrCode":"x"}]},"n":{"Count":3}}"#).unwrap();
        assert_eq!(json_string(&v, &["qrcode"]).as_deref(), Some("x"));
        assert_eq!(json_string(&v, &["count"]).as_deref(), Some("3"));
        assert_eq!(json_string(&v, &["missing"]), None);
        let mut deep = serde_json::json!("leaf");
        for _ in 0..40 {
            deep = serde_json::json!({ "k": deep });
        }
        assert_eq!(json_string(&deep, &["leaf"]), None);
    }
}
