//! The devices file every fleet operation reads: one device per row, in CSV or TOML, with a
//! reference to its credential (never the password itself).
//!
//! CSV has a header line naming its columns; TOML has one `[[device]]` table per device:
//!
//! ```text
//! host,port,https,pin,user,site,label,credential
//! 10.1.0.10,80,false,,admin,north,gate,env:NORTH_PASSWORD
//! 10.2.0.11,443,true,AB:CD:…,admin,south,lobby,file:south
//! ```
//!
//! ```toml
//! [[device]]
//! host = "10.1.0.10"
//! site = "north"
//! credential = "env:NORTH_PASSWORD"
//! ```
//!
//! Columns (keys): `host` (IP address or DNS name, required), `port` (default 80, or 443 with
//! HTTPS), `https` (`true`/`false`), `pin` (the certificate's SHA-256 fingerprint, hex),
//! `user` (default `admin`), `site`, `label`, and `credential` (required): `env:NAME` reads
//! the password from the environment variable `NAME`, `file:ENTRY` reads entry `ENTRY` of the
//! credentials file ([`CredentialsFile`]), which is refused unless it is private to its owner.
//!
//! Every bad row is reported with its file and line, and [`DevicesFile::load`] returns an error
//! listing all of them: nothing may run until the file is clean.
//!
//! ```
//! use hikproto::fleet::devices_file::{CredentialRef, DevicesFile};
//! let f = DevicesFile::parse(
//!     "site.csv",
//!     "host,site,credential\n10.0.0.1,north,env:NORTH_PW\n",
//! )
//! .unwrap();
//! assert_eq!(f.devices[0].credential, CredentialRef::Env("NORTH_PW".into()));
//! assert_eq!(f.devices[0].address(), "10.0.0.1:80");
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use crate::client::{DeviceBuilder, TlsMode, tls};
use crate::error::Error;
use crate::keys::Secret;

/// Largest devices or credentials file read (bytes).
const MAX_FILE: u64 = 64 << 20;
/// Most devices in one file.
const MAX_DEVICES: usize = 100_000;

/// Columns (TOML keys) a devices file may use.
pub const COLUMNS: &[&str] = &[
    "host",
    "port",
    "https",
    "pin",
    "user",
    "site",
    "label",
    "credential",
];

/// Where a device's password comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CredentialRef {
    /// The environment variable of this name.
    Env(String),
    /// This entry of the credentials file.
    File(String),
}

impl CredentialRef {
    fn parse(s: &str) -> Result<Self, String> {
        // the value is never echoed: it may be a password typed in the wrong place
        let bad = || {
            "the credential is neither env:VARIABLE nor file:ENTRY (passwords never go in the devices file)".to_owned()
        };
        let (kind, name) = s.split_once(':').ok_or_else(bad)?;
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(bad());
        }
        match kind.trim() {
            "env" => Ok(Self::Env(name.to_owned())),
            "file" => Ok(Self::File(name.to_owned())),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for CredentialRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(n) => write!(f, "env:{n}"),
            Self::File(n) => write!(f, "file:{n}"),
        }
    }
}

/// One device of a devices file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceEntry {
    /// Line of the row (CSV) or of its `[[device]]` header (TOML), from 1.
    pub line: usize,
    /// IP address or DNS name.
    pub host: String,
    /// TCP port (80, or 443 with HTTPS, when the file gives none).
    pub port: u16,
    /// Talk HTTPS.
    pub https: bool,
    /// The certificate's SHA-256 fingerprint to trust (hex with colons when serialised).
    #[serde(serialize_with = "ser_pin")]
    pub pin: Option<[u8; 32]>,
    /// User name to log in with.
    pub user: String,
    /// Site name (groups devices sharing a password).
    pub site: Option<String>,
    /// Free label (camera name, location).
    pub label: Option<String>,
    /// Where the password comes from.
    pub credential: CredentialRef,
}

fn ser_pin<S: serde::Serializer>(pin: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match pin {
        Some(p) => s.serialize_some(&tls::format_fingerprint(p)),
        None => s.serialize_none(),
    }
}

impl DeviceEntry {
    /// `host:port` (IPv6 addresses in brackets): what [`crate::Device::builder`] takes.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `user@host:port`: names the device and account in journals and reports.
    pub fn key(&self) -> String {
        format!("{}@{}", self.user, self.address())
    }

