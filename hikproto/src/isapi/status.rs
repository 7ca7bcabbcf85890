//! `ResponseStatus`: the result and error document of every ISAPI write, in XML and JSON, and the
//! error dictionary that names its `subStatusCode`/`errorCode` pairs.
//!
//! Keys on `statusCode` and `subStatusCode` first: some devices send `errorCode` 0 on failures.
//! `errorCode` is a `u32` because batch codes (`0x8000000x`) exceed `i32`.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::xml::{Element, FromXml};

/// The decoded `ResponseStatus` document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseStatus {
    /// The request URL the device echoes, when it does; a query string is replaced by
    /// `?<redacted>` (it may carry a secret such as `loginPassword`).
    pub request_url: Option<String>,
    /// `statusCode`: 1 OK, 2 busy, 3 device error, 4 invalid operation, 5 invalid format,
    /// 6 invalid content, 7 reboot required, 8 batch, 9 additional error.
    pub status_code: u32,
    /// `statusString`, for example `Invalid Operation`.
    pub status_string: String,
    /// `subStatusCode`, for example `notSupport`.
    pub sub_status_code: String,
    /// `errorCode`: the dictionary's hex code sent as a decimal number (0 when absent).
    pub error_code: u32,
    /// `errorMsg`, free text.
    pub error_msg: Option<String>,
    /// `id` returned by a POST that created something.
    pub id: Option<String>,
    /// `retryTimes` (or `retryLoginTime`): attempts left before a lock, on refusals that count
    /// attempts (the `AuthenticationFailed` form, wrong reset answers, GUID files or codes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_times: Option<u32>,
    /// `lockStatus`: `lock`/`locked` → true, `unlock` → false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// `resLockTime` (or `unlockTime`): seconds until the lock lifts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_remaining_secs: Option<u64>,
}

impl ResponseStatus {
    /// True for statusCode 0 or 1 (OK) and 7 (saved, reboot required).
    pub fn is_success(&self) -> bool {
        matches!(self.status_code, 0 | 1 | 7)
    }

    /// True when the device says the change takes effect after a reboot (statusCode 7).
    pub fn reboot_required(&self) -> bool {
        self.status_code == 7
    }

    /// The dictionary entry for this status, when known.
    pub fn dictionary(&self) -> Option<&'static DictEntry> {
        lookup(self.status_code, &self.sub_status_code, self.error_code)
    }

    /// A one-line plain-words description.
    pub fn describe(&self) -> String {
        let meaning = self
            .dictionary()
            .map(|d| d.meaning)
            .or(self.error_msg.as_deref())
            .unwrap_or("");
        let mut s = format!("{} {}", self.status_code, self.status_string);
        if !self.sub_status_code.is_empty() {
            s.push_str(&format!(" ({})", self.sub_status_code));
        }
        if self.error_code != 0 {
            s.push_str(&format!(" [0x{:08X}]", self.error_code));
        }
        if !meaning.is_empty() {
            s.push_str(": ");
            s.push_str(meaning);
        }
        if let Some(n) = self.retry_times {
            s.push_str(&format!(
                " ({n} attempt{} left)",
                if n == 1 { "" } else { "s" }
            ));
        }
        s
    }

    /// Decodes the JSON form: a flat object, or one wrapped as `{"ResponseStatus": {...}}`.
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v: serde_json::Value =
            serde_json::from_slice(input).map_err(|e| Error::decode("ResponseStatus (JSON)", e))?;
        Self::from_json_value(&v)
    }

    /// Decodes the JSON form from an already-parsed value.
    pub fn from_json_value(v: &serde_json::Value) -> Result<Self> {
        const WHAT: &str = "ResponseStatus (JSON)";
        let obj = v.get("ResponseStatus").unwrap_or(v);
        let obj = obj
            .as_object()
            .ok_or_else(|| Error::decode(WHAT, "not an object"))?;
        let num = |k: &str| -> Option<u32> {
            obj.get(k).and_then(|x| {
                x.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .or_else(|| x.as_i64().map(|n| n as u32))
                    .or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()))
            })
        };
        let s = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let status_code = num("statusCode")
            .or_else(|| num("statusValue").map(http_to_status_code))
            .ok_or_else(|| Error::decode(WHAT, "missing statusCode"))?;
        Ok(Self {
            request_url: s("requestURL").map(|u| redact_query(&u)),
            status_code,
            status_string: s("statusString").unwrap_or_default(),
            sub_status_code: s("subStatusCode").unwrap_or_default(),
            error_code: num("errorCode").unwrap_or(0),
            error_msg: s("errorMsg").filter(|m| !m.is_empty()),
            id: obj.get("id").map(|x| match x {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            retry_times: num("retryTimes").or_else(|| num("retryLoginTime")),
            locked: s("lockStatus").map(|l| is_locked(&l)),
            lock_remaining_secs: num("resLockTime")
                .or_else(|| num("unlockTime"))
                .map(u64::from),
        })
    }

    /// Turns a non-success status into an [`Error`]; success passes through.
    pub fn into_result(self, request: &str, http_status: u16) -> Result<Self> {
        if self.is_success() {
            return Ok(self);
        }
        Err(status_error(self, request, http_status))
    }
}

