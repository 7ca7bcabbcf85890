//! `hikproto isup`: ISUP (Ehome) platform access.

use std::process::ExitCode;

use hikproto::isapi::ehome::{Ehome, EhomeChange};
use hikproto::keys::IsupKey;
use serde_json::json;

use crate::conn::{ConnArgs, ISUP_KEY_ENV, read_secret};
use crate::output::{CliError, Output};

/// Arguments of `hikproto isup`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Show the ISUP settings (the key is write-only and never shown).
    Status {
        #[command(flatten)]
        conn: ConnArgs,
        /// The centre to show (devices with several ISUP centres).
        #[arg(long)]
        center_id: Option<u32>,
    },
    /// Change the ISUP settings (read-modify-write; only what you give changes).
    Set(SetArgs),
}

/// What `isup set` changes.
#[derive(Debug, clap::Args)]
struct SetArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// The centre to change.
    #[arg(long)]
    center_id: Option<u32>,
    /// Turn ISUP on.
    #[arg(long, conflicts_with = "disable")]
    enable: bool,
    /// Turn ISUP off.
    #[arg(long)]
    disable: bool,
    /// The ISUP server: a host name or an IP address.
    #[arg(long, value_name = "HOST")]
    server: Option<String>,
    /// The ISUP server port (default on devices: 7660).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    server_port: Option<u16>,
    /// The device ID registered on the server (1 to 32 characters).
    #[arg(long, value_parser = device_id)]
    device_id: Option<String>,
    /// The protocol version.
    #[arg(long, value_parser = ["v2.0", "v2.6", "v4.0", "v5.0"])]
    protocol_version: Option<String>,
    /// Also set the ISUP key, read from HIKPROTO_ISUP_KEY (or a prompt).
    #[arg(long)]
    set_key: bool,
}

/// An ISUP device ID: 1 to 32 printable ASCII characters without spaces.
fn device_id(s: &str) -> Result<String, String> {
    if (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(s.to_owned())
    } else {
        Err("a device ID has 1 to 32 printable characters, without spaces".into())
    }
}

fn human(e: &Ehome) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let b = |o: Option<bool>| match o {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    };
    [
        format!("enabled          {}", b(e.enabled)),
        format!("registerStatus   {}", b(e.register_status)),
        format!(
            "server           {}",
            e.host_name
                .clone()
                .or_else(|| e.ip_address.clone())
                .unwrap_or_else(|| "-".into())
        ),
        format!(
            "port             {}",
            e.port_no.map_or_else(|| "-".into(), |p| p.to_string())
        ),
        format!("deviceID         {}", opt(&e.device_id)),
        format!("protocolVersion  {}", opt(&e.protocol_version)),
        format!("version          {}", opt(&e.version)),
        "key              (write-only)".to_owned(),
    ]
    .join("\n")
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::Status { conn, center_id } => {
            let e = conn.device()?.ehome(center_id).await?;
            out.print(&e, || human(&e));
        }
        Cmd::Set(s) => {
            let key = if s.set_key {
                Some(IsupKey::new(read_secret(ISUP_KEY_ENV, "ISUP key: ")?)?)
            } else {
                None
            };
            let key_set = key.is_some();
            let change = EhomeChange {
                enabled: if s.enable {
                    Some(true)
                } else if s.disable {
                    Some(false)
                } else {
                    None
                },
                host: s.server.clone(),
                port: s.server_port,
                device_id: s.device_id.clone(),
                protocol_version: s.protocol_version.clone(),
                key,
            };
            let st = s.conn.device()?.change_ehome(s.center_id, change).await?;
            let v = json!({
                "updated": true,
                "keySet": key_set,
                "rebootRequired": st.reboot_required(),
                "status": st,
            });
            out.print(&v, || {
                let mut t = String::from("ISUP settings updated");
                if key_set {
                    t.push_str(" (key set)");
                }
                if st.reboot_required() {
                    t.push_str("; takes effect after a reboot");
                }
                t
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
