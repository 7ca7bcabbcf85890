//! Network settings (isapi.md §6): interfaces, IP addressing with gateway and DNS, and the admin
//! access ports (`/ISAPI/Security/adminAccesses`).
//!
//! Writes are read-modify-write over the device's own document. Changing the address usually
//! answers statusCode 7 (`Reboot Required`); the operations return the `ResponseStatus` so the
//! caller sees it ([`ResponseStatus::reboot_required`](crate::isapi::status::ResponseStatus::reboot_required)).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::isapi::capabilities::leaf_extras;
use crate::xml::{Element, FromXml};

mod change;
pub use change::Ipv4Change;

/// The interface list.
pub const INTERFACES_PATH: &str = "/ISAPI/System/Network/interfaces";
/// The admin access protocol list.
pub const ADMIN_ACCESSES_PATH: &str = "/ISAPI/Security/adminAccesses";

/// `/ISAPI/System/Network/interfaces/<id>/ipAddress`.
pub fn ip_address_path(interface_id: &str) -> String {
    format!("{INTERFACES_PATH}/{interface_id}/ipAddress")
}

/// `ipAddress`/`ipv6Address` pair of `DefaultGateway`, `PrimaryDNS`, `SecondaryDNS`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressPair {
    /// IPv4 address.
    pub ip_address: Option<String>,
    /// IPv6 address.
    pub ipv6_address: Option<String>,
}

impl AddressPair {
    fn read(el: &Element, name: &str) -> Option<Self> {
        el.child(name).map(|c| Self {
            ip_address: c.string_at("ipAddress"),
            ipv6_address: c.string_at("ipv6Address"),
        })
    }

    fn write(&self, el: &mut Element, name: &str) {
        if let Some(v) = &self.ip_address {
            el.set_text_at(&format!("{name}/ipAddress"), v.clone());
        }
        if let Some(v) = &self.ipv6_address {
            el.set_text_at(&format!("{name}/ipv6Address"), v.clone());
        }
    }

    /// An IPv4-only pair.
    pub fn v4(addr: Ipv4Addr) -> Self {
        Self {
            ip_address: Some(addr.to_string()),
            ipv6_address: None,
        }
    }

    /// The IPv4 address of an optional pair (`None` when the pair or its address is absent).
    pub fn ipv4_of(pair: &Option<Self>) -> Option<String> {
        pair.as_ref().and_then(|p| p.ip_address.clone())
    }
}

/// `IPAddress`: how one interface is addressed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddressing {
    /// `ipVersion`: `v4`, `v6` or `dual`.
    pub ip_version: Option<String>,
    /// `addressingType`: `static`, `dynamic` (DHCP) or `apipa`.
    pub addressing_type: Option<String>,
    /// `ipAddress`.
    pub ip_address: Option<String>,
    /// `subnetMask`.
    pub subnet_mask: Option<String>,
    /// `ipv6Address`.
    pub ipv6_address: Option<String>,
    /// `bitMask` (IPv6 prefix length).
    pub bit_mask: Option<u8>,
    /// `DefaultGateway`.
    pub default_gateway: Option<AddressPair>,
    /// `PrimaryDNS`.
    pub primary_dns: Option<AddressPair>,
    /// `SecondaryDNS`.
    pub secondary_dns: Option<AddressPair>,
    /// Unknown leaf elements, as sent (`Ipv6Mode` and other subtrees stay in the document).
    pub extra: BTreeMap<String, String>,
    #[serde(skip)]
    raw: Element,
}

impl IpAddressing {
    /// The IPv4 DNS servers as the device reports them: (`PrimaryDNS`, `SecondaryDNS`), each
    /// `None` when absent.
    pub fn dns_ipv4(&self) -> (Option<String>, Option<String>) {
        (
            AddressPair::ipv4_of(&self.primary_dns),
            AddressPair::ipv4_of(&self.secondary_dns),
        )
    }
}

const IP_KNOWN: &[&str] = &[
    "ipVersion",
    "addressingType",
    "ipAddress",
    "subnetMask",
    "ipv6Address",
    "bitMask",
];

