//! Raw requests and responses.

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::isapi::status::ResponseStatus;
use crate::xml::{Element, FromXml};

/// HTTP methods ISAPI uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }

    /// Parses a method name (case-insensitive).
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Self::Get),
            "PUT" => Ok(Self::Put),
            "POST" => Ok(Self::Post),
            "DELETE" => Ok(Self::Delete),
            other => Err(Error::invalid(format!("unsupported HTTP method {other:?}"))),
        }
    }
}

/// A request body. Its `Debug` form shows the kind and length only: a body may carry secrets.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// An XML document.
    Xml(String),
    /// A JSON document.
    Json(String),
    /// Raw bytes with a content type.
    Raw {
        /// Content type.
        content_type: String,
        /// Bytes.
        bytes: Bytes,
    },
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Xml(s) => write!(f, "Xml(<{} bytes redacted>)", s.len()),
            Self::Json(s) => write!(f, "Json(<{} bytes redacted>)", s.len()),
            Self::Raw {
                content_type,
                bytes,
            } => write!(f, "Raw({content_type}, <{} bytes redacted>)", bytes.len()),
        }
    }
}

impl Body {
    /// The bytes to send.
    pub fn bytes(&self) -> Bytes {
        match self {
            Self::Empty => Bytes::new(),
            Self::Xml(s) | Self::Json(s) => Bytes::copy_from_slice(s.as_bytes()),
            Self::Raw { bytes, .. } => bytes.clone(),
        }
    }

    /// The content type header, if any.
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Self::Empty => None,
            Self::Xml(_) => Some("application/xml; charset=\"UTF-8\""),
            Self::Json(_) => Some("application/json"),
            Self::Raw { content_type, .. } => Some(content_type),
        }
    }
}

/// A request to a device: method, path with query, body, and whether to authenticate.
///
/// Its `Debug` form leaves out the query string and the body (either may carry a secret).
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Path and query, e.g. `/ISAPI/System/Network/EZVIZ?security=1&iv=…`.
    pub path: String,
    /// Body.
    pub body: Body,
    /// Whether to authenticate (false for `/SDK/activateStatus`, activation, session capabilities…).
    pub authenticate: bool,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &crate::isapi::status::redact_query(&self.path))
            .field("body", &self.body)
            .field("authenticate", &self.authenticate)
            .finish()
    }
}

impl Request {
    /// A request with the given method and path.
    pub fn new(method: Method, path: &str) -> Self {
        Self {
            method,
            path: path.to_owned(),
            body: Body::Empty,
            authenticate: true,
        }
    }

    /// GET `path`.
    pub fn get(path: &str) -> Self {
        Self::new(Method::Get, path)
    }

    /// PUT `path`.
    pub fn put(path: &str) -> Self {
        Self::new(Method::Put, path)
    }

    /// POST `path`.
    pub fn post(path: &str) -> Self {
        Self::new(Method::Post, path)
    }

    /// DELETE `path`.
    pub fn delete(path: &str) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Sets an XML body.
    #[must_use]
    pub fn xml(mut self, el: &Element) -> Self {
        self.body = Body::Xml(el.to_xml());
        self
    }

    /// Sets a JSON body.
    #[must_use]
    pub fn json(mut self, v: &serde_json::Value) -> Self {
        self.body = Body::Json(v.to_string());
        self
    }

    /// Sets a raw body.
    #[must_use]
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sends without credentials (for the endpoints devices serve before login).
    #[must_use]
    pub fn without_auth(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// `METHOD path` for messages (query string dropped: it may carry secrets such as `loginPassword`).
    pub fn describe(&self) -> String {
        let path = self.path.split('?').next().unwrap_or("");
        format!("{} {}", self.method.as_str(), path)
    }
}

/// A device's answer. Its `Debug` form gives the body's length only (an answer may carry a
/// secret, such as an exported GUID file).
#[derive(Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Content type, if sent.
    pub content_type: Option<String>,
    /// Body bytes (bounded by the client's response cap).
    pub body: Bytes,
    /// What was asked (`METHOD path`), for error messages.
    pub request: String,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field(
                "body",
                &format_args!("<{} bytes redacted>", self.body.len()),
            )
            .field("request", &self.request)
            .finish()
    }
}

impl Response {
    /// Parses the body as XML.
    pub fn xml(&self) -> Result<Element> {
        Element::parse(&self.body)
    }

    /// Decodes the body into a typed model.
    pub fn model<T: FromXml>(&self) -> Result<T> {
        T::from_xml(&self.body)
    }

    /// Parses the body as JSON; a JSON `ResponseStatus` that is not a success becomes an error.
    pub fn json(&self) -> Result<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_slice(&self.body)
            .map_err(|e| Error::decode(format!("JSON answer to {}", self.request), e))?;
        if looks_like_status(&v) {
            let st = ResponseStatus::from_json_value(&v)?;
            st.into_result(&self.request, self.status)?;
        }
        Ok(v)
    }

    /// Reads the body as a `ResponseStatus` (XML or JSON). An empty body on 2xx counts as OK.
    pub fn status(&self) -> Result<ResponseStatus> {
        let trimmed = self.body.iter().position(|b| !b.is_ascii_whitespace());
        let st = match trimmed {
            None => ResponseStatus::ok(),
            Some(i) if self.body[i] == b'{' => ResponseStatus::from_json(&self.body)?,
            Some(_) => ResponseStatus::from_xml(&self.body)?,
        };
        st.into_result(&self.request, self.status)
    }
}

fn looks_like_status(v: &serde_json::Value) -> bool {
    v.get("ResponseStatus").is_some()
        || (v.get("statusCode").is_some() && v.get("subStatusCode").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_forms_hide_queries_and_bodies() {
        let r = Request::delete("/ISAPI/Security/users/3?loginPassword=Hunter2x!")
            .json(&serde_json::json!({"password": "Hunter2x!"}));
        let text = format!("{r:?} {r:#?}");
        assert!(!text.contains("Hunter2x"), "{text}");
        assert!(
            text.contains("/ISAPI/Security/users/3?<redacted>"),
            "{text}"
        );
        assert!(text.contains("bytes redacted"), "{text}");
        let raw = Body::Raw {
            content_type: "application/octet-stream".into(),
            bytes: Bytes::from_static(b"Hunter2x!"),
        };
        assert!(!format!("{raw:?}").contains("Hunter2x"));
        let resp = Response {
            status: 200,
            content_type: None,
            body: Bytes::from_static(b"<GUID>Hunter2x!</GUID>"),
            request: "PUT /ISAPI/Security/GUIDFileData".into(),
        };
        assert!(!format!("{resp:?}").contains("Hunter2x"));
    }
}
