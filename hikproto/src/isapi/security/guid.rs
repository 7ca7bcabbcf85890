//! The GUID file over ISAPI: export while logged in, import to reset.
//!
//! Documented (isapi.md §8.3): `PUT /ISAPI/Security/GUIDFileData` with
//! `<LoginPassword><password>…</password></LoginPassword>` (the password `security=1`-encrypted
//! where the device supports it); the answer body *is* the GUID file.
//!
//! Inferred: the import endpoint is not public. hikproto sends the file base64-encoded, with the
//! new admin password, to [`CERTIFICATION_PATH`] (unauthenticated); the path and the document
//! live only here so that they can follow real firmware in one place.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keys::Secret;
use crate::xml::Element;

/// `PUT` the admin password here to receive the GUID file.
pub const EXPORT_PATH: &str = "/ISAPI/Security/GUIDFileData";
/// `PUT` the GUID file and a new password here to reset (inferred path).
pub const CERTIFICATION_PATH: &str = "/ISAPI/Security/GUIDFileData/certification";
/// Largest GUID-export answer accepted (SADP 3.1 files are 512 bytes).
pub const MAX_EXPORT: usize = 4096;

/// The export request body; `password` is the (possibly encrypted) admin password field.
pub fn export_body(password_field: &str) -> Element {
    Element::new("LoginPassword").push_text("password", password_field)
}

/// Extracts the GUID file from the export answer: the raw body, which must be non-empty, at most
/// [`MAX_EXPORT`] bytes, and not a status document.
pub fn file_from_export_answer(body: &[u8]) -> Result<Vec<u8>> {
    const WHAT: &str = "GUID file export";
    if body.is_empty() {
        return Err(Error::decode(WHAT, "the device sent an empty file"));
    }
    if body.len() > MAX_EXPORT {
        return Err(Error::TooLarge { limit: MAX_EXPORT });
    }
    let first = body.iter().position(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|i| body[i] == b'<') {
        if let Ok(el) = Element::parse(body) {
            if el.name == "ResponseStatus" || el.name == "userCheck" {
                return Err(Error::decode(
                    WHAT,
                    "the device answered with a status document, not a GUID file",
                ));
            }
        }
    }
    Ok(body.to_vec())
}

/// The import (reset) body: `GUIDCertification{GUIDFileData (base64), password, syncIPCPassword?}`.
pub fn certification_body(
    guid: &[u8],
    new_password: &Secret,
    sync_camera_passwords: bool,
    namespace: Option<&str>,
) -> Element {
    let mut el = Element::new("GUIDCertification");
    if let Some(ns) = namespace {
        el = el.with_namespace(ns);
    }
    el = el
        .push_text(
            "GUIDFileData",
            base64::engine::general_purpose::STANDARD.encode(guid),
        )
        .push_text("password", new_password.expose());
    if sync_camera_passwords {
        el = el.push_text("syncIPCPassword", "true");
    }
    el
}

/// What a reset-by-GUID request carries (device side: the simulator decodes it with this).
/// `Debug` shows neither the GUID nor the password.
#[derive(Clone, PartialEq, Eq)]
pub struct GuidCertification {
    /// The GUID file bytes (zeroized on drop).
    pub guid: Zeroizing<Vec<u8>>,
    /// The new admin password.
    pub new_password: Secret,
    /// Whether an NVR should push the new password to its cameras.
    pub sync_camera_passwords: bool,
}

impl std::fmt::Debug for GuidCertification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuidCertification")
            .field("guid_len", &self.guid.len())
            .field("new_password", &self.new_password)
            .field("sync_camera_passwords", &self.sync_camera_passwords)
            .finish()
    }
}

impl GuidCertification {
    /// Decodes a [`certification_body`] document.
    pub fn from_element(el: &Element) -> Result<Self> {
        const WHAT: &str = "GUIDCertification";
        let data = el
            .text_at("GUIDFileData")
            .ok_or_else(|| Error::decode(WHAT, "missing <GUIDFileData>"))?;
        let guid = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| Error::decode(WHAT, "<GUIDFileData> is not base64"))?;
        Ok(Self {
            guid: Zeroizing::new(guid),
            new_password: Secret::new(el.text_at("password").unwrap_or("")),
            sync_camera_passwords: el.bool_at("syncIPCPassword").unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_answer_checks() {
        let file = vec![0xA5u8; 128];
        assert_eq!(file_from_export_answer(&file).unwrap(), file);
        assert!(file_from_export_answer(b"").is_err());
        assert!(matches!(
            file_from_export_answer(&vec![1u8; 5000]),
            Err(Error::TooLarge { .. })
        ));
        let status = b"<ResponseStatus><statusCode>1</statusCode></ResponseStatus>";
        assert!(file_from_export_answer(status).is_err());
        assert_eq!(
            export_body("enc").to_xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LoginPassword><password>enc</password></LoginPassword>"
        );
    }

    #[test]
    fn certification_round_trip() {
        let guid: Vec<u8> = (0..=255u8).cycle().take(512).collect();
        let body = certification_body(
            &guid,
            &Secret::new("N3wPassword!"),
            true,
            Some(crate::xml::ns::ISAPI_V20),
        );
        let parsed = Element::parse(body.to_xml().as_bytes()).unwrap();
        let c = GuidCertification::from_element(&parsed).unwrap();
        assert_eq!(*c.guid, guid);
        assert!(!format!("{c:?}").contains("N3wPassword"));
        assert_eq!(c.new_password.expose(), "N3wPassword!");
        assert!(c.sync_camera_passwords);
        assert!(GuidCertification::from_element(&Element::new("GUIDCertification")).is_err());
        let bad = Element::new("GUIDCertification").push_text("GUIDFileData", "***");
        assert!(GuidCertification::from_element(&bad).is_err());
    }
}
