//! Reading a device's answer to an authenticated attempt: accepted, rejected (the device may
//! have counted a failed login), locked, or a refused nonce (the password was not judged).
//!
//! What is known and what is inferred about real firmware (see the project's ISAPI reference):
//!
//! * A wrong password gets 401 with a `userCheck` body carrying `lockStatus`/`retryLoginTime`
//!   (observed), or the `ResponseStatus` "AuthenticationFailed" form with `retryTimes`/
//!   `lockStatus`/`resLockTime` (documented).
//! * A reused or stale nonce gets 401 with a `ResponseStatus` whose `subStatusCode` is
//!   `invalidOperation` (reported, not confirmed by a capture). hikproto reads such a body, when
//!   it carries no lock or retry fields, as "the nonce was refused; the password was not judged".
//! * `stale=true` in the new challenge says the same (RFC 7616), unless the body shows a
//!   rejection: the body wins.
//! * Anything else (an empty body, HTML, a bare `userCheck` without lock fields) cannot be told
//!   apart from a rejection: it is taken as one (the safe side).
//! * `ResponseStatus` tokens `userNameLocked`, `ipcIsLocking` and `MaxPassword attempts` (any
//!   HTTP status, 403 included) are locks, and a 2xx whose `userCheck` body says `statusValue`
//!   401 is a rejection. `loginPasswordError`/`passError` reject the credential only where the
//!   credential is what the body carries (the session login, [`login_refusal`]); after a Digest
//!   or Basic request the device has authenticated, they speak of a password given in the
//!   body (for example a `loginPassword`), not of the credential.

use std::time::Duration;

use crate::isapi::status::ResponseStatus;
use crate::isapi::user_check::{LoginOutcome, UserCheck};
use crate::xml::Element;

/// Bodies longer than this are never status documents worth reading here.
const MAX_STATUS_BODY: usize = 16 * 1024;

/// What a 401 to a pre-emptive (reused-nonce) answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReuseRefusal {
    /// The device said the nonce was refused (stale, or a refused-nonce body): the password was
    /// not judged, so one answer to a fresh challenge is allowed.
    NonceOnly,
    /// The device judged the credential (or cannot be shown not to have): final.
    Login(LoginOutcome),
}

/// The login outcome a body shows, when it shows one (lock or retry fields, or a password
/// token). `None` for bodies that carry no such evidence.
pub fn login_evidence(body: &[u8]) -> Option<LoginOutcome> {
    if body.len() > MAX_STATUS_BODY {
        return None;
    }
    let el = parse_status_body(body)?;
    match el {
        Parsed::Check(c) => {
            if c.locked.is_some() || c.retry_login_time.is_some() || c.unlock_time.is_some() {
                return Some(outcome_of(c.locked, c.retry_login_time, c.unlock_time));
            }
            None
        }
        Parsed::Status(st) => status_outcome(&st),
    }
}

/// Classifies a 401 to a reused nonce. `stale` is the `stale=true` flag of its challenge.
pub fn classify_reuse_refusal(stale: bool, body: &[u8]) -> ReuseRefusal {
    if let Some(outcome) = login_evidence(body) {
        return ReuseRefusal::Login(outcome);
    }
    if stale || is_nonce_refusal_body(body) {
        return ReuseRefusal::NonceOnly;
    }
    ReuseRefusal::Login(LoginOutcome::Rejected {
        attempts_left: None,
    })
}

/// A credential refusal carried by a non-401 answer to a Digest or Basic attempt (a 403 while
/// locked, a 2xx `userCheck` saying 401).
pub fn non_401_refusal(status: u16, body: &[u8]) -> Option<LoginOutcome> {
    refusal(status, body, false)
}

/// A refusal of a login whose body carried the credential (the session login): as
/// [`non_401_refusal`], and `loginPasswordError`/`passError` too.
pub fn login_refusal(status: u16, body: &[u8]) -> Option<LoginOutcome> {
    refusal(status, body, true)
}

fn refusal(status: u16, body: &[u8], password_tokens: bool) -> Option<LoginOutcome> {
    if body.len() > MAX_STATUS_BODY || !looks_like_status(body) {
        return None;
    }
    match parse_status_body(body)? {
        Parsed::Check(c) => {
            let says_401 = c.status_value == Some(401);
            let locked = c.locked == Some(true);
            (says_401 || locked || status == 403 && c.retry_login_time.is_some())
                .then(|| outcome_of(c.locked, c.retry_login_time, c.unlock_time))
        }
        Parsed::Status(st) if password_tokens => status_outcome(&st),
        Parsed::Status(st) => match status_outcome(&st)? {
            locked @ LoginOutcome::Locked { .. } => Some(locked),
            LoginOutcome::Rejected { .. } => None,
        },
    }
}

enum Parsed {
    Check(UserCheck),
    Status(ResponseStatus),
}

