//! `GET /ISAPI/System/deviceInfo`: identity and firmware of a device.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::xml::{Element, FromXml};

/// The ISAPI path of this resource.
pub const PATH: &str = "/ISAPI/System/deviceInfo";

/// Device identity, firmware and hardware, as the device reports it.
///
/// Every element of the official list is a named field; anything else the firmware adds
/// (`decordChannelNums`, `VGANums`, `regionVersion`, …) is kept in [`DeviceInfo::extra`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // field names are the device's element names
pub struct DeviceInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[serde(rename = "deviceID", skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_released_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_released_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hardware_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoder_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoder_released_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoder_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoder_released_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_capacity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    #[serde(rename = "telecontrolID", skip_serializing_if = "Option::is_none")]
    pub telecontrol_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_beep: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_video_loss: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_version_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_serial_number: Option<String>,
    #[serde(rename = "OEMCode", skip_serializing_if = "Option::is_none")]
    pub oem_code: Option<String>,
    /// `DetailAbnormalStatus` flags (`hardDiskFull`, `ethernetBroken`, …) that the device reports.
    pub abnormal_status: BTreeMap<String, bool>,
    /// Elements not in the official list, by local name (text content).
    pub extra: BTreeMap<String, String>,
    /// The namespace the device used (for echoing it on writes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The elements of the official `DeviceInfo` list (isapi.md §8.8), each a named field of
/// [`DeviceInfo`] serialized under the same name (`DetailAbnormalStatus` as `abnormalStatus`).
pub const ELEMENTS: &[&str] = &[
    "deviceName",
    "deviceID",
    "deviceDescription",
    "deviceLocation",
    "deviceStatus",
    "systemContact",
    "model",
    "serialNumber",
    "macAddress",
    "firmwareVersion",
    "firmwareReleasedDate",
    "bootVersion",
    "bootReleasedDate",
    "hardwareVersion",
    "encoderVersion",
    "encoderReleasedDate",
    "decoderVersion",
    "decoderReleasedDate",
    "softwareVersion",
    "capacity",
    "usedCapacity",
    "deviceType",
    "telecontrolID",
    "supportBeep",
    "supportVideoLoss",
    "firmwareVersionInfo",
    "manufacturer",
    "subSerialNumber",
    "OEMCode",
    "DetailAbnormalStatus",
];

impl DeviceInfo {
    /// The 9-character short serial that Hik-Connect uses (the last 9 characters of the serial).
    pub fn short_serial(&self) -> Option<&str> {
        let s = self.serial_number.as_deref()?;
        (s.len() >= 9 && s.is_ascii()).then(|| &s[s.len() - 9..])
    }

    /// The firmware version as numbers, e.g. `V5.7.18` → `[5, 7, 18]`.
    pub fn firmware_numbers(&self) -> Option<Vec<u32>> {
        parse_version(self.firmware_version.as_deref()?)
    }
}

/// Parses a Hikvision version string (`V5.7.18`, `V4.62.210_build`) into its numbers.
pub fn parse_version(v: &str) -> Option<Vec<u32>> {
    let v = v.trim().trim_start_matches(['V', 'v']);
    let head = v
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()?;
    let nums: Option<Vec<u32>> = head
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    nums.filter(|n| !n.is_empty())
}

impl FromXml for DeviceInfo {
    const ROOT: &'static str = "DeviceInfo";

    fn from_element(el: &Element) -> Result<Self> {
        let s = |k: &str| el.string_at(k);
        let mut extra = BTreeMap::new();
        for c in &el.children {
            if !ELEMENTS.contains(&c.name.as_str()) && c.children.is_empty() {
                extra.insert(c.name.clone(), c.text.clone());
            }
        }
        let abnormal_status = el
            .child("DetailAbnormalStatus")
            .map(|d| {
                d.children
                    .iter()
                    .filter_map(|c| crate::xml::parse_bool(&c.text).map(|b| (c.name.clone(), b)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            device_name: s("deviceName"),
            device_id: s("deviceID"),
            device_description: s("deviceDescription"),
            device_location: s("deviceLocation"),
            device_status: s("deviceStatus"),
            system_contact: s("systemContact"),
            model: s("model"),
            serial_number: s("serialNumber"),
            mac_address: s("macAddress"),
            firmware_version: s("firmwareVersion"),
            firmware_released_date: s("firmwareReleasedDate"),
            boot_version: s("bootVersion"),
            boot_released_date: s("bootReleasedDate"),
            hardware_version: s("hardwareVersion"),
            encoder_version: s("encoderVersion"),
            encoder_released_date: s("encoderReleasedDate"),
            decoder_version: s("decoderVersion"),
            decoder_released_date: s("decoderReleasedDate"),
            software_version: s("softwareVersion"),
            capacity: s("capacity"),
            used_capacity: s("usedCapacity"),
            device_type: s("deviceType"),
            telecontrol_id: s("telecontrolID"),
            support_beep: el.bool_at("supportBeep"),
            support_video_loss: el.bool_at("supportVideoLoss"),
            firmware_version_info: s("firmwareVersionInfo"),
            manufacturer: s("manufacturer"),
            sub_serial_number: s("subSerialNumber"),
            oem_code: s("OEMCode"),
            abnormal_status,
            extra,
            namespace: el.namespace().map(str::to_owned),
        })
    }
}

impl DeviceInfo {
    /// Builds the XML document in the order a real camera sends it (used by the simulator).
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut el = Element::new("DeviceInfo");
        if let Some(ns) = namespace {
            el = el.with_namespace(ns);
        }
        let pairs: [(&str, &Option<String>); 22] = [
            ("deviceName", &self.device_name),
            ("deviceID", &self.device_id),
            ("deviceDescription", &self.device_description),
            ("deviceLocation", &self.device_location),
            ("systemContact", &self.system_contact),
            ("model", &self.model),
            ("serialNumber", &self.serial_number),
            ("macAddress", &self.mac_address),
            ("firmwareVersion", &self.firmware_version),
            ("firmwareReleasedDate", &self.firmware_released_date),
            ("encoderVersion", &self.encoder_version),
            ("encoderReleasedDate", &self.encoder_released_date),
            ("bootVersion", &self.boot_version),
            ("bootReleasedDate", &self.boot_released_date),
            ("hardwareVersion", &self.hardware_version),
            ("deviceType", &self.device_type),
            ("telecontrolID", &self.telecontrol_id),
            ("firmwareVersionInfo", &self.firmware_version_info),
            ("manufacturer", &self.manufacturer),
            ("subSerialNumber", &self.sub_serial_number),
            ("OEMCode", &self.oem_code),
            ("deviceStatus", &self.device_status),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                el = el.push_text(k, v.clone());
            }
        }
        if !self.abnormal_status.is_empty() {
            let mut d = Element::new("DetailAbnormalStatus");
            for (k, v) in &self.abnormal_status {
                d = d.push_text(k, crate::xml::fmt_bool(*v));
            }
            el = el.push(d);
        }
        if let Some(b) = self.support_beep {
            el = el.push_text("supportBeep", crate::xml::fmt_bool(b));
        }
        if let Some(b) = self.support_video_loss {
            el = el.push_text("supportVideoLoss", crate::xml::fmt_bool(b));
        }
        for (k, v) in &self.extra {
            el = el.push_text(k, v.clone());
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("V5.7.18"), Some(vec![5, 7, 18]));
        assert_eq!(parse_version("V4.62.210_build"), Some(vec![4, 62, 210]));
        assert_eq!(parse_version("abc"), None);
    }

    #[test]
    fn round_trip_keeps_unknown_elements() {
        let x = br#"<DeviceInfo xmlns="http://www.hikvision.com/ver20/XMLSchema" version="2.0"><model>DS-2CD</model><serialNumber>DS-2CD0120190101AAWR733050127</serialNumber><supportBeep>flase</supportBeep><VGANums>1</VGANums></DeviceInfo>"#;
        let d = DeviceInfo::from_xml(x).unwrap();
        assert_eq!(d.short_serial(), Some("733050127"));
        assert_eq!(d.support_beep, Some(false));
        assert_eq!(d.extra.get("VGANums").map(String::as_str), Some("1"));
        let again = DeviceInfo::from_element(&d.to_element(d.namespace.as_deref())).unwrap();
        assert_eq!(again, d);
    }
}