/// Maps a refused `ResponseStatus` onto the most specific [`Error`] variant.
pub fn status_error(status: ResponseStatus, request: &str, http_status: u16) -> Error {
    match status.sub_status_code.as_str() {
        "notSupport" => Error::NotSupported {
            what: request.to_owned(),
        },
        "notActivated" => Error::NotActivated,
        "hasActivated" => Error::AlreadyActivated,
        _ => Error::Device {
            request: request.to_owned(),
            http_status,
            status: Box::new(status),
        },
    }
}

/// `url` with its query string (if any) replaced by `?<redacted>`.
pub fn redact_query(url: &str) -> String {
    match url.split_once('?') {
        Some((path, _)) => format!("{path}?<redacted>"),
        None => url.to_owned(),
    }
}

fn is_locked(s: &str) -> bool {
    let s = s.trim().to_ascii_lowercase();
    s == "lock" || s == "locked"
}

fn http_to_status_code(http: u32) -> u32 {
    match http {
        200 => 1,
        401 | 403 => 4,
        _ => 3,
    }
}

impl FromXml for ResponseStatus {
    const ROOT: &'static str = "ResponseStatus";

    fn from_element(el: &Element) -> Result<Self> {
        let status_code = el
            .num_at::<u32>("statusCode")
            .ok_or_else(|| Error::decode(Self::ROOT, "missing or invalid <statusCode>"))?;
        Ok(Self {
            request_url: el.string_at("requestURL").map(|u| redact_query(&u)),
            status_code,
            status_string: el.string_at("statusString").unwrap_or_default(),
            sub_status_code: el.string_at("subStatusCode").unwrap_or_default(),
            error_code: el
                .num_at::<u32>("errorCode")
                .or_else(|| el.num_at::<i64>("errorCode").map(|n| n as u32))
                .unwrap_or(0),
            error_msg: el.string_at("errorMsg"),
            id: el.string_at("id"),
            retry_times: el
                .num_at("retryTimes")
                .or_else(|| el.num_at("retryLoginTime")),
            locked: el.text_at("lockStatus").map(is_locked),
            lock_remaining_secs: el.num_at("resLockTime").or_else(|| el.num_at("unlockTime")),
        })
    }
}

