use super::*;

const MAC: &str = "58-50-ed-1f-e3-85";

fn mac() -> MacAddr {
    MacAddr::parse(MAC).unwrap()
}

#[test]
fn golden_inquiry() {
    let p = Probe::inquiry("7D1C2F7A-0B1E-4E59-9D7B-2C0F1E1A3B4C");
    assert_eq!(
        String::from_utf8(p.encode()).unwrap(),
        r#"<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>7D1C2F7A-0B1E-4E59-9D7B-2C0F1E1A3B4C</Uuid><Types>inquiry</Types></Probe>"#
    );
    let v32 = Probe::inquiry_v32("U");
    assert!(
        String::from_utf8(v32.encode())
            .unwrap()
            .contains("<Types>inquiry_v32</Types>")
    );
}

#[test]
fn golden_exchange_code_and_activate() {
    let p = Probe::exchange_code(mac(), "MIGJAoGBAK");
    let s = String::from_utf8(p.encode()).unwrap();
    let expect = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{}</Uuid><MAC>{MAC}</MAC><Types>exchangecode</Types><Code>MIGJAoGBAK</Code></Probe>"#,
        p.uuid()
    );
    assert_eq!(s, expect);
    let a = Probe::activate(mac(), "c2VjcmV0");
    let s = String::from_utf8(a.encode()).unwrap();
    assert!(s.ends_with(&format!(
        "<MAC>{MAC}</MAC><Types>activate</Types><Password>c2VjcmV0</Password></Probe>"
    )));
    // Uuids are upper case and fresh.
    assert_ne!(a.uuid(), p.uuid());
    assert_eq!(a.uuid(), a.uuid().to_ascii_uppercase());
}

#[test]
fn golden_update_keeps_the_sdk_order() {
    let params = NetworkParams {
        ipv4_address: Ipv4Addr::new(192, 0, 2, 64),
        ipv4_subnet_mask: Ipv4Addr::new(255, 255, 255, 0),
        ipv4_gateway: Ipv4Addr::new(192, 0, 2, 1),
        ipv6_address: Ipv6Addr::UNSPECIFIED,
        ipv6_gateway: Ipv6Addr::UNSPECIFIED,
        ipv6_mask_len: 64,
        dhcp: false,
        command_port: 8000,
        http_port: Some(80),
        sdk_over_tls_port: Some(8443),
    };
    let p = Probe::update(mac(), &params, "cHc=", true);
    let s = String::from_utf8(p.encode()).unwrap();
    let expect = format!(
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{}</Uuid><Types>update</Types>"#,
            r#"<PWErrorParse>true</PWErrorParse><MAC>{}</MAC><Password bSalt="true">cHc=</Password>"#,
            "<IPv4Address>192.0.2.64</IPv4Address><CommandPort>8000</CommandPort>",
            "<IPv4SubnetMask>255.255.255.0</IPv4SubnetMask><IPv4Gateway>192.0.2.1</IPv4Gateway>",
            "<IPv6Address>::</IPv6Address><IPv6Gateway>::</IPv6Gateway><IPv6MaskLen>64</IPv6MaskLen>",
            "<DHCP>false</DHCP><HttpPort>80</HttpPort><SDKOverTLSPort>8443</SDKOverTLSPort></Probe>"
        ),
        p.uuid(),
        MAC
    );
    assert_eq!(s, expect);
    let back = Probe::decode(s.as_bytes()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn golden_questions_and_resets() {
    let qs = [
        QuestionField {
            id: 1,
            answer: Some("YQ==".into()),
            mark: true,
        },
        QuestionField {
            id: 4,
            answer: Some("Yg==".into()),
            mark: true,
        },
        QuestionField {
            id: 7,
            answer: Some("Yw==".into()),
            mark: true,
        },
    ];
    let p = Probe::set_security_questions(mac(), &qs, "cHc=");
    let s = String::from_utf8(p.encode()).unwrap();
    assert!(
        s.contains(concat!(
            "<Types>setsecurityquestion</Types><QuestionList>",
            "<Question><ID>1</ID><Answer>YQ==</Answer><mark>true</mark></Question>",
            "<Question><ID>4</ID><Answer>Yg==</Answer><mark>true</mark></Question>",
            "<Question><ID>7</ID><Answer>Yw==</Answer><mark>true</mark></Question>",
            "</QuestionList><Password>cHc=</Password></Probe>"
        )),
        "{s}"
    );
    let r = Probe::reset(mac(), "cHc=", true, "Q09ERQ==", true);
    let s = String::from_utf8(r.encode()).unwrap();
    assert!(s.contains(r#"<Types>reset</Types><Password>cHc=</Password><SyncIPCPassword>true</SyncIPCPassword><Code bEncrypt="true">Q09ERQ==</Code>"#), "{s}");
    let g = Probe::guid_reset(mac(), "R1VJRA==", "cHc=", false);
    let s = String::from_utf8(g.encode()).unwrap();
    assert!(
        s.contains("<Types>GUIDReset</Types><GUID>R1VJRA==</GUID><Password>cHc=</Password>"),
        "{s}"
    );
    let l = Probe::lamp(mac(), true);
    assert_eq!(l.field("Action"), Some("open"));
    let h = Probe::set_hc_platform(mac(), false, "cHc=");
    assert_eq!(h.field("HCPlatformEnable"), Some("false"));
}

#[test]
fn debug_redacts_secrets() {
    let r = Probe::reset(mac(), "ENCRYPTEDPW", false, "RESETCODE123", false);
    let d = format!("{r:?}");
    assert!(
        !d.contains("ENCRYPTEDPW") && !d.contains("RESETCODE123"),
        "{d}"
    );
    let q = QuestionField {
        id: 1,
        answer: Some("ANSWER".into()),
        mark: true,
    };
    assert!(!format!("{q:?}").contains("ANSWER"));
    let x = Probe::exchange_code(mac(), "PUBLICKEY");
    assert!(format!("{x:?}").contains("PUBLICKEY"));
}

#[test]
fn decode_errors() {
    assert!(
        Probe::decode(b"<ProbeMatch><Uuid>1</Uuid><Types>inquiry</Types></ProbeMatch>").is_err()
    );
    assert!(Probe::decode(b"<Probe><Types>inquiry</Types></Probe>").is_err());
    assert!(Probe::decode(b"<Probe><Uuid>1</Uuid></Probe>").is_err());
    assert!(
        Probe::decode(b"<Probe><Uuid>1</Uuid><Types>getcode</Types><MAC>nope</MAC></Probe>")
            .is_err()
    );
}
