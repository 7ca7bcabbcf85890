//! Applying the fixes of a report through the device operations.
//!
//! Only [`FixAction`]s are ever applied — enable platform access, set DNS, set the platform
//! server, set a new verification code, set the clock — never a factory reset, reboot, unbind,
//! gateway or password change. Callers show [`planned`] to the user before [`apply_fixes`].
//! Reversible fixes record the values they overwrite ([`FixOutcome::previous`], undone with
//! [`undo_fixes`](super::undo::undo_fixes)); a fix that cannot be undone runs only through
//! [`apply_fixes_with`] with `irreversible` set.

use std::net::IpAddr;

use serde::Serialize;

use super::clock;
use super::finding::FixAction;
use super::gather::MAIN_INTERFACE;
use super::report::Report;
use super::undo::Previous;
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
    /// The fix cannot lock anyone out or break access that works today.
    pub safe: bool,
    /// The doctor can undo the fix (it records what it overwrites).
    pub reversible: bool,
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
    /// The values the fix overwrote, read just before it ran (what an undo writes back);
    /// `None` for a fix that cannot be undone or that was not applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Previous>,
    /// True when the fix was not attempted: it cannot be undone and was not asked for by its
    /// own option.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
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
            safe: action.is_safe(),
            reversible: action.is_reversible(),
            action,
        });
    }
    out.sort_by_key(|p| rank(&p.action));
    out
}

/// Applies the reversible planned fixes of `report`, in order, and says what happened to each.
/// A fix that cannot be undone is reported as skipped (see [`apply_fixes_with`]). A failed fix
/// does not stop the others.
pub async fn apply_fixes(dev: &Device, report: &Report) -> Vec<FixOutcome> {
    apply_fixes_with(dev, report, false).await
}

/// Applies the planned fixes of `report`, in order: the reversible ones always, the ones that
/// cannot be undone only with `irreversible` (otherwise they are reported as skipped).
pub async fn apply_fixes_with(
    dev: &Device,
    report: &Report,
    irreversible: bool,
) -> Vec<FixOutcome> {
    let mut out = Vec::new();
    for fix in planned(report) {
        if fix.action.needs_own_flag() && !irreversible {
            out.push(FixOutcome {
                applied: false,
                message: "not applied: it cannot be undone; ask for it with its own option (--fix-irreversible)".into(),
                reboot_required: false,
                follow_up: None,
                new_code: None,
                previous: None,
                skipped: true,
                fix,
            });
            continue;
        }
        let r = apply_recording(dev, &fix.action).await;
        out.push(match r {
            Ok(Applied {
                status,
                new_code,
                previous,
            }) => FixOutcome {
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
                previous,
                skipped: false,
                fix,
            },
            Err(e) => FixOutcome {
                applied: false,
                message: e.to_string(),
                reboot_required: false,
                follow_up: None,
                new_code: None,
                previous: None,
                skipped: false,
                fix,
            },
        });
    }
    out
}

/// What one applied fix gave: the device's answer, a new code, the overwritten values.
struct Applied {
    status: ResponseStatus,
    new_code: Option<VerificationCode>,
    previous: Option<Previous>,
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
    let a = apply_recording(dev, action).await?;
    Ok((a.status, a.new_code))
}

async fn apply_recording(dev: &Device, action: &FixAction) -> Result<Applied> {
    let done = |status, previous| Applied {
        status,
        new_code: None,
        previous: Some(previous),
    };
    match action {
        FixAction::EnablePlatform => {
            let mut e = dev.ezviz().await?;
            let previous = Previous::Platform { enabled: e.enabled };
            if e.enabled == Some(true) {
                return Ok(done(ResponseStatus::ok(), previous));
            }
            e.enabled = Some(true);
            // the device keeps its code: it is not sent back
            e.verification_code = None;
            match dev.set_ezviz(&e).await {
                Ok(s) => Ok(done(s, previous)),
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
                    let status = dev.enable_platform_access(&code).await?;
                    Ok(Applied {
                        status,
                        new_code: Some(code),
                        previous: Some(previous),
                    })
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
            let previous = Previous::dns(dev).await?;
            Ok(done(dev.set_dns(MAIN_INTERFACE, p, s).await?, previous))
        }
        FixAction::SetServerAddress { host } => {
            let mut e = dev.ezviz().await?;
            let previous = Previous::server(e.server_address.as_ref());
            let mut addr = e.server_address.take().unwrap_or_default();
            addr.addressing_format_type = Some("hostname".into());
            addr.host_name = Some(host.clone());
            e.server_address = Some(addr);
            e.verification_code = None;
            Ok(done(dev.set_ezviz(&e).await?, previous))
        }
        FixAction::SetVerificationCode { .. } => {
            let code = VerificationCode::generate();
            let status = dev.set_verification_code(&code).await?;
            Ok(Applied {
                status,
                new_code: Some(code),
                previous: None,
            })
        }
        FixAction::SyncTime => {
            let mut t = dev.time().await?;
            let previous = Previous::time(dev, t.time_mode.as_ref()).await?;
            let zone = t
                .time_zone
                .as_deref()
                .and_then(clock::zone_offset)
                .unwrap_or(0);
            t.time_mode = Some(TimeMode::Manual);
            t.local_time = Some(clock::format_local_time(clock::now_unix(), zone));
            Ok(done(dev.set_time(&t).await?, previous))
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
        assert!(p.iter().all(|x| x.safe && x.reversible));
    }
}
