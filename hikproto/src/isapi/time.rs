//! Time settings: `GET/PUT /ISAPI/System/time` and `/ISAPI/System/time/ntpServers`.
//!
//! Time matters for platform access: TLS to Hik-Connect fails with a wrong clock. `timeMode` is
//! `NTP`, `manual` or `platform` (time from Hik-Connect, with `platformType=EZVIZ`); an NTP
//! failure shows up as `NTPUnconnect` (0x4000105C).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::isapi::capabilities::leaf_extras;
use crate::xml::{Element, FromXml};

/// The time resource.
pub const PATH: &str = "/ISAPI/System/time";
/// The NTP server list.
pub const NTP_SERVERS_PATH: &str = "/ISAPI/System/time/ntpServers";

/// `timeMode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimeMode {
    /// `NTP`.
    Ntp,
    /// `manual`.
    Manual,
    /// `platform`: time from the Hik-Connect platform.
    Platform,
    /// Another value, kept as sent.
    Other(String),
}

impl TimeMode {
    /// Parses the device value (case-insensitive).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "ntp" => Self::Ntp,
            "manual" => Self::Manual,
            "platform" => Self::Platform,
            _ => Self::Other(s.trim().to_owned()),
        }
    }

    /// The value devices expect.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Ntp => "NTP",
            Self::Manual => "manual",
            Self::Platform => "platform",
            Self::Other(s) => s,
        }
    }
}

/// The `Time` document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Time {
    /// `timeMode`.
    pub time_mode: Option<TimeMode>,
    /// `localTime` (ISO 8601 as the device sends it).
    pub local_time: Option<String>,
    /// `timeZone` (POSIX-style, e.g. `CST-8:00:00`).
    pub time_zone: Option<String>,
    /// `platformType` (with `timeMode=platform`, e.g. `EZVIZ`).
    pub platform_type: Option<String>,
    /// Unknown leaves, as sent.
    pub extra: BTreeMap<String, String>,
    #[serde(skip)]
    raw: Element,
}

impl Time {
    /// Builds the PUT body over the device's document.
    pub fn to_element(&self) -> Element {
        let mut el = if self.raw.name.is_empty() {
            Element::new("Time").with_namespace(crate::xml::ns::HIKVISION_V20)
        } else {
            self.raw.clone()
        };
        if let Some(m) = &self.time_mode {
            el.set_text_at("timeMode", m.as_str());
        }
        if let Some(t) = &self.local_time {
            el.set_text_at("localTime", t.clone());
        }
        if let Some(z) = &self.time_zone {
            el.set_text_at("timeZone", z.clone());
        }
        if let Some(p) = &self.platform_type {
            el.set_text_at("platformType", p.clone());
        }
        el
    }
}

impl FromXml for Time {
    const ROOT: &'static str = "Time";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self {
            time_mode: el.text_at("timeMode").map(TimeMode::parse),
            local_time: el.string_at("localTime"),
            time_zone: el.string_at("timeZone"),
            platform_type: el.string_at("platformType"),
            extra: leaf_extras(el, &["timeMode", "localTime", "timeZone", "platformType"]),
            raw: el.clone(),
        })
    }
}

/// One `NTPServer`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NtpServer {
    /// `id`.
    pub id: String,
    /// `addressingFormatType`: `hostname` or `ipaddress`.
    pub addressing_format_type: Option<String>,
    /// `hostName`.
    pub host_name: Option<String>,
    /// `ipAddress`.
    pub ip_address: Option<String>,
    /// `ipv6Address`.
    pub ipv6_address: Option<String>,
    /// `portNo` (123 by default).
    pub port_no: Option<u16>,
    /// `synchronizeInterval` (minutes).
    pub synchronize_interval: Option<u32>,
}

impl NtpServer {
    /// A server given by host name (`pool.ntp.org`) or address.
    pub fn new(id: impl Into<String>, host: &str) -> Self {
        let is_ip = host.parse::<std::net::IpAddr>().ok();
        Self {
            id: id.into(),
            addressing_format_type: Some(
                if is_ip.is_some() {
                    "ipaddress"
                } else {
                    "hostname"
                }
                .into(),
            ),
            host_name: is_ip.is_none().then(|| host.to_owned()),
            ip_address: is_ip.filter(|a| a.is_ipv4()).map(|a| a.to_string()),
            ipv6_address: is_ip.filter(|a| a.is_ipv6()).map(|a| a.to_string()),
            port_no: Some(123),
            synchronize_interval: None,
        }
    }

    /// The host this entry points at.
    pub fn host(&self) -> Option<&str> {
        let by_name = self.addressing_format_type.as_deref() == Some("hostname");
        if by_name {
            self.host_name.as_deref()
        } else {
            self.ip_address.as_deref().or(self.ipv6_address.as_deref())
        }
        .or(self.host_name.as_deref())
    }

