//! Hik-Connect (EZVIZ) platform access, the device verification code, and ISUP (Ehome).
//!
//! Reads and writes of the EZVIZ document use `?security=1&iv=…` whenever the device offers
//! field encryption, so the verification code never crosses the network in clear on such devices.
//! Elsewhere a code or an ISUP key is sent only inside TLS, or in clear after
//! [`Device::allow_plaintext_secrets`]; otherwise the write is refused before it is sent.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::auth::field_cipher::FieldCipher;
use crate::client::{Device, Request, Response};
use crate::error::{Error, Result};
use crate::isapi::ehome::{self, Ehome, EhomeChange};
use crate::isapi::ezviz::{self, Ezviz};
use crate::isapi::status::ResponseStatus;
use crate::keys::VerificationCode;
use crate::xml::{Element, FromXml};

use super::random_hex;

/// `subStatusCode`s with which a code check says "that is not the code".
const CODE_MISMATCH: &[&str] = &[
    "checkCodeError",
    "invalidEZVIZSecretKey",
    "illegalVerificationCode",
    "verifyError",
];

/// Interval between two reads in [`Device::wait_until_registered`].
const REGISTER_POLL: Duration = Duration::from_secs(1);

fn is_method_refusal(e: &Error) -> bool {
    matches!(e, Error::NotSupported { .. })
        || e.response_status()
            .is_some_and(|s| s.sub_status_code == "methodNotAllowed")
}

impl Device {
    /// Reads the platform-access settings; the verification code is decrypted when the device
    /// offers `security=1`, and taken from a plain answer only when it is a valid code.
    pub async fn ezviz(&self) -> Result<Ezviz> {
        let cipher = self.optional_cipher().await?;
        self.ezviz_with(cipher.as_ref()).await
    }

    async fn ezviz_with(&self, cipher: Option<&FieldCipher>) -> Result<Ezviz> {
        let path = match cipher {
            Some(c) => c.apply_to_path(ezviz::PATH),
            None => ezviz::PATH.to_owned(),
        };
        let el = self.get_xml(&path).await?;
        Ezviz::from_element_with(&el, cipher)
    }

    /// Field cipher when a logged-in handle talks to a device offering it; `None` otherwise.
    async fn optional_cipher(&self) -> Result<Option<FieldCipher>> {
        if self.inner.credentials().is_none() {
            return Ok(None);
        }
        self.field_cipher().await
    }

    /// Writes the platform-access settings (read-modify-write: pass a value read with
    /// [`Device::ezviz`] and edited). Returns the device's status; statusCode 7 means the
    /// change takes effect after a reboot. A verification code in `settings` is sent only
    /// protected (see [`Device::allow_plaintext_secrets`]); leave it `None` to keep the
    /// device's code.
    pub async fn set_ezviz(&self, settings: &Ezviz) -> Result<ResponseStatus> {
        let cipher = self.optional_cipher().await?;
        if settings.verification_code.is_some() {
            self.secret_carrier("writing the verification code", cipher.is_some())?;
        }
        let body = settings.to_element(cipher.as_ref());
        let path = match &cipher {
            Some(c) => c.apply_to_path(ezviz::PATH),
            None => ezviz::PATH.to_owned(),
        };
        self.request(Request::put(&path).xml(&body)).await?.status()
    }

    /// Turns Hik-Connect on with `code` in one read-modify-write (also turning stream
    /// encryption and the convergence cloud off, as provisioning tools do, only where the
    /// device has those elements).
    pub async fn enable_platform_access(&self, code: &VerificationCode) -> Result<ResponseStatus> {
        let mut e = self.ezviz().await?;
        e.enabled = Some(true);
        e.verification_code = Some(code.clone());
        if e.stream_encrypte_enabled.is_some() {
            e.stream_encrypte_enabled = Some(false);
        }
        self.set_ezviz(&e).await
    }

    /// Turns Hik-Connect off (the device keeps its verification code, which is not sent back).
    pub async fn disable_platform_access(&self) -> Result<ResponseStatus> {
        let mut e = self.ezviz().await?;
        e.enabled = Some(false);
        e.verification_code = None;
        self.set_ezviz(&e).await
    }

    /// Reads the verification code (decrypting a `security=1` answer). `None` when the device
    /// does not reveal it (masked, absent, or no code set).
    pub async fn verification_code(&self) -> Result<Option<VerificationCode>> {
        Ok(self.ezviz().await?.verification_code)
    }

