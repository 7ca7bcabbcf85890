//! Where each protocol operation hikproto speaks comes from: documented by the vendor, seen on
//! real devices, or inferred.
//!
//! One table, [`OPERATIONS`], for every operation the client performs over ISAPI or SADP and the
//! reset-file conventions it relies on, with the reference section it rests on (the project's
//! protocol references tag each fact `[docs]`, `[code]`/`[obs]` or `[inf]`). The recovery plan
//! carries the rows of each route ([`for_method`]); the command line, the C and the Python
//! documentation say "unverified on real firmware" for the inferred ones; and an inferred
//! route that a device refuses in a way that suggests a wrong request says so
//! ([`inferred_refusal_hint`]).
//!
//! ```
//! use hikproto::provenance::{self, Provenance};
//! let op = provenance::lookup("isapi.reset_with_guid_file").unwrap();
//! assert_eq!(op.provenance, Provenance::Inferred);
//! assert!(provenance::lookup("isapi.device_info").unwrap().provenance.is_verified());
//! ```

use serde::Serialize;

use crate::error::Error;
use crate::isapi::status::ResponseStatus;
use crate::reset::ResetMethod;

/// The words shown beside an inferred operation.
pub const UNVERIFIED: &str = "unverified on real firmware";

/// Where to report an inferred operation that a device refused.
pub const REPORT_URL: &str = "https://github.com/hikproto/hikproto/issues";

/// How an operation's request format is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Provenance {
    /// The vendor documents it (developer guides, error dictionary, manuals).
    Documented,
    /// Seen on real devices: captures, or clients and SDKs written against real firmware.
    Observed,
    /// Inferred from related operations; not checked on a real device.
    Inferred,
}

impl Provenance {
    /// False for [`Provenance::Inferred`].
    pub fn is_verified(self) -> bool {
        self != Self::Inferred
    }

    /// A short label: `documented by the vendor`, `seen on real devices` or
    /// [`UNVERIFIED`].
    pub fn label(self) -> &'static str {
        match self {
            Self::Documented => "documented by the vendor",
            Self::Observed => "seen on real devices",
            Self::Inferred => UNVERIFIED,
        }
    }
}

/// One protocol operation and how it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Stable identifier, `isapi.<method>`, `sadp.<command>` or `file.<convention>`.
    pub id: &'static str,
    /// The request (method and path, SADP `Types`, or the file convention).
    pub request: &'static str,
    /// How it is known.
    pub provenance: Provenance,
    /// What exactly is inferred (empty when nothing is).
    pub inferred: &'static str,
    /// The reference section the row rests on.
    pub reference: &'static str,
}

impl Operation {
    /// `request — label` with what is inferred, for help texts and reports.
    pub fn describe(&self) -> String {
        if self.inferred.is_empty() {
            format!("{} — {}", self.request, self.provenance.label())
        } else {
            format!(
                "{} — {} ({})",
                self.request,
                self.provenance.label(),
                self.inferred
            )
        }
    }
}

const fn op(
    id: &'static str,
    request: &'static str,
    provenance: Provenance,
    inferred: &'static str,
    reference: &'static str,
) -> Operation {
    Operation {
        id,
        request,
        provenance,
        inferred,
        reference,
    }
}

use Provenance::{Documented, Inferred, Observed};

