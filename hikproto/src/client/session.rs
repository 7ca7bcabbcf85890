//! ISAPI session login over HTTP ([`AuthMode::Session`](crate::auth::AuthMode::Session)):
//! log in once, send only the cookie, log in again once when the session expired, keep it
//! alive with heartbeats, log out. The hashing and documents are in [`crate::auth::session`].

use std::sync::{Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::auth::Admission;
use crate::auth::refusal::{login_evidence, login_refusal};
use crate::auth::session::{self as s, SessionLoginAnswer, SessionLoginCap, is_session_expired};
use crate::error::{Error, Result};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::{Credentials, Secret};
use crate::xml::FromXml;

use super::engine::{Inner, finish};
use super::request::{Body, Request, Response};

/// The current session cookie and a generation number that changes at every login or drop.
#[derive(Default)]
pub(crate) struct SessionSlot {
    state: Mutex<(Option<Secret>, u64)>,
    /// Serializes logins so concurrent calls do not open several sessions.
    login: tokio::sync::Mutex<()>,
}

impl SessionSlot {
    fn current(&self) -> (Option<Secret>, u64) {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (st.0.clone(), st.1)
    }

    fn set(&self, cookie: Secret) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.0 = Some(cookie);
        st.1 += 1;
    }

    /// Drops the session if it is still generation `gen`.
    fn drop_if(&self, generation: u64) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.1 == generation {
            st.0 = None;
            st.1 += 1;
        }
    }

    fn take(&self) -> Option<Secret> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.1 += 1;
        st.0.take()
    }

    pub(crate) fn clear(&self) {
        drop(self.take());
    }

    pub(crate) fn is_open(&self) -> bool {
        self.current().0.is_some()
    }
}

impl Inner {
    /// One request in session mode: at most one login per call (the first one, or one re-login
    /// after the device said the session expired).
    pub(crate) async fn execute_session(
        &self,
        req: &Request,
        body: &Bytes,
        creds: &Credentials,
        mut admission: Option<Admission>,
    ) -> Result<Response> {
        let mut logged_in_here = false;
        loop {
            let (cookie, generation) = self.session.current();
            let Some(cookie) = cookie else {
                if logged_in_here {
                    return Err(Error::decode("session login", "no session after login"));
                }
                self.session_login(creds, generation, &mut admission)
                    .await?;
                logged_in_here = true;
                continue;
            };
            let raw = self.exchange(req, body, None, Some(&cookie)).await?;
            let expired = raw.status == 401 || is_session_expired(&raw.body);
            if !expired {
                return finish(raw, req, Some(&creds.user));
            }
            self.session.drop_if(generation);
            if logged_in_here {
                if raw.status == 401 {
                    return Err(Error::NotSupported {
                        what: format!(
                            "session authentication for {}: the device refused the session \
                             cookie right after login",
                            req.describe()
                        ),
                    });
                }
                return finish(raw, req, Some(&creds.user));
            }
            tracing::debug!(host = %self.host, "session expired: logging in again");
            self.counters.auth_round_trip();
            self.session_login(creds, generation + 1, &mut admission)
                .await?;
            logged_in_here = true;
        }
    }

