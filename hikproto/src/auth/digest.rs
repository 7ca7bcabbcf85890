//! HTTP Digest (RFC 2617 / RFC 7616) and Basic answers.
//!
//! The hash arithmetic is done by the `digest_auth` crate; hikproto parses the challenge itself
//! (leniently, see [`super::challenge`]) and owns the nonce: a [`DigestNonce`] keeps the nonce
//! count (`nc`) so that one challenge can answer many requests, each with the next `nc`.
//!
//! Only `qop=auth` is used when the device offers it; `auth-int` (the body is hashed) is used
//! only when it is the sole qop offered, and the RFC 2069 form when no qop is offered.
//! The `uri=` parameter is the exact request target, query string included.

use std::borrow::Cow;

use base64::Engine as _;
use zeroize::Zeroize as _;

use crate::error::{Error, Result};
use crate::keys::{Credentials, Secret};

use super::challenge::{DigestAlgorithm, DigestChallenge};

/// A digest challenge being answered, with its nonce count.
#[derive(Debug, Clone)]
pub struct DigestNonce {
    challenge: DigestChallenge,
    prompt: digest_auth::WwwAuthenticateHeader,
}

impl DigestNonce {
    /// Starts answering `challenge` (the first answer carries `nc=00000001`).
    pub fn new(challenge: DigestChallenge) -> Self {
        let algo = match challenge.algorithm {
            DigestAlgorithm::Md5 => digest_auth::AlgorithmType::MD5,
            DigestAlgorithm::Sha256 => digest_auth::AlgorithmType::SHA2_256,
            DigestAlgorithm::Sha512_256 => digest_auth::AlgorithmType::SHA2_512_256,
        };
        let qop = if challenge.qop_auth {
            Some(vec![digest_auth::Qop::AUTH])
        } else if challenge.qop_auth_int {
            Some(vec![digest_auth::Qop::AUTH_INT])
        } else {
            None
        };
        let prompt = digest_auth::WwwAuthenticateHeader {
            domain: None,
            realm: challenge.realm.clone(),
            nonce: challenge.nonce.clone(),
            opaque: challenge.opaque.clone(),
            stale: challenge.stale,
            algorithm: digest_auth::Algorithm::new(algo, challenge.sess),
            qop,
            userhash: challenge.userhash,
            charset: if challenge.charset_utf8 {
                digest_auth::Charset::UTF8
            } else {
                digest_auth::Charset::ASCII
            },
            nc: 0,
        };
        Self { challenge, prompt }
    }

    /// The challenge being answered.
    pub fn challenge(&self) -> &DigestChallenge {
        &self.challenge
    }

    /// How many answers were computed with this nonce so far (the last `nc` sent).
    pub fn uses(&self) -> u32 {
        self.prompt.nc
    }

    /// True when the nonce count cannot grow any more; a fresh challenge is needed.
    pub fn is_exhausted(&self) -> bool {
        self.prompt.nc == u32::MAX
    }

    /// Computes the `Authorization` header value for one request and advances `nc`.
    ///
    /// `uri` is the request target exactly as sent (path and query). `body` is hashed only
    /// for `auth-int`.
    pub fn respond(
        &mut self,
        creds: &Credentials,
        method: &str,
        uri: &str,
        body: &[u8],
    ) -> Result<Secret> {
        self.respond_inner(creds, method, uri, body, None)
    }

    /// [`Self::respond`] with a fixed client nonce (for reproducible test vectors only).
    pub fn respond_with_cnonce(
        &mut self,
        creds: &Credentials,
        method: &str,
        uri: &str,
        body: &[u8],
        cnonce: &str,
    ) -> Result<Secret> {
        self.respond_inner(creds, method, uri, body, Some(cnonce))
    }

