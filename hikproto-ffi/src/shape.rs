//! The C shapes of device documents whose core serialization differs from the library's JSON
//! rules (see [`crate::json`]): every key the schema names is always present (`null` when the
//! device did not send it), and numbers are numbers.
//!
//! - `DeviceInfo`: the core leaves out the elements a device did not send; here each element of
//!   the official list is always present, `null` when absent.
//! - Network interfaces: the core keeps the `Link` leaves as the device's text; here `MTU` and
//!   `speed` are numbers and `autoNegotiation` a boolean (a value that does not parse stays the
//!   text as sent).
//! - Doctor reports: the core leaves out empty lists and absent options; here `folded` and
//!   each finding's `explains` are always lists, each finding's `fix` and each remedy step's
//!   `uiPath`, `cli` and `call` are `null` when absent.

use hikproto_core::isapi::device_info::{DeviceInfo, ELEMENTS};
use hikproto_core::isapi::network::NetworkInterface;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// Every key of `hikproto_device_info_json` that stands for one optional value: each element of
/// the official list but `DetailAbnormalStatus` (always the `abnormalStatus` object), and the
/// namespace.
fn device_info_keys() -> impl Iterator<Item = &'static str> {
    ELEMENTS
        .iter()
        .copied()
        .filter(|e| *e != "DetailAbnormalStatus")
        .chain(["namespace"])
}

/// `DeviceInfo` as `hikproto_device_info_json` writes it.
pub(crate) struct InfoJson(pub(crate) DeviceInfo);

impl InfoJson {
    /// The document as a JSON value (before the style of [`crate::json`]).
    pub(crate) fn to_value(&self) -> serde_json::Result<Value> {
        let mut v = serde_json::to_value(&self.0)?;
        if let Value::Object(map) = &mut v {
            for key in device_info_keys() {
                map.entry(key).or_insert(Value::Null);
            }
        }
        Ok(v)
    }
}

impl Serialize for InfoJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

/// A doctor report (as a JSON value) with every key present: see the module docs.
pub(crate) fn doctor_value(mut report: Value) -> Value {
    /// Adds each missing key with its empty value (`[]` for a list, else `null`).
    fn fill(v: &mut Value, keys: &[&str], lists: &[&str]) {
        if let Value::Object(map) = v {
            for key in keys.iter().chain(lists) {
                let empty = if lists.contains(key) {
                    Value::Array(Vec::new())
                } else {
                    Value::Null
                };
                map.entry(*key).or_insert(empty);
            }
        }
    }
    fill(&mut report, &[], &["folded"]);
    if let Some(Value::Array(findings)) = report.get_mut("findings") {
        for f in findings.iter_mut() {
            fill(f, &["fix"], &["explains"]);
            if let Some(Value::Array(steps)) = f.get_mut("remedy") {
                for step in steps.iter_mut() {
                    fill(step, &["uiPath", "cli", "call"], &[]);
                }
            }
        }
    }
    report
}

/// The `Link` leaves that are numbers.
const LINK_NUMBERS: &[&str] = &["MTU", "speed"];
/// The `Link` leaves that are booleans.
const LINK_BOOLS: &[&str] = &["autoNegotiation"];

/// The interface list as `hikproto_device_network_interfaces_json` writes it.
pub(crate) struct InterfacesJson(pub(crate) Vec<NetworkInterface>);

impl Serialize for InterfacesJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        if let Value::Array(items) = &mut v {
            for link in items.iter_mut().filter_map(|i| i.get_mut("link")) {
                typed_link(link);
            }
        }
        v.serialize(s)
    }
}

/// Turns the numeric and boolean `Link` leaves into JSON numbers and booleans.
fn typed_link(link: &mut Value) {
    let Value::Object(map) = link else { return };
    for (key, value) in map.iter_mut() {
        let Value::String(text) = value else { continue };
        let text = text.trim();
        if LINK_NUMBERS.contains(&key.as_str()) {
            if let Ok(n) = text.parse::<u64>() {
                *value = Value::from(n);
            }
        } else if LINK_BOOLS.contains(&key.as_str()) {
            if let Ok(b) = text.parse::<bool>() {
                *value = Value::from(b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn device_info_names_every_element_null_when_absent() {
        let info = DeviceInfo {
            model: Some("DS-2CD2386G2-IU".into()),
            ..DeviceInfo::default()
        };
        let v = InfoJson(info).to_value().unwrap();
        assert_eq!(v["model"], "DS-2CD2386G2-IU");
        for key in device_info_keys().filter(|k| *k != "model") {
            assert_eq!(v[key], Value::Null, "{key}");
        }
        assert_eq!(v["abnormalStatus"], json!({}));
        // every key the core can write is one of the list (or one of the two maps)
        let full = DeviceInfo {
            device_name: Some(String::new()),
            device_id: Some(String::new()),
            device_description: Some(String::new()),
            device_location: Some(String::new()),
            device_status: Some(String::new()),
            system_contact: Some(String::new()),
            model: Some(String::new()),
            serial_number: Some(String::new()),
            mac_address: Some(String::new()),
            firmware_version: Some(String::new()),
            firmware_released_date: Some(String::new()),
            boot_version: Some(String::new()),
            boot_released_date: Some(String::new()),
            hardware_version: Some(String::new()),
            encoder_version: Some(String::new()),
            encoder_released_date: Some(String::new()),
            decoder_version: Some(String::new()),
            decoder_released_date: Some(String::new()),
            software_version: Some(String::new()),
            capacity: Some(String::new()),
            used_capacity: Some(String::new()),
            device_type: Some(String::new()),
            telecontrol_id: Some(String::new()),
            support_beep: Some(true),
            support_video_loss: Some(true),
            firmware_version_info: Some(String::new()),
            manufacturer: Some(String::new()),
            sub_serial_number: Some(String::new()),
            oem_code: Some(String::new()),
            abnormal_status: BTreeMap::new(),
            extra: BTreeMap::new(),
            namespace: Some(String::new()),
        };
        let v = serde_json::to_value(&full).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), device_info_keys().count() + 2);
        for k in keys {
            assert!(
                device_info_keys().any(|e| e == k) || k == "abnormalStatus" || k == "extra",
                "{k} is not an element of the list"
            );
        }
    }

    #[test]
    fn doctor_reports_name_every_key() {
        let v = doctor_value(json!({
            "target": "x", "healthy": false, "unknown": [], "unchecked": [],
            "findings": [{"id": "a", "remedy": [{"text": "t", "call": "hikproto_x"}]}],
        }));
        assert_eq!(v["folded"], json!([]));
        assert_eq!(v["findings"][0]["fix"], Value::Null);
        assert_eq!(v["findings"][0]["explains"], json!([]));
        assert_eq!(
            v["findings"][0]["remedy"][0],
            json!({"text": "t", "uiPath": null, "cli": null, "call": "hikproto_x"})
        );
    }

    #[test]
    fn link_numbers_and_booleans_are_typed() {
        let mut link = json!({"MTU": "1500", "speed": " 100 ", "autoNegotiation": "true",
                              "duplex": "full"});
        typed_link(&mut link);
        assert_eq!(
            link,
            json!({"MTU": 1500, "speed": 100, "autoNegotiation": true, "duplex": "full"})
        );
        let mut odd = json!({"MTU": "auto", "autoNegotiation": "yes"});
        typed_link(&mut odd);
        assert_eq!(odd, json!({"MTU": "auto", "autoNegotiation": "yes"}));
    }
}
