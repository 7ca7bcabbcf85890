//! The HTTP layer under [`Device`](super::Device): reqwest + rustls (ring provider), bounded
//! bodies, TLS modes, and error mapping. It sends exactly what it is told; the authentication
//! decisions live in [`super::engine`].

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderValue};

use crate::error::{Error, Result};
use crate::keys::Secret;

use super::builder::{DeviceBuilder, TlsMode};
use super::request::{Method, Request};
use super::tls::{PinVerifier, format_fingerprint, pinned_config};

/// What came back from one HTTP exchange, before any interpretation.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) www_authenticate: Vec<String>,
    pub(crate) set_cookie: Vec<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}

/// At most this many `WWW-Authenticate` / `Set-Cookie` values are kept from one response.
const MAX_AUTH_HEADERS: usize = 16;

pub(crate) struct Http {
    /// Built on first use and dropped by [`Http::release_idle`] (with its idle connections).
    client: std::sync::RwLock<Option<reqwest::Client>>,
    recipe: Recipe,
    /// `scheme://host:port` (no trailing slash).
    pub(crate) base: String,
    /// `host:port`, the key for the lock-out guard and for messages.
    pub(crate) authority: String,
    pub(crate) request_timeout: Duration,
    max_body: usize,
    pin: Option<Arc<PinVerifier>>,
}

/// What a client is built from (again, after its connections were released).
struct Recipe {
    connect_timeout: Duration,
    request_timeout: Duration,
    tls: RecipeTls,
}

enum RecipeTls {
    Preconfigured(Box<rustls::ClientConfig>),
    Roots(Vec<reqwest::Certificate>),
    AcceptInvalid,
}

impl Recipe {
    fn build(&self, authority: &str) -> Result<reqwest::Client> {
        let builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(4)
            .user_agent(concat!("hikproto/", env!("CARGO_PKG_VERSION")))
            .no_proxy();
        let builder = match &self.tls {
            RecipeTls::Preconfigured(config) => {
                builder.tls_backend_preconfigured((**config).clone())
            }
            RecipeTls::Roots(roots) => builder.tls_certs_merge(roots.iter().cloned()),
            RecipeTls::AcceptInvalid => builder.tls_danger_accept_invalid_certs(true),
        };
        builder
            .build()
            .map_err(|e| Error::transport(authority.to_owned(), e))
    }
}

impl Http {
    pub(crate) fn new(b: &DeviceBuilder) -> Result<Self> {
        // idempotent: the first caller in the process installs ring; a different provider
        // installed by the application is kept
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (base, authority) = base_url(&b.host, b.https)?;
        let mut pin = None;
        let tls = match &b.tls {
            TlsMode::Verify => {
                let mut roots = Vec::new();
                for der in &b.extra_roots_der {
                    roots.push(
                        reqwest::Certificate::from_der(der)
                            .map_err(|e| Error::invalid(format!("bad root certificate: {e}")))?,
                    );
                }
                if roots.is_empty() {
                    let config = super::tls::shared_verifying_config().map_err(|e| Error::Tls {
                        reason: format!("could not load the platform trust store: {e}"),
                    })?;
                    RecipeTls::Preconfigured(Box::new(config))
                } else {
                    RecipeTls::Roots(roots)
                }
            }
            TlsMode::DangerAcceptInvalidCerts => {
                tracing::warn!(
                    host = %authority,
                    "TLS certificate verification is OFF for this device (DangerAcceptInvalidCerts)"
                );
                RecipeTls::AcceptInvalid
            }
            TlsMode::PinSha256(fp) => {
                let (config, verifier) = pinned_config(*fp).map_err(|e| Error::Tls {
                    reason: format!("could not build the pinned TLS configuration: {e}"),
                })?;
                pin = Some(verifier);
                RecipeTls::Preconfigured(Box::new(config))
            }
        };
        let recipe = Recipe {
            connect_timeout: b.connect_timeout,
            request_timeout: b.request_timeout,
            tls,
        };
        let client = recipe.build(&authority)?;
        Ok(Self {
            client: std::sync::RwLock::new(Some(client)),
            recipe,
            base,
            authority,
            request_timeout: b.request_timeout,
            max_body: b.max_response_bytes,
            pin,
        })
    }

