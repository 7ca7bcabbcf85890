//! The header-driven challenge/retry state machine (Digest and Basic), without I/O.
//!
//! One [`AuthCall`] drives one request; the [`AuthState`] it reads and updates is shared by all
//! calls to the same device. The transport asks [`AuthCall::next_attempt`] what to send, sends
//! it, and feeds the status, `WWW-Authenticate` headers and body back to
//! [`AuthCall::on_response`], which answers with a [`Verdict`].
//!
//! Rules, in order of importance (the first is the rule of [`super::LockoutGuard`]):
//!
//! 1. **A credential the device may have counted as a failed login is not sent again.** A 401
//!    to a freshly challenged answer is final ([`Verdict::Rejected`]). A 401 to a *reused*
//!    nonce is read ([`super::refusal::classify_reuse_refusal`]): only when the device shows
//!    that it refused the nonce without judging the password (`stale=true`, or a
//!    `ResponseStatus` body without lock or retry fields) is the challenge answered afresh,
//!    once; anything else is final, and the device gets no reused nonce again.
//! 2. **`stale=true` is believed once per call**, and only when the body shows no rejection.
//! 3. **Only a 2xx is acceptance.** A non-401 answer whose body speaks of a lock or a bad
//!    password (a 403 while locked, `loginPasswordError`) is a rejection; any other non-2xx
//!    leaves the credential unjudged ([`Verdict::Unjudged`]).
//! 4. **Steady state costs one round trip.** After a success the challenge is cached and the
//!    next call answers it pre-emptively with the next nonce count (`nc`).
//! 5. **Devices that refuse nonce reuse are detected.** When a refused reuse was the nonce's
//!    *first* reuse (or reuse never worked on this device) and the fresh answer succeeds, the
//!    device is switched to fresh-challenge mode ([`NonceReuse::Rejected`]).
//! 6. **Basic only when offered**, and never when Digest is offered too (in
//!    [`SchemeFilter::Any`]); never blind.

use crate::error::{Error, Result};
use crate::keys::{Credentials, Secret};

use crate::isapi::user_check::LoginOutcome;

use super::challenge::{
    Challenge, SchemeFilter, describe_offered, parse_www_authenticate, strongest,
};
use super::digest::{DigestNonce, basic_header};
use super::refusal::{ReuseRefusal, classify_reuse_refusal, login_evidence, non_401_refusal};

/// A 401 with `stale=true` is answered again at most this many times per call.
pub const MAX_STALE_RETRIES: u8 = 1;

/// At most this many HTTP exchanges are made for one call (a hard stop for any loop).
pub const MAX_EXCHANGES: u8 = 5;

/// Whether the device accepts a nonce answered several times (with increasing `nc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonceReuse {
    /// Not known yet.
    #[default]
    Unknown,
    /// A reused nonce was accepted at least once.
    Accepted,
    /// The device refuses reused nonces: every call gets a fresh challenge.
    Rejected,
}

/// What answers the next call pre-emptively.
#[derive(Debug, Clone, Default)]
enum Cached {
    #[default]
    None,
    Digest(Box<DigestNonce>),
    Basic,
}

/// Authentication state shared by every call to one device.
#[derive(Debug, Clone, Default)]
pub struct AuthState {
    cached: Cached,
    reuse: NonceReuse,
}

impl AuthState {
    /// Whether the device accepts nonce reuse, as far as is known.
    pub fn nonce_reuse(&self) -> NonceReuse {
        self.reuse
    }

    /// Forgets the cached challenge (for example after the credentials changed).
    pub fn forget_challenge(&mut self) {
        self.cached = Cached::None;
    }

    /// True when the next call will answer pre-emptively (no probe).
    pub fn has_cached_challenge(&self) -> bool {
        match &self.cached {
            Cached::None => false,
            Cached::Basic => true,
            Cached::Digest(_) => self.reuse != NonceReuse::Rejected,
        }
    }
}

