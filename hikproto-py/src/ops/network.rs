//! The network and clock family: interfaces and IPv4 addressing, DNS, admin ports, time and
//! NTP. Every write is a read-modify-write of the device's own document, so settings the
//! bindings do not name are sent back unchanged.

use std::net::{IpAddr, Ipv4Addr};

use pyo3::prelude::*;

use hikproto::Device;
use hikproto::isapi::network::Ipv4Change;
use hikproto::isapi::time::{NtpServer, TimeMode};

use super::{Out, json};
use crate::args::Args;
use crate::errors::invalid;

/// Time settings to change (`None` keeps the device's value).
#[derive(Clone, Default)]
pub(crate) struct TimeChange {
    mode: Option<TimeMode>,
    local_time: Option<String>,
    time_zone: Option<String>,
}

/// NTP servers to set, and whether to switch the clock to NTP.
#[derive(Clone)]
pub(crate) struct NtpChange {
    servers: Vec<String>,
    port: Option<u16>,
    interval: Option<u32>,
    enable: bool,
}

/// A network or clock operation with its owned arguments.
#[derive(Clone)]
pub(crate) enum Network {
    Interfaces,
    IpAddressing(String),
    SetIpv4(String, Ipv4Change),
    SetDns(String, IpAddr, Option<IpAddr>),
    AdminAccesses,
    SetAdminPort(String, u16),
    Time,
    SetTime(TimeChange),
    NtpServers,
    SetNtp(NtpChange),
    UseNtp(String),
}

/// Operation names of this family.
pub(crate) const NAMES: &[&str] = &[
    "network_interfaces",
    "ip_addressing",
    "set_ipv4",
    "set_dns",
    "admin_accesses",
    "set_admin_port",
    "time",
    "set_time",
    "ntp_servers",
    "set_ntp",
    "use_ntp",
];

fn ip(a: &mut Args<'_, '_>, name: &'static str) -> PyResult<Option<IpAddr>> {
    a.opt::<String>(name)?
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| invalid(format!("{name}: {s:?} is not an IP address")))
        })
        .transpose()
}

/// An optional IPv4 address argument.
pub(crate) fn ipv4(a: &mut Args<'_, '_>, name: &'static str) -> PyResult<Option<Ipv4Addr>> {
    match ip(a, name)? {
        None => Ok(None),
        Some(IpAddr::V4(v)) => Ok(Some(v)),
        Some(IpAddr::V6(v)) => Err(invalid(format!("{name}: {v} is not an IPv4 address"))),
    }
}

fn interface(a: &mut Args<'_, '_>) -> PyResult<String> {
    Ok(a.opt::<String>("interface_id")?
        .unwrap_or_else(|| "1".to_owned()))
}

impl Network {
    /// Parses `name`'s arguments, or `None` when `name` is not in this family.
    pub(crate) fn parse(name: &str, a: &mut Args<'_, '_>) -> PyResult<Option<Self>> {
        Ok(Some(match name {
            "network_interfaces" => Self::Interfaces,
            "ip_addressing" => Self::IpAddressing(interface(a)?),
            "set_ipv4" => {
                let iface = interface(a)?;
                let change = Ipv4Change {
                    address: ipv4(a, "address")?,
                    subnet_mask: ipv4(a, "subnet_mask")?,
                    gateway: ipv4(a, "gateway")?,
                    dhcp: a.opt("dhcp")?,
                    primary_dns: ip(a, "primary_dns")?,
                    secondary_dns: ip(a, "secondary_dns")?,
                };
                Self::SetIpv4(iface, change)
            }
            "set_dns" => {
                let iface = interface(a)?;
                let primary = ip(a, "primary")?
                    .ok_or_else(|| invalid("set_dns: missing argument \"primary\""))?;
                Self::SetDns(iface, primary, ip(a, "secondary")?)
            }
            "admin_accesses" => Self::AdminAccesses,
            "set_admin_port" => Self::SetAdminPort(a.req("protocol")?, a.req("port")?),
            "time" => Self::Time,
            "set_time" => Self::SetTime(TimeChange {
                mode: a.opt::<String>("mode")?.map(|m| TimeMode::parse(&m)),
                local_time: a.opt("local_time")?,
                time_zone: a.opt("time_zone")?,
            }),
            "ntp_servers" => Self::NtpServers,
            "set_ntp" => {
                let servers: Vec<String> = a.req("servers")?;
                if servers.is_empty()
                    || servers
                        .iter()
                        .any(|s| s.trim().is_empty() || s.contains(char::is_whitespace))
                {
                    return Err(invalid(
                        "set_ntp: servers must be one or more host names or addresses",
                    ));
                }
                Self::SetNtp(NtpChange {
                    servers,
                    port: a.opt("port")?,
                    interval: a.opt("interval")?,
                    enable: a.opt("enable")?.unwrap_or(true),
                })
            }
            "use_ntp" => Self::UseNtp(a.req("host")?),
            _ => return Ok(None),
        }))
    }

    pub(crate) async fn run(self, dev: Device) -> hikproto::Result<Out> {
        match self {
            Self::Interfaces => json(&dev.network_interfaces().await?),
            Self::IpAddressing(i) => json(&dev.ip_addressing(&i).await?),
            Self::SetIpv4(i, c) => json(&dev.change_ipv4(&i, &c).await?),
            Self::SetDns(i, p, s) => json(&dev.set_dns(&i, p, s).await?),
            Self::AdminAccesses => json(&dev.admin_accesses().await?),
            Self::SetAdminPort(proto, port) => json(&dev.set_admin_port(&proto, port).await?),
            Self::Time => json(&dev.time().await?),
            Self::SetTime(c) => {
                let mut t = dev.time().await?;
                if c.mode.is_some() {
                    t.time_mode = c.mode;
                }
                if c.local_time.is_some() {
                    t.local_time = c.local_time;
                }
                if c.time_zone.is_some() {
                    t.time_zone = c.time_zone;
                }
                json(&dev.set_time(&t).await?)
            }
            Self::NtpServers => json(&dev.ntp_servers().await?),
            Self::SetNtp(c) => {
                let mut list = dev.ntp_servers().await?;
                let old = list.servers.first().cloned();
                list.servers = c
                    .servers
                    .iter()
                    .enumerate()
                    .map(|(n, host)| {
                        let mut s = NtpServer::new((n + 1).to_string(), host.trim());
                        s.port_no = c
                            .port
                            .or(old.as_ref().and_then(|o| o.port_no))
                            .or(s.port_no);
                        s.synchronize_interval = c
                            .interval
                            .or(old.as_ref().and_then(|o| o.synchronize_interval));
                        s
                    })
                    .collect();
                let first = dev.set_ntp_servers(&list).await?;
                if !c.enable {
                    return json(&first);
                }
                let mut t = dev.time().await?;
                t.time_mode = Some(TimeMode::Ntp);
                let second = dev.set_time(&t).await?;
                json(if first.reboot_required() {
                    &first
                } else {
                    &second
                })
            }
            Self::UseNtp(host) => json(&dev.use_ntp(&host).await?),
        }
    }
}
