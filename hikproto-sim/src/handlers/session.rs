//! ISAPI session login (isapi.md §2.3): capabilities with a challenge, the hashed login, the
//! `WebSession_<suffix>` cookie, heartbeat and logout.

use std::time::Instant;

use hikproto::xml::Element;

use super::{Call, b, body_xml, finish, ok, refuse, status, unauthorized, xml};
use crate::auth::{self, AuthResult};
use crate::crypto::{self, SessionParams};
use crate::http::Reply;
use crate::state::{PendingSession, Session};

/// `GET /ISAPI/Security/sessionLogin/capabilities?username=<user>`.
pub(super) fn capabilities(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.personality.session_login {
        return refuse(c, "notSupport");
    }
    let Some(user) = c
        .req
        .q("username")
        .filter(|u| !u.is_empty() && u.len() <= 64)
    else {
        return refuse(c, "badParameters");
    };
    let user = user.to_owned();
    let session_id = crypto::rand_hex(32);
    let challenge = crypto::rand_hex(16);
    let salt = c.rt.salt_of(&user);
    let p = c.rt.cfg.personality.clone();
    let salt2 = p.session_salt2.then(|| {
        crypto::sha256_hex(format!("{}{user}salt2", c.rt.cfg.serial)).to_ascii_uppercase()
    });
    let mut e = Element::new("SessionLoginCap")
        .push_text("sessionID", session_id.clone())
        .push_text("challenge", challenge.clone())
        .push_text("iterations", p.session_iterations.to_string())
        .push_text("isIrreversible", b(p.irreversible))
        .push_text("salt", salt.clone());
    if let Some(s2) = &salt2 {
        e = e.push_text("salt2", s2.clone());
    }
    e = e
        .push_text("sessionIDVersion", "2")
        .push_text("isSupportSessionTag", "false");
    c.rt.add_pending_session(
        session_id,
        PendingSession {
            user,
            challenge,
            salt,
            salt2,
            created: Instant::now(),
        },
    );
    xml(c.rt, e)
}

/// `POST /ISAPI/Security/sessionLogin[?timeStamp=…]` with a `SessionLogin` document.
/// Wrong passwords count toward the lock-out exactly like Digest failures.
pub(super) fn login(c: &mut Call<'_>) -> Reply {
    if !c.rt.cfg.personality.session_login {
        return refuse(c, "notSupport");
    }
    if !c.rt.cfg.activated {
        return refuse(c, "notActivated");
    }
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let (Some(user), Some(sent), Some(sid)) = (
        doc.text_at("userName"),
        doc.text_at("password"),
        doc.text_at("sessionID"),
    ) else {
        return refuse(c, "MessageParametersLack");
    };
    let Some(pending) = c.rt.pending_sessions.remove(sid) else {
        return status(c.rt, c.req, "theSessionIdDoesNotExist", 401);
    };
    if pending.user != user || pending.created.elapsed().as_secs() > 300 {
        return status(c.rt, c.req, "theSessionIdDoesNotExist", 401);
    }
    let p = &c.rt.cfg.personality;
    let params = SessionParams {
        user,
        salt: &pending.salt,
        salt2: pending.salt2.as_deref(),
        challenge: &pending.challenge,
        iterations: p.session_iterations,
        irreversible: p.irreversible,
    };
    let verify = |pw: &str| crypto::ct_eq(&crypto::session_hash(&params, pw), sent);
    let correct = c.rt.password_of(user).is_some_and(|pw| verify(pw.expose()));
    let verdict = auth::conclude(
        c.rt,
        &c.shared.stats,
        c.req.peer,
        user,
        correct,
        None,
        verify,
    );
    match verdict {
        AuthResult::Ok { user } => {
            let value = crypto::rand_hex(32);
            let long_term = doc.bool_at("isSessionIDValidLongTerm").unwrap_or(false);
            c.rt.add_session(
                value.clone(),
                Session {
                    user,
                    last_seen: Instant::now(),
                    long_term,
                },
            );
            let e = Element::new("SessionLogin")
                .push_text("statusValue", "200")
                .push_text("statusString", "OK")
                .push_text("isDefaultPassword", "false")
                .push_text("isRiskPassword", b(c.rt.risky_password))
                .push_text("isActivated", "true")
                .push_text("sessionIDVersion", "2");
            let mut reply = Reply::xml(200, finish(e, c.rt.ns()).to_xml());
            reply.headers.push((
                "set-cookie",
                format!("{}={value}; path=/; HttpOnly", c.rt.cookie_name),
            ));
            reply
        }
        other => unauthorized(c.rt, c.req, other),
    }
}

/// `PUT /ISAPI/Security/sessionHeartbeat` (authentication already refreshed the session).
pub(super) fn heartbeat(c: &mut Call<'_>) -> Reply {
    ok(c)
}

/// `PUT /ISAPI/Security/sessionLogout`: ends the session named by the cookie.
pub(super) fn logout(c: &mut Call<'_>) -> Reply {
    if let Some(cookie) = c.req.cookie.clone() {
        for kv in cookie.split(';') {
            if let Some((k, v)) = kv.split_once('=') {
                if k.trim().starts_with("WebSession") {
                    c.rt.sessions.remove(v.trim());
                }
            }
        }
    }
    ok(c)
}
