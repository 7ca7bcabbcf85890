//! Every SADP command as a typed method of [`SadpClient`].
//!
//! Password-bearing commands run `exchangecode` first and seal each secret field with the session
//! key ([`crate::crypto::sadp`]). Arguments are checked before anything is sent
//! ([`Error::InvalidInput`]); the device's refusals come back typed (see [`super::codes`]):
//! wrong password → [`Error::CredentialsRejected`] with attempts left, lock →
//! [`Error::Locked`] with the time left, risky password → [`Error::Device`] whose
//! [`super::SadpErrorCode::from_error`] is [`super::SadpErrorCode::RiskPassword`] (2020).
//!
//! A secret SADP 3.0 cannot seal — a reset code to a device without `codeEncrypt`, the legacy
//! security code, a GUID — is sent only by a handle that opted in
//! ([`SadpClient::allow_plaintext_secrets`]); otherwise the command is refused before anything
//! is sent.
//!
//! In reset commands the `new_password` is the password the device will have afterwards; in the
//! others `password` is the current admin password that authorises the change.
//!
//! Every command carrying a password, answers, a code or a GUID goes through the lock-out guard
//! (per device MAC and user; see [`crate::LockoutGuard`]): a refused secret is never sent to that
//! device again ([`Error::CredentialLatched`]), and concurrent commands with one unverified
//! secret send it once.

use crate::crypto::sadp::{SessionKey, salted_password};
use crate::error::{Error, Result};
use crate::keys::Secret;

use super::args::{
    GuidFile, check_answers, check_code, check_email, check_new_password, check_password,
    check_reset_password, check_verification_code, code_field, question_fields,
};
use super::client::{DeviceTarget, SadpClient};
use super::latch::Judged;
use super::probe::{NetworkParams, Probe};
use super::reply::{
    MailResetQr, PasswordResetTypes, PhoneResetQr, Reply, SecurityQuestion, UnbindStatus,
    security_questions,
};
use super::types::ProbeType;

impl SadpClient {
    /// Runs `exchangecode`, builds the command with the session key, sends it once and checks
    /// the reply.
    async fn sealed(
        &self,
        t: &DeviceTarget,
        build: impl FnOnce(&SessionKey) -> Result<Probe>,
    ) -> Result<Reply> {
        self.with_session(t.mac, async {
            let key = self.exchange_code(t).await?;
            let probe = build(&key)?;
            drop(key);
            self.exchange(t, &probe, false).await?.check(&t.user)
        })
        .await
    }

    /// A command carrying one sealed secret (the admin password that authorises it, or a reset's
    /// new password): `secret` is checked with `check`, sealed, and handed to `build` (with the
    /// session key) to make the probe.
    async fn sealing(
        &self,
        t: &DeviceTarget,
        secret: &Secret,
        check: impl FnOnce(&Secret) -> Result<()>,
        build: impl FnOnce(&SessionKey, &str) -> Result<Probe>,
    ) -> Result<Reply> {
        check(secret)?;
        self.sealed(t, |k| build(k, &k.seal(secret.expose())?))
            .await
    }

    /// A reset with a code (support's reply, a mailed code, the app's code): `build` gets the
    /// sealed new password, the code field and whether that field is encrypted.
    async fn code_reset(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        new_password: &Secret,
        build: impl FnOnce(&str, &str, bool) -> Probe,
    ) -> Result<()> {
        check_code(code)?;
        check_reset_password(&t.user, new_password)?;
        if !t.code_encrypt {
            self.clear_secret(
                "the reset code",
                "this device does not advertise codeEncrypt, so SADP cannot seal the code; \
                 use the ISAPI route over HTTPS",
            )?;
        }
        let run = self.sealing(
            t,
            new_password,
            |p| check_reset_password(&t.user, p),
            |k, pw| {
                let (c, enc) = code_field(k, code, t.code_encrypt)?;
                Ok(build(pw, &c, enc))
            },
        );
        self.latched(t, Judged::Code(code), run).await.map(drop)
    }