/// Every operation, ISAPI first, then SADP, then reset-file conventions.
pub const OPERATIONS: &[Operation] = &[
    op(
        "isapi.device_info",
        "GET /ISAPI/System/deviceInfo",
        Documented,
        "",
        "isapi.md §8.8",
    ),
    op(
        "isapi.capabilities",
        "GET /ISAPI/System/capabilities",
        Observed,
        "",
        "isapi.md §1, §5.1",
    ),
    op(
        "isapi.security_capabilities",
        "GET /ISAPI/Security/capabilities",
        Observed,
        "",
        "isapi.md §1",
    ),
    op(
        "isapi.session_login",
        "GET /ISAPI/Security/sessionLogin/capabilities, POST /ISAPI/Security/sessionLogin",
        Observed,
        "",
        "isapi.md §2.3",
    ),
    op(
        "isapi.activation_status",
        "GET /SDK/activateStatus",
        Observed,
        "",
        "isapi.md §4.1",
    ),
    op(
        "isapi.activate",
        "POST /ISAPI/Security/challenge, PUT /ISAPI/System/activate",
        Documented,
        "",
        "isapi.md §4.2",
    ),
    op(
        "isapi.activate_v3",
        "POST /ISAPI/System/activate/StartActivateV3?format=json",
        Observed,
        "",
        "isapi.md §4.4",
    ),
    op(
        "isapi.ezviz",
        "GET/PUT /ISAPI/System/Network/EZVIZ",
        Observed,
        "",
        "isapi.md §5.2",
    ),
    op(
        "isapi.ehome",
        "GET/PUT /ISAPI/System/Network/Ehome",
        Documented,
        "",
        "isapi.md §5.4",
    ),
    op(
        "isapi.network",
        "GET/PUT /ISAPI/System/Network/interfaces",
        Documented,
        "",
        "isapi.md §6",
    ),
    op(
        "isapi.admin_accesses",
        "GET/PUT /ISAPI/Security/adminAccesses",
        Documented,
        "",
        "isapi.md §6",
    ),
    op(
        "isapi.time",
        "GET/PUT /ISAPI/System/time, /ISAPI/System/time/ntpServers",
        Documented,
        "",
        "isapi.md §6",
    ),
    op(
        "isapi.users",
        "GET/POST/PUT/DELETE /ISAPI/Security/users",
        Documented,
        "",
        "isapi.md §7",
    ),
    op(
        "isapi.extern_security_capabilities",
        "GET /ISAPI/Security/extern/capabilities",
        Documented,
        "",
        "isapi.md §8.1",
    ),
    op(
        "isapi.security_questions",
        "GET/PUT /ISAPI/Security/questionConfiguration",
        Documented,
        "",
        "isapi.md §8.2",
    ),
    op(
        "isapi.reset_with_security_answers",
        "PUT /ISAPI/Security/questionCertification",
        Inferred,
        "the method and the body: the path is seen in the web UI, the document is the configuration one reused",
        "isapi.md §8.2",
    ),
    op(
        "isapi.export_guid_file",
        "PUT /ISAPI/Security/GUIDFileData",
        Observed,
        "",
        "isapi.md §8.3",
    ),
    op(
        "isapi.reset_with_guid_file",
        "PUT /ISAPI/Security/GUIDFileData/certification",
        Inferred,
        "the path and the body: the import endpoint was not found in public material",
        "isapi.md §8.3",
    ),
    op(
        "isapi.security_email",
        "GET/PUT /ISAPI/Security/email/parameter?format=json",
        Documented,
        "",
        "isapi.md §8.4",
    ),
    op(
        "isapi.email_reset_qr",
        "GET /ISAPI/Security/email/qrCode?format=json",
        Documented,
        "the answer's field names",
        "isapi.md §8.4",
    ),
    op(
        "isapi.reset_with_email_code",
        "PUT /ISAPI/Security/emailCertification?format=json",
        Inferred,
        "the body: the path is documented, its fields are not",
        "isapi.md §8.4",
    ),
    op(
        "isapi.app_reset_qr",
        "GET /ISAPI/Security/resetPassword/GetPhoneNoQRCode?format=json",
        Documented,
        "that recorders use the access-control path",
        "isapi.md §8.6",
    ),
    op(
        "isapi.reset_with_app_code",
        "PUT /ISAPI/Security/resetPassword/ResetPasswordByPhoneNoSecurityCode?format=json",
        Inferred,
        "the body, and that recorders use the access-control path",
        "isapi.md §8.6",
    ),
    op(
        "isapi.factory_reset",
        "PUT /ISAPI/System/factoryReset?mode=…",
        Documented,
        "",
        "isapi.md §8.7",
    ),
    op(
        "isapi.reboot",
        "PUT /ISAPI/System/reboot",
        Documented,
        "",
        "isapi.md §8.7",
    ),
    op(
        "sadp.inquiry",
        "SADP inquiry → ProbeMatch",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1",
    ),
    op(
        "sadp.exchange_code",
        "SADP exchangecode",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.activate",
        "SADP activate",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.update_network",
        "SADP update",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.encrypt_string",
        "SADP getencryptstring",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.3",
    ),
    op(
        "sadp.reset_with_code",
        "SADP reset (Code, Password)",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.3",
    ),
    op(
        "sadp.export_guid",
        "SADP ExportGUID",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.6",
    ),
    op(
        "sadp.reset_by_guid",
        "SADP GUIDReset",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.6",
    ),
    op(
        "sadp.security_questions",
        "SADP getsecurityquestion / setsecurityquestion",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.reset_by_answers",
        "SADP AnswerReset",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.1",
    ),
    op(
        "sadp.set_mailbox",
        "SADP SetMailBox",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.mail_reset",
        "SADP GetQRcodes / MailReset",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.1",
    ),
    op(
        "sadp.phone_reset_qr",
        "SADP GetPhoneNoQRCode",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.1",
    ),
    op(
        "sadp.reset_by_phone_code",
        "SADP PhoneNoReset (protocol 3.0)",
        Inferred,
        "only PhoneNoReset_v31 is known; the 3.0 form mirrors MailReset",
        "sadp-reset-hikconnect.md §1.3, §5 item 1",
    ),
    op(
        "sadp.password_reset_types",
        "SADP getPasswordResetType",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.hik_connect",
        "SADP SetHCPlatform / SetVerificationCode / ezvizUnbind / getUnbindStatus",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3, §3.3",
    ),
    op(
        "sadp.restore_inactive",
        "SADP restoreInactive",
        Observed,
        "",
        "sadp-reset-hikconnect.md §1.3",
    ),
    op(
        "sadp.binary_length",
        "binary SADP header byte 3 (length)",
        Inferred,
        "read as the length from two sizes; the parser does not rely on it",
        "sadp-reset-hikconnect.md §1.8",
    ),
    op(
        "file.support_reply_name",
        "support's reply file Encrypt_<short serial>_<suffix>.xml",
        Inferred,
        "the name pattern, from one sample",
        "sadp-reset-hikconnect.md §2.3",
    ),
    op(
        "file.key_export",
        "exported key file (the encrypted string, verbatim)",
        Observed,
        "",
        "sadp-reset-hikconnect.md §2.3",
    ),
];

