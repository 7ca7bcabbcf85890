//! Activation of a factory-state device: `/SDK/activateStatus`, the legacy RSA challenge with
//! AES-128-ECB (`/ISAPI/Security/challenge` + `/ISAPI/System/activate`) and the V3 flow
//! (RSA-3072, AES-CBC, JSON). isapi.md §4.

use std::time::{Duration, Instant};

use hikproto::Secret;
use hikproto::xml::Element;

use super::users::check_policy;
use super::{Call, b, body_json, body_xml, json, ok, refuse, refuse_with, xml};
use crate::config::{RiskyPasswords, UserConfig};
use crate::crypto::{self, ActivationError};
use crate::http::Reply;

/// How long an activation challenge stays usable.
const CHALLENGE_LIFETIME: Duration = Duration::from_secs(300);

/// `GET /SDK/activateStatus` (no authentication; JSON with `format=json`).
/// `supportVersion` is present when the firmware supports V3 activation.
pub(super) fn status(c: &mut Call<'_>) -> Reply {
    let activated = c.rt.cfg.activated;
    let v = c.rt.cfg.personality.activation_version;
    if c.req.json() {
        let mut o = serde_json::json!({ "Activated": activated });
        if v >= 3 {
            o["supportVersion"] = v.into();
        }
        return json(serde_json::json!({ "ActivateStatus": o }));
    }
    let mut e = Element::new("ActivateStatus").push_text("Activated", b(activated));
    if v >= 3 {
        e = e.push_text("supportVersion", v.to_string());
    }
    xml(c.rt, e)
}

/// `POST /ISAPI/Security/challenge`: `<PublicKey><key>base64(hex(n))</key></PublicKey>` →
/// `<Challenge><key>base64(hex(RSA-PKCS#1v1.5(R)))</key></Challenge>`; RSA 1024–4096 bits.
pub(super) fn challenge(c: &mut Call<'_>) -> Reply {
    if c.rt.cfg.activated {
        return refuse(c, "hasActivated");
    }
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(key) = doc.text_at("key") else {
        return refuse(c, "MessageParametersLack");
    };
    match crypto::activation_challenge(key, 32, 1024, 4096) {
        Ok((r, enc)) => {
            c.rt.activation_r = Some((Secret::new(r), Instant::now()));
            xml(c.rt, Element::new("Challenge").push_text("key", enc))
        }
        Err(_) => refuse(c, "badXmlContent"),
    }
}

fn current_r(c: &Call<'_>) -> Option<Secret> {
    c.rt.activation_r
        .as_ref()
        .filter(|(_, at)| at.elapsed() < CHALLENGE_LIFETIME)
        .map(|(r, _)| r.clone())
}

/// `PUT /ISAPI/System/activate`: `<ActivateInfo><password>…</password></ActivateInfo>`
/// (optionally wrapped in `<Activate>`, which some terminals require).
pub(super) fn activate(c: &mut Call<'_>) -> Reply {
    if c.rt.cfg.activated {
        return refuse(c, "hasActivated");
    }
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if c.rt.cfg.personality.activate_wrapper_required && doc.name != "Activate" {
        return refuse(c, "MessageParametersLack");
    }
    let Some(sent) = doc
        .text_at("password")
        .or_else(|| doc.text_at("ActivateInfo/password"))
    else {
        return refuse(c, "MessageParametersLack");
    };
    let Some(r) = current_r(c) else {
        return refuse(c, "invalidOperation");
    };
    match crypto::activation_decrypt_ecb(r.expose(), sent) {
        Ok(pw) => finish_activation(c, pw),
        Err(e) => decrypt_failure(c, e),
    }
}

fn decrypt_failure(c: &mut Call<'_>, _e: ActivationError) -> Reply {
    let mut reply = refuse(c, "passwordDecodeError");
    reply.status = 400;
    reply
}

/// Applies the password policy and activates.
fn finish_activation(c: &mut Call<'_>, pw: String) -> Reply {
    let pw = Secret::new(pw);
    let risky = match check_policy("admin", pw.expose()) {
        Ok(r) => r,
        Err((code, sub)) => return refuse_with(c, code, sub),
    };
    if risky && c.rt.cfg.personality.risky_passwords == RiskyPasswords::Reject {
        return refuse_with(c, 6, "riskPassword");
    }
    c.rt.cfg.activated = true;
    c.rt.cfg.users = vec![UserConfig::admin(pw.expose())];
    c.rt.remember_password(&pw);
    c.rt.activation_r = None;
    c.rt.risky_password = risky;
    c.rt.clients.clear();
    if risky {
        refuse_with(c, 1, "riskPassword")
    } else {
        ok(c)
    }
}

/// `POST /ISAPI/System/activate/GetChallengeV3?format=json`: `{"publicKey": base64(hex(n))}`
/// with a 3072-bit (or larger) key → `{"challenge": base64(hex(RSA(R)))}`.
pub(super) fn challenge_v3(c: &mut Call<'_>) -> Reply {
    if c.rt.cfg.personality.activation_version < 3 {
        return refuse(c, "notSupport");
    }
    if c.rt.cfg.activated {
        return refuse(c, "hasActivated");
    }
    let v = match body_json(c) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(key) = v
        .get("publicKey")
        .or_else(|| v.pointer("/GetChallengeV3/publicKey"))
        .and_then(|k| k.as_str())
    else {
        return refuse(c, "MessageParametersLack");
    };
    match crypto::activation_challenge(key, 32, 3072, 4096) {
        Ok((r, enc)) => {
            c.rt.activation_r = Some((Secret::new(r), Instant::now()));
            json(serde_json::json!({ "challenge": enc }))
        }
        Err(_) => refuse(c, "badJsonContent"),
    }
}

/// `POST /ISAPI/System/activate/StartActivateV3?format=json`:
/// `{"password": base64(hex(AES-CBC(PKCS7(R[0..16] + pw)))), "iv": hex(iv)}`.
pub(super) fn activate_v3(c: &mut Call<'_>) -> Reply {
    if c.rt.cfg.personality.activation_version < 3 {
        return refuse(c, "notSupport");
    }
    if c.rt.cfg.activated {
        return refuse(c, "hasActivated");
    }
    let v = match body_json(c) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let obj = v.get("StartActivateV3").unwrap_or(&v);
    let (Some(pw), Some(iv)) = (
        obj.get("password").and_then(|x| x.as_str()),
        obj.get("iv").and_then(|x| x.as_str()),
    ) else {
        return refuse(c, "MessageParametersLack");
    };
    let Some(r) = current_r(c) else {
        return refuse(c, "invalidOperation");
    };
    match crypto::activation_decrypt_v3(r.expose(), pw, iv) {
        Ok(pw) => finish_activation(c, pw),
        Err(e) => decrypt_failure(c, e),
    }
}