    /// A command authorised by the admin `password` (latched by the lock-out guard).
    async fn authorised(
        &self,
        t: &DeviceTarget,
        password: &Secret,
        build: impl FnOnce(&SessionKey, &str) -> Result<Probe>,
    ) -> Result<Reply> {
        check_password(password)?;
        let run = self.sealing(t, password, check_password, build);
        self.latched(t, Judged::Password(password), run).await
    }

    /// A MAC-only query, checked.
    async fn query(&self, t: &DeviceTarget, types: ProbeType) -> Result<Reply> {
        self.request(t, &Probe::query(types, t.mac))
            .await?
            .check(&t.user)
    }

    /// `activate`: sets the first admin password of an inactive device.
    ///
    /// A weak password is refused by the device with `riskPassword` (SADP error 2020).
    pub async fn activate(&self, t: &DeviceTarget, new_password: &Secret) -> Result<()> {
        check_new_password(new_password)?;
        self.sealed(t, |k| {
            Ok(Probe::activate(t.mac, &k.seal(new_password.expose())?))
        })
        .await
        .map(drop)
    }

    /// `update`: changes the network parameters. Uses the salted password form when the target
    /// has a `Salt` (no exchange needed), else an `exchangecode`-sealed password (an inference:
    /// the unsalted form is not documented by a working public source).
    pub async fn update_network(
        &self,
        t: &DeviceTarget,
        params: &NetworkParams,
        password: &Secret,
    ) -> Result<()> {
        check_password(password)?;
        let run = async {
            match &t.salt {
                Some(salt) => {
                    let pw = salted_password(&t.user, salt, password.expose());
                    let probe = Probe::update(t.mac, params, &pw, true);
                    self.exchange(t, &probe, false).await?.check(&t.user)
                }
                None => {
                    self.sealed(t, |k| {
                        Ok(Probe::update(
                            t.mac,
                            params,
                            &k.seal(password.expose())?,
                            false,
                        ))
                    })
                    .await
                }
            }
        };
        self.latched(t, Judged::Password(password), run)
            .await
            .map(drop)
    }

    /// `getcode`: the legacy "device code" (base64 "SafeCode") a user sends to support.
    /// hikproto reads it; it never computes reset codes.
    pub async fn device_code(&self, t: &DeviceTarget) -> Result<String> {
        let r = self.query(t, ProbeType::GetCode).await?;
        Ok(r.required("Code")?.to_owned())
    }

    /// `getencryptstring`: the "encrypted string" of the export-file reset, to send to support.
    /// Requesting a new one invalidates earlier ones; it expires after 24–48 h or a reboot.
    pub async fn encrypt_string(&self, t: &DeviceTarget) -> Result<String> {
        let r = self.query(t, ProbeType::GetEncryptString).await?;
        match r.text("EncryptString") {
            Some(s) => Ok(s.to_owned()),
            None => Err(super::codes::command_error(
                &ProbeType::GetEncryptString,
                &super::codes::CommandResult::EmptyEncryptString,
                r.lock,
                &t.user,
            )),
        }
    }

    /// `reset` with the support desk's reply (the reply file's content, or the typed key) and a
    /// new password. `sync_ipc` asks an NVR to push the new password to its cameras.
    ///
    /// The code is sealed when the device advertises `codeEncrypt`; otherwise it would travel
    /// in clear and the reset is refused unless the handle opted in
    /// ([`SadpClient::allow_plaintext_secrets`]). The same holds for the e-mail and app codes.
    pub async fn reset_with_code(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        new_password: &Secret,
        sync_ipc: bool,
    ) -> Result<()> {
        self.code_reset(t, code, new_password, |pw, c, enc| {
            Probe::reset(t.mac, pw, sync_ipc, c, enc)
        })
        .await
    }

    /// Legacy `reset` with a security code only: restores the factory password. Obsolete
    /// firmware only; hikproto does not generate such codes.
    ///
    /// The legacy form carries the code in clear: refused unless the handle opted in
    /// ([`SadpClient::allow_plaintext_secrets`]).
    pub async fn reset_legacy(&self, t: &DeviceTarget, code: &Secret) -> Result<()> {
        check_code(code)?;
        self.clear_secret("the security code", "the legacy reset has no sealed form")?;
        let probe = Probe::reset_legacy(t.mac, code.expose().trim());
        let run = async { self.exchange(t, &probe, false).await?.check(&t.user) };
        self.latched(t, Judged::Code(code), run).await.map(drop)
    }

