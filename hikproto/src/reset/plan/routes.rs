//! The assessment of each route, from the combined facts.

use super::{PrerequisiteState, RecoveryFacts, RouteAssessment, RouteStatus, TransportState};
use crate::reset::method::{Fact, Prerequisite, ResetMethod, Transport};

/// Collects facts with their provenance for one method.
#[derive(Default)]
struct Sources {
    facts: Vec<Fact>,
    evidence: Vec<String>,
}

impl Sources {
    fn add(&mut self, source: &str, flag: &str, value: Option<bool>) {
        if let Some(v) = value {
            self.evidence.push(format!("{source}: {flag}={v}"));
        }
        self.facts.push(Fact::from_option(value));
    }

    fn fact(&self) -> Fact {
        Fact::any(self.facts.iter().copied())
    }
}

const EXT: &str = "ISAPI extern capabilities";
const CAP: &str = "ISAPI SecurityCap";
const SADP: &str = "SADP ProbeMatch";
const TYPES: &str = "SADP getPasswordResetType";
const ISAPI_CFG: &str = "ISAPI configuration";

/// Assesses every route, self-service first, destructive last.
pub(super) fn assess_all(facts: &RecoveryFacts) -> Vec<RouteAssessment> {
    let ext = facts.extern_caps.clone().unwrap_or_default();
    let cap = facts.security_caps.clone().unwrap_or_default();
    let sadp = facts.sadp.clone().unwrap_or_default();
    let types = sadp.configured.unwrap_or_default();
    let password = Fact::from_option(facts.password_known);
    let lan = Fact::from_option(facts.same_lan);
    let mut routes = Vec::new();

    // Security questions.
    let (mut isapi, mut sadp_s, mut cfg) =
        (Sources::default(), Sources::default(), Sources::default());
    isapi.add(
        EXT,
        "isSupportWithSecurityQuestion",
        ext.with_security_question,
    );
    isapi.add(
        CAP,
        "isSupportSecurityQuestionConfig",
        cap.security_question_config,
    );
    sadp_s.add(
        SADP,
        "SupportSecurityQuestion",
        sadp.support_security_question,
    );
    cfg.add(
        ISAPI_CFG,
        "questionConfiguration marks",
        facts.questions_configured,
    );
    cfg.add(TYPES, "SecurityQuestionEnabled", types.security_question);
    routes.push(self_service(
        ResetMethod::SecurityQuestions,
        &isapi,
        &sadp_s,
        &cfg,
        Prerequisite::QuestionsSet,
        cfg.fact(),
        password,
        vec!["Type the answers exactly as they were set.".into()],
    ));

    // GUID file.
    let (mut isapi, mut sadp_s, mut cfg) =
        (Sources::default(), Sources::default(), Sources::default());
    isapi.add(EXT, "isSupportWithGUIDFileData", ext.with_guid_file_data);
    isapi.add(CAP, "isSupportGUIDFileDataExport", cap.guid_file_export);
    sadp_s.add(SADP, "SupportGUID", sadp.support_guid);
    cfg.add("caller", "GUID file at hand", facts.guid_file_on_hand);
    cfg.add(TYPES, "GuidFileDataEnabled", types.guid_file);
    let on_hand = match facts.guid_file_on_hand {
        Some(b) => Fact::from(b),
        None if types.guid_file == Some(false) => Fact::No,
        None => Fact::Unknown,
    };
    routes.push(self_service(
        ResetMethod::GuidFile,
        &isapi,
        &sadp_s,
        &cfg,
        Prerequisite::GuidFileExported,
        on_hand,
        password,
        vec![
            "Real devices allow about 7 wrong GUID files, then block the route for 30 minutes."
                .into(),
        ],
    ));

    // Hik-Connect app.
    let (mut isapi, mut sadp_s, mut cfg) =
        (Sources::default(), Sources::default(), Sources::default());
    isapi.add(EXT, "isSupportWithHCApp", ext.with_hc_app);
    isapi.add(
        CAP,
        "isSupportResetPasswordBySecurityPhoneNo",
        cap.reset_by_phone_no,
    );
    sadp_s.add(SADP, "SupportResetPwByPhoneNo", sadp.support_reset_by_phone);
    cfg.add(ISAPI_CFG, "EZVIZ bindStatus=bind", facts.hik_connect_bound);
    cfg.add(SADP, "EZVIZBindStatus bound", sadp.hc_bound);
    cfg.add(
        TYPES,
        "HCVerificationCodeEnabled",
        types.hc_verification_code,
    );
    let mut notes = vec![
            "Log in to the Hik-Connect (or Hik-Partner Pro) account the device is bound to, then More → Reset Device Password and scan the QR code."
                .to_owned(),
            "The device does not need to be online on Hik-Connect for this.".to_owned(),
        ];
    if facts.hik_connect_enabled == Some(false) {
        notes.push("Hik-Connect platform access is disabled on the device.".into());
    }
    routes.push(self_service(
        ResetMethod::HikConnectApp,
        &isapi,
        &sadp_s,
        &cfg,
        Prerequisite::BoundToHikConnect,
        cfg.fact(),
        password,
        notes,
    ));

    // Reserved e-mail.
    let (mut isapi, mut sadp_s, mut cfg) =
        (Sources::default(), Sources::default(), Sources::default());
    isapi.add(EXT, "isSupportWithSecurityEmail", ext.with_security_email);
    isapi.add(CAP, "isSupportSecurityEmail", cap.security_email);
    sadp_s.add(SADP, "SupportMailBox", sadp.support_mailbox);
    cfg.add(
        ISAPI_CFG,
        "email/parameter address set",
        facts.email_configured,
    );
    cfg.add(TYPES, "SecurityEmailEnabled", types.security_email);
    routes.push(self_service(
        ResetMethod::ReservedEmail,
        &isapi,
        &sadp_s,
        &cfg,
        Prerequisite::ReservedEmailSet,
        cfg.fact(),
        password,
        vec![
            "The mailed code is valid 48 hours; a reboot or an e-mail change invalidates it."
                .into(),
        ],
    ));

    // Key file through vendor support.
    let mut src = Sources::default();
    src.add(SADP, "PasswordResetModeSecond", sadp.reset_mode_second);
    src.add(CAP, "isSupportResetPasswordFile", cap.reset_password_file);
    let sadp_fact = Fact::from_option(sadp.reset_mode_second);
    routes.push(assess(
            ResetMethod::SupportKeyFile,
            src.fact(),
            None,
            vec![TransportState {
                transport: Transport::Sadp,
                available: sadp_fact,
            }],
            vec![
                state(Prerequisite::SameLan, lan),
                state(Prerequisite::VendorSupport, Fact::Unknown),
                state(Prerequisite::NoRebootBetween, Fact::Unknown),
            ],
            src.evidence,
            vec![
                "The export expires after 24 or 48 hours depending on the device; a new export invalidates earlier replies.".into(),
                "Do not reboot the device between export and import.".into(),
            ],
            password,
        ));

    // QR key through vendor support (SADP 3.0 only).
    let mut evidence = Vec::new();
    let qr = match (sadp.reset_mode_second, sadp.speaks_v31()) {
        (Some(false), _) => Fact::No,
        (_, Some(true)) => {
            evidence.push(format!(
                "{SADP}: SADPVersion={}",
                sadp.sadp_versions.join(",")
            ));
            Fact::No
        }
        (Some(true), Some(false)) => Fact::Yes,
        _ => Fact::Unknown,
    };
    if let Some(v) = sadp.reset_mode_second {
        evidence.push(format!("{SADP}: PasswordResetModeSecond={v}"));
    }
    routes.push(assess(
        ResetMethod::SupportQrKey,
        qr,
        None,
        vec![TransportState {
            transport: Transport::Sadp,
            available: qr,
        }],
        vec![
            state(Prerequisite::SameLan, lan),
            state(Prerequisite::VendorSupport, Fact::Unknown),
            state(Prerequisite::NoRebootBetween, Fact::Unknown),
        ],
        evidence,
        vec!["Protocol 3.1 devices do not offer the QR key; use the key file.".into()],
        password,
    ));

    // Factory reset over ISAPI.
    let speaks_isapi = facts.extern_caps.is_some() || facts.security_caps.is_some();
    let fr = if speaks_isapi {
        Fact::Yes
    } else {
        Fact::Unknown
    };
    routes.push(assess(
        ResetMethod::FactoryReset,
        fr,
        None,
        vec![TransportState {
            transport: Transport::Isapi,
            available: fr,
        }],
        vec![state(Prerequisite::PasswordKnown, password)],
        if speaks_isapi {
            vec!["ISAPI: the device answered capability requests".into()]
        } else {
            vec![]
        },
        vec![
            "mode=basic keeps network and user settings (the password does not change).".into(),
            "mode=full restores everything; the device must be activated again.".into(),
        ],
        password,
    ));

    // Restore inactive over SADP.
    let mut src = Sources::default();
    src.add(
        SADP,
        "SupportRestoreInactive",
        sadp.support_restore_inactive,
    );
    let ri = src.fact();
    routes.push(assess(
        ResetMethod::RestoreInactive,
        ri,
        None,
        vec![TransportState {
            transport: Transport::Sadp,
            available: ri,
        }],
        vec![
            state(Prerequisite::PasswordKnown, password),
            state(Prerequisite::SameLan, lan),
        ],
        src.evidence,
        vec!["The device keeps its settings but must be activated again.".into()],
        password,
    ));

    // Reset button.
    routes.push(assess(
            ResetMethod::ResetButton,
            Fact::Unknown,
            None,
            vec![TransportState {
                transport: Transport::OnSite,
                available: Fact::Unknown,
            }],
            vec![state(Prerequisite::PhysicalAccess, Fact::Unknown)],
            vec![],
            vec![
                "Not every model has one. Power off, hold the button, power on, keep holding about 15 s.".into(),
                "Factory state: the device is inactive afterwards; a recorder's cameras may need adding again.".into(),
            ],
            password,
        ));

    // Legacy security code: reported only when advertised.
    if sadp.legacy_reset_ability == Some(true) {
        routes.push(RouteAssessment {
                method: ResetMethod::LegacySecurityCode,
                status: RouteStatus::NotImplemented,
                supported: Fact::Yes,
                configured: None,
                transports: vec![TransportState {
                    transport: Transport::Sadp,
                    available: Fact::Yes,
                }],
                prerequisites: vec![],
                evidence: vec![format!("{SADP}: ResetAbility=true")],
                notes: vec![
                    "Not implemented by design: the code is derived from the serial number and date and bypasses the owner's authentication.".into(),
                ],
                provenance: Vec::new(),
                unverified: false,
            });
    }
    routes
}

