//! Lenient parsing of `WWW-Authenticate` challenges, and choosing the strongest one.
//!
//! Devices send one or several `WWW-Authenticate` headers (some cameras send an MD5 and a
//! SHA-256 digest challenge side by side), and one header may carry several challenges
//! separated by commas (RFC 7235 §4.1). Real Hikvision headers also carry oddities that strict
//! parsers reject: `domain="::"`, an empty `opaque=""`, a quoted `algorithm="MD5"`,
//! `stale="FALSE"` in capitals, or no `algorithm` at all (which means MD5). This parser:
//!
//! * matches scheme and parameter names case-insensitively;
//! * accepts quoted and unquoted values for every parameter;
//! * treats a missing `algorithm` as MD5 and a missing `realm` as empty;
//! * skips challenges it cannot use (an unknown algorithm, no nonce, an unknown scheme) instead
//!   of failing the whole header, and keeps them as [`Challenge::Other`] for error messages;
//! * is bounded: at most [`MAX_CHALLENGES`] challenges and [`MAX_HEADER_LEN`] bytes per header
//!   are read, so a hostile header cannot cost unbounded memory.
//!
//! [`strongest`] then picks what to answer: Digest over Basic, and within Digest
//! SHA-512-256 > SHA-256 > MD5.

use std::fmt;

/// At most this many challenges are read from one response; the rest are ignored.
pub const MAX_CHALLENGES: usize = 32;

/// Bytes of one header value that are read; the rest is ignored.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// The hash function of a digest challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// MD5 (RFC 2617; the default when `algorithm` is absent).
    Md5,
    /// SHA-256 (RFC 7616).
    Sha256,
    /// SHA-512/256 (RFC 7616). No Hikvision device is known to offer it; supported because the
    /// underlying digest implementation has it.
    Sha512_256,
}

impl DigestAlgorithm {
    /// How strongly this algorithm is preferred (higher is better).
    pub fn rank(self) -> u8 {
        match self {
            Self::Md5 => 1,
            Self::Sha256 => 2,
            Self::Sha512_256 => 3,
        }
    }

    /// The RFC name, without `-sess`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
            Self::Sha512_256 => "SHA-512-256",
        }
    }

    /// Parses an `algorithm` value (case-insensitive; `SHA256` is accepted for `SHA-256`).
    /// Returns the algorithm and whether it is the `-sess` variant.
    pub fn parse(value: &str) -> Option<(Self, bool)> {
        let v = value.trim().to_ascii_uppercase();
        let (base, sess) = match v.strip_suffix("-SESS") {
            Some(b) => (b, true),
            None => (v.as_str(), false),
        };
        let algo = match base {
            "MD5" => Self::Md5,
            "SHA-256" | "SHA256" => Self::Sha256,
            "SHA-512-256" | "SHA-512/256" => Self::Sha512_256,
            _ => return None,
        };
        Some((algo, sess))
    }
}

/// One parsed digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    /// `realm` (empty when the device sent none).
    pub realm: String,
    /// `nonce`.
    pub nonce: String,
    /// `opaque`, echoed back verbatim when present (even when empty).
    pub opaque: Option<String>,
    /// The hash function.
    pub algorithm: DigestAlgorithm,
    /// True for the `-sess` variant.
    pub sess: bool,
    /// The device offers `qop=auth`.
    pub qop_auth: bool,
    /// The device offers `qop=auth-int`.
    pub qop_auth_int: bool,
    /// The device sent a `qop` parameter at all (absent means RFC 2069 compatibility mode).
    pub qop_present: bool,
    /// `stale=true`: the previous nonce expired but the credentials were right.
    pub stale: bool,
    /// `userhash=true` (RFC 7616).
    pub userhash: bool,
    /// `charset=UTF-8` was announced.
    pub charset_utf8: bool,
    /// `domain`, verbatim (informational; Hikvision NVRs send `"::"`).
    pub domain: Option<String>,
}

impl DigestChallenge {
    /// True when a response can be computed for this challenge with `qop=auth` (or the legacy
    /// no-qop mode). A challenge that offers only `auth-int` is still usable (the body is
    /// hashed); one that offers only unknown qop values is not.
    pub fn usable(&self) -> bool {
        !self.qop_present || self.qop_auth || self.qop_auth_int
    }

    /// The `algorithm` token as the device spelled it canonically (`SHA-256-sess`, …).
    pub fn algorithm_token(&self) -> String {
        if self.sess {
            format!("{}-sess", self.algorithm.name())
        } else {
            self.algorithm.name().to_owned()
        }
    }
}

