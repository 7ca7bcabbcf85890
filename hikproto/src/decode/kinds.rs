//! The table of document kinds [`super::decode_any`] recognises: one row per model, with the
//! root elements (XML, matched by local name whatever the namespace) or top-level keys (JSON)
//! that select it.

use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::session::SessionLoginCap;
use crate::error::{Error, Result};
use crate::isapi::activation::{self, ActivateStatus};
use crate::isapi::capabilities::{DeviceCap, NetworkCap, SecurityCap};
use crate::isapi::device_info::DeviceInfo;
use crate::isapi::ehome::Ehome;
use crate::isapi::ezviz::Ezviz;
use crate::isapi::network::{self, AdminAccesses, IpAddressing};
use crate::isapi::security::{ExternSecurityCap, SecurityEmail, SecurityQuestions};
use crate::isapi::status::ResponseStatus;
use crate::isapi::time::{NtpServer, NtpServers, Time};
use crate::isapi::user_check::UserCheck;
use crate::isapi::users;
use crate::xml::{Element, FromXml};

/// Decodes a parsed XML document into the model's JSON.
pub(super) type XmlFn = fn(&Element) -> Result<Value>;
/// Decodes a JSON document into the model's JSON.
pub(super) type JsonFn = fn(&Value) -> Result<Value>;

/// One document kind hikproto models.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Kind {
    /// The kind's name as printed by `decode` (and accepted by `--kind`).
    pub name: &'static str,
    /// Root elements (local names) of the XML form; the first is the documented one.
    pub roots: &'static [&'static str],
    /// Top-level keys of the JSON form.
    pub json_keys: &'static [&'static str],
    /// Where devices serve it, or what it is.
    pub summary: &'static str,
    #[serde(skip)]
    pub(super) xml: Option<XmlFn>,
    #[serde(skip)]
    pub(super) json: Option<JsonFn>,
}

pub(super) fn to_value<T: Serialize>(kind: &str, v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::decode(kind, e))
}

fn model<T: FromXml + Serialize>(el: &Element) -> Result<Value> {
    to_value(T::ROOT, &T::from_element(el)?)
}

fn session_cap(el: &Element) -> Result<Value> {
    let c = SessionLoginCap::from_element(el)?;
    // the session id becomes the session cookie on version-1 firmware: never shown
    Ok(json!({
        "sessionID": if c.session_id.is_empty() { "" } else { "[redacted]" },
        "challenge": c.challenge,
        "iterations": c.iterations,
        "isIrreversible": c.is_irreversible,
        "salt": c.salt,
        "salt2": c.salt2,
        "sessionIDVersion": c.session_id_version,
        "isSupportSessionTag": c.is_support_session_tag,
    }))
}

const fn xml(
    name: &'static str,
    roots: &'static [&'static str],
    summary: &'static str,
    f: XmlFn,
) -> Kind {
    Kind {
        name,
        roots,
        json_keys: &[],
        summary,
        xml: Some(f),
        json: None,
    }
}