/// The row `id`, if the table has it.
pub fn lookup(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.id == id)
}

/// The rows a reset route uses, over every interface it can run on.
pub fn for_method(method: ResetMethod) -> Vec<&'static Operation> {
    let ids: &[&str] = match method {
        ResetMethod::SecurityQuestions => &[
            "isapi.security_questions",
            "isapi.reset_with_security_answers",
            "sadp.security_questions",
            "sadp.reset_by_answers",
        ],
        ResetMethod::GuidFile => &[
            "isapi.export_guid_file",
            "isapi.reset_with_guid_file",
            "sadp.export_guid",
            "sadp.reset_by_guid",
        ],
        ResetMethod::HikConnectApp => &[
            "isapi.app_reset_qr",
            "isapi.reset_with_app_code",
            "sadp.phone_reset_qr",
            "sadp.reset_by_phone_code",
        ],
        ResetMethod::ReservedEmail => &[
            "isapi.security_email",
            "isapi.email_reset_qr",
            "isapi.reset_with_email_code",
            "sadp.set_mailbox",
            "sadp.mail_reset",
        ],
        ResetMethod::SupportKeyFile => &[
            "sadp.encrypt_string",
            "file.key_export",
            "file.support_reply_name",
            "sadp.reset_with_code",
        ],
        ResetMethod::SupportQrKey => &["sadp.encrypt_string", "sadp.reset_with_code"],
        ResetMethod::FactoryReset => &["isapi.factory_reset"],
        ResetMethod::RestoreInactive => &["sadp.restore_inactive"],
        ResetMethod::ResetButton | ResetMethod::LegacySecurityCode => &[],
    };
    ids.iter().filter_map(|id| lookup(id)).collect()
}

