//! `hikproto decode`: recognise a document by its root element and print the typed value.

use std::process::ExitCode;

use crate::cmd::request::read_bytes;
use crate::output::{CliError, Output};

/// Arguments of `hikproto decode`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The file to decode, or `-` for stdin.
    file: String,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let bytes = read_bytes(&a.file)?;
    let d = hikproto::decode::decode_any(&bytes)?;
    // decode always prints JSON: the typed value is the point; --json wraps it with its kind.
    if out.json {
        out.print(&d, String::new);
    } else {
        crate::outln!("{}", d.kind);
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&d.value).unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
