//! Recognise any document hikproto models and decode it into its typed value.
//!
//! [`decode_any`] looks at the root element (XML, by local name: the namespace does not matter)
//! or the top-level key (JSON) and dispatches to the matching model, returning the typed value
//! as JSON together with the kind's name. [`decode_as`] forces a kind; [`kinds`] lists them all.
//! It is what `hikproto decode` prints, and what the C and Python bindings expose for debugging
//! captures.
//!
//! Every document the core models is recognised: device information, the capability documents
//! (`DeviceCap`, `SecurityCap`, `NetworkCap`, the reset-method and session-login capabilities),
//! remote-access ports, activation status and challenge, Hik-Connect (EZVIZ), ISUP (Ehome),
//! network interfaces and addresses, time and NTP servers, users, security questions, the
//! reserved e-mail address, `userCheck` and `ResponseStatus`. Besides ISAPI documents it
//! recognises SADP datagrams (`Probe`, `ProbeMatch` discovery answers, `Hello`, command replies)
//! and the reset files hikproto writes: the sidecar JSON and a GUID file (binary, 128 or 512
//! bytes: only its size is shown, never its bytes). Secrets are never shown: models skip them
//! (verification code, ISUP key, passwords) and secret SADP elements print as `[redacted]`. The
//! key file and support's reply are opaque text with no recognisable structure and are not
//! decoded.

mod kinds;
mod sadp;

use serde::Serialize;

pub use kinds::Kind;

use crate::error::{Error, Result};
use crate::reset::files::Sidecar;
use crate::xml::Element;

/// A decoded document: which model it is, and its typed value rendered as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decoded {
    /// The kind's name, e.g. `"DeviceInfo"` (see [`kinds`]).
    pub kind: String,
    /// The typed value as JSON.
    pub value: serde_json::Value,
}

impl Decoded {
    fn new(kind: &str, value: serde_json::Value) -> Self {
        Self {
            kind: kind.to_owned(),
            value,
        }
    }
}

/// Every kind [`decode_any`] recognises, ISAPI documents first, then SADP and reset files.
///
/// ```
/// assert!(hikproto::decode::kinds().iter().any(|k| k.name == "DeviceCap"));
/// ```
pub fn kinds() -> Vec<Kind> {
    kinds::ISAPI_KINDS
        .iter()
        .chain(kinds::OTHER_KINDS)
        .copied()
        .collect()
}

/// The root element names (XML) that [`decode_any`] recognises.
pub fn known_roots() -> Vec<&'static str> {
    let mut roots: Vec<&'static str> = kinds::ISAPI_KINDS
        .iter()
        .flat_map(|k| k.roots.iter().copied())
        .collect();
    roots.extend_from_slice(sadp::SADP_ROOTS);
    roots
}

/// Decodes any document hikproto models (ISAPI XML or JSON, SADP, reset files).
///
/// An unknown root element, malformed input or a document that does not fit its model gives an
/// [`Error::Decode`].
///
/// ```
/// let d = hikproto::decode::decode_any(b"<ResponseStatus><statusCode>1</statusCode></ResponseStatus>").unwrap();
/// assert_eq!(d.kind, "ResponseStatus");
/// ```
pub fn decode_any(input: &[u8]) -> Result<Decoded> {
    if let Some(d) = sadp::guid_file(input) {
        return Ok(d);
    }
    if is_json(input)? {
        return decode_json(input);
    }
    let el = match Element::parse(input) {
        Ok(el) => el,
        // SADP datagrams may end in NUL bytes, which the ISAPI parser refuses
        Err(e) => return sadp::decode_sadp(input).map_err(|_| e),
    };
    if sadp::SADP_ROOTS.contains(&el.name.as_str()) {
        return sadp::decode_sadp(input);
    }
    match kinds::by_root(&el.name) {
        Some(k) => decode_xml_as(k, &el),
        None => Err(Error::decode(
            "document",
            format!(
                "unknown document <{}>; known roots: {}",
                el.name,
                known_roots().join(", ")
            ),
        )),
    }
}

/// Decodes `input` as the kind named `kind` (case-insensitive, see [`kinds`]), whatever its
/// root element: for a document whose root a firmware renamed.
///
/// ```
/// let d = hikproto::decode::decode_as(b"<Info><model>X</model></Info>", "DeviceInfo").unwrap();
/// assert_eq!(d.value["model"], "X");
/// ```
pub fn decode_as(input: &[u8], kind: &str) -> Result<Decoded> {
    let k = kinds::by_name(kind).ok_or_else(|| {
        let names: Vec<&str> = kinds().iter().map(|k| k.name).collect();
        Error::invalid(format!(
            "unknown kind {kind:?}; known kinds: {}",
            names.join(", ")
        ))
    })?;
    if k.xml.is_none() && k.json.is_none() {
        // SADP and reset files: recognised by their own framing
        let d = decode_any(input)?;
        return if d.kind == k.name {
            Ok(d)
        } else {
            Err(Error::decode(k.name, format!("the input is a {}", d.kind)))
        };
    }
    if is_json(input)? {
        let f = k
            .json
            .ok_or_else(|| Error::decode(k.name, "this kind has no JSON form"))?;
        let v = parse_json(input)?;
        return Ok(Decoded::new(k.name, f(&v)?));
    }
    let mut el = Element::parse(input)?;
    if let Some(root) = k.roots.first() {
        (*root).clone_into(&mut el.name);
    }
    decode_xml_as(k, &el)
}

fn decode_xml_as(k: &Kind, el: &Element) -> Result<Decoded> {
    let f = k
        .xml
        .ok_or_else(|| Error::decode(k.name, "this kind has no XML form"))?;
    Ok(Decoded::new(k.name, f(el)?))
}

/// Whether the first non-blank byte opens a JSON object.
fn is_json(input: &[u8]) -> Result<bool> {
    let first = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or_else(|| Error::decode("document", "empty input"))?;
    Ok(input[first] == b'{')
}

fn parse_json(input: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(input).map_err(|e| Error::decode("JSON document", e))
}

fn decode_json(input: &[u8]) -> Result<Decoded> {
    if let Some(sc) = Sidecar::parse(input) {
        return Ok(Decoded::new(
            "ResetSidecar",
            kinds::to_value("ResetSidecar", &sc)?,
        ));
    }
    let v = parse_json(input)?;
    if let Some((k, f)) = kinds::by_json(&v) {
        return Ok(Decoded::new(k.name, f(&v)?));
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

#[cfg(test)]
mod tests;