fn check_v4(what: &str, v: &Option<String>) -> Result<()> {
    match v.as_deref() {
        Some(s) if s.parse::<Ipv4Addr>().is_err() => Err(Error::invalid(format!(
            "{what} {s:?} is not an IPv4 address"
        ))),
        _ => Ok(()),
    }
}

fn check_v6(what: &str, v: &Option<String>) -> Result<()> {
    match v.as_deref() {
        Some(s) if s.parse::<Ipv6Addr>().is_err() => Err(Error::invalid(format!(
            "{what} {s:?} is not an IPv6 address"
        ))),
        _ => Ok(()),
    }
}

impl IpAddressing {
    /// True for DHCP.
    pub fn is_dhcp(&self) -> bool {
        self.addressing_type.as_deref() == Some("dynamic")
    }

    /// Sets the DNS servers (primary required, secondary optional), IPv4 or IPv6 each.
    pub fn set_dns(&mut self, primary: IpAddr, secondary: Option<IpAddr>) {
        let pair = |a: IpAddr| match a {
            IpAddr::V4(v) => AddressPair::v4(v),
            IpAddr::V6(v) => AddressPair {
                ip_address: None,
                ipv6_address: Some(v.to_string()),
            },
        };
        self.primary_dns = Some(pair(primary));
        self.secondary_dns = secondary.map(pair);
    }

    /// Checks what a write would send: addresses parse, the mask is a mask, and the primary
    /// and secondary DNS differ (devices refuse equal ones with `dns1dns2CanNotSame`).
    pub fn validate(&self) -> Result<()> {
        check_v4("ipAddress", &self.ip_address)?;
        check_v4("subnetMask", &self.subnet_mask)?;
        if let Some(m) = self
            .subnet_mask
            .as_deref()
            .and_then(|m| m.parse::<Ipv4Addr>().ok())
        {
            let bits = u32::from(m);
            if bits.leading_ones() + bits.trailing_zeros() != 32 {
                return Err(Error::invalid(format!(
                    "subnetMask {m} is not a contiguous mask"
                )));
            }
        }
        check_v6("ipv6Address", &self.ipv6_address)?;
        if self.bit_mask.is_some_and(|b| b > 128) {
            return Err(Error::invalid("bitMask must be 0 to 128"));
        }
        for (name, pair) in [
            ("DefaultGateway", &self.default_gateway),
            ("PrimaryDNS", &self.primary_dns),
            ("SecondaryDNS", &self.secondary_dns),
        ] {
            if let Some(p) = pair {
                check_v4(name, &p.ip_address)?;
                check_v6(name, &p.ipv6_address)?;
            }
        }
        if let (Some(a), Some(b)) = (&self.primary_dns, &self.secondary_dns) {
            let same_v4 = a.ip_address.is_some() && a.ip_address == b.ip_address;
            let same_v6 = a.ipv6_address.is_some() && a.ipv6_address == b.ipv6_address;
            if same_v4 || same_v6 {
                return Err(Error::invalid(
                    "the primary and secondary DNS servers must differ",
                ));
            }
        }
        Ok(())
    }

    /// Builds the PUT body over the device's document.
    pub fn to_element(&self) -> Element {
        let mut el = if self.raw.name.is_empty() {
            Element::new("IPAddress").with_namespace(crate::xml::ns::HIKVISION_V20)
        } else {
            self.raw.clone()
        };
        let fields = [
            ("ipVersion", &self.ip_version),
            ("addressingType", &self.addressing_type),
            ("ipAddress", &self.ip_address),
            ("subnetMask", &self.subnet_mask),
            ("ipv6Address", &self.ipv6_address),
        ];
        for (name, v) in fields {
            if let Some(v) = v {
                el.set_text_at(name, v.clone());
            }
        }
        if let Some(b) = self.bit_mask {
            el.set_text_at("bitMask", b.to_string());
        }
        if let Some(p) = &self.default_gateway {
            p.write(&mut el, "DefaultGateway");
        }
        if let Some(p) = &self.primary_dns {
            p.write(&mut el, "PrimaryDNS");
        }
        match &self.secondary_dns {
            Some(p) => p.write(&mut el, "SecondaryDNS"),
            None => {
                if let Some(s) = el.child_mut("SecondaryDNS") {
                    for c in &mut s.children {
                        c.text.clear();
                    }
                }
            }
        }
        el
    }
}