/// The inferred rows of a route.
pub fn inferred_for(method: ResetMethod) -> Vec<&'static Operation> {
    for_method(method)
        .into_iter()
        .filter(|o| !o.provenance.is_verified())
        .collect()
}

/// Whether an HTTP status or ISAPI `statusCode`/`subStatusCode` suggests the device did not
/// understand the request (rather than refusing its content): 400, 404, 405, 501; ISAPI status
/// 4 `notSupport`/`invalidOperation`, 5 `badXmlFormat`, 6 `badXmlContent`/`badParameters`.
pub fn suggests_wrong_request(
    http: Option<u16>,
    status_code: Option<u32>,
    sub: Option<&str>,
) -> bool {
    let http_says = matches!(http, Some(400 | 404 | 405 | 501));
    let sub_says = sub.is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        [
            "notsupport",
            "invalidoperation",
            "badxml",
            "badparameters",
            "badjson",
            "methodnotallowed",
        ]
        .iter()
        .any(|k| s.contains(k))
    });
    let code_says = matches!(status_code, Some(5 | 6)) || (status_code == Some(4) && sub.is_none());
    http_says || sub_says || code_says
}

/// The note an error carries when operation `id` is inferred and the device's answer suggests
/// the request format is wrong; `None` for a verified operation.
///
/// ```
/// let hint = hikproto::provenance::inferred_refusal_hint("isapi.reset_with_guid_file").unwrap();
/// assert!(hint.contains("inferred"));
/// assert!(hikproto::provenance::inferred_refusal_hint("isapi.reboot").is_none());
/// ```
pub fn inferred_refusal_hint(id: &str) -> Option<String> {
    let op = lookup(id).filter(|o| !o.provenance.is_verified())?;
    Some(format!(
        "this route's request format is inferred ({}: {}) and {UNVERIFIED}; the device's answer \
         suggests it differs on this firmware; please report the model, firmware and this \
         message at {REPORT_URL}",
        op.request, op.inferred
    ))
}

/// [`suggests_wrong_request`] for a refusal; a SADP refusal (HTTP status 0) suggests it when the
/// device gave only a generic failure (status 3) or a format error (status 6).
fn refusal_suggests_wrong_request(http_status: u16, status: &ResponseStatus) -> bool {
    if http_status == 0 {
        return matches!(status.status_code, 3 | 6);
    }
    let sub = Some(status.sub_status_code.as_str()).filter(|s| !s.is_empty());
    suggests_wrong_request(Some(http_status), Some(status.status_code), sub)
}

