//! `hikproto hik-connect`: Hik-Connect (EZVIZ) platform access and the verification code.

use std::process::ExitCode;
use std::time::Duration;

use hikproto::isapi::ezviz::{BindStatus, Ezviz};
use hikproto::keys::VerificationCode;
use serde_json::{Value, json};

use crate::conn::{CODE_ENV, ConnArgs, read_secret};
use crate::output::{CliError, Output};

/// Arguments of `hikproto hik-connect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Show every platform-access element (registerStatus, bindStatus, offlineStatus, …).
    Status {
        #[command(flatten)]
        conn: ConnArgs,
        /// Also print the verification code (hidden by default).
        #[arg(long)]
        reveal_code: bool,
        /// Also print `operateCode`, the code used when binding to an account (hidden by default).
        #[arg(long)]
        reveal_operate_code: bool,
    },
    /// Turn Hik-Connect on with the verification code from HIKPROTO_CODE (or a prompt), in one call.
    Enable {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Turn Hik-Connect off.
    Disable {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Set the verification code from HIKPROTO_CODE (or a prompt).
    SetCode {
        #[command(flatten)]
        conn: ConnArgs,
        /// Replace the code even though the device is bound to an account.
        #[arg(long)]
        yes: bool,
    },
    /// Generate a strong verification code, set it, and print it.
    GenerateCode {
        #[command(flatten)]
        conn: ConnArgs,
        /// Length of the code (6 to 12).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(6..=12))]
        length: u8,
        /// Replace the code even though the device is bound to an account.
        #[arg(long)]
        yes: bool,
    },
    /// Check the code from HIKPROTO_CODE (or a prompt) against the device's; exit code 1 when it differs.
    CheckCode {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Release the device from its Hik-Connect account.
    Unbind {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Print the text of the QR code the Hik-Connect app scans (it contains the verification code).
    Qr {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Wait until the device has registered with the platform (gives up after --timeout seconds).
    Wait {
        #[command(flatten)]
        conn: ConnArgs,
    },
}

fn read_code() -> Result<VerificationCode, CliError> {
    let s = read_secret(CODE_ENV, "Verification code: ")?;
    Ok(VerificationCode::new(s)?)
}

fn bind_text(b: Option<&BindStatus>) -> String {
    match b {
        Some(BindStatus::Bound) => "bound".into(),
        Some(BindStatus::Unbound) => "not bound".into(),
        Some(BindStatus::Other(s)) => s.clone(),
        None => "-".into(),
    }
}

fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

/// Refuses to replace the code of a device bound to an account unless `yes`: the account keeps
/// the old code and the device then shows `secretKeyInvalid` (the app's Error 2020).
async fn confirm_unbound(dev: &hikproto::Device, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    let e = dev.ezviz().await?;
    if e.bind_status == Some(BindStatus::Bound) {
        return Err(CliError::Usage(
            "the device is bound to a Hik-Connect account: a new code makes the platform refuse \
             it (offlineStatus secretKeyInvalid, Error 2020 in the app) until the account is \
             updated; add --yes to replace it anyway, or unbind first"
                .into(),
        ));
    }
    Ok(())
}

fn status_human(e: &Ezviz, code_line: &str, operate_code: bool) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let server = e
        .server_address
        .as_ref()
        .map(|s| {
            s.host_name
                .clone()
                .or_else(|| s.ip_address.clone())
                .unwrap_or_else(|| "-".into())
        })
        .unwrap_or_else(|| "-".into());
    let mut lines = vec![
        format!("enabled              {}", flag(e.enabled)),
        format!("registerStatus       {}", flag(e.register_status)),
        format!("bindStatus           {}", bind_text(e.bind_status.as_ref())),
        format!("offlineStatus        {}", opt(&e.offline_status)),
        format!("server               {server}"),
        format!("redirect             {}", flag(e.redirect)),
        format!("enabledTiming        {}", flag(e.enabled_timing)),
        format!("streamEncryption     {}", flag(e.stream_encrypte_enabled)),
        format!("convergenceCloud     {}", flag(e.convergence_cloud_enabled)),
        format!(
            "operateCode          {}",
            match (&e.operate_code, operate_code) {
                (Some(c), true) => c.clone(),
                (Some(_), false) => "set (hidden; --reveal-operate-code shows it)".into(),
                (None, _) => "-".into(),
            }
        ),
        format!(
            "netWork              {}",
            e.net_work.map_or_else(|| "-".into(), |n| n.to_string())
        ),
        format!("verificationCode     {code_line}"),
    ];
    for (k, v) in &e.extra {
        lines.push(format!("{k:<20} {v}"));
    }
    lines.join("\n")
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::Status {
            conn,
            reveal_code,
            reveal_operate_code,
        } => {
            let e = conn.device()?.ezviz().await?;
            let code = e.verification_code.as_ref();
            let code_line = match (code, reveal_code) {
                (Some(c), true) => c.expose().to_owned(),
                (Some(_), false) => "set (hidden; --reveal-code shows it)".into(),
                (None, _) => "not readable".into(),
            };
            let mut v = serde_json::to_value(&e).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                if !reveal_operate_code {
                    m.remove("operateCode");
                }
                m.insert("verificationCodeReadable".into(), json!(code.is_some()));
                if reveal_code {
                    if let Some(c) = code {
                        m.insert("verificationCode".into(), json!(c.expose()));
                    }
                }
            }
            out.print(&v, || status_human(&e, &code_line, reveal_operate_code));
        }
        Cmd::Enable { conn } => {
            let code = read_code()?;
            let st = conn.device()?.enable_platform_access(&code).await?;
            out.done("Hik-Connect enabled", &st);
        }
        Cmd::Disable { conn } => {
            let st = conn.device()?.disable_platform_access().await?;
            out.done("Hik-Connect disabled", &st);
        }
        Cmd::SetCode { conn, yes } => {
            let code = read_code()?;
            let dev = conn.device()?;
            confirm_unbound(&dev, yes).await?;
            let st = dev.set_verification_code(&code).await?;
            out.done("verification code set", &st);
        }
        Cmd::GenerateCode { conn, length, yes } => {
            let code = VerificationCode::generate_with_len(usize::from(length))?;
            let dev = conn.device()?;
            confirm_unbound(&dev, yes).await?;
            let st = dev.set_verification_code(&code).await?;
            // the user asked for a new code: printing it is the point
            let v = json!({
                "verificationCode": code.expose(),
                "rebootRequired": st.reboot_required(),
                "status": st,
            });
            out.print(&v, || code.expose().to_owned());
        }
        Cmd::CheckCode { conn } => {
            let code = read_code()?;
            let matches = conn.device()?.check_verification_code(&code).await?;
            out.print(&json!({ "matches": matches }), || {
                if matches {
                    "the code matches".into()
                } else {
                    "the code does NOT match".into()
                }
            });
            if !matches {
                return Ok(ExitCode::from(crate::output::EXIT_NO));
            }
        }
        Cmd::Unbind { conn } => {
            let answer = conn.device()?.unbind_platform().await?;
            let v = json!({ "unbound": true, "answer": answer });
            out.print(&v, || "unbind requested".into());
        }
        Cmd::Qr { conn } => {
            // asked for: the QR text, verification code included
            let qr = conn.device()?.platform_qr_code().await?;
            let text = qr.expose();
            out.print(&json!({ "qrText": text }), || text.to_owned());
        }
        Cmd::Wait { conn } => {
            let timeout = Duration::from_secs(conn.timeout.max(1));
            let e = conn.device()?.wait_until_registered(timeout).await?;
            let mut v = serde_json::to_value(&e).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.remove("operateCode");
            }
            out.print(&v, || status_human(&e, "(not read)", false));
        }
    }
    Ok(ExitCode::SUCCESS)
}
