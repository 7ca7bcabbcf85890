//! One datagram in, one typed message out.

use crate::error::{Error, Result};
use crate::xml::{Element, Limits};

use super::mac::clip;
use super::probe::Probe;
use super::probe_match::ProbeMatch;
use super::reply::Reply;

/// Parsing caps for one SADP datagram: a UDP payload is at most 65,507 bytes, and real messages
/// are flat with a one-level list at most.
pub const DATAGRAM_LIMITS: Limits = Limits {
    max_depth: 8,
    max_elements: 1024,
    max_bytes: 65_535,
};

/// A decoded SADP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A request (another client on the LAN, or a test).
    Probe(Probe),
    /// A device's reply to `inquiry`/`inquiry_v32`.
    Match(ProbeMatch),
    /// A device's boot announcement.
    Hello(ProbeMatch),
    /// A reply to any other command.
    Reply(Reply),
}

impl Message {
    /// The UUID the message carries (empty for a `Hello` without one).
    pub fn uuid(&self) -> &str {
        match self {
            Self::Probe(p) => p.uuid(),
            Self::Match(m) | Self::Hello(m) => &m.uuid,
            Self::Reply(r) => &r.uuid,
        }
    }
}

/// Parses one datagram into an element tree, bounded by [`DATAGRAM_LIMITS`].
///
/// Tolerates a UTF-8 byte-order mark, leading whitespace and trailing NUL bytes (C responders
/// send their terminator); CRLF, LF or no separators between elements are all fine.
pub fn parse_datagram(datagram: &[u8]) -> Result<Element> {
    let mut d = datagram;
    if let Some(rest) = d.strip_prefix(b"\xEF\xBB\xBF") {
        d = rest;
    }
    while let [rest @ .., 0] = d {
        d = rest;
    }
    if d.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::decode("SADP datagram", "empty datagram"));
    }
    Element::parse_with(d, DATAGRAM_LIMITS)
}

/// Decodes one datagram: `Probe`, `Hello`, or `ProbeMatch` (a discovery reply when `Types` is
/// `inquiry`/`inquiry_v32`, else a command reply).
pub fn decode(datagram: &[u8]) -> Result<Message> {
    let root = parse_datagram(datagram)?;
    decode_element(&root)
}

/// [`decode`] for an already-parsed element.
pub fn decode_element(root: &Element) -> Result<Message> {
    match root.name.as_str() {
        "Probe" => Probe::from_element(root).map(Message::Probe),
        "Hello" => ProbeMatch::from_element(root).map(Message::Hello),
        "ProbeMatch" => {
            let types = root.text_at("Types").map(super::ProbeType::parse);
            match types {
                Some(t) if t.is_discovery() => ProbeMatch::from_element(root).map(|m| {
                    if t == super::ProbeType::Hello {
                        Message::Hello(m)
                    } else {
                        Message::Match(m)
                    }
                }),
                _ => Reply::from_element(root).map(Message::Reply),
            }
        }
        other => Err(Error::decode(
            "SADP datagram",
            format!("unexpected root element <{}>", clip(other)),
        )),
    }
}
