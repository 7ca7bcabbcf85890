//! Reset and GUID files: support replies, GUID exports, sidecars, typed codes.
#![no_main]

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use hikproto::reset::ResetCode;
use hikproto::reset::files::{GuidFile, Sidecar, SupportKey, SupportReply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let path = Path::new("Encrypt_DS2CD2143G0I20190101AAWR123456789_reply.xml");
    let _ = SupportReply::from_bytes(path, data, Some(now), None, None, now);
    let _ = SupportReply::from_bytes(
        Path::new("reply.txt"),
        data,
        None,
        None,
        Some("123456789"),
        now,
    );
    for source in ["isapi", "sadp", "sadp-3.1"] {
        let _ = GuidFile::from_export(data.to_vec(), source);
    }
    let _ = Sidecar::parse(data);
    let text = String::from_utf8_lossy(data);
    let _ = SupportKey::parse(&text);
    let _ = ResetCode::parse(&text);
});