/// What kind of exchange an attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// No credentials: to learn the challenge (or the endpoint needs none).
    Probe,
    /// Answer to a challenge received in this call (Digest or Basic).
    Fresh,
    /// Pre-emptive answer with a cached digest nonce and the next `nc`.
    Reused,
    /// Pre-emptive Basic answer to a device that offered Basic before.
    PreemptiveBasic,
}

/// What to send next.
#[derive(Debug)]
pub struct Attempt {
    /// The `Authorization` header value, or `None` for a probe.
    pub authorization: Option<Secret>,
    /// What kind of exchange this is.
    pub kind: AttemptKind,
}

/// What a response means for the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Hand the response to the caller: a 2xx (credentials, if sent, were accepted).
    Done,
    /// Hand the response to the caller: a non-2xx that says nothing about the credentials
    /// (they stay unverified; the caller turns the answer into an error).
    Unjudged,
    /// Ask [`AuthCall::next_attempt`] again; this exchange was authentication overhead.
    Retry,
    /// The device refused the credentials (or may have counted them as a failed login): final.
    /// Latch them.
    Rejected(LoginOutcome),
    /// The device offers no scheme this call may use (the text lists what it offered).
    NoUsableChallenge {
        /// What the device offered, for example `"Basic"` or `"no WWW-Authenticate challenge"`.
        offered: String,
        /// True when the 401 carried no challenge at all.
        none_at_all: bool,
    },
    /// Authentication did not converge (for example `stale=true` forever).
    Failed(String),
}

#[derive(Debug)]
enum Next {
    Start,
    Probe,
    Answer(Challenge),
}

/// One request's walk through the challenge/response exchange. Its `Debug` form leaves out the
/// body and the URI's query string (either may carry a secret).
pub struct AuthCall<'a> {
    filter: SchemeFilter,
    creds: &'a Credentials,
    method: &'a str,
    uri: &'a str,
    body: &'a [u8],
    next: Next,
    last: Option<AttemptKind>,
    /// The nonce and nc of the last reused answer.
    reused: Option<(String, u32)>,
    /// The nc at which a reused nonce was refused in this call.
    reuse_refused_at: Option<u32>,
    /// The fresh digest nonce answered last (cached on success).
    fresh: Option<DigestNonce>,
    fresh_basic: bool,
    stale_retries: u8,
    exchanges: u8,
}

impl std::fmt::Debug for AuthCall<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCall")
            .field("filter", &self.filter)
            .field("creds", &self.creds)
            .field("method", &self.method)
            .field("uri", &crate::isapi::status::redact_query(self.uri))
            .field(
                "body",
                &format_args!("<{} bytes redacted>", self.body.len()),
            )
            .field("next", &self.next)
            .field("last", &self.last)
            .field("exchanges", &self.exchanges)
            .finish_non_exhaustive()
    }
}

impl<'a> AuthCall<'a> {
    /// Starts a call. `uri` is the exact request target (path and query).
    pub fn new(
        filter: SchemeFilter,
        creds: &'a Credentials,
        method: &'a str,
        uri: &'a str,
        body: &'a [u8],
    ) -> Self {
        Self {
            filter,
            creds,
            method,
            uri,
            body,
            next: Next::Start,
            last: None,
            reused: None,
            reuse_refused_at: None,
            fresh: None,
            fresh_basic: false,
            stale_retries: 0,
            exchanges: 0,
        }
    }

    /// What to send next.
    pub fn next_attempt(&mut self, state: &mut AuthState) -> Result<Attempt> {
        if self.exchanges >= MAX_EXCHANGES {
            return Err(Error::decode(
                "authentication",
                "too many exchanges for one request",
            ));
        }
        self.exchanges += 1;
        self.fresh = None;
        self.fresh_basic = false;
        let next = std::mem::replace(&mut self.next, Next::Probe);
        let (authorization, kind) = match next {
            Next::Start => self.preemptive(state)?,
            Next::Probe => (None, AttemptKind::Probe),
            Next::Answer(Challenge::Digest(d)) => {
                let mut n = DigestNonce::new(d);
                let h = n.respond(self.creds, self.method, self.uri, self.body)?;
                self.fresh = Some(n);
                (Some(h), AttemptKind::Fresh)
            }
            Next::Answer(Challenge::Basic { .. }) => {
                self.fresh_basic = true;
                (Some(basic_header(self.creds)?), AttemptKind::Fresh)
            }
            Next::Answer(Challenge::Other { .. }) => (None, AttemptKind::Probe),
        };
        tracing::debug!(?kind, exchange = self.exchanges, "auth attempt");
        self.last = Some(kind);
        Ok(Attempt {
            authorization,
            kind,
        })
    }

