//! The request executor: runs every request through the authentication engine
//! ([`crate::auth::flow`] for Digest/Basic, [`super::session`] for session login), under one
//! deadline, with the lock-out guard consulted before any credential leaves the process.

use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;

use crate::auth::flow::{AuthCall, AuthState, NonceReuse, Verdict};
use crate::auth::{Admission, AuthMode, LockoutGuard};
use crate::error::{Error, Result};
use crate::isapi::status::{ResponseStatus, status_error};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::Credentials;
use crate::xml::FromXml;

use super::builder::DeviceBuilder;
use super::request::{Request, Response};
use super::session::SessionSlot;
use super::stats::Counters;
use super::transport::{Http, RawResponse};

pub(crate) struct Inner {
    pub(crate) http: Http,
    /// `scheme://host:port`.
    pub(crate) base: String,
    /// `host:port`.
    pub(crate) host: String,
    pub(crate) mode: AuthMode,
    credentials: Mutex<Option<Credentials>>,
    auth: Mutex<AuthState>,
    pub(crate) session: SessionSlot,
    pub(crate) guard: LockoutGuard,
    pub(crate) counters: Counters,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // the protected values stay consistent even if a holder panicked
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    pub(crate) fn new(b: DeviceBuilder) -> Result<Self> {
        let http = Http::new(&b)?;
        Ok(Self {
            base: http.base.clone(),
            host: http.authority.clone(),
            http,
            mode: b.auth_mode,
            credentials: Mutex::new(b.credentials),
            auth: Mutex::new(AuthState::default()),
            session: SessionSlot::default(),
            guard: b.lockout_guard,
            counters: Counters::default(),
        })
    }

    pub(crate) fn user(&self) -> Option<String> {
        lock(&self.credentials).as_ref().map(|c| c.user.clone())
    }

    pub(crate) fn credentials(&self) -> Option<Credentials> {
        lock(&self.credentials).clone()
    }

    pub(crate) fn set_credentials(&self, creds: Option<Credentials>) {
        *lock(&self.credentials) = creds;
        lock(&self.auth).forget_challenge();
        self.session.clear();
    }

    pub(crate) fn nonce_reuse(&self) -> NonceReuse {
        lock(&self.auth).nonce_reuse()
    }

