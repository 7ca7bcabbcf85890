//! The provisioning family: capabilities, activation, users and passwords, Hik-Connect platform
//! access and the verification code, ISUP (Ehome).

use std::time::Duration;

use pyo3::prelude::*;

use hikproto::isapi::ehome::EhomeChange;
use hikproto::isapi::users::UserLevel;
use hikproto::keys::{IsupKey, Password, VerificationCode};
use hikproto::{Device, Secret};

use super::{Out, json};
use crate::args::Args;
use crate::errors::{invalid, to_py_err};

/// A provisioning operation with its owned arguments.
#[derive(Clone)]
pub(crate) enum Provisioning {
    Capabilities,
    SecurityCapabilities,
    ActivationStatus,
    Activate(Password),
    Users,
    ChangePassword(String, Password, Option<Secret>),
    AddUser(String, Password, UserLevel, Option<Secret>),
    DeleteUser(String, Option<Secret>),
    Ezviz,
    EnablePlatformAccess(VerificationCode),
    DisablePlatformAccess,
    VerificationCode,
    SetVerificationCode(VerificationCode),
    CheckVerificationCode(VerificationCode),
    PlatformQrCode,
    UnbindPlatform,
    TestPlatformParameters,
    WaitUntilRegistered(Duration),
    Ehome(Option<u32>),
    SetEhome(Option<u32>, EhomeChange),
}

/// Operation names of this family.
pub(crate) const NAMES: &[&str] = &[
    "capabilities",
    "security_capabilities",
    "activation_status",
    "activate",
    "users",
    "change_password",
    "add_user",
    "delete_user",
    "ezviz",
    "enable_platform_access",
    "disable_platform_access",
    "verification_code",
    "set_verification_code",
    "check_verification_code",
    "platform_qr_code",
    "unbind_platform",
    "test_platform_parameters",
    "wait_until_registered",
    "ehome",
    "set_ehome",
];

fn password(a: &mut Args<'_, '_>, user: &str, name: &'static str) -> PyResult<Password> {
    Password::new(user, a.secret(name)?).map_err(to_py_err)
}

fn code(a: &mut Args<'_, '_>) -> PyResult<VerificationCode> {
    VerificationCode::new(a.secret("code")?).map_err(to_py_err)
}

impl Provisioning {
    /// Parses `name`'s arguments, or `None` when `name` is not in this family.
    pub(crate) fn parse(name: &str, a: &mut Args<'_, '_>) -> PyResult<Option<Self>> {
        Ok(Some(match name {
            "capabilities" => Self::Capabilities,
            "security_capabilities" => Self::SecurityCapabilities,
            "activation_status" => Self::ActivationStatus,
            "activate" => {
                let user = a
                    .opt::<String>("user")?
                    .unwrap_or_else(|| "admin".to_owned());
                Self::Activate(password(a, &user, "password")?)
            }
            "users" => Self::Users,
            "change_password" => {
                let user: String = a.req("user")?;
                let pw = password(a, &user, "new_password")?;
                Self::ChangePassword(
                    user,
                    pw,
                    a.opt::<String>("login_password")?.map(Secret::new),
                )
            }
            "add_user" => {
                let user: String = a.req("user")?;
                let pw = password(a, &user, "password")?;
                let level = UserLevel::parse(
                    &a.opt::<String>("level")?
                        .unwrap_or_else(|| "Operator".into()),
                );
                Self::AddUser(
                    user,
                    pw,
                    level,
                    a.opt::<String>("login_password")?.map(Secret::new),
                )
            }
            "delete_user" => Self::DeleteUser(
                a.req("user")?,
                a.opt::<String>("login_password")?.map(Secret::new),
            ),
            "ezviz" => Self::Ezviz,
            "enable_platform_access" => Self::EnablePlatformAccess(code(a)?),
            "disable_platform_access" => Self::DisablePlatformAccess,
            "verification_code" => Self::VerificationCode,
            "set_verification_code" => Self::SetVerificationCode(code(a)?),
            "check_verification_code" => Self::CheckVerificationCode(code(a)?),
            "platform_qr_code" => Self::PlatformQrCode,
            "unbind_platform" => Self::UnbindPlatform,
            "test_platform_parameters" => Self::TestPlatformParameters,
            "wait_until_registered" => {
                let t: f64 = a.opt("timeout")?.unwrap_or(30.0);
                if !(t.is_finite() && t > 0.0 && t < 86_400.0) {
                    return Err(invalid("timeout must be a positive number of seconds"));
                }
                Self::WaitUntilRegistered(Duration::from_secs_f64(t))
            }
            "ehome" => Self::Ehome(a.opt("center_id")?),
            "set_ehome" => {
                let center = a.opt("center_id")?;
                let key = match a.opt::<String>("key")? {
                    Some(k) => Some(IsupKey::new(k).map_err(to_py_err)?),
                    None => None,
                };
                Self::SetEhome(
                    center,
                    EhomeChange {
                        enabled: a.opt("enabled")?,
                        host: a.opt("host")?,
                        port: a.opt("port")?,
                        device_id: a.opt("device_id")?,
                        protocol_version: None,
                        key,
                    },
                )
            }
            _ => return Ok(None),
        }))
    }

    pub(crate) async fn run(self, dev: Device) -> hikproto::Result<Out> {
        let null = || Out::Json(serde_json::Value::Null);
        match self {
            Self::Capabilities => json(&dev.capabilities().await?),
            Self::SecurityCapabilities => json(&dev.security_capabilities().await?),
            Self::ActivationStatus => json(&dev.activation_status().await?),
            Self::Activate(pw) => json(&dev.activate(&pw).await?),
            Self::Users => json(&dev.users().await?),
            Self::ChangePassword(u, pw, login) => {
                json(&dev.change_password(&u, &pw, login.as_ref()).await?)
            }
            Self::AddUser(u, pw, level, login) => {
                let id = dev.add_user(&u, &pw, level, login.as_ref()).await?;
                Ok(Out::Json(serde_json::json!({ "id": id })))
            }
            Self::DeleteUser(u, login) => json(&dev.delete_user(&u, login.as_ref()).await?),
            Self::Ezviz => json(&dev.ezviz().await?),
            Self::EnablePlatformAccess(c) => json(&dev.enable_platform_access(&c).await?),
            Self::DisablePlatformAccess => json(&dev.disable_platform_access().await?),
            Self::VerificationCode => Ok(match dev.verification_code().await? {
                Some(c) => Out::Text(c.secret().expose().to_owned()),
                None => null(),
            }),
            Self::SetVerificationCode(c) => json(&dev.set_verification_code(&c).await?),
            Self::CheckVerificationCode(c) => {
                Ok(Out::Json(dev.check_verification_code(&c).await?.into()))
            }
            Self::PlatformQrCode => {
                Ok(Out::Text(dev.platform_qr_code().await?.expose().to_owned()))
            }
            Self::UnbindPlatform => Ok(Out::Json(dev.unbind_platform().await?)),
            Self::TestPlatformParameters => Ok(Out::Json(dev.test_platform_parameters().await?)),
            Self::WaitUntilRegistered(t) => json(&dev.wait_until_registered(t).await?),
            Self::Ehome(c) => json(&dev.ehome(c).await?),
            Self::SetEhome(c, change) => json(&dev.change_ehome(c, change).await?),
        }
    }
}