    /// `ExportGUID`: exports the GUID reset token (authorised by the admin password).
    pub async fn export_guid(&self, t: &DeviceTarget, password: &Secret) -> Result<GuidFile> {
        let r = self
            .authorised(t, password, |_, pw| {
                Ok(Probe::with_password(ProbeType::ExportGuid, t.mac, pw))
            })
            .await?;
        Ok(GuidFile::new(r.required("GUID")?))
    }

    /// `GUIDReset`: resets the password with a previously exported GUID.
    ///
    /// SADP 3.0 carries the GUID in clear (the new password is sealed): refused unless the
    /// handle opted in ([`SadpClient::allow_plaintext_secrets`]).
    pub async fn reset_by_guid(
        &self,
        t: &DeviceTarget,
        guid: &GuidFile,
        new_password: &Secret,
        sync_ipc: bool,
    ) -> Result<()> {
        if guid.token().is_empty() {
            return Err(Error::invalid("the GUID is empty"));
        }
        check_reset_password(&t.user, new_password)?;
        self.clear_secret(
            "the GUID",
            "SADP 3.0 carries the GUID unsealed; use the ISAPI GUID reset over HTTPS",
        )?;
        let run = self.sealing(
            t,
            new_password,
            |p| check_reset_password(&t.user, p),
            |_, pw| {
                Ok(Probe::guid_reset(
                    t.mac,
                    guid.token().expose().trim(),
                    pw,
                    sync_ipc,
                ))
            },
        );
        self.latched(t, Judged::Guid(guid.token()), run)
            .await
            .map(drop)
    }

    /// `getsecurityquestion`: which question IDs are set.
    pub async fn security_questions(&self, t: &DeviceTarget) -> Result<Vec<SecurityQuestion>> {
        Ok(security_questions(
            &self.query(t, ProbeType::GetSecurityQuestion).await?,
        ))
    }

    /// `setsecurityquestion`: sets exactly three questions (ID, answer).
    pub async fn set_security_questions(
        &self,
        t: &DeviceTarget,
        answers: &[(u32, Secret)],
        password: &Secret,
    ) -> Result<()> {
        check_answers(answers, true)?;
        self.authorised(t, password, |k, pw| {
            Ok(Probe::set_security_questions(
                t.mac,
                &question_fields(k, answers, true)?,
                pw,
            ))
        })
        .await
        .map(drop)
    }

    /// `AnswerReset`: resets the password by answering the security questions.
    pub async fn reset_by_answers(
        &self,
        t: &DeviceTarget,
        answers: &[(u32, Secret)],
        new_password: &Secret,
        sync_ipc: bool,
    ) -> Result<()> {
        check_answers(answers, false)?;
        check_reset_password(&t.user, new_password)?;
        let run = self.sealing(
            t,
            new_password,
            |p| check_reset_password(&t.user, p),
            |k, pw| {
                Ok(Probe::answer_reset(
                    t.mac,
                    &question_fields(k, answers, false)?,
                    pw,
                    sync_ipc,
                ))
            },
        );
        self.latched(t, Judged::Answers(answers), run)
            .await
            .map(drop)
    }

    /// `SetMailBox`: sets the reserved e-mail for the e-mail reset (sealed like the password; the
    /// SDK documents the element as base64, which the sealed form is).
    pub async fn set_mailbox(
        &self,
        t: &DeviceTarget,
        email: &str,
        password: &Secret,
    ) -> Result<()> {
        check_email(email)?;
        self.authorised(t, password, |k, pw| {
            Ok(Probe::set_mailbox(t.mac, &k.seal(email)?, pw))
        })
        .await
        .map(drop)
    }

    /// `GetQRcodes`: the QR payload to e-mail to the service mailbox for the e-mail reset.
    pub async fn mail_reset_qr(&self, t: &DeviceTarget) -> Result<MailResetQr> {
        MailResetQr::from_reply(&self.query(t, ProbeType::GetQrCodes).await?)
    }

