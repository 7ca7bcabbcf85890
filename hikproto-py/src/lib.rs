//! Python bindings for hikproto: the extension module `hikproto._hikproto`.
//!
//! The Python package `hikproto` (in `python/hikproto/`) wraps this module with typed methods,
//! frozen dataclasses and the asyncio flavour. Layout of this crate:
//!
//! - `errors`: the exception hierarchy and the one core-error → exception mapping;
//! - `runtime`: the shared tokio runtime and the GIL-releasing wait every blocking call uses;
//! - `ops`: every operation as one enum, shared by `Device.call`, `Device.call_async` and `Fleet`;
//! - `logbridge`: the library's records into Python `logging`;
//! - `device`, `fleet`, `sim`, `sadp`: the classes; `convert`, `args`: value conversion.

mod args;
mod convert;
mod device;
mod errors;
mod fleet;
mod fleet_file;
mod logbridge;
mod ops;
mod runtime;
mod sadp;
#[cfg(feature = "sim")]
mod sim;

use pyo3::prelude::*;

/// Cargo's version in PEP 440 form (`0.2.0-alpha.1` → `0.2.0a1`).
fn pep440_version() -> String {
    env!("CARGO_PKG_VERSION")
        .replace("-alpha.", "a")
        .replace("-beta.", "b")
        .replace("-rc.", "rc")
}

/// Decodes any document hikproto models (ISAPI XML or JSON): returns `(kind, value)`.
#[pyfunction]
fn decode(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<(String, Py<PyAny>)> {
    let bytes: Vec<u8> = if let Ok(s) = data.cast::<pyo3::types::PyString>() {
        s.to_cow()?.as_bytes().to_vec()
    } else if let Ok(b) = data.cast::<pyo3::types::PyBytes>() {
        b.as_bytes().to_vec()
    } else {
        return Err(errors::invalid("decode() takes bytes or str"));
    };
    let d = hikproto::decode::decode_any(&bytes).map_err(errors::to_py_err)?;
    Ok((d.kind, convert::to_py(py, &d.value)?))
}

/// The operation names `Device.call` accepts.
#[pyfunction]
fn operations() -> Vec<&'static str> {
    ops::names()
}

/// The extension module.
#[pymodule(gil_used = false)]
mod _hikproto {
    #[pymodule_export]
    use super::decode;
    #[pymodule_export]
    use super::device::PyDevice;
    #[pymodule_export]
    use super::fleet::PyFleet;
    #[pymodule_export]
    use super::fleet_file::{PyFleetRun, fleet_file_export, fleet_file_start};
    #[pymodule_export]
    use super::operations;
    #[pymodule_export]
    use super::runtime::_quiesce;
    #[pymodule_export]
    use super::sadp::{
        PySadpClient, PySadpDevice, check_reply, load_key_file, sadp_discover, sadp_discover_async,
    };
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", super::pep440_version())?;
        super::logbridge::install();
        // the simulator is in the module only when built with the `sim` feature
        #[cfg(feature = "sim")]
        m.add_class::<super::sim::PySimulator>()?;
        super::errors::register(m)
    }
}
