//! `hikproto recover`: password-recovery routes, over ISAPI (`--host`) or SADP (`--mac`).
//!
//! * `plan` says which routes the device offers, which are set up and what each needs;
//! * `prepare` sets a route up while the password is known;
//! * the other subcommands use a route once the password is lost.
//!
//! Secrets come only from the environment or a prompt: the new password from
//! `HIKPROTO_NEW_PASSWORD`, answers from `HIKPROTO_ANSWERS` (`1=answer;2=answer;3=answer`),
//! reset codes from `HIKPROTO_CODE`, the current password (for preparation) from
//! `HIKPROTO_PASSWORD`.

mod plan;
mod prepare;
mod reset;
mod sadp_files;

use std::net::Ipv4Addr;
use std::process::ExitCode;

use hikproto::isapi::security::QuestionAnswer;
use hikproto::keys::Secret;
use hikproto::reset::NewPassword;

use crate::cmd::discover::SadpArgs;
use crate::conn::{ANSWERS_ENV, ConnArgs, OptConnArgs, read_new_password, read_secret};
use crate::output::{CliError, Output};

/// Arguments of `hikproto recover`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

/// Which interface a route runs over: ISAPI with `--host`, SADP with `--mac` (and `--target`).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RouteArgs {
    #[command(flatten)]
    conn: OptConnArgs,
    /// The device's MAC, to go over SADP (on the LAN, no IP configuration needed).
    #[arg(long)]
    mac: Option<String>,
    /// The device's SADP address (ADDR or ADDR:PORT); default: multicast and broadcast. With
    /// --host, where to confirm over SADP that a reset file belongs to the device (default:
    /// the host's address, port 37020).
    #[arg(long, value_name = "ADDR[:PORT]")]
    target: Option<String>,
    /// Search from the interface with this IPv4 address.
    #[arg(long, value_name = "IPV4", requires = "mac")]
    interface: Option<Ipv4Addr>,
    /// Seconds to find the device over SADP and for each SADP answer.
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
}

/// The interface chosen for one command.
pub(crate) enum Route {
    /// ISAPI.
    Isapi(ConnArgs),
    /// SADP.
    Sadp(SadpArgs),
}

impl RouteArgs {
    /// The SADP arguments, when `--mac` was given.
    pub(crate) fn sadp(&self) -> Option<SadpArgs> {
        self.mac.as_ref().map(|mac| SadpArgs {
            mac: mac.clone(),
            target: self.target.clone(),
            interface: self.interface,
            timeout: self.timeout,
            allow_plaintext_secrets: self.conn.access.allow_plaintext_secrets,
        })
    }

    /// ISAPI when `--host` was given, else SADP when `--mac` was; one of them is required.
    pub(crate) fn route(&self) -> Result<Route, CliError> {
        match (self.conn.conn(), self.sadp()) {
            (Some(_), Some(_)) => Err(CliError::Usage(
                "give --host (ISAPI) or --mac (SADP), not both".into(),
            )),
            (Some(c), None) => Ok(Route::Isapi(c)),
            (None, Some(s)) => Ok(Route::Sadp(s)),
            (None, None) => Err(CliError::Usage(
                "give --host HOST (ISAPI) or --mac MAC (SADP)".into(),
            )),
        }
    }

    /// Where to ask the device at `host` for its identity over SADP: `--target`, or the host's
    /// address on the SADP port.
    pub(crate) fn identity_target(&self, host: &str) -> Option<std::net::SocketAddr> {
        if let Some(t) = &self.target {
            return crate::cmd::discover::parse_target(t).ok();
        }
        let h = host
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let ip = match h.rsplit_once(':') {
            Some((a, p)) if !a.contains(':') && p.parse::<u16>().is_ok() => a,
            _ => h,
        };
        crate::cmd::discover::parse_target(ip.trim_matches(['[', ']'])).ok()
    }

    /// Seconds to wait for SADP answers.
    pub(crate) fn sadp_timeout(&self) -> f64 {
        self.timeout
    }

    /// SADP only: the lookup arguments, or a usage error naming the command.
    pub(crate) fn sadp_only(&self, what: &str) -> Result<SadpArgs, CliError> {
        match self.route()? {
            Route::Sadp(s) => Ok(s),
            Route::Isapi(_) => Err(CliError::Usage(format!(
                "{what} works over SADP: give --mac"
            ))),
        }
    }
}

/// The new admin password and how to apply it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct NewPasswordArgs {
    /// On an NVR, also push the new password to its cameras.
    #[arg(long)]
    sync_cameras: bool,
    /// The administrator's user name.
    #[arg(long = "admin-user", default_value = "admin")]
    admin_user: String,
}

