//! The recovery routes themselves: answers, GUID file, e-mail and app codes, factory reset.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use base64::Engine as _;
use hikproto::isapi::security::{QrKind, ResetQrPayload};
use hikproto::isapi::system::FactoryResetMode;
use hikproto::reset::files::{GuidFile, QrPayloadFile};
use hikproto::reset::{NewPassword, ResetCode, ResetMethod};
use serde_json::json;

use super::{NewPasswordArgs, Route, RouteArgs, read_answers, sadp_answers};
use crate::conn::{CODE_ENV, ConnArgs, read_secret};
use crate::output::{CliError, Output};

/// A route that needs a secret (answers or a code) and a new password.
#[derive(Debug, clap::Args)]
pub(crate) struct CodeArgs {
    #[command(flatten)]
    route: RouteArgs,
    #[command(flatten)]
    new: NewPasswordArgs,
}

/// A route that reads a file and sets a new password.
#[derive(Debug, clap::Args)]
pub(crate) struct FileArgs {
    #[command(flatten)]
    route: RouteArgs,
    #[command(flatten)]
    new: NewPasswordArgs,
    /// The file.
    #[arg(long)]
    file: PathBuf,
}

/// A step that writes a file.
#[derive(Debug, clap::Args)]
pub(crate) struct OutArgs {
    #[command(flatten)]
    pub(super) route: RouteArgs,
    /// Where to write it (a sidecar `<FILE>.hikproto.json` is written beside it).
    #[arg(long)]
    pub(super) out: PathBuf,
}

/// `recover factory-reset`.
#[derive(Debug, clap::Args)]
pub(crate) struct FactoryArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// `basic` keeps network and users; `full` restores everything (the device becomes inactive).
    #[arg(long, value_parser = ["basic", "full"])]
    mode: String,
    /// Confirm the reset.
    #[arg(long)]
    yes: bool,
}

/// Prints the result of a reset.
/// Reports a successful reset. `risky`: the device accepted the new password but flagged it as
/// risky (ISAPI `riskPassword`; SADP refuses such passwords instead).
pub(super) fn report(out: &Output, method: ResetMethod, new: &NewPassword, risky: bool) {
    let v = json!({
        "reset": true,
        "method": method,
        "user": new.user,
        "syncCameraPasswordsRequested": new.sync_camera_passwords,
        "passwordRisky": risky,
    });
    out.print(&v, || {
        let mut s = format!(
            "password of {} reset with the {} route; log in with the new password",
            new.user,
            method.label()
        );
        if risky {
            s.push_str("\nwarning: the device accepted the password but rates it risky; change it");
        }
        s
    });
}

fn read_code() -> Result<ResetCode, CliError> {
    Ok(ResetCode::parse(
        read_secret(CODE_ENV, "Reset code: ")?.expose(),
    )?)
}

