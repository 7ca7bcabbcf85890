//! `hikproto discover`: SADP search on the LAN, and the device lookup every SADP command uses.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use hikproto::sadp::{
    self, ClientOptions, DiscoverOptions, DiscoveredDevice, DiscoveryEvent, MacAddr, ProbeTarget,
    SadpClient, WatchOptions,
};
use serde_json::json;

use crate::output::{CliError, Output};

/// Arguments of `hikproto discover`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How long to listen, in seconds (with --watch: stop after this long; default: until Ctrl-C).
    #[arg(long)]
    timeout: Option<f64>,
    /// Probe this address (ADDR or ADDR:PORT, port 37020 by default) by unicast instead of
    /// multicast and broadcast. Repeatable.
    #[arg(long, value_name = "ADDR[:PORT]")]
    target: Vec<String>,
    /// Sweep every address from A to B with `inquiry_v32` (cross-subnet search, at most 4096).
    #[arg(long, value_name = "A-B")]
    range: Option<String>,
    /// Search from the interface with this IPv4 address (default: all interfaces).
    #[arg(long, value_name = "IPV4")]
    interface: Option<Ipv4Addr>,
    /// Keep watching and print devices as they appear, change and disappear.
    #[arg(long)]
    watch: bool,
    /// Stop as soon as this many devices have answered; fewer by the deadline is a failure
    /// (exit status 4).
    #[arg(long)]
    expect: Option<usize>,
}

/// How every SADP command finds its device.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SadpArgs {
    /// The device's MAC address (any of aa-bb-cc-dd-ee-ff, AA:BB:…, aabbccddeeff).
    #[arg(long)]
    pub(crate) mac: String,
    /// The device's address (ADDR or ADDR:PORT) to probe by unicast; default: multicast and broadcast.
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub(crate) target: Option<String>,
    /// Search from the interface with this IPv4 address.
    #[arg(long, value_name = "IPV4")]
    pub(crate) interface: Option<Ipv4Addr>,
    /// Seconds to find the device and for each command's answer.
    #[arg(long, default_value_t = 5.0)]
    pub(crate) timeout: f64,
    /// Send secrets SADP cannot seal in clear (set by `recover --allow-plaintext-secrets`).
    #[arg(skip)]
    pub(crate) allow_plaintext_secrets: bool,
}

/// Parses `ADDR` or `ADDR:PORT` (IPv6 as `[ADDR]:PORT`); the port defaults to 37020.
pub(crate) fn parse_target(s: &str) -> Result<SocketAddr, CliError> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    s.trim_matches(['[', ']'])
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, sadp::PORT))
        .map_err(|_| CliError::Usage(format!("{s:?} is not ADDR or ADDR:PORT")))
}

pub(crate) fn seconds(s: f64, what: &str) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| CliError::Usage(format!("{what} takes a positive number of seconds")))
}

fn bind_of(interface: Option<Ipv4Addr>) -> SocketAddr {
    SocketAddr::from((interface.unwrap_or(Ipv4Addr::UNSPECIFIED), 0))
}