/// One challenge from a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// An HTTP Digest challenge hikproto can answer.
    Digest(DigestChallenge),
    /// An HTTP Basic challenge.
    Basic {
        /// `realm`, when sent.
        realm: Option<String>,
    },
    /// Anything else: another scheme, or a digest challenge hikproto cannot answer (unknown
    /// algorithm, no nonce, unknown qop). Kept so errors can say what the device offered.
    Other {
        /// What was offered, for example `Negotiate` or `Digest algorithm=SHA-1`.
        description: String,
    },
}

impl Challenge {
    /// How strongly this challenge is preferred: 0 means unusable.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Digest(d) if d.usable() => 10 + d.algorithm.rank(),
            Self::Basic { .. } => 1,
            _ => 0,
        }
    }

    /// True for a usable digest challenge carrying `stale=true`.
    pub fn is_stale_digest(&self) -> bool {
        matches!(self, Self::Digest(d) if d.stale && d.usable())
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Digest(d) => write!(f, "Digest {}", d.algorithm_token()),
            Self::Basic { .. } => f.write_str("Basic"),
            Self::Other { description } => f.write_str(description),
        }
    }
}

/// Which schemes may be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeFilter {
    /// The strongest of anything offered (Digest over Basic).
    Any,
    /// Digest only.
    DigestOnly,
    /// Basic only.
    BasicOnly,
}

/// Parses every challenge of every `WWW-Authenticate` header value given.
pub fn parse_www_authenticate<'a, I>(headers: I) -> Vec<Challenge>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut out = Vec::new();
    for h in headers {
        let h = truncate(h, MAX_HEADER_LEN);
        for raw in split_challenges(h) {
            if out.len() >= MAX_CHALLENGES {
                return out;
            }
            out.push(raw.into_challenge());
        }
    }
    out
}

/// The strongest usable challenge that `filter` allows; the first one wins a tie.
pub fn strongest(challenges: &[Challenge], filter: SchemeFilter) -> Option<&Challenge> {
    let mut best: Option<&Challenge> = None;
    for c in challenges {
        let allowed = match (filter, c) {
            (_, Challenge::Other { .. }) => false,
            (SchemeFilter::Any, _) => true,
            (SchemeFilter::DigestOnly, Challenge::Digest(_)) => true,
            (SchemeFilter::BasicOnly, Challenge::Basic { .. }) => true,
            _ => false,
        };
        if !allowed || c.rank() == 0 {
            continue;
        }
        if best.is_none_or(|b| c.rank() > b.rank()) {
            best = Some(c);
        }
    }
    best
}

/// A short list of what was offered, for error messages (`"Digest MD5, Basic"`).
pub fn describe_offered(challenges: &[Challenge]) -> String {
    if challenges.is_empty() {
        return "no WWW-Authenticate challenge".to_owned();
    }
    challenges
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A challenge before interpretation: scheme plus lower-cased parameters.
struct RawChallenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl RawChallenge {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn into_challenge(self) -> Challenge {
        match self.scheme.to_ascii_lowercase().as_str() {
            "digest" => self.into_digest(),
            "basic" => Challenge::Basic {
                realm: self.get("realm").map(str::to_owned),
            },
            _ => Challenge::Other {
                description: self.scheme,
            },
        }
    }

    fn into_digest(self) -> Challenge {
        let algorithm = match self.get("algorithm") {
            None => Some((DigestAlgorithm::Md5, false)),
            Some(a) => DigestAlgorithm::parse(a),
        };
        let Some((algorithm, sess)) = algorithm else {
            let a = self.get("algorithm").unwrap_or_default();
            return Challenge::Other {
                description: format!("Digest algorithm={}", truncate(a, 32)),
            };
        };
        let Some(nonce) = self.get("nonce").map(str::to_owned) else {
            return Challenge::Other {
                description: "Digest without nonce".to_owned(),
            };
        };
        let is_true = |k: &str| {
            self.get(k)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        let (mut qop_auth, mut qop_auth_int) = (false, false);
        let qop = self.get("qop");
        if let Some(q) = qop {
            for item in q.split(',') {
                match item.trim().to_ascii_lowercase().as_str() {
                    "auth" => qop_auth = true,
                    "auth-int" => qop_auth_int = true,
                    _ => {}
                }
            }
        }
        let d = DigestChallenge {
            realm: self.get("realm").unwrap_or_default().to_owned(),
            nonce,
            opaque: self.get("opaque").map(str::to_owned),
            algorithm,
            sess,
            qop_auth,
            qop_auth_int,
            qop_present: qop.is_some(),
            stale: is_true("stale"),
            userhash: is_true("userhash"),
            charset_utf8: self
                .get("charset")
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("utf-8")),
            domain: self.get("domain").map(str::to_owned),
        };
        if d.usable() {
            Challenge::Digest(d)
        } else {
            Challenge::Other {
                description: format!("Digest qop={}", truncate(qop.unwrap_or_default(), 32)),
            }
        }
    }
}

/// Splits a header value into comma-separated items (outside quotes), then groups them into
/// challenges: an item that starts with `token SP` or is a lone token opens a new challenge; an
/// item `name=value` is a parameter of the current one.
fn split_challenges(header: &str) -> Vec<RawChallenge> {
    let mut out: Vec<RawChallenge> = Vec::new();
    for item in split_items(header) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let tok_end = item
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(item.len());
        let (tok, rest) = item.split_at(tok_end);
        let rest_trim = rest.trim_start();
        if rest_trim.starts_with('=') && !is_token68_tail(rest_trim) {
            // a parameter of the current challenge
            if let Some(cur) = out.last_mut() {
                cur.params.push(param(tok, &rest_trim[1..]));
            }
            continue;
        }
        if tok.is_empty() {
            continue;
        }
        let mut ch = RawChallenge {
            scheme: tok.to_owned(),
            params: Vec::new(),
        };
        // `scheme name=value` opens a challenge with its first parameter; `scheme token68`
        // (Negotiate, Bearer…) carries no parameter hikproto needs.
        if let Some(eq) = rest_trim.find('=') {
            let name = rest_trim[..eq].trim();
            if !is_token68_tail(&rest_trim[eq..])
                && !name.is_empty()
                && !name.contains(char::is_whitespace)
            {
                ch.params.push(param(name, &rest_trim[eq + 1..]));
            }
        }
        out.push(ch);
    }
    out
}