    fn preemptive(&mut self, state: &mut AuthState) -> Result<(Option<Secret>, AttemptKind)> {
        let digest_ok = self.filter != SchemeFilter::BasicOnly;
        let basic_ok = self.filter != SchemeFilter::DigestOnly;
        match &mut state.cached {
            Cached::Digest(n)
                if digest_ok && state.reuse != NonceReuse::Rejected && !n.is_exhausted() =>
            {
                let h = n.respond(self.creds, self.method, self.uri, self.body)?;
                self.reused = Some((n.challenge().nonce.clone(), n.uses()));
                tracing::debug!(nc = n.uses(), "answering the cached digest challenge");
                Ok((Some(h), AttemptKind::Reused))
            }
            Cached::Basic if basic_ok => Ok((
                Some(basic_header(self.creds)?),
                AttemptKind::PreemptiveBasic,
            )),
            _ => Ok((None, AttemptKind::Probe)),
        }
    }

    /// Interprets the answer to the last attempt (`body` is the answer's body).
    pub fn on_response<'h, I>(
        &mut self,
        state: &mut AuthState,
        status: u16,
        www_authenticate: I,
        body: &[u8],
    ) -> Verdict
    where
        I: IntoIterator<Item = &'h str>,
    {
        let Some(last) = self.last else {
            return Verdict::Failed("response before any attempt".into());
        };
        if status != 401 {
            return self.on_not_401(state, last, status, body);
        }
        let challenges = parse_www_authenticate(www_authenticate);
        let best = strongest(&challenges, self.filter).cloned();
        let stale = challenges.iter().any(Challenge::is_stale_digest);
        match last {
            AttemptKind::Probe => match best {
                Some(c) => {
                    tracing::debug!(chosen = %c, offered = %describe_offered(&challenges), "challenge received");
                    self.next = Next::Answer(c);
                    Verdict::Retry
                }
                None => Verdict::NoUsableChallenge {
                    offered: describe_offered(&challenges),
                    none_at_all: challenges.is_empty(),
                },
            },
            AttemptKind::Fresh => {
                if let Some(outcome) = login_evidence(body) {
                    tracing::debug!("credentials rejected on a fresh challenge: final");
                    return Verdict::Rejected(outcome);
                }
                if stale && !self.fresh_basic {
                    if !self.take_stale_retry() {
                        return Verdict::Failed(
                            "the device keeps declaring fresh nonces stale".into(),
                        );
                    }
                    tracing::debug!("stale nonce: answering the new challenge");
                    return self.answer_or_probe(best);
                }
                tracing::debug!("credentials rejected on a fresh challenge: final");
                Verdict::Rejected(LoginOutcome::from_body(body))
            }
            AttemptKind::Reused => self.on_reuse_refused(state, stale, best, body),
            AttemptKind::PreemptiveBasic => {
                let still_basic = challenges.is_empty()
                    || challenges
                        .iter()
                        .any(|c| matches!(c, Challenge::Basic { .. }));
                state.cached = Cached::None;
                if still_basic || login_evidence(body).is_some() {
                    tracing::debug!("basic credentials rejected: final");
                    return Verdict::Rejected(
                        login_evidence(body).unwrap_or_else(|| LoginOutcome::from_body(body)),
                    );
                }
                // a device that no longer offers Basic did not judge the password
                tracing::debug!("device stopped offering Basic: one fresh try");
                match best {
                    Some(c) => {
                        self.next = Next::Answer(c);
                        Verdict::Retry
                    }
                    None => Verdict::NoUsableChallenge {
                        offered: describe_offered(&challenges),
                        none_at_all: false,
                    },
                }
            }
        }
    }

    fn take_stale_retry(&mut self) -> bool {
        if self.stale_retries >= MAX_STALE_RETRIES {
            return false;
        }
        self.stale_retries += 1;
        true
    }

    /// A 401 to a reused nonce: a fresh answer only when the device shows it did not judge
    /// the password.
    fn on_reuse_refused(
        &mut self,
        state: &mut AuthState,
        stale: bool,
        best: Option<Challenge>,
        body: &[u8],
    ) -> Verdict {
        let (nonce, nc) = self.reused.take().unwrap_or_default();
        if let Cached::Digest(n) = &state.cached {
            if n.challenge().nonce == nonce {
                state.cached = Cached::None;
            }
        }
        match classify_reuse_refusal(stale, body) {
            ReuseRefusal::Login(outcome) => {
                if login_evidence(body).is_none() {
                    // the answer cannot tell a refused nonce from a rejected password: the
                    // credential is not sent again, and neither is a reused nonce
                    tracing::debug!(nc, "refused reuse without evidence: final, no more reuse");
                    state.reuse = NonceReuse::Rejected;
                } else {
                    tracing::debug!(nc, "credentials rejected under a reused nonce: final");
                }
                Verdict::Rejected(outcome)
            }
            ReuseRefusal::NonceOnly if stale => {
                if !self.take_stale_retry() {
                    return Verdict::Failed("the device keeps declaring nonces stale".into());
                }
                tracing::debug!(nc, "stale cached nonce: answering the new challenge");
                self.answer_or_probe(best)
            }
            ReuseRefusal::NonceOnly => {
                tracing::debug!(
                    nc,
                    "reused nonce refused (password not judged): one fresh try"
                );
                self.reuse_refused_at = Some(nc);
                self.answer_or_probe(best)
            }
        }
    }

    /// Any answer but 401: acceptance only for a 2xx without a refusal in its body.
    fn on_not_401(
        &mut self,
        state: &mut AuthState,
        last: AttemptKind,
        status: u16,
        body: &[u8],
    ) -> Verdict {
        if last != AttemptKind::Probe {
            if let Some(outcome) = non_401_refusal(status, body) {
                tracing::debug!(status, "the answer refuses the credentials");
                state.cached = Cached::None;
                return Verdict::Rejected(outcome);
            }
        }
        if (200..300).contains(&status) {
            self.on_accepted(state, last);
            return Verdict::Done;
        }
        Verdict::Unjudged
    }

    fn answer_or_probe(&mut self, best: Option<Challenge>) -> Verdict {
        self.next = match best {
            Some(c) => Next::Answer(c),
            None => Next::Probe,
        };
        Verdict::Retry
    }

    fn on_accepted(&mut self, state: &mut AuthState, last: AttemptKind) {
        match last {
            AttemptKind::Probe | AttemptKind::PreemptiveBasic => {}
            AttemptKind::Reused => {
                if state.reuse == NonceReuse::Unknown {
                    state.reuse = NonceReuse::Accepted;
                }
            }
            AttemptKind::Fresh if self.fresh_basic => state.cached = Cached::Basic,
            AttemptKind::Fresh => {
                if let Some(refused_nc) = self.reuse_refused_at {
                    if refused_nc <= 2 || state.reuse != NonceReuse::Accepted {
                        tracing::debug!(
                            "device refuses nonce reuse: switching to fresh challenges"
                        );
                        state.reuse = NonceReuse::Rejected;
                    }
                }
                if let Some(n) = self.fresh.take() {
                    state.cached = if state.reuse == NonceReuse::Rejected {
                        Cached::None
                    } else {
                        Cached::Digest(Box::new(n))
                    };
                }
            }
        }
    }
}
