//! The code-based recovery routes: the reserved e-mail (isapi.md §8.4) and the Hik-Connect app
//! (§8.6). The device shows a QR payload; a code derived from it (the simulator's scheme,
//! [`crate::support`]) comes back with the new password.
//!
//! The app route \[inf\]: the paths are documented for access-control terminals
//! (`GET /ISAPI/Security/resetPassword/GetPhoneNoQRCode?format=json`,
//! `PUT /ISAPI/Security/resetPassword/ResetPasswordByPhoneNoSecurityCode?format=json`) and served
//! here for every device that flags `isSupportWithHCApp`, POST accepted too. The QR answer is
//! `{"PhoneNoQRCode": {"QRCode", "domainName", "model"}}`; the reset body
//! `{"ResetPasswordByPhoneNoSecurityCode": {"securityCode", "password", "syncIPCPassword"?}}`,
//! read leniently (flat; `verificationCode`/`code`; `newPassword`). The QR code is offered only
//! while the device is bound to a Hik-Connect account (`notSetPhoneNo` otherwise, the SADP
//! token). Both routes: a wrong, expired or other device's code is `checkCodeError` with
//! `retryTimes` and counts toward the recovery lock; a good code works once; a new QR payload
//! replaces the previous one; a reboot voids both.

use std::time::{Duration, SystemTime};

use hikproto::isapi::security::email::CodeReset;
use hikproto::isapi::security::{QrKind, ResetQrPayload};

use super::super::system::unix_now;
use super::super::{Call, body_json, json, ok, refuse};
use super::{recovery_failure, reset_admin, route_open};
use crate::crypto;
use crate::http::Reply;
use crate::support;

/// One of the two code-based routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeRoute {
    Email,
    App,
}

impl CodeRoute {
    fn supported(self, c: &Call<'_>) -> bool {
        let m = &c.rt.cfg.reset_methods;
        match self {
            Self::Email => m.email,
            Self::App => m.hc_app,
        }
    }

    /// The refusal while the route's prerequisite is missing.
    fn unconfigured(self, c: &Call<'_>) -> Option<&'static str> {
        match self {
            Self::Email => {
                c.rt.cfg
                    .reserved_email
                    .is_none()
                    .then_some("noSetSecurityEmail")
            }
            Self::App => (!c.shared.platform.is_bound(&c.rt.cfg.serial)).then_some("notSetPhoneNo"),
        }
    }

    fn pending<'a>(self, c: &'a mut Call<'_>) -> &'a mut Option<(String, SystemTime)> {
        match self {
            Self::Email => &mut c.rt.recovery.email_qr,
            Self::App => &mut c.rt.recovery.app_qr,
        }
    }

    fn validity(self) -> Duration {
        Duration::from_secs(match self {
            Self::Email => support::EMAIL_CODE_VALIDITY_SECS,
            Self::App => support::APP_CODE_VALIDITY_SECS,
        })
    }

    fn code(self, qr: &str) -> String {
        match self {
            Self::Email => support::email_code(qr),
            Self::App => support::app_code(qr),
        }
    }

    /// Checks that the route may issue a QR payload now (`None`) or answers why not.
    fn may_issue(self, c: &mut Call<'_>) -> Option<Reply> {
        if let Some(r) = route_open(c, self.supported(c)) {
            return Some(r);
        }
        self.unconfigured(c).map(|sub| refuse(c, sub))
    }

    /// Checks the code of a certification request and resets the admin password.
    fn certify(self, c: &mut Call<'_>) -> Reply {
        if let Some(r) = self.may_issue(c) {
            return r;
        }
        let req = match body_json(c).map(|v| CodeReset::from_json(&v)) {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => return refuse(c, "MessageParametersLack"),
            Err(r) => return r,
        };
        let sent = req.code.expose().trim().to_ascii_uppercase();
        let validity = self.validity();
        let slot = self.pending(c);
        if slot
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed().unwrap_or_default() >= validity)
        {
            *slot = None;
        }
        let valid = slot
            .as_ref()
            .is_some_and(|(qr, _)| crypto::ct_eq(&self.code(qr), &sent));
        if !valid {
            return recovery_failure(c, false, "checkCodeError");
        }
        reset_admin(c, req.new_password.expose(), req.sync_camera_passwords)
    }
}