fn state(prerequisite: Prerequisite, met: Fact) -> PrerequisiteState {
    PrerequisiteState { prerequisite, met }
}

#[allow(clippy::too_many_arguments)]
fn self_service(
    method: ResetMethod,
    isapi: &Sources,
    sadp: &Sources,
    cfg: &Sources,
    prereq: Prerequisite,
    prereq_met: Fact,
    password: Fact,
    notes: Vec<String>,
) -> RouteAssessment {
    let supported = Fact::any([isapi.fact(), sadp.fact()]);
    let evidence = [&isapi.evidence, &sadp.evidence, &cfg.evidence]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    assess(
        method,
        supported,
        Some(cfg.fact()),
        vec![
            TransportState {
                transport: Transport::Isapi,
                available: isapi.fact(),
            },
            TransportState {
                transport: Transport::Sadp,
                available: sadp.fact(),
            },
        ],
        vec![state(prereq, prereq_met)],
        evidence,
        notes,
        password,
    )
}

#[allow(clippy::too_many_arguments)]
fn assess(
    method: ResetMethod,
    supported: Fact,
    configured: Option<Fact>,
    transports: Vec<TransportState>,
    prerequisites: Vec<PrerequisiteState>,
    evidence: Vec<String>,
    notes: Vec<String>,
    password: Fact,
) -> RouteAssessment {
    let unmet: Vec<Prerequisite> = prerequisites
        .iter()
        .filter(|p| p.met.is_no())
        .map(|p| p.prerequisite)
        .collect();
    let status = if supported.is_no() {
        RouteStatus::Unsupported
    } else if unmet.is_empty() {
        if supported.is_yes() && prerequisites.iter().all(|p| p.met.is_yes()) {
            RouteStatus::Ready
        } else {
            RouteStatus::Possible
        }
    } else if password.is_yes() && unmet.iter().all(|p| p.preparable()) {
        RouteStatus::NeedsPreparation
    } else {
        RouteStatus::Blocked
    };
    RouteAssessment {
        method,
        status,
        supported,
        configured,
        transports,
        prerequisites,
        evidence,
        notes,
        provenance: Vec::new(),
        unverified: false,
    }
}