impl ResponseStatus {
    /// Builds the XML document (used by the simulator and by tests).
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut el = Element::new("ResponseStatus");
        if let Some(ns) = namespace {
            el = el.with_namespace(ns);
        }
        if let Some(u) = &self.request_url {
            el = el.push_text("requestURL", u.clone());
        }
        el = el
            .push_text("statusCode", self.status_code.to_string())
            .push_text("statusString", self.status_string.clone())
            .push_text("subStatusCode", self.sub_status_code.clone());
        if self.error_code != 0 {
            el = el.push_text("errorCode", self.error_code.to_string());
        }
        if let Some(m) = &self.error_msg {
            el = el.push_text("errorMsg", m.clone());
        }
        if let Some(id) = &self.id {
            el = el.push_text("id", id.clone());
        }
        if let Some(l) = self.locked {
            el = el.push_text("lockStatus", if l { "locked" } else { "unlock" });
        }
        if let Some(n) = self.retry_times {
            el = el.push_text("retryTimes", n.to_string());
        }
        if let Some(t) = self.lock_remaining_secs {
            el = el.push_text("resLockTime", t.to_string());
        }
        el
    }

    /// Builds a status from the dictionary entry for `sub_status_code` (first match).
    pub fn from_dictionary(sub_status_code: &str) -> Self {
        match DICTIONARY.iter().find(|d| d.sub_status == sub_status_code) {
            Some(d) => Self {
                status_code: d.status_code,
                status_string: status_string(d.status_code).to_owned(),
                sub_status_code: d.sub_status.to_owned(),
                error_code: d.error_code,
                error_msg: Some(d.meaning.to_owned()),
                ..Self::default()
            },
            None => Self {
                status_code: 4,
                status_string: status_string(4).to_owned(),
                sub_status_code: sub_status_code.to_owned(),
                ..Self::default()
            },
        }
    }

    /// The plain OK status.
    pub fn ok() -> Self {
        Self {
            status_code: 1,
            status_string: "OK".into(),
            sub_status_code: "ok".into(),
            error_code: 1,
            ..Self::default()
        }
    }
}

/// The conventional `statusString` for a `statusCode`.
pub fn status_string(code: u32) -> &'static str {
    match code {
        0 | 1 => "OK",
        2 => "Device Busy",
        3 => "Device Error",
        4 => "Invalid Operation",
        5 => "Invalid XML Format",
        6 => "Invalid XML Content",
        7 => "Reboot Required",
        8 => "Batch Operation",
        9 => "Additional Error",
        _ => "Unknown",
    }
}

/// One row of the device error dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DictEntry {
    /// `statusCode` the row belongs to.
    pub status_code: u32,
    /// `subStatusCode` token, spelled as devices send it.
    pub sub_status: &'static str,
    /// `errorCode`.
    pub error_code: u32,
    /// Meaning in plain words.
    pub meaning: &'static str,
}

macro_rules! dict {
    ($( $sc:literal, $sub:literal, $code:literal, $meaning:literal; )*) => {
        /// The rows of the device error dictionary hikproto knows (the ones in its scope).
        pub static DICTIONARY: &[DictEntry] = &[
            $( DictEntry { status_code: $sc, sub_status: $sub, error_code: $code, meaning: $meaning }, )*
        ];
    };
}

