//! SADP XML datagrams: replies and probes.
#![no_main]

use hikproto::sadp::{Probe, decode, parse_datagram};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode(data);
    let _ = Probe::decode(data);
    if let Ok(el) = parse_datagram(data) {
        let _ = hikproto::sadp::decode_element(&el);
    }
});
