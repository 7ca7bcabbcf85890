//! Every SADP command as a typed method of [`SadpClient`].
//!
//! Password-bearing commands run `exchangecode` first and seal each secret field with the session
//! key ([`crate::crypto::sadp`]). Arguments are checked before anything is sent
//! ([`Error::InvalidInput`]); the device's refusals come back typed (see [`super::codes`]):
//! wrong password → [`Error::CredentialsRejected`] with attempts left, lock →
//! [`Error::Locked`] with the time left, risky password → [`Error::Device`] whose
//! [`SadpErrorCode::from_error`] is [`SadpErrorCode::RiskPassword`] (2020).
//!
//! In reset commands the `new_password` is the password the device will have afterwards; in the
//! others `password` is the current admin password that authorises the change.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::crypto::sadp::{SessionKey, salted_password};
use crate::error::{Error, Result};
use crate::keys::Secret;

use super::client::{DeviceTarget, SadpClient};
#[allow(unused_imports)] // named in the module docs
use super::codes::SadpErrorCode;
use super::probe::{NetworkParams, Probe, QuestionField};
use super::reply::{
    MailResetQr, PasswordResetTypes, PhoneResetQr, Reply, SecurityQuestion, UnbindStatus,
    security_questions,
};
use super::types::ProbeType;

/// Longest password a protocol-3.0 command carries (`MAX_PASS_LEN`).
pub const MAX_PASSWORD_LEN: usize = 16;

/// Longest security answer (`SADP_MAX_ANSWER_LEN`-class limit; the device answers
/// `LongAnswer`/2025 beyond it).
pub const MAX_ANSWER_LEN: usize = 256;

/// The GUID reset token exported by `ExportGUID`, as the device sent it.
///
/// Whoever holds it can reset the admin password, so it is kept as a [`Secret`]. Its wire form
/// is text (the SDK stores up to 128 bytes for protocol 3.0); [`GuidFile::to_bytes`] decodes it
/// when it is base64.
#[derive(Clone, PartialEq, Eq)]
pub struct GuidFile {
    token: Secret,
}

impl GuidFile {
    /// Wraps a token (from a file written earlier, for instance).
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
        }
    }

    /// The token as sent on the wire.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// The token's bytes: base64-decoded when it is base64, else its UTF-8 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = self.token.expose().trim();
        B64.decode(t).unwrap_or_else(|_| t.as_bytes().to_vec())
    }
}

impl fmt::Debug for GuidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GuidFile([redacted])")
    }
}

fn check_new_password(p: &Secret) -> Result<()> {
    if p.is_empty() {
        return Err(Error::invalid("the new password is empty"));
    }
    if p.len() > MAX_PASSWORD_LEN {
        return Err(Error::invalid(format!(
            "the new password is longer than {MAX_PASSWORD_LEN} bytes, the most SADP 3.0 carries"
        )));
    }
    Ok(())
}

fn check_password(p: &Secret) -> Result<()> {
    if p.is_empty() {
        return Err(Error::invalid("the admin password is empty"));
    }
    Ok(())
}

fn check_answers(answers: &[(u32, Secret)], exactly_three: bool) -> Result<()> {
    if answers.is_empty() || (exactly_three && answers.len() != 3) {
        return Err(Error::invalid(
            "three security questions with answers are needed",
        ));
    }
    for (i, (id, a)) in answers.iter().enumerate() {
        if a.is_empty() || a.len() > MAX_ANSWER_LEN {
            return Err(Error::invalid(format!(
                "the answer to question {id} must be 1 to {MAX_ANSWER_LEN} bytes"
            )));
        }
        if answers[..i].iter().any(|(other, _)| other == id) {
            return Err(Error::invalid(format!("question {id} is listed twice")));
        }
    }
    Ok(())
}

/// Checks a Hik-Connect verification code the way the device documents it: 6 to 12 printable
/// ASCII characters without spaces (the vendor's complexity rule beyond that is not public).
pub fn check_verification_code(code: &Secret) -> Result<()> {
    let c = code.expose();
    if !(6..=12).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "the verification code must be 6 to 12 printable characters without spaces",
        ));
    }
    Ok(())
}

