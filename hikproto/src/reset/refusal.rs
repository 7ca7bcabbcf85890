//! Why a device refused a reset, in terms a caller can act on.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::method::ResetMethod;
use crate::error::Error;

/// The reason a reset attempt failed at the device.
///
/// Obtained from an [`Error`] returned by a reset operation ([`ResetRefusal::classify`]) or from
/// a SADP command's `Result` ([`ResetRefusal::from_sadp_result`]), so both interfaces report
/// the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
#[non_exhaustive]
pub enum ResetRefusal {
    /// A security answer was wrong.
    WrongAnswer {
        /// Attempts left before the route locks, when the device says.
        attempts_left: Option<u32>,
    },
    /// The GUID file does not match the device (wrong file, or a newer export replaced it).
    GuidMismatch {
        /// Attempts left before the route locks, when the device says.
        attempts_left: Option<u32>,
    },
    /// The code (mailed, from the app, or support's reply) was wrong or expired.
    WrongCode {
        /// Attempts left before the route locks, when the device says.
        attempts_left: Option<u32>,
    },
    /// The exported key file expired, or no export exists any more: export again.
    ExportExpired,
    /// The method is not set up on the device (no questions, no e-mail, no phone).
    NotConfigured,
    /// The device refused the new password (risky, or against its rules).
    PasswordRefused,
    /// Too many failed attempts: the route (or the client) is locked.
    Locked {
        /// How long until the lock lifts, when the device says.
        retry_after: Option<Duration>,
    },
    /// The device does not offer this route.
    NotSupported,
    /// Another refusal; `sub_status` is the device's token.
    Refused {
        /// The device's `subStatusCode` (or SADP `Result`).
        sub_status: String,
    },
}

impl ResetRefusal {
    /// Classifies an error from a reset with `method`. `None` when the error is not a refusal
    /// by the device (network trouble, bad input, …).
    pub fn classify(method: ResetMethod, err: &Error) -> Option<Self> {
        match err {
            Error::Locked { retry_after, .. } => Some(Self::Locked {
                retry_after: *retry_after,
            }),
            Error::CredentialsRejected { attempts_left, .. } => {
                Some(Self::wrong(method, *attempts_left))
            }
            Error::NotSupported { .. } => Some(Self::NotSupported),
            Error::Device { status, .. } => {
                let retry_after = status.lock_remaining_secs.map(Duration::from_secs);
                if status.locked == Some(true) {
                    return Some(Self::Locked { retry_after });
                }
                Some(
                    match Self::from_sub_status(method, &status.sub_status_code) {
                        Self::WrongAnswer { .. } => Self::WrongAnswer {
                            attempts_left: status.retry_times,
                        },
                        Self::GuidMismatch { .. } => Self::GuidMismatch {
                            attempts_left: status.retry_times,
                        },
                        Self::WrongCode { .. } => Self::WrongCode {
                            attempts_left: status.retry_times,
                        },
                        Self::Locked { .. } => Self::Locked { retry_after },
                        other => other,
                    },
                )
            }
            _ => None,
        }
    }

    fn wrong(method: ResetMethod, attempts_left: Option<u32>) -> Self {
        match method {
            ResetMethod::SecurityQuestions => Self::WrongAnswer { attempts_left },
            ResetMethod::GuidFile => Self::GuidMismatch { attempts_left },
            _ => Self::WrongCode { attempts_left },
        }
    }

    fn from_sub_status(method: ResetMethod, sub: &str) -> Self {
        let s = sub.trim();
        let is = |names: &[&str]| names.iter().any(|n| s.eq_ignore_ascii_case(n));
        if is(&["SEQCertificateUnmatch", "AnswerError"]) {
            Self::WrongAnswer {
                attempts_left: None,
            }
        } else if is(&["GUIDFileDataUnmatch", "invalidGUID"]) {
            Self::GuidMismatch {
                attempts_left: None,
            }
        } else if is(&[
            "checkCodeError",
            "illegalVerificationCode",
            "securityCodeFormatError",
            "verifyError",
            "lackVerificationCode",
            "codeError",
        ]) {
            Self::WrongCode {
                attempts_left: None,
            }
        } else if is(&["badAuthorization", "loginPasswordError", "passError"]) {
            Self::wrong(method, None)
        } else if is(&["exportFileOverDue", "emptyEncryptString"]) {
            Self::ExportExpired
        } else if is(&[
            "ResetErrorNoSEQ",
            "noSetSecurityEmail",
            "notSetMailBox",
            "notSetPhoneNo",
        ]) {
            Self::NotConfigured
        } else if is(&[
            "riskPassword",
            "illegalPassword",
            "ResetPasswordIllegal",
            "passwordMustContainMorethan8Characters",
            "passwordMustContainMorethan2Types",
            "passwordLenNoMoreThan16",
            "userPwdLenUnder8",
            "userPwdNameSame",
            "userPwdNameMirror",
            "cannotSameAsOldPassword",
        ]) {
            Self::PasswordRefused
        } else if is(&[
            "userNameLocked",
            "MaxPassword attempts",
            "ipcIsLocking",
            "locked",
        ]) {
            Self::Locked { retry_after: None }
        } else if is(&[
            "notSupport",
            "NVRNotSupportResetPassword",
            "IPCNotSupportResetPassword",
        ]) {
            Self::NotSupported
        } else {
            Self::Refused {
                sub_status: s.to_owned(),
            }
        }
    }

