//! A real device captured by `hikproto capture`: the documents it served, and the personality
//! they show.
//!
//! A device whose site entry carries [`Captured::documents`] answers a `GET` of each captured
//! target with the captured body, verbatim, after the usual authentication. Writes still go
//! through the state machine; once a write to a path succeeds, the captured documents at, above
//! or below that path are dropped and the state machine answers their `GET`s, so what a client
//! reads back is what it wrote.
//!
//! A device whose capture has a [`CapturedChallenge`] answers requests without usable
//! credentials with it, verbatim but for fresh nonces; one whose capture has a
//! `sadp_probe_match` answers SADP inquiries with it (see
//! [`crate::sadp::SadpDevice::probe_match_template`]).
//!
//! [`personality_from`] reads the personality a capture shows (namespace, authentication
//! scheme, realm and challenge style, 401 body form, nonce reuse, session-login and
//! `security=1` parameters, activation flow) with the generic XML tree only: the simulator
//! stays independent of the client's models.

use std::collections::BTreeMap;

use hikproto::xml::{Element, ns, parse_bool};
use serde::{Deserialize, Serialize};

use crate::config::{
    AuthMode, DeviceConfig, NamespaceStyle, Personality, UnauthorizedBody, UserConfig,
};
use crate::http::{Reply, Req};
use crate::state::DeviceRuntime;

mod challenge;

use challenge::param;
pub use challenge::{BLANK, blank_single_use, set_element_text};
pub(crate) use challenge::{challenge_headers, challenge_reply};

/// What a capture recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Captured {
    /// Documents by request target (path, and query when the capture sent one).
    pub documents: BTreeMap<String, CapturedDocument>,
    /// The answer to a request without credentials.
    pub challenge: Option<CapturedChallenge>,
    /// The SADP `ProbeMatch` the device sent to an inquiry (with `--sadp`); the simulator's
    /// SADP responder answers inquiries with it (see [`crate::sadp`]).
    pub sadp_probe_match: Option<String>,
    /// How the device treated a Digest nonce used a second time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<CapturedNonce>,
}

impl Captured {
    /// True when nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
            && self.challenge.is_none()
            && self.sadp_probe_match.is_none()
            && self.nonce.is_none()
    }
}

/// One captured document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapturedDocument {
    /// `xml` or `json`.
    pub format: String,
    /// The body as served.
    pub body: String,
}

/// The 401 answer to a request without credentials. A simulator playing the capture answers
/// every request without usable credentials with exactly this: the status, the
/// `WWW-Authenticate` headers in their order (each `…` nonce or opaque replaced by a fresh
/// value), the `Content-Type` and the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapturedChallenge {
    /// HTTP status (401).
    pub status: u16,
    /// Every `WWW-Authenticate` header, nonce and opaque values replaced by `…`.
    pub www_authenticate: Vec<String>,
    /// The `Content-Type` header, if the answer had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body (text; a capture keeps at most [`MAX_CHALLENGE_BODY`] bytes of it).
    pub body: String,
}

/// The most of a 401 body a capture keeps.
pub const MAX_CHALLENGE_BODY: usize = 16 * 1024;

/// How a device treated a Digest nonce answered a second time (the next `nc`, a correct
/// response, the credentials already proven by the capture's reads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapturedNonce {
    /// The second request was accepted (else the device demanded a fresh challenge).
    pub reuse_accepted: bool,
    /// With reuse refused: whether the refusal read as a failed login (a body with the lock
    /// counters) rather than a plain refusal (`invalidOperation`); absent when the answer did
    /// not tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal_counted: Option<bool>,
}

/// The captured document for a `GET` of `req`, if any (target first, then path).
pub(crate) fn serve(rt: &DeviceRuntime, req: &Req) -> Option<Reply> {
    if req.method != "GET" {
        return None;
    }
    let docs = &rt.cfg.captured.documents;
    let doc = docs.get(&req.target).or_else(|| docs.get(&req.path))?;
    Some(if doc.format == "json" {
        Reply::json(200, doc.body.clone())
    } else if req.path == TIME_PATH {
        Reply::xml(200, with_clock(&doc.body, rt))
    } else {
        Reply::xml(200, doc.body.clone())
    })
}

/// The time document: a capture blanks its `localTime` (the clock moves on); the device's
/// clock fills it in.
const TIME_PATH: &str = "/ISAPI/System/time";

fn with_clock(body: &str, rt: &DeviceRuntime) -> String {
    let now = crate::handlers::system::iso_time(crate::handlers::time::device_now(&rt.cfg.time));
    match (body.find("<localTime>"), body.find("</localTime>")) {
        (Some(a), Some(b)) if a < b => {
            format!("{}<localTime>{now}{}", &body[..a], &body[b..])
        }
        _ => body.to_owned(),
    }
}

