//! What a SADP command reply says: the `<Result>` token, the lock counters, the SDK error codes
//! (the "error 20xx" the SADP tool shows) and how they map onto [`Error`].
//!
//! Mapping (reference §1.6, §1.9):
//!
//! | `Result` | SDK code | [`Error`] |
//! |---|---|---|
//! | `PasswordError` | 2024 | [`Error::CredentialsRejected`] with `attempts_left` = `RetryTimes` (or `RetryModifyTime`) |
//! | `locked` | 2018 | [`Error::Locked`] with `retry_after` = `SurplusLockTime` minutes |
//! | `notActivated` | 2019 | [`Error::NotActivated`] |
//! | `hasActivated` | 2021 | [`Error::AlreadyActivated`] |
//! | any other failure (`riskPassword` 2020, `codeError` 2039, `invalidGUID` 2026, …) | see [`SadpErrorCode`] | [`Error::Device`] |
//!
//! For the [`Error::Device`] case there is no HTTP exchange, so hikproto describes the refusal with
//! a `ResponseStatus` of its own making: `request` is `"SADP <Types>"`, `http_status` is 0,
//! `subStatusCode` is the device's `Result` token verbatim, `statusString` is `"SADP error <code>"`
//! and `errorMsg` is the plain-words meaning. [`SadpErrorCode::from_error`] recovers the SDK code
//! from any such error (and from the four dedicated variants above).

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::error::Error;
use crate::isapi::status::ResponseStatus;

use super::types::ProbeType;

macro_rules! sdk_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $meaning:literal; )*) => {
        /// The SADP SDK error codes 2001–2048 (reference §1.9): what the SADP tool shows as "error 20xx".
        ///
        /// Codes the SDK leaves unassigned (2029, 2031, 2032, 2037) have no variant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[non_exhaustive]
        #[repr(u32)]
        pub enum SadpErrorCode {
            $( $(#[$doc])* $name = $code, )*
        }

        impl SadpErrorCode {
            /// Every known code, in numeric order.
            pub const ALL: &'static [Self] = &[$(Self::$name),*];

            /// The numeric code (for example 2020).
            pub fn code(self) -> u32 {
                self as u32
            }

            /// The code for a number, when the SDK defines it.
            pub fn from_code(code: u32) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$name), )*
                    _ => None,
                }
            }

            /// What the code means, in plain words.
            pub fn meaning(self) -> &'static str {
                match self {
                    $( Self::$name => $meaning, )*
                }
            }
        }
    };
}

