//! Rules about Hik-Connect platform access: support, enabled, registration, server, binding, and
//! the firmware heuristic.

use super::super::facts::{BindStatus, Facts};
use super::super::finding::{Confidence, Finding, FixAction, Step};
use super::super::policy::Policy;
use super::super::remedy::{self, UI_PLATFORM, UI_TCPIP, UI_TIME, UI_UPGRADE, call};
use super::{SYMPTOMS, ids, not_registered, show_text};

/// `platform.unsupported`: the device has no Hik-Connect platform access.
pub(crate) fn unsupported(facts: &Facts, _: &Policy) -> Option<Finding> {
    let isapi = facts.platform.known().and_then(|p| p.supported);
    let sadp = facts.sadp.known().and_then(|s| s.hc_platform_supported);
    if isapi != Some(false) && !(isapi.is_none() && sadp == Some(false)) {
        return None;
    }
    let mut f = Finding::new(
        ids::PLATFORM_UNSUPPORTED,
        "The device does not offer Hik-Connect platform access",
        Confidence::Medium,
        60,
    )
    .cause(
        "The device's capabilities say it has no Hik-Connect (EZVIZ) platform access, so no app \
         can add it through the platform; some OEM and project firmware leave it out",
    )
    .explains(&[ids::PLATFORM_DISABLED])
    .explains(SYMPTOMS);
    if let Some(v) = isapi {
        f = f.evidence("capabilities.isSupportEZVIZ", v.to_string());
    }
    if let Some(v) = sadp {
        f = f.evidence("sadp.SupportHCPlatform", v.to_string());
    }
    Some(
        f.step(
            Step::text(
                "Check for firmware that adds platform access, or add the device by IP/domain \
                 (or through a recorder that has platform access)",
            )
            .ui(UI_UPGRADE),
        ),
    )
}

/// `platform.disabled`: platform access is switched off.
pub(crate) fn disabled(facts: &Facts, _: &Policy) -> Option<Finding> {
    if facts.platform_enabled() != Some(false) {
        return None;
    }
    let t = &facts.target;
    let mut f = Finding::new(
        ids::PLATFORM_DISABLED,
        "Hik-Connect platform access is disabled",
        Confidence::High,
        85,
    )
    .cause(
        "Platform access (P2P) is switched off, so the device never connects to Hik-Connect and the \
         app cannot verify it (Error 2020 even with the right code)",
    )
    .explains(SYMPTOMS)
    .fix(FixAction::EnablePlatform);
    if let Some(v) = facts.platform.known().and_then(|p| p.enabled) {
        f = f.evidence("ezviz.enabled", v.to_string());
    }
    if let Some(v) = facts.sadp.known().and_then(|s| s.hc_platform_enabled) {
        f = f.evidence("sadp.HCPlatformEnable", v.to_string());
    }
    Some(
        f.step(remedy::apply_fix(
            t,
            "Enable platform access",
            call::APPLY_FIXES,
        ))
        .step(
            Step::text("Or tick Enable by hand (a new device asks for a verification code then)")
                .ui(UI_PLATFORM),
        )
        .step(remedy::rerun(t)),
    )
}

fn offline_meaning(status: &str) -> String {
    if status.trim().eq_ignore_ascii_case("secretKeyInvalid") {
        "the platform rejects the device's key (secretKeyInvalid): the platform holds another \
         verification code than the device"
            .to_owned()
    } else {
        format!("the device gives the reason {status:?}")
    }
}

/// `platform.not_registered`: enabled, but not registered, and no other finding explains why.
pub(crate) fn not_registered_rule(facts: &Facts, _: &Policy) -> Option<Finding> {
    if !not_registered(facts) {
        return None;
    }
    let p = facts.platform.known()?;
    let t = &facts.target;
    let reason = p.offline_status.as_deref().filter(|s| !s.trim().is_empty());
    let cause = match reason {
        Some(s) => format!(
            "Platform access is enabled but the device is not registered with Hik-Connect: {}",
            offline_meaning(s)
        ),
        None => {
            "Platform access is enabled but the device is not registered with Hik-Connect, and \
                 it gives no reason. Usually it cannot reach the platform servers (firewall, \
                 blocked outbound ports, DNS or routing upstream)"
                .to_owned()
        }
    };
    let mut f = Finding::new(
        ids::PLATFORM_NOT_REGISTERED,
        "The device is not registered with Hik-Connect",
        Confidence::Medium,
        50,
    )
    .cause(cause)
    .evidence("ezviz.enabled", "true")
    .evidence("ezviz.registerStatus", "false")
    .evidence(
        "ezviz.offlineStatus",
        show_text(p.offline_status.as_deref()),
    );
    if let Some(pt) = facts.parameter_test.known() {
        f = f.evidence(
            "ezviz.parameterTest",
            match (&pt.passed, &pt.detail) {
                (Some(ok), Some(d)) => format!("passed={ok}: {d}"),
                (Some(ok), None) => format!("passed={ok}"),
                (None, Some(d)) => d.clone(),
                (None, None) => "(no result)".into(),
            },
        );
    }
    Some(
        f.step(remedy::network_test())
            .step(
                Step::text(
                    "Check that the router lets the device out to the internet (outbound TCP/UDP), \
                     and that gateway and DNS are right",
                )
                .ui(UI_TCPIP),
            )
            .step(Step::text("Check that the device clock is right").ui(UI_TIME))
            .step(remedy::rerun(t)),
    )
}

