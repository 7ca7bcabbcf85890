//! Table-driven tests of [`RecoveryPlan::from_facts`].

use super::{RecoveryFacts, RecoveryPlan, RouteStatus};
use crate::isapi::security::{ExternSecurityCap, ResetCapabilities};
use crate::reset::method::{Fact, Prerequisite, ResetMethod, Transport};
use crate::reset::sadp_facts::{SadpConfiguredTypes, SadpResetFacts};

use ResetMethod::*;
use RouteStatus::*;

fn ext(q: Option<bool>, g: Option<bool>, e: Option<bool>, hc: Option<bool>) -> ExternSecurityCap {
    ExternSecurityCap {
        with_security_question: q,
        with_guid_file_data: g,
        with_security_email: e,
        with_hc_app: hc,
        ..ExternSecurityCap::default()
    }
}

fn status(plan: &RecoveryPlan, m: ResetMethod) -> RouteStatus {
    plan.route(m)
        .unwrap_or_else(|| panic!("{m:?} missing"))
        .status
}

struct Case {
    name: &'static str,
    facts: RecoveryFacts,
    want: Vec<(ResetMethod, RouteStatus)>,
    recommended: Option<ResetMethod>,
    warning_contains: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let all_yes = ext(Some(true), Some(true), Some(true), Some(true));
    vec![
        Case {
            name: "nothing known",
            facts: RecoveryFacts::default(),
            want: vec![
                (SecurityQuestions, Possible),
                (GuidFile, Possible),
                (HikConnectApp, Possible),
                (ReservedEmail, Possible),
                (SupportKeyFile, Possible),
                (FactoryReset, Possible),
                (ResetButton, Possible),
            ],
            recommended: Some(SecurityQuestions),
            warning_contains: None,
        },
        Case {
            name: "password lost, questions set, GUID not at hand, not bound, no e-mail",
            facts: RecoveryFacts {
                extern_caps: Some(all_yes.clone()),
                questions_configured: Some(true),
                guid_file_on_hand: Some(false),
                hik_connect_bound: Some(false),
                email_configured: Some(false),
                password_known: Some(false),
                ..RecoveryFacts::default()
            },
            want: vec![
                (SecurityQuestions, Ready),
                (GuidFile, Blocked),
                (HikConnectApp, Blocked),
                (ReservedEmail, Blocked),
                (FactoryReset, Blocked),
            ],
            recommended: Some(SecurityQuestions),
            warning_contains: None,
        },
        Case {
            name: "password known: missing preparations are listed",
            facts: RecoveryFacts {
                extern_caps: Some(ExternSecurityCap {
                    min_reset_methods: Some(2),
                    ..all_yes
                }),
                questions_configured: Some(false),
                email_configured: Some(true),
                hik_connect_bound: Some(false),
                guid_file_on_hand: Some(false),
                password_known: Some(true),
                ..RecoveryFacts::default()
            },
            want: vec![
                (SecurityQuestions, NeedsPreparation),
                (GuidFile, NeedsPreparation),
                (HikConnectApp, NeedsPreparation),
                (ReservedEmail, Ready),
                (FactoryReset, Ready),
            ],
            recommended: Some(ReservedEmail),
            warning_contains: Some("at least 2 reset method(s) configured; 1 known"),
        },
        Case {
            name: "device offers none of the self-service methods",
            facts: RecoveryFacts {
                extern_caps: Some(ext(Some(false), Some(false), Some(false), Some(false))),
                security_caps: Some(ResetCapabilities::default()),
                password_known: Some(false),
                ..RecoveryFacts::default()
            },
            want: vec![
                (SecurityQuestions, Unsupported),
                (GuidFile, Unsupported),
                (HikConnectApp, Unsupported),
                (ReservedEmail, Unsupported),
                (SupportKeyFile, Possible),
            ],
            recommended: Some(SupportKeyFile),
            warning_contains: None,
        },
        Case {
            name: "SADP says yes where ISAPI is silent; configured types from SADP",
            facts: RecoveryFacts {
                extern_caps: Some(ext(Some(false), None, None, None)),
                ..RecoveryFacts::default()
            }
            .with_sadp(SadpResetFacts {
                support_security_question: Some(true),
                support_guid: Some(true),
                reset_mode_second: Some(true),
                sadp_versions: vec!["3.0".into()],
                legacy_reset_ability: Some(true),
                support_restore_inactive: Some(false),
                configured: Some(SadpConfiguredTypes {
                    security_question: Some(true),
                    guid_file: Some(false),
                    ..SadpConfiguredTypes::default()
                }),
                ..SadpResetFacts::default()
            }),
            want: vec![
                (SecurityQuestions, Ready),
                (GuidFile, Blocked),
                (SupportQrKey, Possible),
                (RestoreInactive, Unsupported),
                (LegacySecurityCode, NotImplemented),
            ],
            recommended: Some(SecurityQuestions),
            warning_contains: None,
        },
        Case {
            name: "protocol 3.1: no QR key; bound recorder that cannot sync cameras",
            facts: RecoveryFacts {
                device: super::DeviceSummary {
                    device_type: Some("NVR".into()),
                    ..Default::default()
                },
                extern_caps: Some(ext(None, None, None, Some(true))),
                security_caps: Some(ResetCapabilities {
                    reset_channel_password: Some(false),
                    ..ResetCapabilities::default()
                }),
                hik_connect_bound: Some(true),
                ..RecoveryFacts::default()
            }
            .with_sadp(SadpResetFacts {
                reset_mode_second: Some(true),
                sadp_versions: vec!["3.0".into(), "3.1".into()],
                sync_ipc_password: Some(false),
                ..SadpResetFacts::default()
            }),
            want: vec![
                (HikConnectApp, Ready),
                (SupportQrKey, Unsupported),
                (SupportKeyFile, Possible),
            ],
            recommended: Some(HikConnectApp),
            warning_contains: Some("cannot push a new password to its cameras"),
        },
        Case {
            name: "lost password, only destructive routes",
            facts: RecoveryFacts {
                extern_caps: Some(ext(Some(false), Some(false), Some(false), Some(false))),
                password_known: Some(false),
                ..RecoveryFacts::default()
            }
            .with_sadp(SadpResetFacts {
                reset_mode_second: Some(false),
                ..SadpResetFacts::default()
            }),
            want: vec![
                (SupportKeyFile, Unsupported),
                (SupportQrKey, Unsupported),
                (ResetButton, Possible),
            ],
            recommended: Some(ResetButton),
            warning_contains: Some("no route that keeps the configuration"),
        },
    ]
}