    /// Sets the verification code: through `EZVIZ/secretKey` where the device offers that
    /// endpoint and field encryption, otherwise by a read-modify-write of the EZVIZ document.
    pub async fn set_verification_code(&self, code: &VerificationCode) -> Result<ResponseStatus> {
        let secret_key_offered = match self.capabilities().await {
            Ok(c) => c
                .network
                .and_then(|n| n.is_support_ezviz_secret_key)
                .unwrap_or(false),
            Err(Error::NotSupported { .. }) => false,
            Err(e) => return Err(e),
        };
        if secret_key_offered {
            if let Some(c) = self.optional_cipher().await? {
                let body = ezviz::secret_key_body(&c.encrypt(code.expose()));
                let path = c.apply_to_path(ezviz::SECRET_KEY_PATH);
                return self
                    .request(Request::put(&path).json(&body))
                    .await?
                    .status();
            }
        }
        let mut e = self.ezviz().await?;
        e.verification_code = Some(code.clone());
        self.set_ezviz(&e).await
    }

    /// Checks whether `code` is the device's verification code without reading it
    /// (`POST /ISAPI/System/Network/verificationCodeCheck`). On devices without that endpoint,
    /// falls back to reading the code (encrypted with `security=1` where offered) and comparing
    /// in constant time.
    pub async fn check_verification_code(&self, code: &VerificationCode) -> Result<bool> {
        let random = random_hex(16);
        let body = ezviz::code_check_document(&random, code, None);
        match self
            .request(Request::post(ezviz::CODE_CHECK_PATH).xml(&body))
            .await
        {
            Ok(resp) => code_check_answer(&resp),
            Err(e)
                if e.response_status()
                    .is_some_and(|s| CODE_MISMATCH.contains(&s.sub_status_code.as_str())) =>
            {
                Ok(false)
            }
            Err(Error::NotSupported { .. }) => match self.verification_code().await? {
                Some(actual) => Ok(actual.matches(code.expose())),
                None => Err(Error::not_supported(
                    "checking the verification code (no check endpoint, code not readable)",
                )),
            },
            Err(e) => Err(e),
        }
    }

    /// The QR code text the Hik-Connect app scans to add this device. The text carries the
    /// verification code, so it comes back as a [`Secret`](crate::keys::Secret) (redacted in
    /// `Debug`, read with `expose`).
    pub async fn platform_qr_code(&self) -> Result<crate::keys::Secret> {
        ezviz::qr_code(&self.get_json(ezviz::QR_CODE_PATH).await?).map(crate::keys::Secret::new)
    }

    /// Unbinds the device from its Hik-Connect account (`PUT …/EZVIZ/unbind`, or POST on
    /// devices that refuse the PUT; the method is not documented).
    pub async fn unbind_platform(&self) -> Result<Value> {
        self.json_with_fallback(ezviz::UNBIND_PATH).await
    }

    /// Runs the device's platform parameter test (`…/EZVIZ/parameterTest`): GET, or PUT on
    /// devices that refuse the GET (the method is not documented). Returns the device's answer.
    pub async fn test_platform_parameters(&self) -> Result<Value> {
        match self.get_json(ezviz::PARAMETER_TEST_PATH).await {
            Err(e) if is_method_refusal(&e) => {
                self.put_json(ezviz::PARAMETER_TEST_PATH, &json!({})).await
            }
            other => other,
        }
    }

    async fn json_with_fallback(&self, path: &str) -> Result<Value> {
        match self.put_json(path, &json!({})).await {
            Err(e) if is_method_refusal(&e) => self.post_json(path, &json!({})).await,
            other => other,
        }
    }

