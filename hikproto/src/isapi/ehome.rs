//! ISUP (Ehome) platform access: `GET/PUT /ISAPI/System/Network/Ehome[?centerID=<n>]`
//! (isapi.md §5.4).
//!
//! The `key` (the ISUP encryption key) is **write-only**: devices do not return it, so
//! [`Ehome::key`] is `None` after a read and is written only when the caller sets it. The key is
//! sent as the element text; ISUP 5.0 may want it protected differently on some firmware
//! (one integrator's note, unconfirmed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::isapi::capabilities::leaf_extras;
use crate::keys::IsupKey;
use crate::xml::{Element, FromXml, fmt_bool, ns};

/// The ISUP resource (single centre).
pub const PATH: &str = "/ISAPI/System/Network/Ehome";
/// Its capabilities.
pub const CAPABILITIES_PATH: &str = "/ISAPI/System/Network/Ehome/capabilities";
/// The default ISUP server port.
pub const DEFAULT_PORT: u16 = 7660;

/// The path for one centre (`centerID=<n>`), or the single-centre path.
pub fn path(center_id: Option<u32>) -> String {
    match center_id {
        Some(id) => format!("{PATH}?centerID={id}"),
        None => PATH.to_owned(),
    }
}

const KNOWN: &[&str] = &[
    "enabled",
    "addressingFormatType",
    "hostName",
    "ipAddress",
    "ipv6Address",
    "portNo",
    "deviceID",
    "registerStatus",
    "key",
    "version",
    "netWork",
    "voiceDeviceType",
    "protocolVersion",
];

/// The `Ehome` document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ehome {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `addressingFormatType`: `hostname` or `ipaddress`.
    pub addressing_format_type: Option<String>,
    /// `hostName`.
    pub host_name: Option<String>,
    /// `ipAddress`.
    pub ip_address: Option<String>,
    /// `ipv6Address`.
    pub ipv6_address: Option<String>,
    /// `portNo` (default 7660; capabilities allow 1024–65535).
    pub port_no: Option<u16>,
    /// `deviceID` (1–32 characters; required by devices).
    pub device_id: Option<String>,
    /// `registerStatus` (read-only).
    pub register_status: Option<bool>,
    /// `key`: write-only; `None` after a read. Never serialised; redacted in `Debug`.
    #[serde(skip)]
    pub key: Option<IsupKey>,
    /// `version` (read-only).
    pub version: Option<String>,
    /// `netWork`.
    pub net_work: Option<u32>,
    /// `voiceDeviceType`.
    pub voice_device_type: Option<String>,
    /// `protocolVersion`: `v2.0`, `v2.6`, `v4.0`, `v5.0`.
    pub protocol_version: Option<String>,
    /// Unknown leaf elements by name, as sent.
    pub extra: BTreeMap<String, String>,
    #[serde(skip)]
    raw: Element,
}

impl Ehome {
    /// The namespace the device used, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.raw.namespace()
    }

    /// Checks the values a write would send: `deviceID` 1–32 characters, port ≥ 1024.
    pub fn validate(&self) -> Result<()> {
        if let Some(id) = &self.device_id {
            if id.is_empty() || id.chars().count() > 32 {
                return Err(Error::invalid("ISUP deviceID must be 1 to 32 characters"));
            }
        }
        if let Some(p) = self.port_no {
            if p < 1024 {
                return Err(Error::invalid("ISUP port must be 1024 to 65535"));
            }
        }
        Ok(())
    }

    /// Builds the PUT body over the device's own document (namespace, order, unknown elements
    /// kept); the key is included only when set.
    pub fn to_element(&self) -> Element {
        let mut el = if self.raw.name.is_empty() {
            Element::new("Ehome").with_namespace(ns::HIKVISION_V20)
        } else {
            self.raw.clone()
        };
        let mut set = |p: &str, v: Option<String>| {
            if let Some(v) = v {
                el.set_text_at(p, v);
            }
        };
        set("enabled", self.enabled.map(|b| fmt_bool(b).to_owned()));
        set("addressingFormatType", self.addressing_format_type.clone());
        set("hostName", self.host_name.clone());
        set("ipAddress", self.ip_address.clone());
        set("ipv6Address", self.ipv6_address.clone());
        set("portNo", self.port_no.map(|p| p.to_string()));
        set("deviceID", self.device_id.clone());
        set("key", self.key.as_ref().map(|k| k.expose().to_owned()));
        set("netWork", self.net_work.map(|n| n.to_string()));
        set("voiceDeviceType", self.voice_device_type.clone());
        set("protocolVersion", self.protocol_version.clone());
        if self.key.is_none() {
            el.remove_at("key");
        }
        el
    }
}

/// A change to the ISUP settings, applied by read-modify-write: every `None` keeps the device's
/// value. Deserializes from camelCase JSON (`enabled`, `host`, `port`, `deviceId`,
/// `protocolVersion`; unknown names refused) for the bindings; the key is never part of JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EhomeChange {
    /// Turn ISUP on or off.
    pub enabled: Option<bool>,
    /// The ISUP server: an IP address (sets `ipAddress`) or a host name (sets `hostName`); the
    /// `addressingFormatType` follows.
    pub host: Option<String>,
    /// The server port (1024–65535).
    pub port: Option<u16>,
    /// The `deviceID` the device registers with (1–32 characters).
    pub device_id: Option<String>,
    /// `protocolVersion` (`v2.0`, `v2.6`, `v4.0`, `v5.0`).
    pub protocol_version: Option<String>,
    /// A new ISUP key; `None` keeps the device's (write-only) key.
    #[serde(skip)]
    pub key: Option<IsupKey>,
}