    /// Runs `req` under the request deadline (which covers every authentication exchange).
    pub(crate) async fn execute(&self, req: Request) -> Result<Response> {
        let what = req.describe();
        let deadline = self.http.request_timeout;
        let span = tracing::debug_span!("hikproto_request", host = %self.host, request = %what);
        let fut = tracing::Instrument::instrument(self.execute_inner(&req), span);
        match tokio::time::timeout(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                operation: what,
                after: deadline,
            }),
        }
    }

    async fn execute_inner(&self, req: &Request) -> Result<Response> {
        let body = req.body.bytes();
        let creds = if req.authenticate {
            self.credentials()
        } else {
            None
        };
        let Some(creds) = creds else {
            let raw = self.exchange(req, &body, None, None).await?;
            if raw.status == 401 && req.authenticate {
                return Err(Error::invalid(format!(
                    "{} needs credentials and none were given",
                    req.describe()
                )));
            }
            return finish(raw, req, None);
        };
        // the lock-out guard decides: latched credentials never leave; an unverified one is
        // carried by one request at a time (the others wait here for its verdict)
        let admission = self.guard.admit(&self.host, &creds).await?;
        match self.mode.scheme_filter() {
            Some(filter) => {
                self.execute_header_auth(req, &body, &creds, filter, admission)
                    .await
            }
            None => {
                self.execute_session(req, &body, &creds, Some(admission))
                    .await
            }
        }
    }

    /// Sends one exchange and counts it.
    pub(crate) async fn exchange(
        &self,
        req: &Request,
        body: &Bytes,
        authorization: Option<&crate::keys::Secret>,
        cookie: Option<&crate::keys::Secret>,
    ) -> Result<RawResponse> {
        let raw = self.http.send(req, body, authorization, cookie).await?;
        self.counters.exchange(raw.status, authorization.is_some());
        Ok(raw)
    }

    async fn execute_header_auth(
        &self,
        req: &Request,
        body: &Bytes,
        creds: &Credentials,
        filter: crate::auth::challenge::SchemeFilter,
        admission: Admission,
    ) -> Result<Response> {
        let mut call = AuthCall::new(filter, creds, req.method.as_str(), &req.path, body);
        loop {
            let attempt = call.next_attempt(&mut lock(&self.auth))?;
            if attempt.authorization.is_some() {
                // another call may have had this credential rejected meanwhile
                self.guard.check(&self.host, creds)?;
            }
            let raw = self
                .exchange(req, body, attempt.authorization.as_ref(), None)
                .await?;
            let verdict = call.on_response(
                &mut lock(&self.auth),
                raw.status,
                raw.www_authenticate.iter().map(String::as_str),
                &raw.body,
            );
            match verdict {
                Verdict::Done => {
                    if attempt.authorization.is_some() {
                        admission.accepted();
                    }
                    return finish(raw, req, Some(&creds.user));
                }
                // not an acceptance: the credential stays unverified (the admission is
                // released, and a waiting call may carry it)
                Verdict::Unjudged => return finish(raw, req, Some(&creds.user)),
                Verdict::Retry => self.counters.auth_round_trip(),
                Verdict::Rejected(outcome) => {
                    return Err(self.refuse(Some(admission), creds, outcome));
                }
                Verdict::NoUsableChallenge {
                    offered,
                    none_at_all,
                } => {
                    if none_at_all {
                        // a 401 without any challenge (for example a locked client address):
                        // nothing was sent, so nothing is latched
                        return finish(raw, req, Some(&creds.user));
                    }
                    return Err(Error::NotSupported {
                        what: format!(
                            "{:?} authentication: the device offers {offered} (check its \
                             \"WEB Authentication\" setting)",
                            self.mode
                        ),
                    });
                }
                Verdict::Failed(reason) => return Err(Error::decode("authentication", reason)),
            }
        }
    }

    /// A final refusal: latch the credential (ending its flight), build the error.
    pub(crate) fn refuse(
        &self,
        admission: Option<Admission>,
        creds: &Credentials,
        outcome: LoginOutcome,
    ) -> Error {
        match admission {
            Some(a) => a.refused(&outcome),
            None => self.guard.latch(&self.host, creds, &outcome),
        }
        tracing::debug!(host = %self.host, user = %creds.user, ?outcome, "credentials refused");
        outcome.into_error(&creds.user)
    }
}

/// Turns a raw answer into the caller's [`Response`], or the typed error it stands for.
pub(crate) fn finish(raw: RawResponse, req: &Request, user: Option<&str>) -> Result<Response> {
    let resp = Response {
        status: raw.status,
        content_type: raw.content_type,
        body: raw.body,
        request: req.describe(),
    };
    if (200..300).contains(&resp.status) {
        if let Ok(el) = crate::xml::Element::parse(&resp.body) {
            if el.name == ResponseStatus::ROOT {
                if let Ok(st) = ResponseStatus::from_element(&el) {
                    st.into_result(&resp.request, resp.status)?;
                }
            }
        }
        return Ok(resp);
    }
    if resp.status == 401 {
        return Err(LoginOutcome::from_body(&resp.body).into_error(user.unwrap_or_default()));
    }
    let trimmed = resp.body.iter().position(|b| !b.is_ascii_whitespace());
    let status = match trimmed {
        Some(i) if resp.body[i] == b'{' => ResponseStatus::from_json(&resp.body).ok(),
        Some(_) => ResponseStatus::from_xml(&resp.body).ok(),
        None => None,
    };
    match status {
        Some(st) => Err(status_error(st, &resp.request, resp.status)),
        None if matches!(resp.status, 404 | 405 | 501) => {
            Err(Error::NotSupported { what: resp.request })
        }
        None => Err(Error::Device {
            request: resp.request.clone(),
            http_status: resp.status,
            status: Box::new(ResponseStatus {
                status_code: 3,
                status_string: format!("HTTP {}", resp.status),
                ..ResponseStatus::default()
            }),
        }),
    }
}
