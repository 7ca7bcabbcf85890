//! The captured 401 challenge: serving it with fresh single-use values, and the parameter
//! handling a capture and the simulator share.

use crate::http::Reply;
use crate::state::DeviceRuntime;

/// The captured 401 answer without its `WWW-Authenticate` headers (see
/// [`challenge_headers`]), if the device plays a capture that has one.
pub(crate) fn challenge_reply(rt: &DeviceRuntime) -> Option<Reply> {
    let ch = rt.cfg.captured.challenge.as_ref()?;
    let mut r = Reply::bytes(ch.status, "", ch.body.clone().into_bytes());
    r.content_type = ch.content_type.clone().unwrap_or_default().into();
    Some(r)
}

/// The captured `WWW-Authenticate` headers, in their order, each Digest nonce replaced by a
/// nonce the device issues now, each non-empty opaque by a fresh value, and `stale` set as
/// asked (added to Digest headers that did not carry it only when true). `None` when the
/// device plays no captured challenge (or one without headers).
pub(crate) fn challenge_headers(rt: &mut DeviceRuntime, stale: bool) -> Option<Vec<String>> {
    let captured = rt.cfg.captured.challenge.as_ref()?.www_authenticate.clone();
    if captured.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(captured.len());
    for h in captured {
        let digest = h
            .split_whitespace()
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case("digest"));
        if !digest {
            out.push(h);
            continue;
        }
        let mut h = h;
        if param_span(&h, "nonce").is_some() {
            let nonce = rt.issue_nonce();
            h = with_param(&h, "nonce", &nonce);
        }
        if param_span(&h, "opaque").is_some_and(|r| !r.is_empty()) {
            h = with_param(&h, "opaque", &crate::crypto::rand_hex(16));
        }
        h = match param_span(&h, "stale") {
            Some(r) => {
                let upper = h[r.clone()].chars().any(|c| c.is_ascii_uppercase());
                let v = match (stale, upper) {
                    (true, true) => "TRUE",
                    (true, false) => "true",
                    (false, true) => "FALSE",
                    (false, false) => "false",
                };
                with_param(&h, "stale", v)
            }
            None if stale => format!("{h}, stale=\"TRUE\""),
            None => h,
        };
        out.push(h);
    }
    Some(out)
}

/// What a capture writes for a single-use value (nonce, opaque).
pub const BLANK: &str = "…";

/// A `WWW-Authenticate` value as a capture keeps it: the nonce and a non-empty opaque (quoted
/// or not) replaced by [`BLANK`], since a second capture would not see them again.
pub fn blank_single_use(header: &str) -> String {
    let mut h = header.to_owned();
    for name in ["nonce", "opaque"] {
        if param_span(&h, name).is_some_and(|r| !r.is_empty()) {
            h = with_param(&h, name, BLANK);
        }
    }
    h
}

/// `header` with the value of parameter `name` replaced.
fn with_param(header: &str, name: &str, value: &str) -> String {
    match param_span(header, name) {
        Some(r) => format!("{}{value}{}", &header[..r.start], &header[r.end..]),
        None => header.to_owned(),
    }
}

/// `doc` with the text of every element named `name` (ASCII case ignored, so `Ipv4Address`
/// and `IPv4Address` are one name; no namespace prefix) set to `text` (escaped), everything else
/// byte for byte as it was; `None` when no such element (with a closing tag) is in `doc`.
pub fn set_element_text(doc: &str, name: &str, text: &str) -> Option<String> {
    let open = format!("<{}>", name.to_ascii_lowercase());
    let close = format!("</{}>", name.to_ascii_lowercase());
    // lower-casing ASCII keeps every byte offset
    let lower = doc.to_ascii_lowercase();
    let mut out = String::with_capacity(doc.len());
    let mut at = 0;
    let mut found = false;
    while let Some(i) = lower[at..].find(&open) {
        let start = at + i + open.len();
        let Some(j) = lower[start..].find(&close) else {
            break;
        };
        out.push_str(&doc[at..start]);
        out.push_str(&hikproto::xml::escape(text));
        at = start + j;
        found = true;
    }
    out.push_str(&doc[at..]);
    found.then_some(out)
}

/// The byte range of the value of auth parameter `name` (inside the quotes when quoted).
fn param_span(header: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let lower = header.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&format!("{name}=")) {
        let at = from + i;
        let boundary = at == 0 || matches!(lower.as_bytes()[at - 1], b' ' | b',' | b'\t');
        let start = at + name.len() + 1;
        if boundary {
            let rest = &header[start..];
            return Some(match rest.strip_prefix('"') {
                Some(q) => start + 1..start + 1 + q.find('"').unwrap_or(q.len()),
                None => {
                    let v = rest.split(',').next().unwrap_or("");
                    let lead = v.len() - v.trim_start().len();
                    start + lead..start + v.trim_end().len()
                }
            });
        }
        from = start;
    }
    None
}

pub(super) fn param<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    param_span(header, name).map(|r| &header[r])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_replaced_in_place() {
        let h = r#"Digest qop="auth", realm="x,y", nonce="…", stale=FALSE, opaque="…""#;
        let h2 = with_param(h, "nonce", "n1");
        assert_eq!(
            h2,
            r#"Digest qop="auth", realm="x,y", nonce="n1", stale=FALSE, opaque="…""#
        );
        assert_eq!(
            with_param(&h2, "stale", "TRUE"),
            r#"Digest qop="auth", realm="x,y", nonce="n1", stale=TRUE, opaque="…""#
        );
        assert_eq!(param(h, "realm"), Some("x,y"));
        assert_eq!(param(h, "opaque"), Some(BLANK));
        assert_eq!(with_param(h, "domain", "::"), h);
        let raw = r#"Digest realm="r", nonce=abc:12, opaque="", qop=auth"#;
        assert_eq!(
            blank_single_use(raw),
            r#"Digest realm="r", nonce=…, opaque="", qop=auth"#
        );
        let pm = "<ProbeMatch>\r\n<Ipv4Address>10.0.0.5</Ipv4Address>\r\n<X>a</X><ipv4address/></ProbeMatch>";
        assert_eq!(
            set_element_text(pm, "IPv4Address", "192.0.2.64&").as_deref(),
            Some(
                "<ProbeMatch>\r\n<Ipv4Address>192.0.2.64&amp;</Ipv4Address>\r\n<X>a</X><ipv4address/></ProbeMatch>"
            )
        );
        assert_eq!(set_element_text(pm, "Salt", "x"), None);
        let raw = r#"Digest nonce="n", opaque="o""#;
        assert_eq!(blank_single_use(raw), r#"Digest nonce="…", opaque="…""#);
    }
}
