//! `/ISAPI/Security/…`: userCheck, SecurityCap, the lock-out settings, admin accesses, the
//! login-password check, and the `security=1` field cipher used by several resources.

use hikproto::isapi::user_check::UserCheck;
use hikproto::xml::Element;

use super::system::el;
use super::{Call, b, body_xml, finish, ok, refuse, xml};
use crate::config::AuthMode;
use crate::crypto;
use crate::http::Reply;
use crate::state::DeviceRuntime;

/// The `security=1` key and IV of one request.
pub(crate) struct FieldCipher {
    key: [u8; 16],
    iv: [u8; 16],
}

impl FieldCipher {
    /// Decrypts one field.
    pub(crate) fn dec(&self, v: &str) -> Option<String> {
        crypto::decrypt_field(&self.key, &self.iv, v)
    }

    /// Encrypts one field.
    pub(crate) fn enc(&self, v: &str) -> String {
        crypto::encrypt_field(&self.key, &self.iv, v)
    }
}

/// The field cipher for `user` with an explicit IV (from the user's password and salt).
pub(crate) fn cipher_for(rt: &DeviceRuntime, user: &str, iv: [u8; 16]) -> Option<FieldCipher> {
    let u = rt.cfg.users.iter().find(|u| u.name == user)?;
    let p = &rt.cfg.personality;
    Some(FieldCipher {
        key: crypto::field_key(
            &u.name,
            u.password.expose(),
            &u.salt,
            p.irreversible,
            p.key_iterate_num,
        ),
        iv,
    })
}

/// The field cipher of this request: `None` without `security=1`; a refusal when the firmware
/// has no `securityVersion` or the `iv` is missing.
pub(crate) fn field_cipher(c: &Call<'_>) -> Result<Option<FieldCipher>, Reply> {
    if c.req.q("security") != Some("1") {
        return Ok(None);
    }
    if c.rt.cfg.personality.security_version == 0 {
        return Err(refuse(c, "notSupport"));
    }
    let iv = c
        .req
        .q("iv")
        .and_then(crypto::parse_iv)
        .ok_or_else(|| refuse(c, "badParameters"))?;
    let user = c.user.clone().unwrap_or_else(|| "admin".into());
    cipher_for(c.rt, &user, iv)
        .map(Some)
        .ok_or_else(|| refuse(c, "badParameters"))
}

/// Reads a possibly encrypted field: decrypted with `cipher`, else taken as sent.
/// `Err(())` when a `security=1` value does not decrypt.
pub(crate) fn read_field(cipher: Option<&FieldCipher>, v: &str) -> Result<String, ()> {
    match cipher {
        Some(ci) => ci.dec(v).ok_or(()),
        None => Ok(v.to_owned()),
    }
}

/// `GET /ISAPI/Security/userCheck`: the credentials are good (a bad login never gets here).
pub(super) fn user_check(c: &mut Call<'_>) -> Reply {
    let uc = UserCheck {
        status_value: Some(200),
        status_string: Some("OK".into()),
        is_default_password: Some(false),
        is_risk_password: Some(c.rt.risky_password),
        is_activated: Some(true),
        ..UserCheck::default()
    };
    if c.req.json() {
        return super::json(serde_json::json!({
            "UserCheck": {
                "statusValue": 200, "statusString": "OK",
                "isDefaultPassword": false, "isRiskPassword": c.rt.risky_password,
                "isActivated": true
            }
        }));
    }
    Reply::xml(200, finish(uc.to_element(None), c.rt.ns()).to_xml())
}

/// The `SecurityCap` document (also inside `DeviceCap`).
pub(crate) fn security_cap(rt: &DeviceRuntime, user: &str) -> Element {
    let p = &rt.cfg.personality;
    let m = &rt.cfg.reset_methods;
    let cert_type = if p.auth.allows_basic() {
        "digest/basic"
    } else {
        "digest"
    };
    let alg = match p.auth {
        AuthMode::DigestSha256 => "SHA256",
        AuthMode::DigestMulti => "MD5/SHA256",
        _ => "MD5",
    };
    let mut e = Element::new("SecurityCap")
        .push_text("supportUserNums", "32")
        .push_text("issupIllegalLoginLock", "true")
        .push_text("isSupportOnlineUser", "true");
    if p.security_version > 0 {
        e = e
            .push(el(
                "securityVersion",
                "",
                &[("opt", &p.security_version.to_string())],
            ))
            .push_text("keyIterateNum", p.key_iterate_num.to_string());
    }
    e = e
        .push_text("isSupportUserCheck", b(p.require_login_password))
        .push_text("isSupportSecurityQuestionConfig", b(m.security_questions))
        .push_text("isSupportGUIDFileDataExport", b(m.guid_file))
        .push_text("isSupportSecurityEmail", b(m.email))
        .push_text("isSupportResetPasswordFile", b(m.export_file))
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
        )
        .push(el(
            "RSAKeyLength",
            "",
            &[("opt", "1024,2048"), ("def", "2048")],
        ))
        .push(
            Element::new("WebCertificateCap")
                .push(el(
                    "CertificateType",
                    cert_type,
                    &[("opt", "digest,digest/basic")],
                ))
                .push(Element::new("SecurityAlgorithm").push(el(
                    "algorithmType",
                    alg,
                    &[("opt", "MD5,SHA256,MD5/SHA256")],
                ))),
        )
        .push_text("isIrreversible", b(p.irreversible))
        .push_text("salt", rt.salt_of(user))
        .push(el(
            "maxIllegalLoginTimes",
            &rt.cfg.lockout.max_attempts.to_string(),
            &[("min", "3"), ("max", "20"), ("def", "7")],
        ))
        .push(el(
            "maxIllegalLoginLockTime",
            &lock_minutes(rt.cfg.lockout.lock_seconds).to_string(),
            &[("min", "1"), ("max", "120"), ("def", "30")],
        ))
        .push(
            Element::new("SecurityAdvanced")
                .push_text("noOperationEnabled", "true")
                .push(el(
                    "noOperationTime",
                    "15",
                    &[("min", "1"), ("max", "60"), ("def", "15")],
                )),
        );
    e
}

