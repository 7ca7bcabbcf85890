//! Login results: the `userCheck` document (both 401 body forms) and the `ResponseStatus` lock form.
//!
//! A 401 body may be a `userCheck` with `lockStatus`/`unlockTime`/`retryLoginTime`, a bare
//! `userCheck` without lock fields, a `ResponseStatus` with `lockStatus`/`resLockTime`/`retryTimes`,
//! HTML, or nothing. [`LoginOutcome::from_body`] reads all of them.

use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::xml::{Element, FromXml};

/// The ISAPI path of the credential probe.
pub const PATH: &str = "/ISAPI/Security/userCheck";

/// The decoded `userCheck` document (or the lock fields of a `ResponseStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCheck {
    /// `statusValue` (200 or 401), or the `statusCode` of the `ResponseStatus` form.
    pub status_value: Option<u32>,
    /// `statusString`.
    pub status_string: Option<String>,
    /// `isDefaultPassword`.
    pub is_default_password: Option<bool>,
    /// `isRiskPassword`: the password is weak; the device UI forces a change.
    pub is_risk_password: Option<bool>,
    /// `isActivated`.
    pub is_activated: Option<bool>,
    /// `lockStatus`: `lock`/`locked` → true, `unlock` → false.
    pub locked: Option<bool>,
    /// `unlockTime` / `resLockTime`, in seconds.
    pub unlock_time: Option<u64>,
    /// `retryLoginTime` / `retryTimes`: attempts left before the lock.
    pub retry_login_time: Option<u32>,
}

impl UserCheck {
    /// Decodes either form from an element (`userCheck`, `UserCheck` or `ResponseStatus`).
    pub fn from_any(el: &Element) -> Self {
        Self {
            status_value: el.num_at("statusValue").or_else(|| el.num_at("statusCode")),
            status_string: el.string_at("statusString"),
            is_default_password: el.bool_at("isDefaultPassword"),
            is_risk_password: el.bool_at("isRiskPassword"),
            is_activated: el.bool_at("isActivated"),
            locked: el.text_at("lockStatus").map(|s| {
                let s = s.trim().to_ascii_lowercase();
                s == "lock" || s == "locked"
            }),
            unlock_time: el.num_at("unlockTime").or_else(|| el.num_at("resLockTime")),
            retry_login_time: el
                .num_at("retryLoginTime")
                .or_else(|| el.num_at("retryTimes")),
        }
    }

    /// Builds the document (used by the simulator).
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut el = Element::new("userCheck");
        if let Some(ns) = namespace {
            el = el.with_namespace(ns);
        }
        if let Some(v) = self.status_value {
            el = el.push_text("statusValue", v.to_string());
        }
        if let Some(v) = &self.status_string {
            el = el.push_text("statusString", v.clone());
        }
        let b = crate::xml::fmt_bool;
        if let Some(v) = self.is_default_password {
            el = el.push_text("isDefaultPassword", b(v));
        }
        if let Some(v) = self.is_risk_password {
            el = el.push_text("isRiskPassword", b(v));
        }
        if let Some(v) = self.is_activated {
            el = el.push_text("isActivated", b(v));
        }
        if let Some(v) = self.locked {
            el = el.push_text("lockStatus", if v { "lock" } else { "unlock" });
        }
        if let Some(v) = self.unlock_time {
            el = el.push_text("unlockTime", v.to_string());
        }
        if let Some(v) = self.retry_login_time {
            el = el.push_text("retryLoginTime", v.to_string());
        }
        el
    }
}

impl FromXml for UserCheck {
    const ROOT: &'static str = "userCheck";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self::from_any(el))
    }

    fn from_xml(input: &[u8]) -> Result<Self> {
        let el = Element::parse(input)?;
        match el.name.as_str() {
            "userCheck" | "UserCheck" | "ResponseStatus" | "SessionUserCheck" => {
                Ok(Self::from_any(&el))
            }
            other => Err(Error::decode(
                "userCheck",
                format!("unexpected root <{other}>"),
            )),
        }
    }
}

