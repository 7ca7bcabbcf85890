//! Settings changed across a fleet, planned before they are applied: Hik-Connect on or off,
//! DNS servers, the NTP server, the verification code (set, or generated where none is set).
//!
//! [`plan`] reads a device and lists what would change; [`apply`] plans again and makes only
//! those changes, so applying the same [`Desired`] twice changes nothing the second time.
//! Code values never appear in a [`Change`].
//!
//! ```no_run
//! # async fn run(dev: hikproto::Device) -> hikproto::Result<()> {
//! use hikproto::fleet::changes::{Desired, apply, plan};
//! let want = Desired { ntp: Some("pool.ntp.org".into()), ..Desired::default() };
//! for c in plan(&dev, &want).await? {
//!     println!("{}: {} -> {}", c.setting, c.from, c.to);
//! }
//! apply(&dev, &want).await?;
//! # Ok(()) }
//! ```

use std::net::IpAddr;

use serde::Serialize;

use crate::client::Device;
use crate::doctor::gather::MAIN_INTERFACE;
use crate::error::{Error, Result};
use crate::isapi::ezviz::Ezviz;
use crate::isapi::time::TimeMode;
use crate::keys::VerificationCode;

/// What the verification code should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChoice {
    /// A new random code, only on devices that have none.
    Generate,
    /// This code on every device.
    Set(VerificationCode),
}

/// The settings wanted; `None` leaves a setting alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    /// Hik-Connect access on or off.
    pub hik_connect: Option<bool>,
    /// Primary and optional secondary DNS server.
    pub dns: Option<(IpAddr, Option<IpAddr>)>,
    /// Take the time from this NTP server.
    pub ntp: Option<String>,
    /// The verification code.
    pub code: Option<CodeChoice>,
}

/// One planned change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `hik_connect`, `dns`, `ntp` or `verification_code`.
    pub setting: &'static str,
    /// The current value (for a code: `set` or `none`).
    pub from: String,
    /// The new value (for a code: `new code` or `given code`).
    pub to: String,
}

/// What [`apply`] did on one device.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The changes made (empty when the device already matched).
    pub changes: Vec<Change>,
    /// The code generated for this device, if one was (never serialised).
    #[serde(skip)]
    pub new_code: Option<VerificationCode>,
}

/// The device's current state, as far as the changes need it.
struct Current {
    ezviz: Option<Ezviz>,
    dns: Option<(String, String)>,
    ntp: Option<(bool, Option<String>)>,
}

async fn read(dev: &Device, want: &Desired) -> Result<Current> {
    let ezviz = if want.hik_connect.is_some() || want.code.is_some() {
        Some(dev.ezviz().await?)
    } else {
        None
    };
    let dns = if want.dns.is_some() {
        let (dns1, dns2) = dev.ip_addressing(MAIN_INTERFACE).await?.dns_ipv4();
        Some((dns1.unwrap_or_default(), dns2.unwrap_or_default()))
    } else {
        None
    };
    let ntp = if want.ntp.is_some() {
        let t = dev.time().await?;
        let on = t.time_mode == Some(TimeMode::Ntp);
        let server = dev
            .ntp_servers()
            .await
            .ok()
            .and_then(|s| s.servers.iter().find_map(|x| x.host().map(str::to_owned)));
        Some((on, server))
    } else {
        None
    };
    Ok(Current { ezviz, dns, ntp })
}

fn changes(cur: &Current, want: &Desired) -> Vec<Change> {
    let mut out = Vec::new();
    let yn = |b: bool| if b { "on" } else { "off" }.to_owned();
    if let Some(e) = &cur.ezviz {
        let code_set = e.verification_code.is_some();
        match &want.code {
            Some(CodeChoice::Generate) if !code_set => out.push(Change {
                setting: "verification_code",
                from: "none".into(),
                to: "new code".into(),
            }),
            Some(CodeChoice::Set(c)) if e.verification_code.as_ref() != Some(c) => {
                out.push(Change {
                    setting: "verification_code",
                    from: if code_set { "set" } else { "none" }.into(),
                    to: "given code".into(),
                });
            }
            _ => {}
        }
        if let Some(on) = want.hik_connect {
            if e.enabled.unwrap_or(false) != on {
                out.push(Change {
                    setting: "hik_connect",
                    from: yn(e.enabled.unwrap_or(false)),
                    to: yn(on),
                });
            }
        }
    }
    if let (Some((p, s)), Some((cp, cs))) = (&want.dns, &cur.dns) {
        let (p, s) = (p.to_string(), s.map(|s| s.to_string()).unwrap_or_default());
        if *cp != p || (!s.is_empty() && *cs != s) {
            out.push(Change {
                setting: "dns",
                from: format!("{cp} {cs}").trim().to_owned(),
                to: format!("{p} {s}").trim().to_owned(),
            });
        }
    }
    if let (Some(host), Some((on, server))) = (&want.ntp, &cur.ntp) {
        if !*on || server.as_deref() != Some(host.as_str()) {
            out.push(Change {
                setting: "ntp",
                from: if *on {
                    server.clone().unwrap_or_default()
                } else {
                    "manual".into()
                },
                to: host.clone(),
            });
        }
    }
    out
}

/// What would change on `dev` to reach `want` (nothing is written).
pub async fn plan(dev: &Device, want: &Desired) -> Result<Vec<Change>> {
    Ok(changes(&read(dev, want).await?, want))
}

/// Plans again and makes exactly the planned changes.
pub async fn apply(dev: &Device, want: &Desired) -> Result<Applied> {
    let cur = read(dev, want).await?;
    let planned = changes(&cur, want);
    let mut new_code = None;
    let code_change = planned.iter().any(|c| c.setting == "verification_code");
    let code = match (&want.code, code_change) {
        (Some(CodeChoice::Generate), true) => {
            let c = VerificationCode::generate();
            new_code = Some(c.clone());
            Some(c)
        }
        (Some(CodeChoice::Set(c)), true) => Some(c.clone()),
        _ => None,
    };
    let enable = planned
        .iter()
        .any(|c| c.setting == "hik_connect" && c.to == "on");
    let disable = planned
        .iter()
        .any(|c| c.setting == "hik_connect" && c.to == "off");
    if enable {
        let existing = cur.ezviz.as_ref().and_then(|e| e.verification_code.clone());
        let code = code.clone().or(existing).ok_or_else(|| {
            Error::invalid("Hik-Connect needs a verification code and the device has none: set or generate one")
        })?;
        dev.enable_platform_access(&code).await?;
    } else if let Some(code) = &code {
        dev.set_verification_code(code).await?;
    }
    if disable {
        dev.disable_platform_access().await?;
    }
    if let (true, Some((p, s))) = (planned.iter().any(|c| c.setting == "dns"), &want.dns) {
        dev.set_dns(MAIN_INTERFACE, *p, *s).await?;
    }
    if let (true, Some(host)) = (planned.iter().any(|c| c.setting == "ntp"), &want.ntp) {
        dev.use_ntp(host).await?;
    }
    Ok(Applied {
        changes: planned,
        new_code,
    })
}
