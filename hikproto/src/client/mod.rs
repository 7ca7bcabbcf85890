//! The async device client.
//!
//! [`Device`] is cheap to clone and safe to share between tasks. Every typed operation of hikproto
//! is a method on it (one file per family in `client/ops/`); the raw escape hatch is
//! [`Device::request`] and the `get_xml`/`put_xml`/`get_json`/… helpers.
//!
//! ```no_run
//! # async fn run() -> hikproto::Result<()> {
//! let dev = hikproto::Device::builder("192.0.2.10")
//!     .credentials("admin", "Passw0rd!x")
//!     .build()?;
//! let info = dev.device_info().await?;
//! println!("{} {}", info.model.unwrap_or_default(), info.firmware_version.unwrap_or_default());
//! # Ok(()) }
//! ```

mod builder;
mod engine;
mod ops;
mod request;
mod session;
mod stats;
pub mod tls;
mod transport;

pub use builder::{DeviceBuilder, TlsMode};
pub use request::{Body, Method, Request, Response};
pub use session::SessionHeartbeat;
pub use stats::RequestStats;
pub use transport::check_host;

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{AuthMode, LockoutGuard, NonceReuse};
use crate::error::{Error, Result};
use crate::isapi::device_info::{self, DeviceInfo};
use crate::isapi::status::ResponseStatus;
use crate::isapi::user_check::{self, LoginOutcome, UserCheck};
use crate::keys::{Credentials, Secret};
use crate::xml::{Element, FromXml};

/// A handle to one device. Clone it freely; clones share connections and authentication state
/// (the cached digest challenge, the session, the counters and the lock-out latch).
///
/// Authentication follows [`AuthMode`] (see [`crate::auth`]): in the default mode the first
/// request probes without credentials and answers the device's strongest challenge, and later
/// requests answer the cached challenge pre-emptively (one round trip each). A credential the
/// device rejected is never sent again automatically ([`LockoutGuard`]).
#[derive(Clone)]
pub struct Device {
    pub(crate) inner: Arc<engine::Inner>,
    /// Set on the handles made by [`Device::allow_plaintext_secrets`].
    pub(crate) plaintext_secrets: bool,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("base", &self.inner.base)
            .field("user", &self.inner.user())
            .field("plaintext_secrets", &self.plaintext_secrets)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Closes the connections kept alive for this device (and its clones); the next call
    /// opens a new one. Calls in flight finish normally. [`crate::fleet::Fleet`] runs call it
    /// when a device's operation ends, so a sweep holds no more sockets than its concurrency.
    pub fn release_connections(&self) {
        self.inner.http.release_idle();
    }

    /// Starts building a device handle for `host` (`"10.0.0.5"`, `"10.0.0.5:8080"`, `"[::1]:80"`).
    pub fn builder(host: impl Into<String>) -> DeviceBuilder {
        DeviceBuilder::new(host)
    }

    /// The base URL requests go to (`http://host:port`).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The user name this handle logs in with, if any.
    pub fn user(&self) -> Option<String> {
        self.inner.user()
    }

    /// Sends a raw request through the authentication engine and returns the raw response.
    ///
    /// Non-success answers are turned into typed errors: 401 into
    /// [`Error::CredentialsRejected`]/[`Error::Locked`], a `ResponseStatus` into
    /// [`Error::Device`] (or a more specific variant), 404/405/501 into [`Error::NotSupported`].
    pub async fn request(&self, req: Request) -> Result<Response> {
        self.inner.execute(req).await
    }

    /// GET an ISAPI path and parse the XML body.
    pub async fn get_xml(&self, path: &str) -> Result<Element> {
        self.request(Request::get(path)).await?.xml()
    }

    /// GET an ISAPI path and decode it into a typed model.
    pub async fn get<T: FromXml>(&self, path: &str) -> Result<T> {
        let el = self.get_xml(path).await?;
        if el.name != T::ROOT {
            return Err(Error::decode(
                T::ROOT,
                format!("expected <{}>, the device sent <{}>", T::ROOT, el.name),
            ));
        }
        T::from_element(&el)
    }

    /// PUT an XML document; returns the device's `ResponseStatus` (success, or reboot required).
    pub async fn put_xml(&self, path: &str, body: &Element) -> Result<ResponseStatus> {
        self.request(Request::put(path).xml(body)).await?.status()
    }

    /// POST an XML document; returns the parsed XML answer.
    pub async fn post_xml(&self, path: &str, body: &Element) -> Result<Element> {
        self.request(Request::post(path).xml(body)).await?.xml()
    }

    /// DELETE a path; returns the device's `ResponseStatus`.
    pub async fn delete(&self, path: &str) -> Result<ResponseStatus> {
        self.request(Request::delete(path)).await?.status()
    }

