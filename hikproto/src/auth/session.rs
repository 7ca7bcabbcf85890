//! ISAPI session login (the web UI's cookie session), without I/O: the capabilities document,
//! the password hash, the login document, the cookie, and expiry detection (isapi.md §2.3).
//!
//! The exchange, driven by the client ([`AuthMode::Session`](super::AuthMode::Session)):
//!
//! 1. `GET /ISAPI/Security/sessionLogin/capabilities?username=<user>` (no credentials) →
//!    [`SessionLoginCap`]: `sessionID`, `challenge`, `iterations`, `isIrreversible`, `salt`
//!    (and on some firmware `salt2`).
//! 2. `POST /ISAPI/Security/sessionLogin?timeStamp=<ms>` with a `SessionLogin` document whose
//!    `password` is [`session_password_hash`].
//! 3. The device answers with `Set-Cookie: WebSession_<suffix>=…` (sessionIDVersion 2) or, on
//!    version-1 firmware, a `sessionID` in the body from which the client builds
//!    `WebSession=<sessionID>` ([`session_cookie`]). Later requests carry only that cookie.
//! 4. `PUT /ISAPI/Security/sessionHeartbeat` keeps it alive; `PUT /ISAPI/Security/sessionLogout`
//!    ends it; `SessionExpired` / `theSessionIdDoesNotExist` mean log in again
//!    ([`is_session_expired`]).

use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::isapi::status::ResponseStatus;
use crate::keys::Secret;
use crate::xml::{Element, FromXml, escape};

/// `GET` path of the login challenge (add `?username=`; see [`capabilities_path`]).
pub const CAPABILITIES_PATH: &str = "/ISAPI/Security/sessionLogin/capabilities";
/// `POST` path of the login (add `?timeStamp=`; see [`login_path`]).
pub const LOGIN_PATH: &str = "/ISAPI/Security/sessionLogin";
/// `PUT` path of the keep-alive.
pub const HEARTBEAT_PATH: &str = "/ISAPI/Security/sessionHeartbeat";
/// `PUT` path of the logout.
pub const LOGOUT_PATH: &str = "/ISAPI/Security/sessionLogout";

/// `SessionExpired` (0x400010A7).
pub const ERR_SESSION_EXPIRED: u32 = 0x4000_10A7;
/// `theSessionIdDoesNotExist` (0x40001135).
pub const ERR_SESSION_ID_DOES_NOT_EXIST: u32 = 0x4000_1135;

/// A device-sent `iterations` above this is refused (a hostile device could otherwise make the
/// client hash for minutes). Real devices send 100.
pub const MAX_ITERATIONS: u32 = 100_000;

/// `iterations` assumed when the device omits it \[inf: every documented example sends 100\].
pub const DEFAULT_ITERATIONS: u32 = 100;

/// The `SessionLoginCap` document: the login challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionLoginCap {
    /// `sessionID` (64 hex characters on current firmware).
    pub session_id: String,
    /// `challenge` (32 hex characters).
    pub challenge: String,
    /// `iterations`: how many SHA-256 rounds (default [`DEFAULT_ITERATIONS`] when absent).
    pub iterations: u32,
    /// `isIrreversible` (absent is read as `true`, the common case \[inf\]).
    pub is_irreversible: bool,
    /// `salt`.
    pub salt: String,
    /// `salt2`, sent by some firmware (AX PRO).
    pub salt2: Option<String>,
    /// `sessionIDVersion` (`2` on current firmware).
    pub session_id_version: Option<String>,
    /// `isSupportSessionTag`.
    pub is_support_session_tag: Option<bool>,
}

impl FromXml for SessionLoginCap {
    const ROOT: &'static str = "SessionLoginCap";

    fn from_element(el: &Element) -> Result<Self> {
        let iterations = match el.text_at("iterations") {
            None => DEFAULT_ITERATIONS,
            Some(t) => t
                .trim()
                .parse::<u32>()
                .map_err(|_| Error::decode(Self::ROOT, "invalid <iterations>"))?,
        };
        if iterations > MAX_ITERATIONS {
            return Err(Error::decode(
                Self::ROOT,
                format!("<iterations> {iterations} exceeds {MAX_ITERATIONS}"),
            ));
        }
        let challenge = el
            .string_at("challenge")
            .ok_or_else(|| Error::decode(Self::ROOT, "missing <challenge>"))?;
        Ok(Self {
            session_id: el.string_at("sessionID").unwrap_or_default(),
            challenge,
            iterations,
            is_irreversible: el.bool_at("isIrreversible").unwrap_or(true),
            salt: el.string_at("salt").unwrap_or_default(),
            salt2: el.string_at("salt2").filter(|s| !s.trim().is_empty()),
            session_id_version: el.string_at("sessionIDVersion").filter(|s| !s.is_empty()),
            is_support_session_tag: el.bool_at("isSupportSessionTag"),
        })
    }
}

