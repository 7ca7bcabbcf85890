//! The state machine of [`super::flow`] driven by a scripted device, without sockets.

use super::challenge::SchemeFilter;
use super::flow::{AttemptKind, AuthCall, AuthState, NonceReuse, Verdict};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::Credentials;

/// A wrong password (not yet locked), as real cameras answer it.
const WRONG_BODY: &[u8] = br#"<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString><lockStatus>unlock</lockStatus><unlockTime>0</unlockTime><retryLoginTime>4</retryLoginTime></userCheck>"#;
/// The reported answer to a refused reused nonce.
const NONCE_BODY: &[u8] = br#"<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Operation</statusString><subStatusCode>invalidOperation</subStatusCode></ResponseStatus>"#;
/// A body that tells nothing (an NVR's bare userCheck).
const BARE_BODY: &[u8] =
    br#"<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString></userCheck>"#;

/// A scripted device: issues nonces, checks `nonce`/`nc` of each answer (the hash itself is
/// covered by the RFC vectors in `digest.rs`), and accepts or rejects as configured.
struct FakeDevice {
    offers: Vec<&'static str>,
    accepts_reuse: bool,
    password_ok: bool,
    /// Answer the next reused nonce with `stale=true` (once).
    stale_next_reuse: bool,
    /// A refused reused nonce counts as a failed login (answered like a wrong password).
    counts_refused_reuse: bool,
    /// The body of a refused reused nonce that is not counted.
    reuse_refusal_body: &'static [u8],
    nonce_counter: u32,
    live_nonce: Option<String>,
    max_nc_seen: u32,
    credentials_received: u32,
    rejections: u32,
    /// Credentials received after a fresh answer was rejected within the same call.
    sent_after_rejection: u32,
}

impl FakeDevice {
    fn new(offers: Vec<&'static str>) -> Self {
        Self {
            offers,
            accepts_reuse: true,
            password_ok: true,
            stale_next_reuse: false,
            counts_refused_reuse: false,
            reuse_refusal_body: NONCE_BODY,
            nonce_counter: 0,
            live_nonce: None,
            max_nc_seen: 0,
            credentials_received: 0,
            rejections: 0,
            sent_after_rejection: 0,
        }
    }