fn email_json(email: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "SecurityEmail": {
            "SecurityInformation": [ { "emailAddress": email.unwrap_or("") } ]
        }
    })
}

/// `GET /ISAPI/Security/email/parameter?format=json`.
pub(in crate::handlers) fn get_email(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.email {
        return refuse(c, "notSupport");
    }
    json(email_json(c.rt.cfg.reserved_email.as_deref()))
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// `PUT /ISAPI/Security/email/parameter?format=json`.
pub(in crate::handlers) fn put_email(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.email {
        return refuse(c, "notSupport");
    }
    let v = match body_json(c) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let addr = v
        .pointer("/SecurityEmail/SecurityInformation/0/emailAddress")
        .or_else(|| v.pointer("/SecurityEmail/emailAddress"))
        .or_else(|| v.get("emailAddress"))
        .and_then(|x| x.as_str())
        .map(str::trim)
        .map(str::to_owned);
    let Some(addr) = addr else {
        return refuse(c, "MessageParametersLack");
    };
    if !valid_email(&addr) {
        return refuse(c, "emailFormatError");
    }
    c.rt.cfg.reserved_email = Some(addr);
    c.rt.recovery.email_qr = None;
    ok(c)
}

/// `GET /ISAPI/Security/email/parameter/capabilities?format=json`.
pub(in crate::handlers) fn email_caps(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.email {
        return refuse(c, "notSupport");
    }
    json(serde_json::json!({
        "SecurityEmailCap": { "emailAddress": { "@min": 1, "@max": 64 }, "maxNum": 1 }
    }))
}

/// `GET /ISAPI/Security/email/qrCode?format=json`: a new QR payload to mail to support.
pub(in crate::handlers) fn email_qr(c: &mut Call<'_>) -> Reply {
    if let Some(r) = CodeRoute::Email.may_issue(c) {
        return r;
    }
    let email = c.rt.cfg.reserved_email.clone().unwrap_or_default();
    let qr = support::email_qr(&c.rt.cfg.serial, unix_now(), &crypto::rand_hex(8), &email);
    c.rt.recovery.email_qr = Some((qr.clone(), SystemTime::now()));
    json(serde_json::json!({ "QRCode": qr }))
}

/// `PUT|POST /ISAPI/Security/emailCertification?format=json`: the mailed code and the new
/// admin password.
pub(in crate::handlers) fn certify_email(c: &mut Call<'_>) -> Reply {
    CodeRoute::Email.certify(c)
}

/// `GET|POST /ISAPI/Security/resetPassword/GetPhoneNoQRCode?format=json`: a new QR payload for
/// the Hik-Connect app of the bound account.
pub(in crate::handlers) fn app_qr(c: &mut Call<'_>) -> Reply {
    if let Some(r) = CodeRoute::App.may_issue(c) {
        return r;
    }
    let cfg = &c.rt.cfg;
    let qr = support::app_qr(&cfg.serial, unix_now(), &crypto::rand_hex(8));
    let payload = ResetQrPayload {
        kind: QrKind::HikConnectApp,
        qr_text: qr.clone(),
        mailbox: None,
        service_mailbox: None,
        domain: Some(cfg.ezviz.server_host.clone()),
        model: Some(cfg.model.clone()),
    };
    c.rt.recovery.app_qr = Some((qr, SystemTime::now()));
    json(payload.to_json())
}

/// `PUT|POST /ISAPI/Security/resetPassword/ResetPasswordByPhoneNoSecurityCode?format=json`: the
/// code the app showed and the new admin password.
pub(in crate::handlers) fn certify_app_code(c: &mut Call<'_>) -> Reply {
    CodeRoute::App.certify(c)
}