/// `platform.server_address`: the server address is not the platform's.
pub(crate) fn server_address(facts: &Facts, policy: &Policy) -> Option<Finding> {
    let p = facts.platform.known()?;
    if p.enabled == Some(false) {
        return None;
    }
    let addr = p.server_address.as_deref().map(str::trim);
    let is_ip = p
        .server_addressing
        .as_deref()
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("ipaddress"));
    let (confidence, likelihood, why) = match addr {
        None if p.server_addressing.is_none() => return None,
        None | Some("") => (
            Confidence::High,
            72,
            "No platform server address is set, so the device does not know where to register",
        ),
        Some(a) if policy.is_platform_host(a) => return None,
        Some(_) if is_ip => (
            Confidence::Medium,
            55,
            "The platform server is given as an IP address that is not a known platform address. \
             Platform addresses change; the device should use the platform's host name",
        ),
        Some(_) => (
            Confidence::Medium,
            62,
            "The platform server address is not a Hik-Connect server, so the device registers \
             (or tries to) somewhere the app does not look",
        ),
    };
    let t = &facts.target;
    Some(
        Finding::new(
            ids::PLATFORM_SERVER_ADDRESS,
            "The platform server address is not the platform's",
            confidence,
            likelihood,
        )
        .cause(why)
        .evidence(
            "ezviz.serverAddress.addressingFormatType",
            show_text(p.server_addressing.as_deref()),
        )
        .evidence("ezviz.serverAddress", show_text(addr))
        .explains(SYMPTOMS)
        .fix(FixAction::SetServerAddress {
            host: policy.default_server.clone(),
        })
        .step(remedy::apply_fix(
            t,
            &format!("Set the server address to {}", policy.default_server),
            call::APPLY_FIXES,
        ))
        .step(
            Step::text("Or edit the server address by hand (tick \"Custom\" only when told to)")
                .ui(UI_PLATFORM),
        )
        .step(remedy::rerun(t)),
    )
}

/// `binding.conflict`: the device is bound to another Hik-Connect account.
pub(crate) fn binding_conflict(facts: &Facts, _: &Policy) -> Option<Finding> {
    if facts.bind_status() != Some(BindStatus::Bound) {
        return None;
    }
    let by_app = facts.supplied.app_error == Some(105_001);
    let not_mine = facts.supplied.in_own_account == Some(false);
    if !by_app && !not_mine {
        return None;
    }
    let mut f = Finding::new(
        ids::BINDING_CONFLICT,
        "The device is bound to another Hik-Connect account",
        if by_app {
            Confidence::High
        } else {
            Confidence::Medium
        },
        75,
    )
    .cause(
        "The device is bound to a Hik-Connect account, and it is not yours: a device has exactly one \
         owner account, others only get it by sharing. Adding it elsewhere fails (Error 2020)",
    )
    .evidence(
        if facts.platform.known().and_then(|p| p.bind_status).is_some() {
            "ezviz.bindStatus"
        } else {
            "sadp.EZVIZBindStatus"
        },
        "bind",
    );
    if let Some(e) = facts.supplied.app_error {
        f = f.evidence("supplied.appError", e.to_string());
    }
    if let Some(v) = facts.supplied.in_own_account {
        f = f.evidence("supplied.inOwnAccount", v.to_string());
    }
    Some(
        f.step(Step::text(
            "Ask the owner account to share the device with you, or to delete it from their account",
        ))
        .step(
            Step::text(
                "If the owner account is lost, an administrator on the LAN can unbind the device \
                 (this removes it from the old account; hikproto never does this on its own)",
            )
            .ui(UI_PLATFORM)
            .call(call::EZVIZ_UNBIND),
        )
        .step(Step::text(
            "Otherwise ask Hikvision support for an ownership release, then add the device again",
        )),
    )
}

/// `firmware.code_bug`: firmware in a range suspected of losing the verification code, on a device
/// that shows verification trouble.
pub(crate) fn firmware_code_bug(facts: &Facts, policy: &Policy) -> Option<Finding> {
    let symptomatic = not_registered(facts) || facts.supplied.app_error.is_some();
    if !symptomatic {
        return None;
    }
    let fw = facts.firmware()?;
    let model = facts
        .device
        .known()
        .and_then(|d| d.model.clone())
        .or_else(|| facts.sadp.known().and_then(|s| s.model.clone()));
    let range = policy.firmware_bug(model.as_deref(), &fw)?;
    Some(
        Finding::new(
            ids::FIRMWARE_CODE_BUG,
            "The firmware may have the verification-code bug",
            Confidence::Heuristic,
            15,
        )
        .cause(
            "The firmware falls in a range that installers associate with a bug that corrupts or \
             resets the verification code. This is a rule of thumb, not a confirmed fact: consider \
             it when nothing else explains the trouble",
        )
        .evidence("firmware", fw)
        .evidence("rule", range.source.clone())
        .step(Step::text("Upgrade to the current firmware for this model").ui(UI_UPGRADE))
        .step(Step::text("After the upgrade, set the verification code again").ui(UI_PLATFORM))
        .step(remedy::readd()),
    )
}
