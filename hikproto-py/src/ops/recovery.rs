//! The password-recovery family: routes, preparing them, and resetting with them.

use std::path::PathBuf;

use pyo3::prelude::*;

use hikproto::Error;
use hikproto::isapi::security::QuestionAnswer;
use hikproto::isapi::system::FactoryResetMode;
use hikproto::reset::files::GuidFile;
use hikproto::reset::{NewPassword, ResetCode};
use hikproto::{Device, Secret};

use super::{Out, json};
use crate::args::Args;
use crate::errors::to_py_err;

/// A recovery operation with its owned arguments.
#[derive(Clone)]
pub(crate) enum Recovery {
    ExternCaps,
    ResetCaps,
    Questions,
    Email,
    Facts,
    Plan,
    SetQuestions(Vec<QuestionAnswer>),
    SetEmail(String),
    ExportGuid(PathBuf),
    ResetWithAnswers(Vec<QuestionAnswer>, NewPassword),
    ResetWithGuid(PathBuf, NewPassword),
    EmailQr,
    AppQr,
    ResetWithEmailCode(ResetCode, NewPassword),
    ResetWithAppCode(ResetCode, NewPassword),
    FactoryReset(FactoryResetMode),
    Reboot,
}

/// Operation names of this family.
pub(crate) const NAMES: &[&str] = &[
    "extern_security_capabilities",
    "reset_capabilities",
    "security_questions",
    "security_email",
    "recovery_facts",
    "recovery_plan",
    "set_security_questions",
    "set_security_email",
    "export_guid_file",
    "reset_with_security_answers",
    "reset_with_guid_file",
    "email_reset_qr",
    "app_reset_qr",
    "reset_with_email_code",
    "reset_with_app_code",
    "factory_reset",
    "reboot",
];

/// `answers`: a dict `{question_id: answer}` or a list of `(question_id, answer)` pairs. The
/// answers are secrets: they leave this function as [`Secret`]s.
pub(crate) fn answer_pairs(a: &mut Args<'_, '_>) -> PyResult<Vec<(u32, Secret)>> {
    let v = a
        .any("answers")?
        .ok_or_else(|| crate::errors::invalid("missing argument \"answers\""))?;
    let pairs: Vec<(u32, String)> = if let Ok(d) = v.cast::<pyo3::types::PyDict>() {
        d.iter()
            .map(|(k, v)| Ok((k.extract::<u32>()?, v.extract::<String>()?)))
            .collect::<PyResult<_>>()
    } else {
        v.extract::<Vec<(u32, String)>>()
    }
    .map_err(|_| crate::errors::invalid("answers must map question ids (int) to answers (str)"))?;
    Ok(pairs
        .into_iter()
        .map(|(id, ans)| (id, Secret::new(ans)))
        .collect())
}

fn answers(a: &mut Args<'_, '_>) -> PyResult<Vec<QuestionAnswer>> {
    Ok(answer_pairs(a)?
        .into_iter()
        .map(|(id, ans)| QuestionAnswer::new(id, ans))
        .collect())
}

fn new_password(a: &mut Args<'_, '_>) -> PyResult<NewPassword> {
    let mut n = NewPassword::new(a.secret("new_password")?);
    if let Some(user) = a.opt::<String>("user")? {
        n = n.user(user);
    }
    if let Some(sync) = a.opt::<bool>("sync_camera_passwords")? {
        n = n.sync_camera_passwords(sync);
    }
    Ok(n)
}

fn code(a: &mut Args<'_, '_>) -> PyResult<ResetCode> {
    let s: String = a.req("code")?;
    ResetCode::parse(&s).map_err(to_py_err)
}

impl Recovery {
    /// Parses `name`'s arguments, or `None` when `name` is not in this family.
    pub(crate) fn parse(name: &str, a: &mut Args<'_, '_>) -> PyResult<Option<Self>> {
        Ok(Some(match name {
            "extern_security_capabilities" => Self::ExternCaps,
            "reset_capabilities" => Self::ResetCaps,
            "security_questions" => Self::Questions,
            "security_email" => Self::Email,
            "recovery_facts" => Self::Facts,
            "recovery_plan" => Self::Plan,
            "set_security_questions" => Self::SetQuestions(answers(a)?),
            "set_security_email" => Self::SetEmail(a.req("address")?),
            "export_guid_file" => Self::ExportGuid(a.req::<PathBuf>("path")?),
            "reset_with_security_answers" => Self::ResetWithAnswers(answers(a)?, new_password(a)?),
            "reset_with_guid_file" => Self::ResetWithGuid(a.req("path")?, new_password(a)?),
            "email_reset_qr" => Self::EmailQr,
            "app_reset_qr" => Self::AppQr,
            "reset_with_email_code" => Self::ResetWithEmailCode(code(a)?, new_password(a)?),
            "reset_with_app_code" => Self::ResetWithAppCode(code(a)?, new_password(a)?),
            "factory_reset" => {
                let mode: String = a.opt("mode")?.unwrap_or_else(|| "basic".to_owned());
                Self::FactoryReset(FactoryResetMode::parse(&mode).map_err(to_py_err)?)
            }
            "reboot" => Self::Reboot,
            _ => return Ok(None),
        }))
    }

    pub(crate) async fn run(self, dev: Device) -> hikproto::Result<Out> {
        match self {
            Self::ExternCaps => json(&dev.extern_security_capabilities().await?),
            Self::ResetCaps => json(&dev.reset_capabilities().await?),
            Self::Questions => json(&dev.security_questions().await?),
            Self::Email => json(&dev.security_email().await?),
            Self::Facts => json(&dev.recovery_facts().await?),
            Self::Plan => json(&dev.recovery_plan().await?),
            Self::SetQuestions(ans) => json(&dev.set_security_questions(&ans).await?),
            Self::SetEmail(addr) => json(&dev.set_security_email(&addr).await?),
            Self::ExportGuid(path) => {
                let f = dev.export_guid_file(&path).await?;
                Ok(Out::Json(serde_json::json!({
                    "path": path.to_string_lossy(),
                    "format": serde_json::to_value(f.format).map_err(|e| Error::decode("GuidFile", e))?,
                    "source": f.source,
                    "size": f.len(),
                    "serial": f.serial(),
                })))
            }
            Self::ResetWithAnswers(ans, new) => {
                json(&dev.reset_with_security_answers(&ans, &new).await?)
            }
            Self::ResetWithGuid(path, new) => {
                let serial = dev.device_info().await.ok().and_then(|i| i.serial_number);
                let file = GuidFile::load(&path, serial.as_deref())?;
                json(&dev.reset_with_guid_file(&file, &new).await?)
            }
            Self::EmailQr => json(&dev.email_reset_qr().await?),
            Self::AppQr => json(&dev.app_reset_qr().await?),
            Self::ResetWithEmailCode(c, new) => json(&dev.reset_with_email_code(&c, &new).await?),
            Self::ResetWithAppCode(c, new) => json(&dev.reset_with_app_code(&c, &new).await?),
            Self::FactoryReset(mode) => json(&dev.factory_reset(&mode).await?),
            Self::Reboot => json(&dev.reboot().await?),
        }
    }
}
