//! `/ISAPI/Security/users[/<id>]` and the device's password policy (isapi.md §4.5, §7).

use hikproto::Secret;
use hikproto::isapi::status::ResponseStatus;
use hikproto::xml::Element;

use super::security::{FieldCipher, field_cipher, read_field};
use super::{Call, body_xml, ok, refuse, refuse_with, send_status, xml};
use crate::config::{RiskyPasswords, UserConfig};
use crate::crypto;
use crate::http::Reply;

/// Checks a new password: `Ok(risky)` or the refusal (statusCode, subStatusCode).
///
/// Rules: 8–16 printable ASCII characters without spaces; at least two of digits, lower case,
/// upper case, specials; not the user name, its reverse, or containing it (names of 3+
/// characters). Risky (strength 0): contains `admin` or `password`, a run of 4 ascending
/// digits/letters, or 4 identical characters in a row.
pub(crate) fn check_policy(user: &str, pw: &str) -> Result<bool, (u32, &'static str)> {
    if pw.len() < 8 {
        return Err((6, "passwordMustContainMorethan8Characters"));
    }
    if pw.len() > 16 {
        return Err((6, "passwordLenNoMoreThan16"));
    }
    if !pw.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err((6, "badParameters"));
    }
    let classes = [
        pw.bytes().any(|b| b.is_ascii_digit()),
        pw.bytes().any(|b| b.is_ascii_lowercase()),
        pw.bytes().any(|b| b.is_ascii_uppercase()),
        pw.bytes().any(|b| b.is_ascii_punctuation()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if classes < 2 {
        return Err((6, "passwordMustContainMorethan2Types"));
    }
    let lp = pw.to_ascii_lowercase();
    let lu = user.to_ascii_lowercase();
    if !lu.is_empty() {
        if lp == lu {
            return Err((6, "userPwdNameSame"));
        }
        if lp == lu.chars().rev().collect::<String>() {
            return Err((6, "userPwdNameMirror"));
        }
        if lu.len() >= 3 && lp.contains(&lu) {
            return Err((6, "illegalPassword"));
        }
    }
    let b = lp.as_bytes();
    let run4 = b.windows(4).any(|w| {
        let asc = w.windows(2).all(|p| p[1] == p[0].wrapping_add(1));
        let same = w.iter().all(|&x| x == w[0]);
        same || (asc && w.iter().all(|x| x.is_ascii_alphanumeric()))
    });
    Ok(lp.contains("admin") || lp.contains("password") || run4)
}

fn user_el(u: &UserConfig, cipher: Option<&FieldCipher>) -> Element {
    let name = match cipher {
        Some(ci) => ci.enc(&u.name),
        None => u.name.clone(),
    };
    Element::new("User")
        .push_text("id", u.id.to_string())
        .push_text("userName", name)
        .push_text("userLevel", u.level.clone())
        .push_text("enabled", super::b(u.enabled))
        .push(Element::new("attribute").push_text("inherent", super::b(u.id == 1)))
}

/// `GET /ISAPI/Security/users` (`userName` encrypted with `security=1`).
pub(super) fn list(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let mut e = Element::new("UserList");
    for u in &c.rt.cfg.users {
        e = e.push(user_el(u, cipher.as_ref()));
    }
    xml(c.rt, e)
}

fn user_id(c: &Call<'_>) -> Option<u32> {
    c.req.path.rsplit('/').next()?.parse().ok()
}

/// `GET /ISAPI/Security/users/<id>`.
pub(super) fn get_one(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let id = user_id(c);
    match c.rt.cfg.users.iter().find(|u| Some(u.id) == id) {
        Some(u) => {
            let e = user_el(u, cipher.as_ref());
            xml(c.rt, e)
        }
        None => refuse(c, "userInexistence"),
    }
}

/// Verifies the operator's `loginPassword` when the firmware requires it.
fn check_login_password(
    c: &Call<'_>,
    cipher: Option<&FieldCipher>,
    sent: Option<&str>,
) -> Result<(), Reply> {
    if !c.rt.cfg.personality.require_login_password {
        return Ok(());
    }
    let Some(sent) = sent else {
        return Err(refuse(c, "MessageParametersLack"));
    };
    let pw = read_field(cipher, sent).map_err(|()| refuse(c, "passwordDecodeError"))?;
    let caller = c.user.clone().unwrap_or_default();
    if c.rt
        .password_of(&caller)
        .is_some_and(|p| crypto::ct_eq(p.expose(), &pw))
    {
        Ok(())
    } else {
        Err(refuse_with(c, 4, "loginPasswordError"))
    }
}

/// Checks a new password against the policy and the risky-password setting.
/// `Ok(risky)` when it may be set.
fn policy_gate(c: &Call<'_>, user: &str, pw: &str) -> Result<bool, Reply> {
    let risky = check_policy(user, pw).map_err(|(code, sub)| refuse_with(c, code, sub))?;
    if risky && c.rt.cfg.personality.risky_passwords == RiskyPasswords::Reject {
        return Err(refuse_with(c, 6, "riskPassword"));
    }
    Ok(risky)
}

fn done(c: &Call<'_>, risky: bool) -> Reply {
    if risky {
        refuse_with(c, 1, "riskPassword")
    } else {
        ok(c)
    }
}

/// `PUT /ISAPI/Security/users/<id>`: change a user (an operator may change only their own).
/// With `isSupportUserCheck` the body must carry the caller's `loginPassword`; with
/// `security=1` the `userName`, `password` and `loginPassword` fields are encrypted.
pub(super) fn put_one(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(id) = user_id(c) else {
        return refuse(c, "invalidID");
    };
    let Some(idx) = c.rt.cfg.users.iter().position(|u| u.id == id) else {
        return refuse(c, "userInexistence");
    };
    let caller = c.user.clone().unwrap_or_default();
    let caller_admin =
        c.rt.cfg
            .users
            .iter()
            .any(|u| u.name == caller && u.level.eq_ignore_ascii_case("Administrator"));
    if !caller_admin && c.rt.cfg.users[idx].name != caller {
        return refuse(c, "invalidOperation");
    }
    if let Err(r) = check_login_password(c, cipher.as_ref(), doc.text_at("loginPassword")) {
        return r;
    }
    let target_name = c.rt.cfg.users[idx].name.clone();
    if let Some(n) = doc.text_at("userName") {
        match read_field(cipher.as_ref(), n) {
            Ok(n) if n == target_name => {}
            Ok(_) => return refuse(c, "badParameters"),
            Err(()) => return refuse(c, "passwordDecodeError"),
        }
    }
    let mut risky = false;
    if let Some(p) = doc.text_at("password") {
        let Ok(new) = read_field(cipher.as_ref(), p) else {
            return refuse(c, "passwordDecodeError");
        };
        if crypto::ct_eq(c.rt.cfg.users[idx].password.expose(), &new) {
            return refuse(c, "cannotSameAsOldPassword");
        }
        risky = match policy_gate(c, &target_name, &new) {
            Ok(r) => r,
            Err(r) => return r,
        };
        let secret = Secret::new(new);
        c.rt.remember_password(&secret);
        c.rt.cfg.users[idx].password = secret;
        if id == 1 {
            c.rt.risky_password = risky;
        }
        c.rt.drop_logins();
    }
    if let Some(level) = doc.text_at("userLevel") {
        if id != 1 && caller_admin {
            match normal_level(level) {
                Some(l) => c.rt.cfg.users[idx].level = l.into(),
                None => return refuse(c, "badParameters"),
            }
        }
    }
    if let Some(en) = doc.bool_at("enabled") {
        if id != 1 {
            c.rt.cfg.users[idx].enabled = en;
        }
    }
    done(c, risky)
}

fn normal_level(l: &str) -> Option<&'static str> {
    match l.to_ascii_lowercase().as_str() {
        "administrator" | "admin" => Some("Administrator"),
        "operator" => Some("Operator"),
        "viewer" => Some("Viewer"),
        _ => None,
    }
}

