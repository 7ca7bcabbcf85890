//! Recognise any document hikproto models and decode it into its typed value.
//!
//! [`decode_any`] looks at the root element (XML) or the top-level key (JSON) and dispatches to the
//! matching model, returning the typed value as JSON together with the model's name. It is what
//! `hikproto decode` prints, and what the C and Python bindings expose for debugging captures.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::isapi::device_info::DeviceInfo;
use crate::isapi::status::ResponseStatus;
use crate::isapi::user_check::UserCheck;
use crate::xml::{Element, FromXml};

/// A decoded document: which model it is, and its typed value rendered as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decoded {
    /// The model's name, e.g. `"DeviceInfo"`.
    pub kind: String,
    /// The typed value as JSON.
    pub value: serde_json::Value,
}

fn to_json<T: Serialize>(kind: &str, v: &T) -> Result<Decoded> {
    Ok(Decoded {
        kind: kind.to_owned(),
        value: serde_json::to_value(v).map_err(|e| Error::decode(kind, e))?,
    })
}

type XmlDecoder = fn(&Element) -> Result<Decoded>;

fn xml_decoders() -> Vec<(&'static str, XmlDecoder)> {
    vec![
        ("DeviceInfo", |el| {
            to_json("DeviceInfo", &DeviceInfo::from_element(el)?)
        }),
        ("ResponseStatus", |el| {
            to_json("ResponseStatus", &ResponseStatus::from_element(el)?)
        }),
        ("userCheck", |el| {
            to_json("UserCheck", &UserCheck::from_any(el))
        }),
        ("UserCheck", |el| {
            to_json("UserCheck", &UserCheck::from_any(el))
        }),
    ]
}

/// The root element names (XML) that [`decode_any`] recognises.
pub fn known_roots() -> Vec<&'static str> {
    xml_decoders().into_iter().map(|(k, _)| k).collect()
}

/// Decodes any document hikproto models (ISAPI XML or JSON).
///
/// An unknown root element, malformed input or a document that does not fit its model gives an
/// [`Error::Decode`].
///
/// ```
/// let d = hikproto::decode::decode_any(b"<ResponseStatus><statusCode>1</statusCode></ResponseStatus>").unwrap();
/// assert_eq!(d.kind, "ResponseStatus");
/// ```
pub fn decode_any(input: &[u8]) -> Result<Decoded> {
    let first = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or_else(|| Error::decode("document", "empty input"))?;
    if input[first] == b'{' {
        return decode_json(input);
    }
    let el = Element::parse(input)?;
    for (root, f) in xml_decoders() {
        if el.name == root {
            return f(&el);
        }
    }
    Err(Error::decode(
        "document",
        format!(
            "unknown document <{}>; known roots: {}",
            el.name,
            known_roots().join(", ")
        ),
    ))
}

fn decode_json(input: &[u8]) -> Result<Decoded> {
    let v: serde_json::Value =
        serde_json::from_slice(input).map_err(|e| Error::decode("JSON document", e))?;
    if v.get("ResponseStatus").is_some() || v.get("statusCode").is_some() {
        return to_json("ResponseStatus", &ResponseStatus::from_json_value(&v)?);
    }
    let key = v
        .as_object()
        .and_then(|o| o.keys().next().cloned())
        .unwrap_or_default();
    Err(Error::decode(
        "JSON document",
        format!("unknown JSON document {key:?}"),
    ))
}
