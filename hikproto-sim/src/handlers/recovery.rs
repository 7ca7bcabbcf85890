//! Password recovery (isapi.md §8): reset capabilities, security questions, the GUID file, the
//! reserved e-mail, and the routes that use them without logging in.
//!
//! Where the reference leaves the form open \[inf\]:
//! * `questionCertification` takes `SecurityQuestion/QuestionList/Question/{id,answer}` and the
//!   new admin `password`, in clear (the caller cannot derive a `security=1` key without the
//!   password; use HTTPS), by PUT or POST;
//! * the GUID file is 128 bytes: the 32 hex characters of the GUID, then zero bytes;
//! * the GUID reset is `PUT|POST /ISAPI/Security/GUIDFileData/certification` with
//!   `<GUIDCertification><GUIDFileData>base64(file)</GUIDFileData><password>new</password></GUIDCertification>`;
//! * `email/qrCode` answers `{"QRCode": "<payload>"}`; `emailCertification` takes
//!   `{"EmailCertification": {"verificationCode": "...", "password": "..."}}` (flat also accepted);
//! * refusals of a wrong answer, GUID or code carry `retryTimes` (attempts left); after 7
//!   failures in a row the recovery routes lock for 30 minutes (`MaxPassword attempts`).

use std::time::{Duration, Instant};

use base64::Engine as _;
use hikproto::Secret;
use hikproto::isapi::status::ResponseStatus;
use hikproto::xml::Element;

use super::security::{field_cipher, read_field};
use super::system::{el, unix_now};
use super::users::check_policy;
use super::{Call, b, body_json, body_xml, finish, json, ok, refuse, refuse_with, xml};
use crate::config::{QuestionConfig, RiskyPasswords};
use crate::crypto;
use crate::http::Reply;
use crate::support;

/// Wrong recovery attempts before the lock.
const MAX_RECOVERY_FAILURES: u32 = 7;
/// How long the recovery lock lasts.
const RECOVERY_LOCK: Duration = Duration::from_secs(30 * 60);

/// `GET /ISAPI/Security/extern/capabilities` (readable before login).
pub(super) fn extern_capabilities(c: &mut Call<'_>) -> Reply {
    let m = &c.rt.cfg.reset_methods;
    let e = Element::new("externSecurityCap")
        .push(
            Element::new("RestAdminPassWord")
                .push_text("isSupportWithSecurityQuestion", b(m.security_questions))
                .push_text("isSupportWithGUIDFileData", b(m.guid_file))
                .push_text("isSupportWithSecurityEmail", b(m.email))
                .push_text("isSupportWithHCApp", b(m.hc_app))
                .push_text("minResetAdminPassWordNum", m.min_configured.to_string()),
        )
        .push(
            Element::new("SecurityLimits")
                .push(el(
                    "LoginPasswordLenLimit",
                    "",
                    &[("min", "8"), ("max", "16")],
                ))
                .push(el(
                    "SecurityAnswerLenLimit",
                    "",
                    &[("min", "1"), ("max", "128")],
                )),
        );
    xml(c.rt, e)
}

/// Refuses while the recovery routes are locked.
fn recovery_locked(c: &mut Call<'_>) -> Option<Reply> {
    match c.rt.recovery.recovery_locked_until {
        Some(t) if t > Instant::now() => Some(refuse(c, "MaxPassword attempts")),
        Some(_) => {
            c.rt.recovery.recovery_locked_until = None;
            c.rt.recovery.answer_failures = 0;
            c.rt.recovery.guid_failures = 0;
            None
        }
        None => None,
    }
}

/// Counts a wrong answer/GUID/code and refuses with `retryTimes`.
fn recovery_failure(c: &mut Call<'_>, guid: bool, sub: &str) -> Reply {
    let r = &mut c.rt.recovery;
    let n = if guid {
        r.guid_failures += 1;
        r.guid_failures
    } else {
        r.answer_failures += 1;
        r.answer_failures
    };
    let left = MAX_RECOVERY_FAILURES.saturating_sub(n);
    if left == 0 {
        r.recovery_locked_until = Some(Instant::now() + RECOVERY_LOCK);
    }
    let mut s = ResponseStatus::from_dictionary(sub);
    s.request_url = Some(c.req.target.clone());
    if c.req.json() {
        let v = serde_json::json!({
            "requestURL": c.req.target, "statusCode": s.status_code, "statusString": s.status_string,
            "subStatusCode": s.sub_status_code, "errorCode": s.error_code,
            "errorMsg": s.error_msg, "retryTimes": left,
        });
        return Reply::json(400, v.to_string());
    }
    let e = s.to_element(None).push_text("retryTimes", left.to_string());
    Reply::xml(400, finish(e, c.rt.ns()).to_xml())
}

