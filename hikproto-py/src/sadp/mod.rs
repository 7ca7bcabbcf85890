//! SADP from Python: discovery on the LAN and the commands a device accepts before (or
//! instead of) ISAPI. Datagrams go only where the caller points them; the default search is
//! the LAN multicast/broadcast one the vendor tool performs.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use hikproto::sadp::{
    ClientOptions, DeviceTarget, DiscoverOptions, DiscoveredDevice, MacAddr, ProbeMatch, SadpClient,
};

use crate::args::Args;
use crate::convert::to_py;
use crate::errors::{invalid, to_py_err};
use crate::runtime::{Flavour, wait};

mod commands;
mod key_file;
use commands::Cmd;
pub(crate) use key_file::{check_reply, load_key_file};

fn secs(name: &str, v: f64) -> PyResult<Duration> {
    if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
        return Err(invalid(format!(
            "{name} must be a positive number of seconds"
        )));
    }
    Ok(Duration::from_secs_f64(v))
}

fn addr(s: &str) -> PyResult<SocketAddr> {
    s.parse().map_err(|_| {
        invalid(format!(
            "{s:?} is not an address with a port (e.g. \"192.0.2.5:37020\")"
        ))
    })
}

/// A device that answered a SADP search (keeps what commands need: MAC, address, user, salt).
#[pyclass(frozen, module = "hikproto._hikproto", name = "SadpDevice")]
pub(crate) struct PySadpDevice {
    found: DiscoveredDevice,
}

impl PySadpDevice {
    /// Everything the device said about itself in its latest reply.
    pub(crate) fn probe_match(&self) -> &ProbeMatch {
        &self.found.info
    }
}

#[pymethods]
impl PySadpDevice {
    /// Its MAC address.
    #[getter]
    fn mac(&self) -> String {
        self.found.mac.to_string()
    }

    /// Where its reply came from (`ip:port`).
    #[getter]
    fn address(&self) -> String {
        self.found.from.to_string()
    }

    /// Everything it said about itself, as a dict.
    fn info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v = serde_json::to_value(&self.found).map_err(|e| invalid(e.to_string()))?;
        to_py(py, &v)
    }

    fn __repr__(&self) -> String {
        format!("<SadpDevice {} at {}>", self.found.mac, self.found.from)
    }
}

/// The search `sadp_discover` and `sadp_discover_async` perform, from their keyword arguments.
fn search(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<DiscoverOptions> {
    let mut a = Args::new("sadp_discover", kwargs);
    let addresses: Option<Vec<String>> = a.opt("addresses")?;
    let subnet: Option<(String, String)> = a.opt("subnet")?;
    let timeout = a.opt("timeout")?.unwrap_or(3.0);
    let expect: Option<usize> = a.opt("expect")?;
    let bind: Option<String> = a.opt("bind")?;
    a.finish()?;
    let mut opts = match (addresses, subnet) {
        (Some(_), Some(_)) => return Err(invalid("give addresses or subnet, not both")),
        (Some(a), None) => {
            DiscoverOptions::unicast(a.iter().map(|s| addr(s)).collect::<PyResult<Vec<_>>>()?)
        }
        (None, Some((s, e))) => {
            let p = |x: &str| {
                x.parse::<Ipv4Addr>()
                    .map_err(|_| invalid(format!("{x:?} is not an IPv4 address")))
            };
            DiscoverOptions::subnet_range(p(&s)?, p(&e)?)
        }
        (None, None) => DiscoverOptions::default(),
    };
    opts = opts.timeout(secs("timeout", timeout)?);
    if let Some(n) = expect {
        opts = opts.expect(n);
    }
    if let Some(b) = bind {
        opts = opts.bind(addr(&b)?);
    }
    Ok(opts)
}

/// Runs the search in `flavour`: a list of `SadpDevice`, or an awaitable of it.
fn discover<'py>(
    py: Python<'py>,
    flavour: Flavour,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = search(kwargs)?;
    flavour.run(py, |_| async move {
        let found = hikproto::sadp::discover(&opts).await.map_err(to_py_err)?;
        Ok(found
            .into_iter()
            .map(|found| PySadpDevice { found })
            .collect::<Vec<_>>())
    })
}

