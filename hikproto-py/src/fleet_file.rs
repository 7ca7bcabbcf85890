//! `_hikproto.fleet_file_start`: fleet work from a devices file (inventory, plan, apply,
//! journaled rotation), results as each device finishes through a [`PyFleetRun`] iterator.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Value, json};

use hikproto::fleet::changes::{self, CodeChoice, Desired};
use hikproto::fleet::devices_file::{CredentialsFile, DevicesFile, create_private};
use hikproto::fleet::inventory::inventory;
use hikproto::fleet::rotation::{Report, Rotation, Target};
use hikproto::fleet::{DeviceResult, Fleet, FleetStream};
use hikproto::keys::VerificationCode;
use hikproto::{Device, Secret};

use crate::convert::to_py;
use crate::errors::{invalid, to_py_err};
use crate::runtime::{Flavour, runtime};

/// A running fleet operation; iterating gives each device's result as it finishes.
#[pyclass(module = "hikproto._hikproto", name = "FleetRun")]
pub(crate) struct PyFleetRun {
    stream: Arc<tokio::sync::Mutex<Option<AnyStream>>>,
    stop: tokio::task::AbortHandle,
    keys: Arc<Vec<String>>,
    codes: Arc<Mutex<Option<std::fs::File>>>,
    total: usize,
}

fn load(devices: &str, credentials: Option<&str>) -> PyResult<(DevicesFile, Vec<Secret>)> {
    let file = DevicesFile::load(devices).map_err(|e| invalid(e.to_string()))?;
    let creds = credentials
        .map(CredentialsFile::load)
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let pws = file
        .resolve(creds.as_ref())
        .map_err(|e| invalid(e.to_string()))?;
    Ok((file, pws))
}

fn desired(o: &Bound<'_, PyDict>) -> PyResult<Desired> {
    let get = |k: &str| o.get_item(k).ok().flatten().filter(|v| !v.is_none());
    let dns = match get("dns") {
        None => None,
        Some(v) => {
            let list: Vec<String> = v.extract()?;
            let ip = |s: &String| {
                s.parse()
                    .map_err(|_| invalid(format!("{s:?} is not an IP address")))
            };
            match list.as_slice() {
                [p] => Some((ip(p)?, None)),
                [p, s] => Some((ip(p)?, Some(ip(s)?))),
                _ => return Err(invalid("dns takes one or two addresses")),
            }
        }
    };
    let code = match get("code") {
        None => None,
        Some(v) => {
            let s: String = v.extract()?;
            if s == "generate" {
                Some(CodeChoice::Generate)
            } else {
                Some(CodeChoice::Set(
                    VerificationCode::new(Secret::new(s)).map_err(to_py_err)?,
                ))
            }
        }
    };
    Ok(Desired {
        hik_connect: get("hik_connect").map(|v| v.extract()).transpose()?,
        dns,
        ntp: get("ntp").map(|v| v.extract()).transpose()?,
        code,
    })
}

type Boxed = std::pin::Pin<Box<dyn Future<Output = hikproto::Result<Value>> + Send>>;

