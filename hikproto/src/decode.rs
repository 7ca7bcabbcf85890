//! Recognise any document hikproto models and decode it into its typed value.
//!
//! [`decode_any`] looks at the root element (XML) or the top-level key (JSON) and dispatches to the
//! matching model, returning the typed value as JSON together with the model's name. It is what
//! `hikproto decode` prints, and what the C and Python bindings expose for debugging captures.
//!
//! Besides ISAPI documents it recognises SADP datagrams (`Probe`, `ProbeMatch` discovery
//! answers, `Hello`, command replies) and the reset files hikproto writes: the sidecar JSON and
//! a GUID file (binary, 128 or 512 bytes: only its size is shown, never its bytes). Secret SADP
//! elements (passwords, answers, codes, GUIDs, e-mail) are shown as `[redacted]`. The key file
//! and support's reply are opaque text with no recognisable structure and are not decoded.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::isapi::device_info::DeviceInfo;
use crate::isapi::status::ResponseStatus;
use crate::isapi::user_check::UserCheck;
use crate::reset::files::Sidecar;
use crate::sadp::{self, Message};
use crate::xml::{Element, FromXml};

/// SADP elements whose values are secret (sealed or not): never shown by [`decode_any`].
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
const SADP_ROOTS: &[&str] = &["Probe", "ProbeMatch", "Hello"];

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
    let mut roots: Vec<&'static str> = xml_decoders().into_iter().map(|(k, _)| k).collect();
    roots.extend_from_slice(SADP_ROOTS);
    roots
}

/// The leaf elements of a SADP message as a JSON object, secrets redacted.
fn sadp_fields(el: &Element) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for c in &el.children {
        let v = if SADP_SECRETS.iter().any(|s| s.eq_ignore_ascii_case(&c.name)) {
            serde_json::Value::String("[redacted]".into())
        } else {
            c.to_json()
        };
        map.insert(c.name.clone(), v);
    }
    serde_json::Value::Object(map)
}

fn decode_sadp(input: &[u8]) -> Result<Decoded> {
    let root = sadp::parse_datagram(input)?;
    match sadp::decode_element(&root)? {
        Message::Match(m) => to_json("SadpProbeMatch", &m),
        Message::Hello(m) => to_json("SadpHello", &m),
        Message::Probe(p) => Ok(Decoded {
            kind: "SadpProbe".into(),
            value: serde_json::json!({
                "types": p.types().as_str(),
                "uuid": p.uuid(),
                "mac": p.mac().map(|m| m.to_string()),
                "fields": sadp_fields(&root),
            }),
        }),
        Message::Reply(r) => Ok(Decoded {
            kind: "SadpReply".into(),
            value: serde_json::json!({
                "types": r.types.as_str(),
                "uuid": r.uuid,
                "mac": r.mac.map(|m| m.to_string()),
                "result": r.result.as_ref().map(|x| x.as_str().to_owned()),
                "success": r.result.as_ref().is_none_or(|x| x.is_success()),
                "lock": r.lock,
                "fields": sadp_fields(&root),
            }),
        }),
    }
}

/// A GUID file: binary content of the sizes devices export.
fn guid_file(input: &[u8]) -> Option<Decoded> {
    let binary = input.contains(&0) || std::str::from_utf8(input).is_err();
    (binary && matches!(input.len(), 128 | 512)).then(|| Decoded {
        kind: "GuidFile".into(),
        value: serde_json::json!({
            "bytes": input.len(),
            "content": "[redacted: the file resets the device's password]",
        }),
    })
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
    if let Some(d) = guid_file(input) {
        return Ok(d);
    }
    let first = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or_else(|| Error::decode("document", "empty input"))?;
    if input[first] == b'{' {
        return decode_json(input);
    }
    let el = match Element::parse(input) {
        Ok(el) => el,
        // SADP datagrams may end in NUL bytes, which the ISAPI parser refuses
        Err(e) => return decode_sadp(input).map_err(|_| e),
    };
    if SADP_ROOTS.contains(&el.name.as_str()) {
        return decode_sadp(input);
    }
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
    if let Some(sc) = Sidecar::parse(input) {
        return to_json("ResetSidecar", &sc);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sadp::{MacAddr, Probe, ProbeMatch};

    #[test]
    fn decodes_sadp_messages_with_secrets_redacted() {
        let mac = MacAddr::parse("44-19-b6-01-02-03").unwrap();
        let d = decode_any(&Probe::inquiry("A-B").encode()).unwrap();
        assert_eq!(d.kind, "SadpProbe");
        assert_eq!(d.value["types"], "inquiry");

        let d = decode_any(&Probe::activate(mac, "c2VhbGVkU2VjcmV0").encode()).unwrap();
        assert_eq!(d.kind, "SadpProbe");
        assert_eq!(d.value["mac"], "44-19-b6-01-02-03");
        let text = d.value.to_string();
        assert!(!text.contains("c2VhbGVkU2VjcmV0"), "{text}");
        assert!(text.contains("[redacted]"));

        let pm = ProbeMatch {
            mac: Some(mac),
            device_sn: Some("DS-2CD2386G2-IU20240315CCWR700000000".into()),
            activated: Some(false),
            types: sadp::ProbeType::parse("inquiry"),
            uuid: "A-B".into(),
            ..ProbeMatch::default()
        };
        let mut bytes = pm.to_element().to_xml().into_bytes();
        bytes.push(0);
        let d = decode_any(&bytes).unwrap();
        assert_eq!(d.kind, "SadpProbeMatch");
        assert_eq!(d.value["device_sn"], "DS-2CD2386G2-IU20240315CCWR700000000");

        let reply = b"<ProbeMatch><Uuid>U</Uuid><Types>getencryptstring</Types>\
            <MAC>44-19-b6-01-02-03</MAC><Result>success</Result>\
            <EncryptString>T0pBQ1VF</EncryptString></ProbeMatch>";
        let d = decode_any(reply).unwrap();
        assert_eq!(d.kind, "SadpReply");
        assert_eq!(d.value["success"], true);
        assert!(!d.value.to_string().contains("T0pBQ1VF"));
    }

    #[test]
    fn decodes_reset_files_without_their_secrets() {
        let mut guid = vec![7u8; 128];
        guid[3] = 0;
        let d = decode_any(&guid).unwrap();
        assert_eq!(d.kind, "GuidFile");
        assert_eq!(d.value["bytes"], 128);

        let sc = Sidecar::new(
            crate::reset::files::FileKind::GuidFile,
            &guid,
            Some("DS-2CD2386G2-IU20240315CCWR700000000"),
            std::time::SystemTime::now(),
        );
        let d = decode_any(&serde_json::to_vec(&sc).unwrap()).unwrap();
        assert_eq!(d.kind, "ResetSidecar");

        // a binary blob of another size is not a GUID file
        assert!(decode_any(&[0u8; 100]).is_err());
    }
}
