use super::*;
use crate::sadp::{MacAddr, Probe, ProbeMatch, ProbeType};
use crate::xml::FromXml;

/// One sample per ISAPI kind, with a value that must survive decoding: (kind, document, JSON
/// pointer, expected value).
const SAMPLES: &[(&str, &str, &str, &str)] = &[
    (
        "DeviceInfo",
        "<DeviceInfo><model>DS-X</model><serialNumber>DS-X0120240101AAWR700000001</serialNumber></DeviceInfo>",
        "/serialNumber",
        "DS-X0120240101AAWR700000001",
    ),
    (
        "DeviceCap",
        "<DeviceCap><SysCap><NetworkCap><isSupportEZVIZ>true</isSupportEZVIZ></NetworkCap></SysCap><SecurityCap><supportUserNums>32</supportUserNums></SecurityCap><isSupportEhome>true</isSupportEhome></DeviceCap>",
        "/security/supportUserNums",
        "32",
    ),
    (
        "SecurityCap",
        "<SecurityCap><supportUserNums>16</supportUserNums><keyIterateNum>100</keyIterateNum></SecurityCap>",
        "/keyIterateNum",
        "100",
    ),
    (
        "NetworkCap",
        "<NetworkCap><isSupportEZVIZ>true</isSupportEZVIZ></NetworkCap>",
        "/isSupportEzviz",
        "true",
    ),
    (
        "ExternSecurityCap",
        "<externSecurityCap><RestAdminPassWord><isSupportWithSecurityQuestion>true</isSupportWithSecurityQuestion><minResetAdminPassWordNum>2</minResetAdminPassWordNum></RestAdminPassWord></externSecurityCap>",
        "/minResetMethods",
        "2",
    ),
    (
        "SessionLoginCap",
        "<SessionLoginCap><sessionID>abcdef</sessionID><challenge>3f559d75aa0c053e631092d75aa59355</challenge><iterations>100</iterations><isIrreversible>true</isIrreversible><salt>ADX8O3PD</salt></SessionLoginCap>",
        "/challenge",
        "3f559d75aa0c053e631092d75aa59355",
    ),
    (
        "AdminAccesses",
        "<AdminAccessProtocolList><AdminAccessProtocol><id>1</id><enabled>true</enabled><protocol>HTTP</protocol><portNo>8080</portNo></AdminAccessProtocol></AdminAccessProtocolList>",
        "/protocols/0/portNo",
        "8080",
    ),
    (
        "ActivateStatus",
        "<ActivateStatus><Activated>false</Activated></ActivateStatus>",
        "/activated",
        "false",
    ),
    (
        "ActivationChallenge",
        "<Challenge><key>QUJDRA==</key></Challenge>",
        "/key",
        "QUJDRA==",
    ),
    (
        "Ezviz",
        "<EZVIZ><enabled>true</enabled><registerStatus>false</registerStatus><verificationCode>ABCDEF</verificationCode></EZVIZ>",
        "/enabled",
        "true",
    ),
    (
        "Ehome",
        "<Ehome><enabled>true</enabled><deviceID>site-7</deviceID><portNo>7660</portNo><key>k3yk3y</key></Ehome>",
        "/deviceId",
        "site-7",
    ),
    (
        "NetworkInterfaces",
        "<NetworkInterfaceList><NetworkInterface><id>1</id><IPAddress><ipVersion>v4</ipVersion><addressingType>static</addressingType><ipAddress>192.0.2.64</ipAddress></IPAddress><Link><MACAddress>44:19:b6:00:00:01</MACAddress></Link></NetworkInterface></NetworkInterfaceList>",
        "/0/ip/ipAddress",
        "192.0.2.64",
    ),
    (
        "IpAddress",
        "<IPAddress><ipVersion>v4</ipVersion><addressingType>dhcp</addressingType><ipAddress>192.0.2.9</ipAddress></IPAddress>",
        "/addressingType",
        "dhcp",
    ),
    (
        "Time",
        "<Time><timeMode>NTP</timeMode><localTime>2024-01-01T00:00:00+08:00</localTime><timeZone>CST-8:00:00</timeZone></Time>",
        "/timeZone",
        "CST-8:00:00",
    ),
    (
        "NtpServers",
        "<NTPServerList><NTPServer><id>1</id><addressingFormatType>hostname</addressingFormatType><hostName>pool.ntp.org</hostName></NTPServer></NTPServerList>",
        "/servers/0/hostName",
        "pool.ntp.org",
    ),
    (
        "NtpServer",
        "<NTPServer><id>1</id><addressingFormatType>hostname</addressingFormatType><hostName>time.example</hostName></NTPServer>",
        "/hostName",
        "time.example",
    ),
    (
        "Users",
        "<UserList><User><id>1</id><userName>admin</userName><userLevel>Administrator</userLevel></User><User><id>2</id><userName>op</userName><userLevel>Operator</userLevel></User></UserList>",
        "/1/userName",
        "op",
    ),
    (
        "SecurityQuestions",
        "<SecurityQuestion><QuestionList><Question><id>1</id><mark>true</mark></Question></QuestionList></SecurityQuestion>",
        "/questions/0/configured",
        "true",
    ),
    (
        "UserCheck",
        "<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString><retryLoginTime>3</retryLoginTime></userCheck>",
        "/retryLoginTime",
        "3",
    ),
    (
        "ResponseStatus",
        "<ResponseStatus><statusCode>4</statusCode><subStatusCode>invalidOperation</subStatusCode></ResponseStatus>",
        "/subStatusCode",
        "invalidOperation",
    ),
];