sdk_codes! {
    /// 2001: the SDK could not allocate memory.
    AllocFailed = 2001, "memory allocation failed";
    /// 2002: SADP was used before it was started.
    NotStarted = 2002, "SADP is not started";
    /// 2003: no usable network interface.
    NoNetworkInterface = 2003, "no usable network interface";
    /// 2004: the network interface information could not be read.
    NetworkInterfaceInfo = 2004, "could not read the network interface information";
    /// 2005: a parameter was invalid.
    Parameter = 2005, "invalid parameter";
    /// 2006: the network interface could not be opened.
    OpenNetworkInterface = 2006, "could not open the network interface";
    /// 2007: sending failed.
    SendFailed = 2007, "sending failed";
    /// 2008: a system call failed.
    SystemCall = 2008, "a system call failed";
    /// 2009: the device denied the request, or did not answer in time.
    DeviceDenied = 2009, "the device denied the request (or did not answer in time)";
    /// 2010: the packet-capture driver could not be installed.
    NpfInstall = 2010, "the packet-capture driver could not be installed";
    /// 2011: timed out.
    Timeout = 2011, "timed out waiting for the device";
    /// 2012: a socket could not be created.
    CreateSocket = 2012, "could not create a socket";
    /// 2013: a socket could not be bound.
    BindSocket = 2013, "could not bind a socket";
    /// 2014: joining the multicast group failed.
    JoinMulticast = 2014, "could not join the multicast group";
    /// 2015: a socket send failed.
    SocketSend = 2015, "socket send failed";
    /// 2016: a socket receive failed.
    SocketReceive = 2016, "socket receive failed";
    /// 2017: the device's XML could not be parsed.
    XmlParse = 2017, "the device's reply could not be parsed";
    /// 2018: the device is locked after too many wrong passwords.
    Locked = 2018, "the device is locked after too many wrong attempts; wait for the lock to expire";
    /// 2019: the device is not activated.
    NotActivated = 2019, "the device is not activated: activate it with a strong admin password first";
    /// 2020: risky (weak) password, refused at activation or reset.
    RiskPassword = 2020, "risky password: the device refused the new password as too weak (use 8-16 characters mixing at least two of digits, lower case, upper case and symbols, not containing the user name)";
    /// 2021: the device is already activated.
    HasActivated = 2021, "the device is already activated";
    /// 2022: the device returned an empty encrypted string.
    EmptyEncryptString = 2022, "the device returned an empty encrypted string";
    /// 2023: the exported reset file has expired.
    ExportFileOverdue = 2023, "the exported reset file has expired (or the device rebooted): export a new one";
    /// 2024: wrong admin password.
    PasswordError = 2024, "wrong admin password";
    /// 2025: a security answer is too long.
    LongAnswer = 2025, "a security answer is too long";
    /// 2026: invalid GUID file.
    InvalidGuid = 2026, "the GUID file is not valid for this device";
    /// 2027: wrong security answer.
    AnswerError = 2027, "wrong security answer";
    /// 2028: wrong number of security questions.
    QuestionNumError = 2028, "wrong number of security questions (three are needed)";
    /// 2030: the packet-capture library could not be loaded.
    WpcapLoad = 2030, "the packet-capture library could not be loaded";
    /// 2033: the verification code is not acceptable.
    IllegalVerificationCode = 2033, "illegal verification code (6-12 characters)";
    /// 2034: bound to the wrong device.
    BindErrorDevice = 2034, "binding refers to the wrong device";
    /// 2035: the bind limit is reached.
    ExceedMaxBindNum = 2035, "the maximum number of bound devices is reached";
    /// 2036: the e-mail address does not exist.
    MailboxNotExist = 2036, "the e-mail address does not exist";
    /// 2038: no reserved e-mail address is set.
    MailboxNotSet = 2038, "no reserved e-mail address is set on the device";
    /// 2039: reset failed: the reset code or file is invalid.
    InvalidResetCode = 2039, "the reset code (or the support desk's reply file) is invalid";
    /// 2040: no permission (administrator or multicast rights needed).
    NoPermission = 2040, "no permission";
    /// 2041: the exchange-code step failed.
    ExchangeCode = 2041, "the key exchange (exchangecode) failed";
    /// 2042: RSA key generation failed.
    CreateRsaKey = 2042, "RSA key generation failed";
    /// 2043: base64 encoding failed.
    Base64Encode = 2043, "base64 encoding failed";
    /// 2044: base64 decoding failed.
    Base64Decode = 2044, "base64 decoding failed";
    /// 2045: AES failed.
    Aes = 2045, "AES encryption or decryption failed";
    /// 2046: no phone number (Hik-Connect account) is set for the app reset.
    PhoneNotSet = 2046, "no Hik-Connect phone number is set for the app reset";
    /// 2047: a buffer was too small.
    BufferTooSmall = 2047, "buffer too small";
    /// 2048: invalid subnet range (more than 4096 addresses, or start after end).
    InvalidSubnetRange = 2048, "invalid subnet range (at most 4096 addresses)";
}

