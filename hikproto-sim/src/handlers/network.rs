//! `/ISAPI/System/Network/…` except EZVIZ: NetworkCap, interfaces and IP addressing with DNS,
//! the socket IP, and ISUP (Ehome) centres. isapi.md §5.4, §6.

use std::net::Ipv4Addr;
use std::time::Instant;

use hikproto::Secret;
use hikproto::xml::Element;

use super::security::{field_cipher, read_field};
use super::system::{el, supported};
use super::{Call, b, body_xml, ok, refuse, refuse_with, xml};
use crate::config::EhomeConfig;
use crate::http::Reply;
use crate::state::DeviceRuntime;

/// The `NetworkCap` document (also inside `DeviceCap/SysCap`).
pub(crate) fn network_cap(rt: &DeviceRuntime) -> Element {
    let ezviz = supported(rt, "/ISAPI/System/Network/EZVIZ");
    let code_type = if rt.cfg.verification_code.is_some() {
        "normal"
    } else {
        "empty"
    };
    let mut e = Element::new("NetworkCap")
        .push_text("isSupportWireless", "false")
        .push_text("isSupportPPPoE", "true")
        .push_text("isSupportNtp", "true")
        .push_text("isSupportHttps", "true")
        .push_text("isSupportEZVIZ", b(ezviz))
        .push_text(
            "isSupportEhome",
            b(supported(rt, "/ISAPI/System/Network/Ehome")),
        )
        .push_text("isSupportIntegrate", "true")
        .push_text("isSupportGetLinkSocketIP", "true");
    if ezviz {
        e = e
            .push_text("isSupportEZVIZTiming", "true")
            .push(
                Element::new("VerificationCodeModification")
                    .push(el(
                        "verificationCodeType",
                        code_type,
                        &[("opt", "normal,empty")],
                    ))
                    .push_text("verificationCodeModify", "true")
                    .push_text("isSupportDeclarationURL", "true")
                    .push_text("isSupportPrivacyPolicyURL", "true")
                    .push(
                        Element::new("Hyperlinks")
                            .push_text(
                                "declarationURL",
                                "https://www.hik-connect.com/views/terms/termsofservice.html",
                            )
                            .push_text(
                                "privacyPolicyURL",
                                "https://www.hik-connect.com/views/terms/privacypolicy.html",
                            ),
                    )
                    .push_text(
                        "isSupportVerificationCodeCheck",
                        b(supported(rt, "/ISAPI/System/Network/verificationCodeCheck")),
                    ),
            )
            .push_text(
                "isSupportEZVIZQRCode",
                b(supported(rt, "/ISAPI/System/Network/EZVIZ/QRCode")),
            )
            .push_text(
                "isSupportEZVIZUnbind",
                b(supported(rt, "/ISAPI/System/Network/EZVIZ/unbind")),
            )
            .push_text(
                "isSupportEZVIZParameterTest",
                b(supported(rt, "/ISAPI/System/Network/EZVIZ/parameterTest")),
            );
        if supported(rt, "/ISAPI/System/Network/EZVIZ/secretKey") {
            e = e.push(Element::new("EZVIZSecretKey").push(el(
                "secretKey",
                "",
                &[("min", "0"), ("max", "64")],
            )));
        }
    }
    e
}

/// `GET /ISAPI/System/Network/capabilities`.
pub(super) fn capabilities(c: &mut Call<'_>) -> Reply {
    let e = network_cap(c.rt);
    xml(c.rt, e)
}

fn ip_el(rt: &DeviceRuntime) -> Element {
    let n = &rt.cfg.network;
    Element::new("IPAddress")
        .push_text("ipVersion", "dual")
        .push_text("addressingType", n.addressing.clone())
        .push_text("ipAddress", n.ip.clone())
        .push_text("subnetMask", n.mask.clone())
        .push_text("ipv6Address", "::")
        .push_text("bitMask", "0")
        .push(Element::new("DefaultGateway").push_text("ipAddress", n.gateway.clone()))
        .push(Element::new("PrimaryDNS").push_text("ipAddress", n.dns1.clone()))
        .push(Element::new("SecondaryDNS").push_text("ipAddress", n.dns2.clone()))
        .push(Element::new("Ipv6Mode").push_text("ipV6AddressingType", "ra"))
}

fn interface_el(rt: &DeviceRuntime) -> Element {
    Element::new("NetworkInterface")
        .push_text("id", "1")
        .push(ip_el(rt))
        .push(
            Element::new("Link")
                .push_text("MACAddress", rt.cfg.mac.clone())
                .push_text("autoNegotiation", "true")
                .push_text("speed", "0")
                .push_text("duplex", "full")
                .push_text("MTU", rt.cfg.network.mtu.to_string()),
        )
}

