//! The C library's one JSON style, applied to every typed JSON result.
//!
//! - **Keys are camelCase.** Most core types serialize camelCase already; the SADP types
//!   serialize snake_case (as the CLI's `--json` and the Python binding show them), so this
//!   layer renames every lower-case snake_case key (`device_sn` → `deviceSn`,
//!   `ipv4_address` → `ipv4Address`). Other keys pass unchanged: camelCase ones, and names a
//!   device chose (ISAPI element names such as `deviceID`), which never take that form.
//! - **One MAC format**: a string under a `mac`/`…Mac`/`macAddress`/`…MacAddress` key that is a
//!   MAC address is written as six lower-case hex pairs joined by colons
//!   (`44:19:b6:01:02:03`), whether the device or SADP wrote it with dashes or capitals.
//! - **Enums** are strings (`"Unicast"`); a value the library has no name for is the one-key
//!   object `{"other": value}` (the core's `Other(…)` variants arrive as `{"Other": …}`).
//! - Raw documents (`hikproto_device_get_json`, `hikproto_isapi_to_json`) are the device's
//!   names as it sent them and are not touched.
//!
//! The schemas in `hikproto-ffi/schema/` describe the result of each function.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Fail;
use crate::result::hikproto_result;

/// `v` as JSON text in the library's style.
pub(crate) fn c_json<T: Serialize + ?Sized>(v: &T) -> Result<String, Fail> {
    let mut value =
        serde_json::to_value(v).map_err(|e| Fail::new(hikproto_result::Decode, e.to_string()))?;
    normalize(&mut value);
    Ok(value.to_string())
}

/// Applies the style to a JSON value in place.
pub(crate) fn normalize(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let old = std::mem::take(map);
            let mut new = Map::with_capacity(old.len());
            for (key, mut value) in old {
                normalize(&mut value);
                let key = camel_case(&key);
                if is_mac_key(&key) {
                    normalize_mac(&mut value);
                }
                new.insert(key, value);
            }
            // an enum's unlisted value: one documented form, `{"other": value}`
            if new.len() == 1 {
                if let Some(value) = new.remove("Other") {
                    new.insert("other".to_owned(), value);
                }
            }
            *map = new;
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// `device_sn` → `deviceSn`; anything not lower-case snake_case is returned unchanged.
fn camel_case(key: &str) -> String {
    let snake = key.contains('_')
        && key.split('_').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !snake {
        return key.to_owned();
    }
    let mut out = String::with_capacity(key.len());
    for (i, part) in key.split('_').enumerate() {
        let mut chars = part.chars();
        if i > 0 {
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
            }
        }
        out.extend(chars);
    }
    out
}

fn is_mac_key(key: &str) -> bool {
    key == "mac" || key == "macAddress" || key.ends_with("Mac") || key.ends_with("MacAddress")
}

/// `44-19-B6-01-02-03` → `44:19:b6:01:02:03`; other strings are left alone.
fn normalize_mac(v: &mut Value) {
    let Value::String(s) = v else { return };
    let pairs: Vec<&str> = s.split(['-', ':']).collect();
    let is_mac = pairs.len() == 6
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    if is_mac {
        *s = pairs.join(":").to_ascii_lowercase();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_become_camel_case_and_macs_one_format() {
        let mut v = json!({
            "device_sn": "X", "ipv4_address": "10.0.0.5", "deviceID": "id",
            "mac": "44-19-B6-01-02-03", "macAddress": "AA:BB:CC:DD:EE:FF",
            "list": [{"http_port": 80, "soft_ap_mac": "00-11-22-33-44-55"}],
            "note_": 1, "Other_Name": 2, "mac2": "44-19-b6-01-02-03",
        });
        normalize(&mut v);
        assert_eq!(
            v,
            json!({
                "deviceSn": "X", "ipv4Address": "10.0.0.5", "deviceID": "id",
                "mac": "44:19:b6:01:02:03", "macAddress": "aa:bb:cc:dd:ee:ff",
                "list": [{"httpPort": 80, "softApMac": "00:11:22:33:44:55"}],
                "note_": 1, "Other_Name": 2, "mac2": "44-19-b6-01-02-03",
            })
        );
        let mut other = json!([{"Other": "x"}, {"other": 3}, {"Other": 1, "b": 2}]);
        normalize(&mut other);
        assert_eq!(
            other,
            json!([{"other": "x"}, {"other": 3}, {"Other": 1, "b": 2}])
        );
        let mut not_mac = json!({"mac": "unknown"});
        normalize(&mut not_mac);
        assert_eq!(not_mac, json!({"mac": "unknown"}));
    }
}
