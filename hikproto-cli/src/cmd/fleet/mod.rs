//! `hikproto fleet`: work on every device of a devices file (CSV or TOML; see
//! `hikproto::fleet::devices_file`): inventory, certificate pins, planned changes, and a
//! journaled password rotation.
//!
//! Progress is drawn on stderr when stdout is a terminal (and not with `--json`); piped output
//! carries only the data. Ctrl-C stops the run and reports what finished.

mod apply;
mod inventory;
mod pins;
mod progress;
mod rotate;

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hikproto::fleet::devices_file::{CredentialsFile, DevicesFile};
use hikproto::fleet::{DeviceResult, Fleet, FleetStream};
use hikproto::{Device, Secret};

use crate::output::{CliError, Output};
pub(crate) use progress::Progress;

/// Exit status when some devices failed.
pub(crate) const EXIT_PARTIAL: u8 = 8;
/// Exit status after Ctrl-C.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Arguments of `hikproto fleet`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Model, firmware, platform access, DNS, NTP, clock and users of every device.
    Inventory(inventory::Args),
    /// Show device certificates (SHA-256, subject, validity) and record pins after you confirm.
    Pins(pins::Args),
    /// Plan, then apply, settings across the fleet (Hik-Connect, DNS, NTP, verification codes).
    Apply(apply::Args),
    /// Give every device a new random password, journaled so that a crash loses nothing.
    Rotate(rotate::Args),
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.command {
        Sub::Inventory(a) => inventory::run(a, out).await,
        Sub::Pins(a) => pins::run(a, out).await,
        Sub::Apply(a) => apply::run(a, out).await,
        Sub::Rotate(a) => rotate::run(a, out).await,
    }
}

/// The devices file and how hard to drive it: shared by every fleet command.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FleetArgs {
    /// The devices file: CSV with a header line, or TOML (`[[device]]` tables) when it ends in
    /// `.toml`. Columns: host, port, https, pin, user, site, label, credential.
    #[arg(long, value_name = "FILE")]
    pub(crate) devices: PathBuf,
    /// The credentials file for `file:ENTRY` credentials: `ENTRY = password` lines, readable
    /// only by you (mode 0600).
    #[arg(long, value_name = "FILE", env = "HIKPROTO_CREDENTIALS")]
    credentials: Option<PathBuf>,
    /// Devices worked on at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// At most this many devices at once with the same user name.
    #[arg(long, value_name = "N")]
    per_account: Option<usize>,
    /// At most this many devices at once per site (devices without a site are not limited by
    /// it).
    #[arg(long, value_name = "N")]
    per_site: Option<usize>,
    /// Deadline for each request, in seconds.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
}

/// A loaded, clean devices file with every device's password.
pub(crate) struct Loaded {
    pub(crate) file: DevicesFile,
    pub(crate) passwords: Vec<Secret>,
}

impl FleetArgs {
    /// Reads and checks the devices file and every credential; nothing runs unless all are
    /// clean.
    pub(crate) fn load(&self) -> Result<Loaded, CliError> {
        let file = DevicesFile::load(&self.devices).map_err(file_errors)?;
        let creds = match &self.credentials {
            Some(p) => Some(CredentialsFile::load(p).map_err(file_errors)?),
            None => None,
        };
        let passwords = file.resolve(creds.as_ref()).map_err(file_errors)?;
        Ok(Loaded { file, passwords })
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }

    /// The runner with this command's limits.
    pub(crate) fn fleet(&self) -> Fleet {
        let mut f = Fleet::new().concurrency(self.concurrency.max(1));
        if let Some(n) = self.per_account {
            f = f.per_account_limit(n);
        }
        if let Some(n) = self.per_site {
            f = f.per_site_limit(n);
        }
        f
    }

    /// One device handle per entry, logged in with its password.
    pub(crate) fn devices(&self, l: &Loaded) -> Result<Vec<Device>, CliError> {
        l.file
            .devices
            .iter()
            .zip(&l.passwords)
            .map(|(e, p)| {
                Ok(e.builder(p.clone())
                    .timeout(self.timeout())
                    .connect_timeout(self.timeout().min(Duration::from_secs(10)))
                    .build()?)
            })
            .collect()
    }

    /// Each device's site (the devices file's `site` column), for the per-site limit.
    pub(crate) fn sites(l: &Loaded) -> Vec<Option<String>> {
        l.file.devices.iter().map(|e| e.site.clone()).collect()
    }
}

fn file_errors(e: hikproto::fleet::devices_file::FileErrors) -> CliError {
    CliError::Usage(format!("{e}\nnothing was run: fix the file first"))
}

/// Feeds each finished device to `each` and the progress display until the run ends or Ctrl-C;
/// returns true when interrupted.
pub(crate) async fn drive<T>(
    mut stream: FleetStream<T>,
    progress: &Progress,
    mut each: impl FnMut(DeviceResult<T>, &Progress),
    ok: impl Fn(&DeviceResult<T>) -> bool,
) -> bool {
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            r = stream.next() => match r {
                Some(r) => {
                    progress.tick(ok(&r));
                    each(r, progress);
                }
                None => return false,
            },
            _ = &mut stop => {
                progress.abandon();
                return true;
            }
        }
    }
}

/// True when a progress display belongs on this terminal.
pub(crate) fn interactive(out: &Output) -> bool {
    !out.json && std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on the terminal; `--yes` answers for scripts. Refuses without a terminal.
pub(crate) fn confirm(question: &str, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "confirmation needed: run on a terminal, or pass --yes".into(),
        ));
    }
    crate::output::write_err(format_args!("{question} [y/N] "));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES") {
        Ok(())
    } else {
        Err(CliError::Usage("cancelled; nothing was changed".into()))
    }
}

/// Reports an interruption on stderr and gives its exit status.
pub(crate) fn interrupted(done: usize, total: usize, what: &str) -> ExitCode {
    crate::errln!("interrupted: {done} of {total} devices finished; {what}");
    ExitCode::from(EXIT_INTERRUPTED)
}

/// Quotes a CSV value when it needs it.
pub(crate) fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}
