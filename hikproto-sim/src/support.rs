//! The simulator's own "support desk" scheme for the reset routes where the real vendor keeps a
//! secret: the exported key file (SADP reset mode 2) and the reserved e-mail QR code.
//!
//! **This is a test scheme, not the vendor's.** Real devices export an encrypted string that
//! only the vendor's support can answer; its format is not public. The simulator instead uses
//! HMAC-SHA-256 under the public [`TEST_KEY`], so tests (and the `hikproto` CLI tests) can play
//! "support" with [`answer_export`] and [`answer_email_qr`]:
//!
//! * export string = Base64 of `HIKSIM1|<serial>|<unix time>|<nonce>`;
//! * reply file content = Base64 of
//!   `HIKSIM1R|<serial>|<unix time>|<nonce>|<hex HMAC(TEST_KEY, export)>`;
//!   the device accepts it only for its own serial, only for its *latest* export (a new export
//!   invalidates older replies) and only within [`EXPORT_VALIDITY_SECS`];
//! * e-mail QR payload = Base64 of `HIKSIM1M|<serial>|<unix time>|<nonce>|<reserved e-mail>`;
//!   the mailed code is the first 8 characters of the upper-case hex HMAC of `mail|<payload>`,
//!   valid for [`EMAIL_CODE_VALIDITY_SECS`] and invalidated by a reboot or an e-mail change;
//! * Hik-Connect-app QR payload = Base64 of `HIKSIM1A|<serial>|<unix time>|<nonce>`; the code the
//!   app shows is the first 8 characters of the upper-case hex HMAC of `app|<payload>`, issued
//!   only to the account the device is bound to ([`crate::Platform::app_reset_code`]), valid for
//!   [`APP_CODE_VALIDITY_SECS`], good for one reset, and replaced by the next QR payload.
//!
//! ```
//! use hikproto_sim::support;
//! let export = support::export_string("DS-2CD2386G2-IU20240315CCWR700000000", 1_700_000_000, "00ff");
//! let reply = support::answer_export(&export).unwrap();
//! assert!(support::verify_reply(&reply, "DS-2CD2386G2-IU20240315CCWR700000000", &export).is_ok());
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::crypto::hmac_sha256;

/// The public test key of the simulator's support desk (not a vendor secret).
pub const TEST_KEY: &[u8] = b"hikproto-sim support desk test key; not a vendor secret";

/// How long an exported string stays answerable on the device: 48 hours.
pub const EXPORT_VALIDITY_SECS: u64 = 48 * 3600;

/// How long a mailed reset code stays valid: 48 hours.
pub const EMAIL_CODE_VALIDITY_SECS: u64 = 48 * 3600;

/// How long a Hik-Connect-app reset code stays valid: 30 minutes (the simulator's choice; the
/// real validity is not public).
pub const APP_CODE_VALIDITY_SECS: u64 = 30 * 60;

/// Why a reset file or code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SupportError {
    /// Not something this scheme produced (or damaged).
    #[error("not a reset file or code of this scheme")]
    Invalid,
    /// Made for another device.
    #[error("the reply was made for another device")]
    OtherDevice,
    /// Answers an older export, or the export has expired.
    #[error("the reply answers an expired or replaced export")]
    Expired,
    /// The device has no pending export.
    #[error("the device has not exported a reset string")]
    NoExport,
    /// The device does not support this reset method (or is not activated).
    #[error("the device does not support this reset method")]
    NotSupported,
    /// The new password was refused (the subStatusCode, for example `riskPassword`).
    #[error("the new password was refused: {0}")]
    Password(String),
}

/// The string a device exports (see the module docs).
pub fn export_string(serial: &str, issued_unix: u64, nonce: &str) -> String {
    B64.encode(format!("HIKSIM1|{serial}|{issued_unix}|{nonce}"))
}

