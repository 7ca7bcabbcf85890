//! `hikproto sadp`: commands to one device by MAC over SADP (no IP configuration needed).

use std::net::Ipv4Addr;
use std::process::ExitCode;

use hikproto::keys::{Password, Secret};
use hikproto::sadp::{NetworkParams, UnbindStatus};
use serde_json::json;

use crate::cmd::discover::SadpArgs;
use crate::conn::{CODE_ENV, read_new_password, read_password, read_secret};
use crate::output::{CliError, Output};

/// Arguments of `hikproto sadp`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Activate an inactive device with the password from HIKPROTO_NEW_PASSWORD (or a prompt).
    Activate(SadpArgs),
    /// Change the network parameters (authorised by the admin password from HIKPROTO_PASSWORD).
    SetIp(SetIpArgs),
    /// Print the encrypted reset string to send to support (invalidates earlier ones).
    ResetString(SadpArgs),
    /// Turn Hik-Connect platform access on or off.
    HcPlatform {
        #[command(flatten)]
        sadp: SadpArgs,
        /// Turn it on.
        #[arg(long, conflicts_with = "disable", required_unless_present = "disable")]
        enable: bool,
        /// Turn it off.
        #[arg(long)]
        disable: bool,
    },
    /// Set the Hik-Connect verification code from HIKPROTO_CODE (or a prompt).
    SetCode(SadpArgs),
    /// Release the device from its Hik-Connect account, then report the outcome.
    Unbind(SadpArgs),
    /// Show which password-reset methods are configured.
    ResetTypes(SadpArgs),
    /// Return the device to the inactive state (it must then be activated again). Needs --yes.
    RestoreInactive {
        #[command(flatten)]
        sadp: SadpArgs,
        /// Confirm: the device forgets its admin password.
        #[arg(long)]
        yes: bool,
    },
    /// Blink the locator LED (or switch it off with --off) to find the device in a rack.
    Blink {
        #[command(flatten)]
        sadp: SadpArgs,
        /// Switch the LED off.
        #[arg(long)]
        off: bool,
    },
}

/// What `sadp set-ip` changes.
#[derive(Debug, clap::Args)]
struct SetIpArgs {
    #[command(flatten)]
    sadp: SadpArgs,
    /// Use DHCP.
    #[arg(long, conflicts_with_all = ["ip", "mask", "gateway"])]
    dhcp: bool,
    /// New IPv4 address.
    #[arg(long)]
    ip: Option<Ipv4Addr>,
    /// New subnet mask.
    #[arg(long)]
    mask: Option<Ipv4Addr>,
    /// New gateway.
    #[arg(long)]
    gateway: Option<Ipv4Addr>,
    /// New SDK ("server") port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    command_port: Option<u16>,
    /// New HTTP port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    http_port: Option<u16>,
}

fn done(out: &Output, mac: &str, what: &str) {
    out.print(&json!({ "mac": mac, "done": what }), || {
        format!("{mac}: {what}")
    });
}

/// Success only when the device confirms the release (or was not bound); otherwise the reason
/// and what to do.
fn unbind_outcome(mac: &str, status: &UnbindStatus) -> Result<(), CliError> {
    let (message, remedy) = match status {
        UnbindStatus::Success | UnbindStatus::NotBound => return Ok(()),
        UnbindStatus::PlatformOffline => (
            format!("{mac}: not unbound: the device cannot reach the Hik-Connect platform (offlineHCPlatform); it stays bound"),
            "connect the device to the internet (check its gateway and DNS: `hikproto doctor --host HOST`), then run `hikproto sadp unbind` again".to_owned(),
        ),
        UnbindStatus::PlatformDisabled => (
            format!("{mac}: not unbound: Hik-Connect is disabled on the device (unenableHCPlatform)"),
            format!("enable it first: `hikproto sadp hc-platform --mac {mac} --enable`, then run `hikproto sadp unbind` again"),
        ),
        UnbindStatus::Other(t) => (
            format!("{mac}: not unbound: the device answered {t:?}"),
            "run `hikproto sadp unbind` again; if it persists, unbind from the account owner's app".to_owned(),
        ),
        other => (
            format!("{mac}: not unbound: the device answered {other:?}"),
            "run `hikproto sadp unbind` again; if it persists, unbind from the account owner's app".to_owned(),
        ),
    };
    Err(CliError::Failed { message, remedy })
}

