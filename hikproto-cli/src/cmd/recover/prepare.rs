//! `hikproto recover prepare`: set a recovery route up while the admin password is known.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use hikproto::reset::files::GuidFile;
use serde_json::json;

use super::{Route, RouteArgs, read_answers, sadp_answers};
use crate::conn::read_password;
use crate::output::{CliError, Output};

/// Arguments of `hikproto recover prepare`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Set the three security questions (answers from HIKPROTO_ANSWERS: 1=…;2=…;3=…).
    Questions(RouteArgs),
    /// Set the reserved e-mail address the reset code will be mailed to.
    Email {
        #[command(flatten)]
        route: RouteArgs,
        /// The address.
        #[arg(long)]
        address: String,
    },
    /// Export the GUID file (keep it safe: it resets the device's password).
    Guid {
        #[command(flatten)]
        route: RouteArgs,
        /// Where to write it (a sidecar `<FILE>.hikproto.json` is written beside it).
        #[arg(long)]
        out: PathBuf,
    },
}

fn done(out: &Output, what: &str) {
    out.print(&json!({ "prepared": what }), || format!("{what}: done"));
}

fn admin_password(route: &RouteArgs) -> Result<hikproto::Secret, CliError> {
    read_password(&format!(
        "Admin password of {}: ",
        route
            .conn
            .host
            .as_deref()
            .or(route.mac.as_deref())
            .unwrap_or("the device")
    ))
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::Questions(route) => {
            let answers = read_answers()?;
            match route.route()? {
                Route::Isapi(c) => {
                    c.device()?.set_security_questions(&answers).await?;
                }
                Route::Sadp(s) => {
                    let pw = admin_password(&route)?;
                    let dev = s.locate().await?;
                    s.client()
                        .await?
                        .set_security_questions(&dev.target(), &sadp_answers(&answers), &pw)
                        .await?;
                }
            }
            done(out, "security questions");
        }
        Cmd::Email { route, address } => {
            match route.route()? {
                Route::Isapi(c) => {
                    c.device()?.set_security_email(&address).await?;
                }
                Route::Sadp(s) => {
                    let pw = admin_password(&route)?;
                    let dev = s.locate().await?;
                    s.client()
                        .await?
                        .set_mailbox(&dev.target(), address.trim(), &pw)
                        .await?;
                }
            }
            done(out, "reserved e-mail");
        }
        Cmd::Guid { route, out: path } => {
            let file = match route.route()? {
                Route::Isapi(c) => c.device()?.export_guid_file(&path).await?,
                Route::Sadp(s) => {
                    let pw = admin_password(&route)?;
                    let dev = s.locate().await?;
                    let token = s.client().await?.export_guid(&dev.target(), &pw).await?;
                    let mut file = GuidFile::from_export(token.to_bytes(), "sadp")
                        .map_err(hikproto::Error::from)?;
                    file.save(&path, dev.info.device_sn.as_deref(), SystemTime::now())
                        .map_err(hikproto::Error::from)?;
                    file
                }
            };
            let v = json!({
                "prepared": "GUID file",
                "path": path,
                "bytes": file.len(),
                "serial": file.serial(),
            });
            out.print(&v, || {
                format!(
                    "GUID file written to {} ({} bytes); keep it safe: it resets the password",
                    path.display(),
                    file.len()
                )
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