impl FromXml for IpAddressing {
    const ROOT: &'static str = "IPAddress";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self {
            ip_version: el.string_at("ipVersion"),
            addressing_type: el.string_at("addressingType"),
            ip_address: el.string_at("ipAddress"),
            subnet_mask: el.string_at("subnetMask"),
            ipv6_address: el.string_at("ipv6Address"),
            bit_mask: el.num_at("bitMask"),
            default_gateway: AddressPair::read(el, "DefaultGateway"),
            primary_dns: AddressPair::read(el, "PrimaryDNS"),
            secondary_dns: AddressPair::read(el, "SecondaryDNS"),
            extra: leaf_extras(el, IP_KNOWN),
            raw: el.clone(),
        })
    }
}

/// One `NetworkInterface` of the list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterface {
    /// `id` (usually `1`).
    pub id: String,
    /// `IPAddress`.
    pub ip: Option<IpAddressing>,
    /// `Link/MACAddress`.
    pub mac_address: Option<String>,
    /// Other `Link` leaves (`autoNegotiation`, `speed`, `duplex`, `MTU`).
    pub link: BTreeMap<String, String>,
}

impl FromXml for NetworkInterface {
    const ROOT: &'static str = "NetworkInterface";

    fn from_element(el: &Element) -> Result<Self> {
        let id = el
            .string_at("id")
            .ok_or_else(|| Error::decode(Self::ROOT, "missing <id>"))?;
        Ok(Self {
            id,
            ip: el
                .child("IPAddress")
                .map(IpAddressing::from_element)
                .transpose()?,
            mac_address: el.string_at("Link/MACAddress"),
            link: el
                .child("Link")
                .map(|l| leaf_extras(l, &["MACAddress"]))
                .unwrap_or_default(),
        })
    }
}

/// Decodes `NetworkInterfaceList` (or a single `NetworkInterface`).
pub fn interfaces(el: &Element) -> Result<Vec<NetworkInterface>> {
    match el.name.as_str() {
        "NetworkInterfaceList" => el
            .children_named("NetworkInterface")
            .map(NetworkInterface::from_element)
            .collect(),
        "NetworkInterface" => Ok(vec![NetworkInterface::from_element(el)?]),
        other => Err(Error::decode(
            "NetworkInterfaceList",
            format!("unexpected root <{other}>"),
        )),
    }
}

/// One `AdminAccessProtocol`: a management protocol and its port.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminAccess {
    /// `id`.
    pub id: Option<String>,
    /// `enabled` (absent on some devices for `DEV_MANAGE`).
    pub enabled: Option<bool>,
    /// `protocol`: `HTTP`, `HTTPS`, `RTSP`, `DEV_MANAGE` (the SDK port), `SDK_OVER_TLS`,
    /// `WebSocket`, `WebSocketS`, `SRTP`, `Bonjour`, `IOT`, `modbusTCP`, …
    pub protocol: String,
    /// `portNo` (absent for port-less protocols such as Bonjour).
    pub port_no: Option<u16>,
    /// `redirectToHttps` (HTTPS entries).
    pub redirect_to_https: Option<bool>,
    /// Other leaves (`TLS1_2Enable`, `streamOverTls`, …), as sent.
    pub extra: BTreeMap<String, String>,
}

/// `AdminAccessProtocolList`, kept for read-modify-write.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminAccesses {
    /// The protocols, in the device's order.
    pub protocols: Vec<AdminAccess>,
    #[serde(skip)]
    raw: Element,
}

impl AdminAccesses {
    /// The entry for a protocol (case-insensitive).
    pub fn get(&self, protocol: &str) -> Option<&AdminAccess> {
        self.protocols
            .iter()
            .find(|p| p.protocol.eq_ignore_ascii_case(protocol))
    }

