//! The recovery plan: which routes a device offers, which are set up, and what each still needs.
//!
//! [`RecoveryPlan::from_facts`] is a pure function of [`RecoveryFacts`]. The facts come from
//! ISAPI ([`Device::recovery_facts`](crate::Device::recovery_facts) gathers them), from SADP
//! ([`RecoveryFacts::with_sadp`], filled from a `ProbeMatch`) and from the caller (whether a
//! GUID file is at hand). Sources are combined per method: a method is supported when any
//! interface says so, and unknown when none says anything.

use serde::Serialize;

use super::method::{Fact, Prerequisite, ResetMethod, Transport};
use super::sadp_facts::SadpResetFacts;
use crate::isapi::security::{ExternSecurityCap, ResetCapabilities};

/// Identity of the device the facts describe.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSummary {
    /// Full serial number.
    pub serial: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// `deviceType` (`IPCamera`, `NVR`, `DVR`, …).
    pub device_type: Option<String>,
    /// Firmware version.
    pub firmware: Option<String>,
}

impl DeviceSummary {
    /// True for recorders (`NVR`, `DVR`, `HybirdNVR`, …), which can have cameras behind them.
    pub fn is_recorder(&self) -> bool {
        self.device_type.as_deref().is_some_and(|t| {
            let t = t.to_ascii_uppercase();
            t.contains("NVR") || t.contains("DVR") || t.contains("CVR")
        })
    }
}

/// Everything known about a device's recovery options. Start from `Default` and fill what you
/// know; `None` means unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryFacts {
    /// Who the device is.
    pub device: DeviceSummary,
    /// `GET /ISAPI/Security/extern/capabilities` (readable without the password).
    pub extern_caps: Option<ExternSecurityCap>,
    /// The reset flags of `SecurityCap` (needs the password).
    pub security_caps: Option<ResetCapabilities>,
    /// Security questions are answered (`questionConfiguration` marks).
    pub questions_configured: Option<bool>,
    /// A reserved e-mail address is set.
    pub email_configured: Option<bool>,
    /// The device is bound to a Hik-Connect account (`EZVIZ/bindStatus`).
    pub hik_connect_bound: Option<bool>,
    /// Hik-Connect platform access is enabled (`EZVIZ/enabled`).
    pub hik_connect_enabled: Option<bool>,
    /// The caller holds a GUID file exported from this device.
    pub guid_file_on_hand: Option<bool>,
    /// The caller is on the device's LAN segment (it answered SADP).
    pub same_lan: Option<bool>,
    /// The admin password is known (credentials were accepted).
    pub password_known: Option<bool>,
    /// What SADP said, when the device was discovered.
    pub sadp: Option<SadpResetFacts>,
    /// What could not be read, and why (for the report; never secrets).
    pub gaps: Vec<String>,
}

impl RecoveryFacts {
    /// Adds SADP facts; a SADP answer also proves the caller is on the same LAN.
    #[must_use]
    pub fn with_sadp(mut self, sadp: SadpResetFacts) -> Self {
        if self.device.serial.is_none() {
            self.device.serial.clone_from(&sadp.serial);
        }
        self.same_lan = Some(true);
        self.sadp = Some(sadp);
        self
    }

    /// Records whether a GUID file for this device is at hand.
    #[must_use]
    pub fn with_guid_file_on_hand(mut self, on_hand: bool) -> Self {
        self.guid_file_on_hand = Some(on_hand);
        self
    }
}

/// Where a route stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RouteStatus {
    /// Supported and every prerequisite is known to hold.
    Ready,
    /// Nothing known to be missing, but something is not known (try it).
    Possible,
    /// A prerequisite is missing that can be set up now, with the admin password.
    NeedsPreparation,
    /// A prerequisite is missing and cannot be set up now.
    Blocked,
    /// The device says it does not offer this method.
    Unsupported,
    /// The device offers it, but hikproto does not implement it by design.
    NotImplemented,
}

/// One prerequisite and whether it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrerequisiteState {
    /// The condition.
    pub prerequisite: Prerequisite,
    /// Whether it holds.
    pub met: Fact,
}

/// One interface a route can run over, and whether the device offers the route there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransportState {
    /// The interface.
    pub transport: Transport,
    /// Whether the device offers the route over it.
    pub available: Fact,
}

