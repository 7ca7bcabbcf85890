use super::*;
use crate::sadp::{Message, decode};

/// The reply shape of reference §1.4 (values illustrative), CRLF-separated as devices send it,
/// with the `flase` typo real firmware has.
const SAMPLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<ProbeMatch>\r\n\
<Uuid>7D1C2F7A-0B1E-4E59-9D7B-2C0F1E1A3B4C</Uuid>\r\n<Types>inquiry</Types>\r\n\
<DeviceType>141945</DeviceType>\r\n<DeviceDescription>DS-2CD2385G1-I</DeviceDescription>\r\n\
<DeviceSN>DS-2CD2385G1-I20200101AAWRX12345678</DeviceSN>\r\n<CommandPort>8000</CommandPort>\r\n\
<HttpPort>80</HttpPort>\r\n<MAC>aa-bb-cc-dd-ee-ff</MAC>\r\n<IPv4Address>192.0.2.64</IPv4Address>\r\n\
<IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>\r\n<IPv4Gateway>192.0.2.1</IPv4Gateway>\r\n\
<IPv6Address>::</IPv6Address>\r\n<IPv6Gateway>::</IPv6Gateway>\r\n<IPv6MaskLen>64</IPv6MaskLen>\r\n\
<DHCP>false</DHCP>\r\n<AnalogChannelNum>0</AnalogChannelNum>\r\n<DigitalChannelNum>1</DigitalChannelNum>\r\n\
<SoftwareVersion>V5.6.2build 190701</SoftwareVersion>\r\n<DSPVersion>V7.3 build 190626</DSPVersion>\r\n\
<BootTime>2020-01-01 00:00:00</BootTime>\r\n<Encrypt>true</Encrypt>\r\n<ResetAbility>false</ResetAbility>\r\n\
<DiskNumber>0</DiskNumber>\r\n<Activated>true</Activated>\r\n<PasswordResetAbility>true</PasswordResetAbility>\r\n\
<PasswordResetModeSecond>true</PasswordResetModeSecond>\r\n<DetailOEMCode>1</DetailOEMCode>\r\n\
<SupportSecurityQuestion>true</SupportSecurityQuestion>\r\n<SupportHCPlatform>true</SupportHCPlatform>\r\n\
<HCPlatformEnable>flase</HCPlatformEnable>\r\n<IsModifyVerificationCode>true</IsModifyVerificationCode>\r\n\
<Salt>3f2b5c8e9a7d6b4c1e0f2a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d</Salt>\r\n<DeviceLock>flase</DeviceLock>\r\n\
<SDKOverTLSPort>8443</SDKOverTLSPort>\r\n<SDKServerStatus>true</SDKServerStatus>\r\n\
<SDKOverTLSServerStatus>true</SDKOverTLSServerStatus>\r\n<SupportMailBox>true</SupportMailBox>\r\n\
</ProbeMatch>\r\n";

fn parse(s: &str) -> ProbeMatch {
    match decode(s.as_bytes()).unwrap() {
        Message::Match(m) | Message::Hello(m) => m,
        other => panic!("not a device description: {other:?}"),
    }
}

