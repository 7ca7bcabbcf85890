//! Device-side authentication: Digest (MD5/SHA-256, nonce issue and expiry, `stale`, `nc`
//! tracking, reuse policy), Basic, session cookies, failed-login counting per client address
//! and the lock-out, and the recognition of credentials sent again after a rejection.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::config::AuthMode;
use crate::crypto::{self, DigestAlg, DigestInput};
use crate::state::{DeviceRuntime, Fingerprint};
use crate::stats::{Stats, bump};

/// What the server knows about a request when it authenticates it.
pub(crate) struct AuthRequest<'a> {
    pub(crate) method: &'a str,
    /// The request-target as sent (path and query).
    pub(crate) target: &'a str,
    pub(crate) ip: IpAddr,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) cookie: Option<&'a str>,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthResult {
    /// Authenticated as `user`.
    Ok { user: String },
    /// No credentials: answer with a challenge (not a failed login).
    Challenge,
    /// Basic credentials on a device that does not offer Basic (not a failed login).
    BasicRefused,
    /// Correct password, expired or unknown nonce: `stale=true`.
    Stale,
    /// A nonce used again on a device that refuses reuse (or `nc` replayed), refused before
    /// the password is judged (not a failed login).
    NonceReused,
    /// Wrong credentials; attempts left before the lock.
    Rejected { attempts_left: Option<u32> },
    /// The client address is locked.
    Locked { remaining: Duration },
    /// A session cookie that is unknown or expired.
    SessionGone { sub_status: &'static str },
    /// A malformed `Authorization` (for example a `uri` that is not the request-target).
    BadRequest,
}

/// Parses `k=v, k="v, with comma"` auth parameters (names lower-cased).
pub(crate) fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] == b',' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b',' {
            i += 1;
        }
        let name = s[start..i].trim().to_ascii_lowercase();
        if i >= b.len() || b[i] != b'=' {
            continue;
        }
        i += 1;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let value = if i < b.len() && b[i] == b'"' {
            i += 1;
            let mut v = String::new();
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                let ch_len = utf8_len(b[i]);
                v.push_str(&s[i..(i + ch_len).min(b.len())]);
                i += ch_len;
            }
            i += 1;
            v
        } else {
            let vs = i;
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            s[vs..i].trim().to_owned()
        };
        if !name.is_empty() && out.len() < 32 {
            out.push((name, value));
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The cookie values named `WebSession…` in a `Cookie` header.
fn session_cookies(cookie: &str) -> impl Iterator<Item = &str> {
    cookie.split(';').filter_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        k.trim().starts_with("WebSession").then(|| v.trim())
    })
}

/// The algorithms this personality's Digest challenge offers.
pub(crate) fn offered(mode: AuthMode) -> &'static [DigestAlg] {
    match mode {
        AuthMode::DigestMd5 | AuthMode::DigestBasic => &[DigestAlg::Md5],
        AuthMode::DigestSha256 => &[DigestAlg::Sha256],
        AuthMode::DigestMulti => &[DigestAlg::Sha256, DigestAlg::Md5],
        AuthMode::Basic => &[],
    }
}

/// Authenticates one request, updating counters, nonces and lock-outs.
pub(crate) fn authenticate(
    rt: &mut DeviceRuntime,
    stats: &Stats,
    req: &AuthRequest<'_>,
) -> AuthResult {
    if let Some(cookie) = req.cookie {
        let mut saw_cookie = false;
        let timeout = Duration::from_secs(rt.cfg.personality.session_timeout_secs);
        for value in session_cookies(cookie) {
            saw_cookie = true;
            if let Some(s) = rt.sessions.get_mut(value) {
                if s.long_term || s.last_seen.elapsed() < timeout {
                    s.last_seen = Instant::now();
                    return AuthResult::Ok {
                        user: s.user.clone(),
                    };
                }
                rt.sessions.remove(value);
                if req.authorization.is_none() {
                    return AuthResult::SessionGone {
                        sub_status: "SessionExpired",
                    };
                }
            }
        }
        if saw_cookie && req.authorization.is_none() {
            return AuthResult::SessionGone {
                sub_status: "theSessionIdDoesNotExist",
            };
        }
    }
    let Some(authz) = req.authorization.map(str::trim) else {
        bump(&stats.challenges);
        return AuthResult::Challenge;
    };
    let (scheme, rest) = authz.split_once(' ').unwrap_or((authz, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return basic(rt, stats, req, rest.trim());
    }
    if scheme.eq_ignore_ascii_case("digest") {
        return digest(rt, stats, req, rest);
    }
    bump(&stats.challenges);
    AuthResult::Challenge
}

fn basic(rt: &mut DeviceRuntime, stats: &Stats, req: &AuthRequest<'_>, token: &str) -> AuthResult {
    if !rt.cfg.personality.auth.allows_basic() {
        bump(&stats.basic_refused);
        return AuthResult::BasicRefused;
    }
    let Some(decoded) = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return AuthResult::BadRequest;
    };
    let Some((user, pw)) = decoded.split_once(':') else {
        return AuthResult::BadRequest;
    };
    let fp = Fingerprint::Known(known_hash(user, pw));
    let correct = rt
        .password_of(user)
        .is_some_and(|p| crypto::ct_eq(p.expose(), pw));
    conclude(rt, stats, req.ip, user, correct, Some(fp), |_| true)
}

