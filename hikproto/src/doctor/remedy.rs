//! The building blocks of remedies: device menu paths, command lines and library calls, kept in
//! one place so that every rule names them the same way.
//!
//! Menu paths are those of the device web UI; where the installer guide gives the recorder's
//! local menu, it is added in brackets. Menus differ between firmware families, so the paths are
//! guidance, not contracts.

use super::finding::Step;

/// Platform access (Hik-Connect) settings.
pub(crate) const UI_PLATFORM: &str = "Configuration > Network > Advanced Settings > Platform Access \
     (recorder: Menu > Configuration > Network > Platform Access)";
/// IPv4, gateway and DNS settings.
pub(crate) const UI_TCPIP: &str = "Configuration > Network > Basic Settings > TCP/IP \
     (recorder: Menu > Configuration > Network > General)";
/// The device's own network test.
pub(crate) const UI_NET_DETECT: &str =
    "Maintenance > Network Detection (recorder: Menu > Maintenance > Net Detect)";
/// Time settings.
pub(crate) const UI_TIME: &str = "Configuration > System > System Settings > Time Settings";
/// Firmware upgrade.
pub(crate) const UI_UPGRADE: &str =
    "Maintenance > Upgrade & Maintenance (recorder: Menu > Maintenance > Upgrade)";
/// User accounts.
pub(crate) const UI_USERS: &str = "Configuration > System > User Management";
/// Removing and re-adding a device in the Hik-Connect app.
pub(crate) const UI_APP_READD: &str =
    "Hik-Connect app: device > Settings > Delete Device, then + > Scan QR Code / Manual Adding";
/// Changing the stored code in iVMS-4200.
pub(crate) const UI_IVMS_MODIFY: &str = "iVMS-4200: Device Management > Device > Modify";

/// The doctor command for one device.
pub(crate) fn doctor_cli(target: &str) -> String {
    format!("hikproto doctor --host {target}")
}

/// The doctor command that applies the safe fixes.
pub(crate) fn doctor_fix_cli(target: &str) -> String {
    format!("hikproto doctor --host {target} --fix")
}

/// Step: let the doctor apply its safe fix.
pub(crate) fn apply_fix(target: &str, what: &str, call: &str) -> Step {
    Step::text(format!(
        "{what} (the doctor can do this: it shows the change, then applies it)"
    ))
    .cli(doctor_fix_cli(target))
    .call(call)
}

/// Step: let the doctor apply a fix that cannot be undone (it needs its own option).
pub(crate) fn apply_irreversible_fix(target: &str, what: &str) -> Step {
    Step::text(format!(
        "{what} (the doctor can do this, but it cannot be undone: it runs only with --fix-irreversible)"
    ))
    .cli(format!("{} --fix-irreversible", doctor_fix_cli(target)))
    .call(call::APPLY_IRREVERSIBLE_FIXES)
}

/// Step: run the device's own network test.
pub(crate) fn network_test() -> Step {
    Step::text("Run the device's network test and check that the Hik-Connect servers answer without packet loss")
        .ui(UI_NET_DETECT)
}

/// Step: re-add the device in the app with the current code.
pub(crate) fn readd() -> Step {
    Step::text("In Hik-Connect (or iVMS-4200), remove the device and add it again, entering the device's current verification code")
        .ui(format!("{UI_APP_READD}; {UI_IVMS_MODIFY}"))
}

/// Step: run the doctor again to confirm.
pub(crate) fn rerun(target: &str) -> Step {
    Step::text("Wait a minute for the device to register, then run the doctor again to confirm")
        .cli(doctor_cli(target))
}