#[test]
fn golden_sample() {
    let m = parse(SAMPLE);
    assert_eq!(m.uuid, "7D1C2F7A-0B1E-4E59-9D7B-2C0F1E1A3B4C");
    assert_eq!(m.types, ProbeType::Inquiry);
    assert_eq!(m.device_type, Some(141_945));
    assert_eq!(m.device_description.as_deref(), Some("DS-2CD2385G1-I"));
    assert_eq!(
        m.device_sn.as_deref(),
        Some("DS-2CD2385G1-I20200101AAWRX12345678")
    );
    assert_eq!(m.command_port, Some(8000));
    assert_eq!(m.http_port, Some(80));
    assert_eq!(m.mac.unwrap().to_string(), "aa-bb-cc-dd-ee-ff");
    assert_eq!(m.ipv4_address, Some(Ipv4Addr::new(192, 0, 2, 64)));
    assert_eq!(m.ipv4_subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
    assert_eq!(m.ipv4_gateway, Some(Ipv4Addr::new(192, 0, 2, 1)));
    assert_eq!(m.ipv6_address, Some(Ipv6Addr::UNSPECIFIED));
    assert_eq!(m.ipv6_mask_len, Some(64));
    assert_eq!(m.dhcp, Some(false));
    assert_eq!(m.digital_channel_num, Some(1));
    assert_eq!(m.software_version.as_deref(), Some("V5.6.2build 190701"));
    assert_eq!(m.boot_time.as_deref(), Some("2020-01-01 00:00:00"));
    assert_eq!(m.activated, Some(true));
    assert_eq!(m.password_reset_mode_second, Some(true));
    assert_eq!(m.hc_platform_enable, Some(false), "flase is false");
    assert_eq!(m.device_lock, Some(false), "flase is false");
    assert_eq!(m.salt.as_deref().map(str::len), Some(64));
    assert_eq!(m.sdk_over_tls_port, Some(8443));
    assert_eq!(m.support_mail_box, Some(true));
    assert_eq!(m.detail_oem_code, Some(1));
    assert!(m.unknown.is_empty(), "{:?}", m.unknown);
    assert!(m.malformed.is_empty(), "{:?}", m.malformed);
    assert_eq!(m.admin_user(), "admin");
}

#[test]
fn separators_do_not_matter() {
    let crlf = parse(SAMPLE);
    let lf = parse(&SAMPLE.replace("\r\n", "\n"));
    let none = parse(&SAMPLE.replace("\r\n", ""));
    let spaced = parse(&SAMPLE.replace("\r\n", "\r\n\t  "));
    assert_eq!(crlf, lf);
    assert_eq!(crlf, none);
    assert_eq!(crlf, spaced);
}

#[test]
fn round_trip_through_the_element_tree() {
    let m = parse(SAMPLE);
    let again = ProbeMatch::from_element(&m.to_element()).unwrap();
    assert_eq!(again, m);
}

#[test]
fn ipv4_spelling_variants() {
    let doc = "<ProbeMatch><Uuid>U</Uuid><Types>inquiry</Types><MAC>58-50-ED-1F-E3-85</MAC>\
<Ipv4Address>10.1.2.3</Ipv4Address><Ipv4SubnetMask>255.0.0.0</Ipv4SubnetMask><Ipv4Gateway>10.0.0.1</Ipv4Gateway></ProbeMatch>";
    let m = parse(doc);
    assert_eq!(m.ipv4_address, Some(Ipv4Addr::new(10, 1, 2, 3)));
    assert_eq!(m.ipv4_subnet_mask, Some(Ipv4Addr::new(255, 0, 0, 0)));
    assert_eq!(m.ipv4_gateway, Some(Ipv4Addr::new(10, 0, 0, 1)));
    assert_eq!(m.mac.unwrap().to_string(), "58-50-ed-1f-e3-85");
    // writing back uses the canonical spelling
    assert_eq!(m.to_element().text_at("IPv4Address"), Some("10.1.2.3"));
}

#[test]
fn empty_elements_unknown_elements_and_bad_values() {
    let doc = "<ProbeMatch><Uuid>U</Uuid><Types> inquiry </Types><IPv6MaskLen></IPv6MaskLen><IPv6Address/>\
<HttpPort>eighty</HttpPort><Activated>maybe</Activated><FutureFeature>x</FutureFeature>\
<physicalAccessVerification><type>1</type><type>4</type></physicalAccessVerification>\
<SADPVersion>3.0,3.1</SADPVersion><EZVIZBindStatus>2</EZVIZBindStatus><MAC>58-50-ed-1f-e3-85</MAC></ProbeMatch>";
    let m = parse(doc);
    assert_eq!(m.types, ProbeType::Inquiry);
    assert_eq!(m.ipv6_mask_len, None);
    assert_eq!(m.ipv6_address, None);
    assert_eq!(m.http_port, None);
    assert_eq!(m.activated, None);
    assert_eq!(
        m.malformed,
        vec!["HttpPort".to_owned(), "Activated".to_owned()]
    );
    let names: Vec<&str> = m.unknown.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["FutureFeature", "physicalAccessVerification"]);
    assert_eq!(m.physical_access_methods(), vec![1, 4]);
    assert_eq!(m.sadp_versions(), vec!["3.0", "3.1"]);
    assert_eq!(m.bind_status(), Some(BindStatus::NotBound));
    // unknown elements survive a round trip
    let again = ProbeMatch::from_element(&m.to_element()).unwrap();
    assert_eq!(again.unknown, m.unknown);
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["unknown"]["FutureFeature"], "x");
    assert_eq!(json["mac"], "58-50-ed-1f-e3-85");
    assert_eq!(json["types"], "inquiry");
}

#[test]
fn minimal_oem_responder_with_a_repeated_element() {
    // the device-side responder of one OEM code base sends a minimal set, DeviceType twice
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ProbeMatch><Uuid>U</Uuid><Types>inquiry</Types>\
<DeviceType>2000</DeviceType><DeviceType>99</DeviceType><MAC>00-11-22-33-44-55</MAC></ProbeMatch>\0";
    let m = parse(doc);
    assert_eq!(m.device_type, Some(2000));
    assert_eq!(m.activated, None);
}