/// Starts `op` (`inventory`, `plan`, `apply`, `rotate`) on every device of the devices file.
#[pyfunction]
#[pyo3(signature = (op, devices, credentials=None, *, concurrency=16, per_account_limit=None, per_site_limit=None, timeout=15.0, options=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fleet_file_start(
    py: Python<'_>,
    op: &str,
    devices: &str,
    credentials: Option<&str>,
    concurrency: usize,
    per_account_limit: Option<usize>,
    per_site_limit: Option<usize>,
    timeout: f64,
    options: Option<Bound<'_, PyDict>>,
) -> PyResult<PyFleetRun> {
    if !(timeout.is_finite() && timeout > 0.0 && timeout < 1e6) {
        return Err(invalid("timeout must be a positive number of seconds"));
    }
    let timeout = Duration::from_secs_f64(timeout);
    let (file, pws) = load(devices, credentials)?;
    let mut fleet = Fleet::new().concurrency(concurrency.max(1));
    if let Some(n) = per_account_limit {
        fleet = fleet.per_account_limit(n);
    }
    if let Some(n) = per_site_limit {
        fleet = fleet.per_site_limit(n);
    }
    let sites: Vec<Option<String>> = file.devices.iter().map(|d| d.site.clone()).collect();
    let keys: Vec<String> = file.devices.iter().map(|d| d.key()).collect();
    let handles = file
        .devices
        .iter()
        .zip(&pws)
        .map(|(e, p)| e.builder(p.clone()).timeout(timeout).build())
        .collect::<hikproto::Result<Vec<Device>>>()
        .map_err(to_py_err)?;
    let opts = options.unwrap_or_else(|| PyDict::new(py));
    let get_str = |k: &str| -> PyResult<Option<String>> {
        opts.get_item(k)?
            .filter(|v| !v.is_none())
            .map(|v| v.extract())
            .transpose()
    };
    let mut codes = None;
    let _guard = runtime().enter();
    let stream = match op {
        "inventory" => AnyStream::Values(fleet.stream_sited(handles, &sites, |_, d| {
            Box::pin(async move { Ok(json!(inventory(&d).await)) }) as Boxed
        })),
        "plan" | "apply" => {
            let want = desired(&opts)?;
            if op == "apply" && want.code == Some(CodeChoice::Generate) {
                let path = get_str("codes_out")?.ok_or_else(|| {
                    invalid("code=\"generate\" needs codes_out (a new private file)")
                })?;
                let mut f = create_private(std::path::Path::new(&path))
                    .map_err(|e| invalid(format!("{path}: {e}")))?;
                writeln!(f, "device,code").map_err(|e| invalid(e.to_string()))?;
                codes = Some(f);
            }
            let apply = op == "apply";
            AnyStream::Values(fleet.stream_sited(handles, &sites, move |_, d| {
                let want = want.clone();
                Box::pin(async move {
                    if apply {
                        let a = changes::apply(&d, &want).await?;
                        Ok(json!({
                            "changes": a.changes,
                            "new_code": a.new_code.map(|c| c.expose().to_owned()),
                        }))
                    } else {
                        Ok(json!({ "changes": changes::plan(&d, &want).await? }))
                    }
                }) as Boxed
            }))
        }
        "rotate" => {
            let journal = get_str("journal")?.ok_or_else(|| invalid("rotate needs journal"))?;
            let resume: bool = opts
                .get_item("resume")?
                .map(|v| v.extract())
                .transpose()?
                .unwrap_or(false);
            let path = std::path::Path::new(&journal);
            let rotation = if resume {
                Rotation::resume(path)
            } else {
                Rotation::start(path)
            }
            .map_err(to_py_err)?
            .timeout(timeout);
            let targets = targets(&file, &pws);
            AnyStream::Rotation(rotation.stream(&fleet, targets).map_err(to_py_err)?)
        }
        other => {
            return Err(invalid(format!(
                "unknown fleet operation {other:?} (inventory, plan, apply, rotate)"
            )));
        }
    };
    Ok(PyFleetRun {
        stop: stream.abort_handle(),
        stream: Arc::new(tokio::sync::Mutex::new(Some(stream))),
        total: keys.len(),
        keys: Arc::new(keys),
        codes: Arc::new(Mutex::new(codes)),
    })
}

fn targets(file: &DevicesFile, pws: &[Secret]) -> Vec<Target> {
    file.devices
        .iter()
        .zip(pws)
        .map(|(e, p)| Target {
            entry: e.clone(),
            old: p.clone(),
        })
        .collect()
}

/// The stream of a run: JSON values, or rotation reports.
enum AnyStream {
    Values(FleetStream<Value>),
    Rotation(FleetStream<Report>),
}

impl AnyStream {
    fn abort_handle(&self) -> tokio::task::AbortHandle {
        match self {
            Self::Values(s) => s.abort_handle(),
            Self::Rotation(s) => s.abort_handle(),
        }
    }