/// Searches for devices; keyword arguments `addresses` (`"ip:port"`: unicast inquiries only),
/// `subnet` (`(first_ip, last_ip)`: a sweep; neither means the LAN multicast/broadcast search),
/// `timeout` (seconds, default 3), `expect` (stop once so many answered), `bind` (`"ip:port"`).
#[pyfunction]
#[pyo3(signature = (**search))]
pub(crate) fn sadp_discover<'py>(
    py: Python<'py>,
    search: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    discover(py, Flavour::Blocking, search)
}

/// `sadp_discover` as an awaitable (asyncio); cancelling the awaiting task ends the search.
#[pyfunction]
#[pyo3(signature = (**search))]
pub(crate) fn sadp_discover_async<'py>(
    py: Python<'py>,
    search: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    discover(py, Flavour::Asyncio, search)
}

/// A SADP command client (one UDP socket; commands are matched to replies by MAC and id).
#[pyclass(frozen, module = "hikproto._hikproto", name = "SadpClient")]
pub(crate) struct PySadpClient {
    client: SadpClient,
}

fn target(t: &Bound<'_, PyAny>) -> PyResult<DeviceTarget> {
    if let Ok(d) = t.cast::<PySadpDevice>() {
        return Ok(d.get().found.target());
    }
    let (mac, at): (String, String) = t.extract().map_err(|_| {
        invalid("a SADP target is a discovered device or a (mac, \"ip:port\") pair")
    })?;
    let mac = MacAddr::parse(&mac).map_err(|_| invalid(format!("{mac:?} is not a MAC address")))?;
    Ok(DeviceTarget::new(mac, addr(&at)?))
}

impl PySadpClient {
    /// `call` and `call_async`: parses the command with the GIL held, runs it in `flavour`.
    fn run<'py>(
        &self,
        py: Python<'py>,
        flavour: Flavour,
        op: &str,
        target: &Bound<'py, PyAny>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = target.cast::<PySadpDevice>().ok();
        let cmd = Cmd::parse(op, kwargs, found.as_ref().map(|d| d.get().probe_match()))?;
        let t = self::target(target)?;
        let c = self.client.clone();
        flavour.run(py, |warner| async move {
            cmd.run(c, t, warner).await.map_err(PyErr::from)
        })
    }
}

#[pymethods]
impl PySadpClient {
    #[new]
    #[pyo3(signature = (*, timeout=10.0, bind=None))]
    fn new(py: Python<'_>, timeout: f64, bind: Option<String>) -> PyResult<Self> {
        let mut opts = ClientOptions {
            timeout: secs("timeout", timeout)?,
            ..ClientOptions::default()
        };
        if let Some(b) = bind {
            opts.bind = addr(&b)?;
        }
        let client = wait(py, async move { SadpClient::new(opts).await })?.map_err(to_py_err)?;
        Ok(Self { client })
    }

    /// A client on the same socket whose commands may send a secret SADP cannot seal (a reset
    /// code to a device without `codeEncrypt`, the legacy code, a GUID) in clear.
    fn allow_plaintext_secrets(&self) -> Self {
        Self {
            client: self.client.allow_plaintext_secrets(),
        }
    }

    /// True for a client made by `allow_plaintext_secrets`.
    #[getter]
    fn plaintext_secrets_allowed(&self) -> bool {
        self.client.plaintext_secrets_allowed()
    }

    /// Runs SADP command `op` on `target` (a discovered device or `(mac, "ip:port")`),
    /// blocking (GIL released).
    #[pyo3(signature = (op, target, kwargs=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        target: &Bound<'py, PyAny>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, Flavour::Blocking, op, target, kwargs)
    }

    /// Like `call`, but returns an awaitable (asyncio); cancelling the awaiting task drops the
    /// command.
    #[pyo3(signature = (op, target, kwargs=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        target: &Bound<'py, PyAny>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, Flavour::Asyncio, op, target, kwargs)
    }
}