    /// Logs in unless another call already did since generation `seen` was observed.
    /// `admission` is this call's permission from the lock-out guard (told the verdict here).
    pub(crate) async fn session_login(
        &self,
        creds: &Credentials,
        seen: u64,
        admission: &mut Option<Admission>,
    ) -> Result<()> {
        let _serial = self.session.login.lock().await;
        let (cookie, generation) = self.session.current();
        if cookie.is_some() && generation != seen {
            return Ok(());
        }
        self.guard.check(&self.host, creds)?;
        // 1. the challenge (no credentials)
        let cap_req = Request::get(&s::capabilities_path(&creds.user)).without_auth();
        let raw = self.exchange(&cap_req, &Bytes::new(), None, None).await?;
        self.counters.auth_round_trip();
        if matches!(raw.status, 404 | 405 | 501) {
            return Err(Error::NotSupported {
                what: "ISAPI session login (no sessionLogin/capabilities)".into(),
            });
        }
        let raw_status = raw.status;
        let answer = finish(raw, &cap_req, Some(&creds.user))?;
        let cap = SessionLoginCap::from_xml(&answer.body).map_err(|e| match e {
            Error::Decode { reason, .. } => {
                Error::decode("SessionLoginCap", format!("{reason} (HTTP {raw_status})"))
            }
            other => other,
        })?;
        tracing::debug!(
            host = %self.host,
            variant = ?cap.hash_variant(),
            iterations = cap.iterations,
            "session login challenge received"
        );
        // 2. the login (the hash is derived from the password; it is the credential here)
        let hash = s::session_password_hash(&creds.user, &creds.password, &cap);
        let doc = s::login_document(&creds.user, &hash, &cap);
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        // the document travels as the separate body bytes only (the request's own body, which
        // sets the content type, stays empty), and those bytes are zeroized after the exchange
        let login_req = Request::post(&s::login_path(ms))
            .body(Body::Xml(String::new()))
            .without_auth();
        let login_body = Bytes::copy_from_slice(doc.expose().as_bytes());
        drop(doc);
        self.guard.check(&self.host, creds)?;
        let sent = self.http.send(&login_req, &login_body, None, None).await;
        zeroize_bytes(login_body);
        let raw = sent?;
        self.counters.exchange(raw.status, true);
        self.counters.auth_round_trip();
        let answer = SessionLoginAnswer::from_body(&raw.body);
        if let Some(outcome) = session_refusal(raw.status, answer.status_value, &raw.body) {
            return Err(self.refuse(admission.take(), creds, outcome));
        }
        let set_cookie = raw.set_cookie.clone();
        finish(raw, &login_req, Some(&creds.user))?;
        let cookie = s::session_cookie(
            set_cookie.iter().map(String::as_str),
            answer.session_id.as_deref(),
        )
        .ok_or_else(|| {
            Error::decode(
                "SessionLogin answer",
                "neither a session cookie nor a sessionID",
            )
        })?;
        match admission.take() {
            Some(a) => a.accepted(),
            None => self.guard.record_success(&self.host, creds),
        }
        self.counters.session_login();
        self.session.set(cookie);
        tracing::debug!(host = %self.host, user = %creds.user, "session opened");
        Ok(())
    }

    /// Ends the session, if one is open. The device's answer is not an error source: the
    /// session is forgotten locally either way.
    pub(crate) async fn session_logout(&self) -> Result<()> {
        let Some(cookie) = self.session.take() else {
            return Ok(());
        };
        let req = Request::put(s::LOGOUT_PATH).without_auth();
        let empty = Bytes::new();
        let fut = self.exchange(&req, &empty, None, Some(&cookie));
        let raw = tokio::time::timeout(self.http.request_timeout, fut)
            .await
            .map_err(|_| Error::Timeout {
                operation: req.describe(),
                after: self.http.request_timeout,
            })??;
        self.counters.auth_round_trip();
        tracing::debug!(host = %self.host, status = raw.status, "session closed");
        Ok(())
    }
}

/// What a session-login answer says about the credential: a 401 (HTTP or `statusValue`), or
/// any status whose body speaks of a bad password or a lock (`loginPasswordError`, a 403 while
/// locked). `None` for an acceptance or an answer that does not judge the credential.
fn session_refusal(status: u16, status_value: Option<u32>, body: &[u8]) -> Option<LoginOutcome> {
    if status == 401 || status_value == Some(401) {
        return Some(login_evidence(body).unwrap_or_else(|| LoginOutcome::from_body(body)));
    }
    login_refusal(status, body)
}

/// A background task sending `PUT /ISAPI/Security/sessionHeartbeat` periodically.
///
/// Dropping the handle (or calling [`SessionHeartbeat::stop`]) stops the task. The task holds
/// only a weak reference to the device, so it also ends when every `Device` clone is dropped.
/// It stops by itself on a credential error (rejected, locked, latched); other failures are
/// logged at `warn` level and retried at the next tick (the next request re-logs in anyway).
#[derive(Debug)]
pub struct SessionHeartbeat {
    handle: tokio::task::JoinHandle<()>,
}

impl SessionHeartbeat {
    pub(crate) fn spawn(inner: Weak<Inner>, every: Duration) -> Self {
        let handle = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                let req = Request::put(s::HEARTBEAT_PATH);
                match inner.execute(req).await {
                    Ok(_) => tracing::debug!(host = %inner.host, "session heartbeat"),
                    Err(e) if e.is_auth() => {
                        tracing::warn!(host = %inner.host, error = %e, "session heartbeat stopped");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(host = %inner.host, error = %e, "session heartbeat failed")
                    }
                }
            }
        });
        Self { handle }
    }

    /// Stops the heartbeat.
    pub fn stop(self) {
        self.handle.abort();
    }

    /// True while the task runs.
    pub fn is_running(&self) -> bool {
        !self.handle.is_finished()
    }
}

impl Drop for SessionHeartbeat {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Zeroizes `b` when this is its last reference (the transport has let go of its clones by
/// the time an exchange returns); otherwise the memory is freed by its last holder.
fn zeroize_bytes(b: Bytes) {
    if let Ok(mut m) = b.try_into_mut() {
        zeroize::Zeroize::zeroize(&mut m[..]);
    }
}
