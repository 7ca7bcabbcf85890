//! The SADP commands `Client.call` and `Client.call_async` run, parsed with the GIL held and
//! run without it.
//!
//! Secrets (passwords, codes, answers, GUID tokens) are copied into [`Secret`]s at parse time.
//! In reset commands `new_password` is the password the device will have afterwards; in the
//! others `password` is the current admin password that authorises the change.

use std::path::PathBuf;
use std::time::SystemTime;

use base64::Engine as _;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Value, json as js};

use hikproto::Secret;
use hikproto::reset::files::GuidFile as GuidExport;
use hikproto::sadp::{DeviceTarget, GuidFile, NetworkParams, ProbeMatch, SadpClient};

use super::key_file::{Fail, ReplyReset, export};
use crate::args::Args;
use crate::errors::invalid;
use crate::ops::network::ipv4;
use crate::ops::recovery::answer_pairs;
use crate::ops::{Out, json};
use crate::runtime::Warner;

/// The target's serial (from its SADP reply), used to name and check GUID files.
type Serial = Option<String>;

/// The SADP commands, with owned arguments.
pub(super) enum Cmd {
    Activate(Secret),
    UpdateNetwork(Box<NetworkParams>, Secret),
    DeviceCode,
    EncryptString,
    ResetWithCode(Secret, Secret, bool),
    RestoreInactive(Secret),
    PasswordResetTypes,
    UnbindStatus,
    Blink(bool),
    ExportGuid(PathBuf, Secret, Serial),
    ResetWithGuid(PathBuf, Secret, bool, Serial),
    SecurityQuestions,
    SetSecurityQuestions(Vec<(u32, Secret)>, Secret),
    ResetWithAnswers(Vec<(u32, Secret)>, Secret, bool),
    SetMailbox(String, Secret),
    MailResetQr,
    ResetWithMailCode(Secret, Secret, bool),
    PhoneResetQr,
    ResetWithPhoneCode(Secret, Secret),
    SetPlatform(bool, Secret),
    SetVerificationCode(Secret, Secret),
    Unbind(Secret),
    ExportKeyFile(PathBuf),
    ResetWithReplyFile(Box<ReplyReset>),
}

/// The device's current parameters (from its SADP reply) with the given ones changed.
fn network_params(a: &mut Args<'_, '_>, found: Option<&ProbeMatch>) -> PyResult<NetworkParams> {
    let found = found.ok_or_else(|| {
        invalid("update_network needs a device found by discover() (its reply is the base)")
    })?;
    let mut p = NetworkParams::from_probe_match(found).map_err(crate::errors::to_py_err)?;
    if let Some(v) = ipv4(a, "address")? {
        p.ipv4_address = v;
    }
    if let Some(v) = ipv4(a, "subnet_mask")? {
        p.ipv4_subnet_mask = v;
    }
    if let Some(v) = ipv4(a, "gateway")? {
        p.ipv4_gateway = v;
    }
    if let Some(v) = a.opt("dhcp")? {
        p.dhcp = v;
    }
    if let Some(v) = a.opt("command_port")? {
        p.command_port = v;
    }
    if let Some(v) = a.opt("http_port")? {
        p.http_port = Some(v);
    }
    Ok(p)
}

/// The `sync_camera_passwords` flag of a reset (default false).
pub(super) fn sync(a: &mut Args<'_, '_>) -> PyResult<bool> {
    Ok(a.opt::<bool>("sync_camera_passwords")?.unwrap_or(false))
}

impl Cmd {
    /// Parses command `name`; `found` is the target's SADP reply when it is a discovered device.
    pub(super) fn parse(
        name: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
        found: Option<&ProbeMatch>,
    ) -> PyResult<Self> {
        let mut a = Args::new(name, kwargs);
        let serial = || found.and_then(|f| f.device_sn.clone());
        let c = match name {
            "activate" => Self::Activate(a.secret("password")?),
            "update_network" => {
                let params = network_params(&mut a, found)?;
                Self::UpdateNetwork(Box::new(params), a.secret("password")?)
            }
            "device_code" => Self::DeviceCode,
            "encrypt_string" => Self::EncryptString,
            "reset_with_code" => {
                Self::ResetWithCode(a.secret("code")?, a.secret("new_password")?, sync(&mut a)?)
            }
            "restore_inactive" => Self::RestoreInactive(a.secret("password")?),
            "password_reset_types" => Self::PasswordResetTypes,
            "unbind_status" => Self::UnbindStatus,
            "blink" => Self::Blink(a.opt::<bool>("on")?.unwrap_or(true)),
            "export_guid" => Self::ExportGuid(a.req("path")?, a.secret("password")?, serial()),
            "reset_with_guid" => Self::ResetWithGuid(
                a.req("path")?,
                a.secret("new_password")?,
                sync(&mut a)?,
                serial(),
            ),
            "security_questions" => Self::SecurityQuestions,
            "set_security_questions" => {
                Self::SetSecurityQuestions(answer_pairs(&mut a)?, a.secret("password")?)
            }
            "reset_with_answers" => Self::ResetWithAnswers(
                answer_pairs(&mut a)?,
                a.secret("new_password")?,
                sync(&mut a)?,
            ),
            "set_mailbox" => Self::SetMailbox(a.req("address")?, a.secret("password")?),
            "mail_reset_qr" => Self::MailResetQr,
            "reset_with_mail_code" => {
                Self::ResetWithMailCode(a.secret("code")?, a.secret("new_password")?, sync(&mut a)?)
            }
            "phone_reset_qr" => Self::PhoneResetQr,
            "reset_with_phone_code" => {
                Self::ResetWithPhoneCode(a.secret("code")?, a.secret("new_password")?)
            }
            "set_platform_access" => Self::SetPlatform(a.req("enabled")?, a.secret("password")?),
            "set_verification_code" => {
                Self::SetVerificationCode(a.secret("code")?, a.secret("password")?)
            }
            "unbind" => Self::Unbind(a.secret("password")?),
            "export_key_file" => Self::ExportKeyFile(a.req("path")?),
            "reset_with_reply_file" => {
                Self::ResetWithReplyFile(Box::new(ReplyReset::parse(&mut a)?))
            }
            other => return Err(invalid(format!("unknown SADP command {other:?}"))),
        };
        a.finish()?;
        Ok(c)
    }

