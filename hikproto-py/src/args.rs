//! Reading an operation's keyword arguments from a Python dict, refusing unknown ones.

use std::collections::BTreeSet;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use hikproto::Secret;

use crate::errors::invalid;

/// The keyword arguments of one operation call.
pub(crate) struct Args<'a, 'py> {
    op: &'a str,
    dict: Option<&'a Bound<'py, PyDict>>,
    used: BTreeSet<&'static str>,
}

impl<'a, 'py> Args<'a, 'py> {
    pub(crate) fn new(op: &'a str, dict: Option<&'a Bound<'py, PyDict>>) -> Self {
        Self {
            op,
            dict,
            used: BTreeSet::new(),
        }
    }

    /// The raw value of `name`, if given and not `None`.
    pub(crate) fn any(&mut self, name: &'static str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.used.insert(name);
        match self.dict {
            None => Ok(None),
            Some(d) => Ok(d.get_item(name)?.filter(|v| !v.is_none())),
        }
    }

    /// A required value.
    pub(crate) fn req<T: FromPyObjectOwned<'py>>(&mut self, name: &'static str) -> PyResult<T> {
        match self.any(name)? {
            Some(v) => v.extract::<T>().map_err(|e| {
                let e: PyErr = e.into();
                invalid(format!(
                    "{}: argument {name:?} has the wrong type: {e}",
                    self.op
                ))
            }),
            None => Err(invalid(format!("{}: missing argument {name:?}", self.op))),
        }
    }

    /// An optional value.
    pub(crate) fn opt<T: FromPyObjectOwned<'py>>(
        &mut self,
        name: &'static str,
    ) -> PyResult<Option<T>> {
        match self.any(name)? {
            Some(v) => v.extract::<T>().map(Some).map_err(|e| {
                let e: PyErr = e.into();
                invalid(format!(
                    "{}: argument {name:?} has the wrong type: {e}",
                    self.op
                ))
            }),
            None => Ok(None),
        }
    }

    /// A required secret (password, code, key): the Python string is copied into a [`Secret`].
    pub(crate) fn secret(&mut self, name: &'static str) -> PyResult<Secret> {
        let s: String = self.req(name)?;
        Ok(Secret::new(s))
    }

    /// Bytes given as `bytes` or `str` (UTF-8).
    pub(crate) fn opt_bytes(&mut self, name: &'static str) -> PyResult<Option<Vec<u8>>> {
        match self.any(name)? {
            None => Ok(None),
            Some(v) => {
                if let Ok(b) = v.cast::<PyBytes>() {
                    Ok(Some(b.as_bytes().to_vec()))
                } else if let Ok(s) = v.cast::<PyString>() {
                    Ok(Some(s.to_cow()?.as_bytes().to_vec()))
                } else {
                    Err(invalid(format!(
                        "{}: argument {name:?} must be bytes or str",
                        self.op
                    )))
                }
            }
        }
    }

    /// Fails when the dict holds an argument the operation does not take.
    pub(crate) fn finish(self) -> PyResult<()> {
        if let Some(d) = self.dict {
            for k in d.keys() {
                let k: String = k.extract()?;
                if !self.used.contains(k.as_str()) {
                    return Err(invalid(format!("{}: unknown argument {k:?}", self.op)));
                }
            }
        }
        Ok(())
    }
}
