//! `hikproto`: find, activate, configure, diagnose and recover Hikvision devices from the command line.
//!
//! Every command prints a human report, or JSON with `--json`. Commands that log in read the
//! password from `HIKPROTO_PASSWORD` or prompt for it; a password is never taken from a flag.

mod cmd;
mod conn;
mod logging;
mod output;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// hikproto — Hikvision device management from the command line.
#[derive(Debug, Parser)]
#[command(name = "hikproto", version, about, long_about = None)]
struct Cli {
    /// Print machine-readable JSON instead of a human report.
    #[arg(long, global = true)]
    json: bool,
    /// More logging (-v debug, -vv trace). Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole story on an embedded simulated site (no hardware needed).
    Demo(cmd::demo::Args),
    /// Diagnose "Error 2020" and other verification failures, and say (or do) the fix.
    Doctor(cmd::doctor::Args),
    /// Many devices from a devices file: inventory, certificate pins, planned changes, password
    /// rotation.
    Fleet(cmd::fleet::Args),
    /// Show a device's identity and firmware.
    Info(cmd::info::Args),
    /// Send an authenticated raw ISAPI request (like `curl --digest`, with lock-out protection).
    Request(cmd::request::Args),
    /// Decode any document hikproto models (ISAPI XML/JSON, SADP messages, reset files).
    Decode(cmd::decode::Args),
    /// Read the documents a device serves (GETs only, nothing changed), its 401 answer and nonce
    /// behaviour into a simulator site file.
    Capture(cmd::capture::Args),
    /// Activate a factory-state device over ISAPI (new password from HIKPROTO_NEW_PASSWORD).
    Activate(cmd::provision::ActivateArgs),
    /// Change a user's password (new password from HIKPROTO_NEW_PASSWORD).
    Password(cmd::provision::PasswordArgs),
    /// Hik-Connect (EZVIZ) platform access and the verification code.
    HikConnect(cmd::hikconnect::Args),
    /// ISUP (Ehome) platform access.
    Isup(cmd::isup::Args),
    /// Network interfaces, addressing and DNS.
    Network(cmd::network::Args),
    /// Device users.
    Users(cmd::users::Args),
    /// Find devices on the LAN with SADP.
    Discover(cmd::discover::Args),
    /// Commands to one device by MAC over SADP.
    Sadp(cmd::sadp::Args),
    /// Password recovery: plan, prepare, and every self-service route.
    Recover(cmd::recover::Args),
}

fn main() -> ExitCode {
    // clap's own printing may panic on a closed pipe: render its messages through ours
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let terminal = if e.use_stderr() {
                std::io::stderr().is_terminal()
            } else {
                std::io::stdout().is_terminal()
            };
            let styled = e.render();
            let text = if terminal {
                styled.ansi().to_string()
            } else {
                styled.to_string()
            };
            if e.use_stderr() {
                output::write_err(format_args!("{text}"));
            } else {
                output::write_out(format_args!("{text}"));
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    logging::init(cli.verbose, cli.json);
    let out = output::Output { json: cli.json };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::errln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.command {
            Command::Demo(a) => cmd::demo::run(a, &out).await,
            Command::Doctor(a) => cmd::doctor::run(a, &out).await,
            Command::Fleet(a) => cmd::fleet::run(a, &out).await,
            Command::Info(a) => cmd::info::run(a, &out).await,
            Command::Request(a) => cmd::request::run(a, &out).await,
            Command::Decode(a) => cmd::decode::run(a, &out).await,
            Command::Capture(a) => cmd::capture::run(a, &out).await,
            Command::Activate(a) => cmd::provision::activate(a, &out).await,
            Command::Password(a) => cmd::provision::password(a, &out).await,
            Command::HikConnect(a) => cmd::hikconnect::run(a, &out).await,
            Command::Isup(a) => cmd::isup::run(a, &out).await,
            Command::Network(a) => cmd::network::run(a, &out).await,
            Command::Users(a) => cmd::users::run(a, &out).await,
            Command::Discover(a) => cmd::discover::run(a, &out).await,
            Command::Sadp(a) => cmd::sadp::run(a, &out).await,
            Command::Recover(a) => cmd::recover::run(a, &out).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => out.error(&e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }
}
