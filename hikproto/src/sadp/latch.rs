//! SADP commands under the lock-out guard: a command carrying a password, security answers, a
//! reset code or a GUID is admitted by the [`LockoutGuard`](crate::LockoutGuard) for the device
//! (`sadp:<MAC>`) and user, exactly like an ISAPI login. A refused secret is latched: the same
//! secret is not sent to that device again ([`Error::CredentialLatched`]); while one command
//! carries an unverified secret, concurrent commands with the same secret wait for its verdict.

use std::future::Future;

use crate::auth::lockout::SADP_KEY_PREFIX;
use crate::error::{Error, Result};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::{Credentials, Secret};

use super::client::{DeviceTarget, SadpClient};

/// What the device judges in a command.
pub(super) enum Judged<'a> {
    /// The admin password that authorises the command.
    Password(&'a Secret),
    /// A reset code (support's reply, a mailed or app code, a legacy security code).
    Code(&'a Secret),
    /// An exported GUID.
    Guid(&'a Secret),
    /// Security-question answers.
    Answers(&'a [(u32, Secret)]),
}

impl Judged<'_> {
    /// The credential the guard fingerprints: the kind and the secret, for the device's user.
    fn credentials(&self, user: &str) -> Credentials {
        let secret = match self {
            Self::Password(p) => format!("password:{}", p.expose()),
            Self::Code(c) => format!("code:{}", c.expose().trim()),
            Self::Guid(g) => format!("guid:{}", g.expose().trim()),
            Self::Answers(a) => {
                let mut s = String::from("answers:");
                for (id, ans) in a.iter() {
                    s.push_str(&format!("{id}={}\n", ans.expose()));
                }
                s
            }
        };
        Credentials::new(user, secret)
    }
}

/// SADP result tokens that count as a failed attempt (besides `PasswordError` and `locked`,
/// which are typed errors already).
const COUNTED_REFUSALS: &[&str] = &["codeError", "AnswerError", "invalidGUID"];

fn outcome_of(e: &Error) -> Option<LoginOutcome> {
    match e {
        Error::CredentialsRejected { attempts_left, .. } => Some(LoginOutcome::Rejected {
            attempts_left: *attempts_left,
        }),
        Error::Locked { retry_after, .. } => Some(LoginOutcome::Locked {
            retry_after: *retry_after,
        }),
        Error::Device {
            request, status, ..
        } if request.starts_with("SADP ")
            && COUNTED_REFUSALS
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&status.sub_status_code)) =>
        {
            Some(LoginOutcome::Rejected {
                attempts_left: None,
            })
        }
        _ => None,
    }
}

impl SadpClient {
    /// Runs `command` once the guard admits `judged` for the target; records the verdict.
    pub(super) async fn latched<T>(
        &self,
        t: &DeviceTarget,
        judged: Judged<'_>,
        command: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let creds = judged.credentials(&t.user);
        let key = format!("{SADP_KEY_PREFIX}{}", t.mac);
        let guard = &self.options().lockout_guard;
        let admission = guard.admit(&key, &creds).await?;
        let out = command.await;
        match &out {
            Ok(_) => admission.accepted(),
            Err(e) => match outcome_of(e) {
                Some(outcome) => admission.refused(&outcome),
                // no verdict on the secret (a timeout, another refusal): it stays unverified
                None => drop(admission),
            },
        }
        out
    }
}