/// Drops the captured documents a successful write to `path` makes stale.
pub(crate) fn invalidate(rt: &mut DeviceRuntime, path: &str) {
    let related = |target: &str| {
        let p = target.split('?').next().unwrap_or(target);
        p == path || path.starts_with(&format!("{p}/")) || p.starts_with(&format!("{path}/"))
    };
    rt.cfg.captured.documents.retain(|t, _| !related(t));
}

/// The namespace style of a document's root.
fn namespace_style(el: &Element) -> Option<NamespaceStyle> {
    Some(match el.namespace() {
        None => NamespaceStyle::None,
        Some(ns::HIKVISION_V20) => NamespaceStyle::HikvisionV20,
        Some(ns::HIKVISION_V10) => NamespaceStyle::HikvisionV10,
        Some(ns::ISAPI_V20) => NamespaceStyle::IsapiV20,
        Some(ns::STD_CGI_V20) => NamespaceStyle::StdCgi,
        Some(_) => return None,
    })
}

/// The authentication mode, realm and NVR-style flag the challenge headers show.
fn auth_from(headers: &[String]) -> Option<(AuthMode, String, bool)> {
    let scheme = |h: &String| {
        h.split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let digests: Vec<&String> = headers.iter().filter(|h| scheme(h) == "digest").collect();
    let basic = headers.iter().any(|h| scheme(h) == "basic");
    let first = digests.first().copied().or_else(|| headers.first())?;
    let realm = param(first, "realm").unwrap_or("").to_owned();
    let sha = |h: &&String| {
        param(h, "algorithm").is_some_and(|a| a.to_ascii_uppercase().starts_with("SHA-256"))
    };
    let mode = match (digests.len(), basic) {
        (0, true) => AuthMode::Basic,
        (0, false) => return None,
        (_, true) => AuthMode::DigestBasic,
        (n, false) if n > 1 => AuthMode::DigestMulti,
        _ if digests.iter().any(sha) => AuthMode::DigestSha256,
        _ => AuthMode::DigestMd5,
    };
    let nvr = digests.iter().any(|h| param(h, "domain") == Some("::"));
    Some((mode, realm, nvr))
}

fn unauthorized_from(body: &str) -> UnauthorizedBody {
    let t = body.trim_start();
    if t.is_empty() {
        return UnauthorizedBody::Empty;
    }
    match Element::parse(t.as_bytes()) {
        Ok(el) if el.name == "ResponseStatus" => UnauthorizedBody::ResponseStatus,
        Ok(el) if el.name.eq_ignore_ascii_case("userCheck") => UnauthorizedBody::UserCheck,
        _ => UnauthorizedBody::Html,
    }
}

/// The personality a capture shows, over `base` for what it does not show. `session_cap` is the
/// `SessionLoginCap` document the device answered (not kept: its challenge is single-use),
/// `Some("")` when it had none (no session login), `None` when it was not asked.
pub fn personality_from(
    cap: &Captured,
    session_cap: Option<&str>,
    base: Personality,
) -> Personality {
    let mut p = base;
    let doc = |target: &str| {
        cap.documents
            .get(target)
            .and_then(|d| Element::parse(d.body.as_bytes()).ok())
    };
    if let Some(style) = doc("/ISAPI/System/deviceInfo")
        .as_ref()
        .and_then(namespace_style)
    {
        p.namespace = style;
    }
    if let Some(ch) = &cap.challenge {
        if let Some((mode, realm, nvr)) = auth_from(&ch.www_authenticate) {
            p.auth = mode;
            p.realm = realm;
            p.nvr_challenge = nvr;
        }
        p.unauthorized_body = unauthorized_from(&ch.body);
    }
    if let Some(n) = &cap.nonce {
        p.nonce_reuse = n.reuse_accepted;
        if let Some(counted) = n.refusal_counted {
            p.reused_nonce_counted = counted;
        }
    }
    match session_cap.and_then(|s| Element::parse(s.as_bytes()).ok()) {
        Some(el) if el.name == "SessionLoginCap" => {
            p.session_login = true;
            if let Some(n) = el.text_at("iterations").and_then(|t| t.trim().parse().ok()) {
                p.session_iterations = n;
            }
            if let Some(b) = el.text_at("isIrreversible").and_then(parse_bool) {
                p.irreversible = b;
            }
            p.session_salt2 = el.child("salt2").is_some();
        }
        Some(_) => p.session_login = false,
        None if session_cap.is_some() => p.session_login = false,
        None => {}
    }
    let sec = doc("/ISAPI/Security/capabilities").or_else(|| {
        doc("/ISAPI/System/capabilities").and_then(|d| d.child("SecurityCap").cloned())
    });
    if let Some(sec) = sec {
        p.security_version = sec
            .child("securityVersion")
            .map(|v| v.attr("opt").unwrap_or(&v.text).to_owned())
            .and_then(|o| o.split(',').filter_map(|x| x.trim().parse().ok()).max())
            .unwrap_or(0);
        if let Some(n) = sec
            .text_at("keyIterateNum")
            .and_then(|t| t.trim().parse().ok())
        {
            p.key_iterate_num = n;
        }
        if let Some(b) = sec.text_at("isSupportUserCheck").and_then(parse_bool) {
            p.require_login_password = b;
        }
    }
    if let Some(v) = doc("/SDK/activateStatus").and_then(|d| {
        d.text_at("supportVersion")
            .and_then(|t| t.trim().parse().ok())
    }) {
        p.activation_version = v;
    }
    p
}

/// A device playing a capture: the captured identity, users (without passwords: set the
/// administrator's before starting), personality and documents. `session_cap` as for
/// [`personality_from`].
pub fn device_from_capture(cap: &Captured, session_cap: Option<&str>) -> DeviceConfig {
    let doc = |p: &str| {
        cap.documents
            .get(p)
            .and_then(|d| Element::parse(d.body.as_bytes()).ok())
    };
    let info = doc("/ISAPI/System/deviceInfo");
    let text = |name: &str| {
        info.as_ref()
            .and_then(|i| i.text_at(name))
            .map(|t| t.trim().to_owned())
            .unwrap_or_default()
    };
    let base = if text("deviceType").contains("VR") {
        Personality::nvr()
    } else {
        Personality::camera()
    };
    let users = doc("/ISAPI/Security/users")
        .map(|l| {
            l.children_named("User")
                .filter_map(|u| {
                    Some(UserConfig {
                        id: u.text_at("id")?.trim().parse().ok()?,
                        name: u.text_at("userName")?.trim().to_owned(),
                        level: u
                            .text_at("userLevel")
                            .unwrap_or("Operator")
                            .trim()
                            .to_owned(),
                        ..UserConfig::default()
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let activated = doc("/SDK/activateStatus")
        .and_then(|d| d.text_at("Activated").and_then(parse_bool))
        .unwrap_or(true);
    DeviceConfig {
        name: text("deviceName"),
        model: text("model"),
        firmware: text("firmwareVersion"),
        firmware_build: text("firmwareReleasedDate"),
        serial: text("serialNumber"),
        mac: text("macAddress"),
        device_type: text("deviceType"),
        activated,
        users,
        personality: personality_from(cap, session_cap, base),
        captured: cap.clone(),
        ..DeviceConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_headers_give_the_auth_mode() {
        let h = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let nvr = h(&[
            r#"Digest realm="4a2b", domain="::", qop="auth", nonce="…", opaque="", algorithm="MD5", stale="FALSE""#,
        ]);
        assert_eq!(
            auth_from(&nvr),
            Some((AuthMode::DigestMd5, "4a2b".into(), true))
        );
        let multi = h(&[
            r#"Digest realm="IP Camera(C2183)", nonce="…", algorithm="SHA-256""#,
            r#"Digest realm="IP Camera(C2183)", nonce="…""#,
        ]);
        assert_eq!(auth_from(&multi).unwrap().0, AuthMode::DigestMulti);
        let sha =
            h(&[r#"Digest qop="auth", realm="IP Camera(GH455)", nonce="…", algorithm="SHA-256""#]);
        assert_eq!(auth_from(&sha).unwrap().0, AuthMode::DigestSha256);
        assert_eq!(
            auth_from(&h(&[r#"Basic realm="IP Camera(L4906)""#]))
                .unwrap()
                .0,
            AuthMode::Basic
        );
        let both = h(&[r#"Digest realm="x", nonce="…""#, r#"Basic realm="x""#]);
        assert_eq!(auth_from(&both).unwrap().0, AuthMode::DigestBasic);
        assert_eq!(auth_from(&[]), None);
        assert_eq!(unauthorized_from(""), UnauthorizedBody::Empty);
        assert_eq!(unauthorized_from("<html/>"), UnauthorizedBody::Html);
        assert_eq!(
            unauthorized_from("<userCheck/>"),
            UnauthorizedBody::UserCheck
        );
    }
}