/// What a rejected login means for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Credentials rejected; the device may say how many attempts remain.
    Rejected {
        /// Attempts left before lock-out, when the device says.
        attempts_left: Option<u32>,
    },
    /// The account or client address is locked.
    Locked {
        /// Time until the lock lifts, when the device says.
        retry_after: Option<Duration>,
    },
}

impl LoginOutcome {
    /// Reads a 401 body of any form (userCheck, ResponseStatus lock form, JSON, HTML, empty).
    pub fn from_body(body: &[u8]) -> Self {
        let check = Element::parse(body)
            .ok()
            .map(|el| UserCheck::from_any(&el))
            .or_else(|| json_user_check(body));
        let Some(c) = check else {
            return Self::Rejected {
                attempts_left: None,
            };
        };
        let locked =
            c.locked == Some(true) || (c.retry_login_time == Some(0) && c.locked.is_some());
        if locked {
            Self::Locked {
                retry_after: c.unlock_time.map(Duration::from_secs),
            }
        } else {
            Self::Rejected {
                attempts_left: c.retry_login_time,
            }
        }
    }

    /// Converts into the matching [`Error`] for `user`.
    pub fn into_error(self, user: &str) -> Error {
        match self {
            Self::Rejected { attempts_left } => Error::CredentialsRejected {
                user: user.to_owned(),
                attempts_left,
            },
            Self::Locked { retry_after } => Error::Locked {
                user: user.to_owned(),
                retry_after,
            },
        }
    }
}

pub(crate) fn json_user_check(body: &[u8]) -> Option<UserCheck> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let o = v
        .get("UserCheck")
        .or_else(|| v.get("userCheck"))
        .or_else(|| v.get("ResponseStatus"))
        .unwrap_or(&v);
    let o = o.as_object()?;
    let n = |k: &str| {
        o.get(k)
            .and_then(|x| x.as_u64().or_else(|| x.as_str()?.parse().ok()))
    };
    Some(UserCheck {
        status_value: n("statusValue")
            .or_else(|| n("statusCode"))
            .map(|v| v as u32),
        locked: o
            .get("lockStatus")
            .and_then(|x| x.as_str())
            .map(|s| s.starts_with("lock")),
        unlock_time: n("unlockTime").or_else(|| n("resLockTime")),
        retry_login_time: n("retryLoginTime")
            .or_else(|| n("retryTimes"))
            .map(|v| v as u32),
        ..UserCheck::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_401_forms() {
        let wrong = br#"<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString><lockStatus>unlock</lockStatus><unlockTime>0</unlockTime><retryLoginTime>4</retryLoginTime></userCheck>"#;
        assert_eq!(
            LoginOutcome::from_body(wrong),
            LoginOutcome::Rejected {
                attempts_left: Some(4)
            }
        );
        let locked = br#"<userCheck version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><statusValue>401</statusValue><isActivated>true</isActivated><lockStatus>lock</lockStatus><unlockTime>1800</unlockTime><retryLoginTime>0</retryLoginTime></userCheck>"#;
        assert_eq!(
            LoginOutcome::from_body(locked),
            LoginOutcome::Locked {
                retry_after: Some(Duration::from_secs(1800))
            }
        );
        let rs = br#"<ResponseStatus><statusCode>4</statusCode><subStatusCode>badAuthorization</subStatusCode><lockStatus>locked</lockStatus><resLockTime>600</resLockTime><retryTimes>0</retryTimes></ResponseStatus>"#;
        assert_eq!(
            LoginOutcome::from_body(rs),
            LoginOutcome::Locked {
                retry_after: Some(Duration::from_secs(600))
            }
        );
        let bare = br#"<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString></userCheck>"#;
        assert_eq!(
            LoginOutcome::from_body(bare),
            LoginOutcome::Rejected {
                attempts_left: None
            }
        );
        assert_eq!(
            LoginOutcome::from_body(b"<html><body>401</body></html>"),
            LoginOutcome::Rejected {
                attempts_left: None
            }
        );
        assert_eq!(
            LoginOutcome::from_body(b""),
            LoginOutcome::Rejected {
                attempts_left: None
            }
        );
    }
}
