//! Every device operation the bindings offer, as one enum: parsed from a name and keyword
//! arguments while the GIL is held, run without it, and converted back afterwards.
//!
//! The same [`Op`] serves the blocking `Device.call`, the asyncio `Device.call_async` and the
//! fleet runner, so an operation is bound once and available in all three.

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use hikproto::client::{Body, Method, Request, Response};
use hikproto::xml::Element;
use hikproto::{Device, Error};

mod doctor;
pub(crate) mod network;
mod provisioning;
pub(crate) mod recovery;

use crate::args::Args;
use crate::convert::to_py;
use crate::errors::invalid;

/// One operation with its (owned) arguments.
#[derive(Clone)]
pub(crate) enum Op {
    DeviceInfo,
    Request {
        method: Method,
        path: String,
        body: Body,
        authenticate: bool,
    },
    GetXml(String),
    PutXml(String, String),
    PostXml(String, String),
    Delete(String),
    GetJson(String),
    PutJson(String, serde_json::Value),
    PostJson(String, serde_json::Value),
    Recovery(recovery::Recovery),
    Provisioning(provisioning::Provisioning),
    Network(network::Network),
    Doctor(Box<doctor::Doctor>),
    Login,
    Logout,
}

/// What an operation returns, before conversion to Python.
pub(crate) enum Out {
    /// A JSON-shaped value (typed models are serialised through serde).
    Json(serde_json::Value),
    /// Text (an XML document).
    Text(String),
    /// A raw response.
    Raw(Response),
}

/// Every operation name, for error messages and `operations()`.
pub(crate) fn names() -> Vec<&'static str> {
    [
        CORE_NAMES,
        provisioning::NAMES,
        network::NAMES,
        recovery::NAMES,
        doctor::NAMES,
    ]
    .concat()
}

/// The raw-ISAPI and identity operations.
const CORE_NAMES: &[&str] = &[
    "device_info",
    "login",
    "logout",
    "request",
    "get_xml",
    "put_xml",
    "post_xml",
    "delete",
    "get_json",
    "put_json",
    "post_json",
];

fn xml_arg(args: &mut Args<'_, '_>, name: &'static str) -> PyResult<String> {
    let text: String = args.req(name)?;
    // Checked here (bounded parser) so that malformed XML fails before anything is sent.
    Element::parse(text.as_bytes())
        .map_err(|e| invalid(format!("{name} is not well-formed XML: {e}")))?;
    Ok(text)
}

impl Op {
    /// Parses an operation from its name and keyword arguments.
    pub(crate) fn parse(name: &str, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut a = Args::new(name, kwargs);
        if let Some(r) = recovery::Recovery::parse(name, &mut a)? {
            a.finish()?;
            return Ok(Self::Recovery(r));
        }
        if let Some(p) = provisioning::Provisioning::parse(name, &mut a)? {
            a.finish()?;
            return Ok(Self::Provisioning(p));
        }
        if let Some(n) = network::Network::parse(name, &mut a)? {
            a.finish()?;
            return Ok(Self::Network(n));
        }
        if let Some(d) = doctor::Doctor::parse(name, &mut a)? {
            a.finish()?;
            return Ok(Self::Doctor(Box::new(d)));
        }
        let op = match name {
            "device_info" => Self::DeviceInfo,
            "login" => Self::Login,
            "logout" => Self::Logout,
            "request" => {
                let method: String = a.req("method")?;
                let method = Method::parse(&method).map_err(crate::errors::to_py_err)?;
                let path: String = a.req("path")?;
                let content_type: Option<String> = a.opt("content_type")?;
                let body = match a.opt_bytes("body")? {
                    None => Body::Empty,
                    Some(bytes) => Body::Raw {
                        content_type: content_type.unwrap_or_else(|| "application/xml".to_owned()),
                        bytes: Bytes::from(bytes),
                    },
                };
                let authenticate = a.opt::<bool>("authenticate")?.unwrap_or(true);
                Self::Request {
                    method,
                    path,
                    body,
                    authenticate,
                }
            }
            "get_xml" => Self::GetXml(a.req("path")?),
            "put_xml" => Self::PutXml(a.req("path")?, xml_arg(&mut a, "xml")?),
            "post_xml" => Self::PostXml(a.req("path")?, xml_arg(&mut a, "xml")?),
            "delete" => Self::Delete(a.req("path")?),
            "get_json" => Self::GetJson(a.req("path")?),
            "put_json" | "post_json" => {
                let path: String = a.req("path")?;
                let body = match a.any("body")? {
                    Some(b) => crate::convert::from_py(&b)?,
                    None => return Err(invalid(format!("{name}: missing argument \"body\""))),
                };
                if name == "put_json" {
                    Self::PutJson(path, body)
                } else {
                    Self::PostJson(path, body)
                }
            }
            other => {
                return Err(invalid(format!(
                    "unknown operation {other:?}; known: {}",
                    names().join(", ")
                )));
            }
        };
        a.finish()?;
        Ok(op)
    }

