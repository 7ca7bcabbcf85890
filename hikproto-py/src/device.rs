//! `_hikproto.Device`: one device handle, shared safely between Python threads.

use std::sync::RwLock;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use hikproto::auth::AuthMode;
use hikproto::{Device, TlsMode};

use crate::errors::{invalid, to_py_err};
use crate::ops::Op;
use crate::runtime::Flavour;

/// A handle to one device (the low-level class under `hikproto.Device`).
///
/// Frozen and internally synchronised: one handle may be used from many threads at once. Every
/// call releases the GIL while the network work runs on the extension's shared runtime.
#[pyclass(frozen, module = "hikproto._hikproto", name = "Device")]
pub(crate) struct PyDevice {
    inner: RwLock<Option<Device>>,
    base_url: String,
    user: Option<String>,
}

/// Parses a SHA-256 fingerprint given as hex, with or without `:` separators.
fn parse_pin(s: &str) -> PyResult<[u8; 32]> {
    let hex: String = s
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid("pin_sha256 must be 64 hex digits (colons allowed)"));
    }
    let mut out = [0u8; 32];
    for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(chunk).map_err(|_| invalid("pin_sha256 is not hex"))?;
        out[i] = u8::from_str_radix(pair, 16).map_err(|_| invalid("pin_sha256 is not hex"))?;
    }
    Ok(out)
}

fn seconds(name: &str, v: f64) -> PyResult<Duration> {
    if !(v.is_finite() && v > 0.0 && v < 1e7) {
        return Err(invalid(format!(
            "{name} must be a positive number of seconds"
        )));
    }
    Ok(Duration::from_secs_f64(v))
}

impl PyDevice {
    /// The core handle, or an error once the handle is closed.
    pub(crate) fn device(&self) -> PyResult<Device> {
        self.inner
            .read()
            .map_err(|_| invalid("the device handle is unusable"))?
            .clone()
            .ok_or_else(|| invalid("the device handle is closed"))
    }

    /// `call` and `call_async`: parses `op` with the GIL held, runs it in `flavour`.
    fn run<'py>(
        &self,
        py: Python<'py>,
        flavour: Flavour,
        op: &str,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let op = Op::parse(op, kwargs)?;
        let dev = self.device()?;
        flavour.run(py, |_| async move { op.run(dev).await.map_err(to_py_err) })
    }
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (host, user=None, password=None, *, port=None, https=false, verify=true,
                        pin_sha256=None, timeout=15.0, connect_timeout=None, auth="auto"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        host: &str,
        user: Option<String>,
        password: Option<String>,
        port: Option<i64>,
        https: bool,
        verify: bool,
        pin_sha256: Option<&str>,
        timeout: f64,
        connect_timeout: Option<f64>,
        auth: &str,
    ) -> PyResult<Self> {
        let auth = match auth {
            "auto" => AuthMode::Auto,
            "digest" => AuthMode::Digest,
            "basic" => AuthMode::Basic,
            "session" => AuthMode::Session,
            other => {
                return Err(invalid(format!(
                    "auth must be \"auto\", \"digest\", \"basic\" or \"session\", not {other:?}"
                )));
            }
        };
        let host = host.trim();
        let port = port
            .map(|p| {
                u16::try_from(p)
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| invalid(format!("port must be 1 to 65535, not {p}")))
            })
            .transpose()?;
        // a pinned certificate only means something over HTTPS: pin_sha256 implies https
        let https = https || pin_sha256.is_some();
        let addr = match port {
            Some(p) => hikproto::DeviceAddress::new(host, Some(p)).to_string(),
            None => host.to_owned(),
        };
        let timeout = seconds("timeout", timeout)?;
        let connect = match connect_timeout {
            Some(c) => seconds("connect_timeout", c)?,
            None => timeout.min(Duration::from_secs(5)),
        };
        let mut b = Device::builder(addr)
            .https(https)
            .timeout(timeout)
            .connect_timeout(connect)
            .auth_mode(auth);
        b = match (pin_sha256, verify) {
            (Some(pin), _) => b.tls(TlsMode::PinSha256(parse_pin(pin)?)),
            (None, false) => b.tls(TlsMode::DangerAcceptInvalidCerts),
            (None, true) => b.tls(TlsMode::Verify),
        };
        match (user, password) {
            (Some(u), Some(p)) => b = b.credentials(u, p),
            (Some(u), None) => b = b.credentials(u, ""),
            (None, Some(_)) => return Err(invalid("a password was given without a user")),
            (None, None) => {}
        }
        let dev = b.build().map_err(to_py_err)?;
        Ok(Self {
            base_url: dev.base_url().to_owned(),
            user: dev.user(),
            inner: RwLock::new(Some(dev)),
        })
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The user name this handle logs in with.
    #[getter]
    fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.read().map(|g| g.is_none()).unwrap_or(true)
    }

    /// Drops this handle's connections; later calls raise `InvalidArgumentError`.
    fn close(&self) {
        if let Ok(mut g) = self.inner.write() {
            *g = None;
        }
    }

    /// A handle to the same device whose calls may send secrets in clear over plain HTTP when
    /// neither HTTPS nor the device's `security=1` cipher protects them.
    fn allow_plaintext_secrets(&self) -> PyResult<Self> {
        let dev = self.device()?.allow_plaintext_secrets();
        Ok(Self {
            base_url: self.base_url.clone(),
            user: self.user.clone(),
            inner: RwLock::new(Some(dev)),
        })
    }

    /// Replaces the credentials (and lifts the latch a rejected password left).
    fn set_credentials(&self, user: String, password: String) -> PyResult<()> {
        self.device()?.set_credentials(user, password);
        Ok(())
    }

    /// True when the device rejected this handle's password and it will not be sent again.
    #[getter]
    fn credentials_latched(&self) -> PyResult<bool> {
        Ok(self.device()?.credentials_latched())
    }

    /// Forgets the latch on this handle's user for this device: the next call may send the
    /// credentials again (each rejected try counts toward the device's lock-out).
    fn clear_credential_latch(&self) -> PyResult<()> {
        self.device()?.clear_credential_latch();
        Ok(())
    }

    /// What this handle sent so far: `requests_sent`, `unauthorized_seen`, `auth_round_trips`,
    /// `credentials_sent`, `session_logins`.
    fn request_stats(&self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let s = self.device()?.stats();
        let d = PyDict::new(py);
        d.set_item("requests_sent", s.requests_sent)?;
        d.set_item("unauthorized_seen", s.unauthorized_seen)?;
        d.set_item("auth_round_trips", s.auth_round_trips)?;
        d.set_item("credentials_sent", s.credentials_sent)?;
        d.set_item("session_logins", s.session_logins)?;
        Ok(d.unbind())
    }

    /// Runs operation `op` with keyword arguments `kwargs`, blocking (GIL released).
    #[pyo3(signature = (op, kwargs=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, Flavour::Blocking, op, kwargs)
    }

    /// Runs operation `op` and returns an awaitable (asyncio), resolved on the shared runtime.
    #[pyo3(signature = (op, kwargs=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, Flavour::Asyncio, op, kwargs)
    }

    fn __repr__(&self) -> String {
        match &self.user {
            Some(u) => format!("<Device {} user={u:?}>", self.base_url),
            None => format!("<Device {}>", self.base_url),
        }
    }
}