dict! {
    1, "ok", 0x1, "Succeeded.";
    1, "riskPassword", 0x1000_0002, "Risky password (accepted with a warning).";
    1, "illegalPassword", 0x1000_0004, "Invalid password: it cannot contain the user name.";
    2, "noMemory", 0x2000_0001, "Not enough memory.";
    2, "serviceUnavailable", 0x2000_0002, "Service is not available.";
    2, "upgrading", 0x2000_0003, "The device is upgrading.";
    2, "deviceBusy", 0x2000_0004, "The device is busy or not responding.";
    2, "networkError", 0x2000_0009, "Network error.";
    3, "deviceError", 0x3000_0001, "Device hardware error.";
    3, "badFlash", 0x3000_0002, "Flash operation error.";
    3, "passwordDecodeError", 0x3000_0008, "Decrypting the password failed.";
    3, "passwordEncryptError", 0x3000_0009, "Encrypting the password failed.";
    3, "captureTimeout", 0x3000_6000, "Data collection timed out.";
    4, "notSupport", 0x4000_0001, "Not supported.";
    4, "badAuthorization", 0x4000_0003, "Authentication failed.";
    4, "methodNotAllowed", 0x4000_0004, "Invalid HTTP method.";
    4, "invalidOperation", 0x4000_0006, "Invalid input command.";
    4, "notActivated", 0x4000_0007, "The device is not activated.";
    4, "hasActivated", 0x4000_0008, "The device is already activated.";
    4, "maxSessionUserLink", 0x4000_000B, "Too many users are logged in.";
    4, "loginPasswordError", 0x4000_000C, "Incorrect login password.";
    4, "verifyError", 0x4000_0019, "Verification failed.";
    4, "invalidID", 0x4000_1008, "Invalid ID.";
    4, "needReAuthentication", 0x4000_1013, "Authentication is required after an upgrade.";
    4, "userExist", 0x4000_1043, "The user already exists.";
    4, "userCannotDelAdmin", 0x4000_1044, "The administrator cannot be deleted.";
    4, "userInexistence", 0x4000_1045, "The user name does not exist.";
    4, "userMaxNum", 0x4000_1047, "No more users can be added.";
    4, "pwdErrorLoginFailed", 0x4000_1055, "Login failed: check the user name and password.";
    4, "NTPUnconnect", 0x4000_105C, "Connecting to the NTP server failed.";
    4, "SessionExpired", 0x4000_10A7, "The session expired.";
    4, "passError", 0x4000_10E7, "Incorrect password.";
    4, "cannotSameAsOldPassword", 0x4000_10E8, "The new password cannot be the same as the old one.";
    4, "originalPassError", 0x4000_10E9, "Incorrect old password.";
    4, "sesssionUserReachesLimit", 0x4000_10EC, "No more users can log in through sessions.";
    4, "theSessionIdDoesNotExist", 0x4000_1135, "The session ID does not exist.";
    4, "noSetSecurityEmail", 0x4000_118F, "The security e-mail address is not set.";
    4, "dns1dns2CanNotSame", 0x4000_1198, "Primary and alternate DNS cannot be the same.";
    4, "ipcIsLocking", 0x4000_11B2, "The network camera is locked.";
    4, "ipcNotActivated", 0x4000_11B3, "The network camera is not activated.";
    4, "NVRNotSupportResetPassword", 0x4000_11B8, "The NVR does not support resetting the password.";
    4, "resetPasswordTypeException", 0x4000_11BA, "Getting the camera's reset-password type failed.";
    4, "IPCNotSupportResetPassword", 0x4000_11BB, "The network camera does not support resetting the password.";
    4, "operationFailureWithoutLogin", 0x4000_11F2, "Operation failed: log in first.";
    4, "channelRiskPassword", 0x4000_1262, "The channel's default password is risky.";
    4, "userNameLocked", 0x4000_1A19, "The user name is locked.";
    4, "noMemory", 0x4000_202A, "Not enough memory.";
    4, "wrongPassword", 0x4000_2058, "Wrong password; try again.";
    4, "MaxPassword attempts", 0x4000_2090, "Too many attempts; try again in 30 minutes.";
    4, "loginNumLimit", 0x4000_2135, "Too many users trying to log in.";
    4, "passwordCheckFailed", 0x4000_50C2, "Verifying the password failed.";
    5, "badXmlFormat", 0x5000_0001, "XML format error.";
    5, "badJsonFormat", 0x5000_0002, "JSON format error.";
    5, "badURLFormat", 0x5000_0003, "URL format error.";
    6, "badParameters", 0x6000_0001, "Parameter error.";
    6, "badXmlContent", 0x6000_0003, "Invalid XML content.";
    6, "badIPv4Address", 0x6000_0004, "Invalid IPv4 address.";
    6, "badPort", 0x6000_000B, "Port conflict.";
    6, "portError", 0x6000_000C, "Port error.";
    6, "badVersion", 0x6000_000F, "Version mismatch.";
    6, "incorrentUserNameOrPassword", 0x6000_0012, "Incorrect user name or password.";
    6, "riskPassword", 0x6000_0015, "Risky password (rejected).";
    6, "badJsonContent", 0x6000_0017, "Incorrect JSON message.";
    6, "MessageParametersLack", 0x6000_0019, "A message parameter is missing.";
    6, "passwordMustContainMorethan8Characters", 0x6000_0021, "The password needs at least 8 characters.";
    6, "userPwdLenUnder8", 0x6000_0022, "The password needs two types of characters.";
    6, "userPwdNameSame", 0x6000_0023, "The user name and password cannot be the same.";
    6, "userPwdNameMirror", 0x6000_0024, "The password cannot be the user name reversed.";
    6, "checkCodeError", 0x6000_0033, "Verification code error.";
    6, "badDns", 0x6000_004C, "Incorrect DNS.";
    6, "SEQConfigNumError", 0x6000_0055, "Wrong number of security questions.";
    6, "ResetErrorNoSEQ", 0x6000_0056, "Reset not allowed: no security questions are set.";
    6, "ResetPasswordIllegal", 0x6000_0057, "Invalid reset password.";
    6, "SEQCertificateUnmatch", 0x6000_0058, "Incorrect answer.";
    6, "GUIDFileDataUnmatch", 0x6000_0059, "GUID file mismatch.";
    6, "illegalVerificationCode", 0x6000_005A, "Invalid verification code.";
    6, "lackVerificationCode", 0x6000_005B, "A verification code is required.";
    6, "passwordLenNoMoreThan16", 0x6000_005F, "The password cannot be longer than 16 characters.";
    6, "loginPasswordError", 0x6000_0061, "Incorrect login password.";
    6, "forbiddenIP", 0x6000_0070, "The IP address is forbidden.";
    6, "emailFormatError", 0x6000_1028, "Incorrect e-mail format.";
    6, "securityCodeFormatError", 0x6000_1029, "Incorrect verification-code format.";
    6, "invalidEZVIZSecretKey", 0x6000_1034, "Invalid Hik-Connect (EZVIZ) verification code.";
    6, "needDoubleVerification", 0x6000_1042, "Double authentication required.";
    6, "illegalPassword", 0x6000_2020, "Invalid password: it cannot contain the user name.";
    6, "passwordMustContainMorethan2Types", 0x6000_6046, "The password must contain two types of characters.";
    7, "rebootRequired", 0x7000_0001, "Saved; takes effect after a reboot.";
    7, "autoReboot", 0x7000_0002, "Saved; the device reboots by itself.";
    8, "notAllSuccess", 0x8000_0001, "Batch partly succeeded.";
    8, "allSuccess", 0x8000_0002, "Batch succeeded.";
    8, "allFailed", 0x8000_0003, "Batch failed.";
}

