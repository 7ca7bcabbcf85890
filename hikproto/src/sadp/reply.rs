//! Command replies: `<ProbeMatch>` with the request's `Types`, a `<Result>`, the lock counters and
//! the command's payload (reference §1.6).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::xml::Element;

use super::codes::{CommandResult, LockInfo, command_error};
use super::mac::{MacAddr, clip};
use super::types::ProbeType;

/// A reply to a command (anything but discovery). Its `Debug` form names the body's elements
/// but not their values (a reply may carry a GUID, an `EncryptString` or a code).
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    /// `Uuid`: echo of the request's.
    pub uuid: String,
    /// `MAC` of the answering device.
    pub mac: Option<MacAddr>,
    /// `Types` (trimmed).
    pub types: ProbeType,
    /// `Result`, when present.
    pub result: Option<CommandResult>,
    /// `RetryTimes`, `SurplusLockTime`, `RetryModifyTime`.
    pub lock: LockInfo,
    /// The whole reply, for payload elements.
    pub body: Element,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let elements: Vec<&str> = self.body.children.iter().map(|c| c.name.as_str()).collect();
        f.debug_struct("Reply")
            .field("uuid", &self.uuid)
            .field("mac", &self.mac)
            .field("types", &self.types)
            .field("result", &self.result)
            .field("lock", &self.lock)
            .field("body", &format_args!("<values redacted: {elements:?}>"))
            .finish()
    }
}

impl Reply {
    /// Decodes a command reply from a parsed `<ProbeMatch>`.
    pub fn from_element(root: &Element) -> Result<Self> {
        const WHAT: &str = "SADP reply";
        if root.name != "ProbeMatch" {
            return Err(Error::decode(
                WHAT,
                format!("expected <ProbeMatch>, found <{}>", clip(&root.name)),
            ));
        }
        let types = ProbeType::parse(
            root.text_at("Types")
                .ok_or_else(|| Error::decode(WHAT, "missing <Types>"))?,
        );
        let mac = match root.text_at("MAC") {
            Some(m) => Some(MacAddr::parse(m)?),
            None => None,
        };
        Ok(Self {
            uuid: root.string_at("Uuid").unwrap_or_default(),
            mac,
            types,
            result: root.text_at("Result").map(CommandResult::parse),
            lock: LockInfo {
                retry_times: root.num_at("RetryTimes"),
                surplus_lock_minutes: root.num_at("SurplusLockTime"),
                retry_modify_times: root.num_at("RetryModifyTime"),
            },
            body: root.clone(),
        })
    }

    /// The text of a payload element.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.body.text_at(name)
    }

    /// Success passes through; a refusal becomes the matching typed [`Error`]. A reply without
    /// `<Result>` counts as success (some payload replies carry none).
    pub fn check(self, user: &str) -> Result<Self> {
        match &self.result {
            None => Ok(self),
            Some(r) if r.is_success() => Ok(self),
            Some(r) => Err(command_error(&self.types, r, self.lock, user)),
        }
    }

    /// A payload element that must be present.
    pub fn required(&self, name: &str) -> Result<&str> {
        self.text(name).ok_or_else(|| {
            Error::decode(
                format!("SADP {} reply", self.types),
                format!("missing <{name}>"),
            )
        })
    }
}

/// A security question slot as `getsecurityquestion` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SecurityQuestion {
    /// The question ID.
    pub id: u32,
    /// `mark`: an answer is set for it.
    pub is_set: bool,
}