const NAMESPACES: &[&str] = &[
    "http://www.hikvision.com/ver10/XMLSchema",
    "http://www.hikvision.com/ver20/XMLSchema",
    "http://www.isapi.org/ver20/XMLSchema",
    "http://www.std-cgi.com/ver20/XMLSchema",
    "urn:psialliance-org",
];

fn at(v: &serde_json::Value, pointer: &str) -> String {
    match v.pointer(pointer) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => panic!("{pointer} missing in {v}"),
    }
}

/// The value without the `namespace` members models keep for echoing on writes.
fn without_ns(d: &Decoded) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                o.remove("namespace");
                o.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = d.value.clone();
    strip(&mut v);
    v
}

fn with_namespace(doc: &str, ns: &str) -> Vec<u8> {
    Element::parse(doc.as_bytes())
        .unwrap()
        .with_namespace(ns)
        .to_xml()
        .into_bytes()
}

/// The model's own writer, where it has one: decode → build → decode must be stable.
fn rebuild(kind: &str, el: &Element) -> Option<Element> {
    use crate::isapi::{activation, device_info, ehome, ezviz, network, security, status, time};
    let ns = el.namespace();
    Some(match kind {
        "DeviceInfo" => device_info::DeviceInfo::from_element(el)
            .ok()?
            .to_element(ns),
        "AdminAccesses" => network::AdminAccesses::from_element(el).ok()?.to_element(),
        "IpAddress" => network::IpAddressing::from_element(el).ok()?.to_element(),
        "Time" => time::Time::from_element(el).ok()?.to_element(),
        "NtpServers" => time::NtpServers::from_element(el).ok()?.to_element(),
        "Ezviz" => ezviz::Ezviz::from_element(el).ok()?.to_element(None),
        "Ehome" => ehome::Ehome::from_element(el).ok()?.to_element(),
        "ActivateStatus" => activation::ActivateStatus::from_element(el)
            .ok()?
            .to_element(ns),
        "ResponseStatus" => status::ResponseStatus::from_element(el)
            .ok()?
            .to_element(ns),
        "UserCheck" => UserCheckModel::from_any(el).to_element(ns),
        "SecurityQuestions" => security::SecurityQuestions::from_element(el)
            .ok()?
            .to_element(ns),
        "ExternSecurityCap" => security::ExternSecurityCap::from_element(el)
            .ok()?
            .to_element(ns),
        _ => return None,
    })
}

use crate::isapi::user_check::UserCheck as UserCheckModel;

#[test]
fn every_isapi_kind_has_a_sample() {
    for k in kinds::ISAPI_KINDS.iter().filter(|k| k.xml.is_some()) {
        assert!(
            SAMPLES.iter().any(|s| s.0 == k.name),
            "no sample for {}",
            k.name
        );
    }
}

#[test]
fn every_kind_round_trips_in_every_namespace() {
    let mut rebuilt = 0;
    for (kind, doc, pointer, expected) in SAMPLES {
        let d = decode_any(doc.as_bytes()).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(d.kind, *kind, "{doc}");
        assert_eq!(at(&d.value, pointer), *expected, "{kind}");
        for ns in NAMESPACES {
            let again = decode_any(&with_namespace(doc, ns)).unwrap();
            assert_eq!(again.kind, d.kind);
            assert_eq!(without_ns(&again), without_ns(&d), "{kind} in {ns}");
            if let Some(kept) = again.value.get("namespace") {
                assert_eq!(kept, *ns, "{kind}");
            }
        }
        // forcing the kind decodes a renamed root the same way
        let el = Element::parse(doc.as_bytes()).unwrap();
        let mut renamed = el.clone();
        renamed.name = "Renamed".into();
        let forced = decode_as(renamed.to_xml().as_bytes(), kind).unwrap();
        assert_eq!(forced, d, "{kind} forced");
        if let Some(built) = rebuild(kind, &el) {
            let back = decode_any(built.to_xml().as_bytes()).unwrap();
            assert_eq!(
                without_ns(&back),
                without_ns(&d),
                "{kind}: model → XML → model"
            );
            rebuilt += 1;
        }
    }
    assert!(rebuilt >= 12, "{rebuilt} kinds rebuilt");
}

