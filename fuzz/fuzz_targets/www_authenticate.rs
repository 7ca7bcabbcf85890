//! `WWW-Authenticate` header values (one per line of the input).
#![no_main]

use hikproto::auth::challenge::{DigestAlgorithm, parse_www_authenticate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let challenges = parse_www_authenticate(text.split('\n'));
    let _ = format!("{challenges:?}");
    let _ = DigestAlgorithm::parse(text);
});