#[test]
fn hello_announcement() {
    let doc = "<Hello><Types>hello</Types><MAC>00-11-22-33-44-55</MAC><Activated>false</Activated></Hello>";
    match decode(doc.as_bytes()).unwrap() {
        Message::Hello(m) => {
            assert_eq!(m.types, ProbeType::Hello);
            assert_eq!(m.activated, Some(false));
            assert!(m.uuid.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn inventory_covers_every_reference_element() {
    // the element names of reference §1.4, as they appear on the wire
    let names = "DeviceType DeviceDescription DeviceSN CommandPort HttpPort HttpsPort MAC IPv4Address \
IPv4SubnetMask IPv4Gateway IPv6Address IPv6Gateway IPv6MaskLen DHCP DHCPAbility supportIPv6 supportModifyIPv6 \
AnalogChannelNum DigitalChannelNum SoftwareVersion DSPVersion BootTime OEMCode OEMInfo DetailOEMCode \
SoftwareVersionEncrypt DSPVersionEncrypt OEMInfoEncrypt Encrypt ResetAbility DiskNumber Activated \
PasswordResetAbility SyncIPCPassword PasswordResetModeSecond DeviceLock SupportGUID SupportSecurityQuestion \
SupportHCPlatform HCPlatformEnable EZVIZCode IsModifyVerificationCode Salt Salt2 SupportBind MaxBindNum \
SupportRestoreInactive supportwifiRegion currentwifiRegion supportWifiEnhancement enableWifiEnhancement \
Licensed SystemMode ControllerType SupportChannelDefaultPassword SupportMailBox supportSSIDAndPasswordCfg \
SpecificDeviceType EHomeVer SecurityMode SDKServerStatus SDKOverTLSServerStatus SDKOverTLSPort UserName \
WifiMAC supportEzvizUnbind codeEncrypt SupportPasswordResetType EZVIZBindStatus physicalAccessVerification \
supportEzvizUserToken manufacturer SupportResetPwByPhoneNo SADPVersion IPv4DHCPAbility IPv4DHCP";
    for n in names.split_whitespace() {
        assert!(
            INVENTORY.iter().any(|(w, _)| *w == n),
            "{n} is missing from the inventory"
        );
    }
    assert_eq!(INVENTORY.len(), names.split_whitespace().count());
}

#[test]
fn hostile_datagrams_are_errors_not_panics() {
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\0\0\0".to_vec(),
        b"   \r\n".to_vec(),
        b"<ProbeMatch>".to_vec(),
        b"<ProbeMatch><Types>inquiry</Types>".to_vec(),
        b"<Other/>".to_vec(),
        b"<ProbeMatch><Uuid>U</Uuid></ProbeMatch>".to_vec(),
        b"\xff\xfe<\x00P\x00".to_vec(),
        b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><ProbeMatch>&a;</ProbeMatch>".to_vec(),
        format!("{}{}", "<a>".repeat(50), "</a>".repeat(50)).into_bytes(),
        format!(
            "<ProbeMatch><Types>inquiry</Types>{}</ProbeMatch>",
            "<x/>".repeat(5000)
        )
        .into_bytes(),
        vec![b'<'; 70_000],
        b"<ProbeMatch><Uuid>U</Uuid><Types>inquiry</Types><MAC>nonsense</MAC></ProbeMatch>"
            .to_vec(),
    ];
    for c in &cases {
        match decode(c) {
            Err(Error::Decode { .. } | Error::TooLarge { .. }) => {}
            Ok(Message::Match(m)) => {
                // a bad MAC inside a discovery reply is "absent", not fatal
                assert!(m.mac.is_none(), "{m:?}");
            }
            other => panic!(
                "{:?} gave {other:?}",
                String::from_utf8_lossy(&c[..c.len().min(60)])
            ),
        }
    }
}

#[test]
fn mutation_sweep_never_panics() {
    let base = SAMPLE.as_bytes().to_vec();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let specials = b"<>/&;\"'=\0\r\n \xff";
    for _ in 0..3000 {
        let mut b = base.clone();
        let edits = 1 + (next() % 8) as usize;
        for _ in 0..edits {
            let i = (next() % b.len() as u64) as usize;
            match next() % 4 {
                0 => b[i] = specials[(next() % specials.len() as u64) as usize],
                1 => {
                    b.remove(i);
                }
                2 => b.truncate(i.max(1)),
                _ => b.insert(i, (next() & 0xff) as u8),
            }
            if b.is_empty() {
                b.push(b'<');
            }
        }
        let _ = decode(&b);
    }
}
