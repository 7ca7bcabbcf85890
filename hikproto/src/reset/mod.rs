//! Password recovery: every self-service route a device offers, how to tell which ones a
//! device has, and the files they use.
//!
//! # Routes
//!
//! | method | prepare while the password is known | recover | interface |
//! |---|---|---|---|
//! | [security questions](ResetMethod::SecurityQuestions) | [`Device::set_security_questions`](crate::Device::set_security_questions) | [`Device::reset_with_security_answers`](crate::Device::reset_with_security_answers) | ISAPI; SADP `AnswerReset` |
//! | [GUID file](ResetMethod::GuidFile) | [`Device::export_guid_file`](crate::Device::export_guid_file) | [`Device::reset_with_guid_file`](crate::Device::reset_with_guid_file) | ISAPI; SADP `GUIDReset` |
//! | [reserved e-mail](ResetMethod::ReservedEmail) | [`Device::set_security_email`](crate::Device::set_security_email) | [`Device::email_reset_qr`](crate::Device::email_reset_qr) → code → [`Device::reset_with_email_code`](crate::Device::reset_with_email_code) | ISAPI; SADP `MailReset` |
//! | [Hik-Connect app](ResetMethod::HikConnectApp) | bind the device to an account | [`Device::app_reset_qr`](crate::Device::app_reset_qr) → code → [`Device::reset_with_app_code`](crate::Device::reset_with_app_code) | ISAPI; SADP `PhoneNoReset` |
//! | [key file via support](ResetMethod::SupportKeyFile) | — | export ([`files::KeyExport`]) → support → reply ([`files::SupportReply`]) | SADP |
//! | [QR key via support](ResetMethod::SupportQrKey) | — | QR → support → [`files::SupportKey`] | SADP 3.0 |
//! | [factory reset](ResetMethod::FactoryReset) | — | [`Device::factory_reset`](crate::Device::factory_reset) (`basic`/`full`) | ISAPI (needs the password) |
//! | [restore inactive](ResetMethod::RestoreInactive) | — | SADP `restoreInactive` | SADP (needs the password) |
//!
//! [`RecoveryPlan::from_facts`] tells which routes a device supports, which are set up, and what
//! each still needs; [`Device::recovery_plan`](crate::Device::recovery_plan) gathers the ISAPI
//! facts, and SADP facts are added with [`RecoveryFacts::with_sadp`].
//!
//! Every route checks the new password against the device password policy before anything is
//! sent. When a device refuses a reset, [`ResetRefusal::classify`] says why in terms a caller
//! can act on (wrong answer with attempts left, GUID mismatch, expired export, locked, …).
//!
//! # Not implemented, by design: the legacy security code
//!
//! Old firmware accepted a "security code" computed from the serial number and the device's
//! date, which restored the factory password. Anyone who knows a device's serial and date can
//! compute it, so it bypasses the owner's authentication entirely. hikproto reports it when a
//! device advertises it ([`ResetMethod::LegacySecurityCode`]) and never computes such codes.

mod bridge;
pub mod files;
mod method;
mod plan;
mod refusal;
mod sadp_facts;

#[cfg(feature = "client")]
pub(crate) use bridge::FieldProtection;
pub(crate) use bridge::check_new_password;
pub use method::{Fact, Prerequisite, ResetMethod, Transport};
pub use plan::{
    DeviceSummary, PrerequisiteState, RecoveryFacts, RecoveryPlan, RouteAssessment, RouteStatus,
    TransportState,
};
pub use refusal::ResetRefusal;
pub use sadp_facts::{SadpConfiguredTypes, SadpResetFacts};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::isapi::status::ResponseStatus;
use crate::keys::{PasswordPolicy, Secret};

/// The new admin password for a reset, and how to apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPassword {
    /// The account being reset (`admin` unless the device uses another administrator name).
    pub user: String,
    /// The new password.
    pub password: Secret,
    /// On an NVR, also push the new password to its cameras (where the device supports it).
    pub sync_camera_passwords: bool,
    /// The policy checked before sending (standard unless the device is a DVR with the
    /// stricter rules).
    pub policy: PasswordPolicy,
}

impl NewPassword {
    /// A new password for `admin`, cameras untouched.
    pub fn new(password: impl Into<Secret>) -> Self {
        Self {
            user: "admin".into(),
            password: password.into(),
            sync_camera_passwords: false,
            policy: PasswordPolicy::standard(),
        }
    }

    /// Checks against `policy` instead of the standard rules.
    #[must_use]
    pub fn policy(mut self, policy: PasswordPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the administrator's user name.
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// Asks an NVR to push the new password to its cameras too.
    #[must_use]
    pub fn sync_camera_passwords(mut self, yes: bool) -> Self {
        self.sync_camera_passwords = yes;
        self
    }

    /// Checks the password against the device policy; nothing is sent when this fails.
    pub fn check(&self) -> Result<()> {
        check_new_password(&self.user, &self.password, &self.policy)
    }
}

/// A code a user received for a reset (mailed by the vendor, or shown by the Hik-Connect app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetCode(Secret);

impl ResetCode {
    /// Parses a code: 4 to 64 printable ASCII characters without spaces (surrounding spaces
    /// ignored). The exact formats are not public, so only this much is checked.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if !(4..=64).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "a reset code is 4 to 64 printable characters without spaces",
            ));
        }
        Ok(Self(Secret::new(s)))
    }

    /// The code.
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

/// The result of a successful reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetOutcome {
    /// The route that was used.
    pub method: ResetMethod,
    /// The device's answer.
    pub status: ResponseStatus,
    /// Whether the camera passwords were asked to follow (the device decides).
    pub sync_camera_passwords_requested: bool,
    /// True when the device accepted the new password but flagged it as risky (statusCode 1,
    /// `riskPassword`): the device UI will insist on a change at the next login.
    pub password_risky: bool,
}

impl ResetOutcome {
    /// The outcome of `method` from the device's answer.
    pub fn new(method: ResetMethod, status: ResponseStatus, sync_requested: bool) -> Self {
        let password_risky = status.sub_status_code.eq_ignore_ascii_case("riskPassword");
        Self {
            method,
            status,
            sync_camera_passwords_requested: sync_requested,
            password_risky,
        }
    }

    /// True when the device accepted the new password but flagged it as risky (statusCode 1,
    /// `riskPassword`): the device UI will insist on a change at the next login.
    pub fn password_is_risky(&self) -> bool {
        self.password_risky
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_password_and_codes() {
        let np = NewPassword::new("N3wPassword!").sync_camera_passwords(true);
        assert_eq!(np.user, "admin");
        assert!(np.check().is_ok());
        assert!(NewPassword::new("weak").check().is_err());
        assert!(NewPassword::new("Abcd1234!").check().is_ok());
        assert!(
            NewPassword::new("Abcd1234!")
                .policy(PasswordPolicy::dvr())
                .check()
                .is_err()
        );
        assert!(!format!("{np:?}").contains("N3wPassword"));
        assert_eq!(
            ResetCode::parse(" 839201 ").unwrap().secret().expose(),
            "839201"
        );
        for bad in ["", "123", "12 34", &"x".repeat(65)] {
            assert!(ResetCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
