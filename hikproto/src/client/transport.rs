//! The HTTP transport under [`Device`](super::Device): reqwest + rustls, bounded bodies,
//! deadlines, and the hand-off to the authentication engine.

use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::error::{Error, Result};
use crate::isapi::status::{ResponseStatus, status_error};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::Credentials;
use crate::xml::FromXml;

use super::builder::{DeviceBuilder, TlsMode};
use super::request::{Request, Response};

pub(crate) struct Inner {
    pub(crate) base: String,
    pub(crate) host: String,
    http: reqwest::Client,
    credentials: Mutex<Option<Credentials>>,
    request_timeout: Duration,
    max_body: usize,
}

impl Inner {
    pub(crate) fn new(b: DeviceBuilder) -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let scheme = if b.https { "https" } else { "http" };
        let host = b.host.trim().trim_end_matches('/').to_owned();
        let host = host
            .strip_prefix("http://")
            .or_else(|| host.strip_prefix("https://"))
            .unwrap_or(&host)
            .to_owned();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(b.connect_timeout)
            .timeout(b.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(4)
            .no_proxy();
        match b.tls {
            TlsMode::Verify => {
                for der in &b.extra_roots_der {
                    let cert = reqwest::Certificate::from_der(der)
                        .map_err(|e| Error::invalid(format!("bad root certificate: {e}")))?;
                    builder = builder.add_root_certificate(cert);
                }
            }
            TlsMode::DangerAcceptInvalidCerts => {
                builder = builder.tls_danger_accept_invalid_certs(true);
            }
            TlsMode::PinSha256(_) => {
                return Err(Error::invalid(
                    "certificate pinning is not available in this build",
                ));
            }
        }
        let http = builder
            .build()
            .map_err(|e| Error::transport(host.clone(), e))?;
        Ok(Self {
            base: format!("{scheme}://{host}"),
            host,
            http,
            credentials: Mutex::new(b.credentials),
            request_timeout: b.request_timeout,
            max_body: b.max_response_bytes,
        })
    }

    pub(crate) fn user(&self) -> Option<String> {
        self.credentials
            .lock()
            .ok()
            .and_then(|c| c.as_ref().map(|c| c.user.clone()))
    }

    /// The credentials requests are sent with (typed operations derive field keys from them).
    pub(crate) fn credentials(&self) -> Option<Credentials> {
        self.credentials.lock().ok().and_then(|c| c.clone())
    }

    /// Replaces the credentials (after activation or a password change of the logged-in user).
    pub(crate) fn set_credentials(&self, creds: Option<Credentials>) {
        if let Ok(mut c) = self.credentials.lock() {
            *c = creds;
        }
    }

    pub(crate) async fn execute(&self, req: Request) -> Result<Response> {
        let what = req.describe();
        match tokio::time::timeout(self.request_timeout, self.execute_inner(req)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                operation: what,
                after: self.request_timeout,
            }),
        }
    }

    async fn execute_inner(&self, req: Request) -> Result<Response> {
        let first = self.send(&req, None).await?;
        if first.status != 401 || !req.authenticate {
            return finish(first);
        }
        let creds = self.credentials.lock().ok().and_then(|c| c.clone());
        let Some(creds) = creds else {
            return Err(Error::invalid(format!(
                "{} needs credentials and none were given",
                req.describe()
            )));
        };
        let challenge = first
            .0
            .iter()
            .find(|h| h.trim_start().to_ascii_lowercase().starts_with("digest"))
            .cloned();
        let header = match challenge {
            Some(c) => {
                let mut prompt = digest_auth::parse(&c)
                    .map_err(|e| Error::decode("WWW-Authenticate", format!("{e:?}")))?;
                let uri = req.path.clone();
                let ctx = digest_auth::AuthContext::new(
                    creds.user.as_str(),
                    creds.password.expose(),
                    uri.as_str(),
                );
                prompt
                    .respond(&ctx)
                    .map_err(|e| Error::decode("WWW-Authenticate", format!("{e:?}")))?
                    .to_header_string()
            }
            None => {
                use base64::Engine as _;
                let raw = format!("{}:{}", creds.user, creds.password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
        };
        let second = self.send(&req, Some(header)).await?;
        if second.status == 401 {
            return Err(LoginOutcome::from_body(&second.body).into_error(&creds.user));
        }
        finish(second)
    }

    async fn send(&self, req: &Request, auth: Option<String>) -> Result<Raw> {
        let url = format!("{}{}", self.base, req.path);
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .map_err(|e| Error::invalid(e.to_string()))?;
        let mut rb = self.http.request(method, &url);
        if let Some(ct) = req.body.content_type() {
            rb = rb.header("Content-Type", ct);
        }
        if let Some(a) = auth {
            rb = rb.header("Authorization", a);
        }
        rb = rb.body(req.body.bytes());
        let resp = rb.send().await.map_err(|e| self.map_reqwest(e))?;
        let status = resp.status().as_u16();
        let headers: Vec<String> = resp
            .headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = self.read_bounded(resp).await?;
        Ok(Raw(
            headers,
            Response {
                status,
                content_type,
                body,
                request: req.describe(),
            },
        ))
    }

    async fn read_bounded(&self, mut resp: reqwest::Response) -> Result<Bytes> {
        if let Some(len) = resp.content_length() {
            if len as usize > self.max_body {
                return Err(Error::TooLarge {
                    limit: self.max_body,
                });
            }
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.map_reqwest(e))? {
            if buf.len() + chunk.len() > self.max_body {
                return Err(Error::TooLarge {
                    limit: self.max_body,
                });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    fn map_reqwest(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                operation: format!("request to {}", self.host),
                after: self.request_timeout,
            };
        }
        Error::transport(self.host.clone(), e)
    }
}

struct Raw(Vec<String>, Response);

impl std::ops::Deref for Raw {
    type Target = Response;
    fn deref(&self) -> &Response {
        &self.1
    }
}

fn finish(raw: Raw) -> Result<Response> {
    let resp = raw.1;
    if (200..300).contains(&resp.status) {
        if let Ok(el) = crate::xml::Element::parse(&resp.body) {
            if el.name == ResponseStatus::ROOT {
                let st = ResponseStatus::from_element(&el)?;
                st.into_result(&resp.request, resp.status)?;
            }
        }
        return Ok(resp);
    }
    if resp.status == 401 {
        return Err(LoginOutcome::from_body(&resp.body).into_error(""));
    }
    let trimmed = resp.body.iter().position(|b| !b.is_ascii_whitespace());
    let status = match trimmed {
        Some(i) if resp.body[i] == b'{' => ResponseStatus::from_json(&resp.body).ok(),
        Some(_) => ResponseStatus::from_xml(&resp.body).ok(),
        None => None,
    };
    match status {
        Some(st) => Err(status_error(st, &resp.request, resp.status)),
        None if matches!(resp.status, 404 | 405 | 501) => {
            Err(Error::NotSupported { what: resp.request })
        }
        None => Err(Error::Device {
            request: resp.request.clone(),
            http_status: resp.status,
            status: Box::new(ResponseStatus {
                status_code: 3,
                status_string: format!("HTTP {}", resp.status),
                ..ResponseStatus::default()
            }),
        }),
    }
}
