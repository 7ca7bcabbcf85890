//! `Debug` of every type in the core: a structural scan of `hikproto/src`. Every struct that
//! derives `Debug` is read field by field; a field whose name says it may hold a secret
//! (password, code, key, answer, GUID, token, …) must have a redacting type (`Secret`,
//! `Password`, `VerificationCode`, `IsupKey`, `GuidFile`, …), or be listed below with the reason
//! it is not a secret. Types with a hand-written `Debug` are not derived and so are not listed:
//! their redaction is asserted by the behaviour tests in `secrets.rs`.
//!
//! A new derived field that may hold a secret in a plain type fails this test until it is made
//! redacting or explained here; an explanation whose field is gone fails it too.

use std::path::{Path, PathBuf};

/// Words in a field name that suggest a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "answer",
    "code",
    "key",
    "guid",
    "token",
    "encrypt",
    "cipher",
    "nonce",
    "salt",
    "credential",
];

/// Plain types that would print a secret as is (whole identifiers in the field's type).
const PLAIN_TYPES: &[&str] = &["String", "str", "Bytes", "Element"];

/// Fields named like a secret that are not one: (struct, field, why).
const NOT_SECRETS: &[(&str, &str, &str)] = &[
    (
        "PlatformFacts",
        "code_type",
        "which kind of code the device uses, not the code",
    ),
    (
        "Supplied",
        "password_problems",
        "the policy rules a password breaks, never the password",
    ),
    (
        "KeyParams",
        "salt",
        "a public salt the device sends in clear for key derivation",
    ),
    (
        "DigestChallenge",
        "nonce",
        "the server nonce of a 401 challenge, public by design",
    ),
    (
        "SessionLoginCap",
        "salt",
        "a public salt the device sends before login",
    ),
    (
        "SessionLoginCap",
        "salt2",
        "a public salt the device sends before login",
    ),
    (
        "SecurityCap",
        "salt",
        "a public salt from the capabilities document",
    ),
    (
        "VerificationCodeModification",
        "code_type",
        "the code's kind, not the code",
    ),
    (
        "VerificationCodeModification",
        "code_type_options",
        "the kinds offered, not a code",
    ),
    (
        "ResponseStatus",
        "sub_status_code",
        "the device's status token",
    ),
    ("DeviceInfo", "encoder_version", "a firmware version string"),
    ("DeviceInfo", "encoder_released_date", "a firmware date"),
    ("DeviceInfo", "decoder_version", "a firmware version string"),
    ("DeviceInfo", "decoder_released_date", "a firmware date"),
    ("DeviceInfo", "oem_code", "the vendor's OEM identifier"),
    ("Kind", "json_keys", "the names of a document's keys"),
    (
        "DeviceTarget",
        "salt",
        "the public salt from the device's discovery answer",
    ),
    (
        "MailResetQr",
        "qr_codes",
        "the QR payload the user sends to the service mailbox",
    ),
    (
        "PhoneResetQr",
        "qr_code",
        "the QR payload the user scans with the app",
    ),
    ("LabelQr", "sensor_code", "the label's sensor identifier"),
];

/// One derived-`Debug` field whose name suggests a secret and whose type is plain.
#[derive(Debug, PartialEq, Eq)]
struct Finding {
    file: String,
    line: usize,
    strukt: String,
    field: String,
    ty: String,
}

fn suggests_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| n.contains(w))
}

fn is_plain(ty: &str) -> bool {
    let compact = ty.replace(' ', "");
    compact.contains("Vec<u8>")
        || compact.contains("[u8")
        || ty
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| PLAIN_TYPES.contains(&word))
}