    fn challenge(&mut self, stale: bool) -> Vec<String> {
        self.nonce_counter += 1;
        let nonce = format!("nonce{}", self.nonce_counter);
        self.live_nonce = Some(nonce.clone());
        self.max_nc_seen = 0;
        self.offers
            .iter()
            .map(|o| {
                if o.starts_with("Digest") {
                    let stale = if stale {
                        ", stale=\"TRUE\""
                    } else {
                        ", stale=\"FALSE\""
                    };
                    format!(r#"{o}, realm="IP Camera(C2183)", nonce="{nonce}", qop="auth"{stale}"#)
                } else {
                    format!(r#"{o} realm="IP Camera(C2183)""#)
                }
            })
            .collect()
    }

    fn field(h: &str, name: &str) -> Option<String> {
        h.split(", ").find_map(|p| {
            let p = p.strip_prefix("Digest ").unwrap_or(p);
            p.strip_prefix(&format!("{name}="))
                .map(|v| v.trim_matches('"').to_owned())
        })
    }

    fn reject(&mut self) -> (u16, Vec<String>, &'static [u8]) {
        self.rejections += 1;
        (401, self.challenge(false), WRONG_BODY)
    }

    /// Answers one exchange: (status, WWW-Authenticate headers, body).
    fn answer(&mut self, authorization: Option<&str>) -> (u16, Vec<String>, &'static [u8]) {
        let Some(a) = authorization else {
            return (401, self.challenge(false), BARE_BODY);
        };
        self.credentials_received += 1;
        if a.starts_with("Basic ") {
            if !self.offers.contains(&"Basic") {
                return (401, self.challenge(false), BARE_BODY);
            }
            if !self.password_ok {
                return self.reject();
            }
            return (200, vec![], b"");
        }
        let nonce = Self::field(a, "nonce").expect("nonce");
        let nc = u32::from_str_radix(&Self::field(a, "nc").expect("nc"), 16).expect("nc hex");
        if self.live_nonce.as_deref() != Some(nonce.as_str()) {
            return (401, self.challenge(true), BARE_BODY);
        }
        assert!(
            nc > self.max_nc_seen,
            "nc must grow: {nc} after {}",
            self.max_nc_seen
        );
        self.max_nc_seen = nc;
        if nc > 1 && self.stale_next_reuse {
            self.stale_next_reuse = false;
            return (401, self.challenge(true), BARE_BODY);
        }
        if nc > 1 && !self.accepts_reuse {
            // the nonce is refused before the password is judged
            if self.counts_refused_reuse {
                return self.reject();
            }
            return (401, self.challenge(false), self.reuse_refusal_body);
        }
        if !self.password_ok {
            return self.reject();
        }
        (200, vec![], b"")
    }
}

/// Runs one call to completion; returns the kinds of attempts made and the final verdict.
fn call(
    dev: &mut FakeDevice,
    state: &mut AuthState,
    filter: SchemeFilter,
    creds: &Credentials,
) -> (Vec<AttemptKind>, Verdict) {
    let mut c = AuthCall::new(filter, creds, "GET", "/ISAPI/System/deviceInfo?x=1", b"");
    let mut kinds = Vec::new();
    let mut rejected_in_call = false;
    loop {
        let a = c.next_attempt(state).expect("attempt");
        kinds.push(a.kind);
        if a.authorization.is_some() && rejected_in_call {
            dev.sent_after_rejection += 1;
        }
        let before = dev.rejections;
        let (status, hdrs, body) = dev.answer(a.authorization.as_ref().map(|s| s.expose()));
        rejected_in_call |= dev.rejections > before;
        let v = c.on_response(state, status, hdrs.iter().map(String::as_str), body);
        if v != Verdict::Retry {
            return (kinds, v);
        }
    }
}

use AttemptKind::{Fresh, PreemptiveBasic, Probe, Reused};

fn creds() -> Credentials {
    Credentials::new("admin", "Passw0rd!x")
}

#[test]
fn steady_state_is_one_round_trip_with_growing_nc() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    let mut st = AuthState::default();
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Probe, Fresh], Verdict::Done));
    assert!(st.has_cached_challenge());
    for i in 0..5 {
        let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
        assert_eq!((k, v), (vec![Reused], Verdict::Done), "call {i}");
    }
    assert_eq!(dev.max_nc_seen, 6);
    assert_eq!(st.nonce_reuse(), NonceReuse::Accepted);
}

#[test]
fn stale_nonce_is_rechallenged_transparently() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()).0,
        vec![Reused]
    );
    dev.stale_next_reuse = true;
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Reused, Fresh], Verdict::Done));
    assert_eq!(
        st.nonce_reuse(),
        NonceReuse::Accepted,
        "stale is not a reuse refusal"
    );
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()).0,
        vec![Reused]
    );
    // an expired nonce the device answers with stale=true (unknown nonce)
    dev.live_nonce = Some("rotated".into());
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Reused, Fresh], Verdict::Done));
    assert_eq!(dev.rejections, 0);
}

#[test]
fn device_refusing_reuse_switches_to_fresh_challenges() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=SHA-256"]);
    dev.accepts_reuse = false;
    let mut st = AuthState::default();
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()).0,
        vec![Probe, Fresh]
    );
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Reused, Fresh], Verdict::Done));
    assert_eq!(st.nonce_reuse(), NonceReuse::Rejected);
    assert!(!st.has_cached_challenge());
    for _ in 0..3 {
        let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
        assert_eq!((k, v), (vec![Probe, Fresh], Verdict::Done));
    }
    assert_eq!(dev.sent_after_rejection, 0);
}

#[test]
fn reuse_refusal_after_reuse_worked_keeps_reusing() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    // the device now refuses the nonce without stale (its lifetime ran out)
    dev.accepts_reuse = false;
    let (k, _) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!(k, vec![Reused, Fresh]);
    assert_eq!(st.nonce_reuse(), NonceReuse::Accepted);
    dev.accepts_reuse = true;
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()).0,
        vec![Reused]
    );
}

#[test]
fn wrong_password_is_sent_exactly_once() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    dev.password_ok = false;
    let mut st = AuthState::default();
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Probe, Fresh], wrong()));
    assert_eq!(dev.credentials_received, 1);
    assert_eq!(dev.sent_after_rejection, 0);
}

