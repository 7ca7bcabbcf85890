//! `_hikproto.Simulator`: a simulated site (`hikproto-sim`) started from Python, for tests and
//! demos. The site runs on a runtime of its own, so it keeps serving while Python code blocks.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use hikproto_sim::{BlockingSite, Fault, Personality, SimDevice, SiteBuilder, SiteConfig, support};

use crate::convert::{from_py, to_py};
use crate::errors::{invalid, simulator_error};

/// A running simulated site.
#[pyclass(frozen, module = "hikproto._hikproto", name = "Simulator")]
pub(crate) struct PySimulator {
    site: Mutex<Option<BlockingSite>>,
}

fn fault(name: &str, seconds: Option<f64>) -> PyResult<Fault> {
    Ok(match name {
        "latency" => {
            let s = seconds.ok_or_else(|| invalid("the latency fault needs seconds="))?;
            if !(s.is_finite() && (0.0..3600.0).contains(&s)) {
                return Err(invalid("latency must be between 0 and 3600 seconds"));
            }
            Fault::Latency(Duration::from_secs_f64(s))
        }
        "drop_connections" => Fault::DropConnections,
        "truncated_bodies" => Fault::TruncatedBodies,
        "http500" => Fault::Http500,
        "garbage_xml" => Fault::GarbageXml,
        "wrong_content_type" => Fault::WrongContentType,
        "stop_reading" => Fault::StopReading,
        other => return Err(invalid(format!("unknown fault {other:?}"))),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl PySimulator {
    fn with_device<T>(&self, i: usize, f: impl FnOnce(&SimDevice) -> PyResult<T>) -> PyResult<T> {
        let guard = self
            .site
            .lock()
            .map_err(|_| invalid("the simulator is unusable"))?;
        let site = guard
            .as_ref()
            .ok_or_else(|| invalid("the simulator is stopped"))?;
        let dev = site.get(i).ok_or_else(|| {
            invalid(format!(
                "no simulated device {i} (the site has {})",
                site.len()
            ))
        })?;
        f(dev)
    }

    fn with_site<T>(&self, f: impl FnOnce(&BlockingSite) -> PyResult<T>) -> PyResult<T> {
        let guard = self
            .site
            .lock()
            .map_err(|_| invalid("the simulator is unusable"))?;
        let site = guard
            .as_ref()
            .ok_or_else(|| invalid("the simulator is stopped"))?;
        f(site)
    }
}

#[pymethods]
impl PySimulator {
    /// Starts `devices` default cameras (activated with `password`, or in factory state when it
    /// is `None`) after the devices of `config` (a dict, or TOML/JSON text), with `personality`
    /// (a dict of personality fields) for the generated ones; `sadp` also starts a SADP responder
    /// per device (unicast, loopback).
    #[new]
    #[pyo3(signature = (devices=1, *, password=None, personality=None, config=None, https=false, sadp=false))]
    fn new(
        py: Python<'_>,
        devices: usize,
        password: Option<String>,
        personality: Option<&Bound<'_, PyAny>>,
        config: Option<&Bound<'_, PyAny>>,
        https: bool,
        sadp: bool,
    ) -> PyResult<Self> {
        let cfg = match config {
            None => SiteConfig::default(),
            Some(c) => {
                if let Ok(text) = c.extract::<String>() {
                    let t = text.trim_start();
                    if t.starts_with('{') {
                        SiteConfig::from_json(&text)
                    } else {
                        SiteConfig::from_toml(&text)
                    }
                    .map_err(simulator_error)?
                } else {
                    serde_json::from_value(from_py(c)?)
                        .map_err(|e| invalid(format!("invalid simulator config: {e}")))?
                }
            }
        };
        let mut b = SiteBuilder::from_config(cfg).devices(devices).https(https);
        if sadp {
            // one SADP responder per device on an ephemeral loopback port
            b = b.sadp_port(0);
        }
        if let Some(pw) = &password {
            b = b.password(pw);
        }
        if let Some(p) = personality {
            let mut base = serde_json::to_value(Personality::camera())
                .map_err(|e| invalid(format!("personality: {e}")))?;
            if let (Some(obj), serde_json::Value::Object(over)) =
                (base.as_object_mut(), from_py(p)?)
            {
                obj.extend(over);
            }
            let p: Personality = serde_json::from_value(base)
                .map_err(|e| invalid(format!("invalid personality: {e}")))?;
            b = b.personality(p);
        }
        let site = py
            .detach(move || b.start_blocking())
            .map_err(simulator_error)?;
        Ok(Self {
            site: Mutex::new(Some(site)),
        })
    }

    /// How many devices the site serves.
    fn __len__(&self) -> PyResult<usize> {
        self.with_site(|s| Ok(s.len()))
    }

    /// True until `stop()`.
    #[getter]
    fn running(&self) -> bool {
        self.site.lock().map(|g| g.is_some()).unwrap_or(false)
    }

    /// Stops every listener (idempotent).
    fn stop(&self, py: Python<'_>) {
        let site = self.site.lock().ok().and_then(|mut g| g.take());
        if let Some(site) = site {
            py.detach(move || site.shutdown());
        }
    }

    /// Where device `i` listens and who it is.
    fn device(&self, py: Python<'_>, i: usize) -> PyResult<Py<PyDict>> {
        self.with_device(i, |d| {
            let out = PyDict::new(py);
            out.set_item("index", d.index())?;
            out.set_item("ip", d.http_addr().ip().to_string())?;
            out.set_item("port", d.http_addr().port())?;
            out.set_item("isapi_url", d.isapi_url())?;
            out.set_item("https_port", d.https_addr().map(|a| a.port()))?;
            out.set_item("cert_sha256", d.cert_sha256().map(|c| hex(&c)))?;
            out.set_item("sadp_addr", d.sadp_addr().map(|a| a.to_string()))?;
            out.set_item("serial", d.serial())?;
            out.set_item("short_serial", d.short_serial())?;
            out.set_item("model", d.model())?;
            out.set_item("mac", d.mac())?;
            Ok(out.unbind())
        })
    }

    /// Device `i`'s counters.
    fn stats(&self, py: Python<'_>, i: usize) -> PyResult<Py<PyAny>> {
        let v = self.with_device(i, |d| {
            serde_json::to_value(d.stats()).map_err(|e| invalid(e.to_string()))
        })?;
        to_py(py, &v)
    }

    /// Zeroes device `i`'s counters.
    fn reset_stats(&self, i: usize) -> PyResult<()> {
        self.with_device(i, |d| {
            d.reset_stats();
            Ok(())
        })
    }

    /// Switches a fault on for device `i`: `latency` (with `seconds`), `drop_connections`,
    /// `truncated_bodies`, `http500`, `garbage_xml`, `wrong_content_type`, `stop_reading`.
    #[pyo3(signature = (i, name, seconds=None))]
    fn set_fault(&self, i: usize, name: &str, seconds: Option<f64>) -> PyResult<()> {
        let f = fault(name, seconds)?;
        self.with_device(i, |d| {
            d.set_fault(f);
            Ok(())
        })
    }

    /// Switches every fault off for device `i`.
    fn clear_faults(&self, i: usize) -> PyResult<()> {
        self.with_device(i, |d| {
            d.clear_faults();
            Ok(())
        })
    }

    /// Whether device `i` is activated.
    fn is_activated(&self, i: usize) -> PyResult<bool> {
        self.with_device(i, |d| Ok(d.is_activated()))
    }

    /// The password device `i` holds for `user` (a test helper: the simulated device's secret).
    #[pyo3(signature = (i, user="admin"))]
    fn password(&self, i: usize, user: &str) -> PyResult<Option<String>> {
        self.with_device(i, |d| Ok(d.password(user).map(|s| s.expose().to_owned())))
    }

    /// The verification code device `i` holds (a test helper).
    fn verification_code(&self, i: usize) -> PyResult<Option<String>> {
        self.with_device(i, |d| {
            Ok(d.verification_code().map(|s| s.expose().to_owned()))
        })
    }

    /// Lifts every lock on device `i`.
    fn unlock_all(&self, i: usize) -> PyResult<()> {
        self.with_device(i, |d| {
            d.unlock_all();
            Ok(())
        })
    }

    /// Reboots device `i` (unreachable for its configured time).
    fn reboot(&self, i: usize) -> PyResult<()> {
        self.with_device(i, |d| {
            d.reboot();
            Ok(())
        })
    }

    /// Whether device `i` is rebooting.
    fn is_rebooting(&self, i: usize) -> PyResult<bool> {
        self.with_device(i, |d| Ok(d.is_rebooting()))
    }

    /// Platform side: binds device `serial` to `account` with verification `code`.
    fn platform_bind(&self, serial: &str, account: &str, code: &str) -> PyResult<()> {
        self.with_site(|s| {
            s.platform()
                .bind(serial, account, code)
                .map_err(simulator_error)
        })
    }

    /// Platform side: unbinds device `serial`.
    fn platform_unbind(&self, serial: &str) -> PyResult<()> {
        self.with_site(|s| s.platform().unbind(serial).map_err(simulator_error))
    }

    /// Platform side: what the platform holds about `serial` (`None` when nothing).
    fn platform_record(&self, py: Python<'_>, serial: &str) -> PyResult<Option<Py<PyDict>>> {
        let rec = self.with_site(|s| Ok(s.platform().record(serial)))?;
        rec.map(|r| {
            let d = PyDict::new(py);
            d.set_item("serial", r.serial)?;
            d.set_item("account", r.account)?;
            d.set_item("code", r.code.map(|c| c.expose().to_owned()))?;
            d.set_item("registered", r.registered)?;
            d.set_item("offline_reason", r.offline_reason)?;
            Ok(d.unbind())
        })
        .transpose()
    }

    /// The site's current configuration (device state included) as a dict.
    fn snapshot(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v = self.with_site(|s| {
            serde_json::to_value(s.snapshot()).map_err(|e| invalid(e.to_string()))
        })?;
        to_py(py, &v)
    }

    /// Plays the vendor's mail service of the simulator's test scheme: the code for an e-mail
    /// reset QR payload.
    #[staticmethod]
    fn support_answer_email_qr(qr: &str) -> PyResult<String> {
        support::answer_email_qr(qr).map_err(simulator_error)
    }

    /// Plays the Hik-Connect app of the simulator's test scheme: the code it shows for a phone
    /// (app) reset QR payload.
    #[staticmethod]
    fn support_answer_app_qr(qr: &str) -> String {
        hikproto_sim::sadp::tokens::app_code(qr)
    }

    /// Plays the vendor's support desk of the simulator's test scheme: the reply to an exported
    /// reset string.
    #[staticmethod]
    fn support_answer_export(export: &str) -> PyResult<String> {
        support::answer_export(export).map_err(simulator_error)
    }

    fn __repr__(&self) -> String {
        match self
            .site
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|s| s.len()))
        {
            Some(n) => format!("<Simulator running {n} devices>"),
            None => "<Simulator stopped>".to_owned(),
        }
    }
}