/// The assessment of one recovery route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteAssessment {
    /// The method.
    pub method: ResetMethod,
    /// Where it stands.
    pub status: RouteStatus,
    /// Whether the device offers it at all.
    pub supported: Fact,
    /// Whether it is set up on the device (`None`: nothing to set up).
    pub configured: Option<Fact>,
    /// The interfaces it can run over.
    pub transports: Vec<TransportState>,
    /// What it needs.
    pub prerequisites: Vec<PrerequisiteState>,
    /// The facts the assessment rests on (`source: flag=value`).
    pub evidence: Vec<String>,
    /// Advice and caveats.
    pub notes: Vec<String>,
}

impl RouteAssessment {
    /// True for `Ready` and `Possible`.
    pub fn usable(&self) -> bool {
        matches!(self.status, RouteStatus::Ready | RouteStatus::Possible)
    }
}

/// The recovery plan for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlan {
    /// Who the device is.
    pub device: DeviceSummary,
    /// Every route, self-service first, destructive last.
    pub routes: Vec<RouteAssessment>,
    /// `minResetAdminPassWordNum`: how many methods the device wants configured.
    pub min_methods_required: Option<u32>,
    /// Self-service methods known to be set up.
    pub methods_configured: Vec<ResetMethod>,
    /// Whether an NVR can push a new password to its cameras during a reset.
    pub sync_camera_passwords: Fact,
    /// Things to act on.
    pub warnings: Vec<String>,
    /// What could not be read.
    pub gaps: Vec<String>,
}

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

impl RecoveryPlan {
    /// Assesses every route from the facts. Pure: no I/O.
    pub fn from_facts(facts: &RecoveryFacts) -> Self {
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
            vec!["Answers are case-sensitive as typed when they were set.".into()],
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
            });
        }

        Self::finish(facts, routes, &ext, &cap, &sadp)
    }

    fn finish(
        facts: &RecoveryFacts,
        routes: Vec<RouteAssessment>,
        ext: &ExternSecurityCap,
        cap: &ResetCapabilities,
        sadp: &SadpResetFacts,
    ) -> Self {
        let methods_configured: Vec<ResetMethod> = routes
            .iter()
            .filter(|r| r.configured == Some(Fact::Yes) && r.supported != Fact::No)
            .map(|r| r.method)
            .collect();
        let sync = Fact::any([
            Fact::from_option(cap.sync_ipc_password),
            Fact::from_option(cap.reset_channel_password),
            Fact::from_option(sadp.sync_ipc_password),
        ]);
        let mut warnings = Vec::new();
        let password_known = facts.password_known == Some(true);
        if let Some(min) = ext.min_reset_methods {
            let have = methods_configured.len() as u32;
            if have < min {
                warnings.push(format!(
                    "the device wants at least {min} reset method(s) configured; {have} known to be"
                ));
            }
        }
        if password_known {
            let prep: Vec<&str> = routes
                .iter()
                .filter(|r| r.status == RouteStatus::NeedsPreparation)
                .map(|r| r.method.label())
                .collect();
            if !prep.is_empty() {
                warnings.push(format!(
                    "while the password is known, set up: {}",
                    prep.join(", ")
                ));
            }
        } else if !routes
            .iter()
            .any(|r| r.usable() && r.method.keeps_configuration())
        {
            warnings.push(
                "no route that keeps the configuration is known to be usable: contact vendor support, or reset to factory state"
                    .into(),
            );
        }
        if facts.device.is_recorder() && sync.is_no() {
            warnings.push(
                "this recorder cannot push a new password to its cameras: reset them separately"
                    .into(),
            );
        }
        Self {
            device: facts.device.clone(),
            routes,
            min_methods_required: ext.min_reset_methods,
            methods_configured,
            sync_camera_passwords: sync,
            warnings,
            gaps: facts.gaps.clone(),
        }
    }

    /// The assessment of one method, if the plan lists it.
    pub fn route(&self, method: ResetMethod) -> Option<&RouteAssessment> {
        self.routes.iter().find(|r| r.method == method)
    }

    /// The route to try first: a `Ready` one that keeps the configuration, else a `Possible`
    /// one, else a usable destructive one.
    pub fn recommended(&self) -> Option<ResetMethod> {
        let pick = |status: RouteStatus, keeps: bool| {
            self.routes
                .iter()
                .find(|r| r.status == status && r.method.keeps_configuration() == keeps)
                .map(|r| r.method)
        };
        pick(RouteStatus::Ready, true)
            .or_else(|| pick(RouteStatus::Possible, true))
            .or_else(|| pick(RouteStatus::Ready, false))
            .or_else(|| pick(RouteStatus::Possible, false))
    }
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
    }
}