    fn respond_inner(
        &mut self,
        creds: &Credentials,
        method: &str,
        uri: &str,
        body: &[u8],
        cnonce: Option<&str>,
    ) -> Result<Secret> {
        if self.is_exhausted() {
            return Err(Error::invalid("digest nonce count exhausted"));
        }
        if creds.user.contains(['"', '\r', '\n']) || uri.contains(['"', '\r', '\n']) {
            return Err(Error::invalid(
                "user name and request target must not contain quotes or line breaks",
            ));
        }
        let mut ctx = digest_auth::AuthContext::new_with_method(
            creds.user.as_str(),
            creds.password.expose(),
            uri,
            Some(body),
            digest_auth::HttpMethod(Cow::Borrowed(method)),
        );
        if let Some(c) = cnonce {
            ctx.set_custom_cnonce(c);
        }
        let answer = self
            .prompt
            .respond(&ctx)
            .map_err(|e| Error::decode("digest challenge", e))?;
        Ok(Secret::new(answer.to_header_string()))
    }
}

/// The `Authorization: Basic …` value for `creds`.
///
/// Only ever sent to a device whose challenge offered Basic.
pub fn basic_header(creds: &Credentials) -> Result<Secret> {
    if creds.user.contains(':') {
        return Err(Error::invalid(
            "a user name containing ':' cannot be sent with Basic authentication",
        ));
    }
    let raw = Secret::new(format!("{}:{}", creds.user, creds.password.expose()));
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(raw.expose());
    let header = Secret::new(format!("Basic {encoded}"));
    encoded.zeroize();
    Ok(header)
}

#[cfg(test)]
mod tests {
    use md5::Digest as _;

    use super::super::challenge::{Challenge, parse_www_authenticate};
    use super::*;

    fn digest_of(header: &str) -> DigestChallenge {
        match parse_www_authenticate([header]).remove(0) {
            Challenge::Digest(d) => d,
            other => panic!("not a digest challenge: {other:?}"),
        }
    }

