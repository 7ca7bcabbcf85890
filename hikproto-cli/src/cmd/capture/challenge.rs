//! What a device answers a request without credentials (status, `WWW-Authenticate` headers in
//! their order, `Content-Type`, body), how it treats a Digest nonce answered twice, and its SADP
//! answer to an inquiry.
//!
//! The HTTP requests go out over HTTP or HTTPS as the connection options say (the same
//! certificate choices as every command: verified, pinned, or explicitly accepted), on a plain
//! HTTP client of their own so that every header is seen as the device sent it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use hikproto::auth::challenge::{Challenge, SchemeFilter, parse_www_authenticate, strongest};
use hikproto::auth::digest::DigestNonce;
use hikproto::client::tls::{pinned_config, shared_verifying_config};
use hikproto::keys::Credentials;
use hikproto_sim::captured::{
    CapturedChallenge, CapturedNonce, MAX_CHALLENGE_BODY, blank_single_use,
};

use crate::conn::{ConnArgs, bare_host, parse_fingerprint};
use crate::output::CliError;

/// The document every probe asks for.
const PROBE_PATH: &str = "/ISAPI/System/deviceInfo";

/// One answer, as the device sent it (the body cut at [`MAX_CHALLENGE_BODY`]).
#[derive(Debug)]
struct Answer {
    status: u16,
    www_authenticate: Vec<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// A plain HTTP client for the device's ISAPI port.
pub(super) struct Prober {
    client: reqwest::Client,
    base: String,
}

impl Prober {
    /// A client for `conn`'s device, over HTTPS when `conn` asks for it.
    pub(super) fn new(conn: &ConnArgs) -> Result<Self, CliError> {
        // as the core does: the first caller installs ring; an installed provider is kept
        let _ = rustls::crypto::ring::default_provider().install_default();
        let https = conn.access.https || conn.access.pin_sha256.is_some();
        let timeout = Duration::from_secs(conn.timeout);
        let mut b = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            // one request per connection: a second request can never ride on a first one's
            // connection state
            .pool_max_idle_per_host(0);
        fn tls(e: impl std::fmt::Display) -> CliError {
            CliError::Usage(format!("TLS configuration: {e}"))
        }
        if https {
            b = if let Some(pin) = &conn.access.pin_sha256 {
                let (cfg, _) = pinned_config(parse_fingerprint(pin)?).map_err(tls)?;
                b.tls_backend_preconfigured(cfg)
            } else if conn.access.insecure_accept_invalid_certs {
                b.tls_danger_accept_invalid_certs(true)
            } else {
                b.tls_backend_preconfigured(shared_verifying_config().map_err(tls)?)
            };
        }
        let client = b
            .build()
            .map_err(|e| CliError::Usage(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            base: base_url(&conn.host, https),
        })
    }

    /// One `GET`, with `authorization` when given; `None` when the device did not answer.
    async fn get(&self, path: &str, authorization: Option<&str>) -> Option<Answer> {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(a) = authorization {
            let mut v = reqwest::header::HeaderValue::from_str(a).ok()?;
            v.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, v);
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                tracing::info!("probe of {path}: {e}");
                return None;
            }
        };
        let headers = resp.headers();
        let www_authenticate = headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        while body.len() < MAX_CHALLENGE_BODY {
            match resp.chunk().await {
                Ok(Some(c)) => body.extend_from_slice(&c),
                _ => break,
            }
        }
        body.truncate(MAX_CHALLENGE_BODY);
        Some(Answer {
            status,
            www_authenticate,
            content_type,
            body,
        })
    }

    /// The 401 answer to `GET /ISAPI/System/deviceInfo` without credentials; `None` when the
    /// device does not ask for credentials or does not answer.
    pub(super) async fn challenge(&self) -> Option<CapturedChallenge> {
        let a = self.get(PROBE_PATH, None).await?;
        if a.status != 401 {
            tracing::info!("no 401 without credentials (status {})", a.status);
            return None;
        }
        Some(CapturedChallenge {
            status: a.status,
            www_authenticate: a
                .www_authenticate
                .iter()
                .map(String::as_str)
                .map(blank_single_use)
                .collect(),
            content_type: a.content_type,
            body: String::from_utf8_lossy(&a.body).into_owned(),
        })
    }

    /// How the device treats a Digest nonce answered a second time.
    ///
    /// Call only after `creds` were proven (the capture's authenticated reads succeeded): one
    /// fresh challenge is answered with `nc=1`, which must succeed, then once more with
    /// `nc=2` and a correct response. No wrong password is ever sent. `None` when the device
    /// offers no Digest or the first answer was not accepted.
    pub(super) async fn nonce_behaviour(&self, creds: &Credentials) -> Option<CapturedNonce> {
        let first = self.get(PROBE_PATH, None).await?;
        let challenges = parse_www_authenticate(first.www_authenticate.iter().map(String::as_str));
        let Some(Challenge::Digest(d)) = strongest(&challenges, SchemeFilter::DigestOnly) else {
            return None;
        };
        let mut nonce = DigestNonce::new(d.clone());
        let mut answer = || nonce.respond(creds, "GET", PROBE_PATH, b"").ok();
        let once = answer()?;
        let ok = self.get(PROBE_PATH, Some(once.expose())).await?;
        if ok.status != 200 {
            tracing::info!(
                "nonce behaviour not observed: the first answer got status {}",
                ok.status
            );
            return None;
        }
        let twice = answer()?;
        let again = self.get(PROBE_PATH, Some(twice.expose())).await?;
        Some(match again.status {
            200 => CapturedNonce {
                reuse_accepted: true,
                refusal_counted: None,
            },
            401 => CapturedNonce {
                reuse_accepted: false,
                refusal_counted: refusal_counted(&again.body),
            },
            other => {
                tracing::info!("nonce behaviour not observed: the reuse got status {other}");
                return None;
            }
        })
    }
}