/// `GET /ISAPI/System/Network/interfaces`.
pub(super) fn interfaces(c: &mut Call<'_>) -> Reply {
    let e = Element::new("NetworkInterfaceList").push(interface_el(c.rt));
    xml(c.rt, e)
}

/// `GET /ISAPI/System/Network/interfaces/1`.
pub(super) fn interface(c: &mut Call<'_>) -> Reply {
    let e = interface_el(c.rt);
    xml(c.rt, e)
}

/// `GET /ISAPI/System/Network/interfaces/1/capabilities`.
pub(super) fn interface_caps(c: &mut Call<'_>) -> Reply {
    let e = Element::new("NetworkInterface").push(
        Element::new("IPAddress")
            .push(el("ipVersion", "", &[("opt", "v4,dual")]))
            .push(el("addressingType", "", &[("opt", "static,dynamic")])),
    );
    xml(c.rt, e)
}

/// `GET /ISAPI/System/Network/interfaces/1/ipAddress`.
pub(super) fn get_ip(c: &mut Call<'_>) -> Reply {
    let e = ip_el(c.rt);
    xml(c.rt, e)
}

fn v4(s: &str) -> Option<Ipv4Addr> {
    s.trim().parse().ok()
}

fn host_ip(s: &str) -> bool {
    v4(s).is_some_and(|ip| !ip.is_unspecified() && !ip.is_multicast() && !ip.is_broadcast())
}

/// `PUT /ISAPI/System/Network/interfaces/1/ipAddress`: addressing, gateway and DNS. Changing
/// the address answers statusCode 7 (Reboot Required); DNS-only changes answer OK.
pub(super) fn put_ip(c: &mut Call<'_>) -> Reply {
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if doc.name != "IPAddress" {
        return refuse(c, "badXmlContent");
    }
    let mut n = c.rt.cfg.network.clone();
    if let Some(t) = doc.text_at("addressingType") {
        match t.to_ascii_lowercase().as_str() {
            "static" => n.addressing = "static".into(),
            "dynamic" => n.addressing = "dynamic".into(),
            _ => return refuse(c, "badParameters"),
        }
    }
    if let Some(ip) = doc.text_at("ipAddress") {
        if !host_ip(ip) {
            return refuse(c, "badIPv4Address");
        }
        n.ip = ip.trim().to_owned();
    }
    if let Some(m) = doc.text_at("subnetMask") {
        let ok_mask = v4(m).is_some_and(|m| {
            let bits = u32::from(m);
            bits != 0 && bits.leading_ones() + bits.trailing_zeros() == 32
        });
        if !ok_mask {
            return refuse(c, "badParameters");
        }
        n.mask = m.trim().to_owned();
    }
    if let Some(g) = doc.text_at("DefaultGateway/ipAddress") {
        if !host_ip(g) {
            return refuse(c, "badIPv4Address");
        }
        n.gateway = g.trim().to_owned();
    }
    for (path, slot) in [("PrimaryDNS/ipAddress", 1), ("SecondaryDNS/ipAddress", 2)] {
        if let Some(path_el) = doc.path(path) {
            let d = path_el.text.trim();
            if !d.is_empty() && !host_ip(d) {
                return refuse(c, "badDns");
            }
            if slot == 1 {
                n.dns1 = d.to_owned();
            } else {
                n.dns2 = d.to_owned();
            }
        }
    }
    if !n.dns1.is_empty() && n.dns1 == n.dns2 {
        return refuse_with(c, 4, "dns1dns2CanNotSame");
    }
    let old = &c.rt.cfg.network;
    let reboot = old.ip != n.ip
        || old.mask != n.mask
        || old.gateway != n.gateway
        || old.addressing != n.addressing;
    c.rt.cfg.network = n;
    c.rt.ezviz_changed_at = Instant::now();
    if reboot {
        refuse(c, "rebootRequired")
    } else {
        ok(c)
    }
}

/// `GET /ISAPI/System/Network/socketIP`: the caller's address as the device sees it.
pub(super) fn socket_ip(c: &mut Call<'_>) -> Reply {
    let e = Element::new("SocketIP").push_text("ipAddress", c.req.peer.to_string());
    xml(c.rt, e)
}

fn center_id(c: &Call<'_>) -> Option<u32> {
    match c.req.q("centerID") {
        None => Some(1),
        Some(s) => s.parse().ok().filter(|n| (1..=4).contains(n)),
    }
}