/// Sets a new admin password after a successful recovery.
fn reset_admin(c: &mut Call<'_>, new: &str) -> Reply {
    let risky = match check_policy("admin", new) {
        Ok(r) => r,
        Err((code, sub)) => return refuse_with(c, code, sub),
    };
    if risky && c.rt.cfg.personality.risky_passwords == RiskyPasswords::Reject {
        return refuse_with(c, 6, "riskPassword");
    }
    let secret = Secret::new(new);
    c.rt.remember_password(&secret);
    if let Some(admin) = c.rt.cfg.users.iter_mut().find(|u| u.id == 1) {
        admin.password = secret;
    }
    c.rt.risky_password = risky;
    c.rt.drop_logins();
    c.rt.clients.clear();
    c.rt.recovery.answer_failures = 0;
    c.rt.recovery.guid_failures = 0;
    c.rt.recovery.email_qr = None;
    c.shared.mark_dirty();
    if risky {
        refuse_with(c, 1, "riskPassword")
    } else {
        ok(c)
    }
}

/// `GET /ISAPI/Security/questionConfiguration`: ids and whether each is set (`mark`), never
/// the answers.
pub(super) fn get_questions(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.security_questions {
        return refuse(c, "notSupport");
    }
    let mut list = Element::new("QuestionList");
    let qs = &c.rt.cfg.security_questions;
    if qs.is_empty() {
        for id in 1..=3 {
            list = list.push(
                Element::new("Question")
                    .push_text("id", id.to_string())
                    .push_text("mark", "false"),
            );
        }
    }
    for q in qs {
        list = list.push(
            Element::new("Question")
                .push_text("id", q.id.to_string())
                .push_text("mark", b(!q.answer.is_empty())),
        );
    }
    xml(c.rt, Element::new("SecurityQuestion").push(list))
}

/// `PUT /ISAPI/Security/questionConfiguration`: three questions with answers and the admin
/// `password` (both encrypted with `security=1` when given).
pub(super) fn put_questions(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.security_questions {
        return refuse(c, "notSupport");
    }
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(pw) = doc.text_at("password") else {
        return refuse(c, "MessageParametersLack");
    };
    let Ok(pw) = read_field(cipher.as_ref(), pw) else {
        return refuse(c, "passwordDecodeError");
    };
    let caller = c.user.clone().unwrap_or_default();
    if !c
        .rt
        .password_of(&caller)
        .is_some_and(|p| crypto::ct_eq(p.expose(), &pw))
    {
        return refuse_with(c, 4, "loginPasswordError");
    }
    let Some(list) = doc.child("QuestionList") else {
        return refuse(c, "MessageParametersLack");
    };
    let mut qs = Vec::new();
    for q in list.children_named("Question") {
        let (Some(id), Some(ans)) = (q.num_at::<u32>("id"), q.text_at("answer")) else {
            return refuse(c, "badXmlContent");
        };
        let Ok(ans) = read_field(cipher.as_ref(), ans) else {
            return refuse(c, "passwordDecodeError");
        };
        if ans.is_empty() || ans.len() > 128 {
            return refuse(c, "badParameters");
        }
        qs.push(QuestionConfig {
            id,
            answer: Secret::new(ans),
        });
    }
    let mut ids: Vec<u32> = qs.iter().map(|q| q.id).collect();
    ids.sort_unstable();
    ids.dedup();
    if qs.len() != 3 || ids.len() != 3 {
        return refuse(c, "SEQConfigNumError");
    }
    c.rt.cfg.security_questions = qs;
    ok(c)
}