    /// Classifies a SADP command `Result` (`AnswerError`, `invalidGUID`, `exportFileOverDue`,
    /// `locked`, …) with the reply's `RetryTimes` and `SurplusLockTime` (minutes). `None` for
    /// `success`.
    pub fn from_sadp_result(
        method: ResetMethod,
        result: &str,
        retry_times: Option<u32>,
        surplus_lock_minutes: Option<u32>,
    ) -> Option<Self> {
        let r = result.trim();
        if r.eq_ignore_ascii_case("success") {
            return None;
        }
        Some(match Self::from_sub_status(method, r) {
            Self::WrongAnswer { .. } => Self::WrongAnswer {
                attempts_left: retry_times,
            },
            Self::GuidMismatch { .. } => Self::GuidMismatch {
                attempts_left: retry_times,
            },
            Self::WrongCode { .. } => Self::WrongCode {
                attempts_left: retry_times,
            },
            Self::Locked { .. } => Self::Locked {
                retry_after: surplus_lock_minutes.map(|m| Duration::from_secs(u64::from(m) * 60)),
            },
            Self::Refused { .. } if r.eq_ignore_ascii_case("PasswordError") => {
                Self::wrong(method, retry_times)
            }
            other => other,
        })
    }

    /// Attempts left before a lock, when known.
    pub fn attempts_left(&self) -> Option<u32> {
        match self {
            Self::WrongAnswer { attempts_left }
            | Self::GuidMismatch { attempts_left }
            | Self::WrongCode { attempts_left } => *attempts_left,
            _ => None,
        }
    }
}