fn fields(b64: &str, tag: &str, n: usize) -> Option<Vec<String>> {
    let raw = B64.decode(b64.trim().as_bytes()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let parts: Vec<String> = text.split('|').map(str::to_owned).collect();
    (parts.len() == n && parts[0] == tag).then_some(parts)
}

/// Plays support: answers an exported string with the reply file's content.
pub fn answer_export(export: &str) -> Result<String, SupportError> {
    let f = fields(export, "HIKSIM1", 4).ok_or(SupportError::Invalid)?;
    let mac = hex::encode(hmac_sha256(TEST_KEY, export.trim().as_bytes()));
    Ok(B64.encode(format!("HIKSIM1R|{}|{}|{}|{mac}", f[1], f[2], f[3])))
}

/// Device side: checks a reply against the device's serial and its latest export.
/// (Expiry is checked by the device from the export time.)
pub fn verify_reply(reply: &str, serial: &str, latest_export: &str) -> Result<(), SupportError> {
    let f = fields(reply, "HIKSIM1R", 5).ok_or(SupportError::Invalid)?;
    if f[1] != serial {
        return Err(SupportError::OtherDevice);
    }
    let mac = hex::encode(hmac_sha256(TEST_KEY, latest_export.trim().as_bytes()));
    if crate::crypto::ct_eq(&mac, &f[4]) {
        Ok(())
    } else {
        let export = fields(latest_export, "HIKSIM1", 4).ok_or(SupportError::Invalid)?;
        if export[3] != f[3] {
            Err(SupportError::Expired)
        } else {
            Err(SupportError::Invalid)
        }
    }
}

/// The e-mail reset QR payload a device shows.
pub fn email_qr(serial: &str, issued_unix: u64, nonce: &str, email: &str) -> String {
    B64.encode(format!("HIKSIM1M|{serial}|{issued_unix}|{nonce}|{email}"))
}

/// Plays the vendor's mail service: answers a QR payload with the 8-character code.
pub fn answer_email_qr(qr: &str) -> Result<String, SupportError> {
    fields(qr, "HIKSIM1M", 5).ok_or(SupportError::Invalid)?;
    Ok(email_code(qr))
}

pub(crate) fn email_code(qr: &str) -> String {
    payload_code("mail", qr)
}

/// The Hik-Connect-app reset QR payload a device shows.
pub fn app_qr(serial: &str, issued_unix: u64, nonce: &str) -> String {
    B64.encode(format!("HIKSIM1A|{serial}|{issued_unix}|{nonce}"))
}

/// The serial an app QR payload was made for.
pub fn app_qr_serial(qr: &str) -> Result<String, SupportError> {
    let mut f = fields(qr, "HIKSIM1A", 4).ok_or(SupportError::Invalid)?;
    Ok(f.swap_remove(1))
}

/// The code the app shows for an app QR payload (the platform decides who may see it).
pub(crate) fn app_code(qr: &str) -> String {
    payload_code("app", qr)
}

/// The 8-character code of a QR payload under one label (`mail`, `app`).
fn payload_code(label: &str, qr: &str) -> String {
    let mac = hmac_sha256(TEST_KEY, format!("{label}|{}", qr.trim()).as_bytes());
    hex::encode_upper(mac)[..8].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_reply_cycle() {
        let s = "DS-X20240315CCWR700000001";
        let e1 = export_string(s, 100, "aa");
        let r1 = answer_export(&e1).unwrap();
        assert_eq!(verify_reply(&r1, s, &e1), Ok(()));
        assert_eq!(
            verify_reply(&r1, "OTHER", &e1),
            Err(SupportError::OtherDevice)
        );
        let e2 = export_string(s, 200, "bb");
        assert_eq!(verify_reply(&r1, s, &e2), Err(SupportError::Expired));
        assert_eq!(answer_export("garbage!"), Err(SupportError::Invalid));
        assert_eq!(verify_reply(&e1, s, &e1), Err(SupportError::Invalid));
    }

    #[test]
    fn email_codes() {
        let qr = email_qr("S", 1, "n", "a@example.com");
        let code = answer_email_qr(&qr).unwrap();
        assert_eq!(code.len(), 8);
        assert_eq!(code, email_code(&qr));
        assert!(answer_email_qr("x").is_err());
    }

    #[test]
    fn app_codes() {
        let qr = app_qr("S1", 1, "n");
        assert_eq!(app_qr_serial(&qr).as_deref(), Ok("S1"));
        assert_eq!(app_code(&qr).len(), 8);
        assert_ne!(app_code(&qr), app_code(&app_qr("S1", 1, "m")));
        assert_ne!(app_code(&qr), email_code(&qr));
        assert_eq!(
            app_qr_serial(&email_qr("S", 1, "n", "a@b.co")),
            Err(SupportError::Invalid)
        );
    }
}
