//! `_hikproto.Fleet`: one operation over many devices, run concurrently inside Rust by the
//! core's [`hikproto::fleet::Fleet`].

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use hikproto::Device;
use hikproto::fleet::{DeviceResult, Fleet, Progress};

use crate::device::PyDevice;
use crate::errors::{invalid, to_py_err};
use crate::ops::{Op, Out};
use crate::runtime::{Event, wait_with_events};

/// Many devices, and the limits to run operations over them with.
#[pyclass(frozen, module = "hikproto._hikproto", name = "Fleet")]
pub(crate) struct PyFleet {
    devices: Vec<Device>,
    fleet: Fleet,
}

type ProgressTuple = (usize, usize, String, bool);

/// What to run on each device: one operation for all, or one per device (per-device arguments).
enum Plan {
    One(Op),
    Each(Vec<Op>),
}

impl Plan {
    /// Parses `op` once with `kwargs`, or once per device with `per_device[i]` (full keyword
    /// arguments for device `i`), checked against the number of devices.
    fn parse(
        op: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
        per_device: Option<Vec<Bound<'_, PyDict>>>,
        devices: usize,
    ) -> PyResult<Arc<Self>> {
        Ok(Arc::new(match per_device {
            None => Self::One(Op::parse(op, kwargs)?),
            Some(list) => {
                if list.len() != devices {
                    return Err(invalid(format!(
                        "per_device has {} entries for {devices} devices",
                        list.len()
                    )));
                }
                Self::Each(
                    list.iter()
                        .map(|k| Op::parse(op, Some(k)))
                        .collect::<PyResult<_>>()?,
                )
            }
        }))
    }

    /// Runs device `i`'s operation.
    async fn run(self: Arc<Self>, i: usize, dev: Device) -> hikproto::Result<Out> {
        let op = match &*self {
            Self::One(op) => op.clone(),
            Self::Each(ops) => ops
                .get(i)
                .cloned()
                .ok_or_else(|| hikproto::Error::invalid("no operation for this device"))?,
        };
        op.run(dev).await
    }
}

fn progress_tuple(p: &Progress) -> ProgressTuple {
    (p.done, p.total, p.device.clone(), p.ok)
}

/// `(index, device, value, error, elapsed_seconds)` per device, in input order.
fn results_to_py(py: Python<'_>, results: Vec<DeviceResult<Out>>) -> PyResult<Vec<Py<PyTuple>>> {
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        let (value, error) = match r.outcome {
            Ok(v) => (v.into_py(py)?, py.None()),
            Err(e) => (py.None(), to_py_err(e).into_value(py).into_any()),
        };
        let t = PyTuple::new(
            py,
            [
                r.index.into_pyobject(py)?.into_any().unbind(),
                r.device.into_pyobject(py)?.into_any().unbind(),
                value,
                error,
                r.elapsed
                    .as_secs_f64()
                    .into_pyobject(py)?
                    .into_any()
                    .unbind(),
            ],
        )?;
        out.push(t.unbind());
    }
    Ok(out)
}

#[pymethods]
impl PyFleet {
    #[new]
    #[pyo3(signature = (devices, *, concurrency=32, per_host_limit=1, per_account_limit=None, deadline=None))]
    fn new(
        devices: Vec<Bound<'_, PyDevice>>,
        concurrency: usize,
        per_host_limit: usize,
        per_account_limit: Option<usize>,
        deadline: Option<f64>,
    ) -> PyResult<Self> {
        if concurrency == 0 || per_host_limit == 0 || per_account_limit == Some(0) {
            return Err(invalid("fleet limits must be at least 1"));
        }
        let mut fleet = Fleet::new()
            .concurrency(concurrency)
            .per_host_limit(per_host_limit);
        if let Some(n) = per_account_limit {
            fleet = fleet.per_account_limit(n);
        }
        if let Some(d) = deadline {
            if !(d.is_finite() && d > 0.0 && d < 1e7) {
                return Err(invalid("deadline must be a positive number of seconds"));
            }
            fleet = fleet.deadline(Duration::from_secs_f64(d));
        }
        let devices = devices
            .iter()
            .map(|d| d.get().device())
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self { devices, fleet })
    }

    /// How many devices the fleet holds.
    fn __len__(&self) -> usize {
        self.devices.len()
    }

    /// Runs `op` on every device, blocking with the GIL released. `per_device`, when given, holds
    /// each device's complete keyword arguments (in device order) instead of `kwargs`.
    /// `progress(done, total, device, ok)` is called on this thread after each device finishes; if it raises, the run is
    /// cancelled and the exception propagates.
    #[pyo3(signature = (op, kwargs=None, progress=None, per_device=None))]
    fn run(
        &self,
        py: Python<'_>,
        op: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
        progress: Option<Bound<'_, PyAny>>,
        per_device: Option<Vec<Bound<'_, PyDict>>>,
    ) -> PyResult<Vec<Py<PyTuple>>> {
        let plan = Plan::parse(op, kwargs, per_device, self.devices.len())?;
        let devices = self.devices.clone();
        let want_progress = progress.is_some();
        let base = self.fleet.clone();
        let results = wait_with_events(
            py,
            move |tx| {
                let fleet = if want_progress {
                    let tx = tx.clone();
                    base.on_progress(move |p| {
                        let _ = tx.send(Event::Progress(progress_tuple(p)));
                    })
                } else {
                    base
                };
                async move {
                    // `tx` lives until the run ends so the waiting thread sees progress, not a hang-up.
                    let _keep = tx;
                    fleet
                        .run_indexed(devices, move |i, d| plan.clone().run(i, d))
                        .await
                }
            },
            |_py, p: ProgressTuple| match &progress {
                Some(cb) => cb.call1(p).map(|_| ()),
                None => Ok(()),
            },
        )?;
        results_to_py(py, results)
    }

    /// Like `run`, but returns an awaitable. `progress` is scheduled on the running event loop
    /// (`loop.call_soon_threadsafe`); an exception it raises goes to the loop's exception handler.
    #[pyo3(signature = (op, kwargs=None, progress=None, per_device=None))]
    fn run_async<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: Option<&Bound<'py, PyDict>>,
        progress: Option<Bound<'py, PyAny>>,
        per_device: Option<Vec<Bound<'py, PyDict>>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let plan = Plan::parse(op, kwargs, per_device, self.devices.len())?;
        let devices = self.devices.clone();
        let mut fleet = self.fleet.clone();
        if let Some(cb) = progress {
            let event_loop = pyo3_async_runtimes::tokio::get_current_loop(py)?.unbind();
            let cb = cb.unbind();
            fleet = fleet.on_progress(move |p| {
                Python::attach(|py| {
                    // A closed loop means nobody is listening any more; progress is best-effort.
                    let _ = event_loop.call_method1(
                        py,
                        "call_soon_threadsafe",
                        (cb.clone_ref(py), p.done, p.total, p.device.clone(), p.ok),
                    );
                });
            });
        }
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let results = fleet
                .run_indexed(devices, move |i, d| plan.clone().run(i, d))
                .await;
            Python::attach(|py| results_to_py(py, results))
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<Fleet of {} device{}>",
            self.devices.len(),
            if self.devices.len() == 1 { "" } else { "s" }
        )
    }
}
