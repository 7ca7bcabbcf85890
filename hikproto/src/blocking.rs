//! A blocking facade over the async [`crate::Device`], for scripts, the C ABI and callers
//! without an async runtime.
//!
//! Every [`Device`] here wraps an async [`crate::Device`] and one **process-wide, shared tokio
//! runtime** (multi-threaded, [`WORKER_THREADS`] worker threads named `hikproto-blocking`,
//! created on first use and never shut down). A blocking call runs its future on the calling
//! thread with `block_on`, while the runtime's workers drive connections, timers and
//! background tasks such as [`Device::spawn_session_heartbeat`]. Many threads may call many
//! handles at once.
//!
//! Calling a blocking method from inside an async task works (the future is then run on a
//! short-lived helper thread, because tokio forbids `block_on` inside a runtime) but blocks that
//! task's worker: in async code use the async [`crate::Device`] instead.
//!
//! Other modules add blocking twins of their operations in one line each with
//! [`Device::run`] and [`Device::async_device`]:
//!
//! ```no_run
//! # fn demo() -> hikproto::Result<()> {
//! let dev = hikproto::blocking::Device::builder("192.0.2.10")
//!     .credentials("admin", "Passw0rd!x")
//!     .build_blocking()?;
//! let info = dev.device_info()?;
//! // any async operation, blocking:
//! let caps = dev.run(dev.async_device().get_xml("/ISAPI/System/capabilities"))?;
//! # let _ = (info, caps); Ok(()) }
//! ```

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::runtime::Runtime;

use crate::auth::{AuthMode, NonceReuse};
use crate::client::{DeviceBuilder, Request, RequestStats, Response, SessionHeartbeat};
use crate::error::{Error, Result};
use crate::isapi::device_info::DeviceInfo;
use crate::isapi::status::ResponseStatus;
use crate::keys::Secret;
use crate::xml::{Element, FromXml};

/// Worker threads of the shared runtime.
pub const WORKER_THREADS: usize = 2;

/// The shared runtime (created on first use).
pub fn runtime() -> Result<&'static Runtime> {
    static RT: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("hikproto-blocking")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Error::Transport {
        host: "local I/O runtime".into(),
        source: std::io::Error::other(e.clone()).into(),
    })
}

/// Runs `f` to completion on the shared runtime, blocking the calling thread.
///
/// Safe to call from inside an async context (see the [module docs](self)).
pub fn block_on<F>(f: F) -> Result<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime()?;
    if tokio::runtime::Handle::try_current().is_ok() {
        let joined = std::thread::scope(|s| s.spawn(|| rt.block_on(f)).join());
        return Ok(joined.unwrap_or_else(|p| std::panic::resume_unwind(p)));
    }
    Ok(rt.block_on(f))
}

/// A blocking handle to one device. Clone it freely; clones share the async handle's state.
#[derive(Clone, Debug)]
pub struct Device {
    inner: crate::Device,
    rt: &'static Runtime,
}

impl DeviceBuilder {
    /// Builds a blocking handle (see [`crate::blocking`]).
    pub fn build_blocking(self) -> Result<Device> {
        let rt = runtime()?;
        let _guard = rt.enter();
        Ok(Device {
            inner: self.build()?,
            rt,
        })
    }
}

impl Device {
    /// Starts building a handle; finish with [`DeviceBuilder::build_blocking`].
    pub fn builder(host: impl Into<String>) -> DeviceBuilder {
        crate::Device::builder(host)
    }

    /// Wraps an existing async handle (they share all state).
    pub fn from_async(device: crate::Device) -> Result<Self> {
        Ok(Self {
            inner: device,
            rt: runtime()?,
        })
    }

    /// The async handle underneath (to call any async operation through [`Device::run`]).
    pub fn async_device(&self) -> &crate::Device {
        &self.inner
    }

    /// A handle whose operations may send secrets in clear when neither TLS nor the device's
    /// field cipher protects them (see [`crate::Device::allow_plaintext_secrets`]).
    pub fn allow_plaintext_secrets(&self) -> Self {
        Self {
            inner: self.inner.allow_plaintext_secrets(),
            rt: self.rt,
        }
    }

