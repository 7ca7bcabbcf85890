//! The `hikproto-sim` binary: starts a simulated site and serves until Ctrl-C or SIGTERM.
//!
//! ```text
//! hikproto-sim [--config site.toml] [--devices N] [--password P] [--sadp-port PORT] [--https] [--json]
//!              [--lan [FIRST]] [--http-port P] [--https-port P] [--no-sadp] [--idle-ms MS]
//! ```
//!
//! With `--lan`, device `i` listens on loopback address `FIRST + i` (default 127.0.1.1) on the
//! standard ports (80, 443 and SADP on 37020; 8080 and 8443 when the process may not bind
//! privileged ports), one listening socket per port for the whole site.
//!
//! Without `--config`, it starts N default cameras (1 unless `--devices` says otherwise),
//! activated with `--password` when given, in factory state otherwise. It prints one line per
//! device (serial, model, ISAPI URL, SADP address) or, with `--json`, one JSON document, then
//! a line `ready` (text mode), and serves.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use hikproto_sim::{SiteBuilder, SiteConfig};

#[derive(Debug, Parser)]
#[command(
    name = "hikproto-sim",
    version,
    about = "A simulated fleet of Hikvision devices (ISAPI, Hik-Connect)"
)]
struct Args {
    /// Site configuration (TOML, or JSON when the file ends in .json).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Number of default devices to add.
    #[arg(long)]
    devices: Option<usize>,
    /// Activate the default devices with this admin password.
    #[arg(long, env = "HIKPROTO_SIM_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// First UDP port of the SADP responders.
    #[arg(long)]
    sadp_port: Option<u16>,
    /// Also serve HTTPS with a self-signed certificate.
    #[arg(long)]
    https: bool,
    /// Keep device state in this file.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Print the device list as JSON.
    #[arg(long)]
    json: bool,
    /// Put each device on its own loopback address, starting at this one (like a LAN).
    #[arg(long, num_args = 0..=1, default_missing_value = "127.0.1.1")]
    lan: Option<std::net::Ipv4Addr>,
    /// With --lan: the HTTP port of every device (0 = a free one).
    #[arg(long, requires = "lan")]
    http_port: Option<u16>,
    /// With --lan: the HTTPS port of every device (0 = a free one).
    #[arg(long, requires = "lan")]
    https_port: Option<u16>,
    /// With --lan: no SADP responders (SADP takes one UDP socket per device).
    #[arg(long, requires = "lan", conflicts_with = "sadp_port")]
    no_sadp: bool,
    /// Close keep-alive connections idle for this many milliseconds.
    #[arg(long)]
    idle_ms: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hikproto-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hikproto-sim: {e}");
            for cause in hikproto::ErrorReport::new(&e).causes() {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> hikproto_sim::Result<()> {
    let config = match &args.config {
        Some(path) => SiteConfig::from_file(path)?,
        None => SiteConfig::default(),
    };
    let mut builder = SiteBuilder::from_config(config);
    let n = args
        .devices
        .unwrap_or(if args.config.is_some() { 0 } else { 1 });
    builder = builder.devices(n);
    if let Some(p) = &args.password {
        builder = builder.password(p);
    }
    if let Some(first) = args.lan {
        builder = builder.lan(hikproto_sim::LanAddressing {
            first,
            http_port: args.http_port,
            https_port: args.https_port,
        });
        if !args.no_sadp && args.sadp_port.is_none() {
            builder = builder.sadp_port(hikproto_sim::sadp::PORT);
        }
    }
    if let Some(ms) = args.idle_ms {
        builder = builder.idle_timeout(std::time::Duration::from_millis(ms));
    }
    if let Some(port) = args.sadp_port {
        builder = builder.sadp_port(port);
    }
    if args.https {
        builder = builder.https(true);
    }
    if let Some(path) = &args.state_file {
        builder = builder.state_file(path);
    }
    let site = builder.start().await?;
    // Install the signal handlers before announcing the devices, so a supervisor that stops
    // us right after reading the list is handled gracefully.
    let stop = Stop::install();
    if args.json {
        let list: Vec<_> = site
            .devices()
            .iter()
            .map(|d| {
                serde_json::json!({
                    "serial": d.serial(),
                    "model": d.model(),
                    "mac": d.mac(),
                    "activated": d.is_activated(),
                    "isapi_url": d.isapi_url(),
                    "https_url": d.https_url(),
                    "cert_sha256": d.cert_sha256().map(hex::encode),
                    "sadp_addr": d.sadp_addr().map(|a| a.to_string()),
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "devices": list }));
    } else {
        for d in site.devices() {
            let sadp = d
                .sadp_addr()
                .map_or_else(|| "-".to_owned(), |a| a.to_string());
            let mut line = format!(
                "{} {} {} sadp={}",
                d.serial(),
                d.model(),
                d.isapi_url(),
                sadp
            );
            if let Some(u) = d.https_url() {
                line.push_str(&format!(" {u}"));
            }
            println!("{line}");
        }
        println!("ready");
    }
    stop.wait().await;
    site.shutdown().await;
    Ok(())
}

/// Ctrl-C and SIGTERM, registered up front.
struct Stop {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Stop {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::terminate())
                .and_then(|t| Ok((t, signal(SignalKind::interrupt())?)))
                .ok();
            Self { signals }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut term, mut int)) = self.signals {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
