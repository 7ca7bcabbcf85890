//! Applying the safe fixes of a report through the device operations.
//!
//! Only [`FixAction`]s are ever applied — enable platform access, set DNS, set the platform
//! server, set a new verification code, set the clock — never a factory reset, reboot, unbind,
//! gateway or password change. Callers show [`planned`] to the user before [`apply_fixes`].

use std::net::IpAddr;

use serde::Serialize;

use super::clock;
use super::finding::FixAction;
use super::gather::MAIN_INTERFACE;
use super::report::Report;
use crate::client::Device;
use crate::error::{Error, Result};
use crate::isapi::status::ResponseStatus;
use crate::isapi::time::TimeMode;
use crate::keys::VerificationCode;

/// One fix to apply: the finding it comes from and the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFix {
    /// The finding's id.
    pub finding: &'static str,
    /// The action.
    pub action: FixAction,
    /// What it changes, in plain words.
    pub description: String,
    /// How to undo it.
    pub undo: &'static str,
}

/// What happened when a fix was applied.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixOutcome {
    /// The fix.
    pub fix: PlannedFix,
    /// True when the device accepted the change.
    pub applied: bool,
    /// The device's answer or the error, in plain words.
    pub message: String,
    /// The change takes effect after a reboot (statusCode 7); the doctor does not reboot.
    pub reboot_required: bool,
    /// A step the user still has to do (for a new code: re-add the device in the app).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<&'static str>,
    /// The new verification code, when the fix set one. Shown once to the user; never
    /// serialised, redacted in `Debug`.
    #[serde(skip)]
    pub new_code: Option<VerificationCode>,
}

/// Order in which fixes run: the network first, the platform switch last (so that it registers
/// with everything else already right, and with a code set).
fn rank(a: &FixAction) -> u8 {
    match a {
        FixAction::SetDns { .. } => 0,
        FixAction::SyncTime => 1,
        FixAction::SetServerAddress { .. } => 2,
        FixAction::SetVerificationCode { .. } => 3,
        FixAction::EnablePlatform => 4,
    }
}

/// The fixes of a report, in the order they would run (one per action kind).
pub fn planned(report: &Report) -> Vec<PlannedFix> {
    let mut out: Vec<PlannedFix> = Vec::new();
    for f in report.fixable() {
        let Some(action) = f.fix.clone() else {
            continue;
        };
        if out
            .iter()
            .any(|p| std::mem::discriminant(&p.action) == std::mem::discriminant(&action))
        {
            continue;
        }
        out.push(PlannedFix {
            finding: f.id,
            description: action.describe(),
            undo: action.undo(),
            action,
        });
    }
    out.sort_by_key(|p| rank(&p.action));
    out
}

/// Applies every planned fix of `report`, in order, and says what happened to each. A failed
/// fix does not stop the others.
pub async fn apply_fixes(dev: &Device, report: &Report) -> Vec<FixOutcome> {
    let mut out = Vec::new();
    for fix in planned(report) {
        let r = apply(dev, &fix.action).await;
        out.push(match r {
            Ok((status, new_code)) => FixOutcome {
                applied: true,
                message: if status.reboot_required() {
                    "accepted; takes effect after a reboot".into()
                } else {
                    "accepted".into()
                },
                reboot_required: status.reboot_required(),
                follow_up: fix.action.follow_up().or_else(|| {
                    new_code
                        .as_ref()
                        .map(|_| "in Hik-Connect (or iVMS-4200), add the device with the new code")
                }),
                new_code,
                fix,
            },
            Err(e) => FixOutcome {
                applied: false,
                message: e.to_string(),
                reboot_required: false,
                follow_up: None,
                new_code: None,
                fix,
            },
        });
    }
    out
}

fn parse_ip(s: &str) -> Result<IpAddr> {
    s.trim()
        .parse()
        .map_err(|_| Error::invalid(format!("{s:?} is not an IP address")))
}

/// Applies one action. Returns the device's status and, for a new code, the code.
pub async fn apply(
    dev: &Device,
    action: &FixAction,
) -> Result<(ResponseStatus, Option<VerificationCode>)> {
    match action {
        FixAction::EnablePlatform => {
            let mut e = dev.ezviz().await?;
            if e.enabled == Some(true) {
                return Ok((ResponseStatus::ok(), None));
            }
            e.enabled = Some(true);
            match dev.set_ezviz(&e).await {
                Ok(s) => Ok((s, None)),
                // A device without a code insists on one when the platform is enabled.
                Err(err)
                    if err.response_status().is_some_and(|s| {
                        matches!(
                            s.sub_status_code.as_str(),
                            "lackVerificationCode" | "illegalVerificationCode"
                        )
                    }) =>
                {
                    let code = VerificationCode::generate();
                    let s = dev.enable_platform_access(&code).await?;
                    Ok((s, Some(code)))
                }
                Err(err) => Err(err),
            }
        }
        FixAction::SetDns { primary, secondary } => {
            let p = parse_ip(primary)?;
            let s = if secondary.trim().is_empty() {
                None
            } else {
                Some(parse_ip(secondary)?)
            };
            Ok((dev.set_dns(MAIN_INTERFACE, p, s).await?, None))
        }
        FixAction::SetServerAddress { host } => {
            let mut e = dev.ezviz().await?;
            let mut addr = e.server_address.take().unwrap_or_default();
            addr.addressing_format_type = Some("hostname".into());
            addr.host_name = Some(host.clone());
            e.server_address = Some(addr);
            Ok((dev.set_ezviz(&e).await?, None))
        }
        FixAction::SetVerificationCode { .. } => {
            let code = VerificationCode::generate();
            let s = dev.set_verification_code(&code).await?;
            Ok((s, Some(code)))
        }
        FixAction::SyncTime => {
            let mut t = dev.time().await?;
            let zone = t
                .time_zone
                .as_deref()
                .and_then(clock::zone_offset)
                .unwrap_or(0);
            t.time_mode = Some(TimeMode::Manual);
            t.local_time = Some(clock::format_local_time(clock::now_unix(), zone));
            Ok((dev.set_time(&t).await?, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::{Confidence, Finding, Report};

    #[test]
    fn plan_orders_and_dedups() {
        let f = |id, fix| Finding::new(id, "t", Confidence::High, 50).fix(fix);
        let report = Report {
            target: "h".into(),
            healthy: false,
            findings: vec![
                f("platform.disabled", FixAction::EnablePlatform),
                f(
                    "dns.missing",
                    FixAction::SetDns {
                        primary: "8.8.8.8".into(),
                        secondary: "8.8.4.4".into(),
                    },
                ),
                f(
                    "dns.equal",
                    FixAction::SetDns {
                        primary: "1.1.1.1".into(),
                        secondary: "8.8.8.8".into(),
                    },
                ),
                Finding::new("network.no_gateway", "t", Confidence::High, 60),
            ],
            folded: Vec::new(),
            unknown: Vec::new(),
            unchecked: Vec::new(),
        };
        let p = planned(&report);
        let ids: Vec<_> = p.iter().map(|x| x.finding).collect();
        assert_eq!(ids, ["dns.missing", "platform.disabled"]);
        assert!(p.iter().all(|x| !x.description.is_empty()));
    }
}