/// Whether a 401 refusing a reused nonce reads as a failed login: its body carries the lock
/// counters (`retryLoginTime`, `retryTimes`), or a plain refusal (`invalidOperation`).
fn refusal_counted(body: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(body);
    if text.contains("invalidOperation") {
        Some(false)
    } else if text.contains("retryLoginTime") || text.contains("retryTimes") {
        Some(true)
    } else {
        None
    }
}

/// `http(s)://host[:port]` for a `--host` value (a bare IPv6 address gets brackets).
fn base_url(host: &str, https: bool) -> String {
    let h = bare_host(host);
    let scheme = if https { "https" } else { "http" };
    if h.matches(':').count() > 1 && !h.starts_with('[') {
        format!("{scheme}://[{h}]")
    } else {
        format!("{scheme}://{h}")
    }
}

/// The device's answer to a unicast SADP inquiry, as it sent it (trailing NULs cut), without
/// the inquiry's UUID (the capture's own, not the device's). The inquiry is sent again every
/// second until an answer comes or the deadline passes.
pub(super) async fn sadp_probe_match(conn: &ConnArgs, port: u16) -> Option<String> {
    use hikproto::sadp::{Probe, new_uuid, parse_datagram};
    let host = base_url(&conn.host, false);
    let host = host.trim_start_matches("http://");
    let host = match host.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() && (!h.contains(':') || h.ends_with(']')) => h,
        _ => host,
    };
    let ip: IpAddr = host.trim_matches(['[', ']']).parse().ok()?;
    let any: IpAddr = if ip.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    let socket = tokio::net::UdpSocket::bind((any, 0)).await.ok()?;
    let uuid = new_uuid();
    let inquiry = Probe::inquiry(uuid.clone()).encode();
    let exchange = async {
        let mut buf = vec![0u8; 65_535];
        loop {
            socket.send_to(&inquiry, (ip, port)).await.ok()?;
            let wait = tokio::time::sleep(Duration::from_secs(1));
            tokio::pin!(wait);
            loop {
                let (n, _) = tokio::select! {
                    () = &mut wait => break,
                    r = socket.recv_from(&mut buf) => r.ok()?,
                };
                let answer = parse_datagram(&buf[..n]).ok();
                let ours = answer.is_some_and(|el| {
                    el.name.eq_ignore_ascii_case("ProbeMatch")
                        && el.text_at("Uuid").is_some_and(|u| u.trim() == uuid)
                });
                if ours {
                    let text = String::from_utf8_lossy(&buf[..n]);
                    let text = text.trim_end_matches('\0');
                    return Some(without_uuid(text));
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(conn.timeout.min(5)), exchange)
        .await
        .ok()
        .flatten()
}

/// `doc` without its `<Uuid>…</Uuid>` element (ASCII case ignored).
fn without_uuid(doc: &str) -> String {
    let lower = doc.to_ascii_lowercase();
    match (lower.find("<uuid>"), lower.find("</uuid>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &doc[..a], &doc[b + "</uuid>".len()..]),
        _ => doc.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_refusals() {
        assert_eq!(base_url("127.0.0.1:8080", false), "http://127.0.0.1:8080");
        assert_eq!(base_url("cam.local", true), "https://cam.local");
        assert_eq!(base_url("::1", false), "http://[::1]");
        assert_eq!(base_url("[::1]:81", false), "http://[::1]:81");
        assert_eq!(base_url("http://cam:81/", true), "https://cam:81");
        assert_eq!(
            refusal_counted(b"<subStatusCode>invalidOperation</subStatusCode>"),
            Some(false)
        );
        assert_eq!(
            refusal_counted(b"<retryLoginTime>4</retryLoginTime>"),
            Some(true)
        );
        assert_eq!(refusal_counted(b"<html/>"), None);
        assert_eq!(
            without_uuid("<ProbeMatch>\r\n<UUID>A-B</UUID>\r\n<Types>inquiry</Types></ProbeMatch>"),
            "<ProbeMatch>\r\n\r\n<Types>inquiry</Types></ProbeMatch>"
        );
    }
}