fn looks_like_status(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"serCheck") || has(b"ResponseStatus") || has(b"statusCode") || has(b"statusValue")
}

fn parse_status_body(body: &[u8]) -> Option<Parsed> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first == b'{' {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        if v.get("UserCheck").is_some() || v.get("userCheck").is_some() {
            let uc = crate::isapi::user_check::json_user_check(body)?;
            return Some(Parsed::Check(uc));
        }
        return ResponseStatus::from_json(body).ok().map(Parsed::Status);
    }
    let el = Element::parse(body).ok()?;
    match el.name.as_str() {
        "ResponseStatus" => {
            let st = <ResponseStatus as crate::xml::FromXml>::from_element(&el).ok()?;
            Some(Parsed::Status(st))
        }
        "userCheck" | "UserCheck" | "SessionUserCheck" | "SessionLogin" => {
            Some(Parsed::Check(UserCheck::from_any(&el)))
        }
        _ => None,
    }
}

/// Password and lock tokens of the `ResponseStatus` dictionary that mean "this login failed".
const REJECTION_TOKENS: &[&str] = &["loginPasswordError", "passError", "badAuthorization"];
const LOCK_TOKENS: &[&str] = &["userNameLocked", "ipcIsLocking", "MaxPassword attempts"];

fn status_outcome(st: &ResponseStatus) -> Option<LoginOutcome> {
    let token = st.sub_status_code.trim();
    if st.locked == Some(true) || LOCK_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(token)) {
        return Some(LoginOutcome::Locked {
            retry_after: st.lock_remaining_secs.map(Duration::from_secs),
        });
    }
    if REJECTION_TOKENS
        .iter()
        .any(|t| t.eq_ignore_ascii_case(token))
        || st.retry_times.is_some()
        || st.locked.is_some()
    {
        return Some(outcome_of(
            st.locked,
            st.retry_times,
            st.lock_remaining_secs,
        ));
    }
    None
}

fn outcome_of(locked: Option<bool>, retry: Option<u32>, unlock: Option<u64>) -> LoginOutcome {
    if locked == Some(true) || (retry == Some(0) && locked.is_some()) {
        LoginOutcome::Locked {
            retry_after: unlock.map(Duration::from_secs),
        }
    } else {
        LoginOutcome::Rejected {
            attempts_left: retry,
        }
    }
}

/// A `ResponseStatus` without lock or retry fields and without a password token: the reported
/// answer of firmware refusing a reused or stale nonce (`invalidOperation`, or any other
/// sub-status that does not speak of the password).
fn is_nonce_refusal_body(body: &[u8]) -> bool {
    matches!(parse_status_body(body), Some(Parsed::Status(st)) if status_outcome(&st).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRONG: &[u8] = br#"<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString><lockStatus>unlock</lockStatus><unlockTime>0</unlockTime><retryLoginTime>4</retryLoginTime></userCheck>"#;
    const BARE: &[u8] = br#"<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString></userCheck>"#;
    const NONCE: &[u8] = br#"<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Operation</statusString><subStatusCode>invalidOperation</subStatusCode></ResponseStatus>"#;

    #[test]
    fn reuse_refusals() {
        assert_eq!(
            classify_reuse_refusal(false, NONCE),
            ReuseRefusal::NonceOnly
        );
        assert_eq!(classify_reuse_refusal(true, BARE), ReuseRefusal::NonceOnly);
        assert_eq!(
            classify_reuse_refusal(true, WRONG),
            ReuseRefusal::Login(LoginOutcome::Rejected {
                attempts_left: Some(4)
            }),
            "the body wins over stale"
        );
        for undetermined in [BARE, b"".as_slice(), b"<html>401</html>".as_slice()] {
            assert_eq!(
                classify_reuse_refusal(false, undetermined),
                ReuseRefusal::Login(LoginOutcome::Rejected {
                    attempts_left: None
                })
            );
        }
    }

    #[test]
    fn non_401_answers() {
        let locked403 = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>userNameLocked</subStatusCode></ResponseStatus>"#;
        assert!(matches!(
            non_401_refusal(403, locked403),
            Some(LoginOutcome::Locked { .. })
        ));
        let pw = br#"{"statusCode":4,"subStatusCode":"loginPasswordError","errorCode":1073741836}"#;
        assert!(matches!(
            login_refusal(403, pw),
            Some(LoginOutcome::Rejected { .. })
        ));
        assert_eq!(
            non_401_refusal(403, pw),
            None,
            "after Digest, it speaks of a password in the body"
        );
        assert!(matches!(
            non_401_refusal(200, BARE),
            Some(LoginOutcome::Rejected { .. })
        ));
        let not_supported = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>notSupport</subStatusCode></ResponseStatus>"#;
        assert_eq!(non_401_refusal(403, not_supported), None);
        assert_eq!(non_401_refusal(200, b"<DeviceInfo/>"), None);
    }
}
