//! `hikproto info`: identity and firmware of one device.

use std::process::ExitCode;

use crate::conn::ConnArgs;
use crate::output::{CliError, Output};

/// Arguments of `hikproto info`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    conn: ConnArgs,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let dev = a.conn.device()?;
    let info = dev.device_info().await?;
    out.print(&info, || {
        let f = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
        format!(
            "model      {}\nserial     {}\nshort      {}\nmac        {}\nfirmware   {} ({})\ntype       {}\nname       {}",
            f(&info.model),
            f(&info.serial_number),
            info.short_serial().unwrap_or("-"),
            f(&info.mac_address),
            f(&info.firmware_version),
            f(&info.firmware_released_date),
            f(&info.device_type),
            f(&info.device_name),
        )
    });
    Ok(ExitCode::SUCCESS)
}