fn wrong() -> Verdict {
    Verdict::Rejected(LoginOutcome::Rejected {
        attempts_left: Some(4),
    })
}

#[test]
fn password_changed_on_device_under_a_reused_nonce() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    dev.password_ok = false;
    // the device judged the reused answer (its body says so): final, nothing more is sent
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Reused], wrong()));
    assert_eq!(dev.rejections, 1, "the device counted one failed login");
    assert_eq!(dev.sent_after_rejection, 0);
    assert_ne!(
        st.nonce_reuse(),
        NonceReuse::Rejected,
        "a rejection is not a reuse refusal"
    );
}

#[test]
fn password_changed_under_a_nonce_refused_without_counting() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    dev.accepts_reuse = false;
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    dev.password_ok = false;
    // the refusal body shows the password was not judged: one fresh answer, final
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Reused, Fresh], wrong()));
    assert_eq!(dev.rejections, 1);
    assert_eq!(dev.sent_after_rejection, 0);
}

#[test]
fn password_changed_under_a_nonce_refused_and_counted() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    dev.accepts_reuse = false;
    dev.counts_refused_reuse = true;
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    dev.password_ok = false;
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![Reused], wrong()));
    assert_eq!(
        dev.rejections, 1,
        "the counted refusal is the only failed login"
    );
}

#[test]
fn refused_reuse_that_tells_nothing_is_final_and_ends_reuse() {
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    dev.accepts_reuse = false;
    dev.reuse_refusal_body = BARE_BODY;
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!(
        (k, v),
        (
            vec![Reused],
            Verdict::Rejected(LoginOutcome::Rejected {
                attempts_left: None
            })
        ),
        "cannot be told from a rejected password: the credential is not sent again"
    );
    assert_eq!(st.nonce_reuse(), NonceReuse::Rejected);
    assert!(!st.has_cached_challenge());
}

#[test]
fn answers_that_are_not_401() {
    let c = creds();
    let mut st = AuthState::default();
    let start = |st: &mut AuthState| {
        let mut call = AuthCall::new(SchemeFilter::Any, &c, "GET", "/a", b"");
        call.next_attempt(st).unwrap();
        let hdr = [r#"Digest realm="r", nonce="n", qop="auth""#];
        assert_eq!(call.on_response(st, 401, hdr, BARE_BODY), Verdict::Retry);
        call.next_attempt(st).unwrap();
        call
    };
    let locked = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>userNameLocked</subStatusCode><lockStatus>locked</lockStatus><resLockTime>600</resLockTime></ResponseStatus>"#;
    let v = start(&mut st).on_response(&mut st, 403, std::iter::empty(), locked);
    assert!(
        matches!(v, Verdict::Rejected(LoginOutcome::Locked { retry_after: Some(d) }) if d.as_secs() == 600),
        "{v:?}"
    );
    let not_supported = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>notSupport</subStatusCode></ResponseStatus>"#;
    let v = start(&mut st).on_response(&mut st, 403, std::iter::empty(), not_supported);
    assert_eq!(v, Verdict::Unjudged);
    assert!(!st.has_cached_challenge(), "not an acceptance");
    let v = start(&mut st).on_response(&mut st, 500, std::iter::empty(), b"");
    assert_eq!(v, Verdict::Unjudged);
    let v = start(&mut st).on_response(&mut st, 200, std::iter::empty(), BARE_BODY);
    assert!(matches!(v, Verdict::Rejected(_)), "a 200 saying 401");
    let v = start(&mut st).on_response(&mut st, 200, std::iter::empty(), b"<DeviceInfo/>");
    assert_eq!(v, Verdict::Done);
    assert!(st.has_cached_challenge());
}

#[test]
fn basic_only_device_and_preemptive_basic() {
    let mut dev = FakeDevice::new(vec!["Basic"]);
    let mut st = AuthState::default();
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()).0,
        vec![Probe, Fresh]
    );
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()),
        (vec![PreemptiveBasic], Verdict::Done)
    );
    dev.password_ok = false;
    assert_eq!(
        call(&mut dev, &mut st, SchemeFilter::Any, &creds()),
        (vec![PreemptiveBasic], wrong())
    );
}

