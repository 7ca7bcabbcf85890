//! `hikproto capture`: read the documents a device serves ([`AUTHENTICATED`], [`OPEN`]),
//! change nothing, and write a site file with which `hikproto-sim --config` plays that device.
//!
//! Only `GET`s are sent (and, with `--sadp`, one SADP inquiry), over HTTP or HTTPS as the
//! connection options say: the documents, the answer without credentials (kept whole: status,
//! challenge headers in order, content type, body) and, once the credentials are proven, one
//! Digest nonce answered twice with correct responses to see whether the device accepts a
//! reused nonce (no wrong password is ever sent). Secrets are never captured: the
//! verification code is not asked for and is cut from the EZVIZ document if a firmware shows
//! it, the ISUP key and user passwords are cut likewise, and the session-login challenge is
//! read for its parameters only. Identifiers (serial, MAC, addresses, device name and id) are
//! replaced by fixed placeholders unless `--keep-identity` is given (see [`anonymise`]).

mod anonymise;
mod challenge;

use std::process::ExitCode;

use hikproto::Error;
use hikproto::client::{Device, Request};
use hikproto::keys::Credentials;
use hikproto::xml::Element;
use hikproto_sim::SiteConfig;
use hikproto_sim::captured::{Captured, CapturedDocument, device_from_capture};
use serde_json::json;

use crate::conn::ConnArgs;
use crate::output::{CliError, Output};

/// The documents read with credentials, in this order.
pub(crate) const AUTHENTICATED: &[&str] = &[
    "/ISAPI/System/deviceInfo",
    "/ISAPI/System/capabilities",
    "/ISAPI/Security/capabilities",
    "/ISAPI/System/Network/capabilities",
    "/ISAPI/System/Network/EZVIZ",
    "/ISAPI/System/Network/Ehome",
    "/ISAPI/System/Network/interfaces",
    "/ISAPI/System/time",
    "/ISAPI/System/time/ntpServers",
    "/ISAPI/Security/users",
    "/ISAPI/Security/adminAccesses",
];

/// The documents devices serve without credentials.
pub(crate) const OPEN: &[&str] = &["/SDK/activateStatus", "/ISAPI/Security/extern/capabilities"];

/// Elements whose values are secrets, per document: cut before anything is kept.
const SECRET_ELEMENTS: &[(&str, &[&str])] = &[
    // `operateCode` binds the device to an account: treated as a secret like the code
    (
        "/ISAPI/System/Network/EZVIZ",
        &["verificationCode", "operateCode"],
    ),
    ("/ISAPI/System/Network/Ehome", &["key"]),
    (
        "/ISAPI/Security/users",
        &["password", "loginPassword", "keypadPassword"],
    ),
];