#[test]
fn secrets_are_never_decoded() {
    for (kind, doc, _, _) in SAMPLES {
        let d = decode_any(doc.as_bytes()).unwrap();
        let text = d.value.to_string();
        for secret in ["ABCDEF", "k3yk3y", "abcdef\""] {
            assert!(!text.contains(secret), "{kind}: {text}");
        }
    }
}

#[test]
fn json_documents() {
    let d =
        decode_any(br#"{"ActivateStatus": {"Activated": "true", "supportVersion": 3}}"#).unwrap();
    assert_eq!(d.kind, "ActivateStatus");
    assert_eq!(d.value["supportVersion"], 3);
    let d = decode_any(
        br#"{"SecurityEmail": {"SecurityInformation": [{"emailAddress": "a@b.example"}]}}"#,
    )
    .unwrap();
    assert_eq!(d.kind, "SecurityEmail");
    assert_eq!(d.value["address"], "a@b.example");
    let d = decode_any(br#"{"statusCode": 1, "statusString": "OK"}"#).unwrap();
    assert_eq!(d.kind, "ResponseStatus");
    assert!(decode_any(br#"{"Nothing": 1}"#).is_err());
}

#[test]
fn forcing_checks_the_kind() {
    assert!(matches!(
        decode_as(b"<A/>", "NoSuchKind"),
        Err(Error::InvalidInput(_))
    ));
    assert!(decode_as(b"{\"a\": 1}", "DeviceCap").is_err());
    assert!(decode_as(b"<Time/>", "SecurityEmail").is_err());
    let probe = Probe::inquiry("A-B").encode();
    assert_eq!(decode_as(&probe, "sadpprobe").unwrap().kind, "SadpProbe");
    assert!(decode_as(&probe, "SadpHello").is_err());
}

#[test]
fn list_names_every_kind_once() {
    let all = kinds();
    let mut names: Vec<_> = all.iter().map(|k| k.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len());
    for root in known_roots() {
        assert!(all.iter().any(|k| k.roots.contains(&root)), "{root}");
    }
}

#[test]
fn decodes_sadp_messages_with_secrets_redacted() {
    let mac = MacAddr::parse("44-19-b6-01-02-03").unwrap();
    let d = decode_any(&Probe::inquiry("A-B").encode()).unwrap();
    assert_eq!(d.kind, "SadpProbe");
    assert_eq!(d.value["types"], "inquiry");

    let d = decode_any(&Probe::activate(mac, "c2VhbGVkU2VjcmV0").encode()).unwrap();
    assert_eq!(d.kind, "SadpProbe");
    assert_eq!(d.value["mac"], "44-19-b6-01-02-03");
    let text = d.value.to_string();
    assert!(!text.contains("c2VhbGVkU2VjcmV0"), "{text}");
    assert!(text.contains("[redacted]"));

    let pm = ProbeMatch {
        mac: Some(mac),
        device_sn: Some("DS-2CD2386G2-IU20240315CCWR700000000".into()),
        activated: Some(false),
        types: ProbeType::parse("inquiry"),
        uuid: "A-B".into(),
        ..ProbeMatch::default()
    };
    let mut bytes = pm.to_element().to_xml().into_bytes();
    bytes.push(0);
    let d = decode_any(&bytes).unwrap();
    assert_eq!(d.kind, "SadpProbeMatch");
    assert_eq!(d.value["device_sn"], "DS-2CD2386G2-IU20240315CCWR700000000");

    let reply = b"<ProbeMatch><Uuid>U</Uuid><Types>getencryptstring</Types>\
        <MAC>44-19-b6-01-02-03</MAC><Result>success</Result>\
        <EncryptString>T0pBQ1VF</EncryptString></ProbeMatch>";
    let d = decode_any(reply).unwrap();
    assert_eq!(d.kind, "SadpReply");
    assert_eq!(d.value["success"], true);
    assert!(!d.value.to_string().contains("T0pBQ1VF"));
}

#[test]
fn decodes_reset_files_without_their_secrets() {
    let mut guid = vec![7u8; 128];
    guid[3] = 0;
    let d = decode_any(&guid).unwrap();
    assert_eq!(d.kind, "GuidFile");
    assert_eq!(d.value["bytes"], 128);

    let sc = Sidecar::new(
        crate::reset::files::FileKind::GuidFile,
        &guid,
        Some("DS-2CD2386G2-IU20240315CCWR700000000"),
        std::time::SystemTime::now(),
    );
    let d = decode_any(&serde_json::to_vec(&sc).unwrap()).unwrap();
    assert_eq!(d.kind, "ResetSidecar");

    // a binary blob of another size is not a GUID file
    assert!(decode_any(&[0u8; 100]).is_err());
}