/// `GET /ISAPI/Security/capabilities`.
pub(super) fn capabilities(c: &mut Call<'_>) -> Reply {
    let user = c
        .req
        .q("username")
        .map(str::to_owned)
        .or_else(|| c.user.clone())
        .unwrap_or_default();
    let e = security_cap(c.rt, &user);
    xml(c.rt, e)
}

fn lock_minutes(secs: u64) -> u64 {
    secs.div_ceil(60).max(1)
}

/// `GET /ISAPI/Security/illegalLoginLock` (`maxIllegalLoginLockTime` in minutes \[inf\]).
pub(super) fn get_illegal_login_lock(c: &mut Call<'_>) -> Reply {
    let l = &c.rt.cfg.lockout;
    let e = Element::new("IllegalLoginLock")
        .push_text("enabled", b(l.enabled))
        .push_text("maxIllegalLoginTimes", l.max_attempts.to_string())
        .push_text(
            "maxIllegalLoginLockTime",
            lock_minutes(l.lock_seconds).to_string(),
        );
    xml(c.rt, e)
}

/// `PUT /ISAPI/Security/illegalLoginLock`: attempts 3–20; lock time up to 120 is read as
/// minutes, larger values as seconds (the unit differs between families \[inf\]).
pub(super) fn put_illegal_login_lock(c: &mut Call<'_>) -> Reply {
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if let Some(en) = doc.bool_at("enabled") {
        c.rt.cfg.lockout.enabled = en;
    }
    if let Some(t) = doc.text_at("maxIllegalLoginTimes") {
        match t.parse::<u32>() {
            Ok(n) if (3..=20).contains(&n) => c.rt.cfg.lockout.max_attempts = n,
            _ => return refuse(c, "badParameters"),
        }
    }
    if let Some(t) = doc.text_at("maxIllegalLoginLockTime") {
        match t.parse::<u64>() {
            Ok(n) if (1..=120).contains(&n) => c.rt.cfg.lockout.lock_seconds = n * 60,
            Ok(n) if n > 120 && n <= 7200 => c.rt.cfg.lockout.lock_seconds = n,
            _ => return refuse(c, "badParameters"),
        }
    }
    ok(c)
}

/// `GET /ISAPI/Security/adminAccesses`: the protocol/port list (HTTP/HTTPS are the simulator's
/// real ports).
pub(super) fn admin_accesses(c: &mut Call<'_>) -> Reply {
    let https_port = if c.rt.cfg.https_port == 0 {
        443
    } else {
        c.rt.cfg.https_port
    };
    let proto = |id: u32, name: &str, port: u16| {
        Element::new("AdminAccessProtocol")
            .push_text("id", id.to_string())
            .push_text("enabled", "true")
            .push_text("protocol", name)
            .push_text("portNo", port.to_string())
    };
    let e = Element::new("AdminAccessProtocolList")
        .push(proto(1, "HTTP", c.rt.cfg.http_port))
        .push(proto(2, "HTTPS", https_port))
        .push(proto(3, "DEV_MANAGE", 8000))
        .push(proto(4, "RTSP", 554));
    xml(c.rt, e)
}

/// `PUT|POST /ISAPI/Security/loginPassword`: checks the caller's password
/// (`<LoginPassword><password>…</password></LoginPassword>`, `security=1` accepted).
pub(super) fn check_login_password(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(sent) = doc.text_at("password") else {
        return refuse(c, "MessageParametersLack");
    };
    let Ok(pw) = read_field(cipher.as_ref(), sent) else {
        return refuse(c, "passwordDecodeError");
    };
    let user = c.user.clone().unwrap_or_default();
    if c.rt
        .password_of(&user)
        .is_some_and(|p| crypto::ct_eq(p.expose(), &pw))
    {
        ok(c)
    } else {
        refuse(c, "loginPasswordError")
    }
}
