//! The device-label QR code.
//!
//! Facts (sadp-reset-hikconnect.md §3.2, from the vendor's own open-source scanner): plain text,
//! fields separated by line breaks (`\n\r`, `\r\n`, `\r` or `\n`), a trailing break allowed.
//! Field 1 is the vendor domain (`www.ys7.com`, …), field 2 the 9-character serial, field 3 the
//! verification code, field 4 the model; sensors and detectors add a 5th field of 4 characters
//! starting with `T` or `K`. A URL variant carries the same text base64-encoded in its `f=`
//! parameter, after a `$$$` marker. If only one field is present it is the serial.
//!
//! Tolerances, all inferred: Hikvision-branded labels are assumed to use the same layout with
//! another first line; fields separated by spaces or tabs (as the scanner's comments write
//! them) are accepted when the text has no line break; a serial field longer than 9 characters
//! is taken as a full serial and shortened; 2- and 3-field texts are read positionally.

use base64::Engine as _;
use serde::Serialize;

use super::{LabelError, ShortSerial};
use crate::keys::Secret;

/// Longest label text accepted (a QR code holds at most a few kilobytes).
const MAX_TEXT: usize = 4096;
/// Longest model field.
const MAX_MODEL: usize = 64;
/// Longest domain field.
const MAX_DOMAIN: usize = 255;

/// The separator written between fields by [`LabelQr::to_text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LabelSeparator {
    /// `\n` (the vendor's example), with a trailing `\n`.
    Lf,
    /// `\r\n`, with a trailing `\r\n`.
    CrLf,
    /// `\n\r`, with a trailing `\n\r`.
    LfCr,
    /// `\r`, with a trailing `\r`.
    Cr,
    /// A single space, no trailing separator.
    Space,
}

impl LabelSeparator {
    fn as_str(self) -> &'static str {
        match self {
            Self::Lf => "\n",
            Self::CrLf => "\r\n",
            Self::LfCr => "\n\r",
            Self::Cr => "\r",
            Self::Space => " ",
        }
    }
}

/// Which form the label text had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "form")]
pub enum LabelSource {
    /// Plain text fields.
    Text,
    /// The URL variant; `base` is the URL without its `f=` parameter value.
    Url {
        /// The URL up to and including `f=`.
        base: String,
    },
}

/// A decoded device-label QR code.
///
/// `Debug` and `Serialize` never show the verification code (`Serialize` writes
/// `hasVerificationCode` instead); [`LabelQr::to_json`] can include it when the caller asks.
///
/// ```
/// use hikproto::hikconnect::{LabelQr, LabelSeparator};
/// let qr = LabelQr::parse("www.xxx.com\n456654855\nABCDEF\nCS-C3-21PPFR\n").unwrap();
/// assert_eq!(qr.serial.as_str(), "456654855");
/// assert_eq!(qr.model.as_deref(), Some("CS-C3-21PPFR"));
/// assert_eq!(qr.verification_code.as_ref().unwrap().expose(), "ABCDEF");
/// assert!(!format!("{qr:?}").contains("ABCDEF"));
/// assert_eq!(qr.to_text(LabelSeparator::Lf), "www.xxx.com\n456654855\nABCDEF\nCS-C3-21PPFR\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelQr {
    /// Field 1: the vendor domain, e.g. `www.ys7.com`.
    pub domain: Option<String>,
    /// Field 2: the short serial.
    pub serial: ShortSerial,
    /// Field 2 as printed, when it was a full serial rather than the 9-character form.
    pub full_serial: Option<String>,
    /// Field 3: the device verification code (6–12 letters or digits).
    pub verification_code: Option<Secret>,
    /// Field 4: the model, e.g. `CS-C3-21PPFR`.
    pub model: Option<String>,
    /// Field 5 (sensors and detectors): 4 characters starting with `T` or `K`.
    pub sensor_code: Option<String>,
    /// Text or URL form.
    pub source: LabelSource,
}

impl LabelQr {
    /// A label with only a serial (what a damaged or serial-only QR gives).
    pub fn new(serial: ShortSerial) -> Self {
        Self {
            domain: None,
            serial,
            full_serial: None,
            verification_code: None,
            model: None,
            sensor_code: None,
            source: LabelSource::Text,
        }
    }

