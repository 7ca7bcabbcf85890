//! `hikproto demo`: the whole story on an embedded simulated site.

use std::process::ExitCode;

use crate::output::{CliError, Output};

/// Arguments of `hikproto demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Number of simulated devices on the site.
    #[arg(long, default_value_t = 4)]
    devices: usize,
}

pub(crate) async fn run(a: Args, _out: &Output) -> Result<ExitCode, CliError> {
    Err(CliError::Usage(format!(
        "the demo site with {} devices needs the simulator",
        a.devices
    )))
}