    fn write(&self, el: &mut Element) {
        el.set_text_at("id", self.id.clone());
        let fields = [
            ("addressingFormatType", &self.addressing_format_type),
            ("hostName", &self.host_name),
            ("ipAddress", &self.ip_address),
            ("ipv6Address", &self.ipv6_address),
        ];
        // The address fields are the whole truth: one cleared here is removed from the kept
        // element, so a server switched from a host name to an address loses its old name
        // (devices read `hostName` first when both are present).
        for (name, v) in fields {
            match v {
                Some(v) => el.set_text_at(name, v.clone()),
                None => el.remove_at(name),
            }
        }
        if let Some(p) = self.port_no {
            el.set_text_at("portNo", p.to_string());
        }
        if let Some(i) = self.synchronize_interval {
            el.set_text_at("synchronizeInterval", i.to_string());
        }
    }
}

impl FromXml for NtpServer {
    const ROOT: &'static str = "NTPServer";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self {
            id: el
                .string_at("id")
                .ok_or_else(|| Error::decode(Self::ROOT, "missing <id>"))?,
            addressing_format_type: el.string_at("addressingFormatType"),
            host_name: el.string_at("hostName"),
            ip_address: el.string_at("ipAddress"),
            ipv6_address: el.string_at("ipv6Address"),
            port_no: el.num_at("portNo"),
            synchronize_interval: el.num_at("synchronizeInterval"),
        })
    }
}

/// `NTPServerList`, kept for read-modify-write.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NtpServers {
    /// The servers.
    pub servers: Vec<NtpServer>,
    #[serde(skip)]
    raw: Element,
}

impl NtpServers {
    /// Builds the PUT body: entries matched to the device's by `id`, new ones appended, removed
    /// ones dropped.
    pub fn to_element(&self) -> Element {
        let mut el = if self.raw.name.is_empty() {
            Element::new("NTPServerList").with_namespace(crate::xml::ns::HIKVISION_V20)
        } else {
            self.raw.clone()
        };
        let old: Vec<Element> = std::mem::take(&mut el.children);
        let mut kept_other: Vec<Element> = Vec::new();
        let mut entries: Vec<Element> = Vec::new();
        for s in &self.servers {
            let mut child = old
                .iter()
                .find(|c| c.name == "NTPServer" && c.text_at("id") == Some(s.id.as_str()))
                .cloned()
                .unwrap_or_else(|| Element::new("NTPServer"));
            s.write(&mut child);
            entries.push(child);
        }
        for c in old.into_iter().filter(|c| c.name != "NTPServer") {
            kept_other.push(c);
        }
        el.children = entries;
        el.children.extend(kept_other);
        el
    }
}

impl FromXml for NtpServers {
    const ROOT: &'static str = "NTPServerList";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self {
            servers: el
                .children_named("NTPServer")
                .map(NtpServer::from_element)
                .collect::<Result<_>>()?,
            raw: el.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_and_ntp() {
        let t = Time::from_xml(b"<Time><timeMode>NTP</timeMode><localTime>2024-01-01T00:00:00+08:00</localTime><timeZone>CST-8:00:00</timeZone><x>1</x></Time>").unwrap();
        assert_eq!(t.time_mode, Some(TimeMode::Ntp));
        let mut t2 = t;
        t2.time_mode = Some(TimeMode::Platform);
        t2.platform_type = Some("EZVIZ".into());
        let out = t2.to_element();
        assert_eq!(out.text_at("timeMode"), Some("platform"));
        assert_eq!(out.text_at("x"), Some("1"));
        let list = NtpServers::from_xml(b"<NTPServerList><NTPServer><id>1</id><addressingFormatType>hostname</addressingFormatType><hostName>time.windows.com</hostName><portNo>123</portNo><synchronizeInterval>1440</synchronizeInterval><extraLeaf>k</extraLeaf></NTPServer></NTPServerList>").unwrap();
        assert_eq!(list.servers[0].host(), Some("time.windows.com"));
        let mut l2 = list;
        l2.servers[0].host_name = Some("pool.ntp.org".into());
        l2.servers.push(NtpServer::new("2", "192.0.2.123"));
        let out = l2.to_element();
        let entries: Vec<_> = out.children_named("NTPServer").collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].text_at("hostName"), Some("pool.ntp.org"));
        assert_eq!(entries[0].text_at("extraLeaf"), Some("k"));
        assert_eq!(entries[1].text_at("ipAddress"), Some("192.0.2.123"));
        assert_eq!(
            entries[1].text_at("addressingFormatType"),
            Some("ipaddress")
        );
        assert!(NtpServers::from_xml(b"<NTPServerList><NTPServer/></NTPServerList>").is_err());
    }

    #[test]
    fn switching_a_server_from_name_to_address_drops_the_old_name() {
        let mut list = NtpServers::from_xml(b"<NTPServerList><NTPServer><id>1</id><addressingFormatType>hostname</addressingFormatType><hostName>time.windows.com</hostName><portNo>123</portNo></NTPServer></NTPServerList>").unwrap();
        let replacement = NtpServer::new("1", "192.0.2.7");
        list.servers[0] = replacement;
        let out = list.to_element();
        let entry = out.child("NTPServer").unwrap();
        assert_eq!(entry.text_at("hostName"), None);
        assert_eq!(entry.text_at("ipAddress"), Some("192.0.2.7"));
        assert_eq!(entry.text_at("addressingFormatType"), Some("ipaddress"));
        let back = NtpServers::from_element(&out).unwrap();
        assert_eq!(back.servers[0].host(), Some("192.0.2.7"));
    }
}
