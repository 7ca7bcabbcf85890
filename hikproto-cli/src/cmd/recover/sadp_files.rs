//! The key-file route through vendor support (SADP): export the key file, import the reply.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use hikproto::reset::ResetMethod;
use hikproto::reset::files::{KeyExport, SupportReply};
use serde_json::json;

use super::reset::{OutArgs, report};
use super::{NewPasswordArgs, RouteArgs};
use crate::output::{CliError, Output};

/// `recover import-reply`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    route: RouteArgs,
    #[command(flatten)]
    new: NewPasswordArgs,
    /// Support's reply file (`Encrypt_<serial>_….xml`).
    #[arg(long)]
    file: PathBuf,
    /// The key file it answers, as `recover export-key` wrote it (checks age, reboot, device).
    #[arg(long, value_name = "KEYFILE")]
    export: Option<PathBuf>,
}

pub(crate) async fn export_key(a: OutArgs, out: &Output) -> Result<ExitCode, CliError> {
    let s = a.route.sadp_only("export-key")?;
    let dev = s.locate().await?;
    let serial =
        dev.info.device_sn.clone().ok_or_else(|| {
            CliError::Usage("the device did not report its serial over SADP".into())
        })?;
    let text = s.client().await?.encrypt_string(&dev.target()).await?;
    let ex = KeyExport::write(
        &a.out,
        &text,
        &serial,
        dev.info.boot_time.as_deref(),
        Some(&dev.mac.to_string()),
        SystemTime::now(),
    )
    .map_err(hikproto::Error::from)?;
    let v = json!({
        "path": ex.path,
        "serial": serial,
        "suggestedName": KeyExport::suggested_file_name(&serial, ex.exported_at()),
    });
    out.print(&v, || {
        format!(
            "key file written to {}\nsend it to vendor support; import their reply with `hikproto recover import-reply`\ndo not reboot the device until then (a reboot or a new export invalidates it)",
            ex.path.display()
        )
    });
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn import_reply(a: ImportArgs, out: &Output) -> Result<ExitCode, CliError> {
    let m = ResetMethod::SupportKeyFile;
    let s = a.route.sadp_only("import-reply")?;
    let new = a.new.read()?;
    let export = a
        .export
        .as_deref()
        .map(KeyExport::load)
        .transpose()
        .map_err(hikproto::Error::from)?;
    let dev = s.locate().await?;
    let now = SystemTime::now();
    if let Some(ex) = &export {
        ex.check(now, dev.info.boot_time.as_deref())
            .map_err(hikproto::Error::from)?;
    }
    let reply = SupportReply::load(&a.file, export.as_ref(), dev.info.device_sn.as_deref(), now)
        .map_err(hikproto::Error::from)?;
    s.client()
        .await?
        .reset_with_code(
            &dev.target(),
            reply.code(),
            &new.password,
            new.sync_camera_passwords,
        )
        .await
        .map_err(|e| CliError::reset(m, e))?;
    report(out, m, &new, false);
    Ok(ExitCode::SUCCESS)
}
