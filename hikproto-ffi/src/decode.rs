//! Decoding ISAPI documents (XML or JSON) into JSON text for C callers.

use std::ffi::c_char;

use hikproto_core::decode::{decode_any, known_roots};
use hikproto_core::xml::Element;
use serde_json::{Value, json};

use crate::buffer::{bytes_arg, write_str};
use crate::error::{Fail, hikproto_error};
use crate::panic::ffi_call;
use crate::result::hikproto_result;

/// Decodes one ISAPI document into the envelope `{"root", "typed", "kind", "value"}`.
///
/// Typed decoding is the core's [`decode_any`], so every model the core learns appears here
/// without a change; other documents get a generic view.
pub(crate) fn decode_document(doc: &[u8]) -> Result<Value, Fail> {
    let first = doc.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match first {
        None => Err(Fail::new(hikproto_result::Decode, "the document is empty")),
        Some(b'{' | b'[') => decode_json(doc),
        Some(_) => decode_xml(doc),
    }
}

fn decode_xml(doc: &[u8]) -> Result<Value, Fail> {
    let el = Element::parse(doc)?;
    if known_roots().contains(&el.name.as_str()) {
        let d = decode_any(doc)?;
        return Ok(typed(Some(&el.name), &d.kind, d.value));
    }
    Ok(generic(Some(&el.name), el.to_json()))
}

fn decode_json(doc: &[u8]) -> Result<Value, Fail> {
    let v: Value = serde_json::from_slice(doc)
        .map_err(|e| Fail::new(hikproto_result::Decode, format!("malformed JSON: {e}")))?;
    let root = match &v {
        Value::Object(m) if m.len() == 1 => m.keys().next().cloned(),
        _ => None,
    };
    let is_status = v.get("ResponseStatus").is_some() || v.get("statusCode").is_some();
    if is_status {
        let d = decode_any(doc)?;
        return Ok(typed(Some("ResponseStatus"), &d.kind, d.value));
    }
    let value = match (&root, v) {
        (Some(r), Value::Object(mut m)) => m.remove(r).unwrap_or(Value::Null),
        (_, v) => v,
    };
    Ok(generic(root.as_deref(), value))
}

fn typed(root: Option<&str>, kind: &str, value: Value) -> Value {
    json!({ "root": root, "typed": true, "kind": kind, "value": value })
}

fn generic(root: Option<&str>, value: Value) -> Value {
    json!({ "root": root, "typed": false, "kind": null, "value": value })
}

/// Decodes an ISAPI document (XML in any of the namespaces devices use, or the JSON form) and
/// writes it as JSON text into `buf` (NUL-terminated UTF-8).
///
/// The output is always an object `{"root": ..., "typed": ..., "kind": ..., "value": ...}`:
/// - `root`: the document's root element name (`"DeviceInfo"`), or for JSON the single
///   top-level key, or `null`;
/// - `typed`: `true` when hikproto knows the document type and `value` is its decoded model
///   (every model the core's decoder knows: `DeviceInfo`, `ResponseStatus`, `userCheck`, …;
///   fields in camelCase as in
///   `hikproto_device_info_json`), `false` when `value` is a generic view: an element with
///   children becomes an object, a leaf its text, repeated elements an array;
/// - `kind`: the model's name when `typed` (for example `"UserCheck"`), else `null`;
/// - `value`: the decoded content.
///
/// `doc`/`doc_len`: the bytes (not NUL-terminated; `doc` may be NULL only if `doc_len` is 0).
/// Limits: documents over the XML parser's bounds (size, depth, element count) fail with
/// `HIKPROTO_RESULT_TOO_LARGE` or `HIKPROTO_RESULT_DECODE`; malformed input fails with
/// `HIKPROTO_RESULT_DECODE`, details in `*err_out`.
///
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included.
/// Pure function: no network; any thread.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_isapi_to_json(
    doc: *const u8,
    doc_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        if out_n.is_null() {
            return Err(Fail::null("out_n"));
        }
        let doc = bytes_arg(doc, doc_len, "doc")?;
        let v = decode_document(doc)?;
        write_str(&v.to_string(), buf, len, out_n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_generic_and_json() {
        let v = decode_document(
            br#"<DeviceInfo xmlns="http://www.isapi.org/ver20/XMLSchema"><deviceName>Gate</deviceName><model>DS-2CD2043G2-I</model></DeviceInfo>"#,
        )
        .unwrap();
        assert_eq!(v["root"], "DeviceInfo");
        assert_eq!(v["typed"], true);
        assert_eq!(v["kind"], "DeviceInfo");
        assert_eq!(v["value"]["model"], "DS-2CD2043G2-I");

        let v = decode_document(b"<Foo><a>1</a><a>2</a><b>x</b></Foo>").unwrap();
        assert_eq!(v["typed"], false);
        assert_eq!(v["value"]["a"], json!(["1", "2"]));

        let v = decode_document(
            br#"{"statusCode":4,"statusString":"Invalid Operation","subStatusCode":"invalidOperation","errorCode":1073741830}"#,
        )
        .unwrap();
        assert_eq!(v["root"], "ResponseStatus");
        assert_eq!(v["value"]["statusCode"], 4);

        let v = decode_document(br#"{"Thing":{"x":1}}"#).unwrap();
        assert_eq!(
            (v["root"].as_str(), &v["value"]["x"]),
            (Some("Thing"), &json!(1))
        );

        for bad in [&b""[..], b"   ", b"<a>", b"{", b"<!DOCTYPE a><a/>"] {
            assert!(decode_document(bad).is_err(), "{bad:?}");
        }
    }
}
