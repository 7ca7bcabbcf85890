//! The reserved (security) e-mail address and the code-based reset routes.
//!
//! Documented (isapi.md §8.4): `GET/PUT /ISAPI/Security/email/parameter?format=json` with
//! `SecurityEmail.SecurityInformation[0].emailAddress`; capabilities
//! `SecurityEmailCap.emailAddress.@min/@max`; `GET /ISAPI/Security/email/qrCode?format=json`
//! gives the QR code the user mails to the vendor; `PUT /ISAPI/Security/emailCertification?format=json`
//! submits the code that comes back. The mailed code is valid 48 hours and stops working after a
//! reboot or an e-mail change.
//!
//! Inferred: where the admin password goes in the `PUT parameter` body (here
//! `SecurityEmail.password`), the keys of the QR answer (read leniently: any key named like
//! `QRCode`, `emailAddress`/`mailBox`, `serviceEmail`/`mailServiceBox`), and the certification
//! body ([`code_reset_body`]).

use serde::Serialize;
use serde_json::{Value, json};

use super::caps::LenLimit;
use super::{json_find, json_string};
use crate::error::{Error, Result};
use crate::keys::Secret;

/// `GET`/`PUT` the reserved address here.
pub const PARAMETER_PATH: &str = "/ISAPI/Security/email/parameter?format=json";
/// `GET` the address limits here.
pub const PARAMETER_CAPS_PATH: &str = "/ISAPI/Security/email/parameter/capabilities?format=json";
/// `GET` the QR code to mail to the vendor (unauthenticated).
pub const QR_PATH: &str = "/ISAPI/Security/email/qrCode?format=json";
/// `PUT` the mailed code and a new password here (unauthenticated).
pub const CERTIFICATION_PATH: &str = "/ISAPI/Security/emailCertification?format=json";
/// Longest address when the device does not say (the web UI's limit).
pub const DEFAULT_MAX_ADDRESS: usize = 32;
/// Longest QR payload accepted from a device.
pub const MAX_QR_TEXT: usize = 8192;

/// The reserved e-mail configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityEmail {
    /// The reserved address, when one is set.
    pub address: Option<String>,
}

impl SecurityEmail {
    /// Decodes `{"SecurityEmail": {"SecurityInformation": [{"emailAddress": …}]}}` (leniently).
    pub fn from_json(v: &Value) -> Self {
        Self {
            address: json_string(v, &["emailAddress", "mailBox"]).map(|s| s.trim().to_owned()),
        }
    }

    /// Builds the `GET` answer (for the simulator).
    pub fn to_json(&self) -> Value {
        json!({"SecurityEmail": {"SecurityInformation": [
            {"emailAddress": self.address.clone().unwrap_or_default()}
        ]}})
    }

    /// The `PUT` body: the address and the (possibly encrypted) admin password field.
    pub fn set_body(address: &str, password_field: &str) -> Value {
        json!({"SecurityEmail": {
            "SecurityInformation": [{"emailAddress": address}],
            "password": password_field,
        }})
    }
}

/// Reads `SecurityEmailCap.emailAddress.@min/@max`.
pub fn address_limit_from_caps(v: &Value) -> Option<LenLimit> {
    let addr = json_find(v, &["emailAddress"])?;
    let n = |k: &str| {
        addr.get(k)
            .and_then(|x| x.as_u64().or_else(|| x.as_str()?.trim().parse().ok()))
    };
    let lim = LenLimit {
        min: n("@min").map(|x| x as u32),
        max: n("@max").map(|x| x as u32),
    };
    (lim.min.is_some() || lim.max.is_some()).then_some(lim)
}

/// Checks an address before it is sent: printable ASCII, one `@`, a dotted domain, and within
/// `limit` (default 1–32 characters).
pub fn validate_address(address: &str, limit: Option<LenLimit>) -> Result<()> {
    let limit = limit.unwrap_or(LenLimit {
        min: Some(1),
        max: Some(DEFAULT_MAX_ADDRESS as u32),
    });
    if !limit.contains(address.len()) {
        return Err(Error::invalid(format!(
            "the e-mail address has {} characters; the device accepts {}–{}",
            address.len(),
            limit.min.unwrap_or(1),
            limit
                .max
                .map_or_else(|| "any".to_owned(), |m| m.to_string())
        )));
    }
    let valid = address.bytes().all(|b| b.is_ascii_graphic())
        && address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return Err(Error::invalid("not an e-mail address"));
    }
    Ok(())
}

