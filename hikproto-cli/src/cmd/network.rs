//! `hikproto network`: interfaces, addressing and DNS.

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;

use hikproto::isapi::network::{AddressPair, IpAddressing, Ipv4Change, NetworkInterface};

use crate::conn::ConnArgs;
use crate::output::{CliError, Output};

/// Arguments of `hikproto network`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Show the network interfaces and their addressing.
    Show {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Set the DNS servers of one interface.
    SetDns {
        #[command(flatten)]
        conn: ConnArgs,
        /// Primary DNS server.
        #[arg(long)]
        primary: IpAddr,
        /// Secondary DNS server.
        #[arg(long)]
        secondary: Option<IpAddr>,
        /// Interface id.
        #[arg(long, default_value = "1")]
        interface: String,
    },
    /// Set the IPv4 addressing of one interface (static, or DHCP with --dhcp).
    SetIp {
        #[command(flatten)]
        conn: ConnArgs,
        /// Use DHCP.
        #[arg(long, conflicts_with_all = ["ip", "mask", "gateway"])]
        dhcp: bool,
        /// Static IPv4 address.
        #[arg(long, requires = "mask")]
        ip: Option<Ipv4Addr>,
        /// Subnet mask.
        #[arg(long)]
        mask: Option<Ipv4Addr>,
        /// Default gateway.
        #[arg(long)]
        gateway: Option<Ipv4Addr>,
        /// Interface id.
        #[arg(long, default_value = "1")]
        interface: String,
    },
}

fn addressing_human(ip: &IpAddressing) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let pair = |p: &Option<AddressPair>| {
        p.as_ref()
            .and_then(|p| p.ip_address.clone().or_else(|| p.ipv6_address.clone()))
            .unwrap_or_else(|| "-".into())
    };
    format!(
        "  addressing  {}\n  address     {}/{}\n  gateway     {}\n  dns         {} {}",
        opt(&ip.addressing_type),
        opt(&ip.ip_address),
        opt(&ip.subnet_mask),
        pair(&ip.default_gateway),
        pair(&ip.primary_dns),
        pair(&ip.secondary_dns),
    )
}

fn show_human(list: &[NetworkInterface]) -> String {
    list.iter()
        .map(|i| {
            let mut s = format!(
                "interface {} (MAC {})",
                i.id,
                i.mac_address.as_deref().unwrap_or("-")
            );
            if let Some(ip) = &i.ip {
                s.push('\n');
                s.push_str(&addressing_human(ip));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::Show { conn } => {
            let list = conn.device()?.network_interfaces().await?;
            out.print(&list, || show_human(&list));
        }
        Cmd::SetDns {
            conn,
            primary,
            secondary,
            interface,
        } => {
            let st = conn
                .device()?
                .set_dns(&interface, primary, secondary)
                .await?;
            out.done("DNS servers set", &st);
        }
        Cmd::SetIp {
            conn,
            dhcp,
            ip,
            mask,
            gateway,
            interface,
        } => {
            if !dhcp && ip.is_none() && gateway.is_none() {
                return Err(CliError::Usage(
                    "give --dhcp, or --ip with --mask (and --gateway)".into(),
                ));
            }
            let change = Ipv4Change {
                address: ip,
                subnet_mask: mask,
                gateway,
                dhcp: Some(dhcp),
                ..Ipv4Change::default()
            };
            let dev = conn.device()?;
            let st = dev.change_ipv4(&interface, &change).await?;
            out.done("addressing set", &st);
        }
    }
    Ok(ExitCode::SUCCESS)
}