fn check_email(email: &str) -> Result<()> {
    let ok = (3..=128).contains(&email.len())
        && email.contains('@')
        && !email.starts_with('@')
        && !email.ends_with('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("not a usable e-mail address"))
    }
}

fn check_code(code: &Secret) -> Result<()> {
    if code.is_empty() {
        return Err(Error::invalid("the reset code is empty"));
    }
    if code.len() > 16 * 1024 {
        return Err(Error::invalid(
            "the reset code is too long for one datagram",
        ));
    }
    Ok(())
}

/// The `Code` value and whether it is encrypted (`bEncrypt="true"` when the device supports it).
fn code_field(key: &SessionKey, code: &Secret, encrypt: bool) -> Result<(String, bool)> {
    if encrypt {
        Ok((key.seal(code.expose())?, true))
    } else {
        Ok((code.expose().trim().to_owned(), false))
    }
}

fn question_fields(
    key: &SessionKey,
    answers: &[(u32, Secret)],
    mark: bool,
) -> Result<Vec<QuestionField>> {
    answers
        .iter()
        .map(|(id, a)| {
            Ok(QuestionField {
                id: *id,
                answer: Some(key.seal(a.expose())?),
                mark,
            })
        })
        .collect()
}

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
        match &t.salt {
            Some(salt) => {
                let pw = salted_password(&t.user, salt, password.expose());
                let probe = Probe::update(t.mac, params, &pw, true);
                self.exchange(t, &probe, false)
                    .await?
                    .check(&t.user)
                    .map(drop)
            }
            None => self
                .sealed(t, |k| {
                    Ok(Probe::update(
                        t.mac,
                        params,
                        &k.seal(password.expose())?,
                        false,
                    ))
                })
                .await
                .map(drop),
        }
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
    pub async fn reset_with_code(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        new_password: &Secret,
        sync_ipc: bool,
    ) -> Result<()> {
        check_code(code)?;
        check_new_password(new_password)?;
        self.sealed(t, |k| {
            let (c, enc) = code_field(k, code, t.code_encrypt)?;
            Ok(Probe::reset(
                t.mac,
                &k.seal(new_password.expose())?,
                sync_ipc,
                &c,
                enc,
            ))
        })
        .await
        .map(drop)
    }

    /// Legacy `reset` with a security code only: restores the factory password. Obsolete
    /// firmware only; hikproto does not generate such codes.
    pub async fn reset_legacy(&self, t: &DeviceTarget, code: &Secret) -> Result<()> {
        check_code(code)?;
        let probe = Probe::reset_legacy(t.mac, code.expose().trim());
        self.exchange(t, &probe, false)
            .await?
            .check(&t.user)
            .map(drop)
    }

    /// `ExportGUID`: exports the GUID reset token (authorised by the admin password).
    pub async fn export_guid(&self, t: &DeviceTarget, password: &Secret) -> Result<GuidFile> {
        check_password(password)?;
        let r = self
            .sealed(t, |k| {
                Ok(Probe::with_password(
                    ProbeType::ExportGuid,
                    t.mac,
                    &k.seal(password.expose())?,
                ))
            })
            .await?;
        Ok(GuidFile::new(r.required("GUID")?))
    }

    /// `GUIDReset`: resets the password with a previously exported GUID.
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
        check_new_password(new_password)?;
        self.sealed(t, |k| {
            Ok(Probe::guid_reset(
                t.mac,
                guid.token().expose().trim(),
                &k.seal(new_password.expose())?,
                sync_ipc,
            ))
        })
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
        check_password(password)?;
        self.sealed(t, |k| {
            Ok(Probe::set_security_questions(
                t.mac,
                &question_fields(k, answers, true)?,
                &k.seal(password.expose())?,
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
        check_new_password(new_password)?;
        self.sealed(t, |k| {
            Ok(Probe::answer_reset(
                t.mac,
                &question_fields(k, answers, false)?,
                &k.seal(new_password.expose())?,
                sync_ipc,
            ))
        })
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
        check_password(password)?;
        self.sealed(t, |k| {
            Ok(Probe::set_mailbox(
                t.mac,
                &k.seal(email)?,
                &k.seal(password.expose())?,
            ))
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
        check_code(code)?;
        check_new_password(new_password)?;
        self.sealed(t, |k| {
            let (c, enc) = code_field(k, code, t.code_encrypt)?;
            Ok(Probe::mail_reset(
                t.mac,
                &k.seal(new_password.expose())?,
                sync_ipc,
                &c,
                enc,
            ))
        })
        .await
        .map(drop)
    }

    /// `GetPhoneNoQRCode`: the QR payload to scan with the Hik-Connect app.
    pub async fn phone_reset_qr(&self, t: &DeviceTarget) -> Result<PhoneResetQr> {
        PhoneResetQr::from_reply(&self.query(t, ProbeType::GetPhoneNoQrCode).await?)
    }

    /// `PhoneNoReset`: resets the password with the code the Hik-Connect app showed (3.0 form
    /// inferred from `MailReset`; see [`Probe::phone_reset`]).
    pub async fn reset_by_phone_code(
        &self,
        t: &DeviceTarget,
        code: &Secret,
        new_password: &Secret,
    ) -> Result<()> {
        check_code(code)?;
        check_new_password(new_password)?;
        self.sealed(t, |k| {
            let (c, enc) = code_field(k, code, t.code_encrypt)?;
            Ok(Probe::phone_reset(
                t.mac,
                &k.seal(new_password.expose())?,
                &c,
                enc,
            ))
        })
        .await
        .map(drop)
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
        check_password(password)?;
        self.sealed(t, |k| {
            Ok(Probe::set_hc_platform(
                t.mac,
                enable,
                &k.seal(password.expose())?,
            ))
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
        check_password(password)?;
        self.sealed(t, |k| {
            Ok(Probe::set_verification_code(
                t.mac,
                &k.seal(code.expose())?,
                &k.seal(password.expose())?,
            ))
        })
        .await
        .map(drop)
    }

    /// `ezvizUnbind`: releases the device from its Hik-Connect account (check the outcome with
    /// [`Self::unbind_status`]).
    pub async fn unbind_hik_connect(&self, t: &DeviceTarget, password: &Secret) -> Result<()> {
        check_password(password)?;
        self.sealed(t, |k| {
            Ok(Probe::with_password(
                ProbeType::EzvizUnbind,
                t.mac,
                &k.seal(password.expose())?,
            ))
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
        check_password(password)?;
        self.sealed(t, |k| {
            Ok(Probe::with_password(
                ProbeType::RestoreInactive,
                t.mac,
                &k.seal(password.expose())?,
            ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_checks() {
        assert!(check_new_password(&Secret::new("")).is_err());
        assert!(check_new_password(&Secret::new("x".repeat(17))).is_err());
        assert!(check_new_password(&Secret::new("Abcdef12")).is_ok());
        assert!(check_verification_code(&Secret::new("ABCDE")).is_err());
        assert!(check_verification_code(&Secret::new("ABCDEF")).is_ok());
        assert!(check_verification_code(&Secret::new("ABCDEFGHIJKL")).is_ok());
        assert!(check_verification_code(&Secret::new("ABCDEFGHIJKLM")).is_err());
        assert!(check_verification_code(&Secret::new("ABC DEF")).is_err());
        assert!(check_email("user@example.com").is_ok());
        assert!(check_email("user example.com").is_err());
        assert!(check_email("@x").is_err());
        let a = |id: u32, s: &str| (id, Secret::new(s));
        assert!(check_answers(&[a(1, "x"), a(2, "y"), a(3, "z")], true).is_ok());
        assert!(check_answers(&[a(1, "x"), a(2, "y")], true).is_err());
        assert!(check_answers(&[a(1, "x"), a(1, "y"), a(3, "z")], true).is_err());
        assert!(check_answers(&[a(1, "")], false).is_err());
        assert!(check_answers(&[a(1, &"x".repeat(257))], false).is_err());
        // error messages never carry the secret
        let e = check_new_password(&Secret::new("TopSecretButWayTooLong!")).unwrap_err();
        assert!(!e.to_string().contains("TopSecret"));
    }

    #[test]
    fn guid_file_is_secret() {
        let g = GuidFile::new("QUJDRA==");
        assert_eq!(format!("{g:?}"), "GuidFile([redacted])");
        assert_eq!(g.to_bytes(), b"ABCD");
        assert_eq!(GuidFile::new("not base64!").to_bytes(), b"not base64!");
    }
}
