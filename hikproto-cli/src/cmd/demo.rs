//! `hikproto demo`: the whole story on an embedded simulated site.

use std::process::ExitCode;

use hikproto_sim::Site;

use crate::cmd;
use crate::output::{CliError, Output};

/// The admin password of the demo site's devices.
const DEMO_PASSWORD: &str = "Demo!Passw0rd";

/// Arguments of `hikproto demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Number of simulated devices on the site.
    #[arg(long, default_value_t = 4)]
    devices: usize,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let site = Site::builder()
        .devices(a.devices.max(1))
        .password(DEMO_PASSWORD)
        .start()
        .await
        .map_err(|e| CliError::Usage(format!("cannot start the simulated site: {e}")))?;
    if !out.json {
        println!(
            "Simulated site: {} devices on loopback ({} …)\n",
            site.len(),
            site.device(0).isapi_url()
        );
    }
    // The doctor: a device with "Error 2020" in the app, diagnosed and fixed.
    let doctor_ok = cmd::doctor::demo_section(site.device(0), DEMO_PASSWORD, out).await;
    site.shutdown().await;
    Ok(if doctor_ok? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