/// ISUP registration as the simulator models it \[inf\]: enabled, a device ID, a server
/// address, and a key for protocol 5.0.
fn ehome_registered(e: &EhomeConfig) -> bool {
    let addr = if e.addressing.eq_ignore_ascii_case("hostname") {
        !e.host.is_empty()
    } else {
        host_ip(&e.ip)
    };
    e.enabled
        && !e.device_id.is_empty()
        && addr
        && (e.protocol_version != "v5.0" || e.key.is_some())
}

/// `GET /ISAPI/System/Network/Ehome[?centerID=n]`: the key is write-only and never returned.
pub(super) fn get_ehome(c: &mut Call<'_>) -> Reply {
    let Some(id) = center_id(c) else {
        return refuse(c, "invalidID");
    };
    let e =
        c.rt.cfg
            .ehome
            .iter()
            .find(|e| e.center_id == id)
            .cloned()
            .unwrap_or(EhomeConfig {
                center_id: id,
                ..EhomeConfig::default()
            });
    let doc = Element::new("Ehome")
        .push_text("enabled", b(e.enabled))
        .push_text("addressingFormatType", e.addressing.clone())
        .push_text("hostName", e.host.clone())
        .push_text("ipAddress", e.ip.clone())
        .push_text("portNo", e.port.to_string())
        .push_text("deviceID", e.device_id.clone())
        .push_text("registerStatus", b(ehome_registered(&e)))
        .push_text("version", e.protocol_version.clone())
        .push_text("protocolVersion", e.protocol_version.clone());
    xml(c.rt, doc)
}

/// `PUT /ISAPI/System/Network/Ehome[?centerID=n]` (`key` may be `security=1` encrypted).
pub(super) fn put_ehome(c: &mut Call<'_>) -> Reply {
    let Some(id) = center_id(c) else {
        return refuse(c, "invalidID");
    };
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut e =
        c.rt.cfg
            .ehome
            .iter()
            .find(|e| e.center_id == id)
            .cloned()
            .unwrap_or(EhomeConfig {
                center_id: id,
                ..EhomeConfig::default()
            });
    if let Some(v) = doc.bool_at("enabled") {
        e.enabled = v;
    }
    if let Some(v) = doc.text_at("addressingFormatType") {
        match v.to_ascii_lowercase().as_str() {
            "ipaddress" => e.addressing = "ipaddress".into(),
            "hostname" => e.addressing = "hostname".into(),
            _ => return refuse(c, "badParameters"),
        }
    }
    if let Some(v) = doc.text_at("hostName") {
        e.host = v.to_owned();
    }
    if let Some(v) = doc.text_at("ipAddress") {
        if v4(v).is_none() {
            return refuse(c, "badIPv4Address");
        }
        e.ip = v.to_owned();
    }
    if let Some(v) = doc.text_at("portNo") {
        match v.parse::<u16>() {
            Ok(p) if p >= 1024 => e.port = p,
            _ => return refuse(c, "badPort"),
        }
    }
    if let Some(v) = doc.text_at("deviceID") {
        if v.len() > 32 {
            return refuse(c, "badParameters");
        }
        e.device_id = v.to_owned();
    }
    if let Some(v) = doc.text_at("protocolVersion") {
        if !["v2.0", "v2.6", "v4.0", "v5.0"].contains(&v) {
            return refuse(c, "badParameters");
        }
        e.protocol_version = v.to_owned();
    }
    if let Some(v) = doc.text_at("key") {
        let Ok(k) = read_field(cipher.as_ref(), v) else {
            return refuse(c, "passwordDecodeError");
        };
        if !(8..=32).contains(&k.len()) || !k.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return refuse(c, "badParameters");
        }
        e.key = Some(Secret::new(k));
    }
    if e.enabled && e.device_id.is_empty() {
        return refuse(c, "MessageParametersLack");
    }
    match c.rt.cfg.ehome.iter_mut().find(|x| x.center_id == id) {
        Some(slot) => *slot = e,
        None => c.rt.cfg.ehome.push(e),
    }
    ok(c)
}

/// `GET /ISAPI/System/Network/Ehome/capabilities`.
pub(super) fn ehome_caps(c: &mut Call<'_>) -> Reply {
    let e = Element::new("Ehome")
        .push(el("centerID", "", &[("opt", "1,2")]))
        .push(el("portNo", "", &[("min", "1024"), ("max", "65535")]))
        .push(el("deviceID", "", &[("min", "1"), ("max", "32")]))
        .push(el("key", "", &[("min", "8"), ("max", "32")]))
        .push(el("protocolVersion", "", &[("opt", "v2.0,v2.6,v4.0,v5.0")]));
    xml(c.rt, e)
}