    /// A device builder with this entry's address, scheme, pin and the given password.
    pub fn builder(&self, password: Secret) -> DeviceBuilder {
        let mut b = crate::Device::builder(self.address())
            .https(self.https)
            .credentials(&self.user, password);
        if let Some(pin) = self.pin {
            b = b.tls(TlsMode::PinSha256(pin));
        }
        b
    }
}

/// One problem in a devices or credentials file, at a line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The file, as given.
    pub file: String,
    /// Line, from 1 (0 when the problem is the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Every problem found in a file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileErrors(pub Vec<RowError>);

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileErrors {}

impl From<FileErrors> for Error {
    fn from(e: FileErrors) -> Self {
        Self::invalid(e.to_string())
    }
}

fn whole(file: &str, message: impl Into<String>) -> FileErrors {
    FileErrors(vec![RowError {
        file: file.to_owned(),
        line: 0,
        message: message.into(),
    }])
}

/// Reads a file of at most 64 MiB as text (for rewriting a devices file).
pub fn read_text_checked(path: &Path) -> Result<String, FileErrors> {
    read_text(path)
}

/// Reads a file of at most [`MAX_FILE`] bytes as text.
fn read_text(path: &Path) -> Result<String, FileErrors> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| whole(&name, e.to_string()))?;
    if meta.len() > MAX_FILE {
        return Err(whole(&name, format!("larger than {MAX_FILE} bytes")));
    }
    std::fs::read_to_string(path).map_err(|e| whole(&name, e.to_string()))
}

/// A parsed, clean devices file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicesFile {
    /// The file, as given.
    pub file: String,
    /// Its devices, in file order.
    pub devices: Vec<DeviceEntry>,
}

impl DevicesFile {
    /// Reads and checks a devices file: TOML when its name ends in `.toml`, CSV otherwise.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, FileErrors> {
        let path = path.as_ref();
        Self::parse(&path.display().to_string(), &read_text(path)?)
    }

    /// Checks the text of a devices file; `file` names it in messages and chooses the format
    /// (`.toml` or CSV).
    pub fn parse(file: &str, text: &str) -> Result<Self, FileErrors> {
        let (rows, mut errors) = if file.ends_with(".toml") {
            toml_rows(file, text)?
        } else {
            csv_rows(file, text)?
        };
        let mut devices = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let at = |line: usize, message: String| RowError {
            file: file.to_owned(),
            line,
            message,
        };
        for (line, fields) in rows {
            match entry(line, &fields) {
                Ok(d) => match seen.get(&d.key()) {
                    Some(first) => errors.push(at(
                        line,
                        format!("duplicate device {} (first on line {first})", d.key()),
                    )),
                    None => {
                        seen.insert(d.key(), line);
                        devices.push(d);
                    }
                },
                Err(msgs) => errors.extend(msgs.into_iter().map(|m| at(line, m))),
            }
        }
        errors.sort_by_key(|e| e.line);
        if !errors.is_empty() {
            return Err(FileErrors(errors));
        }
        if devices.is_empty() {
            return Err(whole(file, "lists no device"));
        }
        if devices.len() > MAX_DEVICES {
            return Err(whole(file, format!("more than {MAX_DEVICES} devices")));
        }
        Ok(Self {
            file: file.to_owned(),
            devices,
        })
    }

    /// The password of every device, in order: from the environment or from `credentials`.
    /// Every device whose credential cannot be read is reported at its line.
    pub fn resolve(
        &self,
        credentials: Option<&CredentialsFile>,
    ) -> Result<Vec<Secret>, FileErrors> {
        let mut out = Vec::with_capacity(self.devices.len());
        let mut errors = Vec::new();
        for d in &self.devices {
            let found = match &d.credential {
                CredentialRef::Env(name) => std::env::var(name)
                    .map(Secret::new)
                    .map_err(|_| format!("environment variable {name} is not set")),
                CredentialRef::File(entry) => match credentials {
                    None => Err(format!(
                        "credential file:{entry} needs a credentials file (--credentials)"
                    )),
                    Some(c) => c.get(entry).cloned().ok_or_else(|| {
                        format!("the credentials file {} has no entry {entry:?}", c.file)
                    }),
                },
            };
            match found {
                Ok(s) => out.push(s),
                Err(message) => errors.push(RowError {
                    file: self.file.clone(),
                    line: d.line,
                    message,
                }),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(FileErrors(errors))
        }
    }

    /// True when some device reads its password from the credentials file.
    pub fn needs_credentials_file(&self) -> bool {
        self.devices
            .iter()
            .any(|d| matches!(d.credential, CredentialRef::File(_)))
    }
}