/// Parses `QuestionList/Question{ID,mark}` leniently (entries without a numeric ID are skipped).
pub fn security_questions(reply: &Reply) -> Vec<SecurityQuestion> {
    reply
        .body
        .child("QuestionList")
        .map(|l| {
            l.children_named("Question")
                .filter_map(|q| {
                    Some(SecurityQuestion {
                        id: q.num_at("ID")?,
                        is_set: q.bool_at("mark").unwrap_or(true),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What `GetQRcodes` returns for the e-mail reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailResetQr {
    /// `QRcodes`: the QR payload (base64) to send to the service mailbox.
    pub qr_codes: String,
    /// `MailBox`: the reserved e-mail (as the device shows it).
    pub mail_box: Option<String>,
    /// `MailServiceBox`: where to send the QR.
    pub mail_service_box: Option<String>,
}

impl MailResetQr {
    /// Reads the payload of a `GetQRcodes` reply.
    pub fn from_reply(r: &Reply) -> Result<Self> {
        Ok(Self {
            qr_codes: r.required("QRcodes")?.to_owned(),
            mail_box: r.body.string_at("MailBox"),
            mail_service_box: r.body.string_at("MailServiceBox"),
        })
    }
}

/// What `GetPhoneNoQRCode` returns for the Hik-Connect app reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneResetQr {
    /// `QRCode`: the payload to scan with the Hik-Connect app.
    pub qr_code: String,
    /// `DomainName`.
    pub domain_name: Option<String>,
    /// `Model`.
    pub model: Option<String>,
}

impl PhoneResetQr {
    /// Reads the payload of a `GetPhoneNoQRCode` reply.
    pub fn from_reply(r: &Reply) -> Result<Self> {
        Ok(Self {
            qr_code: r.required("QRCode")?.to_owned(),
            domain_name: r.body.string_at("DomainName"),
            model: r.body.string_at("Model"),
        })
    }
}

/// Which reset methods are configured (`getPasswordResetType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PasswordResetTypes {
    /// `PasswordResetTypeEnabled`.
    pub reset_type_enabled: Option<bool>,
    /// `SecurityQuestionEnabled`.
    pub security_question: Option<bool>,
    /// `GuidFileDataEnabled`.
    pub guid_file: Option<bool>,
    /// `SecurityEmailEnabled`.
    pub security_email: Option<bool>,
    /// `HCVerificationCodeEnabled` (Hik-Connect app route).
    pub hc_verification_code: Option<bool>,
}

impl PasswordResetTypes {
    /// Reads the payload of a `getPasswordResetType` reply.
    pub fn from_reply(r: &Reply) -> Self {
        let b = |n: &str| r.body.bool_at(n);
        Self {
            reset_type_enabled: b("PasswordResetTypeEnabled"),
            security_question: b("SecurityQuestionEnabled"),
            guid_file: b("GuidFileDataEnabled"),
            security_email: b("SecurityEmailEnabled"),
            hc_verification_code: b("HCVerificationCodeEnabled"),
        }
    }
}

/// The outcome of `ezvizUnbind`, as `getUnbindStatus` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum UnbindStatus {
    /// `success`: the device is released from its account.
    Success,
    /// `notBind`: it was not bound.
    NotBound,
    /// `unenableHCPlatform`: Hik-Connect is disabled, so nothing could be done.
    PlatformDisabled,
    /// `offlineHCPlatform`: the platform is unreachable; try again later.
    PlatformOffline,
    /// Another token.
    Other(String),
}

impl UnbindStatus {
    /// Reads the status: from an `UnbindStatus`/`Status` element when the reply has one, else
    /// from `Result` (which element carries it is not public, so both are accepted).
    pub fn from_reply(r: &Reply) -> Self {
        let token = r
            .text("UnbindStatus")
            .or_else(|| r.text("Status"))
            .or_else(|| r.text("Result"))
            .unwrap_or("")
            .trim();
        match token.to_ascii_lowercase().as_str() {
            "success" => Self::Success,
            "notbind" => Self::NotBound,
            "unenablehcplatform" => Self::PlatformDisabled,
            "offlinehcplatform" => Self::PlatformOffline,
            _ => Self::Other(token.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sadp::codes::SadpErrorCode;

    fn reply(xml: &str) -> Reply {
        Reply::from_element(&Element::parse(xml.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn debug_hides_payload_values() {
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>exportGUID</Types><GUID>9f1c2d3e4b5a</GUID><EncryptString>Zq8SecretBlob</EncryptString></ProbeMatch>",
        );
        let text = format!("{r:?} {r:#?}");
        assert!(
            !text.contains("9f1c2d3e4b5a") && !text.contains("Zq8SecretBlob"),
            "{text}"
        );
        assert!(text.contains("EncryptString"), "{text}");
    }

    #[test]
    fn lock_counters_and_results() {
        let r = reply(
            "<ProbeMatch>\r\n<Uuid>U</Uuid>\r\n<MAC>58-50-ed-1f-e3-85</MAC>\r\n<Types>update </Types>\r\n<Result>PasswordError</Result>\r\n<RetryModifyTime>4</RetryModifyTime>\r\n</ProbeMatch>",
        );
        assert_eq!(r.types, ProbeType::Update);
        assert_eq!(r.lock.attempts_left(), Some(4));
        match r.check("admin") {
            Err(Error::CredentialsRejected {
                attempts_left: Some(4),
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>activate </Types><Result>riskPassword</Result></ProbeMatch>",
        );
        let e = r.check("admin").unwrap_err();
        assert_eq!(
            SadpErrorCode::from_error(&e),
            Some(SadpErrorCode::RiskPassword)
        );
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>GUIDReset</Types><Result>locked</Result><RetryTimes>0</RetryTimes><SurplusLockTime>12</SurplusLockTime></ProbeMatch>",
        );
        assert!(
            matches!(r.check("admin"), Err(Error::Locked { retry_after: Some(d), .. }) if d.as_secs() == 720)
        );
        let ok = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>lamp</Types><Result>success</Result></ProbeMatch>",
        );
        assert!(ok.check("admin").is_ok());
    }

    #[test]
    fn payloads() {
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>getsecurityquestion</Types><Result>success</Result><QuestionList><Question><ID>2</ID><mark>true</mark></Question><Question><ID>x</ID></Question><Question><ID>5</ID><mark>flase</mark></Question></QuestionList></ProbeMatch>",
        );
        assert_eq!(
            security_questions(&r),
            vec![
                SecurityQuestion {
                    id: 2,
                    is_set: true
                },
                SecurityQuestion {
                    id: 5,
                    is_set: false
                }
            ]
        );
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>GetQRcodes</Types><Result>success</Result><QRcodes>UVI=</QRcodes><MailBox>a***@example.com</MailBox><MailServiceBox>pw_recovery@example.com</MailServiceBox></ProbeMatch>",
        );
        let q = MailResetQr::from_reply(&r).unwrap();
        assert_eq!(q.qr_codes, "UVI=");
        assert_eq!(
            q.mail_service_box.as_deref(),
            Some("pw_recovery@example.com")
        );
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>GetQRcodes</Types><Result>success</Result></ProbeMatch>",
        );
        assert!(MailResetQr::from_reply(&r).is_err());
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>getPasswordResetType</Types><PasswordResetTypeEnabled>true</PasswordResetTypeEnabled><SecurityQuestionEnabled>flase</SecurityQuestionEnabled><GuidFileDataEnabled>true</GuidFileDataEnabled><SecurityEmailEnabled></SecurityEmailEnabled></ProbeMatch>",
        );
        let t = PasswordResetTypes::from_reply(&r);
        assert_eq!(t.security_question, Some(false));
        assert_eq!(t.guid_file, Some(true));
        assert_eq!(t.security_email, None);
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>getUnbindStatus</Types><Result>notBind</Result></ProbeMatch>",
        );
        assert_eq!(UnbindStatus::from_reply(&r), UnbindStatus::NotBound);
        let r = reply(
            "<ProbeMatch><Uuid>U</Uuid><Types>getUnbindStatus</Types><Result>success</Result><UnbindStatus>offlineHCPlatform</UnbindStatus></ProbeMatch>",
        );
        assert_eq!(UnbindStatus::from_reply(&r), UnbindStatus::PlatformOffline);
    }
}
