//! Password recovery over ISAPI: discovering the routes, preparing them while the password is
//! known, and using them when it is lost. See [`crate::reset`] for the overview.

use std::path::Path;
use std::time::SystemTime;

use crate::auth::field_cipher::KeyParams;
use crate::auth::session;
use crate::client::{Device, Request};
use crate::error::{Error, Result};
use crate::isapi::security::caps::{EXTERN_CAPS_PATH, SECURITY_CAPS_PATH};
use crate::isapi::security::email::{self, QrKind};
use crate::isapi::security::{
    ExternSecurityCap, QuestionAnswer, ResetCapabilities, ResetQrPayload, SecurityEmail,
    SecurityQuestions, guid, phone, questions,
};
use crate::isapi::status::ResponseStatus;
use crate::isapi::system::{FactoryResetMode, REBOOT_PATH};
use crate::keys::Credentials;
use crate::provenance;
use crate::reset::files::GuidFile;
use crate::reset::{
    DeviceSummary, FieldProtection, NewPassword, RecoveryFacts, RecoveryPlan, ResetCode,
    ResetMethod, ResetOutcome,
};
use crate::xml::Element;

/// `GET` here for the Hik-Connect binding state (`bindStatus`, `enabled`).
const EZVIZ_PATH: &str = "/ISAPI/System/Network/EZVIZ";

/// True for errors that mean the device cannot be reached at all (gathering stops there).
fn unreachable(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport { .. } | Error::Timeout { .. } | Error::Tls { .. }
    )
}

fn gap(what: &str, e: &Error) -> String {
    format!("{what}: {e}")
}

impl Device {
    /// GETs `path` without credentials; if the device insists on them (401) and this handle has
    /// some, asks once more, authenticated.
    async fn get_xml_open(&self, path: &str) -> Result<Element> {
        match self.request(Request::get(path).without_auth()).await {
            Ok(resp) => resp.xml(),
            Err(Error::CredentialsRejected { .. }) if self.user().is_some() => {
                self.get_xml(path).await
            }
            Err(e) => Err(e),
        }
    }

    /// The credentials of this handle: the admin password the preparation requests repeat.
    fn admin_credentials(&self) -> Result<Credentials> {
        self.inner
            .credentials()
            .ok_or_else(|| Error::invalid("this needs the admin credentials; none were given"))
    }

    /// How the secret fields of `what` are protected on this device (see `reset::bridge`): the
    /// `security=1` cipher when the device offers it ([`Self::recovery_cipher`]); otherwise in
    /// clear only inside TLS or after [`Device::allow_plaintext_secrets`], else the refusal.
    async fn field_protection(&self, creds: &Credentials, what: &str) -> Result<FieldProtection> {
        match self.recovery_cipher(creds).await? {
            Some(p) => Ok(p),
            None => {
                self.secret_carrier(what, false)?;
                Ok(FieldProtection::plain())
            }
        }
    }

    /// The `security=1` cipher when `SecurityCap` offers `securityVersion` 1, with the key
    /// parameters from `SecurityCap` (or, when it lacks them, the session-login capabilities);
    /// `None` otherwise (no version 1, or parameters that cannot be read).
    async fn recovery_cipher(&self, creds: &Credentials) -> Result<Option<FieldProtection>> {
        let cap_doc = match self.get_xml(SECURITY_CAPS_PATH).await {
            Ok(el) => el,
            Err(e) if e.is_auth() || unreachable(&e) => return Err(e),
            Err(_) => return Ok(None),
        };
        let Ok(caps) = ResetCapabilities::from_element(&cap_doc) else {
            return Ok(None);
        };
        if !caps.security_versions.contains(&1) {
            return Ok(None);
        }
        let sec = crate::isapi::security::find(&cap_doc, "SecurityCap").unwrap_or(&cap_doc);
        let mut params = KeyParams::from_element(sec);
        let complete = sec.child("isIrreversible").is_some()
            && (!params.irreversible || params.salt.is_some());
        if !complete {
            let path = session::capabilities_path(&creds.user);
            match self
                .request(Request::get(&path).without_auth())
                .await
                .and_then(|r| r.xml())
            {
                Ok(el) => {
                    let from_session = KeyParams::from_element(&el);
                    params.irreversible = from_session.irreversible;
                    params.salt = from_session.salt;
                }
                Err(e) if unreachable(&e) => return Err(e),
                Err(_) => return Ok(None),
            }
        }
        FieldProtection::encrypted(&creds.user, &creds.password, &params).map(Some)
    }