/// Rows as (line, column → value), and the problems found so far.
type Rows = (Vec<(usize, BTreeMap<String, String>)>, Vec<RowError>);

/// CSV rows; the header must name known columns.
fn csv_rows(file: &str, text: &str) -> Result<Rows, FileErrors> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((hline, header)) = lines.next() else {
        return Err(whole(file, "lists no device"));
    };
    let cols: Vec<String> = header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let mut errors = Vec::new();
    for c in &cols {
        if !COLUMNS.contains(&c.as_str()) {
            errors.push(RowError {
                file: file.to_owned(),
                line: hline,
                message: format!(
                    "unknown column {c:?} (known: {}); the first line names the columns",
                    COLUMNS.join(", ")
                ),
            });
        }
    }
    for need in ["host", "credential"] {
        if !cols.iter().any(|c| c == need) {
            errors.push(RowError {
                file: file.to_owned(),
                line: hline,
                message: format!("the header has no {need:?} column"),
            });
        }
    }
    let mut rows = Vec::new();
    for (n, line) in lines {
        let vals: Vec<&str> = line.split(',').map(str::trim).collect();
        if vals.len() > cols.len() {
            errors.push(RowError {
                file: file.to_owned(),
                line: n,
                message: format!(
                    "{} values for {} columns (values cannot contain commas)",
                    vals.len(),
                    cols.len()
                ),
            });
            continue;
        }
        let fields = cols
            .iter()
            .zip(vals)
            .filter(|(_, v)| !v.is_empty())
            .map(|(c, v)| (c.clone(), v.to_owned()))
            .collect();
        rows.push((n, fields));
    }
    Ok((rows, errors))
}

/// Line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// TOML `[[device]]` tables as (line, key → value as text).
fn toml_rows(file: &str, text: &str) -> Result<Rows, FileErrors> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[serde(default)]
        device: Vec<toml::Spanned<toml::Table>>,
    }
    let doc: Doc = toml::from_str(text).map_err(|e| {
        FileErrors(vec![RowError {
            file: file.to_owned(),
            line: e.span().map_or(0, |s| line_of(text, s.start)),
            message: e.message().to_owned(),
        }])
    })?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for t in doc.device {
        let line = line_of(text, t.span().start);
        let mut fields = BTreeMap::new();
        for (k, v) in t.into_inner() {
            if !COLUMNS.contains(&k.as_str()) {
                errors.push(RowError {
                    file: file.to_owned(),
                    line,
                    message: format!("unknown key {k:?} (known: {})", COLUMNS.join(", ")),
                });
                continue;
            }
            let s = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    errors.push(RowError {
                        file: file.to_owned(),
                        line,
                        message: format!("{k} must be a string, number or boolean, not {other}"),
                    });
                    continue;
                }
            };
            fields.insert(k, s);
        }
        rows.push((line, fields));
    }
    Ok((rows, errors))
}