fn known_hash(user: &str, pw: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(format!("{user}:{pw}").as_bytes()).into()
}

fn digest(rt: &mut DeviceRuntime, stats: &Stats, req: &AuthRequest<'_>, rest: &str) -> AuthResult {
    let p = parse_params(rest);
    let (Some(user), Some(nonce), Some(uri), Some(response)) = (
        param(&p, "username"),
        param(&p, "nonce"),
        param(&p, "uri"),
        param(&p, "response"),
    ) else {
        return AuthResult::BadRequest;
    };
    let offered = offered(rt.cfg.personality.auth);
    if offered.is_empty() {
        bump(&stats.challenges);
        return AuthResult::Challenge;
    }
    let alg_name = param(&p, "algorithm").unwrap_or("MD5").to_ascii_uppercase();
    let (alg, sess) = match alg_name.as_str() {
        "MD5" => (DigestAlg::Md5, false),
        "MD5-SESS" => (DigestAlg::Md5, true),
        "SHA-256" => (DigestAlg::Sha256, false),
        "SHA-256-SESS" => (DigestAlg::Sha256, true),
        _ => return AuthResult::BadRequest,
    };
    if !offered.contains(&alg) || uri != req.target {
        return AuthResult::BadRequest;
    }
    let qop = param(&p, "qop");
    let nc = param(&p, "nc");
    let input = DigestInput {
        alg,
        sess,
        user,
        realm: &rt.realm.clone(),
        method: req.method,
        uri,
        nonce,
        nc,
        cnonce: param(&p, "cnonce"),
        qop,
    };
    let verify = |pw: &str| crypto::ct_eq(&crypto::digest_response(&input, pw), response);
    let correct = rt.password_of(user).is_some_and(|pw| verify(pw.expose()));
    let user = user.to_owned();
    if rt.lock_remaining(req.ip).is_none() {
        match check_nonce(rt, stats, nonce, qop.is_some(), nc, correct) {
            NonceCheck::Usable => {}
            NonceCheck::Stale => return AuthResult::Stale,
            // counted like a wrong password (the answer is the same, too)
            NonceCheck::Reused if rt.cfg.personality.reused_nonce_counted => {
                return conclude(rt, stats, req.ip, &user, false, None, verify);
            }
            NonceCheck::Reused => return AuthResult::NonceReused,
        }
    }
    conclude(rt, stats, req.ip, &user, correct, None, verify)
}

enum NonceCheck {
    Usable,
    Stale,
    Reused,
}

/// The nonce rules. A reused nonce on a device that refuses reuse (or a replayed `nc`) is
/// refused before the password is looked at. An unknown or expired nonce is `stale` only for a
/// correct password; a wrong password under it is judged as wrong.
fn check_nonce(
    rt: &mut DeviceRuntime,
    stats: &Stats,
    nonce: &str,
    has_qop: bool,
    nc: Option<&str>,
    correct: bool,
) -> NonceCheck {
    let lifetime = Duration::from_secs(rt.cfg.personality.nonce_lifetime_secs);
    let reuse_ok = rt.cfg.personality.nonce_reuse;
    let nc_value = nc.and_then(|n| u32::from_str_radix(n, 16).ok());
    let Some(entry) = rt.nonce_mut(nonce) else {
        if correct {
            bump(&stats.stale_nonces);
            return NonceCheck::Stale;
        }
        return NonceCheck::Usable;
    };
    if entry.issued.elapsed() >= lifetime {
        if correct {
            bump(&stats.stale_nonces);
            return NonceCheck::Stale;
        }
        return NonceCheck::Usable;
    }
    let replayed = has_qop && nc_value.is_none_or(|n| n <= entry.last_nc);
    if (!reuse_ok && entry.uses > 0) || replayed {
        bump(&stats.nonce_reuse_rejections);
        return NonceCheck::Reused;
    }
    if correct {
        entry.uses += 1;
        if let Some(n) = nc_value {
            entry.last_nc = n;
        }
    }
    NonceCheck::Usable
}