    /// Reads `GET /ISAPI/Security/extern/capabilities`: the reset methods the device offers,
    /// readable before login.
    pub async fn extern_security_capabilities(&self) -> Result<ExternSecurityCap> {
        ExternSecurityCap::from_element(&self.get_xml_open(EXTERN_CAPS_PATH).await?)
    }

    /// Reads the reset flags of `GET /ISAPI/Security/capabilities` (needs credentials).
    pub async fn reset_capabilities(&self) -> Result<ResetCapabilities> {
        ResetCapabilities::from_element(&self.get_xml(SECURITY_CAPS_PATH).await?)
    }

    /// Reads which security questions are answered (`GET questionConfiguration`).
    pub async fn security_questions(&self) -> Result<SecurityQuestions> {
        SecurityQuestions::from_element(&self.get_xml(questions::CONFIG_PATH).await?)
    }

    /// Reads the reserved e-mail address (`GET /ISAPI/Security/email/parameter?format=json`).
    pub async fn security_email(&self) -> Result<SecurityEmail> {
        Ok(SecurityEmail::from_json(
            &self.get_json(email::PARAMETER_PATH).await?,
        ))
    }

    /// Gathers every recovery fact ISAPI can give. Without credentials (or with rejected ones)
    /// only the pre-login capabilities are read; after a credential failure no further
    /// authenticated request is sent. Unreadable facts are left unknown and listed in
    /// [`RecoveryFacts::gaps`]; only an unreachable device is an error.
    ///
    /// SADP facts and whether a GUID file is at hand are the caller's to add
    /// ([`RecoveryFacts::with_sadp`], [`RecoveryFacts::with_guid_file_on_hand`]).
    pub async fn recovery_facts(&self) -> Result<RecoveryFacts> {
        let mut f = RecoveryFacts::default();
        match self.extern_security_capabilities().await {
            Ok(c) => f.extern_caps = Some(c),
            Err(e) if unreachable(&e) => return Err(e),
            Err(e) => f.gaps.push(gap("reset capabilities", &e)),
        }
        if self.user().is_none() {
            f.gaps
                .push("no credentials: only what the device shows before login was read".into());
            return Ok(f);
        }
        match self.device_info().await {
            Ok(info) => {
                f.password_known = Some(true);
                f.device = DeviceSummary {
                    serial: info.serial_number,
                    model: info.model,
                    device_type: info.device_type,
                    firmware: info.firmware_version,
                };
            }
            Err(e) if unreachable(&e) => return Err(e),
            Err(e) if e.is_auth() => {
                f.password_known = Some(false);
                f.gaps.push(gap("login", &e));
                return Ok(f);
            }
            Err(e) => f.gaps.push(gap("device information", &e)),
        }
        match self.reset_capabilities().await {
            Ok(c) => f.security_caps = Some(c),
            Err(e) if unreachable(&e) => return Err(e),
            Err(e) => f.gaps.push(gap("security capabilities", &e)),
        }
        let caps = f.security_caps.clone().unwrap_or_default();
        if caps.security_question_config != Some(false) {
            match self.security_questions().await {
                Ok(q) => f.questions_configured = Some(q.configured_count() > 0),
                Err(e) if unreachable(&e) => return Err(e),
                Err(e) => f.gaps.push(gap("security questions", &e)),
            }
        }
        if caps.security_email != Some(false) {
            match self.security_email().await {
                Ok(m) => f.email_configured = Some(m.address.is_some()),
                Err(e) if unreachable(&e) => return Err(e),
                Err(e) => f.gaps.push(gap("reserved e-mail", &e)),
            }
        }
        match self.get_xml(EZVIZ_PATH).await {
            Ok(ez) => {
                f.hik_connect_enabled = ez.bool_at("enabled");
                f.hik_connect_bound = ez.text_at("bindStatus").and_then(|s| match s.trim() {
                    "bind" => Some(true),
                    "unbind" => Some(false),
                    _ => None,
                });
            }
            Err(e) if unreachable(&e) => return Err(e),
            Err(e) => f.gaps.push(gap("Hik-Connect settings", &e)),
        }
        Ok(f)
    }

    /// The recovery plan from the ISAPI facts ([`Self::recovery_facts`] then
    /// [`RecoveryPlan::from_facts`]). To include SADP facts, gather, add, then plan yourself.
    pub async fn recovery_plan(&self) -> Result<RecoveryPlan> {
        Ok(RecoveryPlan::from_facts(&self.recovery_facts().await?))
    }