    /// The port of a protocol.
    pub fn port(&self, protocol: &str) -> Option<u16> {
        self.get(protocol).and_then(|p| p.port_no)
    }

    /// Changes the port of a protocol. Refuses port 0, an unknown protocol, and a port another
    /// enabled protocol already uses (devices answer `badPort`).
    pub fn set_port(&mut self, protocol: &str, port: u16) -> Result<()> {
        if port == 0 {
            return Err(Error::invalid("port 0 is not a valid port"));
        }
        if let Some(other) = self.protocols.iter().find(|p| {
            !p.protocol.eq_ignore_ascii_case(protocol)
                && p.port_no == Some(port)
                && p.enabled != Some(false)
        }) {
            return Err(Error::invalid(format!(
                "port {port} is already used by {}",
                other.protocol
            )));
        }
        let entry = self
            .protocols
            .iter_mut()
            .find(|p| p.protocol.eq_ignore_ascii_case(protocol))
            .ok_or_else(|| Error::invalid(format!("the device lists no {protocol} access")))?;
        entry.port_no = Some(port);
        Ok(())
    }

    /// Builds the PUT body over the device's document (entries matched by position).
    pub fn to_element(&self) -> Element {
        let mut el = if self.raw.name.is_empty() {
            Element::new("AdminAccessProtocolList").with_namespace(crate::xml::ns::HIKVISION_V20)
        } else {
            self.raw.clone()
        };
        let mut items = self.protocols.iter();
        for child in el
            .children
            .iter_mut()
            .filter(|c| c.name == "AdminAccessProtocol")
        {
            let Some(p) = items.next() else { break };
            write_access(child, p);
        }
        for p in items {
            let mut child = Element::new("AdminAccessProtocol");
            write_access(&mut child, p);
            el.children.push(child);
        }
        el
    }
}

fn write_access(el: &mut Element, p: &AdminAccess) {
    if let Some(id) = &p.id {
        el.set_text_at("id", id.clone());
    }
    if let Some(e) = p.enabled {
        el.set_text_at("enabled", crate::xml::fmt_bool(e));
    }
    el.set_text_at("protocol", p.protocol.clone());
    if let Some(port) = p.port_no {
        el.set_text_at("portNo", port.to_string());
    }
    if let Some(r) = p.redirect_to_https {
        el.set_text_at("redirectToHttps", crate::xml::fmt_bool(r));
    }
}

impl FromXml for AdminAccesses {
    const ROOT: &'static str = "AdminAccessProtocolList";

