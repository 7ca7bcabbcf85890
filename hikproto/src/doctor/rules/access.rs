//! Rules about getting to the device at all: reachability, activation, login, lock-out, password.

use std::time::Duration;

use super::super::facts::{Facts, LoginState, Reachability};
use super::super::finding::{Confidence, Finding, Step};
use super::super::policy::Policy;
use super::super::remedy::{self, UI_TCPIP, UI_USERS, call};
use super::{SYMPTOMS, ids, show, show_text};
use crate::error::human_duration;

/// `device.unreachable`: nothing usable came back over HTTP(S).
pub(crate) fn unreachable(facts: &Facts, _: &Policy) -> Option<Finding> {
    let Reachability::Unreachable { error } = facts.reachability.known()? else {
        return None;
    };
    let t = &facts.target;
    let mut f = Finding::new(
        ids::DEVICE_UNREACHABLE,
        "The device does not answer",
        Confidence::High,
        100,
    )
    .evidence("http", error.clone());
    let sadp = facts.sadp.known();
    if let Some(s) = sadp {
        f = f
            .evidence("sadp.IPv4Address", show_text(s.ipv4_address.as_deref()))
            .evidence(
                "sadp.IPv4SubnetMask",
                show_text(s.ipv4_subnet_mask.as_deref()),
            )
            .evidence("sadp.HttpPort", show(s.http_port));
        f.cause = format!(
            "{t} did not answer over HTTP(S) ({error}), but the device answers SADP on the LAN: it is \
             powered and connected, so its address, subnet or web port does not match what was used, \
             or a firewall blocks the way"
        );
    } else {
        f.cause = format!(
            "{t} did not answer over HTTP(S) ({error}). Without an answer nothing else can be checked; \
             the app's Error 2020 can also mean the app cannot reach the device"
        );
    }
    Some(
        f.step(Step::text(
            "Check that the device is powered and linked, and that the address and port are right; \
             find its current address with SADP on the same LAN",
        )
        .call(call::DISCOVER))
        .step(
            Step::text(
                "If the device is on another subnet, give it an address in the client's subnet (or \
                 route between them), and check that no other host uses the same IP address",
            )
            .ui(UI_TCPIP),
        )
        .step(Step::text(
            "Check that no firewall or antivirus on the way blocks the web port (80/443) or the \
             app's traffic",
        ))
        .step(remedy::rerun(t)),
    )
}

/// `device.not_activated`: the device still needs its first admin password.
pub(crate) fn not_activated(facts: &Facts, _: &Policy) -> Option<Finding> {
    let isapi = facts.activated.known().copied();
    let sadp = facts.sadp.known().and_then(|s| s.activated);
    if isapi != Some(false) && sadp != Some(false) {
        return None;
    }
    let t = &facts.target;
    let mut f = Finding::new(
        ids::DEVICE_NOT_ACTIVATED,
        "The device is not activated",
        Confidence::High,
        97,
    )
    .cause(
        "The device has no admin password yet (status Inactive). It refuses logins, platform access \
         and adding to Hik-Connect until it is activated with a strong password",
    )
    .explains(&[
        ids::PLATFORM_DISABLED,
        ids::LOGIN_REJECTED,
        ids::PASSWORD_RISKY,
    ])
    .explains(SYMPTOMS);
    if let Some(v) = isapi {
        f = f.evidence("activateStatus.Activated", v.to_string());
    }
    if let Some(v) = sadp {
        f = f.evidence("sadp.Activated", v.to_string());
    }
    Some(
        f.step(
            Step::text(
                "Activate the device with a strong admin password: 8–16 characters, at least two of \
                 digits, lower case, upper case and symbols, not containing the user name or \"admin\" \
                 (a weaker one is refused as risky: SADP error 2020)",
            )
            .call(call::ACTIVATE),
        )
        .step(Step::text(
            "Then enable platform access and set a verification code, and add the device again",
        ))
        .step(remedy::rerun(t)),
    )
}