impl fmt::Display for ResetRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let left = |n: &Option<u32>| match n {
            Some(n) => format!(" ({n} attempts left)"),
            None => String::new(),
        };
        match self {
            Self::WrongAnswer { attempts_left } => {
                write!(f, "a security answer is wrong{}", left(attempts_left))
            }
            Self::GuidMismatch { attempts_left } => {
                write!(
                    f,
                    "the GUID file does not match this device{}",
                    left(attempts_left)
                )
            }
            Self::WrongCode { attempts_left } => {
                write!(f, "the code is wrong or expired{}", left(attempts_left))
            }
            Self::ExportExpired => {
                f.write_str("the exported key file expired: export again and ask for a new reply")
            }
            Self::NotConfigured => f.write_str("this method is not set up on the device"),
            Self::PasswordRefused => f.write_str("the device refused the new password"),
            Self::Locked {
                retry_after: Some(d),
            } => {
                write!(
                    f,
                    "locked after too many attempts; try again in {}",
                    crate::error::human_duration(*d)
                )
            }
            Self::Locked { retry_after: None } => f.write_str("locked after too many attempts"),
            Self::NotSupported => f.write_str("the device does not offer this method"),
            Self::Refused { sub_status } => {
                write!(f, "the device refused the reset ({sub_status})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isapi::status::ResponseStatus;

    fn device(sub: &str) -> Error {
        Error::Device {
            request: "PUT /x".into(),
            http_status: 400,
            status: Box::new(ResponseStatus::from_dictionary(sub)),
        }
    }

    #[test]
    fn classify_table() {
        use ResetMethod::*;
        let counted = |sub: &str, left: u32| {
            let mut st = ResponseStatus::from_dictionary(sub);
            st.retry_times = Some(left);
            Error::Device {
                request: "PUT /x".into(),
                http_status: 400,
                status: Box::new(st),
            }
        };
        let mut locked = ResponseStatus::from_dictionary("MaxPassword attempts");
        locked.lock_remaining_secs = Some(1800);
        let locked = Error::Device {
            request: "PUT /x".into(),
            http_status: 403,
            status: Box::new(locked),
        };
        assert_eq!(
            ResetRefusal::classify(SecurityQuestions, &counted("SEQCertificateUnmatch", 5)),
            Some(ResetRefusal::WrongAnswer {
                attempts_left: Some(5)
            })
        );
        assert_eq!(
            ResetRefusal::classify(GuidFile, &counted("GUIDFileDataUnmatch", 0)),
            Some(ResetRefusal::GuidMismatch {
                attempts_left: Some(0)
            })
        );
        assert_eq!(
            ResetRefusal::classify(ReservedEmail, &locked),
            Some(ResetRefusal::Locked {
                retry_after: Some(Duration::from_secs(1800))
            })
        );
        let cases: Vec<(ResetMethod, Error, Option<ResetRefusal>)> = vec![
            (
                SecurityQuestions,
                device("SEQCertificateUnmatch"),
                Some(ResetRefusal::WrongAnswer {
                    attempts_left: None,
                }),
            ),
            (
                GuidFile,
                device("GUIDFileDataUnmatch"),
                Some(ResetRefusal::GuidMismatch {
                    attempts_left: None,
                }),
            ),
            (
                ReservedEmail,
                device("checkCodeError"),
                Some(ResetRefusal::WrongCode {
                    attempts_left: None,
                }),
            ),
            (
                SecurityQuestions,
                device("ResetErrorNoSEQ"),
                Some(ResetRefusal::NotConfigured),
            ),
            (
                ReservedEmail,
                device("noSetSecurityEmail"),
                Some(ResetRefusal::NotConfigured),
            ),
            (
                GuidFile,
                device("riskPassword"),
                Some(ResetRefusal::PasswordRefused),
            ),
            (
                GuidFile,
                device("userNameLocked"),
                Some(ResetRefusal::Locked { retry_after: None }),
            ),
            (
                HikConnectApp,
                device("someNewToken"),
                Some(ResetRefusal::Refused {
                    sub_status: "someNewToken".into(),
                }),
            ),
            (
                SecurityQuestions,
                Error::CredentialsRejected {
                    user: String::new(),
                    attempts_left: Some(2),
                },
                Some(ResetRefusal::WrongAnswer {
                    attempts_left: Some(2),
                }),
            ),
            (
                GuidFile,
                Error::CredentialsRejected {
                    user: String::new(),
                    attempts_left: Some(6),
                },
                Some(ResetRefusal::GuidMismatch {
                    attempts_left: Some(6),
                }),
            ),
            (
                HikConnectApp,
                Error::Locked {
                    user: String::new(),
                    retry_after: Some(Duration::from_secs(1800)),
                },
                Some(ResetRefusal::Locked {
                    retry_after: Some(Duration::from_secs(1800)),
                }),
            ),
            (
                ReservedEmail,
                Error::not_supported("x"),
                Some(ResetRefusal::NotSupported),
            ),
            (ReservedEmail, Error::invalid("bad"), None),
        ];
        for (method, err, want) in cases {
            assert_eq!(
                ResetRefusal::classify(method, &err),
                want,
                "{method:?} {err}"
            );
        }
    }

    #[test]
    fn sadp_results() {
        use ResetMethod::*;
        assert_eq!(
            ResetRefusal::from_sadp_result(SecurityQuestions, "success", None, None),
            None
        );
        assert_eq!(
            ResetRefusal::from_sadp_result(SecurityQuestions, "AnswerError", Some(3), None),
            Some(ResetRefusal::WrongAnswer {
                attempts_left: Some(3)
            })
        );
        assert_eq!(
            ResetRefusal::from_sadp_result(GuidFile, "invalidGUID", Some(5), None),
            Some(ResetRefusal::GuidMismatch {
                attempts_left: Some(5)
            })
        );
        assert_eq!(
            ResetRefusal::from_sadp_result(SupportKeyFile, "exportFileOverDue", None, None),
            Some(ResetRefusal::ExportExpired)
        );
        assert_eq!(
            ResetRefusal::from_sadp_result(SupportKeyFile, "locked", Some(0), Some(30)),
            Some(ResetRefusal::Locked {
                retry_after: Some(Duration::from_secs(1800))
            })
        );
        assert_eq!(
            ResetRefusal::from_sadp_result(HikConnectApp, "notSetPhoneNo", None, None),
            Some(ResetRefusal::NotConfigured)
        );
        let r = ResetRefusal::WrongAnswer {
            attempts_left: Some(2),
        };
        assert_eq!(r.attempts_left(), Some(2));
        assert_eq!(
            r.to_string(),
            "a security answer is wrong (2 attempts left)"
        );
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["reason"], "wrongAnswer");
    }
}