impl SadpErrorCode {
    /// The SDK code carried by a hikproto error that came from a SADP reply, if any.
    ///
    /// Recognises [`Error::Device`] built by this module (request `"SADP …"`), and the dedicated
    /// variants [`Error::NotActivated`] (2019) and [`Error::AlreadyActivated`] (2021);
    /// [`Error::CredentialsRejected`] and [`Error::Locked`] are shared with ISAPI, so they map
    /// only when `sadp_origin` is true.
    pub fn from_error_with(err: &Error, sadp_origin: bool) -> Option<Self> {
        match err {
            Error::Device {
                request, status, ..
            } if request.starts_with("SADP ") => CommandResult::parse(&status.sub_status_code)
                .error_code()
                .or_else(|| {
                    status
                        .status_string
                        .strip_prefix("SADP error ")
                        .and_then(|c| c.parse().ok())
                        .and_then(Self::from_code)
                }),
            Error::NotActivated => Some(Self::NotActivated),
            Error::AlreadyActivated => Some(Self::HasActivated),
            Error::CredentialsRejected { .. } if sadp_origin => Some(Self::PasswordError),
            Error::Locked { .. } if sadp_origin => Some(Self::Locked),
            _ => None,
        }
    }

    /// [`Self::from_error_with`] for an error returned by a [`crate::sadp::SadpClient`] command.
    pub fn from_error(err: &Error) -> Option<Self> {
        Self::from_error_with(err, true)
    }
}

impl fmt::Display for SadpErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SADP error {}: {}", self.code(), self.meaning())
    }
}

/// The `<Result>` token of a command reply (reference §1.6). Matching ignores case
/// (`codeError` and `CodeError` both occur).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandResult {
    /// `success`.
    Success,
    /// `failed`.
    Failed,
    /// `denied` (documented by one client for `reset`).
    Denied,
    /// `notActivated`.
    NotActivated,
    /// `riskPassword`.
    RiskPassword,
    /// `emptyEncryptString`.
    EmptyEncryptString,
    /// `exportFileOverDue`.
    ExportFileOverDue,
    /// `codeError` / `CodeError`.
    CodeError,
    /// `locked`.
    Locked,
    /// `notSetMailBox`.
    NotSetMailBox,
    /// `hasActivated`.
    HasActivated,
    /// `PasswordError`.
    PasswordError,
    /// `LongAnswer`.
    LongAnswer,
    /// `QuestionNumErr`.
    QuestionNumErr,
    /// `invalidGUID`.
    InvalidGuid,
    /// `AnswerError`.
    AnswerError,
    /// `notExist`.
    NotExist,
    /// `IllegalVerificationCode`.
    IllegalVerificationCode,
    /// `BindErrorDev`.
    BindErrorDev,
    /// `ExcedMaxBindNum` (sic).
    ExcedMaxBindNum,
    /// `notSetPhoneNo`.
    NotSetPhoneNo,
    /// Any other token, trimmed.
    Other(String),
}

const RESULTS: &[(CommandResult, &str)] = &[
    (CommandResult::Success, "success"),
    (CommandResult::Failed, "failed"),
    (CommandResult::Denied, "denied"),
    (CommandResult::NotActivated, "notActivated"),
    (CommandResult::RiskPassword, "riskPassword"),
    (CommandResult::EmptyEncryptString, "emptyEncryptString"),
    (CommandResult::ExportFileOverDue, "exportFileOverDue"),
    (CommandResult::CodeError, "codeError"),
    (CommandResult::Locked, "locked"),
    (CommandResult::NotSetMailBox, "notSetMailBox"),
    (CommandResult::HasActivated, "hasActivated"),
    (CommandResult::PasswordError, "PasswordError"),
    (CommandResult::LongAnswer, "LongAnswer"),
    (CommandResult::QuestionNumErr, "QuestionNumErr"),
    (CommandResult::InvalidGuid, "invalidGUID"),
    (CommandResult::AnswerError, "AnswerError"),
    (CommandResult::NotExist, "notExist"),
    (
        CommandResult::IllegalVerificationCode,
        "IllegalVerificationCode",
    ),
    (CommandResult::BindErrorDev, "BindErrorDev"),
    (CommandResult::ExcedMaxBindNum, "ExcedMaxBindNum"),
    (CommandResult::NotSetPhoneNo, "notSetPhoneNo"),
];