fn admin_password(sadp: &SadpArgs) -> Result<Secret, CliError> {
    read_password(&format!("Admin password of {}: ", sadp.mac))
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::Activate(s) => {
            let pw = read_new_password("New admin password: ")?;
            let pw = Password::new("admin", pw)?;
            let dev = s.locate().await?;
            if dev.info.activated == Some(true) {
                return Err(hikproto::Error::AlreadyActivated.into());
            }
            s.client()
                .await?
                .activate(&dev.target(), pw.secret())
                .await?;
            done(out, &dev.mac.to_string(), "activated");
        }
        Cmd::SetIp(x) => {
            if !x.dhcp
                && x.ip.is_none()
                && x.mask.is_none()
                && x.gateway.is_none()
                && x.command_port.is_none()
                && x.http_port.is_none()
            {
                return Err(CliError::Usage("nothing to change".into()));
            }
            let pw = admin_password(&x.sadp)?;
            let dev = x.sadp.locate().await?;
            let mut p = NetworkParams::from_probe_match(&dev.info)?;
            p.dhcp = x.dhcp;
            if let Some(v) = x.ip {
                p.ipv4_address = v;
            }
            if let Some(v) = x.mask {
                p.ipv4_subnet_mask = v;
            }
            if let Some(v) = x.gateway {
                p.ipv4_gateway = v;
            }
            if let Some(v) = x.command_port {
                p.command_port = v;
            }
            if x.http_port.is_some() {
                p.http_port = x.http_port;
            }
            x.sadp
                .client()
                .await?
                .update_network(&dev.target(), &p, &pw)
                .await?;
            done(out, &dev.mac.to_string(), "network parameters changed");
        }
        Cmd::ResetString(s) => {
            let dev = s.locate().await?;
            let text = s.client().await?.encrypt_string(&dev.target()).await?;
            let v = json!({ "mac": dev.mac, "serial": dev.info.device_sn, "encryptString": text });
            out.print(&v, || text.clone());
        }
        Cmd::HcPlatform { sadp, enable, .. } => {
            let pw = admin_password(&sadp)?;
            let dev = sadp.locate().await?;
            sadp.client()
                .await?
                .set_hc_platform(&dev.target(), enable, &pw)
                .await?;
            let what = if enable {
                "Hik-Connect enabled"
            } else {
                "Hik-Connect disabled"
            };
            done(out, &dev.mac.to_string(), what);
        }
        Cmd::SetCode(s) => {
            let code = read_secret(CODE_ENV, "Verification code: ")?;
            hikproto::sadp::check_verification_code(&code)?;
            let pw = admin_password(&s)?;
            let dev = s.locate().await?;
            s.client()
                .await?
                .set_verification_code(&dev.target(), &code, &pw)
                .await?;
            done(out, &dev.mac.to_string(), "verification code set");
        }
        Cmd::Unbind(s) => {
            let pw = admin_password(&s)?;
            let dev = s.locate().await?;
            let client = s.client().await?;
            client.unbind_hik_connect(&dev.target(), &pw).await?;
            let status = client.unbind_status(&dev.target()).await?;
            unbind_outcome(&dev.mac.to_string(), &status)?;
            let v = json!({ "mac": dev.mac, "unbindStatus": status, "unbound": true });
            out.print(&v, || match status {
                UnbindStatus::NotBound => format!("{}: was not bound to an account", dev.mac),
                _ => format!("{}: released from its Hik-Connect account", dev.mac),
            });
        }
        Cmd::ResetTypes(s) => {
            let dev = s.locate().await?;
            let t = s
                .client()
                .await?
                .password_reset_types(&dev.target())
                .await?;
            out.print(&t, || {
                let f = |b: Option<bool>| match b {
                    Some(true) => "configured",
                    Some(false) => "not configured",
                    None => "unknown",
                };
                format!(
                    "security questions   {}\nGUID file            {}\nreserved e-mail      {}\nHik-Connect app      {}",
                    f(t.security_question),
                    f(t.guid_file),
                    f(t.security_email),
                    f(t.hc_verification_code)
                )
            });
        }
        Cmd::RestoreInactive { sadp, yes } => {
            if !yes {
                return Err(CliError::Usage(
                    "restoring the inactive state erases the admin password; add --yes to confirm"
                        .into(),
                ));
            }
            let pw = admin_password(&sadp)?;
            let dev = sadp.locate().await?;
            sadp.client()
                .await?
                .restore_inactive(&dev.target(), &pw)
                .await?;
            done(out, &dev.mac.to_string(), "restored to the inactive state");
        }
        Cmd::Blink { sadp, off } => {
            let dev = sadp.locate().await?;
            sadp.client().await?.blink(&dev.target(), !off).await?;
            done(
                out,
                &dev.mac.to_string(),
                if off { "LED off" } else { "LED blinking" },
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