#[test]
fn device_switching_from_basic_to_digest_gets_one_fresh_try() {
    let mut dev = FakeDevice::new(vec!["Basic"]);
    let mut st = AuthState::default();
    call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    dev.offers = vec!["Digest algorithm=MD5"];
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::Any, &creds());
    assert_eq!((k, v), (vec![PreemptiveBasic, Fresh], Verdict::Done));
}

#[test]
fn digest_preferred_over_basic_and_basic_never_blind() {
    let mut dev = FakeDevice::new(vec![
        "Basic",
        "Digest algorithm=MD5",
        "Digest algorithm=SHA-256",
    ]);
    let mut st = AuthState::default();
    let creds = creds();
    let mut c = AuthCall::new(SchemeFilter::Any, &creds, "GET", "/a", b"");
    let first = c.next_attempt(&mut st).unwrap();
    assert!(first.authorization.is_none(), "nothing is sent blind");
    let (s, h, b) = dev.answer(None);
    assert_eq!(
        c.on_response(&mut st, s, h.iter().map(String::as_str), b),
        Verdict::Retry
    );
    let second = c.next_attempt(&mut st).unwrap();
    let auth = second.authorization.unwrap();
    assert!(
        auth.expose().starts_with("Digest "),
        "never Basic when Digest is offered"
    );
    assert!(auth.expose().contains("algorithm=SHA-256"));
}

#[test]
fn explicit_modes_refuse_what_the_device_does_not_offer() {
    let mut st = AuthState::default();
    let mut dev = FakeDevice::new(vec!["Basic"]);
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::DigestOnly, &creds());
    assert_eq!(k, vec![Probe]);
    assert!(
        matches!(v, Verdict::NoUsableChallenge { ref offered, none_at_all: false } if offered == "Basic")
    );
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5"]);
    let (_, v) = call(&mut dev, &mut st, SchemeFilter::BasicOnly, &creds());
    assert!(matches!(v, Verdict::NoUsableChallenge { .. }));
    assert_eq!(dev.credentials_received, 0);
    // Basic mode uses Basic when the device offers it, even next to Digest
    let mut dev = FakeDevice::new(vec!["Digest algorithm=MD5", "Basic"]);
    let (k, v) = call(&mut dev, &mut st, SchemeFilter::BasicOnly, &creds());
    assert_eq!((k, v), (vec![Probe, Fresh], Verdict::Done));
}

#[test]
fn probe_without_challenge() {
    let mut st = AuthState::default();
    let c = creds();
    let mut call = AuthCall::new(SchemeFilter::Any, &c, "GET", "/a", b"");
    call.next_attempt(&mut st).unwrap();
    let v = call.on_response(&mut st, 401, std::iter::empty(), b"");
    assert_eq!(
        v,
        Verdict::NoUsableChallenge {
            offered: "no WWW-Authenticate challenge".into(),
            none_at_all: true
        }
    );
}

#[test]
fn endless_stale_gives_up() {
    let mut st = AuthState::default();
    let c = creds();
    let mut call = AuthCall::new(SchemeFilter::Any, &c, "GET", "/a", b"");
    let stale = [r#"Digest realm="r", nonce="n", qop="auth", stale=true"#];
    let fresh = [r#"Digest realm="r", nonce="n", qop="auth""#];
    call.next_attempt(&mut st).unwrap();
    assert_eq!(call.on_response(&mut st, 401, fresh, b""), Verdict::Retry);
    let mut verdicts = Vec::new();
    for _ in 0..4 {
        if call.next_attempt(&mut st).is_err() {
            break;
        }
        let v = call.on_response(&mut st, 401, stale, BARE_BODY);
        verdicts.push(v.clone());
        if v != Verdict::Retry {
            break;
        }
    }
    assert!(
        matches!(verdicts.last(), Some(Verdict::Failed(_))),
        "{verdicts:?}"
    );
}

#[test]
fn probe_answered_without_401_needs_no_credentials() {
    let mut st = AuthState::default();
    let c = creds();
    let mut call = AuthCall::new(SchemeFilter::Any, &c, "GET", "/SDK/activateStatus", b"");
    let a = call.next_attempt(&mut st).unwrap();
    assert_eq!(a.kind, Probe);
    assert_eq!(
        call.on_response(&mut st, 200, std::iter::empty(), b""),
        Verdict::Done
    );
    assert!(!st.has_cached_challenge());
}