/// The name of the struct a line opens with a brace (`pub struct Name {`), if any.
fn struct_opening(line: &str) -> Option<String> {
    let l = line.trim();
    let rest = l.split_once("struct ")?.1;
    if !l.ends_with('{') || l.starts_with("//") {
        return None;
    }
    let before = &l[..l.len() - rest.len() - "struct ".len()];
    if !before.trim().is_empty() && !before.trim().starts_with("pub") {
        return None;
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// A field line (`pub name: Type,`) as (name, type).
fn field(line: &str) -> Option<(String, String)> {
    let l = line.trim();
    if l.starts_with("//") || l.starts_with('#') {
        return None;
    }
    let l = l
        .strip_prefix("pub(crate) ")
        .or_else(|| l.strip_prefix("pub(super) "));
    let l = l.map_or(line.trim(), |x| x);
    let l = l.strip_prefix("pub ").unwrap_or(l);
    let (name, ty) = l.split_once(':')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some((name.to_owned(), ty.trim().trim_end_matches(',').to_owned()))
}

/// Scans one source text.
fn scan_source(file: &str, text: &str, out: &mut Vec<Finding>, derived: &mut usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut attrs = String::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if l.starts_with("#[") {
            // attributes may span lines: gather until the brackets balance
            let mut depth = 0i32;
            loop {
                let cur = lines[i];
                attrs.push_str(cur);
                depth += cur.matches('[').count() as i32 - cur.matches(']').count() as i32;
                if depth <= 0 || i + 1 >= lines.len() {
                    break;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if l.starts_with("///") || l.starts_with("//") || l.is_empty() {
            i += 1;
            continue;
        }
        let derives_debug = attrs.split("derive(").skip(1).any(|d| {
            d.split(')')
                .next()
                .is_some_and(|list| list.split(',').any(|x| x.trim() == "Debug"))
        });
        attrs.clear();
        if let Some(name) = struct_opening(lines[i]).filter(|_| derives_debug) {
            *derived += 1;
            let indent = lines[i].len() - lines[i].trim_start().len();
            i += 1;
            while i < lines.len() {
                let cur = lines[i];
                let cur_indent = cur.len() - cur.trim_start().len();
                if cur.trim() == "}" && cur_indent == indent {
                    break;
                }
                if cur_indent == indent + 4 {
                    if let Some((f, ty)) = field(cur) {
                        if suggests_secret(&f) && is_plain(&ty) {
                            out.push(Finding {
                                file: file.to_owned(),
                                line: i + 1,
                                strukt: name.clone(),
                                field: f,
                                ty,
                            });
                        }
                    }
                }
                i += 1;
            }
        }
        i += 1;
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("the core's sources are readable") {
        let p = e.expect("directory entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_scanner_flags_a_plain_secret_field() {
    let src = "#[derive(Debug, Clone)]\npub struct Login {\n    pub user: String,\n    \
               pub password: String,\n    pub token: Secret,\n}\n\n#[derive(Clone)]\n\
               pub struct Hand {\n    pub password: String,\n}\n";
    let mut found = Vec::new();
    let mut derived = 0;
    scan_source("x.rs", src, &mut found, &mut derived);
    assert_eq!(derived, 1);
    assert_eq!(
        found,
        vec![Finding {
            file: "x.rs".into(),
            line: 4,
            strukt: "Login".into(),
            field: "password".into(),
            ty: "String".into(),
        }]
    );
}

#[test]
fn no_derived_debug_prints_a_secret() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hikproto/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut derived = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("source is UTF-8");
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        scan_source(&name, &text, &mut found, &mut derived);
    }
    assert!(
        files.len() > 100,
        "the whole core was read: {} files",
        files.len()
    );
    assert!(derived > 100, "every derived Debug was seen: {derived}");
    let unexplained: Vec<&Finding> = found
        .iter()
        .filter(|f| {
            !NOT_SECRETS
                .iter()
                .any(|(s, n, _)| *s == f.strukt && *n == f.field)
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "fields that may hold a secret and print in Debug (make them redacting, or explain \
         them in NOT_SECRETS): {unexplained:#?}"
    );
    let stale: Vec<_> = NOT_SECRETS
        .iter()
        .filter(|(s, n, _)| !found.iter().any(|f| f.strukt == *s && f.field == *n))
        .collect();
    assert!(
        stale.is_empty(),
        "explanations for fields that are gone: {stale:?}"
    );
}
