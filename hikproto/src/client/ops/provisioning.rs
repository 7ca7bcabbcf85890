//! Capabilities, the `security=1` field key, and activation.

use crate::auth::field_cipher::{DEFAULT_KEY_ITERATIONS, FieldCipher, FieldKey, KeyParams};
use crate::client::{Device, Request};
use crate::crypto::activation::{ActivationFlow, ActivationKey};
use crate::error::{Error, Result};
use crate::isapi::activation::{
    self, ActivateStatus, ActivationReport, activate_info, challenge_key, public_key_document,
    v3_activate_request, v3_challenge, v3_challenge_request,
};
use crate::isapi::capabilities::{self, DeviceCap, SecurityCap};
use crate::isapi::status::ResponseStatus;
use crate::isapi::user_check;
use crate::keys::{Credentials, Password, PasswordPolicy, Secret};
use crate::xml::{Element, FromXml};

/// The session-login challenge document, read for the field-key salt.
const SESSION_CAP_PATH: &str = "/ISAPI/Security/sessionLogin/capabilities";

/// The user activation creates.
const ADMIN: &str = "admin";

fn sub_status(e: &Error) -> Option<&str> {
    e.response_status().map(|s| s.sub_status_code.as_str())
}

fn risky_warning(st: &ResponseStatus) -> bool {
    st.sub_status_code == "riskPassword"
}

impl Device {
    /// Reads `GET /ISAPI/System/capabilities`.
    pub async fn capabilities(&self) -> Result<DeviceCap> {
        self.get(capabilities::PATH).await
    }

    /// Reads `SecurityCap` from the device capabilities, or from `/ISAPI/Security/capabilities`
    /// when the device document has none.
    pub async fn security_capabilities(&self) -> Result<SecurityCap> {
        match self.capabilities().await {
            Ok(DeviceCap {
                security: Some(s), ..
            }) => Ok(s),
            Ok(_) | Err(Error::NotSupported { .. }) => self.get(capabilities::SECURITY_PATH).await,
            Err(e) => Err(e),
        }
    }

