//! The exception hierarchy, and the one place where core errors become Python exceptions.
//!
//! ```text
//! HikprotoError
//! ├── TransportError (also a builtin ConnectionError) ── TlsError
//! ├── DeviceTimeoutError (also a builtin TimeoutError)
//! ├── AuthenticationError ── LockedError, CredentialLatchedError
//! ├── DeviceError ── NotSupportedError, NotActivatedError, AlreadyActivatedError
//! ├── DecodeError
//! └── InvalidArgumentError ── ResetFileError
//! ```
//!
//! Every exception carries its data as attributes (`DeviceError.status_code`,
//! `LockedError.retry_after`, …); every attribute a class declares is always present, `None` when
//! it does not apply (class-level defaults). Messages come from the core's `Display` (plus the
//! chain of causes) and never contain secrets.

use pyo3::IntoPyObjectExt;
use pyo3::create_exception;
use pyo3::exceptions::{PyConnectionError, PyException, PyTimeoutError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyTuple, PyType};

use hikproto::reset::files::{FileError, FileKind};
use hikproto::{Error, ErrorReport};

create_exception!(
    hikproto,
    HikprotoError,
    PyException,
    "Root of every hikproto error."
);
create_exception!(
    hikproto,
    AuthenticationError,
    HikprotoError,
    "The device rejected the credentials (`user`, `attempts_left`). Never retried automatically."
);
create_exception!(
    hikproto,
    LockedError,
    AuthenticationError,
    "The account or address is locked (`user`, `retry_after` in seconds or None)."
);
create_exception!(
    hikproto,
    CredentialLatchedError,
    AuthenticationError,
    "Credentials this device already rejected were not sent again; supply new ones (`user`)."
);
create_exception!(
    hikproto,
    DeviceError,
    HikprotoError,
    "The device refused the request (`status_code`, `sub_status_code`, `error_code`, `http_status`, …)."
);
create_exception!(
    hikproto,
    NotSupportedError,
    DeviceError,
    "The device does not support this operation."
);
create_exception!(
    hikproto,
    NotActivatedError,
    DeviceError,
    "The device is not activated: it needs an admin password first."
);
create_exception!(
    hikproto,
    AlreadyActivatedError,
    DeviceError,
    "Activation was asked of a device that is already activated."
);
create_exception!(
    hikproto,
    DecodeError,
    HikprotoError,
    "A response or file could not be decoded (`what`)."
);
create_exception!(
    hikproto,
    InvalidArgumentError,
    HikprotoError,
    "An argument was invalid; nothing was sent."
);

create_exception!(
    hikproto,
    ResetFileError,
    InvalidArgumentError,
    "A reset file (key file, support reply, GUID file) was refused; nothing was sent (`kind`, `path`, …)."
);
create_exception!(
    hikproto,
    ResetFileWarning,
    pyo3::exceptions::PyUserWarning,
    "A reset file is usable but may be refused by some devices (an export older than 24 hours)."
);

create_exception!(
    hikproto,
    SimulatorError,
    HikprotoError,
    "The simulator could not start or refused a platform/support action."
);

/// The classes that also derive from a builtin exception (created at import with two bases,
/// which `create_exception!` cannot express).
struct Dual {
    transport: Py<PyType>,
    tls: Py<PyType>,
    timeout: Py<PyType>,
}

static DUAL: PyOnceLock<Dual> = PyOnceLock::new();

/// `class name(*bases)` in module `hikproto`, with its doc string.
fn make_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: &Bound<'py, PyTuple>,
    doc: &str,
) -> PyResult<Bound<'py, PyType>> {
    let dict = PyDict::new(py);
    dict.set_item("__module__", "hikproto")?;
    dict.set_item("__doc__", doc)?;
    let ty = py.get_type::<PyType>().call1((name, bases, dict))?;
    Ok(ty.cast_into::<PyType>()?)
}

fn dual(py: Python<'_>) -> PyResult<&Dual> {
    DUAL.get_or_try_init(py, || {
        let root = py.get_type::<HikprotoError>();
        let transport = make_class(
            py,
            "TransportError",
            &PyTuple::new(
                py,
                [root.as_any(), py.get_type::<PyConnectionError>().as_any()],
            )?,
            "The device could not be reached, or the connection broke (`host`). \
             Also a builtin `ConnectionError`.",
        )?;
        let tls = make_class(
            py,
            "TlsError",
            &PyTuple::new(py, [transport.as_any()])?,
            "TLS failed: untrusted certificate, pin mismatch or handshake error (`reason`).",
        )?;
        let timeout = make_class(
            py,
            "DeviceTimeoutError",
            &PyTuple::new(
                py,
                [root.as_any(), py.get_type::<PyTimeoutError>().as_any()],
            )?,
            "The operation did not finish in time (`operation`, `after` in seconds). Also a \
             builtin `TimeoutError`, so `except TimeoutError` catches it.",
        )?;
        Ok(Dual {
            transport: transport.unbind(),
            tls: tls.unbind(),
            timeout: timeout.unbind(),
        })
    })
}