/// `POST /ISAPI/Security/users`: add a user (answers a `ResponseStatus` with the new `id`).
pub(super) fn add(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if let Err(r) = check_login_password(c, cipher.as_ref(), doc.text_at("loginPassword")) {
        return r;
    }
    let (Some(name), Some(pw)) = (doc.text_at("userName"), doc.text_at("password")) else {
        return refuse(c, "MessageParametersLack");
    };
    let (Ok(name), Ok(pw)) = (
        read_field(cipher.as_ref(), name),
        read_field(cipher.as_ref(), pw),
    ) else {
        return refuse(c, "passwordDecodeError");
    };
    if name.is_empty() || name.len() > 32 || name.contains(char::is_whitespace) {
        return refuse(c, "badParameters");
    }
    if c.rt.cfg.users.iter().any(|u| u.name == name) {
        return refuse(c, "userExist");
    }
    if c.rt.cfg.users.len() >= 32 {
        return refuse(c, "userMaxNum");
    }
    let level = match doc.text_at("userLevel").map(normal_level) {
        Some(Some(l)) => l,
        Some(None) => return refuse(c, "badParameters"),
        None => "Viewer",
    };
    let risky = match policy_gate(c, &name, &pw) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let id = c.rt.cfg.users.iter().map(|u| u.id).max().unwrap_or(0) + 1;
    let secret = Secret::new(pw);
    c.rt.remember_password(&secret);
    c.rt.cfg.users.push(UserConfig {
        id,
        name,
        password: secret,
        level: level.into(),
        enabled: true,
        salt: crypto::random_salt(),
    });
    let mut s = if risky {
        ResponseStatus::from_dictionary("riskPassword")
    } else {
        ResponseStatus::ok()
    };
    s.request_url = Some(c.req.target.clone());
    s.id = Some(id.to_string());
    send_status(c.rt, c.req, &s, 200)
}