impl CommandResult {
    /// Parses a token (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        RESULTS
            .iter()
            .find(|(_, w)| w.eq_ignore_ascii_case(s))
            .map(|(r, _)| r.clone())
            .unwrap_or_else(|| Self::Other(s.to_owned()))
    }

    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => RESULTS
                .iter()
                .find(|(r, _)| r == known)
                .map(|(_, s)| *s)
                .unwrap_or_default(),
        }
    }

    /// True for `success`.
    pub fn is_success(&self) -> bool {
        *self == Self::Success
    }

    /// The SDK error code the SADP tool would show for this result.
    pub fn error_code(&self) -> Option<SadpErrorCode> {
        use SadpErrorCode as C;
        Some(match self {
            Self::Success | Self::Other(_) => return None,
            Self::Failed | Self::Denied => C::DeviceDenied,
            Self::NotActivated => C::NotActivated,
            Self::RiskPassword => C::RiskPassword,
            Self::EmptyEncryptString => C::EmptyEncryptString,
            Self::ExportFileOverDue => C::ExportFileOverdue,
            Self::CodeError => C::InvalidResetCode,
            Self::Locked => C::Locked,
            Self::NotSetMailBox => C::MailboxNotSet,
            Self::HasActivated => C::HasActivated,
            Self::PasswordError => C::PasswordError,
            Self::LongAnswer => C::LongAnswer,
            Self::QuestionNumErr => C::QuestionNumError,
            Self::InvalidGuid => C::InvalidGuid,
            Self::AnswerError => C::AnswerError,
            Self::NotExist => C::MailboxNotExist,
            Self::IllegalVerificationCode => C::IllegalVerificationCode,
            Self::BindErrorDev => C::BindErrorDevice,
            Self::ExcedMaxBindNum => C::ExceedMaxBindNum,
            Self::NotSetPhoneNo => C::PhoneNotSet,
        })
    }
}

