//! SADP from Python: discovery on the LAN and the commands a device accepts before (or
//! instead of) ISAPI. Datagrams go only where the caller points them; the default search is
//! the LAN multicast/broadcast one the vendor tool performs.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use hikproto::reset::NewPassword;

use hikproto::sadp::{
    ClientOptions, DeviceTarget, DiscoverOptions, DiscoveredDevice, MacAddr, ProbeMatch, SadpClient,
};

use crate::convert::to_py;
use crate::errors::{invalid, to_py_err};
use crate::runtime::wait;

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

/// Searches for devices. `addresses` (`"ip:port"`) sends unicast inquiries only; `subnet`
/// (`(first_ip, last_ip)`) sweeps a range; neither means the LAN multicast/broadcast search.
#[pyfunction]
#[pyo3(signature = (*, addresses=None, subnet=None, timeout=3.0, expect=None, bind=None))]
pub(crate) fn sadp_discover(
    py: Python<'_>,
    addresses: Option<Vec<String>>,
    subnet: Option<(String, String)>,
    timeout: f64,
    expect: Option<usize>,
    bind: Option<String>,
) -> PyResult<Vec<PySadpDevice>> {
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
    let found =
        wait(py, async move { hikproto::sadp::discover(&opts).await })?.map_err(to_py_err)?;
    Ok(found
        .into_iter()
        .map(|found| PySadpDevice { found })
        .collect())
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

    /// Runs SADP command `op` on `target` (a discovered device or `(mac, "ip:port")`).
    #[pyo3(signature = (op, target, kwargs=None))]
    fn call(
        &self,
        py: Python<'_>,
        op: &str,
        target: &Bound<'_, PyAny>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let found = target.cast::<PySadpDevice>().ok();
        let cmd = Cmd::parse(op, kwargs, found.as_ref().map(|d| d.get().probe_match()))?;
        let t = self::target(target)?;
        let c = self.client.clone();
        let out = wait(py, cmd.run(c, t))?.map_err(PyErr::from)?;
        out.into_py(py)
    }

    /// Exports the key file for vendor support to exactly `path` (verbatim), with its sidecar
    /// `<path>.hikproto.json` (serial, export time, boot time); returns the export's record.
    fn export_key_file(
        &self,
        py: Python<'_>,
        target: &Bound<'_, PyAny>,
        path: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        key_file::export(py, self.client.clone(), self::target(target)?, path)
    }

    /// Resets the admin password with support's reply file, checked first (against the key
    /// file's sidecar when `key_file` is given, and the device's fresh SADP answer); the new
    /// password is checked before anything is sent.
    #[pyo3(signature = (target, reply_path, new_password, *, key_file=None, sync_camera_passwords=false))]
    fn reset_with_reply_file(
        &self,
        py: Python<'_>,
        target: &Bound<'_, PyAny>,
        reply_path: PathBuf,
        new_password: String,
        key_file: Option<PathBuf>,
        sync_camera_passwords: bool,
    ) -> PyResult<()> {
        let new = NewPassword::new(new_password).sync_camera_passwords(sync_camera_passwords);
        key_file::reset(
            py,
            self.client.clone(),
            self::target(target)?,
            reply_path,
            new,
            key_file,
        )
    }
}
