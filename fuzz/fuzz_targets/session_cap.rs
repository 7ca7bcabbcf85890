//! `SessionLoginCap` (session-login capabilities: challenge, salts, iterations).
#![no_main]

use hikproto::auth::session::SessionLoginCap;
use hikproto::xml::FromXml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cap) = SessionLoginCap::from_xml(data) {
        let _ = format!("{cap:?}");
    }
});