/// Applies the outcome of a password check: lock-out, counters, rejected-credential memory.
///
/// `fp` is the fingerprint when the password is known (Basic); otherwise `verify` is tried on
/// the device's candidate passwords to recognise it.
pub(crate) fn conclude(
    rt: &mut DeviceRuntime,
    stats: &Stats,
    ip: IpAddr,
    user: &str,
    correct: bool,
    fp: Option<Fingerprint>,
    verify: impl Fn(&str) -> bool,
) -> AuthResult {
    if let Some(remaining) = rt.lock_remaining(ip) {
        bump(&stats.locked_rejections);
        if !correct {
            let fp = fp.unwrap_or_else(|| recognise(rt, user, ip, &verify));
            if rt.remember_rejected(fp) {
                bump(&stats.repeated_rejected_credentials);
            }
        }
        return AuthResult::Locked { remaining };
    }
    if correct {
        rt.client(ip).failures = 0;
        let unknown = Fingerprint::Unknown(user.to_owned(), ip);
        rt.rejected.retain(|f| *f != unknown);
        bump(&stats.logins);
        return AuthResult::Ok {
            user: user.to_owned(),
        };
    }
    let fp = fp.unwrap_or_else(|| recognise(rt, user, ip, &verify));
    if rt.remember_rejected(fp) {
        bump(&stats.repeated_rejected_credentials);
    }
    bump(&stats.auth_failures);
    bump(&stats.failed_logins);
    let lock = rt.cfg.lockout.clone();
    let c = rt.client(ip);
    c.failures = c.failures.saturating_add(1);
    if lock.enabled && c.failures >= lock.max_attempts {
        let d = Duration::from_secs(lock.lock_seconds);
        c.locked_until = Some(Instant::now() + d);
        bump(&stats.locks);
        return AuthResult::Locked { remaining: d };
    }
    AuthResult::Rejected {
        attempts_left: lock
            .enabled
            .then(|| lock.max_attempts.saturating_sub(c.failures)),
    }
}

/// Recognises a wrong credential: exactly when its password is one the device knows.
fn recognise(
    rt: &DeviceRuntime,
    user: &str,
    ip: IpAddr,
    verify: &impl Fn(&str) -> bool,
) -> Fingerprint {
    rt.candidate_passwords()
        .iter()
        .find(|pw| verify(pw.expose()))
        .map(|pw| Fingerprint::Known(known_hash(user, pw.expose())))
        .unwrap_or_else(|| Fingerprint::Unknown(user.to_owned(), ip))
}

/// The `WWW-Authenticate` header values for a fresh challenge.
pub(crate) fn challenge_headers(rt: &mut DeviceRuntime, stale: bool) -> Vec<String> {
    let mode = rt.cfg.personality.auth;
    let stale = if stale { "TRUE" } else { "FALSE" };
    let realm = rt.realm.clone();
    let mut out = Vec::new();
    let algs = offered(mode);
    if !algs.is_empty() {
        for alg in algs {
            let nonce = rt.issue_nonce();
            let h = if rt.cfg.personality.nvr_challenge {
                format!(
                    "Digest realm=\"{realm}\", domain=\"::\", qop=\"auth\", nonce=\"{nonce}\", opaque=\"\", algorithm=\"{}\", stale=\"{stale}\"",
                    alg.name()
                )
            } else if *alg == DigestAlg::Md5 {
                format!(
                    "Digest qop=\"auth\", realm=\"{realm}\", nonce=\"{nonce}\", stale=\"{stale}\""
                )
            } else {
                format!(
                    "Digest qop=\"auth\", realm=\"{realm}\", nonce=\"{nonce}\", algorithm=\"{}\", stale=\"{stale}\"",
                    alg.name()
                )
            };
            out.push(h);
        }
    }
    if mode.allows_basic() {
        out.push(format!("Basic realm=\"{realm}\""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_quoted_and_bare() {
        let p = parse_params(
            r#"username="admin", realm="IP Camera(AB12C)", nonce="a:1", uri="/x?y=1,2", algorithm=MD5, qop=auth, nc=00000001, cnonce="c""#,
        );
        assert_eq!(param(&p, "uri"), Some("/x?y=1,2"));
        assert_eq!(param(&p, "algorithm"), Some("MD5"));
        assert_eq!(param(&p, "nc"), Some("00000001"));
        assert_eq!(param(&p, "realm"), Some("IP Camera(AB12C)"));
        // Hostile input never panics.
        for s in ["", "=", "a=\"", "a=\"\\", ",,,", "é=\"é", "x=\"\u{10348}"] {
            let _ = parse_params(s);
        }
    }
}
