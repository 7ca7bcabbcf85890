//! The responder's own test schemes for the tokens a real vendor keeps secret.
//!
//! **Test schemes, not the vendor's.** Each code is the first characters of the upper-case hex
//! SHA-256 of a fixed label and the token, so a test can play "support desk", "mailbox" or
//! "Hik-Connect app" with the public functions below:
//!
//! * export-file reset: the device's encrypted string → [`support_reply`] (what goes in `Code`);
//! * e-mail reset: the `GetQRcodes` payload → [`mail_code`];
//! * app reset: the `GetPhoneNoQRCode` payload → [`app_code`];
//! * legacy reset: serial and the date part of `BootTime` → [`legacy_code`] (the real algorithm
//!   is deliberately not reproduced anywhere in hikproto).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest as _, Sha256};

fn code(label: &str, token: &str, len: usize) -> String {
    let h = Sha256::digest(format!("hikproto-sim {label} v1\n{}", token.trim()));
    hex::encode_upper(h)[..len].to_owned()
}

/// The support desk's answer to an exported encrypted string (reply-file content).
pub fn support_reply(encrypt_string: &str) -> String {
    code("support desk", encrypt_string, 32)
}

/// The code "mailed" for an e-mail reset QR payload.
pub fn mail_code(qr_payload: &str) -> String {
    code("mail", qr_payload, 8)
}

/// The code the "app" shows for a phone reset QR payload.
pub fn app_code(qr_payload: &str) -> String {
    code("app", qr_payload, 8)
}

/// The legacy security code for a serial on a date (`YYYY-MM-DD`).
pub fn legacy_code(serial: &str, date: &str) -> String {
    code("legacy", &format!("{serial}|{date}"), 10)
}

/// A fresh random token: `len` random bytes, base64.
pub(crate) fn random_token(len: usize) -> String {
    let bytes: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
    B64.encode(bytes)
}

/// The device-code ("SafeCode") shape: base64 of `03 00 00 00`, an ASCII code, a 4-byte sum.
pub(crate) fn device_code(serial: &str) -> String {
    let ascii = code("device code", serial, 12);
    let mut raw = vec![3u8, 0, 0, 0];
    raw.extend_from_slice(ascii.as_bytes());
    let sum: u32 = ascii.bytes().map(u32::from).sum();
    raw.extend_from_slice(&sum.to_le_bytes());
    B64.encode(raw)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_stable_and_distinct() {
        assert_eq!(super::support_reply("abc"), super::support_reply(" abc\n"));
        assert_ne!(super::support_reply("abc"), super::support_reply("abd"));
        assert_ne!(super::mail_code("q"), super::app_code("q"));
        assert_eq!(super::mail_code("q").len(), 8);
    }
}