/// Library calls named in remedies (in Rust; see [`call_for`] for the other interfaces).
pub(crate) mod call {
    /// Apply every safe fix of a report.
    pub(crate) const APPLY_FIXES: &str = "hikproto::doctor::apply_fixes(&device, &report)";
    /// Apply every fix of a report, the ones that cannot be undone included.
    pub(crate) const APPLY_IRREVERSIBLE_FIXES: &str =
        "hikproto::doctor::apply_fixes_with(&device, &report, true)";
    /// Read the platform access settings.
    pub(crate) const EZVIZ_GET: &str = "Device::ezviz()";
    /// Unbind the device from its Hik-Connect account.
    pub(crate) const EZVIZ_UNBIND: &str = "Device::unbind_platform()";
    /// Activate the device.
    pub(crate) const ACTIVATE: &str = "Device::activate(&Password)";
    /// Credential probe (one login).
    pub(crate) const LOGIN: &str = "Device::login()";
    /// Change a user's password.
    pub(crate) const SET_PASSWORD: &str =
        "Device::change_password(user, &Password, Some(&current_password))";
    /// Find devices on the LAN.
    pub(crate) const DISCOVER: &str = "hikproto::sadp::discover(&DiscoverOptions::default())";
    /// The self-service password-recovery routes of a device.
    pub(crate) const RECOVERY_PLAN: &str = "Device::recovery_plan()";
}

/// Who reads a remedy: each gets the calls of their own interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Audience {
    /// Rust callers of this library: `Device::…` calls.
    Rust,
    /// Command-line users: `hikproto …` commands only.
    Cli,
    /// Python callers: `device.…()` calls.
    Python,
    /// C callers: `hikproto_…()` functions.
    C,
}

/// The library call of a remedy step (as the rules write it, in Rust) in `audience`'s language; `None`
/// when that interface has no such call (or, for [`Audience::Cli`], always: the command line
/// gets the step's command instead).
pub fn call_for(rust_call: &str, audience: Audience) -> Option<&'static str> {
    const TABLE: &[(&str, &str, &str)] = &[
        (call::APPLY_FIXES, "device.doctor(fix=True)", ""),
        (
            call::EZVIZ_GET,
            "device.ezviz()",
            "hikproto_device_platform_json(device, buf, len, &n, &err)",
        ),
        (
            call::EZVIZ_UNBIND,
            "device.unbind_platform()",
            "hikproto_device_unbind_platform(device, &err)",
        ),
        (
            call::ACTIVATE,
            "device.activate(password)",
            "hikproto_device_activate(device, password, &err)",
        ),
        (
            call::LOGIN,
            "device.login()",
            "hikproto_device_login(device, &err)",
        ),
        (
            call::SET_PASSWORD,
            "device.change_password(user, new_password)",
            "hikproto_device_change_password(device, user, new_password, &err)",
        ),
        (
            call::DISCOVER,
            "hikproto.sadp.discover()",
            "hikproto_discovery_new() then hikproto_discovery_run(discovery, &err)",
        ),
        (
            call::RECOVERY_PLAN,
            "device.recovery_plan()",
            "hikproto_device_recovery_plan_json(device, buf, len, &n, &err)",
        ),
    ];
    let (rust, python, c) = TABLE.iter().find(|(r, _, _)| *r == rust_call)?;
    let text = match audience {
        Audience::Rust => rust,
        Audience::Cli => return None,
        Audience::Python => python,
        Audience::C => c,
    };
    (!text.is_empty()).then_some(*text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_speaks_every_language() {
        for c in [
            call::APPLY_FIXES,
            call::EZVIZ_GET,
            call::EZVIZ_UNBIND,
            call::ACTIVATE,
            call::LOGIN,
            call::SET_PASSWORD,
            call::DISCOVER,
            call::RECOVERY_PLAN,
        ] {
            assert_eq!(call_for(c, Audience::Rust), Some(c));
            assert_eq!(call_for(c, Audience::Cli), None);
            let py = call_for(c, Audience::Python).unwrap();
            assert!(!py.contains("::") && !py.contains('&'), "{py}");
            if let Some(cc) = call_for(c, Audience::C) {
                assert!(cc.starts_with("hikproto_"), "{cc}");
            }
        }
        assert_eq!(call_for("unknown()", Audience::Python), None);
    }
}