/// Which of the three documented hash formulas applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashVariant {
    /// `isIrreversible=true`, no `salt2`: `SHA256(SHA256(user+salt+password)+challenge)`, then
    /// more rounds up to `iterations` in total.
    Irreversible,
    /// `isIrreversible=true` with `salt2`: `h1=SHA256(user+salt+password)`,
    /// `h2=SHA256(user+salt2+h1)`, `SHA256(h2+challenge)`, then `iterations−2` more rounds.
    IrreversibleSalt2,
    /// `isIrreversible=false`: `SHA256(password)+challenge`, then `iterations−1` rounds.
    Reversible,
}

impl SessionLoginCap {
    /// The formula this document selects. `salt2` is used whenever the device sends a
    /// non-empty one with `isIrreversible=true` \[inf: only AX PRO is known to send it\].
    pub fn hash_variant(&self) -> HashVariant {
        match (self.is_irreversible, &self.salt2) {
            (false, _) => HashVariant::Reversible,
            (true, Some(_)) => HashVariant::IrreversibleSalt2,
            (true, None) => HashVariant::Irreversible,
        }
    }
}

fn sha_hex(parts: &[&str]) -> Zeroizing<String> {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    Zeroizing::new(hex::encode(h.finalize()))
}

/// The value of `SessionLogin/password`: lower-case hex SHA-256 as [`HashVariant`] describes.
///
/// With `iterations` below 2 the two (or, for [`HashVariant::Reversible`], one) mandatory
/// rounds are still applied.
pub fn session_password_hash(user: &str, password: &Secret, cap: &SessionLoginCap) -> Secret {
    let pw = password.expose();
    let n = cap.iterations;
    let mut h = match cap.hash_variant() {
        HashVariant::Irreversible => {
            let h1 = sha_hex(&[user, &cap.salt, pw]);
            sha_hex(&[&h1, &cap.challenge])
        }
        HashVariant::IrreversibleSalt2 => {
            let h1 = sha_hex(&[user, &cap.salt, pw]);
            let h2 = sha_hex(&[user, cap.salt2.as_deref().unwrap_or_default(), &h1]);
            sha_hex(&[&h2, &cap.challenge])
        }
        HashVariant::Reversible => {
            let h1 = sha_hex(&[pw]);
            sha_hex(&[&h1, &cap.challenge])
        }
    };
    // every variant has made the equivalent of two of its `iterations` rounds by now
    for _ in 2..n.max(2) {
        h = sha_hex(&[&h]);
    }
    Secret::new(h.as_str())
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn encode_query_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/ISAPI/Security/sessionLogin/capabilities?username=<user>`.
pub fn capabilities_path(user: &str) -> String {
    format!("{CAPABILITIES_PATH}?username={}", encode_query_value(user))
}

/// `/ISAPI/Security/sessionLogin?timeStamp=<ms>`.
pub fn login_path(timestamp_ms: u128) -> String {
    format!("{LOGIN_PATH}?timeStamp={timestamp_ms}")
}

/// The `SessionLogin` request body (it carries the password hash, hence a [`Secret`]).
///
/// `sessionIDVersion` echoes the capabilities document and is omitted when the device sent
/// none; `isSessionIDValidLongTerm` is `false`.
pub fn login_document(user: &str, hash: &Secret, cap: &SessionLoginCap) -> Secret {
    let mut s = String::with_capacity(384);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><SessionLogin>");
    s.push_str(&format!("<userName>{}</userName>", escape(user)));
    s.push_str(&format!("<password>{}</password>", hash.expose()));
    s.push_str(&format!(
        "<sessionID>{}</sessionID>",
        escape(&cap.session_id)
    ));
    s.push_str("<isSessionIDValidLongTerm>false</isSessionIDValidLongTerm>");
    if let Some(v) = &cap.session_id_version {
        s.push_str(&format!(
            "<sessionIDVersion>{}</sessionIDVersion>",
            escape(v)
        ));
    }
    s.push_str("</SessionLogin>");
    Secret::new(s)
}

/// The parts of a login answer hikproto reads (`SessionLogin` or `SessionUserCheck` root).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionLoginAnswer {
    /// `statusValue` (200 on success, 401 on failure).
    pub status_value: Option<u32>,
    /// `sessionID` (version-1 firmware sends it here instead of a cookie).
    pub session_id: Option<String>,
    /// `isDefaultPassword`.
    pub is_default_password: Option<bool>,
    /// `isRiskPassword`.
    pub is_risk_password: Option<bool>,
    /// `isActivated`.
    pub is_activated: Option<bool>,
}

impl SessionLoginAnswer {
    /// Reads a login answer; anything unparseable reads as empty (the HTTP status decides).
    pub fn from_body(body: &[u8]) -> Self {
        let Ok(el) = Element::parse(body) else {
            return Self::default();
        };
        Self {
            status_value: el.num_at("statusValue"),
            session_id: el.string_at("sessionID").filter(|s| !s.is_empty()),
            is_default_password: el.bool_at("isDefaultPassword"),
            is_risk_password: el.bool_at("isRiskPassword"),
            is_activated: el.bool_at("isActivated"),
        }
    }
}

/// The `Cookie` value to send after a login: the first `WebSession…` cookie set by the device
/// (its `name=value` pair, unchanged), else `WebSession=<sessionID>` built from the body, else
/// the first cookie set at all.
pub fn session_cookie<'a, I>(set_cookies: I, body_session_id: Option<&str>) -> Option<Secret>
where
    I: IntoIterator<Item = &'a str>,
{
    let pairs: Vec<&str> = set_cookies
        .into_iter()
        .filter_map(|c| c.split(';').next())
        .map(str::trim)
        .filter(|p| p.contains('=') && !p.starts_with('='))
        .collect();
    let web = pairs.iter().find(|p| {
        p.get(..10)
            .is_some_and(|n| n.eq_ignore_ascii_case("WebSession"))
    });
    if let Some(p) = web {
        return Some(Secret::new(*p));
    }
    if let Some(id) = body_session_id.filter(|s| !s.is_empty()) {
        return Some(Secret::new(format!("WebSession={id}")));
    }
    pairs.first().map(|p| Secret::new(*p))
}

/// True when a response body says the session is gone (`SessionExpired`,
/// `theSessionIdDoesNotExist`, by name or by error code; XML or JSON `ResponseStatus`).
pub fn is_session_expired(body: &[u8]) -> bool {
    let first = body.iter().position(|b| !b.is_ascii_whitespace());
    let st = match first {
        None => return false,
        Some(i) if body[i] == b'{' => ResponseStatus::from_json(body).ok(),
        Some(_) => ResponseStatus::from_xml(body).ok(),
    };
    st.is_some_and(|s| {
        matches!(
            s.sub_status_code.as_str(),
            "SessionExpired" | "sessionExpired" | "theSessionIdDoesNotExist"
        ) || matches!(
            s.error_code,
            ERR_SESSION_EXPIRED | ERR_SESSION_ID_DOES_NOT_EXIST
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computes SHA-256 hex with `sha2` directly, independently of the module's helper.
    fn h(s: &str) -> String {
        let mut d = Sha256::new();
        d.update(s.as_bytes());
        format!("{:x}", d.finalize())
    }

    fn cap(irreversible: bool, salt2: Option<&str>, iterations: u32) -> SessionLoginCap {
        SessionLoginCap {
            session_id: "5ab522a7".repeat(8),
            challenge: "3f559d75aa0c053e631092d75aa59355".into(),
            iterations,
            is_irreversible: irreversible,
            salt: "ADX8O3PD524FMXQ1X9ULFLE1JQ5HMFNE3NT2T6AWO1EX46VKVNJU9ZPPFKFV".into(),
            salt2: salt2.map(str::to_owned),
            session_id_version: Some("2".into()),
            is_support_session_tag: None,
        }
    }

    #[test]
    fn irreversible_hash_follows_the_formula() {
        let c = cap(true, None, 100);
        let pw = Secret::new("Passw0rd!x");
        let mut expected = h(&format!("admin{}Passw0rd!x", c.salt));
        expected = h(&format!("{expected}{}", c.challenge));
        for _ in 0..98 {
            expected = h(&expected);
        }
        assert_eq!(c.hash_variant(), HashVariant::Irreversible);
        assert_eq!(session_password_hash("admin", &pw, &c).expose(), expected);
    }

    #[test]
    fn salt2_hash_follows_the_formula() {
        let c = cap(true, Some("SALT2XYZ"), 5);
        let pw = Secret::new("Passw0rd!x");
        let h1 = h(&format!("admin{}Passw0rd!x", c.salt));
        let h2 = h(&format!("adminSALT2XYZ{h1}"));
        let mut expected = h(&format!("{h2}{}", c.challenge));
        for _ in 0..3 {
            expected = h(&expected);
        }
        assert_eq!(c.hash_variant(), HashVariant::IrreversibleSalt2);
        assert_eq!(session_password_hash("admin", &pw, &c).expose(), expected);
    }

    #[test]
    fn reversible_hash_follows_the_formula() {
        let c = cap(false, Some("ignored"), 100);
        let pw = Secret::new("Passw0rd!x");
        let mut expected = format!("{}{}", h("Passw0rd!x"), c.challenge);
        for _ in 0..99 {
            expected = h(&expected);
        }
        assert_eq!(c.hash_variant(), HashVariant::Reversible);
        assert_eq!(session_password_hash("admin", &pw, &c).expose(), expected);
    }

    #[test]
    fn low_iteration_counts_still_hash() {
        let pw = Secret::new("x");
        let c = cap(true, None, 0);
        let two = h(&format!("{}{}", h(&format!("u{}x", c.salt)), c.challenge));
        assert_eq!(session_password_hash("u", &pw, &c).expose(), two);
        let c = cap(false, None, 1);
        let one = h(&format!("{}{}", h("x"), c.challenge));
        assert_eq!(session_password_hash("u", &pw, &c).expose(), one);
    }

    #[test]
    fn capabilities_document_parses_leniently() {
        let xml = br#"<SessionLoginCap version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
            <sessionID>abc</sessionID><challenge>3f55</challenge><iterations>100</iterations>
            <isIrreversible>TRUE</isIrreversible><salt>S</salt><salt2></salt2>
            <sessionIDVersion>2</sessionIDVersion></SessionLoginCap>"#;
        let c = SessionLoginCap::from_xml(xml).unwrap();
        assert_eq!(c.iterations, 100);
        assert!(c.is_irreversible);
        assert_eq!(c.salt2, None, "an empty salt2 is no salt2");
        assert_eq!(c.session_id_version.as_deref(), Some("2"));
        let no_iter = br#"<SessionLoginCap><challenge>c</challenge></SessionLoginCap>"#;
        assert_eq!(SessionLoginCap::from_xml(no_iter).unwrap().iterations, 100);
        let hostile = br#"<SessionLoginCap><challenge>c</challenge><iterations>4000000000</iterations></SessionLoginCap>"#;
        assert!(SessionLoginCap::from_xml(hostile).is_err());
        let no_challenge = br#"<SessionLoginCap><salt>s</salt></SessionLoginCap>"#;
        assert!(SessionLoginCap::from_xml(no_challenge).is_err());
    }

    #[test]
    fn login_document_and_paths() {
        let c = cap(true, None, 100);
        let doc = login_document("ad<min", &Secret::new("abc123"), &c);
        let el = Element::parse(doc.expose().as_bytes()).unwrap();
        assert_eq!(el.name, "SessionLogin");
        assert_eq!(el.text_at("userName"), Some("ad<min"));
        assert_eq!(el.text_at("password"), Some("abc123"));
        assert_eq!(el.text_at("sessionIDVersion"), Some("2"));
        assert_eq!(format!("{doc:?}"), "[redacted]");
        assert_eq!(
            capabilities_path("a b&c"),
            "/ISAPI/Security/sessionLogin/capabilities?username=a%20b%26c"
        );
        assert_eq!(login_path(17), "/ISAPI/Security/sessionLogin?timeStamp=17");
    }

    #[test]
    fn cookies() {
        let c = session_cookie(
            [
                "language=en; Path=/",
                "WebSession_535DE5558C=9f8e7d; path=/; HttpOnly",
            ],
            Some("ignored"),
        )
        .unwrap();
        assert_eq!(c.expose(), "WebSession_535DE5558C=9f8e7d");
        let v1 = session_cookie(std::iter::empty(), Some("ABCDEF")).unwrap();
        assert_eq!(v1.expose(), "WebSession=ABCDEF");
        let other = session_cookie(["sid=1; HttpOnly"], None).unwrap();
        assert_eq!(other.expose(), "sid=1");
        assert!(session_cookie(["garbage", "=x"], None).is_none());
    }

    #[test]
    fn expiry_detection() {
        let xml = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>SessionExpired</subStatusCode></ResponseStatus>"#;
        assert!(is_session_expired(xml));
        let code = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>x</subStatusCode><errorCode>1073746229</errorCode></ResponseStatus>"#;
        assert!(is_session_expired(code));
        let json = br#"{"statusCode":4,"subStatusCode":"theSessionIdDoesNotExist"}"#;
        assert!(is_session_expired(json));
        let other = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>notSupport</subStatusCode></ResponseStatus>"#;
        assert!(!is_session_expired(other));
        assert!(!is_session_expired(b""));
        assert!(!is_session_expired(b"<html/>"));
    }

    #[test]
    fn login_answer() {
        let a = SessionLoginAnswer::from_body(
            br#"<SessionUserCheck><statusValue>200</statusValue><sessionID>ID1</sessionID><isActivated>true</isActivated></SessionUserCheck>"#,
        );
        assert_eq!(a.status_value, Some(200));
        assert_eq!(a.session_id.as_deref(), Some("ID1"));
        assert_eq!(
            SessionLoginAnswer::from_body(b"nope"),
            SessionLoginAnswer::default()
        );
    }
}