    /// GET a JSON resource (`format=json` is added to the query when missing).
    pub async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        self.request(Request::get(&with_json_format(path)))
            .await?
            .json()
    }

    /// PUT a JSON document (`format=json` is added when missing); returns the parsed answer.
    pub async fn put_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.request(Request::put(&with_json_format(path)).json(body))
            .await?
            .json()
    }

    /// POST a JSON document (`format=json` is added when missing); returns the parsed answer.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.request(Request::post(&with_json_format(path)).json(body))
            .await?
            .json()
    }

    /// Reads `GET /ISAPI/System/deviceInfo`. The serial number joins the device's key in the
    /// lock-out guard (so the same device reached by another address shares its latch).
    pub async fn device_info(&self) -> Result<DeviceInfo> {
        let info: DeviceInfo = self.get(device_info::PATH).await?;
        if let Some(sn) = &info.serial_number {
            self.inner.guard.learn_serial(&self.inner.host, sn);
        }
        Ok(info)
    }

    /// The `host:port` this handle talks to (the lock-out guard keys it by host, without the
    /// port, plus the serial number once known).
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// The authentication mode chosen at build time.
    pub fn auth_mode(&self) -> AuthMode {
        self.inner.mode
    }

    /// Replaces the credentials (for this handle and its clones). The cached challenge and any
    /// open session are forgotten. A credential this device rejected before stays refused
    /// ([`Error::CredentialLatched`]) — supplying *different* credentials is how to go on;
    /// see [`Device::clear_credential_latch`] for the exception.
    pub fn set_credentials(&self, user: impl Into<String>, password: impl Into<Secret>) {
        self.inner
            .set_credentials(Some(Credentials::new(user, password)));
    }

    /// Drops the credentials: later requests are sent without any.
    pub fn clear_credentials(&self) {
        self.inner.set_credentials(None);
    }

    /// Forgets that the device rejected this handle's user (every credential of that user on
    /// this device). Use it only when you know the device now accepts the credential (for
    /// example after its password was reset to match): each rejected try counts toward the
    /// device's lock-out.
    pub fn clear_credential_latch(&self) {
        if let Some(user) = self.user() {
            self.inner.guard.clear(&self.inner.host, &user);
        }
    }

    /// True when the current credentials are latched (the device rejected them before).
    pub fn credentials_latched(&self) -> bool {
        self.inner
            .credentials()
            .is_some_and(|c| self.inner.guard.is_latched(&self.inner.host, &c))
    }

    /// The lock-out guard this handle uses.
    pub fn lockout_guard(&self) -> &LockoutGuard {
        &self.inner.guard
    }

    /// Request counters (shared by clones): requests sent, 401s seen, authentication round trips.
    pub fn stats(&self) -> RequestStats {
        self.inner.counters.snapshot()
    }

    /// Whether the device accepts digest nonce reuse, as far as this handle has seen.
    pub fn nonce_reuse(&self) -> NonceReuse {
        self.inner.nonce_reuse()
    }

    /// Checks the credentials with one login and no hidden retries.
    ///
    /// In [`AuthMode::Session`] this opens the session (if none is open). Otherwise it reads
    /// `GET /ISAPI/Security/userCheck` (a probe and one authenticated try the first time).
    /// A rejection gives [`Error::CredentialsRejected`] or [`Error::Locked`] and latches the
    /// credential.
    pub async fn login(&self) -> Result<()> {
        let Some(creds) = self.inner.credentials() else {
            return Err(Error::invalid(
                "login needs credentials and none were given",
            ));
        };
        if self.inner.mode == AuthMode::Session {
            if self.inner.session.is_open() {
                return Ok(());
            }
            let inner = &self.inner;
            let fut = async {
                let mut admission = Some(inner.guard.admit(&inner.host, &creds).await?);
                inner.session_login(&creds, u64::MAX, &mut admission).await
            };
            return tokio::time::timeout(self.inner.http.request_timeout, fut)
                .await
                .map_err(|_| Error::Timeout {
                    operation: "session login".into(),
                    after: self.inner.http.request_timeout,
                })?;
        }
        let resp = self.request(Request::get(user_check::PATH)).await?;
        let check = UserCheck::from_xml(&resp.body).unwrap_or_default();
        if check.status_value == Some(401) {
            // a 200 whose body says 401: the device rejected the credentials
            let outcome = LoginOutcome::from_body(&resp.body);
            self.inner.guard.latch(&self.inner.host, &creds, &outcome);
            return Err(outcome.into_error(&creds.user));
        }
        Ok(())
    }

    /// True while an ISAPI session is open ([`AuthMode::Session`]).
    pub fn session_open(&self) -> bool {
        self.inner.session.is_open()
    }

    /// Sends one `PUT /ISAPI/Security/sessionHeartbeat` (logging in first, or again once if the
    /// session expired). Only in [`AuthMode::Session`].
    pub async fn session_heartbeat(&self) -> Result<()> {
        self.require_session_mode()?;
        self.request(Request::put(crate::auth::session::HEARTBEAT_PATH))
            .await?
            .status()
            .map(drop)
    }

    /// Starts a background task that sends a heartbeat every `every` (the web UI uses 30 s).
    /// Needs a running tokio runtime. Only in [`AuthMode::Session`].
    pub fn spawn_session_heartbeat(&self, every: Duration) -> Result<SessionHeartbeat> {
        self.require_session_mode()?;
        if every.is_zero() {
            return Err(Error::invalid(
                "the heartbeat interval must be greater than zero",
            ));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::invalid(
                "spawn_session_heartbeat needs a running tokio runtime",
            ));
        }
        Ok(SessionHeartbeat::spawn(Arc::downgrade(&self.inner), every))
    }

    /// Ends the ISAPI session (`PUT /ISAPI/Security/sessionLogout`), if one is open.
    pub async fn logout(&self) -> Result<()> {
        self.inner.session_logout().await
    }

    fn require_session_mode(&self) -> Result<()> {
        if self.inner.mode != AuthMode::Session {
            return Err(Error::invalid("session heartbeats need AuthMode::Session"));
        }
        Ok(())
    }
}

/// Adds `format=json` to a path's query unless it is already there.
pub fn with_json_format(path: &str) -> String {
    if path.contains("format=json") {
        path.to_owned()
    } else if path.contains('?') {
        format!("{path}&format=json")
    } else {
        format!("{path}?format=json")
    }
}