    fn field<'a>(header: &'a str, name: &str) -> &'a str {
        let key = format!("{name}=");
        let start = header
            .split(", ")
            .find_map(|p| {
                p.strip_prefix(&key)
                    .or_else(|| p.strip_prefix(&format!("Digest {key}")))
            })
            .unwrap_or_else(|| panic!("no {name} in {header}"));
        start.trim_matches('"')
    }

    #[test]
    fn rfc2617_section_3_5_example() {
        let ch = digest_of(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        );
        // the device offers auth and auth-int: hikproto answers with auth
        let mut n = DigestNonce::new(ch);
        let creds = Credentials::new("Mufasa", "Circle Of Life");
        let h = n
            .respond_with_cnonce(&creds, "GET", "/dir/index.html", b"", "0a4f113b")
            .unwrap();
        let h = h.expose();
        assert_eq!(field(h, "response"), "6629fae49393a05397450978507c4ef1");
        assert_eq!(field(h, "qop"), "auth");
        assert_eq!(field(h, "nc"), "00000001");
        assert_eq!(field(h, "opaque"), "5ccc069c403ebaf9f0171e9517f40e41");
        assert_eq!(field(h, "uri"), "/dir/index.html");
        assert_eq!(n.uses(), 1);
    }

    const RFC7616_NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    const RFC7616_OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    #[test]
    fn rfc7616_section_3_9_1_md5_and_sha256() {
        let creds = Credentials::new("Mufasa", "Circle of Life");
        for (algo, expected) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let ch = digest_of(&format!(
                r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algo}, nonce="{RFC7616_NONCE}", opaque="{RFC7616_OPAQUE}""#
            ));
            let mut n = DigestNonce::new(ch);
            let h = n
                .respond_with_cnonce(&creds, "GET", "/dir/index.html", b"", RFC7616_CNONCE)
                .unwrap();
            assert_eq!(field(h.expose(), "response"), expected, "{algo}");
            assert_eq!(field(h.expose(), "algorithm"), algo);
        }
    }

    /// The `-sess` variants have no RFC vector: compute the expected value here from the
    /// RFC 7616 §3.4.2 formula with `sha2` directly.
    #[test]
    fn sha256_sess_matches_the_formula() {
        let sha = |s: String| hex::encode(sha2::Sha256::digest(s.as_bytes()));
        let ch = digest_of(&format!(
            r#"Digest realm="http-auth@example.org", qop="auth", algorithm=SHA-256-sess, nonce="{RFC7616_NONCE}""#
        ));
        let mut n = DigestNonce::new(ch);
        let creds = Credentials::new("Mufasa", "Circle of Life");
        let h = n
            .respond_with_cnonce(&creds, "PUT", "/ISAPI/x?a=1&b=2", b"<x/>", RFC7616_CNONCE)
            .unwrap();
        let ha1 = sha(format!(
            "{}:{RFC7616_NONCE}:{RFC7616_CNONCE}",
            sha("Mufasa:http-auth@example.org:Circle of Life".into())
        ));
        let ha2 = sha("PUT:/ISAPI/x?a=1&b=2".into());
        let expected = sha(format!(
            "{ha1}:{RFC7616_NONCE}:00000001:{RFC7616_CNONCE}:auth:{ha2}"
        ));
        assert_eq!(field(h.expose(), "response"), expected);
        assert_eq!(field(h.expose(), "algorithm"), "SHA-256-sess");
        assert_eq!(field(h.expose(), "uri"), "/ISAPI/x?a=1&b=2");
    }

    #[test]
    fn nonce_count_increments_and_changes_the_response() {
        let ch = digest_of(r#"Digest realm="r", nonce="n", qop="auth""#);
        let mut n = DigestNonce::new(ch);
        let creds = Credentials::new("admin", "pw");
        let a = n
            .respond_with_cnonce(&creds, "GET", "/a", b"", "c")
            .unwrap();
        let b = n
            .respond_with_cnonce(&creds, "GET", "/a", b"", "c")
            .unwrap();
        assert_eq!(field(a.expose(), "nc"), "00000001");
        assert_eq!(field(b.expose(), "nc"), "00000002");
        assert_ne!(field(a.expose(), "response"), field(b.expose(), "response"));
        assert_eq!(n.uses(), 2);
    }

    #[test]
    fn rfc2069_mode_when_no_qop() {
        let md5 = |s: String| hex::encode(md5::Md5::digest(s.as_bytes()));
        let ch = digest_of(r#"Digest realm="IP Camera(GH455)", nonce="abc", stale="FALSE""#);
        let mut n = DigestNonce::new(ch);
        let creds = Credentials::new("admin", "12345abc");
        let h = n
            .respond(&creds, "GET", "/ISAPI/System/deviceInfo", b"")
            .unwrap();
        let ha1 = md5("admin:IP Camera(GH455):12345abc".into());
        let ha2 = md5("GET:/ISAPI/System/deviceInfo".into());
        assert_eq!(
            field(h.expose(), "response"),
            md5(format!("{ha1}:abc:{ha2}"))
        );
        assert!(!h.expose().contains("nc="));
    }

    #[test]
    fn header_injection_refused() {
        let ch = digest_of(r#"Digest realm="r", nonce="n", qop="auth""#);
        let mut n = DigestNonce::new(ch);
        let bad = Credentials::new("ad\"min", "pw");
        assert!(n.respond(&bad, "GET", "/", b"").is_err());
        let ok = Credentials::new("admin", "pw");
        assert!(n.respond(&ok, "GET", "/a\r\nX: y", b"").is_err());
    }

    #[test]
    fn basic_header_value() {
        let h = basic_header(&Credentials::new("Aladdin", "open sesame")).unwrap();
        assert_eq!(h.expose(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(format!("{h:?}"), "[redacted]");
        assert!(basic_header(&Credentials::new("a:b", "x")).is_err());
    }
}