/// Which code-based route a QR payload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QrKind {
    /// Mail the QR to the vendor; a code arrives at the reserved address.
    Email,
    /// Scan the QR with the Hik-Connect app of the bound account; the app shows a code.
    HikConnectApp,
}

/// The QR payload a device gives for a code-based reset, plus what comes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetQrPayload {
    /// Which route.
    pub kind: QrKind,
    /// The text to encode as a QR code (verbatim from the device).
    pub qr_text: String,
    /// E-mail route: the reserved address the code will be sent to (as the device shows it).
    pub mailbox: Option<String>,
    /// E-mail route: the vendor's service address to mail the QR code to.
    pub service_mailbox: Option<String>,
    /// App route: the platform domain.
    pub domain: Option<String>,
    /// App route: the model.
    pub model: Option<String>,
}

impl ResetQrPayload {
    /// Reads a device's QR answer leniently; fails when no QR text is found or it is too long.
    pub fn from_json(kind: QrKind, v: &Value) -> Result<Self> {
        let what = match kind {
            QrKind::Email => "e-mail reset QR code",
            QrKind::HikConnectApp => "Hik-Connect reset QR code",
        };
        let qr_text = json_string(
            v,
            &[
                "QRCode",
                "qrCode",
                "QRcodes",
                "qrCodeInfo",
                "QRCodeInfo",
                "code",
            ],
        )
        .ok_or_else(|| Error::decode(what, "no QR code in the answer"))?;
        if qr_text.len() > MAX_QR_TEXT {
            return Err(Error::TooLarge { limit: MAX_QR_TEXT });
        }
        Ok(Self {
            kind,
            qr_text,
            mailbox: json_string(v, &["emailAddress", "mailBox"]),
            service_mailbox: json_string(
                v,
                &["serviceEmail", "serviceEmailAddress", "mailServiceBox"],
            ),
            domain: json_string(v, &["domainName", "domain"]),
            model: json_string(v, &["model"]),
        })
    }

    /// Builds a device answer (for the simulator).
    pub fn to_json(&self) -> Value {
        let mut inner = serde_json::Map::new();
        inner.insert("QRCode".into(), self.qr_text.clone().into());
        let opt = [
            ("emailAddress", &self.mailbox),
            ("serviceEmail", &self.service_mailbox),
            ("domainName", &self.domain),
            ("model", &self.model),
        ];
        for (k, v) in opt {
            if let Some(v) = v {
                inner.insert(k.into(), v.clone().into());
            }
        }
        let root = match self.kind {
            QrKind::Email => "SecurityEmailQrCode",
            QrKind::HikConnectApp => "PhoneNoQRCode",
        };
        json!({ root: Value::Object(inner) })
    }
}

/// The body of a code-based reset (inferred): `{<root>: {<code_key>: code, "password": new,
/// "syncIPCPassword": true?}}`.
pub fn code_reset_body(
    root: &str,
    code_key: &str,
    code: &Secret,
    new_password: &Secret,
    sync_camera_passwords: bool,
) -> Value {
    let mut inner = serde_json::Map::new();
    inner.insert(code_key.into(), code.expose().into());
    inner.insert("password".into(), new_password.expose().into());
    if sync_camera_passwords {
        inner.insert("syncIPCPassword".into(), true.into());
    }
    json!({ root: Value::Object(inner) })
}

/// The e-mail route's reset body.
pub fn email_reset_body(
    code: &Secret,
    new_password: &Secret,
    sync_camera_passwords: bool,
) -> Value {
    code_reset_body(
        "EmailCertification",
        "verificationCode",
        code,
        new_password,
        sync_camera_passwords,
    )
}

/// What a code-based reset request carries (device side: the simulator decodes it with this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeReset {
    /// The code the user received.
    pub code: Secret,
    /// The new admin password.
    pub new_password: Secret,
    /// Whether an NVR should push the new password to its cameras.
    pub sync_camera_passwords: bool,
}

