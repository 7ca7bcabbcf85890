//! `hikproto decode`: recognise a document by its root element and print the typed value.

use std::process::ExitCode;

use crate::cmd::request::read_bytes;
use crate::output::{CliError, Output};

/// Arguments of `hikproto decode`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The file to decode, or `-` for stdin.
    #[arg(required_unless_present = "list")]
    file: Option<String>,
    /// Decode as this kind whatever the root element says (see `--list`).
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// List the document kinds decode recognises, with their root elements.
    #[arg(long, conflicts_with_all = ["file", "kind"])]
    list: bool,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    if a.list {
        let kinds = hikproto::decode::kinds();
        out.print(&kinds, || {
            kinds
                .iter()
                .map(|k| {
                    let mut roots: Vec<String> = k.roots.iter().map(|r| format!("<{r}>")).collect();
                    roots.extend(k.json_keys.iter().map(|j| format!("{{\"{j}\"}}")));
                    format!("{:<20} {:<44} {}", k.name, roots.join(" "), k.summary)
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
        return Ok(ExitCode::SUCCESS);
    }
    let file = a.file.as_deref().unwrap_or("-");
    let bytes = read_bytes(file)?;
    let d = match &a.kind {
        Some(k) => hikproto::decode::decode_as(&bytes, k)?,
        None => hikproto::decode::decode_any(&bytes)?,
    };
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
