//! Reset with a code from the Hik-Connect app ("Verify by Hik-Connect App").
//!
//! The device shows a QR code; the owner scans it in the app of the account the device is
//! bound to and gets a code; the code and a new password go back to the device. The device does
//! not need to be online for this (the guides say so).
//!
//! Documented paths (isapi.md §8.6, access-control guide): `GET
//! /ISAPI/Security/resetPassword/GetPhoneNoQRCode?format=json` and `PUT
//! /ISAPI/Security/resetPassword/ResetPasswordByPhoneNoSecurityCode?format=json`. Inferred: that
//! recorders flagged `isSupportWithHCApp` use the same paths, and both bodies (read leniently by
//! [`ResetQrPayload::from_json`](super::ResetQrPayload::from_json) and
//! [`CodeReset::from_json`](super::email::CodeReset::from_json)).

use serde_json::Value;

use super::email::code_reset_body;
use crate::keys::Secret;

/// `GET` the QR code to scan with the app (unauthenticated).
pub const QR_PATH: &str = "/ISAPI/Security/resetPassword/GetPhoneNoQRCode?format=json";
/// `PUT` the app's code and a new password here (unauthenticated).
pub const RESET_PATH: &str =
    "/ISAPI/Security/resetPassword/ResetPasswordByPhoneNoSecurityCode?format=json";

/// The app route's reset body.
pub fn reset_body(code: &Secret, new_password: &Secret, sync_camera_passwords: bool) -> Value {
    code_reset_body(
        "ResetPasswordByPhoneNoSecurityCode",
        "securityCode",
        code,
        new_password,
        sync_camera_passwords,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isapi::security::email::CodeReset;

    #[test]
    fn body_round_trip() {
        let body = reset_body(&Secret::new("839201"), &Secret::new("N3wPassword!"), false);
        assert_eq!(
            body["ResetPasswordByPhoneNoSecurityCode"]["securityCode"],
            "839201"
        );
        let r = CodeReset::from_json(&body).unwrap();
        assert_eq!(r.code.expose(), "839201");
        assert!(!r.sync_camera_passwords);
    }
}