impl CodeReset {
    /// Decodes either route's body leniently.
    pub fn from_json(v: &Value) -> Result<Self> {
        let code = json_string(v, &["verificationCode", "securityCode", "code"])
            .ok_or_else(|| Error::decode("reset request", "no code"))?;
        let password = json_string(v, &["password", "newPassword"])
            .ok_or_else(|| Error::decode("reset request", "no password"))?;
        Ok(Self {
            code: Secret::new(code),
            new_password: Secret::new(password),
            sync_camera_passwords: json_find(v, &["syncIPCPassword"])
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_address_round_trip_and_caps() {
        let v: Value = serde_json::from_str(
            r#"{"SecurityEmail":{"SecurityInformation":[{"emailAddress":"owner@example.com"}]}}"#,
        )
        .unwrap();
        let e = SecurityEmail::from_json(&v);
        assert_eq!(e.address.as_deref(), Some("owner@example.com"));
        assert_eq!(SecurityEmail::from_json(&e.to_json()), e);
        assert_eq!(SecurityEmail::from_json(&json!({})).address, None);
        assert_eq!(
            SecurityEmail::from_json(&SecurityEmail::default().to_json()).address,
            None
        );
        let body = SecurityEmail::set_body("a@b.co", "pw");
        assert_eq!(body["SecurityEmail"]["password"], "pw");
        let caps: Value =
            serde_json::from_str(r#"{"SecurityEmailCap":{"emailAddress":{"@min":1,"@max":"64"}}}"#)
                .unwrap();
        assert_eq!(
            address_limit_from_caps(&caps),
            Some(LenLimit {
                min: Some(1),
                max: Some(64)
            })
        );
    }

    #[test]
    fn address_validation_table() {
        for ok in ["a@b.co", "first.last+tag@example.org"] {
            assert!(validate_address(ok, None).is_ok(), "{ok}");
        }
        let long = format!("{}@example.com", "x".repeat(40));
        for bad in [
            "",
            "plain",
            "a@b",
            "a@@b.co",
            "@b.co",
            "a b@c.de",
            "a@.co",
            "a@co.",
            long.as_str(),
        ] {
            assert!(validate_address(bad, None).is_err(), "{bad}");
        }
        assert!(
            validate_address(
                &long,
                Some(LenLimit {
                    min: Some(1),
                    max: Some(64)
                })
            )
            .is_ok()
        );
    }

    #[test]
    fn qr_payloads() {
        let v: Value = serde_json::from_str(r#"{"QRCode":{"qrCode":"HIK#RESET#abc","emailAddress":"o***@example.com","serviceEmail":"pw_recovery@hikvision.com"}}"#).unwrap();
        let p = ResetQrPayload::from_json(QrKind::Email, &v).unwrap();
        assert_eq!(p.qr_text, "HIK#RESET#abc");
        assert_eq!(
            p.service_mailbox.as_deref(),
            Some("pw_recovery@hikvision.com")
        );
        assert_eq!(
            ResetQrPayload::from_json(QrKind::Email, &p.to_json()).unwrap(),
            p
        );
        let app = ResetQrPayload {
            kind: QrKind::HikConnectApp,
            qr_text: "QR".into(),
            mailbox: None,
            service_mailbox: None,
            domain: Some("www.hik-connect.com".into()),
            model: Some("DS-7608NXI-I2".into()),
        };
        assert_eq!(
            ResetQrPayload::from_json(QrKind::HikConnectApp, &app.to_json()).unwrap(),
            app
        );
        assert!(ResetQrPayload::from_json(QrKind::Email, &json!({"other": 1})).is_err());
        let huge = json!({"QRCode": "x".repeat(MAX_QR_TEXT + 1)});
        assert!(matches!(
            ResetQrPayload::from_json(QrKind::Email, &huge),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn code_reset_round_trip() {
        let body = email_reset_body(&Secret::new("ABCD1234"), &Secret::new("N3wPassword!"), true);
        let r = CodeReset::from_json(&body).unwrap();
        assert_eq!(r.code.expose(), "ABCD1234");
        assert_eq!(r.new_password.expose(), "N3wPassword!");
        assert!(r.sync_camera_passwords);
        assert!(CodeReset::from_json(&json!({"x": {"password": "p"}})).is_err());
        assert!(!format!("{r:?}").contains("ABCD1234"));
    }
}