    /// The client with its connection pool (a new one after [`Http::release_idle`]).
    fn client(&self) -> Result<reqwest::Client> {
        if let Some(c) = self
            .client
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(c.clone());
        }
        let mut slot = self.client.write().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = self.recipe.build(&self.authority)?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Closes the idle kept-alive connections (requests in flight finish on theirs).
    pub(crate) fn release_idle(&self) {
        self.client
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Sends `req` with the given `Authorization` and `Cookie` values (both sensitive: never
    /// logged) and reads the bounded body.
    pub(crate) async fn send(
        &self,
        req: &Request,
        body: &Bytes,
        authorization: Option<&Secret>,
        cookie: Option<&Secret>,
    ) -> Result<RawResponse> {
        let url = format!("{}{}", self.base, req.path);
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut rb = self.client()?.request(method, &url);
        if let Some(ct) = req.body.content_type() {
            rb = rb.header(CONTENT_TYPE, ct);
        }
        if let Some(a) = authorization {
            rb = rb.header(AUTHORIZATION, sensitive(a)?);
        }
        if let Some(c) = cookie {
            rb = rb.header(COOKIE, sensitive(c)?);
        }
        rb = rb.body(body.clone());
        let resp = rb.send().await.map_err(|e| self.map_error(e, req))?;
        let status = resp.status().as_u16();
        let headers = resp.headers();
        let strings = |name: &str| -> Vec<String> {
            headers
                .get_all(name)
                .iter()
                .take(MAX_AUTH_HEADERS)
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect()
        };
        let www_authenticate = strings("www-authenticate");
        let set_cookie = strings("set-cookie");
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = self.read_bounded(resp, req).await?;
        tracing::trace!(status, request = %req.describe(), bytes = body.len(), "response");
        Ok(RawResponse {
            status,
            www_authenticate,
            set_cookie,
            content_type,
            body,
        })
    }

    async fn read_bounded(&self, mut resp: reqwest::Response, req: &Request) -> Result<Bytes> {
        if resp
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(Error::TooLarge {
                limit: self.max_body,
            });
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.map_error(e, req))? {
            if buf.len() + chunk.len() > self.max_body {
                return Err(Error::TooLarge {
                    limit: self.max_body,
                });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    fn map_error(&self, e: reqwest::Error, req: &Request) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                operation: req.describe(),
                after: self.request_timeout,
            };
        }
        if let Some(v) = &self.pin {
            if let Some(seen) = v.take_mismatch() {
                return Error::Tls {
                    reason: format!(
                        "certificate pin mismatch: {} presented SHA-256 {}, the pin is {}",
                        self.authority,
                        format_fingerprint(&seen),
                        format_fingerprint(&v.pin())
                    ),
                };
            }
        }
        // a certificate refusal or handshake failure deep in the chain becomes `Error::Tls` here;
        // the URL is dropped: its query may carry a secret (an opted-in `loginPassword`)
        Error::transport(self.authority.clone(), e.without_url())
    }
}

fn sensitive(s: &Secret) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(s.expose())
        .map_err(|_| Error::invalid("credentials contain characters not allowed in a header"))?;
    v.set_sensitive(true);
    Ok(v)
}

/// `("scheme://host:port", "host:port")` from what the caller typed (`10.0.0.5`,
/// `10.0.0.5:8080`, `[::1]:80`, `https://cam.local`).
pub(crate) fn base_url(host: &str, https: bool) -> Result<(String, String)> {
    let h = host.trim().trim_end_matches('/');
    let (https, h) = if let Some(rest) = h.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = h.strip_prefix("http://") {
        (https, rest)
    } else {
        (https, h)
    };
    if h.is_empty() || h.contains(['/', '?', '#', '@', ' ']) {
        return Err(Error::invalid(format!(
            "host {host:?} must be a host name or address with an optional port"
        )));
    }
    if h.ends_with(':') {
        // `10.0.0.5:` would otherwise silently mean the default port
        return Err(Error::invalid(format!(
            "host {host:?} ends with ':' but gives no port"
        )));
    }
    let scheme = if https { "https" } else { "http" };
    let url = reqwest::Url::parse(&format!("{scheme}://{h}"))
        .map_err(|e| Error::invalid(format!("host {host:?}: {e}")))?;
    let name = url
        .host_str()
        .ok_or_else(|| Error::invalid(format!("host {host:?} has no host name")))?;
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    let authority = format!("{name}:{port}");
    Ok((format!("{scheme}://{authority}"), authority))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_port_is_refused() {
        for h in ["127.0.0.1:", "http://cam.local:", "[::1]:"] {
            let e = base_url(h, false).unwrap_err();
            assert!(e.to_string().contains("no port"), "{h}: {e}");
        }
        assert!(base_url("127.0.0.1:70000", false).is_err());
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("10.0.0.5", false).unwrap(),
            ("http://10.0.0.5:80".into(), "10.0.0.5:80".into())
        );
        assert_eq!(
            base_url("10.0.0.5:8080/", false).unwrap().0,
            "http://10.0.0.5:8080"
        );
        assert_eq!(
            base_url("https://cam.local", false).unwrap(),
            ("https://cam.local:443".into(), "cam.local:443".into())
        );
        assert_eq!(base_url("[::1]:81", true).unwrap().1, "[::1]:81");
        assert!(base_url("", false).is_err());
        assert!(base_url("10.0.0.5/ISAPI", false).is_err());
        assert!(base_url("user@10.0.0.5", false).is_err());
    }

    #[test]
    fn every_tls_mode_builds() {
        for mode in [
            TlsMode::Verify,
            TlsMode::PinSha256([1; 32]),
            TlsMode::DangerAcceptInvalidCerts,
        ] {
            let b = crate::Device::builder("127.0.0.1:1").https(true).tls(mode);
            assert!(Http::new(&b).is_ok());
        }
        let b = crate::Device::builder("127.0.0.1:1")
            .https(true)
            .add_root_certificate_der(b"not DER".to_vec());
        assert!(Http::new(&b).is_err());
    }
}