/// True for an IP address or a DNS name.
fn valid_host(h: &str) -> bool {
    if h.parse::<IpAddr>().is_ok() {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && !h.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Builds one entry, or every problem of the row.
fn entry(line: usize, f: &BTreeMap<String, String>) -> Result<DeviceEntry, Vec<String>> {
    let mut errs = Vec::new();
    let host = f.get("host").cloned().unwrap_or_default();
    let host = host.trim_matches(['[', ']']).to_owned();
    if host.is_empty() {
        errs.push("no host".to_owned());
    } else if !valid_host(&host) {
        errs.push(format!(
            "host {host:?} is not an IP address or DNS name (give the port in its own column)"
        ));
    }
    let https = match f.get("https").map(|s| s.to_ascii_lowercase()) {
        None => false,
        Some(s) if ["true", "yes", "1"].contains(&s.as_str()) => true,
        Some(s) if ["false", "no", "0"].contains(&s.as_str()) => false,
        Some(s) => {
            errs.push(format!("https {s:?} is not true or false"));
            false
        }
    };
    let port = match f.get("port") {
        None => Some(if https { 443 } else { 80 }),
        Some(p) => match p.parse::<u16>() {
            Ok(p) if p > 0 => Some(p),
            _ => {
                errs.push(format!("port {p:?} is not a number from 1 to 65535"));
                None
            }
        },
    };
    let pin = match f.get("pin") {
        None => None,
        Some(p) => {
            let parsed = tls::parse_fingerprint(p);
            if parsed.is_none() {
                errs.push(format!(
                    "pin {p:?} is not a SHA-256 fingerprint (64 hex digits, colons allowed)"
                ));
            }
            parsed
        }
    };
    let credential = match f.get("credential") {
        None => {
            errs.push("no credential (env:VARIABLE or file:ENTRY)".to_owned());
            None
        }
        Some(c) => CredentialRef::parse(c).map_err(|e| errs.push(e)).ok(),
    };
    let user = f.get("user").cloned().unwrap_or_else(|| "admin".to_owned());
    match (errs.is_empty(), port, credential) {
        (true, Some(port), Some(credential)) => Ok(DeviceEntry {
            line,
            host,
            port,
            https,
            pin,
            user,
            site: f.get("site").cloned(),
            label: f.get("label").cloned(),
            credential,
        }),
        _ => Err(errs),
    }
}

/// The credentials file: `ENTRY = password` lines (`#` starts a comment line), read only when
/// the file is private to its owner (no access for group or others, owned by the user running
/// hikproto).
#[derive(Clone)]
pub struct CredentialsFile {
    /// The file, as given.
    pub file: String,
    entries: BTreeMap<String, Secret>,
}

impl fmt::Debug for CredentialsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsFile")
            .field("file", &self.file)
            .field("entries", &self.entries.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl CredentialsFile {
    /// Reads the file after checking that it is private ([`check_private`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, FileErrors> {
        let path = path.as_ref();
        let file = path.display().to_string();
        check_private(path).map_err(|m| whole(&file, m))?;
        let text = read_text(path)?;
        let mut entries = BTreeMap::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                    if entries
                        .insert(k.trim().to_owned(), Secret::new(v.trim()))
                        .is_some()
                    {
                        errors.push(RowError {
                            file: file.clone(),
                            line: i + 1,
                            message: format!("entry {:?} given twice", k.trim()),
                        });
                    }
                }
                // never echo the line: it may hold a password
                _ => errors.push(RowError {
                    file: file.clone(),
                    line: i + 1,
                    message: "not an `ENTRY = password` line".to_owned(),
                }),
            }
        }
        if errors.is_empty() {
            Ok(Self { file, entries })
        } else {
            Err(FileErrors(errors))
        }
    }

    /// The password of `entry`.
    pub fn get(&self, entry: &str) -> Option<&Secret> {
        self.entries.get(entry)
    }
}

/// The text of a devices file with `pins` (line of the device, fingerprint) recorded: a CSV
/// file gains a `pin` column when it has none; a TOML table gains a `pin` key after its
/// `[[device]]` line. Rows not listed are kept as they are.
pub fn record_pins(file: &str, text: &str, pins: &[(usize, [u8; 32])]) -> String {
    let pin_of = |n: usize| {
        pins.iter()
            .find(|(l, _)| *l == n)
            .map(|(_, p)| tls::format_fingerprint(p))
    };
    let mut out = String::with_capacity(text.len() + pins.len() * 100);
    if file.ends_with(".toml") {
        for (i, line) in text.lines().enumerate() {
            out.push_str(line);
            out.push('\n');
            if let Some(p) = pin_of(i + 1) {
                out.push_str(&format!("pin = \"{p}\"\n"));
            }
        }
        return out;
    }
    let mut header: Option<(Vec<String>, Option<usize>)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        match &header {
            None => {
                let cols: Vec<String> = t
                    .split(',')
                    .map(|c| c.trim().to_ascii_lowercase())
                    .collect();
                let at = cols.iter().position(|c| c == "pin");
                out.push_str(t);
                if at.is_none() {
                    out.push_str(",pin");
                }
                out.push('\n');
                header = Some((cols, at));
            }
            Some((cols, at)) => {
                let mut vals: Vec<String> = t.split(',').map(|v| v.trim().to_owned()).collect();
                vals.resize(vals.len().max(cols.len()), String::new());
                let idx = at.unwrap_or(cols.len());
                if vals.len() <= idx {
                    vals.resize(idx + 1, String::new());
                }
                if let Some(p) = pin_of(i + 1) {
                    vals[idx] = p;
                }
                out.push_str(&vals.join(","));
                out.push('\n');
            }
        }
    }
    out
}

