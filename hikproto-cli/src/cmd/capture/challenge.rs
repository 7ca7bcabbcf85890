//! What a device answers a request without credentials (status, `WWW-Authenticate` headers,
//! body), read with one plain HTTP/1.1 `GET` so that every header is seen as sent; and its SADP
//! answer to an inquiry.

use std::net::SocketAddr;
use std::time::Duration;

use hikproto_sim::captured::CapturedChallenge;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::conn::ConnArgs;

/// The most read from the probe's answer.
const MAX_ANSWER: u64 = 64 * 1024;

/// `host` or `host:port` with the default port.
fn host_port(host: &str, default: u16) -> String {
    let bracketed = host.starts_with('[') && host.contains("]:");
    let plain = !host.starts_with('[') && host.matches(':').count() == 1;
    if bracketed || plain {
        host.to_owned()
    } else if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{default}")
    } else {
        format!("{host}:{default}")
    }
}

/// The 401 answer to `GET /ISAPI/System/deviceInfo` without credentials (plain HTTP only;
/// `None` over HTTPS or when the device does not ask for credentials).
pub(super) async fn probe(conn: &ConnArgs) -> Option<CapturedChallenge> {
    if conn.access.https {
        tracing::info!("the 401 challenge is read over plain HTTP only; not captured over HTTPS");
        return None;
    }
    let addr = host_port(&conn.host, 80);
    let fut = async {
        let mut s = TcpStream::connect(&addr).await.ok()?;
        let host = conn.host.clone();
        let req = format!(
            "GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.ok()?;
        let mut buf = Vec::new();
        s.take(MAX_ANSWER).read_to_end(&mut buf).await.ok()?;
        parse(&buf)
    };
    tokio::time::timeout(Duration::from_secs(conn.timeout), fut)
        .await
        .ok()
        .flatten()
}

/// Parses a raw HTTP/1.1 answer into the challenge, nonces and opaque values blanked.
pub(super) fn parse(raw: &[u8]) -> Option<CapturedChallenge> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    if status != 401 {
        return None;
    }
    let mut www = Vec::new();
    let mut chunked = false;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("www-authenticate") {
            www.push(blank_params(v.trim(), &["nonce", "opaque"]));
        } else if k.trim().eq_ignore_ascii_case("transfer-encoding")
            && v.to_ascii_lowercase().contains("chunked")
        {
            chunked = true;
        }
    }
    if chunked {
        body = dechunk(&body)?;
    }
    Some(CapturedChallenge {
        status,
        www_authenticate: www,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Replaces the quoted values of `names` by `…` (single-use values a second capture would not
/// repeat); an empty value stays empty.
fn blank_params(header: &str, names: &[&str]) -> String {
    let mut out = header.to_owned();
    for name in names {
        let lower = out.to_ascii_lowercase();
        let pat = format!("{name}=\"");
        let mut at = 0;
        while let Some(i) = lower[at..].find(&pat) {
            let start = at + i + pat.len();
            let boundary = at + i == 0 || matches!(lower.as_bytes()[at + i - 1], b' ' | b',');
            let Some(len) = out[start..].find('"') else {
                break;
            };
            if boundary && len > 0 {
                out.replace_range(start..start + len, "…");
                break;
            }
            at = start + len;
        }
    }
    out
}

/// Decodes a chunked body.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

/// The device's answer to a unicast SADP inquiry, as XML.
pub(super) async fn sadp_probe_match(conn: &ConnArgs, port: u16) -> Option<String> {
    let host = conn
        .host
        .rsplit_once(':')
        .map_or(conn.host.as_str(), |(h, _)| h);
    let ip: std::net::IpAddr = host.trim_matches(['[', ']']).parse().ok()?;
    let opts = hikproto::sadp::DiscoverOptions::unicast([SocketAddr::new(ip, port)])
        .timeout(Duration::from_secs(conn.timeout.min(5)))
        .expect(1);
    let found = hikproto::sadp::discover(&opts).await.ok()?;
    found.first().map(|d| d.info.to_element().to_xml())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_401_is_read_with_its_headers() {
        let raw = b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/xml\r\n\
            WWW-Authenticate: Digest realm=\"IP Camera(C2183)\", qop=\"auth\", nonce=\"abc123\", opaque=\"\", stale=\"FALSE\"\r\n\
            WWW-Authenticate: Basic realm=\"IP Camera(C2183)\"\r\nTransfer-Encoding: chunked\r\n\r\n\
            5\r\n<user\r\n6\r\nCheck/\r\n1\r\n>\r\n0\r\n\r\n";
        let c = parse(raw).unwrap();
        assert_eq!(c.status, 401);
        assert_eq!(c.www_authenticate.len(), 2);
        assert!(c.www_authenticate[0].contains("nonce=\"…\""));
        assert!(c.www_authenticate[0].contains("opaque=\"\""));
        assert!(!c.www_authenticate[0].contains("abc123"));
        assert_eq!(c.body, "<userCheck/>");
        assert!(parse(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(parse(b"garbage").is_none());
        assert_eq!(host_port("127.0.0.1:8080", 80), "127.0.0.1:8080");
        assert_eq!(host_port("cam.local", 80), "cam.local:80");
        assert_eq!(host_port("::1", 80), "[::1]:80");
    }
}
