//! `decode_any`: any document hikproto models.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hikproto::decode::decode_any(data);
});
