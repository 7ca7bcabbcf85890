//! Test helpers: a raw HTTP/1.1 client over loopback and an independent Digest client.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use hikproto::xml::Element;
use md5::Digest as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A raw response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// `Content-Length` announced more bytes than arrived.
    pub truncated: bool,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn xml(&self) -> Element {
        Element::parse(&self.body).unwrap_or_else(|e| panic!("not XML ({e}): {}", self.text()))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the answer.
pub async fn send(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let mut s = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .map_err(|_| std::io::Error::other("connect timeout"))??;
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await?;
    s.write_all(body).await?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("read timeout"))??;
    parse_response(&buf)
}

pub fn parse_response(buf: &[u8]) -> std::io::Result<Resp> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no header end"))?;
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| bad("head not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let mut truncated = false;
    if let Some(n) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if body.len() < n {
            truncated = true;
        } else {
            body.truncate(n);
        }
    }
    Ok(Resp {
        status,
        headers,
        body,
        truncated,
    })
}

/// One Digest challenge, parsed by the test (independently of the simulator's parser).
#[derive(Debug, Clone)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub algorithm: String,
    pub qop: Option<String>,
    pub stale: bool,
}

fn attr(h: &str, name: &str) -> Option<String> {
    let key = format!("{name}=");
    let mut rest = h;
    while let Some(i) = rest.find(&key) {
        let before = rest[..i].chars().last();
        let after = &rest[i + key.len()..];
        if before.is_none_or(|c| c == ' ' || c == ',') {
            return Some(if let Some(q) = after.strip_prefix('"') {
                q[..q.find('"').unwrap_or(q.len())].to_owned()
            } else {
                after.split(',').next().unwrap_or("").trim().to_owned()
            });
        }
        rest = after;
    }
    None
}

pub fn challenges(r: &Resp) -> Vec<Challenge> {
    r.headers_named("www-authenticate")
        .into_iter()
        .filter(|h| h.starts_with("Digest "))
        .map(|h| Challenge {
            realm: attr(h, "realm").unwrap_or_default(),
            nonce: attr(h, "nonce").unwrap_or_default(),
            algorithm: attr(h, "algorithm").unwrap_or_else(|| "MD5".into()),
            qop: attr(h, "qop"),
            stale: attr(h, "stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
        .collect()
}

fn h(alg: &str, s: &str) -> String {
    if alg.eq_ignore_ascii_case("SHA-256") {
        hex::encode(sha2::Sha256::digest(s.as_bytes()))
    } else {
        hex::encode(md5::Md5::digest(s.as_bytes()))
    }
}

/// The `Authorization` value for a challenge (qop=auth, given nc and cnonce).
pub fn authorization(
    ch: &Challenge,
    user: &str,
    pw: &str,
    method: &str,
    uri: &str,
    nc: u32,
) -> String {
    let cnonce = "0a4f113b";
    let alg = &ch.algorithm;
    let ha1 = h(alg, &format!("{user}:{}:{pw}", ch.realm));
    let ha2 = h(alg, &format!("{method}:{uri}"));
    let ncs = format!("{nc:08x}");
    let resp = h(
        alg,
        &format!("{ha1}:{}:{ncs}:{cnonce}:auth:{ha2}", ch.nonce),
    );
    format!(
        "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", algorithm={alg}, qop=auth, nc={ncs}, cnonce=\"{cnonce}\", response=\"{resp}\"",
        ch.realm, ch.nonce
    )
}

pub fn basic(user: &str, pw: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
    )
}

/// Probe without credentials, then one Digest attempt with the first (or the named) algorithm.
pub async fn digest(
    addr: &str,
    method: &str,
    target: &str,
    user: &str,
    pw: &str,
    body: &[u8],
) -> Resp {
    let probe = send(addr, method, target, &[], body).await.expect("probe");
    assert_eq!(probe.status, 401, "probe: {}", probe.text());
    let ch = challenges(&probe)
        .into_iter()
        .next()
        .expect("a Digest challenge");
    let a = authorization(&ch, user, pw, method, target, 1);
    send(addr, method, target, &[("Authorization", a)], body)
        .await
        .expect("authenticated request")
}

pub fn xml_body(el: &Element) -> Vec<u8> {
    el.to_xml().into_bytes()
}