impl fmt::Display for CommandResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lock-out bookkeeping a device adds to a refused command (reference §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LockInfo {
    /// `RetryTimes`: attempts left before the device locks.
    pub retry_times: Option<u32>,
    /// `SurplusLockTime`: minutes until the lock expires.
    pub surplus_lock_minutes: Option<u32>,
    /// `RetryModifyTime`: attempts left, as `update` reports them.
    pub retry_modify_times: Option<u32>,
}

impl LockInfo {
    /// Attempts left, from whichever counter the device sent.
    pub fn attempts_left(&self) -> Option<u32> {
        self.retry_times.or(self.retry_modify_times)
    }

    /// Time until the lock expires.
    pub fn retry_after(&self) -> Option<Duration> {
        self.surplus_lock_minutes
            .map(|m| Duration::from_secs(u64::from(m) * 60))
    }
}

/// Turns a refused command into the most specific [`Error`] (see the module table).
///
/// `user` is the admin user name the password belongs to (SADP does not send it; `"admin"` unless
/// the device reports another `UserName`).
pub fn command_error(
    types: &ProbeType,
    result: &CommandResult,
    lock: LockInfo,
    user: &str,
) -> Error {
    match result {
        CommandResult::PasswordError => Error::CredentialsRejected {
            user: user.to_owned(),
            attempts_left: lock.attempts_left(),
        },
        CommandResult::Locked => Error::Locked {
            user: user.to_owned(),
            retry_after: lock.retry_after(),
        },
        CommandResult::NotActivated => Error::NotActivated,
        CommandResult::HasActivated => Error::AlreadyActivated,
        other => {
            let code = other.error_code();
            let status_code = match other {
                CommandResult::Failed | CommandResult::Other(_) => 3,
                CommandResult::Denied
                | CommandResult::NotSetMailBox
                | CommandResult::NotSetPhoneNo
                | CommandResult::NotExist
                | CommandResult::BindErrorDev
                | CommandResult::ExcedMaxBindNum => 4,
                _ => 6,
            };
            let mut msg = code
                .map(|c| c.meaning().to_owned())
                .unwrap_or_else(|| "the device refused the command".to_owned());
            if let Some(n) = lock.attempts_left() {
                msg.push_str(&format!(
                    " ({n} attempt{} left before lock-out)",
                    if n == 1 { "" } else { "s" }
                ));
            }
            Error::Device {
                request: format!("SADP {types}"),
                http_status: 0,
                status: Box::new(ResponseStatus {
                    request_url: None,
                    status_code,
                    status_string: match code {
                        Some(c) => format!("SADP error {}", c.code()),
                        None => "SADP error".to_owned(),
                    },
                    sub_status_code: other.as_str().to_owned(),
                    error_code: 0,
                    error_msg: Some(msg),
                    ..ResponseStatus::default()
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_2020_is_risky_password() {
        for c in SadpErrorCode::ALL {
            assert_eq!(SadpErrorCode::from_code(c.code()), Some(*c));
            assert!(!c.meaning().is_empty());
        }
        assert_eq!(SadpErrorCode::ALL.len(), 44);
        assert_eq!(
            SadpErrorCode::from_code(2020),
            Some(SadpErrorCode::RiskPassword)
        );
        assert!(
            SadpErrorCode::RiskPassword
                .to_string()
                .starts_with("SADP error 2020: risky password")
        );
        assert_eq!(SadpErrorCode::from_code(2029), None);
        assert_eq!(SadpErrorCode::from_code(2000), None);
        assert_eq!(SadpErrorCode::from_code(2049), None);
    }

    #[test]
    fn result_tokens() {
        assert_eq!(CommandResult::parse("CodeError"), CommandResult::CodeError);
        assert_eq!(
            CommandResult::parse(" codeError\r\n"),
            CommandResult::CodeError
        );
        assert_eq!(
            CommandResult::parse("invalidguid"),
            CommandResult::InvalidGuid
        );
        assert_eq!(
            CommandResult::parse("weird"),
            CommandResult::Other("weird".into())
        );
        assert!(CommandResult::parse("success").is_success());
        for (r, w) in RESULTS {
            assert_eq!(r.as_str(), *w);
        }
    }

    #[test]
    fn errors_are_typed() {
        let lock = LockInfo {
            retry_times: Some(3),
            ..LockInfo::default()
        };
        let e = command_error(
            &ProbeType::Update,
            &CommandResult::PasswordError,
            lock,
            "admin",
        );
        assert!(matches!(
            e,
            Error::CredentialsRejected {
                attempts_left: Some(3),
                ..
            }
        ));
        let locked = LockInfo {
            surplus_lock_minutes: Some(30),
            ..LockInfo::default()
        };
        let e = command_error(&ProbeType::Update, &CommandResult::Locked, locked, "admin");
        match e {
            Error::Locked { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(1800)))
            }
            other => panic!("{other:?}"),
        }
        let e = command_error(
            &ProbeType::Activate,
            &CommandResult::RiskPassword,
            LockInfo::default(),
            "admin",
        );
        assert_eq!(
            SadpErrorCode::from_error(&e),
            Some(SadpErrorCode::RiskPassword)
        );
        let shown = e.to_string();
        assert!(shown.contains("SADP activate"), "{shown}");
        assert!(shown.contains("2020"), "{shown}");
        assert!(shown.contains("riskPassword"), "{shown}");
        let e = command_error(&ProbeType::Reset, &CommandResult::CodeError, lock, "admin");
        assert_eq!(
            SadpErrorCode::from_error(&e),
            Some(SadpErrorCode::InvalidResetCode)
        );
        assert!(e.to_string().contains("3 attempts left"));
    }
}