/// `login.locked`: too many failed logins locked the account or the client's address.
pub(crate) fn locked(facts: &Facts, _: &Policy) -> Option<Finding> {
    let login = facts.login.known().and_then(|l| match l.state {
        LoginState::Locked { retry_after_secs } => Some(retry_after_secs),
        _ => None,
    });
    let sadp = facts
        .sadp
        .known()
        .filter(|s| s.locked == Some(true))
        .map(|s| s.lock_minutes_left.map(|m| u64::from(m) * 60));
    let secs = match (login, sadp) {
        (None, None) => return None,
        (a, b) => a.flatten().or(b.flatten()),
    };
    let left = secs.map_or_else(
        || "an unknown time (usually about 30 min)".to_owned(),
        |s| human_duration(Duration::from_secs(s)),
    );
    let mut f = Finding::new(
        ids::LOGIN_LOCKED,
        "The account is locked after failed logins",
        Confidence::High,
        95,
    )
    .cause(format!(
        "Too many wrong passwords were tried, so the device locked the account (or this client's \
         address) for {left}. Every further wrong attempt may extend the lock. Often another client \
         (an NVR, a VMS, a phone) keeps trying an old password"
    ))
    .explains(&[ids::LOGIN_REJECTED])
    .explains(SYMPTOMS);
    if let Some(l) = login {
        f = f
            .evidence("userCheck.lockStatus", "lock")
            .evidence("userCheck.unlockTime", show(l.map(|s| format!("{s} s"))));
    }
    if let Some(m) = facts.sadp.known().and_then(|s| s.lock_minutes_left) {
        f = f.evidence("sadp.SurplusLockTime", format!("{m} min"));
    }
    Some(
        f.step(Step::text(format!(
            "Wait {left} without trying again; hikproto never retries a rejected password by itself"
        )))
        .step(Step::text(
            "Find and update (or stop) every client that still uses an old password: recorders, VMS, \
             phones, scripts",
        ))
        .step(Step::text("Then log in once with the right password").call(call::LOGIN)),
    )
}

/// `login.rejected`: the password (or user name) was refused.
pub(crate) fn rejected(facts: &Facts, _: &Policy) -> Option<Finding> {
    let l = facts.login.known()?;
    let LoginState::Rejected { attempts_left } = l.state else {
        return None;
    };
    let left = attempts_left.map_or_else(
        || "The device did not say how many attempts remain".to_owned(),
        |n| format!("{n} attempts remain before the device locks"),
    );
    Some(
        Finding::new(
            ids::LOGIN_REJECTED,
            "The device rejected the user name or password",
            Confidence::High,
            90,
        )
        .cause(format!(
            "The device refused the credentials for user {:?}. {left}. A wrong password is also \
             reported by some apps as Error 2020",
            l.user
        ))
        .evidence("login.user", l.user.clone())
        .evidence("userCheck.retryLoginTime", show(attempts_left))
        .explains(SYMPTOMS)
        .step(Step::text(
            "Check the user name and password (they are case-sensitive); do not try more guesses than \
             the attempts left",
        ))
        .step(
            Step::text(
                "If the password is lost, use a self-service reset route (Hik-Connect app, reserved \
                 e-mail, security questions, GUID file)",
            )
            .call(call::RECOVERY_PLAN),
        ),
    )
}

/// `password.risky`: the device (or the policy check) calls the password risky.
pub(crate) fn risky_password(facts: &Facts, _: &Policy) -> Option<Finding> {
    let device = facts.login.known().and_then(|l| l.risky_password);
    let default = facts.login.known().and_then(|l| l.default_password);
    let problems = facts
        .supplied
        .password_problems
        .as_ref()
        .filter(|p| !p.is_empty());
    if device != Some(true) && default != Some(true) && problems.is_none() {
        return None;
    }
    let by_device = device == Some(true) || default == Some(true);
    let mut f = Finding::new(
        ids::PASSWORD_RISKY,
        "The password is risky",
        if by_device {
            Confidence::High
        } else {
            Confidence::Medium
        },
        if by_device { 45 } else { 40 },
    )
    .cause(
        "The password does not meet the device password policy. The SADP tool reports this as error \
         2020 (risky password) when activating or resetting, and devices refuse it or force a change",
    );
    if let Some(v) = device {
        f = f.evidence("userCheck.isRiskPassword", v.to_string());
    }
    if let Some(v) = default {
        f = f.evidence("userCheck.isDefaultPassword", v.to_string());
    }
    if let Some(p) = problems {
        f = f.evidence("policy", p.join("; "));
    }
    Some(
        f.step(
            Step::text(
                "Choose a password of 8–16 characters with at least two of digits, lower case, upper \
                 case and symbols; not the user name, not reversed, no \"admin\", no long runs",
            )
            .ui(UI_USERS)
            .call(call::SET_PASSWORD),
        )
        .step(Step::text(
            "Update the password in every app, recorder and VMS that logs in to this device",
        )),
    )
}