/// `DELETE /ISAPI/Security/users/<id>[?loginPassword=…&security=1&iv=…]`.
pub(super) fn delete_one(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let Some(id) = user_id(c) else {
        return refuse(c, "invalidID");
    };
    if id == 1 {
        return refuse(c, "userCannotDelAdmin");
    }
    let Some(idx) = c.rt.cfg.users.iter().position(|u| u.id == id) else {
        return refuse(c, "userInexistence");
    };
    let lp = c.req.q("loginPassword").map(str::to_owned);
    if let Err(r) = check_login_password(c, cipher.as_ref(), lp.as_deref()) {
        return r;
    }
    c.rt.cfg.users.remove(idx);
    ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        let cases: &[(&str, &str, Result<bool, &str>)] = &[
            ("admin", "Passw0rd!x", Ok(false)),
            (
                "admin",
                "short1A",
                Err("passwordMustContainMorethan8Characters"),
            ),
            ("admin", "Abcdefgh123456789", Err("passwordLenNoMoreThan16")),
            ("admin", "has space1A", Err("badParameters")),
            (
                "admin",
                "alllowercase",
                Err("passwordMustContainMorethan2Types"),
            ),
            ("operator1", "operator1", Err("userPwdNameSame")),
            ("abc12345", "54321cba", Err("userPwdNameMirror")),
            ("bob", "xBob!1234x", Err("illegalPassword")),
            ("bob", "Myadmin#99", Ok(true)),
            ("admin", "Myadmin#99", Err("illegalPassword")),
            ("admin", "Zq1234!xy", Ok(true)),
            ("admin", "Zq!aaaa9x", Ok(true)),
            ("admin", "Tr0ub4dor&3", Ok(false)),
        ];
        for (user, pw, want) in cases {
            let got = check_policy(user, pw).map_err(|(_, s)| s);
            assert_eq!(got, *want, "{user}/{pw}");
        }
    }
}