    /// Parses any form: plain text with any line-break separator, or the URL variant.
    pub fn parse(text: &str) -> Result<Self, LabelError> {
        if text.len() > MAX_TEXT {
            return Err(LabelError::TooLong { max: MAX_TEXT });
        }
        let text = trim_label(text.trim_start_matches('\u{feff}'));
        if text.is_empty() {
            return Err(LabelError::Empty);
        }
        let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Self::parse_url(text);
        }
        Self::parse_fields(text, LabelSource::Text)
    }

    fn parse_url(url: &str) -> Result<Self, LabelError> {
        let bad = |reason: &str| LabelError::BadUrl {
            reason: reason.to_owned(),
        };
        let (_, rest) = url
            .split_once('?')
            .ok_or_else(|| bad("no query string with an f= parameter"))?;
        // where the query starts, measured before a `#fragment` is cut off
        let mut offset = url.len() - rest.len();
        let query = rest.split('#').next().unwrap_or("");
        let mut found = None;
        for pair in query.split('&') {
            if let Some(v) = pair.strip_prefix("f=") {
                found = Some((offset + 2, v));
                break;
            }
            offset += pair.len() + 1;
        }
        let (value_at, value) = found.ok_or_else(|| bad("no f= parameter"))?;
        let value = percent_decode(value).ok_or_else(|| bad("bad percent-encoding"))?;
        let raw = decode_base64(value.trim()).ok_or_else(|| bad("the f= value is not base64"))?;
        let payload = String::from_utf8(raw).map_err(|_| bad("the payload is not UTF-8"))?;
        let fields = payload
            .split_once("$$$")
            .map_or(payload.as_str(), |(_, f)| f);
        let fields = trim_label(fields);
        if fields.is_empty() {
            return Err(LabelError::Empty);
        }
        Self::parse_fields(
            fields,
            LabelSource::Url {
                base: url[..value_at].to_owned(),
            },
        )
    }

    fn parse_fields(text: &str, source: LabelSource) -> Result<Self, LabelError> {
        let fields: Vec<&str> = if text.contains(['\r', '\n']) {
            split_lines(text)
        } else {
            text.split([' ', '\t']).filter(|f| !f.is_empty()).collect()
        };
        let fields: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
        if fields.len() > 5 {
            return Err(LabelError::TooManyFields {
                found: fields.len(),
            });
        }
        if fields.len() == 1 {
            let (serial, full_serial) = parse_serial(fields[0])?;
            return Ok(Self {
                full_serial,
                source,
                ..Self::new(serial)
            });
        }
        let get = |i: usize| fields.get(i).copied().filter(|f| !f.is_empty());
        let (serial, full_serial) = parse_serial(get(1).unwrap_or(""))?;
        Ok(Self {
            domain: get(0).map(parse_domain).transpose()?,
            serial,
            full_serial,
            verification_code: get(2).map(parse_code).transpose()?,
            model: get(3).map(parse_model).transpose()?,
            sensor_code: get(4).map(parse_sensor).transpose()?,
            source,
        })
    }

    /// Builds the label text (the verification code is written in clear: it is the QR content).
    ///
    /// Missing middle fields are written empty; trailing missing fields are left out.
    pub fn to_text(&self, sep: LabelSeparator) -> String {
        let fields = self.fields();
        if fields.len() == 1 {
            return fields[0].clone();
        }
        let s = sep.as_str();
        let mut out = fields.join(s);
        if sep != LabelSeparator::Space {
            out.push_str(s);
        }
        out
    }

    /// Builds the URL variant: `base` (for example `https://smart.jd.com/x?`), then
    /// `f=` + base64(`tag` + `$$$` + the CRLF-separated fields), percent-encoded.
    pub fn to_url(&self, base: &str, tag: &str) -> String {
        let payload = format!("{tag}$$${}", self.to_text(LabelSeparator::CrLf));
        let b64 = base64::engine::general_purpose::STANDARD.encode(payload);
        let enc = b64
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        let joiner = if base.ends_with(['?', '&']) {
            ""
        } else if base.contains('?') {
            "&"
        } else {
            "?"
        };
        format!("{base}{joiner}f={enc}")
    }

    fn fields(&self) -> Vec<String> {
        let serial = self
            .full_serial
            .clone()
            .unwrap_or_else(|| self.serial.as_str().to_owned());
        let all = [
            self.domain.clone(),
            Some(serial),
            self.verification_code
                .as_ref()
                .map(|c| c.expose().to_owned()),
            self.model.clone(),
            self.sensor_code.clone(),
        ];
        if all.iter().enumerate().all(|(i, f)| i == 1 || f.is_none()) {
            return vec![all[1].clone().unwrap_or_default()];
        }
        let last = all.iter().rposition(Option::is_some).unwrap_or(1);
        all[..=last]
            .iter()
            .map(|f| f.clone().unwrap_or_default())
            .collect()
    }

    /// A JSON view; the verification code is included only when `reveal_code` is true.
    pub fn to_json(&self, reveal_code: bool) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let (true, Some(code), Some(obj)) =
            (reveal_code, &self.verification_code, v.as_object_mut())
        {
            obj.insert("verificationCode".into(), code.expose().into());
        }
        v
    }
}

