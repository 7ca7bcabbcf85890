//! Test helpers: a raw HTTP/1.1 client over loopback and an independent Digest client.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use hikproto::xml::Element;

mod setup;
use md5::Digest as _;
#[allow(unused_imports)]
pub use setup::*;
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
    let buf = read_all(&mut s).await?;
    parse_response(&buf)
}

/// Reads until EOF; a reset after some bytes keeps the bytes (truncated answers).
pub async fn read_all<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk)).await {
            Err(_) => return Err(std::io::Error::other("read timeout")),
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) if buf.is_empty() => return Err(e),
            Ok(Err(_)) => break,
        }
    }
    Ok(buf)
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

/// Client-side crypto written in the test from the protocol description.
pub mod client_crypto {
    use aes::cipher::block_padding::{NoPadding, Pkcs7};
    use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit};
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use rsa::traits::PublicKeyParts;
    use sha2::Digest as _;

    pub fn sha256_hex(s: impl AsRef<[u8]>) -> String {
        hex::encode(sha2::Sha256::digest(s.as_ref()))
    }

    pub fn rsa_key(bits: usize) -> rsa::RsaPrivateKey {
        rsa::RsaPrivateKey::new(&mut rand::thread_rng(), bits).unwrap()
    }

    /// `base64(hex(n))` of the public modulus.
    pub fn public_key_b64(k: &rsa::RsaPrivateKey) -> String {
        B64.encode(hex::encode(k.n().to_bytes_be()))
    }

    /// Decrypts the device's `base64(hex(RSA(R)))` challenge into `R`.
    pub fn open_challenge(k: &rsa::RsaPrivateKey, b64: &str) -> String {
        let hex_text = B64.decode(b64).unwrap();
        let ct = hex::decode(hex_text).unwrap();
        String::from_utf8(k.decrypt(rsa::Pkcs1v15Encrypt, &ct).unwrap()).unwrap()
    }

    /// Legacy activation password: AES-128-ECB, zero padding.
    pub fn seal_ecb(r: &str, pw: &str) -> String {
        let key = hex::decode(r).unwrap();
        let mut plain = format!("{}{pw}", &r[..16]).into_bytes();
        while plain.len() % 16 != 0 {
            plain.push(0);
        }
        let ct = ecb::Encryptor::<aes::Aes128>::new_from_slice(&key)
            .unwrap()
            .encrypt_padded_vec_mut::<NoPadding>(&plain);
        B64.encode(hex::encode(ct))
    }

    /// V3 activation password: AES-CBC with PKCS#7.
    pub fn seal_cbc(r: &str, pw: &str, iv: &[u8; 16]) -> String {
        let key = hex::decode(r).unwrap();
        let plain = format!("{}{pw}", &r[..16]);
        let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes());
        B64.encode(hex::encode(ct))
    }

    /// The `security=1` key (irreversible form, `iterations` SHA-256 rounds in all).
    pub fn field_key(user: &str, pw: &str, salt: &str, iterations: u32) -> [u8; 16] {
        let irr = sha256_hex(format!("{user}{salt}{pw}"));
        let mut h = sha256_hex(format!("{irr}AaBbCcDd1234!@#$"));
        for _ in 1..iterations {
            h = sha256_hex(&h);
        }
        let mut k = [0u8; 16];
        hex::decode_to_slice(&h[..32], &mut k).unwrap();
        k
    }

    pub fn enc_field(key: &[u8; 16], iv: &[u8; 16], v: &str) -> String {
        let inner = B64.encode(v);
        hex::encode(
            cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into())
                .encrypt_padded_vec_mut::<Pkcs7>(inner.as_bytes()),
        )
    }

    pub fn dec_field(key: &[u8; 16], iv: &[u8; 16], v: &str) -> String {
        let ct = hex::decode(v).unwrap();
        let inner = cbc::Decryptor::<aes::Aes128>::new(key.into(), iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ct)
            .unwrap();
        String::from_utf8(B64.decode(inner).unwrap()).unwrap()
    }

    /// The session-login hash, irreversible form without salt2.
    pub fn session_hash(
        user: &str,
        pw: &str,
        salt: &str,
        challenge: &str,
        iterations: u32,
    ) -> String {
        let mut h = sha256_hex(format!("{user}{salt}{pw}"));
        h = sha256_hex(format!("{h}{challenge}"));
        for _ in 2..iterations {
            h = sha256_hex(&h);
        }
        h
    }
}

/// Reads the per-user salt from the session capabilities (unauthenticated).
pub async fn salt_of(addr: &str, user: &str) -> String {
    let r = send(
        addr,
        "GET",
        &format!("/ISAPI/Security/sessionLogin/capabilities?username={user}"),
        &[],
        b"",
    )
    .await
    .unwrap();
    r.xml().text_at("salt").unwrap().to_owned()
}