    /// Sets the three security questions (`PUT questionConfiguration`), as the admin this
    /// handle logs in as: the device wants the admin password repeated in the request, and
    /// answers and password are `security=1`-encrypted where the device supports it.
    /// Answers are checked first (three, distinct ids, within the device's length limit).
    pub async fn set_security_questions(
        &self,
        answers: &[QuestionAnswer],
    ) -> Result<ResponseStatus> {
        let creds = self.admin_credentials()?;
        let limit = self
            .reset_capabilities()
            .await
            .ok()
            .and_then(|c| c.answer_len);
        questions::validate_answers(answers, limit, Some(questions::QUESTION_COUNT))?;
        let current = self.get_xml(questions::CONFIG_PATH).await?;
        let prot = self
            .field_protection(&creds, "setting the security questions")
            .await?;
        let encode = |s: &str| prot.encode(s);
        let body =
            questions::configuration_body(answers, &creds.password, &encode, current.namespace());
        self.put_xml(&prot.path(questions::CONFIG_PATH), &body)
            .await
    }

    /// Sets the reserved e-mail address (`PUT /ISAPI/Security/email/parameter?format=json`), as
    /// the admin this handle logs in as (the admin password is repeated in the request). The
    /// address is checked first against the device's length limit (from its capabilities when
    /// offered).
    pub async fn set_security_email(&self, address: &str) -> Result<ResponseStatus> {
        let creds = self.admin_credentials()?;
        let address = address.trim();
        let limit = self
            .get_json(email::PARAMETER_CAPS_PATH)
            .await
            .ok()
            .and_then(|v| email::address_limit_from_caps(&v));
        email::validate_address(address, limit)?;
        let prot = self
            .field_protection(&creds, "setting the reserved e-mail address")
            .await?;
        let body = SecurityEmail::set_body(address, &prot.encode(creds.password.expose()));
        self.request(Request::put(&prot.path(email::PARAMETER_PATH)).json(&body))
            .await?
            .status()
    }

    /// Exports the GUID file (`PUT /ISAPI/Security/GUIDFileData`, with the admin password this
    /// handle logs in with) and writes it, with its sidecar, to exactly `path` (owner-only,
    /// atomically). Keep the file safe: it resets the device's password.
    pub async fn export_guid_file(&self, path: &Path) -> Result<GuidFile> {
        let creds = self.admin_credentials()?;
        let serial = match self.device_info().await {
            Ok(info) => info.serial_number,
            Err(e) if e.is_auth() || unreachable(&e) => return Err(e),
            Err(_) => None,
        };
        let prot = self
            .field_protection(&creds, "exporting the GUID file")
            .await?;
        let body = guid::export_body(&prot.encode(creds.password.expose()));
        let resp = self
            .request(Request::put(&prot.path(guid::EXPORT_PATH)).xml(&body))
            .await?;
        let mut file = GuidFile::from_export(guid::file_from_export_answer(&resp.body)?, "isapi")?;
        file.save(path, serial.as_deref(), SystemTime::now())?;
        Ok(file)
    }

    /// Resets the admin password by answering the security questions
    /// (`PUT /ISAPI/Security/questionCertification`, no credentials needed).
    ///
    /// The new password is checked against the device policy first. A refusal is an error;
    /// [`ResetRefusal::classify`](crate::reset::ResetRefusal::classify) with
    /// [`ResetMethod::SecurityQuestions`] tells a wrong answer (with attempts left) from a lock.
    ///
    /// The secrets go only inside TLS or after [`Device::allow_plaintext_secrets`] (the field
    /// cipher needs the lost password); otherwise nothing is sent and the call is refused.
    pub async fn reset_with_security_answers(
        &self,
        answers: &[QuestionAnswer],
        new: &NewPassword,
    ) -> Result<ResetOutcome> {
        new.check()?;
        questions::validate_answers(answers, None, None)?;
        self.secret_carrier("resetting the password with security answers", false)?;
        let body =
            questions::certification_body(answers, &new.password, new.sync_camera_passwords, None);
        let req = Request::put(questions::CERTIFICATION_PATH)
            .xml(&body)
            .without_auth();
        self.finish_reset(ResetMethod::SecurityQuestions, req, new)
            .await
    }

    /// Resets the admin password with a GUID file exported earlier (no credentials needed).
    ///
    /// Load the file with [`GuidFile::load`], which refuses a file made for another device.
    ///
    /// The secrets go only inside TLS or after [`Device::allow_plaintext_secrets`] (the field
    /// cipher needs the lost password); otherwise nothing is sent and the call is refused.
    pub async fn reset_with_guid_file(
        &self,
        file: &GuidFile,
        new: &NewPassword,
    ) -> Result<ResetOutcome> {
        new.check()?;
        self.secret_carrier("resetting the password with a GUID file", false)?;
        let body = guid::certification_body(
            file.as_bytes(),
            &new.password,
            new.sync_camera_passwords,
            None,
        );
        let req = Request::put(guid::CERTIFICATION_PATH)
            .xml(&body)
            .without_auth();
        self.finish_reset(ResetMethod::GuidFile, req, new).await
    }

