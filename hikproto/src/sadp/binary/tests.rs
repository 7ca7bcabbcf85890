use super::*;

#[test]
fn rfc1071_example() {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
    let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(fold(sum(&data)), 0xddf2);
    assert_eq!(checksum(&data), !0xddf2);
    assert_eq!(checksum(&[0xff]), !0xff00);
    assert_eq!(checksum(&[]), 0xffff);
}

fn inquiry() -> Frame {
    Frame::inquiry(
        MacAddr::parse("00-0c-29-aa-bb-cc").unwrap(),
        Ipv4Addr::new(192, 0, 2, 10),
        Ipv4Addr::new(255, 255, 255, 0),
        0x0102_0304,
        "fe80::20c:29ff:feaa:bbcc".parse().unwrap(),
    )
}

#[test]
fn inquiry_layout_and_round_trip() {
    let f = inquiry();
    let bytes = f.encode().unwrap();
    assert_eq!(bytes.len(), 14 + 66);
    assert_eq!(&bytes[0..6], &[0xff; 6]);
    assert_eq!(&bytes[12..14], &[0x80, 0x33]);
    assert_eq!(&bytes[14..18], &[0x21, 0x02, 0x01, 66]);
    assert_eq!(&bytes[18..22], &[1, 2, 3, 4]);
    assert_eq!(&bytes[22..26], &[6, 4, 3, 0]);
    // the whole SADP part sums to 0xffff once the checksum is in
    assert_eq!(fold(sum(&bytes[14..])), 0xffff);
    let back = Frame::parse(&bytes).unwrap();
    assert_eq!(back, f);
    assert_eq!(
        inquiry_client_ipv6(&back.payload).unwrap(),
        "fe80::20c:29ff:feaa:bbcc".parse::<Ipv6Addr>().unwrap()
    );
    // Ethernet padding after the SADP part is ignored
    let mut padded = bytes;
    padded.extend_from_slice(&[0; 20]);
    assert_eq!(Frame::parse(&padded).unwrap(), f);
}

#[test]
fn corruption_is_detected() {
    let bytes = inquiry().encode().unwrap();
    for i in 14..bytes.len() {
        if (14 + 12..14 + 14).contains(&i) || i == 14 + 3 || i == 14 || i == 14 + 8 || i == 14 + 9 {
            continue;
        }
        let mut b = bytes.clone();
        b[i] ^= 0x40;
        let p = Frame::parse_lenient(&b).unwrap();
        assert!(!p.checksum_valid, "flip at {i} went unnoticed");
        assert!(Frame::parse(&b).is_err());
    }
}

#[test]
fn reply_payload_round_trip() {
    let info = DeviceInfo {
        serial: "DS-2CD2385G1-I20200414AAWRE33842150".into(),
        device_type: 141_945,
        port: 8000,
        encoders: 1,
        disks: 0,
        software_version: "V5.6.2build 190701".into(),
        dsp_version: "V7.3 build 190626".into(),
        start_time: "2020-01-01 00:00:00".into(),
        extension: Vec::new(),
    };
    let payload = info.encode().unwrap();
    assert_eq!(payload.len(), DEVICE_INFO_LEN);
    let mut f = inquiry();
    f.header.optype = OpType::INQUIRY_REPLY;
    f.payload = payload;
    let bytes = f.encode().unwrap();
    assert_eq!(bytes[14 + 3], 246);
    let back = Frame::parse(&bytes).unwrap();
    assert_eq!(DeviceInfo::parse(&back.payload).unwrap(), info);
    // the extension takes the SADP part beyond 255 bytes: the length byte wraps, the parser
    // follows the checksum and keeps every byte
    let ext: Vec<u8> = (1..=60).collect();
    f.payload.extend_from_slice(&ext);
    let bytes = f.encode().unwrap();
    assert_eq!(bytes[14 + 3], (246 + 60 - 256) as u8);
    let p = Frame::parse_lenient(&bytes).unwrap();
    assert!(p.checksum_valid && !p.length_agrees);
    assert_eq!(p.frame, f);
    let parsed = DeviceInfo::parse(&p.frame.payload).unwrap();
    assert_eq!(parsed.extension, ext);
    // beyond an Ethernet frame
    f.payload = vec![1; MAX_SADP_LEN];
    assert!(f.encode().is_err());
    let long = DeviceInfo {
        serial: "x".repeat(48),
        ..info
    };
    assert!(long.encode().is_err());
}

#[test]
fn hostile_frames_are_errors() {
    let good = inquiry().encode().unwrap();
    assert!(Frame::parse_lenient(&[]).is_err());
    assert!(Frame::parse_lenient(&good[..40]).is_err());
    let mut wrong_type = good.clone();
    wrong_type[13] = 0x00;
    assert!(Frame::parse_lenient(&wrong_type).is_err());
    // a length byte changed in transit breaks the checksum: reported, refused by the strict parse
    for len in [10, 255] {
        let mut b = good.clone();
        b[14 + 3] = len;
        let p = Frame::parse_lenient(&b).unwrap();
        assert!(!p.checksum_valid && !p.length_agrees);
        assert!(Frame::parse(&b).is_err());
    }
    let mut ident = good;
    ident[14] = 0x22;
    assert!(Frame::parse_lenient(&ident).is_err());
    assert!(DeviceInfo::parse(&[0; 100]).is_err());
    // every truncation and a byte-noise sweep: errors, never panics
    let bytes = inquiry().encode().unwrap();
    for n in 0..bytes.len() {
        let _ = Frame::parse_lenient(&bytes[..n]);
    }
    let mut x: u32 = 0x1234_5678;
    for _ in 0..2000 {
        let mut b = bytes.clone();
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let i = (x as usize) % b.len();
            b[i] = (x >> 8) as u8;
        }
        let _ = Frame::parse_lenient(&b);
    }
}

/// Sets the length byte and recomputes the checksum, as a sender with another idea of the byte would.
fn reseal(bytes: &mut [u8], length: u8) {
    bytes[14 + 3] = length;
    bytes[14 + 12..14 + 14].copy_from_slice(&[0, 0]);
    let c = checksum(&bytes[14..]);
    bytes[14 + 12..14 + 14].copy_from_slice(&c.to_be_bytes());
}

#[test]
fn a_length_byte_that_disagrees_is_tolerated() {
    // the byte's meaning is inferred: a sender that puts something else there is still read
    let f = inquiry();
    for length in [0, 10, 37, 100, 255] {
        let mut b = f.encode().unwrap();
        reseal(&mut b, length);
        let p = Frame::parse_lenient(&b).unwrap();
        assert!(p.checksum_valid, "length {length}");
        assert!(!p.length_agrees, "length {length}");
        assert_eq!(p.length, length);
        assert_eq!(p.frame, f, "length {length}");
        assert_eq!(Frame::parse(&b).unwrap(), f);
    }
    // a longer packet than the byte says: the checksum decides what belongs to SADP
    let mut longer = f.clone();
    longer.payload.extend_from_slice(&[0xAB; 30]);
    let mut b = longer.encode().unwrap();
    reseal(&mut b, 66);
    let p = Frame::parse_lenient(&b).unwrap();
    assert!(p.checksum_valid && !p.length_agrees);
    assert_eq!(p.frame.payload, longer.payload);
    // Ethernet padding after a correct byte is still left out
    let mut padded = f.encode().unwrap();
    padded.extend_from_slice(&[0; 18]);
    let p = Frame::parse_lenient(&padded).unwrap();
    assert!(p.checksum_valid && p.length_agrees);
    assert_eq!(p.frame, f);
}