    /// Runs a future on the shared runtime, blocking until it completes. This is how blocking
    /// twins of async operations are written: `dev.run(dev.async_device().some_op())`.
    pub fn run<F>(&self, f: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            let rt = self.rt;
            let joined = std::thread::scope(|s| s.spawn(|| rt.block_on(f)).join());
            return joined.unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
        self.rt.block_on(f)
    }

    /// See [`crate::Device::request`].
    pub fn request(&self, req: Request) -> Result<Response> {
        self.run(self.inner.request(req))
    }

    /// See [`crate::Device::get_xml`].
    pub fn get_xml(&self, path: &str) -> Result<Element> {
        self.run(self.inner.get_xml(path))
    }

    /// See [`crate::Device::get`].
    pub fn get<T: FromXml + Send>(&self, path: &str) -> Result<T> {
        self.run(self.inner.get::<T>(path))
    }

    /// See [`crate::Device::put_xml`].
    pub fn put_xml(&self, path: &str, body: &Element) -> Result<ResponseStatus> {
        self.run(self.inner.put_xml(path, body))
    }

    /// See [`crate::Device::post_xml`].
    pub fn post_xml(&self, path: &str, body: &Element) -> Result<Element> {
        self.run(self.inner.post_xml(path, body))
    }

    /// See [`crate::Device::delete`].
    pub fn delete(&self, path: &str) -> Result<ResponseStatus> {
        self.run(self.inner.delete(path))
    }

    /// See [`crate::Device::get_json`].
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        self.run(self.inner.get_json(path))
    }

    /// See [`crate::Device::put_json`].
    pub fn put_json(&self, path: &str, body: &serde_json::Value) -> Result<serde_json::Value> {
        self.run(self.inner.put_json(path, body))
    }

    /// See [`crate::Device::post_json`].
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Result<serde_json::Value> {
        self.run(self.inner.post_json(path, body))
    }

    /// See [`crate::Device::device_info`].
    pub fn device_info(&self) -> Result<DeviceInfo> {
        self.run(self.inner.device_info())
    }

    /// See [`crate::Device::login`].
    pub fn login(&self) -> Result<()> {
        self.run(self.inner.login())
    }

    /// See [`crate::Device::logout`].
    pub fn logout(&self) -> Result<()> {
        self.run(self.inner.logout())
    }

    /// See [`crate::Device::session_heartbeat`].
    pub fn session_heartbeat(&self) -> Result<()> {
        self.run(self.inner.session_heartbeat())
    }

    /// See [`crate::Device::spawn_session_heartbeat`]; the task runs on the shared runtime.
    pub fn spawn_session_heartbeat(&self, every: Duration) -> Result<SessionHeartbeat> {
        let _guard = self.rt.enter();
        self.inner.spawn_session_heartbeat(every)
    }

    /// See [`crate::Device::set_credentials`].
    pub fn set_credentials(&self, user: impl Into<String>, password: impl Into<Secret>) {
        self.inner.set_credentials(user, password);
    }

    /// See [`crate::Device::clear_credentials`].
    pub fn clear_credentials(&self) {
        self.inner.clear_credentials();
    }

    /// See [`crate::Device::clear_credential_latch`].
    pub fn clear_credential_latch(&self) {
        self.inner.clear_credential_latch();
    }

    /// See [`crate::Device::stats`].
    pub fn stats(&self) -> RequestStats {
        self.inner.stats()
    }

    /// See [`crate::Device::nonce_reuse`].
    pub fn nonce_reuse(&self) -> NonceReuse {
        self.inner.nonce_reuse()
    }

    /// See [`crate::Device::auth_mode`].
    pub fn auth_mode(&self) -> AuthMode {
        self.inner.auth_mode()
    }

    /// See [`crate::Device::base_url`].
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// See [`crate::Device::host`].
    pub fn host(&self) -> &str {
        self.inner.host()
    }

    /// See [`crate::Device::user`].
    pub fn user(&self) -> Option<String> {
        self.inner.user()
    }
}
