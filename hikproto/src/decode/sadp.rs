//! SADP datagrams and reset files for [`super::decode_any`].

use serde_json::{Value, json};

use super::Decoded;
use super::kinds::to_value;
use crate::error::Result;
use crate::sadp::{self, Message};
use crate::xml::Element;

/// SADP elements whose values are secret (sealed or not): never shown by [`super::decode_any`].
const SADP_SECRETS: &[&str] = &[
    "Password",
    "Answer",
    "MailBox",
    "VerificationCode",
    "GUID",
    "Code",
    "EncryptString",
    "QRcodes",
    "QRCode",
];

/// SADP root elements.
pub(super) const SADP_ROOTS: &[&str] = &["Probe", "ProbeMatch", "Hello"];

fn decoded(kind: &str, value: Value) -> Decoded {
    Decoded {
        kind: kind.to_owned(),
        value,
    }
}

/// The leaf elements of a SADP message as a JSON object, secrets redacted.
fn sadp_fields(el: &Element) -> Value {
    let mut map = serde_json::Map::new();
    for c in &el.children {
        let v = if SADP_SECRETS.iter().any(|s| s.eq_ignore_ascii_case(&c.name)) {
            Value::String("[redacted]".into())
        } else {
            c.to_json()
        };
        map.insert(c.name.clone(), v);
    }
    Value::Object(map)
}

/// Decodes a SADP datagram (XML, possibly NUL-terminated).
pub(super) fn decode_sadp(input: &[u8]) -> Result<Decoded> {
    let root = sadp::parse_datagram(input)?;
    Ok(match sadp::decode_element(&root)? {
        Message::Match(m) => decoded("SadpProbeMatch", to_value("SadpProbeMatch", &m)?),
        Message::Hello(m) => decoded("SadpHello", to_value("SadpHello", &m)?),
        Message::Probe(p) => decoded(
            "SadpProbe",
            json!({
                "types": p.types().as_str(),
                "uuid": p.uuid(),
                "mac": p.mac().map(|m| m.to_string()),
                "fields": sadp_fields(&root),
            }),
        ),
        Message::Reply(r) => decoded(
            "SadpReply",
            json!({
                "types": r.types.as_str(),
                "uuid": r.uuid,
                "mac": r.mac.map(|m| m.to_string()),
                "result": r.result.as_ref().map(|x| x.as_str().to_owned()),
                "success": r.result.as_ref().is_none_or(|x| x.is_success()),
                "lock": r.lock,
                "fields": sadp_fields(&root),
            }),
        ),
    })
}

/// A GUID file: binary content of the sizes devices export.
pub(super) fn guid_file(input: &[u8]) -> Option<Decoded> {
    let binary = input.contains(&0) || std::str::from_utf8(input).is_err();
    (binary && matches!(input.len(), 128 | 512)).then(|| {
        decoded(
            "GuidFile",
            json!({
                "bytes": input.len(),
                "content": "[redacted: the file resets the device's password]",
            }),
        )
    })
}