    fn from_element(el: &Element) -> Result<Self> {
        let protocols = el
            .children_named("AdminAccessProtocol")
            .map(|c| {
                let protocol = c
                    .string_at("protocol")
                    .ok_or_else(|| Error::decode("AdminAccessProtocol", "missing <protocol>"))?;
                let port_no = match c.text_at("portNo") {
                    Some(t) => Some(t.trim().parse().map_err(|_| {
                        Error::decode("AdminAccessProtocol", format!("bad <portNo> {t:?}"))
                    })?),
                    None => None,
                };
                Ok(AdminAccess {
                    id: c.string_at("id"),
                    enabled: c.bool_at("enabled"),
                    protocol,
                    port_no,
                    redirect_to_https: c.bool_at("redirectToHttps"),
                    extra: leaf_extras(
                        c,
                        &["id", "enabled", "protocol", "portNo", "redirectToHttps"],
                    ),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            protocols,
            raw: el.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: &str = r#"<IPAddress version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
      <ipVersion>dual</ipVersion><addressingType>static</addressingType>
      <ipAddress>192.0.2.64</ipAddress><subnetMask>255.255.255.0</subnetMask>
      <ipv6Address>::</ipv6Address><bitMask>0</bitMask>
      <DefaultGateway><ipAddress>192.0.2.1</ipAddress><ipv6Address>::</ipv6Address></DefaultGateway>
      <PrimaryDNS><ipAddress>8.8.8.8</ipAddress></PrimaryDNS>
      <SecondaryDNS><ipAddress>8.8.4.4</ipAddress></SecondaryDNS>
      <Ipv6Mode><ipV6AddressingType>ra</ipV6AddressingType></Ipv6Mode></IPAddress>"#;

    #[test]
    fn ip_addressing_read_modify_write() {
        let mut ip = IpAddressing::from_xml(IP.as_bytes()).unwrap();
        assert!(!ip.is_dhcp());
        assert_eq!(
            ip.primary_dns.as_ref().unwrap().ip_address.as_deref(),
            Some("8.8.8.8")
        );
        ip.validate().unwrap();
        ip.set_dns("1.1.1.1".parse().unwrap(), None);
        let out = ip.to_element();
        assert_eq!(out.text_at("PrimaryDNS/ipAddress"), Some("1.1.1.1"));
        assert_eq!(out.text_at("SecondaryDNS/ipAddress"), None);
        assert_eq!(out.text_at("Ipv6Mode/ipV6AddressingType"), Some("ra"));
        assert_eq!(out.namespace(), Some(crate::xml::ns::ISAPI_V20));
        ip.set_dns("1.1.1.1".parse().unwrap(), Some("1.1.1.1".parse().unwrap()));
        assert!(ip.validate().is_err());
        ip.set_dns(
            "1.1.1.1".parse().unwrap(),
            Some("2606:4700::1111".parse().unwrap()),
        );
        ip.validate().unwrap();
        ip.subnet_mask = Some("255.0.255.0".into());
        assert!(ip.validate().is_err());
        ip.subnet_mask = Some("255.255.0.0".into());
        ip.ip_address = Some("192.0.2.300".into());
        assert!(ip.validate().is_err());
    }

    #[test]
    fn interface_list() {
        let doc = format!(
            "<NetworkInterfaceList><NetworkInterface><id>1</id>{IP}<Link><MACAddress>aa:bb:cc:dd:ee:ff</MACAddress><MTU>1500</MTU></Link></NetworkInterface></NetworkInterfaceList>"
        );
        let list = interfaces(&Element::parse(doc.as_bytes()).unwrap()).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].mac_address.as_deref(), Some("aa:bb:cc:dd:ee:ff"));
        assert_eq!(list[0].link.get("MTU").map(String::as_str), Some("1500"));
        assert_eq!(
            list[0].ip.as_ref().unwrap().ip_address.as_deref(),
            Some("192.0.2.64")
        );
        assert!(interfaces(&Element::new("Other")).is_err());
    }

    #[test]
    fn admin_access_ports() {
        let doc = br#"<AdminAccessProtocolList version="1.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><AdminAccessProtocol><id>1</id><enabled>true</enabled><protocol>HTTP</protocol><portNo>80</portNo></AdminAccessProtocol><AdminAccessProtocol><id>4</id><protocol>DEV_MANAGE</protocol><portNo>8000</portNo></AdminAccessProtocol><AdminAccessProtocol><id>10</id><enabled>true</enabled><protocol>Bonjour</protocol></AdminAccessProtocol></AdminAccessProtocolList>"#;
        let mut a = AdminAccesses::from_xml(doc).unwrap();
        assert_eq!(a.port("http"), Some(80));
        assert_eq!(a.get("DEV_MANAGE").unwrap().enabled, None);
        assert_eq!(a.port("Bonjour"), None);
        assert!(a.set_port("HTTP", 8000).is_err());
        assert!(a.set_port("RTSP", 554).is_err());
        assert!(a.set_port("HTTP", 0).is_err());
        a.set_port("HTTP", 8080).unwrap();
        let out = a.to_element();
        assert_eq!(out.children[0].text_at("portNo"), Some("8080"));
        assert_eq!(out.children[1].child("enabled"), None);
        let bad = br#"<AdminAccessProtocolList><AdminAccessProtocol><protocol>HTTP</protocol><portNo>99999</portNo></AdminAccessProtocol></AdminAccessProtocolList>"#;
        assert!(AdminAccesses::from_xml(bad).is_err());
    }
}
