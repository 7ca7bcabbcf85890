//! A small, bounded XML tree for ISAPI documents.
//!
//! Devices send at least five namespaces (hikvision.com ver10/ver20, isapi.org ver20, std-cgi,
//! PSIA) or none, spell booleans `TRUE` or `flase`, and repeat elements freely. hikproto therefore
//! decodes every document into an [`Element`] tree that:
//!
//! * matches children by **local name**, ignoring prefixes and namespace URIs;
//! * keeps the root's namespace and `version` so a write can echo them (read-modify-write);
//! * keeps unknown elements, so nothing the device sent is lost on a round trip;
//! * is bounded: depth, element count and text size are capped ([`Limits`]), DTDs and entity
//!   declarations are refused, so hostile input gives an [`Error::Decode`] instead of a panic or
//!   unbounded memory.
//!
//! Typed models are thin views over this tree (see [`FromXml`] and [`ToXml`]).

use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

/// The namespaces devices are known to use. Writes echo whatever the device sent.
pub mod ns {
    /// Older cameras and access-control firmware.
    pub const HIKVISION_V10: &str = "http://www.hikvision.com/ver10/XMLSchema";
    /// Many current cameras.
    pub const HIKVISION_V20: &str = "http://www.hikvision.com/ver20/XMLSchema";
    /// Newer NVRs, access control, the 2.0 documents.
    pub const ISAPI_V20: &str = "http://www.isapi.org/ver20/XMLSchema";
    /// OEM "standard CGI" documents.
    pub const STD_CGI_V20: &str = "http://www.std-cgi.com/ver20/XMLSchema";
    /// The PSIA-era namespace.
    pub const PSIA: &str = "urn:psialliance-org";
}

/// Caps applied while parsing, so a hostile document cannot exhaust memory or stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting depth.
    pub max_depth: usize,
    /// Maximum number of elements in the document.
    pub max_elements: usize,
    /// Maximum input size in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_elements: 200_000,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

/// One XML element: local name, attributes, text and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name (prefix stripped).
    pub name: String,
    /// Attributes as (local name, value), in document order. `xmlns` declarations are kept here
    /// under the name `xmlns` (or `xmlns:prefix`) so that writes can echo them.
    pub attrs: Vec<(String, String)>,
    /// Concatenated text content directly inside this element, trimmed.
    pub text: String,
    /// Child elements, in document order.
    pub children: Vec<Self>,
}

/// At most 160 characters of a parser message: they can quote names from the input, which
/// are unbounded.
fn clip(msg: &str) -> String {
    match msg.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &msg[..i]),
        None => msg.to_owned(),
    }
}

/// Whether `s` is a plain XML name: a letter or `_`, then letters, digits, `_`, `-`, `.`.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The local part of a (possibly prefixed) name. A name whose local part would be empty or
/// is not a plain name (`a:`, `e:/x`, `":z"`) is kept whole, so that what is written reads back.
fn local(name: &str) -> &str {
    match name.rfind(':') {
        Some(i) if is_name(&name[i + 1..]) => &name[i + 1..],
        _ => name,
    }
}

