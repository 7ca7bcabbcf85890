//! Users: list, add, delete, change password.
//!
//! Every write checks the password policy locally first. On devices with
//! `SecurityCap/isSupportUserCheck` the operator's own password goes along as `loginPassword`
//! (by default the password this handle logs in with); on devices offering `security=1` the user
//! name, password and login password are encrypted with the operator's field key. Without that
//! cipher a password goes only inside TLS, or in clear after
//! [`Device::allow_plaintext_secrets`]; otherwise the write is refused before it is sent.

use crate::auth::field_cipher::FieldCipher;
use crate::client::{Device, Request};
use crate::error::{Error, Result};
use crate::isapi::capabilities::SecurityCap;
use crate::isapi::status::ResponseStatus;
use crate::isapi::users::{self, User, UserLevel, UserWrite};
use crate::keys::{Credentials, Password, PasswordPolicy, Secret};

use super::query_escape;

/// How a user write must be protected on this device.
struct WriteSecurity {
    login_password: Option<Secret>,
    cipher: Option<FieldCipher>,
}

impl Device {
    /// Lists the users (`GET /ISAPI/Security/users`).
    pub async fn users(&self) -> Result<Vec<User>> {
        users::users(&self.get_xml(users::PATH).await?)
    }

    /// The user with this name (exact, case-sensitive), or [`Error::InvalidInput`].
    pub async fn find_user(&self, user_name: &str) -> Result<User> {
        self.users()
            .await?
            .into_iter()
            .find(|u| u.user_name == user_name)
            .ok_or_else(|| Error::invalid(format!("the device has no user named {user_name:?}")))
    }

    async fn write_security(&self, login_password: Option<&Secret>) -> Result<WriteSecurity> {
        let creds = self.require_credentials("changing users")?;
        let sec = match self.security_capabilities().await {
            Ok(s) => s,
            Err(Error::NotSupported { .. }) => SecurityCap::default(),
            Err(e) => return Err(e),
        };
        let wants_login = sec.is_support_user_check == Some(true) || login_password.is_some();
        Ok(WriteSecurity {
            login_password: wants_login.then(|| {
                login_password
                    .cloned()
                    .unwrap_or_else(|| creds.password.clone())
            }),
            cipher: if sec.supports_field_encryption() {
                self.field_cipher().await?
            } else {
                None
            },
        })
    }

    /// Changes `user_name`'s password (`PUT /ISAPI/Security/users/<id>`).
    ///
    /// `login_password` is the operator's own password for devices that verify it; `None` uses
    /// the password this handle logs in with. When `user_name` is the logged-in user, the handle
    /// switches to the new password afterwards. Devices answer `loginPasswordError` for a wrong
    /// login password, `cannotSameAsOldPassword`, or `riskPassword`
    /// ([`Error::is_risky_password`]).
    pub async fn change_password(
        &self,
        user_name: &str,
        new_password: &Password,
        login_password: Option<&Secret>,
    ) -> Result<ResponseStatus> {
        check_policy(user_name, new_password)?;
        let user = self.find_user(user_name).await?;
        let sec = self.write_security(login_password).await?;
        self.secret_carrier("changing a user's password", sec.cipher.is_some())?;
        let body = UserWrite {
            id: Some(user.id),
            user_name: user.user_name.clone(),
            password: Some(new_password.secret().clone()),
            login_password: sec.login_password,
            level: None,
            enabled: None,
        }
        .to_element(None, sec.cipher.as_ref());
        let path = with_cipher(&users::user_path(user.id), sec.cipher.as_ref());
        let st = self
            .request(Request::put(&path).xml(&body))
            .await?
            .status()?;
        if self.user().as_deref() == Some(user_name) {
            self.inner.set_credentials(Some(Credentials::new(
                user_name,
                new_password.secret().clone(),
            )));
        }
        Ok(st)
    }

    /// Adds a user (`POST /ISAPI/Security/users`) and returns its id.
    pub async fn add_user(
        &self,
        user_name: &str,
        password: &Password,
        level: UserLevel,
        login_password: Option<&Secret>,
    ) -> Result<u32> {
        if user_name.is_empty() || user_name.chars().count() > 32 {
            return Err(Error::invalid("a user name has 1 to 32 characters"));
        }
        check_policy(user_name, password)?;
        let sec = self.write_security(login_password).await?;
        self.secret_carrier("adding a user", sec.cipher.is_some())?;
        let body = UserWrite {
            id: None,
            user_name: user_name.to_owned(),
            password: Some(password.secret().clone()),
            login_password: sec.login_password,
            level: Some(level),
            enabled: Some(true),
        }
        .to_element(None, sec.cipher.as_ref());
        let path = with_cipher(users::PATH, sec.cipher.as_ref());
        let st = self
            .request(Request::post(&path).xml(&body))
            .await?
            .status()?;
        match st.id.as_deref().and_then(|i| i.trim().parse().ok()) {
            Some(id) => Ok(id),
            None => Ok(self.find_user(user_name).await?.id),
        }
    }

    /// Deletes a user (`DELETE /ISAPI/Security/users/<id>`); the admin (id 1) is refused locally.
    ///
    /// Devices that verify the operator pass `loginPassword` in the query, encrypted with
    /// `security=1`. Without that cipher the password would sit in the URL in clear (where TLS
    /// does not keep it out of logs), so the deletion is refused unless the caller opted in
    /// ([`Device::allow_plaintext_secrets`]).
    pub async fn delete_user(
        &self,
        user_name: &str,
        login_password: Option<&Secret>,
    ) -> Result<ResponseStatus> {
        let user = self.find_user(user_name).await?;
        if user.id == 1 {
            return Err(Error::invalid(
                "the administrator (user id 1) cannot be deleted",
            ));
        }
        let sec = self.write_security(login_password).await?;
        let mut path = users::user_path(user.id);
        if let Some(lp) = &sec.login_password {
            let value = match &sec.cipher {
                Some(c) => c.encrypt(lp.expose()),
                None if self.plaintext_secrets => {
                    self.secret_carrier("deleting a user", false)?;
                    query_escape(lp.expose())
                }
                None => return Err(super::protect::url_refusal("deleting a user")),
            };
            path = format!("{path}?loginPassword={value}");
        }
        let path = with_cipher(&path, sec.cipher.as_ref());
        self.request(Request::delete(&path)).await?.status()
    }
}

fn check_policy(user_name: &str, password: &Password) -> Result<()> {
    let check = PasswordPolicy::standard().check(user_name, password.expose());
    if check.is_acceptable() {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "the password for user {user_name:?} breaks the device password policy: {}",
            check.explain()
        )))
    }
}

fn with_cipher(path: &str, cipher: Option<&FieldCipher>) -> String {
    match cipher {
        Some(c) => c.apply_to_path(path),
        None => path.to_owned(),
    }
}