    /// `MailReset`: resets the password with the code received at the reserved e-mail.
    pub async fn reset_by_mail_code(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        new_password: &Secret,
        sync_ipc: bool,
    ) -> Result<()> {
        self.code_reset(t, code, new_password, |pw, c, enc| {
            Probe::mail_reset(t.mac, pw, sync_ipc, c, enc)
        })
        .await
    }

    /// `GetPhoneNoQRCode`: the QR payload to scan with the Hik-Connect app.
    pub async fn phone_reset_qr(&self, t: &DeviceTarget) -> Result<PhoneResetQr> {
        PhoneResetQr::from_reply(&self.query(t, ProbeType::GetPhoneNoQrCode).await?)
    }

    /// `PhoneNoReset`: resets the password with the code the Hik-Connect app showed (3.0 form
    /// inferred from `MailReset`, unverified on real firmware; see [`Probe::phone_reset`]). A
    /// generic failure says that the request format is inferred.
    pub async fn reset_by_phone_code(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        new_password: &Secret,
    ) -> Result<()> {
        self.code_reset(t, code, new_password, |pw, c, enc| {
            Probe::phone_reset(t.mac, pw, c, enc)
        })
        .await
        .map_err(|e| crate::provenance::annotate("sadp.reset_by_phone_code", e))
    }

    /// `getPasswordResetType`: which reset methods are configured.
    pub async fn password_reset_types(&self, t: &DeviceTarget) -> Result<PasswordResetTypes> {
        Ok(PasswordResetTypes::from_reply(
            &self.query(t, ProbeType::GetPasswordResetType).await?,
        ))
    }

    /// `SetHCPlatform`: enables or disables Hik-Connect platform access.
    pub async fn set_hc_platform(
        &self,
        t: &DeviceTarget,
        enable: bool,
        password: &Secret,
    ) -> Result<()> {
        self.authorised(t, password, |_, pw| {
            Ok(Probe::set_hc_platform(t.mac, enable, pw))
        })
        .await
        .map(drop)
    }

    /// `SetVerificationCode`: sets the Hik-Connect verification code (6–12 characters).
    pub async fn set_verification_code(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        password: &Secret,
    ) -> Result<()> {
        check_verification_code(code)?;
        self.authorised(t, password, |k, pw| {
            Ok(Probe::set_verification_code(
                t.mac,
                &k.seal(code.expose())?,
                pw,
            ))
        })
        .await
        .map(drop)
    }

    /// `ezvizUnbind`: releases the device from its Hik-Connect account (check the outcome with
    /// [`Self::unbind_status`]).
    pub async fn unbind_hik_connect(&self, t: &DeviceTarget, password: &Secret) -> Result<()> {
        self.authorised(t, password, |_, pw| {
            Ok(Probe::with_password(ProbeType::EzvizUnbind, t.mac, pw))
        })
        .await
        .map(drop)
    }

    /// `getUnbindStatus`: the outcome of the last unbind. Its status tokens are not failures, so
    /// only a lock or "not activated" becomes an error here.
    pub async fn unbind_status(&self, t: &DeviceTarget) -> Result<UnbindStatus> {
        let r = self
            .request(t, &Probe::query(ProbeType::GetUnbindStatus, t.mac))
            .await?;
        if let Some(res) = &r.result {
            use super::codes::CommandResult as R;
            if matches!(
                res,
                R::Locked | R::NotActivated | R::PasswordError | R::Denied
            ) {
                return r.check(&t.user).map(|_| UnbindStatus::Other(String::new()));
            }
        }
        Ok(UnbindStatus::from_reply(&r))
    }

    /// `restoreInactive`: returns the device to "not activated" (it then needs [`Self::activate`]).
    pub async fn restore_inactive(&self, t: &DeviceTarget, password: &Secret) -> Result<()> {
        self.authorised(t, password, |_, pw| {
            Ok(Probe::with_password(ProbeType::RestoreInactive, t.mac, pw))
        })
        .await
        .map(drop)
    }

    /// `lamp`: switches the locator LED on (blinking) or off, to find the device in a rack.
    pub async fn blink(&self, t: &DeviceTarget, on: bool) -> Result<()> {
        self.request(t, &Probe::lamp(t.mac, on))
            .await?
            .check(&t.user)
            .map(drop)
    }
}
