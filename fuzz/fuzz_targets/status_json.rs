//! `ResponseStatus` JSON, and the other JSON bodies the library reads.
#![no_main]

use hikproto::isapi::activation::{ActivateStatus, v3_challenge};
use hikproto::isapi::ezviz::qr_code;
use hikproto::isapi::security::email::{CodeReset, QrKind, ResetQrPayload, SecurityEmail};
use hikproto::isapi::status::ResponseStatus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ResponseStatus::from_json(data);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = ResponseStatus::from_json_value(&v);
        let _ = ActivateStatus::from_json(&v);
        let _ = v3_challenge(&v);
        let _ = qr_code(&v);
        let _ = SecurityEmail::from_json(&v);
        let _ = ResetQrPayload::from_json(QrKind::Email, &v);
        let _ = CodeReset::from_json(&v);
    }
});
