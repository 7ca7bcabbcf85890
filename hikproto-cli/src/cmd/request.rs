//! `hikproto request`: an authenticated raw ISAPI call.

use std::process::ExitCode;

use hikproto::client::{Body, Method, Request};

use crate::conn::ConnArgs;
use crate::output::{CliError, Output};

/// Arguments of `hikproto request`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// HTTP method: GET, PUT, POST or DELETE.
    method: String,
    /// ISAPI path with query, e.g. /ISAPI/System/deviceInfo.
    path: String,
    /// File with the request body (XML or JSON; `-` for stdin).
    #[arg(long)]
    body: Option<String>,
    #[command(flatten)]
    conn: ConnArgs,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    if !a.path.starts_with('/') {
        return Err(CliError::Usage("PATH must start with '/'".into()));
    }
    let method = Method::parse(&a.method)?;
    let mut req = Request::new(method, &a.path);
    if let Some(f) = &a.body {
        let text = read_input(f)?;
        req = req.body(if text.trim_start().starts_with('{') {
            Body::Json(text)
        } else {
            Body::Xml(text)
        });
    }
    let dev = a.conn.device()?;
    let resp = dev.request(req).await?;
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    let v = serde_json::json!({
        "status": resp.status,
        "contentType": resp.content_type,
        "body": body,
    });
    out.print(&v, || body.clone());
    Ok(ExitCode::SUCCESS)
}

/// Reads a file, or stdin for `-`.
pub(crate) fn read_input(f: &str) -> Result<String, CliError> {
    let bytes = read_bytes(f)?;
    String::from_utf8(bytes).map_err(|_| CliError::Usage(format!("{f}: not UTF-8 text")))
}

/// Reads a file's bytes, or stdin for `-`.
pub(crate) fn read_bytes(f: &str) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    if f == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(64 * 1024 * 1024)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::Usage(format!("stdin: {e}")))?;
        Ok(buf)
    } else {
        std::fs::read(f).map_err(|e| CliError::Usage(format!("{f}: {e}")))
    }
}