    async fn next(&mut self) -> Option<DeviceResult<Value>> {
        match self {
            Self::Values(s) => s.next().await,
            Self::Rotation(s) => s.next().await.map(|r| DeviceResult {
                index: r.index,
                device: r.device,
                outcome: r.outcome.map(|rep| json!(rep)),
                elapsed: r.elapsed,
            }),
        }
    }
}

/// Writes the rotation's final credentials (CSV, new private file); returns how many.
#[pyfunction]
#[pyo3(signature = (devices, journal, out, credentials=None))]
pub(crate) fn fleet_file_export(
    devices: &str,
    journal: &str,
    out: &str,
    credentials: Option<&str>,
) -> PyResult<usize> {
    let (file, pws) = load(devices, credentials)?;
    let rotation = Rotation::resume(std::path::Path::new(journal)).map_err(to_py_err)?;
    rotation
        .export_csv(&targets(&file, &pws), std::path::Path::new(out))
        .map_err(to_py_err)
}

#[pymethods]
impl PyFleetRun {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// `{index, device, ok, value, error}` of the next device to finish.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            let next = py.detach(|| {
                runtime().block_on(async {
                    let mut guard = self.stream.lock().await;
                    let Some(stream) = guard.as_mut() else {
                        return Ok(None);
                    };
                    match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
                        Ok(Some(r)) => Ok(Some(r)),
                        Ok(None) => {
                            guard.take();
                            Ok(None)
                        }
                        Err(_) => Err(()),
                    }
                })
            });
            match next {
                Err(()) => py.check_signals()?, // nothing yet: let Ctrl-C through
                Ok(None) => return Ok(None),
                Ok(Some(r)) => return item(py, &self.keys, &self.codes, r).map(Some),
            }
        }
    }

    /// An awaitable of the next device's result (as `__next__`), or `None` once every device
    /// has finished. Cancelling the awaiting task leaves the run as it was; `close` stops it.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (stream, keys, codes) = (self.stream.clone(), self.keys.clone(), self.codes.clone());
        Flavour::Asyncio.run(py, move |_| async move {
            let r = {
                let mut guard = stream.lock().await;
                match guard.as_mut() {
                    Some(s) => s.next().await,
                    None => None,
                }
            };
            Python::attach(|py| match r {
                Some(r) => item(py, &keys, &codes, r).map(Some),
                None => Ok(None),
            })
        })
    }

    /// Devices in the run.
    #[getter]
    fn total(&self) -> usize {
        self.total
    }

    /// Stops the devices still running (what finished stays finished: a rotation's journal
    /// is left ready for a resume).
    fn close(&self) {
        self.stop.abort();
        if let Ok(mut guard) = self.stream.try_lock() {
            guard.take();
        }
    }
}

/// The Python row of one device's result; a generated verification code goes to the codes file
/// only.
fn item(
    py: Python<'_>,
    keys: &[String],
    codes: &Mutex<Option<std::fs::File>>,
    r: DeviceResult<Value>,
) -> PyResult<Py<PyAny>> {
    let key = keys.get(r.index).cloned().unwrap_or_default();
    let (value, error) = match r.outcome {
        Ok(mut v) => {
            if let Some(code) = v.get_mut("new_code").map(Value::take) {
                if let (Some(c), Some(f)) = (
                    code.as_str(),
                    codes.lock().unwrap_or_else(|p| p.into_inner()).as_mut(),
                ) {
                    writeln!(f, "{key},{c}")
                        .and_then(|()| f.sync_data())
                        .map_err(|e| invalid(format!("cannot write the codes file: {e}")))?;
                }
                if let Some(o) = v.as_object_mut() {
                    o.remove("new_code");
                }
            }
            (v, Value::Null)
        }
        Err(e) => (Value::Null, Value::String(e.to_string())),
    };
    let ok = error.is_null();
    to_py(
        py,
        &json!({ "index": r.index, "device": key, "ok": ok, "value": value, "error": error }),
    )
}