impl Serialize for LabelQr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct View<'a> {
            domain: &'a Option<String>,
            serial: &'a ShortSerial,
            #[serde(skip_serializing_if = "Option::is_none")]
            full_serial: &'a Option<String>,
            has_verification_code: bool,
            model: &'a Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            sensor_code: &'a Option<String>,
            source: &'a LabelSource,
        }
        View {
            domain: &self.domain,
            serial: &self.serial,
            full_serial: &self.full_serial,
            has_verification_code: self.verification_code.is_some(),
            model: &self.model,
            sensor_code: &self.sensor_code,
            source: &self.source,
        }
        .serialize(s)
    }
}

impl std::str::FromStr for LabelQr {
    type Err = LabelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Trims spaces and tabs at the start (a leading line break is an empty first field) and all
/// whitespace at the end (a trailing line break is allowed).
fn trim_label(text: &str) -> &str {
    text.trim_start_matches([' ', '\t']).trim_end()
}

/// Splits on `\r\n`, `\n\r`, `\r` or `\n`, each counting as one separator.
fn split_lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b'\r' || b[i] == b'\n' {
            out.push(&text[start..i]);
            let pair = b
                .get(i + 1)
                .is_some_and(|&n| (n == b'\r' || n == b'\n') && n != b[i]);
            i += if pair { 2 } else { 1 };
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    out
}

fn parse_serial(field: &str) -> Result<(ShortSerial, Option<String>), LabelError> {
    if field.is_empty() {
        return Err(LabelError::BadSerial {
            reason: "the serial field is empty".into(),
        });
    }
    if field.len() > ShortSerial::LEN {
        let short = ShortSerial::from_full_serial(field)?;
        return Ok((short, Some(field.to_owned())));
    }
    Ok((ShortSerial::parse(field)?, None))
}

fn parse_domain(field: &str) -> Result<String, LabelError> {
    if field.len() > MAX_DOMAIN || !field.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(LabelError::BadUrl {
            reason: "the first field is not a domain name".into(),
        });
    }
    Ok(field.to_owned())
}

fn parse_code(field: &str) -> Result<Secret, LabelError> {
    let len = field.chars().count();
    if !(6..=12).contains(&len) || !field.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(LabelError::BadVerificationCode { len });
    }
    Ok(Secret::new(field))
}

fn parse_model(field: &str) -> Result<String, LabelError> {
    if field.len() > MAX_MODEL {
        return Err(LabelError::BadModel {
            reason: format!("longer than {MAX_MODEL} characters"),
        });
    }
    if !field.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(LabelError::BadModel {
            reason: "a model is printable ASCII without spaces".into(),
        });
    }
    Ok(field.to_owned())
}

fn parse_sensor(field: &str) -> Result<String, LabelError> {
    let ok = field.len() == 4
        && field.bytes().all(|b| b.is_ascii_alphanumeric())
        && matches!(field.as_bytes()[0].to_ascii_uppercase(), b'T' | b'K');
    if !ok {
        return Err(LabelError::BadSensorCode {
            found: field.chars().take(16).collect(),
        });
    }
    Ok(field.to_owned())
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

#[cfg(test)]
mod tests;