/// An exception of one of the dual classes.
fn dual_err(py: Python<'_>, pick: fn(&Dual) -> &Py<PyType>, msg: String) -> PyErr {
    match dual(py) {
        Ok(d) => PyErr::from_type(pick(d).bind(py).clone(), msg),
        Err(e) => e,
    }
}

/// The attributes each class declares (inherited ones included by the class lookup), set to
/// `None` on the class so that every instance has them.
const DECLARED: &[(&str, &[&str])] = &[
    ("TransportError", &["host"]),
    ("TlsError", &["reason"]),
    ("DeviceTimeoutError", &["operation", "after"]),
    ("AuthenticationError", &["user", "attempts_left"]),
    ("LockedError", &["retry_after"]),
    (
        "DeviceError",
        &[
            "request",
            "http_status",
            "status_code",
            "status_string",
            "sub_status_code",
            "error_code",
            "error_msg",
        ],
    ),
    ("DecodeError", &["what", "limit"]),
    (
        "ResetFileError",
        &[
            "kind", "path", "expected", "found", "age", "limit", "size", "op",
        ],
    ),
];

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let d = dual(py)?;
    m.add("HikprotoError", py.get_type::<HikprotoError>())?;
    m.add("TransportError", d.transport.bind(py))?;
    m.add("TlsError", d.tls.bind(py))?;
    m.add("DeviceTimeoutError", d.timeout.bind(py))?;
    m.add("AuthenticationError", py.get_type::<AuthenticationError>())?;
    m.add("LockedError", py.get_type::<LockedError>())?;
    m.add(
        "CredentialLatchedError",
        py.get_type::<CredentialLatchedError>(),
    )?;
    m.add("DeviceError", py.get_type::<DeviceError>())?;
    m.add("NotSupportedError", py.get_type::<NotSupportedError>())?;
    m.add("NotActivatedError", py.get_type::<NotActivatedError>())?;
    m.add(
        "AlreadyActivatedError",
        py.get_type::<AlreadyActivatedError>(),
    )?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add(
        "InvalidArgumentError",
        py.get_type::<InvalidArgumentError>(),
    )?;
    m.add("ResetFileError", py.get_type::<ResetFileError>())?;
    m.add("ResetFileWarning", py.get_type::<ResetFileWarning>())?;
    m.add("SimulatorError", py.get_type::<SimulatorError>())?;
    for (class, attrs) in DECLARED {
        let ty = m.getattr(*class)?;
        for a in *attrs {
            ty.setattr(*a, py.None())?;
        }
    }
    Ok(())
}