    /// Runs the operation against one device.
    pub(crate) async fn run(self, dev: Device) -> hikproto::Result<Out> {
        match self {
            Self::DeviceInfo => json(&dev.device_info().await?),
            Self::Request {
                method,
                path,
                body,
                authenticate,
            } => {
                let mut req = Request::new(method, &path).body(body);
                if !authenticate {
                    req = req.without_auth();
                }
                Ok(Out::Raw(dev.request(req).await?))
            }
            Self::GetXml(path) => {
                let resp = dev.request(Request::get(&path)).await?;
                resp.xml()?;
                Ok(Out::Text(String::from_utf8_lossy(&resp.body).into_owned()))
            }
            Self::PutXml(path, xml) => {
                let resp = dev
                    .request(Request::put(&path).body(Body::Xml(xml)))
                    .await?;
                json(&resp.status()?)
            }
            Self::PostXml(path, xml) => {
                let resp = dev
                    .request(Request::post(&path).body(Body::Xml(xml)))
                    .await?;
                resp.xml()?;
                Ok(Out::Text(String::from_utf8_lossy(&resp.body).into_owned()))
            }
            Self::Delete(path) => json(&dev.delete(&path).await?),
            Self::GetJson(path) => Ok(Out::Json(dev.get_json(&path).await?)),
            Self::PutJson(path, body) => Ok(Out::Json(dev.put_json(&path, &body).await?)),
            Self::PostJson(path, body) => Ok(Out::Json(dev.post_json(&path, &body).await?)),
            Self::Recovery(r) => r.run(dev).await,
            Self::Provisioning(p) => p.run(dev).await,
            Self::Network(n) => n.run(dev).await,
            Self::Doctor(d) => d.run(dev).await,
            Self::Login => {
                dev.login().await?;
                Ok(Out::Json(serde_json::Value::Null))
            }
            Self::Logout => {
                dev.logout().await?;
                Ok(Out::Json(serde_json::Value::Null))
            }
        }
    }
}

/// Serialises a typed model for the trip to Python.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> hikproto::Result<Out> {
    serde_json::to_value(v)
        .map(Out::Json)
        .map_err(|e| Error::decode("result", e))
}

impl Out {
    /// Converts to Python: JSON as dicts/lists, text as `str`, a raw response as a dict with
    /// `status`, `content_type` and `body` (bytes).
    pub(crate) fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Self::Json(v) => to_py(py, &v),
            Self::Text(s) => Ok(s.into_pyobject(py)?.into_any().unbind()),
            Self::Raw(r) => {
                let d = PyDict::new(py);
                d.set_item("status", r.status)?;
                d.set_item("content_type", r.content_type)?;
                d.set_item("body", PyBytes::new(py, &r.body))?;
                Ok(d.into_any().unbind())
            }
        }
    }
}

impl<'py> IntoPyObject<'py> for Out {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.into_py(py).map(|o| o.into_bound(py))
    }
}
