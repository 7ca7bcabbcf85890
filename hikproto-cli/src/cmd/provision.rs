//! `hikproto activate` and `hikproto password`: the first admin password, and password changes.

use std::process::ExitCode;

use hikproto::keys::Password;
use serde_json::json;

use crate::conn::{ConnArgs, read_new_password};
use crate::output::{CliError, Output};

/// Arguments of `hikproto activate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ActivateArgs {
    #[command(flatten)]
    conn: ConnArgs,
}

/// Arguments of `hikproto password`.
#[derive(Debug, clap::Args)]
pub(crate) struct PasswordArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Whose password to change (default: the user logging in, --user).
    #[arg(long, value_name = "USER")]
    target_user: Option<String>,
}

/// Activates a factory-state device over ISAPI with the new admin password from
/// `HIKPROTO_NEW_PASSWORD` (or a prompt). The password policy is checked before anything is sent.
pub(crate) async fn activate(a: ActivateArgs, out: &Output) -> Result<ExitCode, CliError> {
    let secret = read_new_password("New admin password: ")?;
    let password = Password::new("admin", secret)?;
    let dev = a.conn.device_with(None)?;
    let report = dev.activate(&password).await?;
    let v = json!({
        "activated": true,
        "flow": report.flow,
        "riskyPasswordWarning": report.risky_password_warning,
        "wrapped": report.wrapped,
        "strength": password.strength().to_string(),
    });
    out.print(&v, || {
        let mut s = format!(
            "activated {} ({:?} flow); password strength: {}",
            a.conn.host,
            report.flow,
            password.strength()
        );
        if report.risky_password_warning {
            s.push_str("\nwarning: the device accepted the password but rates it risky; change it");
        }
        s
    });
    Ok(ExitCode::SUCCESS)
}

/// Changes a user's password; the operator logs in with `HIKPROTO_PASSWORD` (which the device
/// also gets as `loginPassword` where it wants it), the new password comes from
/// `HIKPROTO_NEW_PASSWORD` or a prompt.
pub(crate) async fn password(a: PasswordArgs, out: &Output) -> Result<ExitCode, CliError> {
    let target = a
        .target_user
        .clone()
        .unwrap_or_else(|| a.conn.access.user.clone());
    let new = read_new_password(&format!("New password for {target}: "))?;
    let new = Password::new(&target, new)?;
    let dev = a.conn.device()?;
    let st = dev.change_password(&target, &new, None).await?;
    let v = json!({
        "user": target,
        "changed": true,
        "rebootRequired": st.reboot_required(),
        "status": st,
    });
    out.print(&v, || {
        let mut s = format!("password of {target} changed");
        if st.reboot_required() {
            s.push_str(" (takes effect after a reboot)");
        }
        s
    });
    Ok(ExitCode::SUCCESS)
}