/// `=` followed only by more `=` (or nothing) ends a token68 value, not a parameter.
fn is_token68_tail(s: &str) -> bool {
    s.chars().all(|c| c == '=')
}

fn param(name: &str, raw_value: &str) -> (String, String) {
    (name.trim().to_ascii_lowercase(), unquote(raw_value.trim()))
}

fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"') else {
        return v.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '"' => break,
            c => out.push(c),
        }
    }
    out
}

/// Splits at commas that are outside quoted strings.
fn split_items(s: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut start, mut in_quotes, mut escaped) = (0usize, false, false);
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(c: &Challenge) -> &DigestChallenge {
        match c {
            Challenge::Digest(d) => d,
            other => panic!("expected a digest challenge, got {other:?}"),
        }
    }

    #[test]
    fn real_nvr_header_from_isapi_reference() {
        // isapi.md §2.1, DNVRS-Webs NVR (hikvision_next#50), values shortened
        let h = r#"Digest realm="4e56f0e3b2a8", domain="::", qop="auth", nonce="a1b2c3:1700000000", opaque="", algorithm="MD5", stale="FALSE""#;
        let cs = parse_www_authenticate([h]);
        assert_eq!(cs.len(), 1);
        let d = digest(&cs[0]);
        assert_eq!(d.realm, "4e56f0e3b2a8");
        assert_eq!(d.domain.as_deref(), Some("::"));
        assert_eq!(d.nonce, "a1b2c3:1700000000");
        assert_eq!(d.opaque.as_deref(), Some(""));
        assert_eq!(d.algorithm, DigestAlgorithm::Md5);
        assert!(!d.sess && !d.stale && d.qop_auth && !d.qop_auth_int);
    }

    #[test]
    fn guide_example_without_algorithm_is_md5() {
        let h = r#"Digest qop="auth", realm="IP Camera(C2183)", nonce="4e5468694e7a42694e7a4d364e4449304e44413d", stale="FALSE""#;
        let d = digest(&parse_www_authenticate([h])[0]).clone();
        assert_eq!(d.algorithm, DigestAlgorithm::Md5);
        assert_eq!(d.realm, "IP Camera(C2183)");
        assert_eq!(d.opaque, None);
    }

    #[test]
    fn sha256_only_oem_header() {
        let h = r#"Digest realm="IP Camera(GH455)", nonce="6d7a4e6b", algorithm="SHA-256", stale="FALSE""#;
        let d = digest(&parse_www_authenticate([h])[0]).clone();
        assert_eq!(d.algorithm, DigestAlgorithm::Sha256);
        assert!(!d.qop_present, "no qop: RFC 2069 compatibility");
        assert!(d.usable());
    }

    #[test]
    fn basic_header() {
        let cs = parse_www_authenticate([r#"Basic realm="IP Camera(L4906)""#]);
        assert_eq!(
            cs,
            vec![Challenge::Basic {
                realm: Some("IP Camera(L4906)".into())
            }]
        );
    }

    #[test]
    fn several_headers_pick_sha256_over_md5_and_digest_over_basic() {
        let md5 = r#"Digest realm="r", nonce="n1", qop="auth", algorithm=MD5"#;
        let sha = r#"Digest realm="r", nonce="n2", qop="auth", algorithm=SHA-256"#;
        let basic = r#"Basic realm="r""#;
        for order in [[md5, sha, basic], [basic, sha, md5], [sha, basic, md5]] {
            let cs = parse_www_authenticate(order);
            assert_eq!(cs.len(), 3);
            let best = strongest(&cs, SchemeFilter::Any).unwrap();
            assert_eq!(digest(best).algorithm, DigestAlgorithm::Sha256, "{order:?}");
            assert_eq!(digest(best).nonce, "n2");
        }
        let cs = parse_www_authenticate([basic, md5]);
        assert_eq!(
            digest(strongest(&cs, SchemeFilter::Any).unwrap()).nonce,
            "n1"
        );
        assert!(matches!(
            strongest(&cs, SchemeFilter::BasicOnly),
            Some(Challenge::Basic { .. })
        ));
        let only_basic = parse_www_authenticate([basic]);
        assert!(strongest(&only_basic, SchemeFilter::DigestOnly).is_none());
    }

    #[test]
    fn several_challenges_in_one_header() {
        let h = r#"Digest realm="a", nonce="x,y", qop="auth,auth-int", algorithm=SHA-256, Digest realm="a", nonce="z", algorithm=MD5, Basic realm="a""#;
        let cs = parse_www_authenticate([h]);
        assert_eq!(cs.len(), 3, "{cs:?}");
        let first = digest(&cs[0]);
        assert_eq!(first.nonce, "x,y", "comma inside quotes is not a separator");
        assert!(first.qop_auth && first.qop_auth_int);
        assert_eq!(digest(&cs[1]).algorithm, DigestAlgorithm::Md5);
        assert!(matches!(cs[2], Challenge::Basic { .. }));
        let best = strongest(&cs, SchemeFilter::Any).unwrap();
        assert_eq!(digest(best).nonce, "x,y");
    }

    #[test]
    fn case_insensitive_names_and_values() {
        let h = r#"DIGEST REALM="R", NONCE="N", QOP=AUTH, ALGORITHM=sha-256-SESS, STALE=TRUE, Opaque="o""#;
        let d = digest(&parse_www_authenticate([h])[0]).clone();
        assert_eq!((d.realm.as_str(), d.nonce.as_str()), ("R", "N"));
        assert_eq!(d.algorithm, DigestAlgorithm::Sha256);
        assert!(d.sess && d.stale && d.qop_auth);
        assert_eq!(d.opaque.as_deref(), Some("o"));
        assert_eq!(d.algorithm_token(), "SHA-256-sess");
    }

    #[test]
    fn escapes_and_odd_spacing() {
        let h = "Digest   realm = \"a \\\"quoted\\\" realm\" ,nonce=\"n\",,  qop=\"auth\"";
        let d = digest(&parse_www_authenticate([h])[0]).clone();
        assert_eq!(d.realm, "a \"quoted\" realm");
        assert_eq!(d.nonce, "n");
        assert!(d.qop_auth);
    }

    #[test]
    fn unusable_challenges_are_kept_as_other() {
        let cs = parse_www_authenticate([
            r#"Digest realm="r", nonce="n", algorithm=SHA-1"#,
            r#"Digest realm="r""#,
            r#"Digest realm="r", nonce="n", qop="auth-conf""#,
            "Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg==",
            "NTLM",
        ]);
        assert_eq!(cs.len(), 5, "{cs:?}");
        assert!(cs.iter().all(|c| c.rank() == 0), "{cs:?}");
        assert!(strongest(&cs, SchemeFilter::Any).is_none());
        let text = describe_offered(&cs);
        assert!(
            text.contains("SHA-1") && text.contains("Negotiate"),
            "{text}"
        );
    }

    #[test]
    fn garbage_never_panics_and_stays_bounded() {
        let inputs = [
            "",
            ",",
            "=",
            "\"",
            "Digest \"",
            "Digest realm=\"unterminated",
            "Digest ==, nonce",
            "é, ü=\"ö\"",
            "Digest realm=\"r\", nonce=\"n\", algorithm=",
        ];
        for i in inputs {
            let _ = parse_www_authenticate([i]);
        }
        let many = "Basic, ".repeat(10_000);
        assert_eq!(
            parse_www_authenticate([many.as_str()]).len(),
            MAX_CHALLENGES
        );
        let long = format!("Digest realm=\"{}\", nonce=\"n\"", "x".repeat(100_000));
        let cs = parse_www_authenticate([long.as_str()]);
        assert!(cs.len() <= 1);
        let multibyte = "é".repeat(MAX_HEADER_LEN);
        let _ = parse_www_authenticate([multibyte.as_str()]);
    }

    #[test]
    fn stale_detection() {
        let cs = parse_www_authenticate([r#"Digest realm="r", nonce="n", stale=true"#]);
        assert!(cs[0].is_stale_digest());
        let cs = parse_www_authenticate([r#"Digest realm="r", nonce="n", stale="FALSE""#]);
        assert!(!cs[0].is_stale_digest());
    }
}