fn options(targets: &[String], interface: Option<Ipv4Addr>) -> Result<DiscoverOptions, CliError> {
    let opts = if targets.is_empty() {
        DiscoverOptions::default()
    } else {
        DiscoverOptions::unicast(
            targets
                .iter()
                .map(|t| parse_target(t))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    Ok(opts.bind(bind_of(interface)))
}

impl SadpArgs {
    /// The MAC, parsed.
    pub(crate) fn mac(&self) -> Result<MacAddr, CliError> {
        MacAddr::parse(&self.mac)
            .map_err(|_| CliError::Usage(format!("{:?} is not a MAC address", self.mac)))
    }

    /// A command client on the chosen interface with the chosen deadline.
    pub(crate) async fn client(&self) -> Result<SadpClient, CliError> {
        let client = SadpClient::new(ClientOptions {
            bind: bind_of(self.interface),
            timeout: seconds(self.timeout, "--timeout")?,
            ..ClientOptions::default()
        })
        .await?;
        if self.allow_plaintext_secrets {
            crate::conn::warn_plaintext_once();
            return Ok(client.allow_plaintext_secrets());
        }
        Ok(client)
    }

    /// Searches until the device with this MAC answers (or the deadline passes).
    pub(crate) async fn locate(&self) -> Result<DiscoveredDevice, CliError> {
        let mac = self.mac()?;
        let timeout = seconds(self.timeout, "--timeout")?;
        let targets: Vec<String> = self.target.iter().cloned().collect();
        let opts = WatchOptions {
            discover: options(&targets, self.interface)?,
            interval: Duration::from_millis(500),
            offline_after: timeout + Duration::from_secs(60),
            capacity: 1024,
        };
        tracing::debug!(%mac, targets = ?opts.discover.targets, "SADP: searching for the device");
        let mut watcher = sadp::watch(opts).await?;
        let mut others: Vec<MacAddr> = Vec::new();
        let found = tokio::time::timeout(timeout, async {
            while let Some(ev) = watcher.next().await {
                if let DiscoveryEvent::Found(d) | DiscoveryEvent::Updated(d) = ev {
                    if d.mac == mac {
                        tracing::debug!(%mac, from = %d.from, "SADP: the device answered");
                        return Some(d);
                    }
                    tracing::debug!(other = %d.mac, "SADP: another device answered");
                    if !others.contains(&d.mac) {
                        others.push(d.mac);
                    }
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        found.ok_or_else(|| {
            let mut msg = format!(
                "no SADP answer from {mac} within {:.1} s",
                timeout.as_secs_f64()
            );
            if !others.is_empty() {
                let list: Vec<String> = others.iter().take(8).map(ToString::to_string).collect();
                msg.push_str(&format!(
                    "; {} answered: {} (is the MAC right?)",
                    crate::output::count(others.len(), "other device"),
                    list.join(", ")
                ));
            }
            CliError::NotFound(msg)
        })
    }
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

/// One line per device.
pub(crate) fn device_line(d: &DiscoveredDevice) -> String {
    let i = &d.info;
    format!(
        "{}  {:<15} {:<18} {:<10} {:<12} {}",
        d.mac,
        i.ipv4_address.map_or_else(|| "-".into(), |a| a.to_string()),
        i.device_description.as_deref().unwrap_or("-"),
        format!("active={}", yes_no(i.activated)),
        i.software_version.as_deref().unwrap_or("-"),
        i.device_sn.as_deref().unwrap_or("-"),
    )
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let mut opts = options(&a.target, a.interface)?;
    if let Some(r) = &a.range {
        let (s, e) = r
            .split_once('-')
            .and_then(|(s, e)| Some((s.trim().parse().ok()?, e.trim().parse().ok()?)))
            .ok_or_else(|| CliError::Usage("--range takes A-B (two IPv4 addresses)".into()))?;
        if a.target.is_empty() {
            opts.targets.clear();
            opts.listen_group = None;
        }
        opts.targets.push(ProbeTarget::SubnetRange {
            start: s,
            end: e,
            port: sadp::PORT,
        });
    }
    if a.watch {
        return watch(opts, a.timeout, out).await;
    }
    opts.timeout = seconds(a.timeout.unwrap_or(3.0), "--timeout")?;
    opts.expect = a.expect;
    tracing::debug!(targets = ?opts.targets, timeout = ?opts.timeout, "SADP: searching");
    let mut found = sadp::discover(&opts).await?;
    tracing::debug!(answered = found.len(), "SADP: search finished");
    // listed by address (then MAC), so that runs compare line by line
    found.sort_by(|x, y| {
        (x.info.ipv4_address, x.mac.to_string()).cmp(&(y.info.ipv4_address, y.mac.to_string()))
    });
    out.print(&found, || {
        if found.is_empty() {
            "no device answered".into()
        } else {
            found.iter().map(device_line).collect::<Vec<_>>().join("\n")
        }
    });
    if let Some(n) = a.expect {
        if found.len() < n {
            return Err(CliError::NotFound(format!(
                "expected {}, {} answered",
                crate::output::count(n, "device"),
                found.len()
            )));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn watch(
    opts: DiscoverOptions,
    timeout: Option<f64>,
    out: &Output,
) -> Result<ExitCode, CliError> {
    let deadline = timeout.map(|t| seconds(t, "--timeout")).transpose()?;
    let mut watcher = sadp::watch(WatchOptions {
        discover: opts,
        interval: Duration::from_secs(5),
        ..WatchOptions::default()
    })
    .await?;
    let events = async {
        while let Some(ev) = watcher.next().await {
            let (what, d) = match &ev {
                DiscoveryEvent::Found(d) => ("found", d),
                DiscoveryEvent::Updated(d) => ("updated", d),
                DiscoveryEvent::Gone(d) => ("gone", d),
                _ => ("other", ev.device()),
            };
            if out.json {
                // one JSON object per line, so that a consumer can read events as they come
                crate::outln!("{}", json!({ "event": what, "device": d }));
            } else {
                crate::outln!("{what:<8} {}", device_line(d));
            }
        }
    };
    tokio::select! {
        () = events => {}
        () = async {
            match deadline {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        } => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(ExitCode::SUCCESS)
}
