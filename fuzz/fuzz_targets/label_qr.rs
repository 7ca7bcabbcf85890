//! The Hik-Connect label QR text (plain and URL forms) and short serials.
#![no_main]

use hikproto::hikconnect::{LabelQr, ShortSerial};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(label) = LabelQr::parse(text) {
        let _ = format!("{label:?}");
    }
    let _ = ShortSerial::parse(text);
    let _ = ShortSerial::from_full_serial(text);
});