/// `PUT|POST /ISAPI/Security/questionCertification`: the answers (in clear) and the new admin
/// password; resets the password when every answer matches.
pub(super) fn certify_questions(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.activated {
        return refuse(c, "notActivated");
    }
    if !c.rt.cfg.reset_methods.security_questions {
        return refuse(c, "notSupport");
    }
    if let Some(r) = recovery_locked(c) {
        return r;
    }
    if c.rt.cfg.security_questions.is_empty() {
        return refuse(c, "ResetErrorNoSEQ");
    }
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(new_pw) = doc.text_at("password").map(str::to_owned) else {
        return refuse(c, "MessageParametersLack");
    };
    let answers: Vec<(u32, String)> = doc
        .child("QuestionList")
        .map(|l| {
            l.children_named("Question")
                .filter_map(|q| Some((q.num_at::<u32>("id")?, q.text_at("answer")?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let all_match = !answers.is_empty()
        && c.rt.cfg.security_questions.iter().all(|q| {
            answers
                .iter()
                .any(|(id, a)| *id == q.id && crypto::ct_eq(a.trim(), q.answer.expose().trim()))
        });
    if !all_match {
        return recovery_failure(c, false, "SEQCertificateUnmatch");
    }
    reset_admin(c, &new_pw)
}

/// `PUT|POST /ISAPI/Security/GUIDFileData[?security=1&iv=…]` with
/// `<LoginPassword><password>…</password></LoginPassword>`: exports a new GUID file.
pub(super) fn export_guid(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.guid_file {
        return refuse(c, "notSupport");
    }
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(pw) = doc.text_at("password") else {
        return refuse(c, "MessageParametersLack");
    };
    let Ok(pw) = read_field(cipher.as_ref(), pw) else {
        return refuse(c, "passwordDecodeError");
    };
    let caller = c.user.clone().unwrap_or_default();
    if !c
        .rt
        .password_of(&caller)
        .is_some_and(|p| crypto::ct_eq(p.expose(), &pw))
    {
        return refuse_with(c, 4, "loginPasswordError");
    }
    let guid = crypto::rand_hex(16);
    let mut file = guid.clone().into_bytes();
    file.resize(128, 0);
    c.rt.cfg.guid = Some(Secret::new(guid));
    Reply::bytes(200, "application/octet-stream", file)
}

/// `PUT|POST /ISAPI/Security/GUIDFileData/certification`: resets the admin password with an
/// exported GUID file (see the module docs for the body).
pub(super) fn certify_guid(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.activated {
        return refuse(c, "notActivated");
    }
    if !c.rt.cfg.reset_methods.guid_file {
        return refuse(c, "notSupport");
    }
    if let Some(r) = recovery_locked(c) {
        return r;
    }
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let (Some(data), Some(new_pw)) = (doc.text_at("GUIDFileData"), doc.text_at("password")) else {
        return refuse(c, "MessageParametersLack");
    };
    let new_pw = new_pw.to_owned();
    let file = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .unwrap_or_default();
    let sent: String = file
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let matches =
        c.rt.cfg
            .guid
            .as_ref()
            .is_some_and(|g| crypto::ct_eq(g.expose(), sent.trim()));
    if !matches {
        return recovery_failure(c, true, "GUIDFileDataUnmatch");
    }
    reset_admin(c, &new_pw)
}

fn email_json(email: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "SecurityEmail": {
            "SecurityInformation": [ { "emailAddress": email.unwrap_or("") } ]
        }
    })
}

/// `GET /ISAPI/Security/email/parameter?format=json`.
pub(super) fn get_email(c: &mut Call<'_>) -> Reply {
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
pub(super) fn put_email(c: &mut Call<'_>) -> Reply {
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
pub(super) fn email_caps(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.email {
        return refuse(c, "notSupport");
    }
    json(serde_json::json!({
        "SecurityEmailCap": { "emailAddress": { "@min": 1, "@max": 64 }, "maxNum": 1 }
    }))
}

/// `GET /ISAPI/Security/email/qrCode?format=json`: a new QR payload to mail to support.
pub(super) fn email_qr(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.activated {
        return refuse(c, "notActivated");
    }
    if !c.rt.cfg.reset_methods.email {
        return refuse(c, "notSupport");
    }
    let Some(email) = c.rt.cfg.reserved_email.clone() else {
        return refuse(c, "noSetSecurityEmail");
    };
    let qr = support::email_qr(&c.rt.cfg.serial, unix_now(), &crypto::rand_hex(8), &email);
    c.rt.recovery.email_qr = Some((qr.clone(), Instant::now()));
    json(serde_json::json!({ "QRCode": qr }))
}

/// `PUT|POST /ISAPI/Security/emailCertification?format=json`: the mailed code and the new
/// admin password.
pub(super) fn certify_email(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.activated {
        return refuse(c, "notActivated");
    }
    if !c.rt.cfg.reset_methods.email {
        return refuse(c, "notSupport");
    }
    if let Some(r) = recovery_locked(c) {
        return r;
    }
    if c.rt.cfg.reserved_email.is_none() {
        return refuse(c, "noSetSecurityEmail");
    }
    let v = match body_json(c) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let o = v.get("EmailCertification").unwrap_or(&v);
    let code = o
        .get("verificationCode")
        .or_else(|| o.get("code"))
        .and_then(|x| x.as_str())
        .map(str::trim)
        .map(str::to_ascii_uppercase);
    let new_pw = o
        .get("password")
        .and_then(|x| x.as_str())
        .map(str::to_owned);
    let (Some(code), Some(new_pw)) = (code, new_pw) else {
        return refuse(c, "MessageParametersLack");
    };
    let valid = c.rt.recovery.email_qr.as_ref().is_some_and(|(qr, at)| {
        at.elapsed() < Duration::from_secs(support::EMAIL_CODE_VALIDITY_SECS)
            && crypto::ct_eq(&support::email_code(qr), &code)
    });
    if !valid {
        return recovery_failure(c, false, "checkCodeError");
    }
    reset_admin(c, &new_pw)
}