impl NewPasswordArgs {
    /// Reads the new password and checks it against the device policy (nothing is sent when
    /// it fails).
    pub(crate) fn read(&self) -> Result<NewPassword, CliError> {
        let pw = read_new_password("New admin password: ")?;
        let np = NewPassword::new(pw)
            .user(self.admin_user.clone())
            .sync_camera_passwords(self.sync_cameras);
        np.check()?;
        Ok(np)
    }
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Which recovery routes the device offers, which are ready, and what each still needs.
    Plan(plan::PlanArgs),
    /// Set a route up while the password is known.
    Prepare(prepare::Args),
    /// Reset by answering the security questions (answers from HIKPROTO_ANSWERS). Over ISAPI
    /// the request is inferred: unverified on real firmware.
    Answers(reset::CodeArgs),
    /// Reset with a GUID file exported earlier. Over ISAPI the import path and body are
    /// inferred: unverified on real firmware.
    Guid(reset::FileArgs),
    /// Save the e-mail route's QR payload (mail it, as a QR code, to the address shown).
    EmailQr(reset::OutArgs),
    /// Reset with the code mailed to the reserved address (from HIKPROTO_CODE). Over ISAPI the
    /// request body is inferred: unverified on real firmware.
    EmailCode(reset::CodeArgs),
    /// Save the Hik-Connect app route's QR payload (scan it with the bound account's app).
    AppQr(reset::OutArgs),
    /// Reset with the code the Hik-Connect app showed (from HIKPROTO_CODE). The ISAPI body and
    /// the SADP 3.0 form are inferred: unverified on real firmware.
    AppCode(reset::CodeArgs),
    /// Export the key file to send to vendor support (SADP).
    ExportKey(reset::OutArgs),
    /// Reset with support's reply file (SADP). The file-name pattern used to match the serial
    /// is inferred: unverified on real firmware.
    ImportReply(sadp_files::ImportArgs),
    /// Restore factory settings over ISAPI (needs the admin password and --yes).
    FactoryReset(reset::FactoryArgs),
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::Plan(p) => plan::run(p, out).await,
        Cmd::Prepare(p) => prepare::run(p, out).await,
        Cmd::Answers(c) => reset::answers(c, out).await,
        Cmd::Guid(f) => reset::guid(f, out).await,
        Cmd::EmailQr(o) => reset::qr(o, hikproto::isapi::security::QrKind::Email, out).await,
        Cmd::EmailCode(c) => reset::email_code(c, out).await,
        Cmd::AppQr(o) => reset::qr(o, hikproto::isapi::security::QrKind::HikConnectApp, out).await,
        Cmd::AppCode(c) => reset::app_code(c, out).await,
        Cmd::ExportKey(o) => sadp_files::export_key(o, out).await,
        Cmd::ImportReply(i) => sadp_files::import_reply(i, out).await,
        Cmd::FactoryReset(f) => reset::factory_reset(f, out).await,
    }
}

/// Parses answers written `ID=answer`, separated by `;` or new lines (an answer cannot
/// contain either). Error messages never quote an answer.
pub(crate) fn parse_answers(s: &Secret) -> Result<Vec<QuestionAnswer>, CliError> {
    let mut out = Vec::new();
    for (i, part) in s
        .expose()
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let (id, answer) = part
            .split_once('=')
            .and_then(|(id, a)| Some((id.trim().parse::<u32>().ok()?, a.trim())))
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "answer {} is not written ID=answer (in {ANSWERS_ENV}: 1=…;2=…;3=…)",
                    i + 1
                ))
            })?;
        out.push(QuestionAnswer::new(id, answer));
    }
    if out.is_empty() {
        return Err(CliError::Usage(format!(
            "no answers given: set {ANSWERS_ENV} to 1=…;2=…;3=…"
        )));
    }
    Ok(out)
}

/// Reads the answers from `HIKPROTO_ANSWERS` or a prompt.
pub(crate) fn read_answers() -> Result<Vec<QuestionAnswer>, CliError> {
    parse_answers(&read_secret(
        ANSWERS_ENV,
        "Security answers (1=…;2=…;3=…): ",
    )?)
}

/// The answers in SADP's form.
pub(crate) fn sadp_answers(answers: &[QuestionAnswer]) -> Vec<(u32, Secret)> {
    answers.iter().map(|a| (a.id, a.answer.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_without_leaking() {
        let a = parse_answers(&Secret::new("1=Rex; 2=Lisbon\n3=blue")).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[1].id, 2);
        assert_eq!(a[1].answer.expose(), "Lisbon");
        let e = parse_answers(&Secret::new("1=Rex;Lisbon")).unwrap_err();
        assert!(!e.to_string().contains("Lisbon"), "{e}");
        assert!(parse_answers(&Secret::new(" ; ")).is_err());
    }
}