/// Every kind of ISAPI document (XML or JSON) the core models.
pub(super) const ISAPI_KINDS: &[Kind] = &[
    xml(
        "DeviceInfo",
        &["DeviceInfo"],
        "GET /ISAPI/System/deviceInfo",
        model::<DeviceInfo>,
    ),
    xml(
        "DeviceCap",
        &["DeviceCap"],
        "GET /ISAPI/System/capabilities",
        model::<DeviceCap>,
    ),
    xml(
        "SecurityCap",
        &["SecurityCap"],
        "GET /ISAPI/Security/capabilities",
        model::<SecurityCap>,
    ),
    xml(
        "NetworkCap",
        &["NetworkCap"],
        "GET /ISAPI/System/Network/capabilities",
        model::<NetworkCap>,
    ),
    xml(
        "ExternSecurityCap",
        &[
            "externSecurityCap",
            "ExternSecurityCap",
            "RestAdminPassWord",
        ],
        "GET /ISAPI/Security/extern/capabilities (reset methods)",
        |el| to_value("ExternSecurityCap", &ExternSecurityCap::from_element(el)?),
    ),
    xml(
        "SessionLoginCap",
        &["SessionLoginCap"],
        "GET /ISAPI/Security/sessionLogin/capabilities",
        session_cap,
    ),
    xml(
        "AdminAccesses",
        &["AdminAccessProtocolList"],
        "GET /ISAPI/Security/adminAccesses",
        model::<AdminAccesses>,
    ),
    Kind {
        name: "ActivateStatus",
        roots: &["ActivateStatus"],
        json_keys: &["ActivateStatus"],
        summary: "GET /SDK/activateStatus",
        xml: Some(model::<ActivateStatus>),
        json: Some(|v| to_value("ActivateStatus", &ActivateStatus::from_json(v)?)),
    },
    xml(
        "ActivationChallenge",
        &["Challenge", "PublicKey"],
        "POST /ISAPI/Security/challenge answer",
        |el| Ok(json!({ "key": activation::challenge_key(el)? })),
    ),
    xml(
        "Ezviz",
        &["EZVIZ"],
        "GET /ISAPI/System/Network/EZVIZ (the verification code is never shown)",
        model::<Ezviz>,
    ),
    xml(
        "Ehome",
        &["Ehome"],
        "GET /ISAPI/System/Network/Ehome (the key is never shown)",
        model::<Ehome>,
    ),
    xml(
        "NetworkInterfaces",
        &["NetworkInterfaceList", "NetworkInterface"],
        "GET /ISAPI/System/Network/interfaces",
        |el| to_value("NetworkInterfaceList", &network::interfaces(el)?),
    ),
    xml(
        "IpAddress",
        &["IPAddress"],
        "GET /ISAPI/System/Network/interfaces/<id>/ipAddress",
        model::<IpAddressing>,
    ),
    xml("Time", &["Time"], "GET /ISAPI/System/time", model::<Time>),
    xml(
        "NtpServers",
        &["NTPServerList"],
        "GET /ISAPI/System/time/ntpServers",
        model::<NtpServers>,
    ),
    xml(
        "NtpServer",
        &["NTPServer"],
        "GET /ISAPI/System/time/ntpServers/<id>",
        model::<NtpServer>,
    ),
    xml(
        "Users",
        &["UserList", "User"],
        "GET /ISAPI/Security/users (passwords are never read)",
        |el| to_value("UserList", &users::users(el)?),
    ),
    xml(
        "SecurityQuestions",
        &["SecurityQuestion"],
        "GET /ISAPI/Security/questionConfiguration (answers are never returned)",
        |el| to_value("SecurityQuestion", &SecurityQuestions::from_element(el)?),
    ),
    xml(
        "UserCheck",
        &["userCheck", "UserCheck"],
        "401 body and login check",
        |el| to_value("UserCheck", &UserCheck::from_any(el)),
    ),
    Kind {
        name: "ResponseStatus",
        roots: &["ResponseStatus"],
        json_keys: &["ResponseStatus", "statusCode"],
        summary: "the answer to every write, and every error",
        xml: Some(model::<ResponseStatus>),
        json: Some(|v| to_value("ResponseStatus", &ResponseStatus::from_json_value(v)?)),
    },
    Kind {
        name: "SecurityEmail",
        roots: &[],
        json_keys: &["SecurityEmail"],
        summary: "GET /ISAPI/Security/email/parameter?format=json",
        xml: None,
        json: Some(|v| to_value("SecurityEmail", &SecurityEmail::from_json(v))),
    },
];

/// Kinds recognised by other means than an ISAPI root: SADP datagrams and reset files.
pub(super) const OTHER_KINDS: &[Kind] = &[
    other("SadpProbe", &["Probe"], "SADP request (secrets redacted)"),
    other(
        "SadpProbeMatch",
        &["ProbeMatch"],
        "SADP discovery answer (inquiry)",
    ),
    other("SadpHello", &["Hello"], "SADP announcement"),
    other(
        "SadpReply",
        &["ProbeMatch"],
        "SADP command reply (secrets redacted)",
    ),
    other(
        "ResetSidecar",
        &[],
        "the JSON sidecar hikproto writes beside a reset file",
    ),
    other(
        "GuidFile",
        &[],
        "an exported GUID file (binary, 128 or 512 bytes; only its size is shown)",
    ),
];

const fn other(name: &'static str, roots: &'static [&'static str], summary: &'static str) -> Kind {
    Kind {
        name,
        roots,
        json_keys: &[],
        summary,
        xml: None,
        json: None,
    }
}

/// The ISAPI kind whose XML root is `root`.
pub(super) fn by_root(root: &str) -> Option<&'static Kind> {
    ISAPI_KINDS.iter().find(|k| k.roots.contains(&root))
}

/// The ISAPI kind a JSON document belongs to, by its keys.
pub(super) fn by_json(v: &Value) -> Option<(&'static Kind, JsonFn)> {
    let obj = v.as_object()?;
    ISAPI_KINDS.iter().find_map(|k| {
        let f = k.json?;
        k.json_keys
            .iter()
            .any(|key| obj.contains_key(*key))
            .then_some((k, f))
    })
}

/// The kind named `name` (case-insensitive).
pub(super) fn by_name(name: &str) -> Option<&'static Kind> {
    ISAPI_KINDS
        .iter()
        .chain(OTHER_KINDS)
        .find(|k| k.name.eq_ignore_ascii_case(name))
}
