//! Replacing a captured device's identifiers by fixed placeholders.
//!
//! The identifiers are read from the device's own documents (`deviceInfo`, the network
//! interfaces): serial number and its 9-character short form, sub-serial, MAC address (in every
//! spelling), device name and id, and the interface's IPv4/IPv6 addresses, gateway and DNS
//! servers. Each is replaced wherever it is an element's whole text; the serial and the MAC
//! also inside longer text. The placeholders depend only on the kind of identifier (and the
//! model), so anonymising an anonymised capture changes nothing: a second capture of a
//! simulator playing the file is identical.

use hikproto::xml::Element;
use hikproto_sim::captured::{Captured, set_element_text};

/// The placeholders.
const SHORT_SERIAL: &str = "000000000";
const MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const NAME: &str = "Captured device";
const DEVICE_ID: &str = "00000000-0000-0000-0000-000000000000";
const IPV4: &str = "192.0.2.64";
const GATEWAY: &str = "192.0.2.1";
const DNS: [&str; 2] = ["192.0.2.53", "192.0.2.54"];
const IPV6: &str = "2001:db8::64";

/// (original, placeholder, also inside longer text)
type Rule = (String, String, bool);

fn mac_spellings(mac: &str) -> Vec<(String, String)> {
    let hex: String = mac.chars().filter(char::is_ascii_hexdigit).collect();
    if hex.len() != 12 {
        return Vec::new();
    }
    let bytes: Vec<String> = (0..6).map(|i| hex[2 * i..2 * i + 2].to_owned()).collect();
    let anon: Vec<String> = MAC.iter().map(|b| format!("{b:02x}")).collect();
    let mut out = Vec::new();
    for sep in [":", "-"] {
        for upper in [false, true] {
            let f = |parts: &[String]| {
                let s = parts.join(sep);
                if upper { s.to_ascii_uppercase() } else { s }
            };
            out.push((f(&bytes), f(&anon)));
        }
    }
    out
}

fn rules(cap: &Captured) -> Vec<Rule> {
    let doc = |p: &str| {
        cap.documents
            .get(p)
            .and_then(|d| Element::parse(d.body.as_bytes()).ok())
    };
    let mut rules: Vec<Rule> = Vec::new();
    let mut add = |from: Option<&str>, to: &str, anywhere: bool| {
        if let Some(f) = from.map(str::trim).filter(|f| !f.is_empty() && *f != to) {
            rules.push((f.to_owned(), to.to_owned(), anywhere));
        }
    };
    if let Some(info) = doc("/ISAPI/System/deviceInfo") {
        let model = info.text_at("model").unwrap_or("DS").trim().to_owned();
        let serial = info.text_at("serialNumber").map(str::trim);
        let anon_serial = format!("{model}00000000AAWR{SHORT_SERIAL}");
        add(serial, &anon_serial, true);
        if let Some(s) = serial.filter(|s| s.len() > 9) {
            add(s.get(s.len() - 9..), SHORT_SERIAL, false);
        }
        add(info.text_at("subSerialNumber"), SHORT_SERIAL, false);
        add(info.text_at("deviceName"), NAME, false);
        add(info.text_at("deviceID"), DEVICE_ID, false);
        if let Some(mac) = info.text_at("macAddress") {
            for (f, t) in mac_spellings(mac) {
                add(Some(&f), &t, true);
            }
        }
    }
    if let Some(list) = doc("/ISAPI/System/Network/interfaces") {
        for nic in list
            .children_named("NetworkInterface")
            .chain((list.name == "NetworkInterface").then_some(&list))
        {
            let Some(ip) = nic.child("IPAddress") else {
                continue;
            };
            add(ip.text_at("ipAddress"), IPV4, false);
            add(ip.text_at("ipv6Address"), IPV6, false);
            add(ip.text_at("DefaultGateway/ipAddress"), GATEWAY, false);
            add(ip.text_at("PrimaryDNS/ipAddress"), DNS[0], false);
            add(ip.text_at("SecondaryDNS/ipAddress"), DNS[1], false);
            if let Some(mac) = nic.text_at("Link/MACAddress") {
                for (f, t) in mac_spellings(mac) {
                    add(Some(&f), &t, true);
                }
            }
        }
    }
    // longest first, so that a serial is replaced before its short form
    rules.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
    rules
}

fn apply(text: &str, rules: &[Rule]) -> String {
    let mut s = text.to_owned();
    for (from, to, anywhere) in rules {
        s = if *anywhere {
            s.replace(from.as_str(), to)
        } else {
            s.replace(&format!(">{from}<"), &format!(">{to}<"))
        };
    }
    s
}

/// Replaces the identifiers in every captured document and in the SADP answer.
pub(super) fn anonymise(cap: &mut Captured) {
    let rules = rules(cap);
    for d in cap.documents.values_mut() {
        d.body = apply(&d.body, &rules);
    }
    if let Some(pm) = &mut cap.sadp_probe_match {
        *pm = apply(pm, &rules);
        // SADP answers carry the addresses in elements of their own (`Ipv4Address` is one
        // spelling of `IPv4Address`: names match whatever their case)
        for (el, to) in [
            ("IPv4Address", IPV4),
            ("IPv4Gateway", GATEWAY),
            ("IPv6Address", IPV6),
            ("DeviceDescription", NAME),
        ] {
            if let Some(set) = set_element_text(pm, el, to) {
                *pm = set;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikproto_sim::captured::CapturedDocument;

    fn xml(body: &str) -> CapturedDocument {
        CapturedDocument {
            format: "xml".into(),
            body: body.into(),
        }
    }

    #[test]
    fn identifiers_are_replaced_and_a_second_pass_changes_nothing() {
        let mut cap = Captured::default();
        cap.documents.insert(
            "/ISAPI/System/deviceInfo".into(),
            xml("<DeviceInfo><deviceName>Lobby 7</deviceName><model>DS-X</model>\
                 <serialNumber>DS-X20240315CCWR733050127</serialNumber>\
                 <macAddress>44:19:b6:0a:0b:0c</macAddress><subSerialNumber>733050127</subSerialNumber>\
                 </DeviceInfo>"),
        );
        cap.documents.insert(
            "/ISAPI/System/Network/interfaces".into(),
            xml("<NetworkInterfaceList><NetworkInterface><id>1</id><IPAddress>\
                 <ipAddress>10.1.2.3</ipAddress><DefaultGateway><ipAddress>10.1.2.1</ipAddress>\
                 </DefaultGateway></IPAddress><Link><MACAddress>44-19-B6-0A-0B-0C</MACAddress></Link>\
                 </NetworkInterface></NetworkInterfaceList>"),
        );
        cap.sadp_probe_match = Some(
            "<ProbeMatch><MAC>44-19-b6-0a-0b-0c</MAC><Ipv4Address>10.1.2.3</Ipv4Address></ProbeMatch>"
                .into(),
        );
        anonymise(&mut cap);
        let all = serde_json::to_string(&cap).unwrap();
        for id in [
            "Lobby 7",
            "733050127",
            "44:19:b6",
            "44-19-B6",
            "44-19-b6",
            "10.1.2.3",
            "10.1.2.1",
        ] {
            assert!(!all.contains(id), "{id} left in {all}");
        }
        assert!(all.contains("DS-X00000000AAWR000000000"), "{all}");
        let once = cap.clone();
        anonymise(&mut cap);
        assert_eq!(cap, once);
    }
}