impl EhomeChange {
    /// Applies the change to settings read from the device.
    pub fn apply(self, e: &mut Ehome) {
        if let Some(v) = self.enabled {
            e.enabled = Some(v);
        }
        if let Some(h) = self.host {
            if h.parse::<std::net::IpAddr>().is_ok() {
                e.ip_address = Some(h);
                e.addressing_format_type = Some("ipaddress".to_owned());
            } else {
                e.host_name = Some(h);
                e.addressing_format_type = Some("hostname".to_owned());
            }
        }
        e.port_no = self.port.or(e.port_no);
        e.device_id = self.device_id.or(e.device_id.take());
        e.protocol_version = self.protocol_version.or(e.protocol_version.take());
        e.key = self.key;
    }
}

impl FromXml for Ehome {
    const ROOT: &'static str = "Ehome";

    fn from_element(el: &Element) -> Result<Self> {
        let mut raw = el.clone();
        if let Some(k) = raw.child_mut("key") {
            k.text.clear();
        }
        Ok(Self {
            enabled: el.bool_at("enabled"),
            addressing_format_type: el.string_at("addressingFormatType"),
            host_name: el.string_at("hostName"),
            ip_address: el.string_at("ipAddress"),
            ipv6_address: el.string_at("ipv6Address"),
            port_no: el.num_at("portNo"),
            device_id: el.string_at("deviceID"),
            register_status: el.bool_at("registerStatus"),
            key: None,
            version: el.string_at("version"),
            net_work: el.num_at("netWork"),
            voice_device_type: el.string_at("voiceDeviceType"),
            protocol_version: el.string_at("protocolVersion"),
            extra: leaf_extras(el, KNOWN),
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_write_only_and_redacted() {
        let doc = br#"<Ehome version="2.0" xmlns="http://www.hikvision.com/ver10/XMLSchema"><enabled>false</enabled><addressingFormatType>ipaddress</addressingFormatType><ipAddress>0.0.0.0</ipAddress><portNo>7660</portNo><deviceID>cam-01</deviceID><registerStatus>false</registerStatus><key>leaked?</key><protocolVersion>v5.0</protocolVersion><centerID>1</centerID></Ehome>"#;
        let mut e = Ehome::from_xml(doc).unwrap();
        assert!(e.key.is_none());
        assert_eq!(e.port_no, Some(DEFAULT_PORT));
        assert_eq!(e.extra.get("centerID").map(String::as_str), Some("1"));
        assert!(
            e.to_element().child("key").is_none(),
            "never echo a key that was read"
        );
        e.enabled = Some(true);
        e.ip_address = Some("192.0.2.20".into());
        e.key = Some(IsupKey::new("isupKey-2024").unwrap());
        let out = e.to_element();
        assert_eq!(out.namespace(), Some(ns::HIKVISION_V10));
        assert_eq!(out.text_at("key"), Some("isupKey-2024"));
        assert_eq!(out.text_at("enabled"), Some("true"));
        assert!(!format!("{e:?}").contains("isupKey-2024"));
        assert!(!serde_json::to_string(&e).unwrap().contains("isupKey"));
        assert_eq!(path(Some(2)), "/ISAPI/System/Network/Ehome?centerID=2");
        e.port_no = Some(80);
        assert!(e.validate().is_err());
        e.port_no = Some(7660);
        e.device_id = Some("x".repeat(33));
        assert!(e.validate().is_err());
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        let doc = br#"<Ehome><enabled>false</enabled><addressingFormatType>ipaddress</addressingFormatType><ipAddress>192.0.2.1</ipAddress><portNo>7660</portNo><deviceID>cam-01</deviceID></Ehome>"#;
        let mut e = Ehome::from_xml(doc).unwrap();
        let change: EhomeChange =
            serde_json::from_str(r#"{"enabled":true,"host":"isup.example.net"}"#).unwrap();
        change.apply(&mut e);
        assert_eq!(e.enabled, Some(true));
        assert_eq!(e.host_name.as_deref(), Some("isup.example.net"));
        assert_eq!(e.addressing_format_type.as_deref(), Some("hostname"));
        assert_eq!(e.port_no, Some(7660));
        assert_eq!(e.device_id.as_deref(), Some("cam-01"));
        assert!(e.key.is_none());
        assert!(serde_json::from_str::<EhomeChange>(r#"{"key":"secret123"}"#).is_err());
        EhomeChange {
            host: Some("192.0.2.9".into()),
            ..EhomeChange::default()
        }
        .apply(&mut e);
        assert_eq!(e.ip_address.as_deref(), Some("192.0.2.9"));
        assert_eq!(e.addressing_format_type.as_deref(), Some("ipaddress"));
    }
}