#[test]
fn plan_table() {
    for case in cases() {
        let plan = RecoveryPlan::from_facts(&case.facts);
        for (m, want) in &case.want {
            assert_eq!(status(&plan, *m), *want, "{}: {m:?}", case.name);
        }
        assert_eq!(plan.recommended(), case.recommended, "{}", case.name);
        if let Some(w) = case.warning_contains {
            assert!(
                plan.warnings.iter().any(|x| x.contains(w)),
                "{}: {:?}",
                case.name,
                plan.warnings
            );
        }
        let json = serde_json::to_value(&plan).unwrap();
        assert!(
            json["routes"].as_array().unwrap().len() >= 9,
            "{}",
            case.name
        );
    }
}

#[test]
fn legacy_only_listed_when_advertised() {
    let plan = RecoveryPlan::from_facts(&RecoveryFacts::default());
    assert!(plan.route(LegacySecurityCode).is_none());
}

#[test]
fn evidence_transports_and_prerequisites() {
    let facts = RecoveryFacts {
        extern_caps: Some(ext(Some(true), None, None, None)),
        questions_configured: Some(true),
        password_known: Some(false),
        ..RecoveryFacts::default()
    }
    .with_sadp(SadpResetFacts {
        support_security_question: Some(false),
        serial: Some("DS-X20180312BBWR733050127".into()),
        ..SadpResetFacts::default()
    });
    assert_eq!(facts.same_lan, Some(true));
    assert_eq!(
        facts.device.serial.as_deref(),
        Some("DS-X20180312BBWR733050127")
    );
    let plan = RecoveryPlan::from_facts(&facts);
    let q = plan.route(SecurityQuestions).unwrap();
    assert_eq!(q.supported, Fact::Yes);
    assert_eq!(q.configured, Some(Fact::Yes));
    let isapi = q
        .transports
        .iter()
        .find(|t| t.transport == Transport::Isapi)
        .unwrap();
    let sadp = q
        .transports
        .iter()
        .find(|t| t.transport == Transport::Sadp)
        .unwrap();
    assert_eq!((isapi.available, sadp.available), (Fact::Yes, Fact::No));
    assert!(
        q.evidence
            .iter()
            .any(|e| e.contains("isSupportWithSecurityQuestion=true")),
        "{:?}",
        q.evidence
    );
    assert!(
        q.evidence
            .iter()
            .any(|e| e.contains("SupportSecurityQuestion=false"))
    );
    assert_eq!(q.prerequisites[0].prerequisite, Prerequisite::QuestionsSet);
    assert_eq!(plan.methods_configured, vec![SecurityQuestions]);
    let key = plan.route(SupportKeyFile).unwrap();
    assert!(
        key.prerequisites
            .iter()
            .any(|p| p.prerequisite == Prerequisite::SameLan && p.met == Fact::Yes)
    );
    assert!(plan.route(FactoryReset).unwrap().status == Blocked);
}

#[test]
fn sync_camera_passwords_fact() {
    let mut facts = RecoveryFacts::default();
    assert_eq!(
        RecoveryPlan::from_facts(&facts).sync_camera_passwords,
        Fact::Unknown
    );
    facts.security_caps = Some(ResetCapabilities {
        sync_ipc_password: Some(true),
        ..ResetCapabilities::default()
    });
    assert_eq!(
        RecoveryPlan::from_facts(&facts).sync_camera_passwords,
        Fact::Yes
    );
}

#[test]
fn every_route_carries_its_provenance() {
    let plan = RecoveryPlan::from_facts(&RecoveryFacts::default());
    for r in &plan.routes {
        let inferred = r.provenance.iter().any(|o| !o.provenance.is_verified());
        assert_eq!(r.unverified, inferred, "{:?}", r.method);
        assert_eq!(
            r.notes
                .iter()
                .any(|n| n.contains(crate::provenance::UNVERIFIED)),
            inferred,
            "{:?}: {:?}",
            r.method,
            r.notes
        );
    }
    let guid = plan.route(GuidFile).unwrap();
    assert!(guid.unverified);
    assert!(
        guid.provenance
            .iter()
            .any(|o| o.id == "isapi.reset_with_guid_file")
    );
    assert!(!plan.route(FactoryReset).unwrap().unverified);
    let json = serde_json::to_value(&plan).unwrap();
    let routes = json["routes"].as_array().unwrap();
    let guid_json = routes.iter().find(|r| r["method"] == "guidFile").unwrap();
    assert_eq!(guid_json["unverified"], true);
    assert!(
        guid_json["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["provenance"] == "inferred")
    );
}