/// Finds the dictionary row: by `errorCode` when non-zero, else by (`statusCode`, `subStatusCode`).
pub fn lookup(status_code: u32, sub_status: &str, error_code: u32) -> Option<&'static DictEntry> {
    if error_code > 1 {
        if let Some(d) = DICTIONARY.iter().find(|d| d.error_code == error_code) {
            return Some(d);
        }
    }
    DICTIONARY
        .iter()
        .find(|d| d.status_code == status_code && d.sub_status == sub_status)
        .or_else(|| DICTIONARY.iter().find(|d| d.sub_status == sub_status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_request_url_loses_its_query() {
        let x = br#"<ResponseStatus><requestURL>/ISAPI/Security/users/3?loginPassword=Hunter2x!</requestURL><statusCode>4</statusCode><subStatusCode>loginPasswordError</subStatusCode></ResponseStatus>"#;
        let st = ResponseStatus::from_xml(x).unwrap();
        assert_eq!(
            st.request_url.as_deref(),
            Some("/ISAPI/Security/users/3?<redacted>")
        );
        let e = st
            .into_result("DELETE /ISAPI/Security/users/3", 200)
            .unwrap_err();
        assert!(!format!("{e} {e:?}").contains("Hunter2x"));
        let j =
            br#"{"requestURL":"/a?loginPassword=Hunter2x!","statusCode":4,"subStatusCode":"x"}"#;
        let st = ResponseStatus::from_json(j).unwrap();
        assert_eq!(st.request_url.as_deref(), Some("/a?<redacted>"));
        assert_eq!(redact_query("/plain/path"), "/plain/path");
    }

    #[test]
    fn xml_and_json_forms() {
        let x = br#"<ResponseStatus version="2.0" xmlns="urn:psialliance-org"><statusCode>4</statusCode><statusString>Invalid Operation</statusString><subStatusCode>notSupport</subStatusCode><errorCode>1073741825</errorCode></ResponseStatus>"#;
        let a = ResponseStatus::from_xml(x).unwrap();
        assert_eq!(a.status_code, 4);
        assert_eq!(a.dictionary().unwrap().sub_status, "notSupport");
        let j = br#"{"ResponseStatus":{"statusCode":8,"statusString":"Batch Operation","subStatusCode":"notAllSuccess","errorCode":2147483649}}"#;
        let b = ResponseStatus::from_json(j).unwrap();
        assert_eq!(b.error_code, 0x8000_0001);
        let c = ResponseStatus::from_json(
            br#"{"statusCode":4,"subStatusCode":"notSupport","errorCode":0}"#,
        )
        .unwrap();
        assert_eq!(c.dictionary().unwrap().error_code, 0x4000_0001);
    }

    #[test]
    fn lock_bookkeeping_fields() {
        let x = br#"<ResponseStatus><statusCode>6</statusCode><subStatusCode>SEQCertificateUnmatch</subStatusCode><retryTimes>4</retryTimes></ResponseStatus>"#;
        let st = ResponseStatus::from_xml(x).unwrap();
        assert_eq!(st.retry_times, Some(4));
        assert_eq!(st.locked, None);
        assert!(
            st.describe().ends_with("(4 attempts left)"),
            "{}",
            st.describe()
        );
        let j = br#"{"statusCode":4,"subStatusCode":"badAuthorization","lockStatus":"locked","resLockTime":"600","retryTimes":0}"#;
        let st = ResponseStatus::from_json(j).unwrap();
        assert_eq!(
            (st.locked, st.lock_remaining_secs, st.retry_times),
            (Some(true), Some(600), Some(0))
        );
        let again = ResponseStatus::from_element(&st.to_element(None)).unwrap();
        assert_eq!(again, st);
        let plain = ResponseStatus::ok();
        assert!(
            !serde_json::to_string(&plain)
                .unwrap()
                .contains("retryTimes")
        );
    }

    #[test]
    fn same_token_under_two_codes() {
        assert_eq!(
            lookup(6, "riskPassword", 0).unwrap().error_code,
            0x6000_0015
        );
        assert_eq!(
            lookup(1, "riskPassword", 0).unwrap().error_code,
            0x1000_0002
        );
    }

    #[test]
    fn maps_to_typed_errors() {
        let e = ResponseStatus::from_dictionary("notSupport").into_result("GET /x", 403);
        assert!(matches!(e, Err(Error::NotSupported { .. })));
        let e = ResponseStatus::from_dictionary("hasActivated").into_result("PUT /x", 403);
        assert!(matches!(e, Err(Error::AlreadyActivated)));
        assert!(
            ResponseStatus::from_dictionary("rebootRequired")
                .into_result("PUT /x", 200)
                .unwrap()
                .reboot_required()
        );
    }
}
