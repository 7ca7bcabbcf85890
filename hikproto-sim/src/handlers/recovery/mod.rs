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
//!   failures in a row the recovery routes lock for 30 minutes (`MaxPassword attempts`);
//! * every reset body may carry `syncIPCPassword=true`: a recorder then gives the cameras on its
//!   channels ([`crate::DeviceConfig::channel_cameras`]) the new admin password too.
//!
//! The code-based routes (reserved e-mail, Hik-Connect app) are in [`code`].

mod code;

pub(super) use code::{
    app_qr, certify_app_code, certify_email, email_caps, email_qr, get_email, put_email,
};

use std::time::{Duration, Instant};

use base64::Engine as _;
use hikproto::Secret;
use hikproto::isapi::status::ResponseStatus;
use hikproto::xml::Element;

use super::security::{confirmed_body, read_field, security_limits};
use super::users::check_policy;
use super::{Call, CameraSync, b, body_xml, finish, ok, refuse, refuse_with, xml};
use crate::config::{QuestionConfig, RiskyPasswords};
use crate::crypto;
use crate::http::Reply;
use crate::state::DeviceShared;

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
        .push(security_limits());
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

/// Refuses unless the device is activated, offers the route (`supported`) and the recovery
/// routes are not locked.
fn route_open(c: &mut Call<'_>, supported: bool) -> Option<Reply> {
    if !c.rt.cfg.activated {
        return Some(refuse(c, "notActivated"));
    }
    if !supported {
        return Some(refuse(c, "notSupport"));
    }
    recovery_locked(c)
}

/// Sets a new admin password after a successful recovery; with `sync`, a recorder's channel
/// cameras get it too (after the device's lock is released, see [`push_to_cameras`]). The
/// password is checked first, so a refused password leaves the route's code usable.
fn reset_admin(c: &mut Call<'_>, new: &str, sync: bool) -> Reply {
    let risky = match check_policy("admin", new) {
        Ok(r) => r,
        Err((code, sub)) => return refuse_with(c, code, sub),
    };
    if risky && c.rt.cfg.personality.risky_passwords == RiskyPasswords::Reject {
        return refuse_with(c, 6, "riskPassword");
    }
    let secret = Secret::new(new);
    c.rt.replace_admin_password(&secret, risky);
    c.rt.recovery.email_qr = None;
    c.rt.recovery.app_qr = None;
    if sync && !c.rt.cfg.channel_cameras.is_empty() {
        c.sync = Some(CameraSync {
            serials: c.rt.cfg.channel_cameras.clone(),
            password: secret,
        });
    }
    c.shared.mark_dirty();
    if risky {
        refuse_with(c, 1, "riskPassword")
    } else {
        ok(c)
    }
}

/// Gives the activated cameras among `sync.serials` (other than `from` itself) the recorder's new
/// admin password, each under its own lock. Runs after the recorder's lock is released, so two
/// devices never wait on each other.
pub(crate) fn push_to_cameras(from: &DeviceShared, sync: &CameraSync) {
    let own = from.lock().cfg.serial.clone();
    for serial in sync.serials.iter().filter(|s| **s != own) {
        let Some(cam) = from.platform.site_device(serial) else {
            tracing::debug!("channel camera {serial} is not on this site");
            continue;
        };
        let mut rt = cam.lock();
        if !rt.cfg.activated {
            continue;
        }
        let risky = check_policy("admin", sync.password.expose()).unwrap_or(true);
        rt.replace_admin_password(&sync.password, risky);
        drop(rt);
        cam.mark_dirty();
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
    let (doc, cipher) = match confirmed_body(c, |c| refuse_with(c, 4, "loginPasswordError")) {
        Ok(x) => x,
        Err(r) => return r,
    };
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
    if let Some(r) = route_open(c, c.rt.cfg.reset_methods.security_questions) {
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
    let sync = doc.bool_at("syncIPCPassword").unwrap_or(false);
    reset_admin(c, &new_pw, sync)
}

/// `PUT|POST /ISAPI/Security/GUIDFileData[?security=1&iv=…]` with
/// `<LoginPassword><password>…</password></LoginPassword>`: exports a new GUID file.
pub(super) fn export_guid(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.reset_methods.guid_file {
        return refuse(c, "notSupport");
    }
    if let Err(r) = confirmed_body(c, |c| refuse_with(c, 4, "loginPasswordError")) {
        return r;
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
    if let Some(r) = route_open(c, c.rt.cfg.reset_methods.guid_file) {
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
    let sync = doc.bool_at("syncIPCPassword").unwrap_or(false);
    reset_admin(c, &new_pw, sync)
}