/// Adds [`inferred_refusal_hint`] to an error from operation `id` when the operation is inferred
/// and the device's answer suggests it did not understand the request (see
/// [`suggests_wrong_request`]); any other error is returned unchanged.
pub fn annotate(id: &str, e: Error) -> Error {
    let Some(hint) = inferred_refusal_hint(id) else {
        return e;
    };
    match e {
        Error::Device {
            request,
            http_status,
            status,
        } if refusal_suggests_wrong_request(http_status, &status) => Error::Device {
            request: format!("{request} ({hint})"),
            http_status,
            status,
        },
        Error::NotSupported { what } => Error::NotSupported {
            what: format!("{what} ({hint})"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_inferred_rows_say_what() {
        let mut ids: Vec<_> = OPERATIONS.iter().map(|o| o.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for o in OPERATIONS {
            assert_eq!(o.provenance == Inferred, !o.provenance.is_verified());
            if o.provenance == Inferred {
                assert!(!o.inferred.is_empty(), "{}", o.id);
                assert!(o.describe().contains(UNVERIFIED), "{}", o.id);
            }
            assert!(o.reference.contains('§'), "{}", o.id);
        }
    }

    #[test]
    fn every_self_service_route_has_rows() {
        for m in ResetMethod::ALL {
            let rows = for_method(m);
            let manual = matches!(
                m,
                ResetMethod::ResetButton | ResetMethod::LegacySecurityCode
            );
            assert_eq!(rows.is_empty(), manual, "{m:?}");
        }
        // the routes the references mark inferred
        for (m, id) in [
            (ResetMethod::GuidFile, "isapi.reset_with_guid_file"),
            (
                ResetMethod::SecurityQuestions,
                "isapi.reset_with_security_answers",
            ),
            (ResetMethod::ReservedEmail, "isapi.reset_with_email_code"),
            (ResetMethod::HikConnectApp, "isapi.reset_with_app_code"),
            (ResetMethod::HikConnectApp, "sadp.reset_by_phone_code"),
            (ResetMethod::SupportKeyFile, "file.support_reply_name"),
        ] {
            assert!(inferred_for(m).iter().any(|o| o.id == id), "{m:?} {id}");
        }
        assert!(inferred_for(ResetMethod::FactoryReset).is_empty());
    }

    #[test]
    fn wrong_request_signals() {
        assert!(suggests_wrong_request(Some(404), None, None));
        assert!(suggests_wrong_request(
            Some(400),
            Some(6),
            Some("badXmlContent")
        ));
        assert!(suggests_wrong_request(
            Some(200),
            Some(4),
            Some("notSupport")
        ));
        assert!(!suggests_wrong_request(
            Some(200),
            Some(4),
            Some("SEQCertificateUnmatch")
        ));
        assert!(!suggests_wrong_request(Some(401), None, None));
        assert!(!suggests_wrong_request(
            Some(403),
            Some(4),
            Some("GUIDFileDataUnmatch")
        ));
    }

    #[test]
    fn errors_of_inferred_routes_say_so() {
        let refused = |sub: &str| Error::Device {
            request: "PUT /ISAPI/Security/GUIDFileData/certification".into(),
            http_status: 400,
            status: Box::new(ResponseStatus {
                status_code: 6,
                sub_status_code: sub.into(),
                ..ResponseStatus::default()
            }),
        };
        let e = annotate("isapi.reset_with_guid_file", refused("badXmlContent"));
        let text = e.to_string();
        assert!(text.contains("request format is inferred"), "{text}");
        assert!(text.contains("please report"), "{text}");
        assert!(matches!(
            e,
            Error::Device {
                http_status: 400,
                ..
            }
        ));
        // a verified route, or a refusal about the content (wrong GUID), stays as it was
        let plain = annotate("isapi.reboot", refused("badXmlContent")).to_string();
        assert!(!plain.contains("inferred"), "{plain}");
        let wrong_guid = Error::Device {
            request: "PUT x".into(),
            http_status: 403,
            status: Box::new(ResponseStatus {
                status_code: 4,
                sub_status_code: "GUIDFileDataUnmatch".into(),
                ..ResponseStatus::default()
            }),
        };
        let text = annotate("isapi.reset_with_guid_file", wrong_guid).to_string();
        assert!(!text.contains("inferred"), "{text}");
        let missing = annotate(
            "isapi.reset_with_email_code",
            Error::NotSupported {
                what: "PUT y".into(),
            },
        );
        assert!(missing.to_string().contains("please report"));
        // SADP: a generic failure of the inferred 3.0 PhoneNoReset says so; a wrong code does not
        let sadp = |code: u32, sub: &str| Error::Device {
            request: "SADP PhoneNoReset".into(),
            http_status: 0,
            status: Box::new(ResponseStatus {
                status_code: code,
                sub_status_code: sub.into(),
                ..ResponseStatus::default()
            }),
        };
        let text = annotate("sadp.reset_by_phone_code", sadp(3, "failed")).to_string();
        assert!(text.contains("request format is inferred"), "{text}");
        let text = annotate("sadp.reset_by_phone_code", sadp(4, "denied")).to_string();
        assert!(!text.contains("inferred"), "{text}");
    }
}