/// Refuses a file that others than its owner can read or write, or that another user owns
/// (Unix; elsewhere every file passes).
pub fn check_private(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
        if !meta.file_type().is_file() {
            return Err("is not a regular file".into());
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "is readable or writable by others (mode {mode:04o}); run: chmod 600 {}",
                path.display()
            ));
        }
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            return Err(format!(
                "is owned by user id {}, not by you ({me})",
                meta.uid()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `path` for secrets: new (never overwrites), mode 0600 on Unix.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_toml_give_the_same_devices() {
        let csv = "host,port,https,user,site,label,credential\n\
                   # north\n10.0.0.1,8080,false,admin,north,gate,env:N\n\
                   cam.example,,true,op,south,,file:south\n";
        let toml = "[[device]]\nhost = \"10.0.0.1\"\nport = 8080\nhttps = false\nsite = \"north\"\n\
                    label = \"gate\"\ncredential = \"env:N\"\n\n[[device]]\nhost = \"cam.example\"\n\
                    https = true\nuser = \"op\"\nsite = \"south\"\ncredential = \"file:south\"\n";
        let a = DevicesFile::parse("a.csv", csv).unwrap();
        let b = DevicesFile::parse("a.toml", toml).unwrap();
        assert_eq!(a.devices.len(), 2);
        assert_eq!((a.devices[0].line, b.devices[0].line), (3, 1));
        assert_eq!(a.devices[1].port, 443);
        for (x, y) in a.devices.iter().zip(&b.devices) {
            assert_eq!(
                (x.key(), &x.credential, &x.site),
                (y.key(), &y.credential, &y.site)
            );
        }
    }

    #[test]
    fn every_bad_row_is_reported_at_its_line() {
        let text = "host,port,pin,credential\n\
                    10.0.0.1,80,,env:A\n\
                    not a host,80,,env:A\n\
                    10.0.0.1,80,,env:B\n\
                    10.0.0.2,99999,,env:A\n\
                    10.0.0.3,80,zz,env:A\n\
                    10.0.0.4,80,,Passw0rd!\n";
        let e = DevicesFile::parse("f.csv", text).unwrap_err();
        let lines: Vec<usize> = e.0.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7], "{e}");
        assert!(e.to_string().contains("f.csv:4: duplicate device"), "{e}");
        assert!(!e.to_string().contains("Passw0rd"), "{e}");
        let e =
            DevicesFile::parse("f.csv", "host,colour,credential\n1.2.3.4,red,env:A\n").unwrap_err();
        assert_eq!(e.0[0].line, 1);
        let e = DevicesFile::parse("f.toml", "[[device]]\nhost = \"1.2.3.4\"\n\n[[device]]\nhost = \"x y\"\ncolour = 1\ncredential = \"env:A\"\n")
            .unwrap_err();
        let lines: Vec<usize> = e.0.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 4, 4], "{e}");
    }

    #[test]
    fn pins_are_recorded_in_both_formats() {
        let fp = [0xABu8; 32];
        let csv = "host,credential\n10.0.0.1,env:A\n10.0.0.2,env:A\n";
        let text = record_pins("d.csv", csv, &[(3, fp)]);
        let f = DevicesFile::parse("d.csv", &text).unwrap();
        assert_eq!((f.devices[0].pin, f.devices[1].pin), (None, Some(fp)));
        let toml = "[[device]]\nhost = \"10.0.0.1\"\ncredential = \"env:A\"\n";
        let f = DevicesFile::parse("d.toml", &record_pins("d.toml", toml, &[(1, fp)])).unwrap();
        assert_eq!(f.devices[0].pin, Some(fp));
    }

    #[test]
    fn credentials_come_from_the_environment_or_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds");
        std::fs::write(&path, "# vault\nsouth = S0uth-Passw0rd\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = CredentialsFile::load(&path).unwrap_err();
            assert!(e.to_string().contains("chmod 600"), "{e}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let creds = CredentialsFile::load(&path).unwrap();
        assert!(!format!("{creds:?}").contains("S0uth"));
        let f = DevicesFile::parse(
            "d.csv",
            "host,credential\n10.0.0.1,file:south\n10.0.0.2,file:north\n",
        )
        .unwrap();
        let e = f.resolve(Some(&creds)).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].line, 3);
    }
}