    /// Polls the platform-access settings until `registerStatus` is true, then returns them.
    ///
    /// Stops early with [`Error::Device`] when registration cannot happen as things stand:
    /// platform access is disabled (`enabled` false; sub-status `platformAccessDisabled`), or
    /// the device reports `offlineStatus` `secretKeyInvalid` (its verification code is refused;
    /// sub-status `secretKeyInvalid`) — the error message says what to change. Gives
    /// [`Error::Timeout`] (naming the last `offlineStatus`) when `timeout` passes first; the
    /// deadline covers the reads themselves, so the call returns within `timeout` plus a
    /// scheduling margin, never earlier than `timeout` unless it stopped early.
    pub async fn wait_until_registered(&self, timeout: Duration) -> Result<Ezviz> {
        let deadline = Instant::now() + timeout;
        let interval = REGISTER_POLL
            .min(timeout / 4)
            .max(Duration::from_millis(50));
        let timed_out = |e: Option<&Ezviz>| {
            let why = e
                .and_then(|e| e.offline_status.as_ref())
                .map(|s| format!(" (offlineStatus {s})"))
                .unwrap_or_default();
            Error::Timeout {
                operation: format!("waiting for Hik-Connect registration{why}"),
                after: timeout,
            }
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let e = match tokio::time::timeout(left, self.ezviz_with(None)).await {
                Ok(r) => r?,
                Err(_) => return Err(timed_out(None)),
            };
            if e.is_registered() {
                return Ok(e);
            }
            if let Some(err) = never_registers(&e) {
                return Err(err);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out(Some(&e)));
            }
            tokio::time::sleep(interval.min(left)).await;
        }
    }

    /// Reads the ISUP settings of one centre (`centerID`), or of the only one.
    pub async fn ehome(&self, center_id: Option<u32>) -> Result<Ehome> {
        self.get(&ehome::path(center_id)).await
    }

    /// Writes the ISUP settings (read-modify-write; the key is sent only when set, and then only
    /// inside TLS or after [`Device::allow_plaintext_secrets`]).
    pub async fn set_ehome(
        &self,
        center_id: Option<u32>,
        settings: &Ehome,
    ) -> Result<ResponseStatus> {
        settings.validate()?;
        if settings.key.is_some() {
            // no field cipher is known for the ISUP key: TLS or the opt-in
            self.secret_carrier("setting the ISUP key", false)?;
        }
        self.put_xml(&ehome::path(center_id), &settings.to_element())
            .await
    }

    /// Changes the ISUP settings of one centre by read-modify-write: reads them, applies
    /// `change` (what it leaves `None` keeps the device's value), validates and writes back.
    pub async fn change_ehome(
        &self,
        center_id: Option<u32>,
        change: EhomeChange,
    ) -> Result<ResponseStatus> {
        let mut e = self.ehome(center_id).await?;
        change.apply(&mut e);
        self.set_ehome(center_id, &e).await
    }
}

fn code_check_answer(resp: &Response) -> Result<bool> {
    let first = resp.body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Ok(true),
        Some(b'{') => {
            let v = resp.json()?;
            let flag = ["result", "checkResult", "isMatch", "isCorrect"]
                .iter()
                .find_map(|k| {
                    v.get(k)
                        .or_else(|| v.as_object()?.values().find_map(|i| i.get(k)))
                        .and_then(Value::as_bool)
                });
            match flag {
                Some(b) => Ok(b),
                None => Ok(ResponseStatus::from_json_value(&v).is_ok_and(|s| s.is_success())),
            }
        }
        Some(_) => {
            let el = Element::parse(&resp.body)?;
            if el.name == ResponseStatus::ROOT {
                return Ok(ResponseStatus::from_element(&el)?.is_success());
            }
            ezviz::code_check_result(&el).ok_or_else(|| {
                Error::decode(
                    "verificationCodeCheck answer",
                    format!("unexpected <{}> without a result", el.name),
                )
            })
        }
    }
}

/// Why a device cannot register as things stand, as the error [`Device::wait_until_registered`]
/// stops with; `None` while registration may still happen.
pub(crate) fn never_registers(e: &Ezviz) -> Option<Error> {
    let (sub, why) = if e.enabled == Some(false) {
        (
            "platformAccessDisabled",
            "platform access is disabled, so the device never registers; enable it first",
        )
    } else if e
        .offline_status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("secretKeyInvalid"))
    {
        (
            "secretKeyInvalid",
            "the platform refuses the device's verification code (offlineStatus secretKeyInvalid), \
             so it never registers with it; set a new code",
        )
    } else {
        return None;
    };
    Some(Error::Device {
        request: format!("GET {}", ezviz::PATH),
        http_status: 200,
        status: Box::new(ResponseStatus {
            status_code: 4,
            status_string: "Invalid Operation".into(),
            sub_status_code: sub.into(),
            error_msg: Some(why.into()),
            ..Default::default()
        }),
    })
}