    /// Runs the command. A refused reset file fails as `Fail::File` (`ResetFileError` in
    /// Python, with its reason in `.kind`), everything else as the core error; a warning the
    /// reply-file reset raises goes through `warner`.
    pub(super) async fn run(
        self,
        c: SadpClient,
        t: DeviceTarget,
        warner: Warner,
    ) -> Result<Out, Fail> {
        let done = |r: hikproto::Result<()>| Ok(r.map(|()| Out::Json(Value::Null))?);
        let js = |r: hikproto::Result<Out>| r.map_err(Fail::from);
        match self {
            Self::Activate(pw) => done(c.activate(&t, &pw).await),
            Self::UpdateNetwork(p, pw) => done(c.update_network(&t, &p, &pw).await),
            Self::DeviceCode => Ok(Out::Text(c.device_code(&t).await?)),
            Self::EncryptString => Ok(Out::Text(c.encrypt_string(&t).await?)),
            Self::ResetWithCode(code, pw, sync) => {
                done(c.reset_with_code(&t, &code, &pw, sync).await)
            }
            Self::RestoreInactive(pw) => done(c.restore_inactive(&t, &pw).await),
            Self::PasswordResetTypes => js(json(&c.password_reset_types(&t).await?)),
            Self::UnbindStatus => js(json(&c.unbind_status(&t).await?)),
            Self::Blink(on) => done(c.blink(&t, on).await),
            Self::ExportGuid(path, pw, serial) => {
                let token = c.export_guid(&t, &pw).await?;
                let mut file = GuidExport::from_export(token.to_bytes(), "sadp")?;
                file.save(&path, serial.as_deref(), SystemTime::now())?;
                Ok(Out::Json(js!({
                    "path": path.to_string_lossy(),
                    "source": "sadp",
                    "size": file.len(),
                    "serial": file.serial(),
                })))
            }
            Self::ResetWithGuid(path, pw, sync, serial) => {
                let file = GuidExport::load(&path, serial.as_deref())?;
                let token = GuidFile::new(
                    base64::engine::general_purpose::STANDARD.encode(file.as_bytes()),
                );
                done(c.reset_by_guid(&t, &token, &pw, sync).await)
            }
            Self::SecurityQuestions => js(json(&c.security_questions(&t).await?)),
            Self::SetSecurityQuestions(ans, pw) => {
                done(c.set_security_questions(&t, &ans, &pw).await)
            }
            Self::ResetWithAnswers(ans, pw, sync) => {
                done(c.reset_by_answers(&t, &ans, &pw, sync).await)
            }
            Self::SetMailbox(addr, pw) => done(c.set_mailbox(&t, addr.trim(), &pw).await),
            Self::MailResetQr => js(json(&c.mail_reset_qr(&t).await?)),
            Self::ResetWithMailCode(code, pw, sync) => {
                done(c.reset_by_mail_code(&t, &code, &pw, sync).await)
            }
            Self::PhoneResetQr => js(json(&c.phone_reset_qr(&t).await?)),
            Self::ResetWithPhoneCode(code, pw) => done(c.reset_by_phone_code(&t, &code, &pw).await),
            Self::SetPlatform(on, pw) => done(c.set_hc_platform(&t, on, &pw).await),
            Self::SetVerificationCode(code, pw) => {
                done(c.set_verification_code(&t, &code, &pw).await)
            }
            Self::Unbind(pw) => done(c.unbind_hik_connect(&t, &pw).await),
            Self::ExportKeyFile(path) => Ok(Out::Json(export(c, t, path).await?)),
            Self::ResetWithReplyFile(r) => {
                r.run(c, t, warner).await?;
                Ok(Out::Json(Value::Null))
            }
        }
    }
}