/// The message: the error's own text followed by its causes, `": "`-separated.
fn message(e: &(dyn std::error::Error + 'static)) -> String {
    ErrorReport::new(e).to_string()
}

type Attrs = Vec<(&'static str, Py<PyAny>)>;

fn attr<'py, T: IntoPyObject<'py>>(
    py: Python<'py>,
    name: &'static str,
    v: T,
) -> (&'static str, Py<PyAny>) {
    let obj = v.into_py_any(py).unwrap_or_else(|_| py.None());
    (name, obj)
}

/// Maps a core error onto its Python exception. This is the only place that does it.
pub(crate) fn to_py_err(e: Error) -> PyErr {
    Python::attach(|py| build(py, e))
}

fn build(py: Python<'_>, e: Error) -> PyErr {
    let msg = message(&e);
    let (err, attrs): (PyErr, Attrs) = match &e {
        Error::Transport { host, .. } => (
            dual_err(py, |d| &d.transport, msg),
            vec![attr(py, "host", host.as_str())],
        ),
        Error::Tls { reason } => (
            dual_err(py, |d| &d.tls, msg),
            vec![attr(py, "reason", reason.as_str())],
        ),
        Error::Timeout { operation, after } => (
            dual_err(py, |d| &d.timeout, msg),
            vec![
                attr(py, "operation", operation.as_str()),
                attr(py, "after", after.as_secs_f64()),
            ],
        ),
        Error::CredentialsRejected {
            user,
            attempts_left,
        } => (
            AuthenticationError::new_err(msg),
            vec![
                attr(py, "user", user.as_str()),
                attr(py, "attempts_left", *attempts_left),
            ],
        ),
        Error::Locked { user, retry_after } => (
            LockedError::new_err(msg),
            vec![
                attr(py, "user", user.as_str()),
                attr(py, "retry_after", retry_after.map(|d| d.as_secs_f64())),
            ],
        ),
        Error::CredentialLatched { user } => (
            CredentialLatchedError::new_err(msg),
            vec![attr(py, "user", user.as_str())],
        ),
        Error::Device {
            request,
            http_status,
            status,
        } => (
            DeviceError::new_err(msg),
            vec![
                attr(py, "request", request.as_str()),
                attr(py, "http_status", *http_status),
                attr(py, "status_code", status.status_code),
                attr(py, "status_string", status.status_string.as_str()),
                attr(py, "sub_status_code", status.sub_status_code.as_str()),
                attr(py, "error_code", status.error_code),
                attr(py, "error_msg", status.error_msg.as_deref()),
            ],
        ),
        Error::NotSupported { what, .. } => (
            NotSupportedError::new_err(msg),
            vec![
                attr(py, "request", what.as_str()),
                attr(py, "sub_status_code", "notSupport"),
            ],
        ),
        Error::NotActivated => (
            NotActivatedError::new_err(msg),
            vec![attr(py, "sub_status_code", "notActivated")],
        ),
        Error::AlreadyActivated => (
            AlreadyActivatedError::new_err(msg),
            vec![attr(py, "sub_status_code", "hasActivated")],
        ),
        Error::Decode { what, .. } => (
            DecodeError::new_err(msg),
            vec![attr(py, "what", what.as_str())],
        ),
        Error::TooLarge { limit } => (
            DecodeError::new_err(msg),
            vec![attr(py, "what", "response"), attr(py, "limit", *limit)],
        ),
        Error::InvalidInput(_) => (InvalidArgumentError::new_err(msg), Vec::new()),
        // The core error is non-exhaustive: a variant added later still arrives as a HikprotoError.
        _ => (HikprotoError::new_err(msg), Vec::new()),
    };
    with_attrs(py, err, attrs)
}

fn with_attrs(py: Python<'_>, err: PyErr, attrs: Attrs) -> PyErr {
    let value = err.value(py);
    for (name, v) in attrs {
        // Setting an attribute on a fresh exception instance cannot fail in practice; if it did,
        // the exception is still raised, only without that attribute.
        let _ = value.setattr(name, v);
    }
    err
}

/// An [`InvalidArgumentError`] with this message (for arguments rejected in the binding itself).
pub(crate) fn invalid(msg: impl Into<String>) -> PyErr {
    InvalidArgumentError::new_err(msg.into())
}

/// Maps a simulator-side error (start-up, platform, support desk) onto [`SimulatorError`].
#[cfg(feature = "sim")]
pub(crate) fn simulator_error(e: impl std::error::Error + 'static) -> PyErr {
    SimulatorError::new_err(message(&e))
}

/// The snake-case name of a reset-file kind, as `ResetFileError.expected` / `.found` carry it.
pub(crate) fn file_kind_name(k: FileKind) -> &'static str {
    match k {
        FileKind::KeyExport => "key_export",
        FileKind::SupportReply => "support_reply",
        FileKind::GuidFile => "guid_file",
        FileKind::EmailQr => "email_qr",
        FileKind::AppQr => "app_qr",
        FileKind::Sidecar => "sidecar",
    }
}

/// Maps a refused reset file onto [`ResetFileError`]: `kind` names the reason (`stale`,
/// `other_device`, `wrong_kind`, `superseded`, `device_rebooted`, `modified`, `malformed`,
/// `wrong_size`, `too_large`, `empty`, `io`), `path` the file; the reason's data follow.
pub(crate) fn file_error(e: FileError) -> PyErr {
    Python::attach(|py| {
        let msg = message(&e);
        let (kind, path, mut extra): (&str, Option<&std::path::Path>, Attrs) = match &e {
            FileError::Io { path, op, .. } => ("io", Some(path), vec![attr(py, "op", *op)]),
            FileError::Empty { path } => ("empty", Some(path), Vec::new()),
            FileError::TooLarge { path, limit } => {
                ("too_large", Some(path), vec![attr(py, "limit", *limit)])
            }
            FileError::WrongKind {
                path,
                expected,
                found,
            } => (
                "wrong_kind",
                Some(path),
                vec![
                    attr(py, "expected", file_kind_name(*expected)),
                    attr(py, "found", file_kind_name(*found)),
                ],
            ),
            FileError::WrongSize {
                path, kind, found, ..
            } => (
                "wrong_size",
                Some(path),
                vec![
                    attr(py, "expected", file_kind_name(*kind)),
                    attr(py, "size", *found),
                ],
            ),
            FileError::Malformed { path, kind, .. } => (
                "malformed",
                Some(path),
                vec![attr(py, "expected", file_kind_name(*kind))],
            ),
            FileError::OtherDevice {
                path,
                expected,
                found,
            } => (
                "other_device",
                Some(path),
                vec![
                    attr(py, "expected", expected.as_str()),
                    attr(py, "found", found.as_str()),
                ],
            ),
            FileError::Stale { path, age, limit } => (
                "stale",
                Some(path),
                vec![
                    attr(py, "age", age.as_secs_f64()),
                    attr(py, "limit", limit.as_secs_f64()),
                ],
            ),
            FileError::Superseded { path } => ("superseded", Some(path), Vec::new()),
            FileError::DeviceRebooted { path } => ("device_rebooted", Some(path), Vec::new()),
            FileError::Modified { path } => ("modified", Some(path), Vec::new()),
            // Non-exhaustive: a reason added later still arrives typed, as `other`.
            _ => ("other", None, Vec::new()),
        };
        extra.push(attr(py, "kind", kind));
        extra.push(attr(
            py,
            "path",
            path.map(|p| p.to_string_lossy().into_owned()),
        ));
        with_attrs(py, ResetFileError::new_err(msg), extra)
    })
}