/// Arguments of `hikproto capture`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Also capture the device's SADP answer to an inquiry (unicast to the host); a simulator
    /// playing the file answers SADP inquiries with it.
    #[arg(long)]
    sadp: bool,
    /// The SADP port of the device (with --sadp).
    #[arg(long, default_value_t = 37020, value_name = "PORT")]
    sadp_port: u16,
    /// Keep the device's identifiers; by default its serial, MAC, IP addresses (interface,
    /// gateway, DNS, SADP), device name and id are replaced by placeholders. Other values are
    /// kept as served: read the file before sharing it.
    #[arg(long)]
    keep_identity: bool,
    /// Write the site file here (JSON) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let password = crate::conn::read_password(&format!(
        "Password for {}@{}: ",
        a.conn.access.user, a.conn.host
    ))?;
    let creds = Credentials::new(a.conn.access.user.clone(), password.clone());
    let dev = a.conn.device_with(Some(password))?;
    let open = a.conn.device_with(None)?;
    let prober = challenge::Prober::new(&a.conn)?;
    let mut cap = Captured::default();
    let mut skipped = Vec::new();
    cap.challenge = prober.challenge().await;
    if cap.challenge.is_none() {
        skipped.push("the 401 challenge: no 401 answer without credentials".into());
    }
    for path in OPEN {
        match get(&open, path, false).await {
            Ok(d) => {
                cap.documents.insert((*path).to_owned(), d);
            }
            Err(e) => skipped.push(format!("{path}: {e}")),
        }
    }
    for path in AUTHENTICATED {
        match get(&dev, path, true).await {
            Ok(d) => {
                cap.documents.insert((*path).to_owned(), d);
            }
            // without the device's identity (or with the credentials refused) there is
            // nothing to capture: an unreachable device or a refused certificate ends here
            Err(e) if e.is_auth() || *path == AUTHENTICATED[0] => return Err(e.into()),
            Err(e) => skipped.push(format!("{path}: {e}")),
        }
    }
    // the credentials are proven by now: only then is a nonce answered a second time
    cap.nonce = prober.nonce_behaviour(&creds).await;
    if cap.nonce.is_none() {
        skipped.push("nonce behaviour: not observed (no Digest, or no clear answer)".into());
    }
    let session_cap = session_capabilities(&open, &a.conn.access.user).await;
    if a.sadp {
        cap.sadp_probe_match = challenge::sadp_probe_match(&a.conn, a.sadp_port).await;
        if cap.sadp_probe_match.is_none() {
            skipped.push("SADP: no answer to the inquiry".into());
        }
    }
    if !a.keep_identity {
        anonymise::anonymise(&mut cap);
    }
    let site = device_from_capture(&cap, Some(session_cap.as_deref().unwrap_or("")));
    let site = SiteConfig {
        devices: vec![site],
        ..SiteConfig::default()
    };
    let text = serde_json::to_string_pretty(&site)
        .map_err(|e| CliError::Usage(format!("cannot render the site file: {e}")))?;
    match &a.out {
        Some(path) => std::fs::write(path, format!("{text}\n"))
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?,
        None => crate::outln!("{text}"),
    }
    for s in &skipped {
        tracing::info!("not captured: {s}");
    }
    if a.out.is_some() {
        let summary = json!({
            "documents": cap.documents.keys().collect::<Vec<_>>(),
            "challenge": cap.challenge.is_some(),
            "nonce": cap.nonce,
            "sadp": cap.sadp_probe_match.is_some(),
            "skipped": skipped,
            "anonymised": !a.keep_identity,
        });
        out.print(&summary, || {
            format!(
                "captured {} documents{}; skipped: {}",
                cap.documents.len(),
                if cap.challenge.is_some() {
                    " and the 401 challenge"
                } else {
                    ""
                },
                if skipped.is_empty() {
                    "none".into()
                } else {
                    skipped.join("; ")
                }
            )
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// One `GET`, its body with the secret elements cut.
async fn get(dev: &Device, path: &str, auth: bool) -> Result<CapturedDocument, Error> {
    let req = if auth {
        Request::get(path)
    } else {
        Request::get(path).without_auth()
    };
    let resp = dev.request(req).await?;
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    let json = body.trim_start().starts_with('{');
    // the clock moves on: a simulator playing the capture fills in its own
    let body = if path == "/ISAPI/System/time" {
        blank_text(&body, "localTime")
    } else {
        body
    };
    Ok(CapturedDocument {
        format: if json { "json" } else { "xml" }.into(),
        body: if json { body } else { cut_secrets(path, &body) },
    })
}

/// Removes `<name>…</name>` and `<name/>` for every secret element of the document at `path`
/// (any namespace prefix).
pub(crate) fn cut_secrets(path: &str, body: &str) -> String {
    let mut s = body.to_owned();
    let names = SECRET_ELEMENTS
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(&[][..], |(_, n)| n);
    for name in names {
        while let Some((start, end)) = find_element(&s, name) {
            s.replace_range(start..end, "");
        }
    }
    s
}

/// The byte range of the first element named `name` (local name), open tag to close tag.
fn find_element(s: &str, name: &str) -> Option<(usize, usize)> {
    let local = |tag: &str| {
        tag.split([' ', '/', '\t', '\n', '\r'])
            .next()
            .unwrap_or("")
            .rsplit(':')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    let mut from = 0;
    while let Some(i) = s[from..].find('<') {
        let start = from + i;
        let tag_end = s[start..].find('>')? + start;
        let tag = &s[start + 1..tag_end];
        if !tag.starts_with(['/', '?', '!']) && local(tag) == name {
            if tag.ends_with('/') {
                return Some((start, tag_end + 1));
            }
            let mut k = tag_end;
            loop {
                let j = s[k..].find("</")? + k;
                let close_end = s[j..].find('>')? + j;
                if local(&s[j + 2..close_end]) == name {
                    return Some((start, close_end + 1));
                }
                k = close_end;
            }
        }
        from = tag_end;
    }
    None
}

/// Empties the text of the first `<name>` element.
fn blank_text(body: &str, name: &str) -> String {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    match (body.find(&open), body.find(&close)) {
        (Some(a), Some(b)) if a < b => format!("{}{open}{}", &body[..a], &body[b..]),
        _ => body.to_owned(),
    }
}

/// The session-login capabilities document, if the device offers session login.
async fn session_capabilities(open: &Device, user: &str) -> Option<String> {
    let path = hikproto::auth::session::capabilities_path(user);
    let resp = open
        .request(Request::get(&path).without_auth())
        .await
        .ok()?;
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    Element::parse(body.as_bytes())
        .ok()
        .filter(|e| e.name == "SessionLoginCap")
        .map(|_| body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_cut() {
        let doc = "<EZVIZ xmlns=\"x\"><enabled>true</enabled><verificationCode>ABCDEF</verificationCode>\
                   <hik:key>k</hik:key><password/><operateCode>3f2a</operateCode></EZVIZ>";
        let cut = cut_secrets("/ISAPI/System/Network/EZVIZ", doc);
        assert_eq!(
            cut,
            "<EZVIZ xmlns=\"x\"><enabled>true</enabled><hik:key>k</hik:key><password/></EZVIZ>"
        );
        let users = "<UserList><User><id>1</id><hik:password>p</hik:password><loginPassword/></User></UserList>";
        assert_eq!(
            cut_secrets("/ISAPI/Security/users", users),
            "<UserList><User><id>1</id></User></UserList>"
        );
        let ehome = "<Ehome><key>k</key><keyIterateNum>1</keyIterateNum></Ehome>";
        assert_eq!(
            cut_secrets("/ISAPI/System/Network/Ehome", ehome),
            "<Ehome><keyIterateNum>1</keyIterateNum></Ehome>"
        );
    }
}