pub(crate) async fn answers(a: CodeArgs, out: &Output) -> Result<ExitCode, CliError> {
    let m = ResetMethod::SecurityQuestions;
    let route = a.route.route()?;
    let answers = read_answers()?;
    let new = a.new.read()?;
    let risky = match route {
        Route::Isapi(c) => c
            .device_with(None)?
            .reset_with_security_answers(&answers, &new)
            .await
            .map_err(|e| CliError::reset(m, e))?
            .password_is_risky(),
        Route::Sadp(s) => {
            let dev = s.locate().await?;
            s.client()
                .await?
                .reset_by_answers(
                    &dev.target(),
                    &sadp_answers(&answers),
                    &new.password,
                    new.sync_camera_passwords,
                )
                .await
                .map_err(|e| CliError::reset(m, e))?;
            false
        }
    };
    report(out, m, &new, risky);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn guid(a: FileArgs, out: &Output) -> Result<ExitCode, CliError> {
    let m = ResetMethod::GuidFile;
    let route = a.route.route()?;
    let new = a.new.read()?;
    let risky = match route {
        Route::Isapi(c) => {
            let mut file = GuidFile::load(&a.file, None).map_err(hikproto::Error::from)?;
            if file.serial().is_some() {
                // the sidecar names the device: confirm it over SADP before spending a try
                let addr = a.route.identity_target(&c.host);
                let timeout = a.route.sadp_timeout();
                if let Some(serial) = serial_over_sadp(addr, timeout).await {
                    file = GuidFile::load(&a.file, Some(&serial)).map_err(hikproto::Error::from)?;
                } else {
                    tracing::warn!(
                        "could not confirm over SADP that the GUID file belongs to this device; \
                         sending it (give --target ADDR:PORT, or use --mac, to have it checked)"
                    );
                }
            }
            c.device_with(None)?
                .reset_with_guid_file(&file, &new)
                .await
                .map_err(|e| CliError::reset(m, e))?
                .password_is_risky()
        }
        Route::Sadp(s) => {
            let dev = s.locate().await?;
            let file = GuidFile::load(&a.file, dev.info.device_sn.as_deref())
                .map_err(hikproto::Error::from)?;
            let token = hikproto::sadp::GuidFile::new(
                base64::engine::general_purpose::STANDARD.encode(file.as_bytes()),
            );
            s.client()
                .await?
                .reset_by_guid(
                    &dev.target(),
                    &token,
                    &new.password,
                    new.sync_camera_passwords,
                )
                .await
                .map_err(|e| CliError::reset(m, e))?;
            false
        }
    };
    report(out, m, &new, risky);
    Ok(ExitCode::SUCCESS)
}

/// The serial the device at `addr` reports over SADP (unicast), when it answers in time.
async fn serial_over_sadp(addr: Option<std::net::SocketAddr>, timeout: f64) -> Option<String> {
    let addr = addr?;
    let mut opts = hikproto::sadp::DiscoverOptions::unicast(vec![addr]);
    opts.expect = Some(1);
    opts.timeout = std::time::Duration::try_from_secs_f64(timeout.clamp(0.1, 5.0)).ok()?;
    let found = hikproto::sadp::discover(&opts).await.ok()?;
    found.into_iter().find_map(|d| d.info.device_sn)
}

pub(crate) async fn qr(a: OutArgs, kind: QrKind, out: &Output) -> Result<ExitCode, CliError> {
    let (payload, serial) = match a.route.route()? {
        Route::Isapi(c) => {
            let dev = c.device_with(None)?;
            let p = match kind {
                QrKind::Email => dev.email_reset_qr().await?,
                QrKind::HikConnectApp => dev.app_reset_qr().await?,
            };
            (p, None)
        }
        Route::Sadp(s) => {
            let dev = s.locate().await?;
            let client = s.client().await?;
            let p = match kind {
                QrKind::Email => {
                    let q = client.mail_reset_qr(&dev.target()).await?;
                    ResetQrPayload {
                        kind,
                        qr_text: q.qr_codes,
                        mailbox: q.mail_box,
                        service_mailbox: q.mail_service_box,
                        domain: None,
                        model: None,
                    }
                }
                QrKind::HikConnectApp => {
                    let q = client.phone_reset_qr(&dev.target()).await?;
                    ResetQrPayload {
                        kind,
                        qr_text: q.qr_code,
                        mailbox: None,
                        service_mailbox: None,
                        domain: q.domain_name,
                        model: q.model,
                    }
                }
            };
            (p, dev.info.device_sn.clone())
        }
    };
    QrPayloadFile::save(&a.out, &payload, serial.as_deref(), SystemTime::now())
        .map_err(hikproto::Error::from)?;
    // the payload went to the file the user named; it is not echoed to the terminal or logs
    let mut shown = serde_json::to_value(&payload).unwrap_or_default();
    if let serde_json::Value::Object(m) = &mut shown {
        m.retain(|k, _| !k.eq_ignore_ascii_case("qrText") && !k.eq_ignore_ascii_case("qr_text"));
    }
    let v = json!({ "path": a.out, "payload": shown });
    out.print(&v, || {
        let next = match kind {
            QrKind::Email => format!(
                "render it as a QR code and mail it to {}; the code arrives at {}",
                payload
                    .service_mailbox
                    .as_deref()
                    .unwrap_or("the vendor's service address"),
                payload.mailbox.as_deref().unwrap_or("the reserved address")
            ),
            QrKind::HikConnectApp => {
                "scan it with the Hik-Connect app of the account the device is bound to".into()
            }
        };
        format!(
            "QR payload saved to {}\nnext: {next}, then run the matching *-code command",
            a.out.display()
        )
    });
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn email_code(a: CodeArgs, out: &Output) -> Result<ExitCode, CliError> {
    code_reset(a, ResetMethod::ReservedEmail, out).await
}

pub(crate) async fn app_code(a: CodeArgs, out: &Output) -> Result<ExitCode, CliError> {
    code_reset(a, ResetMethod::HikConnectApp, out).await
}

async fn code_reset(a: CodeArgs, m: ResetMethod, out: &Output) -> Result<ExitCode, CliError> {
    let route = a.route.route()?;
    let code = read_code()?;
    let new = a.new.read()?;
    let risky = match route {
        Route::Isapi(c) => {
            let dev = c.device_with(None)?;
            let r = if m == ResetMethod::ReservedEmail {
                dev.reset_with_email_code(&code, &new).await
            } else {
                dev.reset_with_app_code(&code, &new).await
            };
            r.map_err(|e| CliError::reset(m, e))?.password_is_risky()
        }
        Route::Sadp(s) => {
            let dev = s.locate().await?;
            let client = s.client().await?;
            let t = dev.target();
            let r = if m == ResetMethod::ReservedEmail {
                client
                    .reset_by_mail_code(&t, code.secret(), &new.password, new.sync_camera_passwords)
                    .await
            } else {
                client
                    .reset_by_phone_code(&t, code.secret(), &new.password)
                    .await
            };
            r.map_err(|e| CliError::reset(m, e))?;
            false
        }
    };
    report(out, m, &new, risky);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn factory_reset(a: FactoryArgs, out: &Output) -> Result<ExitCode, CliError> {
    let mode = FactoryResetMode::parse(&a.mode)?;
    if !a.yes {
        return Err(CliError::Usage(format!(
            "a {} factory reset erases settings{}; add --yes to confirm",
            mode.as_str(),
            if mode.leaves_device_inactive() {
                " and the admin password (the device must be activated again)"
            } else {
                ""
            }
        )));
    }
    let st = a.conn.device()?.factory_reset(&mode).await?;
    let v = json!({ "factoryReset": mode.as_str(), "status": st });
    out.print(&v, || {
        format!(
            "{} factory reset started; the device restarts{}",
            mode.as_str(),
            if mode.leaves_device_inactive() {
                " and must be activated again"
            } else {
                ""
            }
        )
    });
    Ok(ExitCode::SUCCESS)
}
