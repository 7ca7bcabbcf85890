//! `hikproto`: find, activate, configure, diagnose and recover Hikvision devices from the command line.
//!
//! Every command prints a human report, or JSON with `--json`. Commands that log in read the
//! password from `HIKPROTO_PASSWORD` or prompt for it; a password is never taken from a flag.

mod cmd;
mod conn;
mod output;

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
    /// Show a device's identity and firmware.
    Info(cmd::info::Args),
    /// Send an authenticated raw ISAPI request (like `curl --digest`, with lock-out protection).
    Request(cmd::request::Args),
    /// Decode any document hikproto models (ISAPI XML/JSON) and print it as typed JSON.
    Decode(cmd::decode::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::init_logging(cli.verbose);
    let out = output::Output { json: cli.json };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.command {
            Command::Demo(a) => cmd::demo::run(a, &out).await,
            Command::Doctor(a) => cmd::doctor::run(a, &out).await,
            Command::Info(a) => cmd::info::run(a, &out).await,
            Command::Request(a) => cmd::request::run(a, &out).await,
            Command::Decode(a) => cmd::decode::run(a, &out).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => out.error(&e),
    }
}
