//! The async device client.
//!
//! [`Device`] is cheap to clone and safe to share between tasks. Every typed operation of hikproto
//! is a method on it (grouped in the `ops_*` files of this module); the raw escape hatch is
//! [`Device::request`] and the `get_xml`/`put_xml`/`get_json`/… helpers.
//!
//! ```no_run
//! # async fn run() -> hikproto::Result<()> {
//! let dev = hikproto::Device::builder("192.0.2.10")
//!     .credentials("admin", "Passw0rd!x")
//!     .build()?;
//! let info = dev.device_info().await?;
//! println!("{} {}", info.model.unwrap_or_default(), info.firmware_version.unwrap_or_default());
//! # Ok(()) }
//! ```

mod builder;
mod ops;
mod request;
mod transport;

pub use builder::{DeviceBuilder, TlsMode};
pub use request::{Body, Method, Request, Response};

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::isapi::device_info::{self, DeviceInfo};
use crate::isapi::status::ResponseStatus;
use crate::xml::{Element, FromXml};

/// A handle to one device. Clone it freely; clones share connections and authentication state.
#[derive(Clone)]
pub struct Device {
    pub(crate) inner: Arc<transport::Inner>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("base", &self.inner.base)
            .field("user", &self.inner.user())
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Starts building a device handle for `host` (`"10.0.0.5"`, `"10.0.0.5:8080"`, `"[::1]:80"`).
    pub fn builder(host: impl Into<String>) -> DeviceBuilder {
        DeviceBuilder::new(host)
    }

    /// The base URL requests go to (`http://host:port`).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The user name this handle logs in with, if any.
    pub fn user(&self) -> Option<String> {
        self.inner.user()
    }

    /// Sends a raw request through the authentication engine and returns the raw response.
    ///
    /// Non-success answers are turned into typed errors: 401 into
    /// [`Error::CredentialsRejected`]/[`Error::Locked`], a `ResponseStatus` into
    /// [`Error::Device`] (or a more specific variant), 404/405/501 into [`Error::NotSupported`].
    pub async fn request(&self, req: Request) -> Result<Response> {
        self.inner.execute(req).await
    }

    /// GET an ISAPI path and parse the XML body.
    pub async fn get_xml(&self, path: &str) -> Result<Element> {
        self.request(Request::get(path)).await?.xml()
    }

    /// GET an ISAPI path and decode it into a typed model.
    pub async fn get<T: FromXml>(&self, path: &str) -> Result<T> {
        let el = self.get_xml(path).await?;
        if el.name != T::ROOT {
            return Err(Error::decode(
                T::ROOT,
                format!("expected <{}>, the device sent <{}>", T::ROOT, el.name),
            ));
        }
        T::from_element(&el)
    }

    /// PUT an XML document; returns the device's `ResponseStatus` (success, or reboot required).
    pub async fn put_xml(&self, path: &str, body: &Element) -> Result<ResponseStatus> {
        self.request(Request::put(path).xml(body)).await?.status()
    }

    /// POST an XML document; returns the parsed XML answer.
    pub async fn post_xml(&self, path: &str, body: &Element) -> Result<Element> {
        self.request(Request::post(path).xml(body)).await?.xml()
    }

    /// DELETE a path; returns the device's `ResponseStatus`.
    pub async fn delete(&self, path: &str) -> Result<ResponseStatus> {
        self.request(Request::delete(path)).await?.status()
    }

    /// GET a JSON resource (`format=json` is added to the query when missing).
    pub async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        self.request(Request::get(&with_json_format(path)))
            .await?
            .json()
    }

    /// PUT a JSON document (`format=json` is added when missing); returns the parsed answer.
    pub async fn put_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.request(Request::put(&with_json_format(path)).json(body))
            .await?
            .json()
    }

    /// POST a JSON document (`format=json` is added when missing); returns the parsed answer.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.request(Request::post(&with_json_format(path)).json(body))
            .await?
            .json()
    }

    /// Reads `GET /ISAPI/System/deviceInfo`.
    pub async fn device_info(&self) -> Result<DeviceInfo> {
        self.get(device_info::PATH).await
    }
}

/// Adds `format=json` to a path's query unless it is already there.
pub fn with_json_format(path: &str) -> String {
    if path.contains("format=json") {
        path.to_owned()
    } else if path.contains('?') {
        format!("{path}&format=json")
    } else {
        format!("{path}?format=json")
    }
}