impl Element {
    /// A new empty element.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// A new element with text.
    pub fn with_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            ..Self::default()
        }
    }

    /// Parses a document with the default [`Limits`].
    pub fn parse(input: &[u8]) -> Result<Self> {
        Self::parse_with(input, Limits::default())
    }

    /// Parses a document with explicit limits.
    pub fn parse_with(input: &[u8], limits: Limits) -> Result<Self> {
        const WHAT: &str = "XML document";
        if input.len() > limits.max_bytes {
            return Err(Error::TooLarge {
                limit: limits.max_bytes,
            });
        }
        let mut reader = Reader::from_reader(input);
        reader.config_mut().trim_text(false);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<Self> = Vec::new();
        let mut root: Option<Self> = None;
        let mut count = 0usize;
        loop {
            // borrowed from `input`: no copy of names, attributes or text
            let ev = reader.read_event().map_err(|e| {
                Error::decode(WHAT, format!("malformed XML: {}", clip(&e.to_string())))
            })?;
            match ev {
                Event::Start(ref s) | Event::Empty(ref s) => {
                    if root.is_some() {
                        return Err(Error::decode(WHAT, "content after the root element"));
                    }
                    count += 1;
                    if count > limits.max_elements {
                        return Err(Error::decode(WHAT, "too many elements"));
                    }
                    if stack.len() >= limits.max_depth {
                        return Err(Error::decode(WHAT, "nesting too deep"));
                    }
                    let el = Self::from_start(s)?;
                    if matches!(ev, Event::Empty(_)) {
                        Self::close(&mut stack, &mut root, el);
                    } else {
                        stack.push(el);
                    }
                }
                Event::End(_) => {
                    let el = stack
                        .pop()
                        .ok_or_else(|| Error::decode(WHAT, "unbalanced end tag"))?;
                    Self::close(&mut stack, &mut root, el);
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        // leading white space would be trimmed on close: skip it unbuffered
                        if top.text.is_empty() && t.trim().is_empty() {
                            continue;
                        }
                        push_unescaped(&mut top.text, &t, limits.max_bytes)?;
                    } else if !t.trim().is_empty() {
                        return Err(Error::decode(WHAT, "text outside the root element"));
                    }
                }
                Event::CData(t) => {
                    if let Some(top) = stack.last_mut() {
                        push_text(&mut top.text, &t, limits.max_bytes)?;
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(top) = stack.last_mut() {
                        let s = resolve_entity(&r)?;
                        top.text.push_str(&s);
                    }
                }
                Event::DocType(_) => {
                    return Err(Error::decode(
                        WHAT,
                        "document type declarations are not accepted",
                    ));
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(Error::decode(WHAT, "truncated document"));
        }
        root.ok_or_else(|| Error::decode(WHAT, "empty document"))
    }

    fn close(stack: &mut [Self], root: &mut Option<Self>, mut el: Self) {
        let trimmed = el.text.trim();
        if trimmed.len() != el.text.len() {
            el.text = trimmed.to_owned();
        }
        match stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => *root = Some(el),
        }
    }

    fn from_start(s: &BytesStart<'_>) -> Result<Self> {
        const WHAT: &str = "XML document";
        let name = local(s.name().as_ref()).to_owned();
        if name.is_empty() {
            return Err(Error::decode(WHAT, "an element without a name"));
        }
        let mut attrs: Vec<(String, String)> = Vec::new();
        // a set only for elements with many attributes; a scan is cheaper for the usual few
        let mut seen = std::collections::HashSet::new();
        for a in s.attributes() {
            let a = a.map_err(|e| {
                Error::decode(WHAT, format!("bad attribute: {}", clip(&e.to_string())))
            })?;
            let key = a.key.as_ref();
            let key = if key.starts_with("xmlns") {
                key.to_owned()
            } else {
                local(key).to_owned()
            };
            // `a:x` and `b:x` have the same local name: keep the first, so that what is
            // written has no duplicate attribute and reads back.
            let duplicate = if attrs.len() < 16 {
                attrs.iter().any(|(k, _)| *k == key)
            } else {
                if seen.is_empty() {
                    seen.extend(attrs.iter().map(|(k, _)| k.clone()));
                }
                !seen.insert(key.clone())
            };
            if duplicate {
                continue;
            }
            attrs.push((key, unescape(&a.value)?));
        }
        Ok(Self {
            name,
            attrs,
            ..Self::default()
        })
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Self> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first child with this local name, mutable.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Self> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// All children with this local name (repeated elements are always a list).
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Self> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a `/`-separated path of local names from this element.
    pub fn path(&self, path: &str) -> Option<&Self> {
        path.split('/')
            .filter(|p| !p.is_empty())
            .try_fold(self, |el, part| el.child(part))
    }

    /// The text of the child at `path`, if present and non-empty.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        self.path(path)
            .map(|e| e.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// The text of the child at `path` as an owned string.
    pub fn string_at(&self, path: &str) -> Option<String> {
        self.text_at(path).map(str::to_owned)
    }

    /// The child at `path` as a lenient boolean (see [`parse_bool`]).
    pub fn bool_at(&self, path: &str) -> Option<bool> {
        self.text_at(path).and_then(parse_bool)
    }

    /// The child at `path` parsed as a number; `None` when absent or not a number.
    pub fn num_at<T: std::str::FromStr>(&self, path: &str) -> Option<T> {
        self.text_at(path).and_then(|t| t.trim().parse().ok())
    }

    /// An attribute by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The default namespace declared on this element, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.attr("xmlns")
    }

    /// Sets (or replaces) an attribute.
    pub fn set_attr(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name.to_owned(), value)),
        }
    }

    /// Sets the text of the child at `path`, creating missing elements on the way.
    pub fn set_text_at(&mut self, path: &str, text: impl Into<String>) {
        let mut el = self;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let idx = match el.children.iter().position(|c| c.name == part) {
                Some(i) => i,
                None => {
                    el.children.push(Self::new(part));
                    el.children.len() - 1
                }
            };
            el = &mut el.children[idx];
        }
        el.text = text.into();
    }

    /// Removes every child at the last step of `path`.
    pub fn remove_at(&mut self, path: &str) {
        let (parent, name) = match path.rsplit_once('/') {
            Some((p, n)) => (p, n),
            None => ("", path),
        };
        let mut el = self;
        for part in parent.split('/').filter(|p| !p.is_empty()) {
            match el.child_mut(part) {
                Some(c) => el = c,
                None => return,
            }
        }
        el.children.retain(|c| c.name != name);
    }

    /// Appends a child and returns `self` (builder style).
    #[must_use]
    pub fn push(mut self, child: Self) -> Self {
        self.children.push(child);
        self
    }

    /// Appends a text child and returns `self` (builder style).
    #[must_use]
    pub fn push_text(self, name: &str, text: impl Into<String>) -> Self {
        self.push(Self::with_text(name, text))
    }

    /// Sets the root attributes devices expect on a request document (`version` and `xmlns`).
    #[must_use]
    pub fn with_namespace(mut self, namespace: &str) -> Self {
        self.set_attr("version", "2.0");
        self.set_attr("xmlns", namespace);
        self
    }

    /// Serialises to a document with an XML declaration.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write_into(&mut out);
        out
    }

    /// Serialises this element without a declaration.
    pub fn write_into(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            let _ = write!(out, " {k}=\"{}\"", escape(v));
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        out.push_str(&escape(&self.text));
        for c in &self.children {
            c.write_into(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    /// A JSON view of the element (for `hikproto decode` of unknown documents and for debugging).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value};
        if self.children.is_empty() {
            return Value::String(self.text.clone());
        }
        let mut map = Map::new();
        for c in &self.children {
            let v = c.to_json();
            match map.get_mut(&c.name) {
                Some(Value::Array(a)) => a.push(v),
                Some(existing) => {
                    let prev = existing.take();
                    *existing = Value::Array(vec![prev, v]);
                }
                None => {
                    map.insert(c.name.clone(), v);
                }
            }
        }
        Value::Object(map)
    }
}

fn push_text(dst: &mut String, s: &str, max: usize) -> Result<()> {
    if dst.len() + s.len() > max {
        return Err(Error::TooLarge { limit: max });
    }
    dst.push_str(s);
    Ok(())
}

/// [`push_text`] of `s` with its entities resolved (no copy when it has none).
fn push_unescaped(dst: &mut String, s: &str, max: usize) -> Result<()> {
    if s.contains('&') {
        push_text(dst, &unescape(s)?, max)
    } else {
        push_text(dst, s, max)
    }
}

fn resolve_entity(name: &str) -> Result<String> {
    Ok(match name {
        "lt" => "<".into(),
        "gt" => ">".into(),
        "amp" => "&".into(),
        "apos" => "'".into(),
        "quot" => "\"".into(),
        n if n.starts_with("#x") || n.starts_with("#X") => char_ref(&n[2..], 16)?,
        n if n.starts_with('#') => char_ref(&n[1..], 10)?,
        other => {
            return Err(Error::decode(
                "XML document",
                format!(
                    "unknown entity &{};",
                    other.chars().take(32).collect::<String>()
                ),
            ));
        }
    })
}

fn char_ref(digits: &str, radix: u32) -> Result<String> {
    u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
        .map(String::from)
        .ok_or_else(|| Error::decode("XML document", "bad character reference"))
}

/// Resolves the predefined entities and character references in `s`.
fn unescape(s: &str) -> Result<String> {
    if !s.contains('&') {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let end = tail
            .find(';')
            .filter(|&e| e <= 10)
            .ok_or_else(|| Error::decode("XML document", "unterminated entity"))?;
        out.push_str(&resolve_entity(&tail[..end])?);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes text for use in element content or attribute values.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['<', '>', '&', '"', '\'']) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// Lenient boolean: `true`/`TRUE`/`True`/`1`/`yes`/`on` and `false`/`flase`/`FALSE`/`0`/`no`/`off`.
///
/// Real devices send `flase` in SADP replies and upper-case booleans in some ISAPI documents.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "flase" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Formats a boolean the way devices expect it.
pub fn fmt_bool(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// A typed view decoded from an [`Element`].
pub trait FromXml: Sized {
    /// The root element's local name this model decodes (for dispatch and error messages).
    const ROOT: &'static str;

    /// Decodes from an element whose local name is expected to be [`Self::ROOT`].
    fn from_element(el: &Element) -> Result<Self>;

    /// Parses bytes and decodes, checking the root element's name.
    fn from_xml(input: &[u8]) -> Result<Self> {
        let el = Element::parse(input)?;
        if el.name != Self::ROOT {
            return Err(Error::decode(
                Self::ROOT,
                format!("expected root <{}>, found <{}>", Self::ROOT, el.name),
            ));
        }
        Self::from_element(&el)
    }
}

/// A typed model that can be written as a request body.
pub trait ToXml {
    /// Builds the element tree. `namespace` is the one the device used (echo it), or `None`.
    fn to_element(&self, namespace: Option<&str>) -> Element;
}

/// Requires the text at `path`, or fails with a decode error naming the model and the element.
pub fn required<'a>(el: &'a Element, what: &str, path: &str) -> Result<&'a str> {
    el.text_at(path)
        .ok_or_else(|| Error::decode(what, format!("missing <{path}>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_and_namespace() {
        let doc = br#"<?xml version="1.0"?><hik:DeviceInfo version="2.0" xmlns:hik="urn:x" xmlns="http://www.isapi.org/ver20/XMLSchema"><hik:deviceName>Cam &amp; Co</hik:deviceName><x/><x>2</x></hik:DeviceInfo>"#;
        let el = Element::parse(doc).unwrap();
        assert_eq!(el.name, "DeviceInfo");
        assert_eq!(el.namespace(), Some(ns::ISAPI_V20));
        assert_eq!(el.text_at("deviceName"), Some("Cam & Co"));
        assert_eq!(el.children_named("x").count(), 2);
        let again = Element::parse(el.to_xml().as_bytes()).unwrap();
        assert_eq!(again, el);
    }

    #[test]
    fn lenient_bools() {
        assert_eq!(parse_bool("flase"), Some(false));
        assert_eq!(parse_bool(" TRUE "), Some(true));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn hostile_input_is_an_error() {
        for doc in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            b"<a>&unknown;</a>",
            b"<a/><b/>",
            b"\xff\xfe<a/>",
            b"<>\n</>",
            b"<></>",
        ] {
            assert!(
                Element::parse(doc).is_err(),
                "{:?}",
                String::from_utf8_lossy(doc)
            );
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(Element::parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn written_xml_reads_back() {
        // found by fuzzing: an empty local name, and two prefixes with the same local name
        for doc in [
            &br#"<Time xmlisSupport:="urn:x" a="1"><timeMode>NTP</timeMode></Time>"#[..],
            br#"<a: b:="1"><c:>t</c:></a:>"#,
            br#"<T p:x="1" q:x="2" x="3"/>"#,
            br#"<EZVIZ><ehttp://www.hikvision.com/vcode min="6"/><x:!a/><y:1b k:/v="2"/></EZVIZ>"#,
            br#"<":z"/>"#,
        ] {
            let el = Element::parse(doc).unwrap();
            let text = el.to_xml();
            let again = Element::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(again, el, "{text}");
        }
        let el = Element::parse(br#"<T p:x="1" q:x="2"/>"#).unwrap();
        assert_eq!(el.attr("x"), Some("1"));
    }

    #[test]
    fn errors_do_not_echo_long_input() {
        let doc = format!("<a>&{};</a>", "b".repeat(10_000));
        let e = Element::parse(doc.as_bytes()).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn set_and_remove_paths() {
        let mut el = Element::new("EZVIZ");
        el.set_text_at("serverAddress/hostName", "dev.example");
        assert_eq!(el.text_at("serverAddress/hostName"), Some("dev.example"));
        el.remove_at("serverAddress/hostName");
        assert_eq!(el.text_at("serverAddress/hostName"), None);
    }
}