    /// The `security=1` field key for the logged-in user, or `None` when the device does not
    /// offer field encryption.
    ///
    /// Reads `SecurityCap` (`securityVersion`, `keyIterateNum`, `isIrreversible`, `salt`) and the
    /// session-login capabilities for this user (their `isIrreversible` and `salt` win). A device
    /// offering only securityVersion 2 or higher gives [`Error::NotSupported`]: that key
    /// derivation is not public.
    pub async fn field_key(&self) -> Result<Option<FieldKey>> {
        let creds = self.require_credentials("security=1 field encryption")?;
        let sec = match self.security_capabilities().await {
            Ok(s) => s,
            Err(Error::NotSupported { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if !sec.supports_field_encryption() {
            if sec.security_versions.is_empty() {
                return Ok(None);
            }
            return Err(Error::not_supported(format!(
                "security=1 field encryption version(s) {:?}; only version 1 is implemented",
                sec.security_versions
            )));
        }
        let mut params = KeyParams {
            irreversible: sec.is_irreversible.unwrap_or(false),
            salt: sec.salt.clone(),
            iterations: sec.key_iterate_num.unwrap_or(DEFAULT_KEY_ITERATIONS),
        };
        if let Some(session) = self.session_login_capabilities(&creds.user).await? {
            if let Some(irr) = session.bool_at("isIrreversible") {
                params.irreversible = irr;
                if let Some(salt) = session.string_at("salt") {
                    params.salt = Some(salt);
                }
            }
        }
        FieldKey::derive(&creds.user, &creds.password, &params).map(Some)
    }

    /// A cipher with a fresh IV for one `security=1` request, or `None` when the device does not
    /// offer field encryption.
    pub async fn field_cipher(&self) -> Result<Option<FieldCipher>> {
        Ok(self.field_key().await?.map(|k| k.cipher_random_iv()))
    }

    /// `GET /ISAPI/Security/sessionLogin/capabilities?username=…` without credentials; `None`
    /// when the device does not serve it.
    async fn session_login_capabilities(&self, user: &str) -> Result<Option<Element>> {
        let path = format!("{SESSION_CAP_PATH}?username={}", super::query_escape(user));
        match self.request(Request::get(&path).without_auth()).await {
            Ok(resp) => Ok(resp.xml().ok()),
            // the device is unreachable: the real request would fail as well
            Err(e @ (Error::Transport { .. } | Error::Timeout { .. } | Error::Tls { .. })) => {
                Err(e)
            }
            // not served, refused, or not decodable: fall back to SecurityCap
            Err(_) => Ok(None),
        }
    }

    /// Reads `GET /SDK/activateStatus` (no credentials needed).
    ///
    /// A `notActivated` refusal also counts as "not activated".
    pub async fn activation_status(&self) -> Result<ActivateStatus> {
        let resp = match self
            .request(Request::get(activation::STATUS_PATH).without_auth())
            .await
        {
            Ok(r) => r,
            Err(Error::NotActivated) => {
                return Ok(ActivateStatus {
                    activated: false,
                    support_version: None,
                });
            }
            Err(e) => return Err(e),
        };
        let first = resp.body.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            ActivateStatus::from_json(&resp.json()?)
        } else {
            ActivateStatus::from_xml(&resp.body)
        }
    }

    /// Activates a factory-state device with `password` as the admin password.
    ///
    /// The password policy is checked locally for user `admin` before anything is sent. The
    /// flow (legacy or V3) follows `supportVersion`; one RSA key is generated per activation (on
    /// a blocking thread). Afterwards the status is read again and exactly **one** login is made
    /// with the new password (`GET /ISAPI/Security/userCheck`); this handle then uses
    /// `admin` + `password`.
    ///
    /// Errors: [`Error::AlreadyActivated`] when the device has an admin password;
    /// [`Error::InvalidInput`] for a password that breaks the policy; a `riskPassword` refusal
    /// as [`Error::Device`] ([`Error::is_risky_password`]).
    pub async fn activate(&self, password: &Password) -> Result<ActivationReport> {
        let check = PasswordPolicy::standard().check(ADMIN, password.expose());
        if !check.is_acceptable() {
            return Err(Error::invalid(format!(
                "the admin password breaks the device password policy: {}",
                check.explain()
            )));
        }
        let status = self.activation_status().await?;
        if status.activated {
            return Err(Error::AlreadyActivated);
        }
        let flow = status.flow();
        let key = tokio::task::spawn_blocking(move || ActivationKey::for_flow(flow))
            .await
            .map_err(|_| Error::invalid("RSA key generation was interrupted"))??;
        let (risky_password_warning, wrapped) = match flow {
            ActivationFlow::Legacy => self.activate_legacy(&key, password.secret()).await?,
            ActivationFlow::V3 => (self.activate_v3(&key, password.secret()).await?, false),
        };
        if !self.activation_status().await?.activated {
            return Err(Error::NotActivated);
        }
        self.inner
            .set_credentials(Some(Credentials::new(ADMIN, password.secret().clone())));
        self.request(Request::get(user_check::PATH)).await?;
        Ok(ActivationReport {
            flow,
            risky_password_warning,
            wrapped,
        })
    }

    async fn activate_legacy(
        &self,
        key: &ActivationKey,
        password: &Secret,
    ) -> Result<(bool, bool)> {
        let request = public_key_document(&key.public_key_field(), None);
        let mut wrapped = false;
        loop {
            let answer = self
                .request(
                    Request::post(activation::CHALLENGE_PATH)
                        .xml(&request)
                        .without_auth(),
                )
                .await?
                .xml()?;
            let secret = key.decrypt_challenge(&challenge_key(&answer)?)?;
            let body = activate_info(&secret.encrypt_password_legacy(password)?, None, wrapped);
            let result = self
                .request(
                    Request::put(activation::ACTIVATE_PATH)
                        .xml(&body)
                        .without_auth(),
                )
                .await
                .and_then(|r| r.status());
            match result {
                Ok(st) => return Ok((risky_warning(&st), wrapped)),
                Err(e) if !wrapped && sub_status(&e) == Some("MessageParametersLack") => {
                    wrapped = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn activate_v3(&self, key: &ActivationKey, password: &Secret) -> Result<bool> {
        let answer = self
            .request(
                Request::post(activation::V3_CHALLENGE_PATH)
                    .json(&v3_challenge_request(&key.public_key_field()))
                    .without_auth(),
            )
            .await?
            .json()?;
        let secret = key.decrypt_challenge(&v3_challenge(&answer)?)?;
        let (enc, iv) = secret.encrypt_password_v3(password)?;
        let st = self
            .request(
                Request::post(activation::V3_ACTIVATE_PATH)
                    .json(&v3_activate_request(&enc, &iv))
                    .without_auth(),
            )
            .await?
            .status()?;
        Ok(risky_warning(&st))
    }
}