    /// Gets the e-mail route's QR payload (`GET /ISAPI/Security/email/qrCode?format=json`, no
    /// credentials needed). Mail it (rendered as a QR code) to the vendor's service address;
    /// save it with [`QrPayloadFile::save`](crate::reset::files::QrPayloadFile::save).
    pub async fn email_reset_qr(&self) -> Result<ResetQrPayload> {
        let v = self
            .request(Request::get(email::QR_PATH).without_auth())
            .await?
            .json()?;
        ResetQrPayload::from_json(QrKind::Email, &v)
    }

    /// Resets the admin password with the code mailed to the reserved address
    /// (`PUT /ISAPI/Security/emailCertification?format=json`, no credentials needed).
    ///
    /// The secrets go only inside TLS or after [`Device::allow_plaintext_secrets`] (the field
    /// cipher needs the lost password); otherwise nothing is sent and the call is refused.
    pub async fn reset_with_email_code(
        &self,
        code: &ResetCode,
        new: &NewPassword,
    ) -> Result<ResetOutcome> {
        new.check()?;
        self.secret_carrier("resetting the password with a mailed code", false)?;
        let body = email::email_reset_body(code.secret(), &new.password, new.sync_camera_passwords);
        let req = Request::put(email::CERTIFICATION_PATH)
            .json(&body)
            .without_auth();
        self.finish_reset(ResetMethod::ReservedEmail, req, new)
            .await
    }

    /// Gets the QR payload to scan with the Hik-Connect app of the bound account (no
    /// credentials needed).
    pub async fn app_reset_qr(&self) -> Result<ResetQrPayload> {
        let v = self
            .request(Request::get(phone::QR_PATH).without_auth())
            .await?
            .json()?;
        ResetQrPayload::from_json(QrKind::HikConnectApp, &v)
    }

    /// Resets the admin password with the code the Hik-Connect app showed (no credentials
    /// needed).
    ///
    /// The secrets go only inside TLS or after [`Device::allow_plaintext_secrets`] (the field
    /// cipher needs the lost password); otherwise nothing is sent and the call is refused.
    pub async fn reset_with_app_code(
        &self,
        code: &ResetCode,
        new: &NewPassword,
    ) -> Result<ResetOutcome> {
        new.check()?;
        self.secret_carrier("resetting the password with an app code", false)?;
        let body = phone::reset_body(code.secret(), &new.password, new.sync_camera_passwords);
        let req = Request::put(phone::RESET_PATH).json(&body).without_auth();
        self.finish_reset(ResetMethod::HikConnectApp, req, new)
            .await
    }

    /// Sends a reset request; when the route's format is inferred and the device's refusal
    /// suggests the request is wrong, the error says so (see [`provenance::annotate`]).
    async fn finish_reset(
        &self,
        method: ResetMethod,
        req: Request,
        new: &NewPassword,
    ) -> Result<ResetOutcome> {
        let id = match method {
            ResetMethod::SecurityQuestions => "isapi.reset_with_security_answers",
            ResetMethod::GuidFile => "isapi.reset_with_guid_file",
            ResetMethod::ReservedEmail => "isapi.reset_with_email_code",
            ResetMethod::HikConnectApp => "isapi.reset_with_app_code",
            _ => "",
        };
        let status = self
            .request(req)
            .await
            .and_then(|r| r.status())
            .map_err(|e| provenance::annotate(id, e))?;
        Ok(ResetOutcome::new(method, status, new.sync_camera_passwords))
    }

    /// Restores factory settings (`PUT /ISAPI/System/factoryReset?mode=…`; needs credentials).
    ///
    /// [`FactoryResetMode::Basic`] keeps network and user settings; [`FactoryResetMode::Full`]
    /// restores everything, and the device must then be activated again.
    pub async fn factory_reset(&self, mode: &FactoryResetMode) -> Result<ResponseStatus> {
        self.request(Request::put(&mode.path())).await?.status()
    }

    /// Reboots the device (`PUT /ISAPI/System/reboot`; needs credentials). The device is
    /// unreachable for a while afterwards. Rebooting invalidates an exported key file and a
    /// mailed reset code.
    pub async fn reboot(&self) -> Result<ResponseStatus> {
        self.request(Request::put(REBOOT_PATH)).await?.status()
    }
}
