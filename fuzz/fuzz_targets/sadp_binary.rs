//! Binary SADP (EtherType 0x8033) frames and inquiry payloads.
#![no_main]

use hikproto::sadp::binary::{DeviceInfo, Frame, inquiry_client_ipv6};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Frame::parse_lenient(data) {
        let _ = DeviceInfo::parse(&p.frame.payload);
        if p.checksum_valid {
            let f = Frame::parse(data).expect("a valid checksum parses strictly");
            let _ = f.encode();
        }
    }
    let _ = DeviceInfo::parse(data);
    let _ = inquiry_client_ipv6(data);
});
