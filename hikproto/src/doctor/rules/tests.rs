//! Table-driven tests: a healthy device yields nothing; each broken state yields exactly its
//! finding (after folding), and every rule id is covered by the table.

use std::collections::BTreeSet;

use super::super::facts::*;
use super::super::finding::{Confidence, FixAction};
use super::super::policy::{FirmwareRange, Policy};
use super::super::report::diagnose;
use super::{all_ids, ids, run_all};
use crate::isapi::device_info::DeviceInfo;
use crate::keys::Secret;

const CODE: &str = "Hk7Q2mZx";

fn healthy() -> Facts {
    let mut f = Facts::new("192.0.2.10");
    f.reachability = Fact::Known(Reachability::Reachable);
    f.activated = Fact::Known(true);
    f.login = Fact::Known(LoginFacts {
        user: "admin".into(),
        state: LoginState::Accepted,
        risky_password: Some(false),
        default_password: Some(false),
    });
    f.sadp = Fact::Known(SadpView {
        activated: Some(true),
        hc_platform_supported: Some(true),
        hc_platform_enabled: Some(true),
        bind_status: Some(BindStatus::Bound),
        software_version: Some("V5.7.18build 240826".into()),
        model: Some("DS-2CD2386G2-IU".into()),
        serial: Some("DS-2CD2386G2-IU20240101AAWRJ12345678".into()),
        mac: Some("aa-bb-cc-dd-ee-ff".into()),
        ipv4_address: Some("192.0.2.10".into()),
        ipv4_subnet_mask: Some("255.255.255.0".into()),
        ipv4_gateway: Some("192.0.2.1".into()),
        http_port: Some(80),
        locked: Some(false),
        lock_minutes_left: None,
    });
    f.device = Fact::Known(DeviceInfo {
        model: Some("DS-2CD2386G2-IU".into()),
        serial_number: Some("DS-2CD2386G2-IU20240101AAWRJ12345678".into()),
        firmware_version: Some("V5.7.18".into()),
        firmware_released_date: Some("build 240826".into()),
        ..DeviceInfo::default()
    });
    f.platform = Fact::Known(PlatformFacts {
        supported: Some(true),
        enabled: Some(true),
        registered: Some(true),
        offline_status: None,
        bind_status: Some(BindStatus::Bound),
        server_addressing: Some("hostname".into()),
        server_address: Some("dev.hik-connect.com".into()),
        code_type: Some("normal".into()),
        device_code: Fact::Known(Secret::new(CODE)),
        code_check: None,
    });
    f.parameter_test = Fact::Known(ParameterTest {
        passed: Some(true),
        detail: None,
    });
    f.network = Fact::Known(NetworkFacts {
        addressing: Some("static".into()),
        ipv4_address: Some("192.0.2.10".into()),
        subnet_mask: Some("255.255.255.0".into()),
        gateway: Some("192.0.2.1".into()),
        primary_dns: Some("192.0.2.53".into()),
        secondary_dns: Some("8.8.8.8".into()),
    });
    f.time = Fact::Known(TimeFacts {
        mode: Some("NTP".into()),
        ntp_server: Some("pool.ntp.org".into()),
        skew_secs: Some(2),
        ntp_error: None,
    });
    f.supplied = Supplied {
        stored_code: Some(Secret::new(CODE)),
        label: Some(LabelFacts {
            serial: Some("J12345678".into()),
            code: Some(Secret::new(CODE)),
            model: Some("DS-2CD2386G2-IU".into()),
            unreadable: None,
        }),
        password_problems: Some(Vec::new()),
        app_error: None,
        in_own_account: Some(true),
    };
    f
}

fn plat(f: &mut Facts) -> &mut PlatformFacts {
    f.platform.known_mut().expect("platform known")
}

fn net(f: &mut Facts) -> &mut NetworkFacts {
    f.network.known_mut().expect("network known")
}

fn unregistered(f: &mut Facts) {
    plat(f).registered = Some(false);
}

/// Everything a device-level failure hides.
fn blind(f: &mut Facts, why: &str) {
    f.login = Fact::unknown(why);
    f.device = Fact::unknown(why);
    f.platform = Fact::unknown(why);
    f.parameter_test = Fact::unknown(why);
    f.network = Fact::unknown(why);
    f.time = Fact::unknown(why);
}

type Case = (&'static str, fn(&mut Facts), &'static [&'static str]);

/// Broken states and exactly the findings each must produce.
const CASES: &[Case] = &[
    (
        "unreachable",
        |f| {
            f.reachability = Fact::Known(Reachability::Unreachable {
                error: "connection refused".into(),
            });
            blind(f, "device unreachable");
        },
        &[ids::DEVICE_UNREACHABLE],
    ),
    (
        "not activated",
        |f| {
            f.activated = Fact::Known(false);
            f.sadp.known_mut().unwrap().activated = Some(false);
            f.sadp.known_mut().unwrap().hc_platform_enabled = Some(false);
            f.login = Fact::Known(LoginFacts {
                user: "admin".into(),
                state: LoginState::Rejected {
                    attempts_left: None,
                },
                risky_password: None,
                default_password: None,
            });
            let l = f.login.clone();
            blind(f, "device not activated");
            f.login = l;
        },
        &[ids::DEVICE_NOT_ACTIVATED],
    ),
    (
        "locked",
        |f| {
            blind(f, "login failed");
            f.login = Fact::Known(LoginFacts {
                user: "admin".into(),
                state: LoginState::Locked {
                    retry_after_secs: Some(1800),
                },
                risky_password: None,
                default_password: None,
            });
        },
        &[ids::LOGIN_LOCKED],
    ),
    (
        "locked (SADP only)",
        |f| {
            blind(f, "not tried");
            let s = f.sadp.known_mut().unwrap();
            s.locked = Some(true);
            s.lock_minutes_left = Some(25);
        },
        &[ids::LOGIN_LOCKED],
    ),
    (
        "credentials rejected",
        |f| {
            blind(f, "login failed");
            f.login = Fact::Known(LoginFacts {
                user: "admin".into(),
                state: LoginState::Rejected {
                    attempts_left: Some(3),
                },
                risky_password: None,
                default_password: None,
            });
        },
        &[ids::LOGIN_REJECTED],
    ),
    (
        "risky password (device)",
        |f| f.login.known_mut().unwrap().risky_password = Some(true),
        &[ids::PASSWORD_RISKY],
    ),
    (
        "risky password (policy)",
        |f| f.supplied.password_problems = Some(vec!["fewer than 8 characters".into()]),
        &[ids::PASSWORD_RISKY],
    ),
    (
        "platform unsupported",
        |f| {
            let p = plat(f);
            p.supported = Some(false);
            p.enabled = None;
            p.registered = None;
            f.sadp.known_mut().unwrap().hc_platform_supported = Some(false);
            f.sadp.known_mut().unwrap().hc_platform_enabled = Some(false);
        },
        &[ids::PLATFORM_UNSUPPORTED],
    ),
    (
        "platform disabled",
        |f| {
            plat(f).enabled = Some(false);
            plat(f).registered = Some(false);
            f.sadp.known_mut().unwrap().hc_platform_enabled = Some(false);
        },
        &[ids::PLATFORM_DISABLED],
    ),
    (
        "platform disabled (SADP only)",
        |f| {
            f.platform = Fact::unknown("login rejected");
            f.sadp.known_mut().unwrap().hc_platform_enabled = Some(false);
        },
        &[ids::PLATFORM_DISABLED],
    ),
    (
        "not registered, no other cause",
        |f| {
            unregistered(f);
            plat(f).offline_status = Some("networkUnreachable".into());
        },
        &[ids::PLATFORM_NOT_REGISTERED],
    ),
    (
        "server address not the platform's",
        |f| {
            unregistered(f);
            plat(f).server_address = Some("p2p.example.net".into());
        },
        &[ids::PLATFORM_SERVER_ADDRESS],
    ),
    (
        "server address empty",
        |f| {
            unregistered(f);
            plat(f).server_address = Some(String::new());
        },
        &[ids::PLATFORM_SERVER_ADDRESS],
    ),
    (
        "binding conflict (app says 105001)",
        |f| {
            f.supplied.app_error = Some(105_001);
            f.supplied.in_own_account = None;
        },
        &[ids::BINDING_CONFLICT],
    ),
    (
        "binding conflict (user says not mine)",
        |f| f.supplied.in_own_account = Some(false),
        &[ids::BINDING_CONFLICT],
    ),
    (
        "code not set",
        |f| {
            unregistered(f);
            let p = plat(f);
            p.code_type = Some("empty".into());
            p.device_code = Fact::Known(Secret::new(""));
            f.supplied.stored_code = None;
            f.supplied.label = None;
        },
        &[ids::CODE_NOT_SET],
    ),
    (
        "code mismatch",
        |f| f.supplied.stored_code = Some(Secret::new("Zt9w4kLp")),
        &[ids::CODE_MISMATCH],
    ),
    (
        "code mismatch, device check only",
        |f| {
            let p = plat(f);
            p.device_code = Fact::unknown("masked by the firmware");
            p.code_check = Some(false);
            f.supplied.stored_code = Some(Secret::new("Zt9w4kLp"));
        },
        &[ids::CODE_MISMATCH],
    ),
    (
        "code mismatch, stored code is the stale label code",
        |f| {
            plat(f).device_code = Fact::Known(Secret::new("Nw5Rt8yu"));
        },
        &[ids::CODE_MISMATCH],
    ),
    (
        "code case-only mismatch",
        |f| f.supplied.stored_code = Some(Secret::new(CODE.to_ascii_uppercase())),
        &[ids::CODE_CASE_MISMATCH],
    ),
    (
        "code look-alike mismatch",
        |f| f.supplied.stored_code = Some(Secret::new("Hk7O2mZx")),
        &[ids::CODE_LOOKALIKE_MISMATCH],
    ),
    (
        "code changed after binding",
        |f| {
            unregistered(f);
            plat(f).offline_status = Some("secretKeyInvalid".into());
        },
        &[ids::CODE_CHANGED_AFTER_BINDING],
    ),
    (
        "code changed after binding (app rejects the matching code)",
        |f| f.supplied.app_error = Some(105_002),
        &[ids::CODE_CHANGED_AFTER_BINDING],
    ),
    (
        "label unreadable",
        |f| {
            f.supplied.label = Some(LabelFacts {
                unreadable: Some("no serial line".into()),
                ..LabelFacts::default()
            });
        },
        &[ids::LABEL_UNREADABLE],
    ),
    (
        "label of another device",
        |f| {
            let l = f.supplied.label.as_mut().unwrap();
            l.serial = Some("K99999999".into());
            l.code = Some(Secret::new("ABCXYZ"));
        },
        &[ids::LABEL_SERIAL_MISMATCH],
    ),
    (
        "label code stale, user relies on label",
        |f| {
            f.supplied.stored_code = None;
            f.supplied.label.as_mut().unwrap().code = Some(Secret::new("QWERTY"));
        },
        &[ids::LABEL_CODE_MISMATCH],
    ),
    (
        "dns missing",
        |f| {
            unregistered(f);
            net(f).primary_dns = Some("0.0.0.0".into());
            net(f).secondary_dns = None;
        },
        &[ids::DNS_MISSING],
    ),
    (
        "dns invalid",
        |f| {
            unregistered(f);
            net(f).primary_dns = Some("8.8.8".into());
            net(f).secondary_dns = Some("127.0.0.1".into());
        },
        &[ids::DNS_INVALID],
    ),
    (
        "dns equal",
        |f| net(f).secondary_dns = Some("192.0.2.53".into()),
        &[ids::DNS_EQUAL],
    ),
    (
        "no gateway",
        |f| {
            unregistered(f);
            net(f).gateway = Some("0.0.0.0".into());
        },
        &[ids::NETWORK_NO_GATEWAY],
    ),
    (
        "gateway off subnet",
        |f| {
            unregistered(f);
            net(f).gateway = Some("198.51.100.1".into());
        },
        &[ids::NETWORK_GATEWAY_OFF_SUBNET],
    ),
    (
        "ip conflict",
        |f| {
            unregistered(f);
            f.device
                .known_mut()
                .unwrap()
                .abnormal_status
                .insert("ipaddrConflict".into(), true);
        },
        &[ids::NETWORK_IP_CONFLICT],
    ),
    (
        "clock far off",
        |f| {
            unregistered(f);
            f.time.known_mut().unwrap().skew_secs = Some(-86_400 * 400);
        },
        &[ids::TIME_NOT_SYNCHRONISED],
    ),
    (
        "ntp unreachable",
        |f| f.time.known_mut().unwrap().ntp_error = Some("NTPUnconnect".into()),
        &[ids::TIME_NOT_SYNCHRONISED],
    ),
    (
        "firmware in the heuristic range, symptomatic",
        |f| {
            f.device.known_mut().unwrap().firmware_released_date = Some("build 190701".into());
            f.supplied.app_error = Some(2020);
        },
        &[ids::FIRMWARE_CODE_BUG],
    ),
];

#[test]
fn healthy_device_has_no_finding() {
    let facts = healthy();
    let found = run_all(&facts, &Policy::default());
    assert!(found.is_empty(), "{found:#?}");
    let r = diagnose(&facts, &Policy::default());
    assert!(r.healthy && r.findings.is_empty() && r.unknown.is_empty());
}

#[test]
fn each_broken_state_yields_exactly_its_finding() {
    let policy = Policy::default();
    let mut failures = Vec::new();
    for (name, breakit, want) in CASES {
        let mut facts = healthy();
        breakit(&mut facts);
        let report = diagnose(&facts, &policy);
        let got = report.ids();
        if got != *want {
            failures.push(format!(
                "{name}: want {want:?}, got {got:?} (folded {:?})",
                report.folded
            ));
        }
        for f in &report.findings {
            assert!(!f.cause.is_empty(), "{name}: {} has no cause", f.id);
            assert!(!f.remedy.is_empty(), "{name}: {} has no remedy", f.id);
            assert!(!f.evidence.is_empty(), "{name}: {} has no evidence", f.id);
            let json = serde_json::to_string(f).unwrap();
            let text = report.render_human();
            for secret in [CODE, "Zt9w4kLp", "Hk7O2mZx", "Nw5Rt8yu", "QWERTY", "ABCXYZ"] {
                assert!(!json.contains(secret), "{name}: secret in JSON {json}");
                assert!(!text.contains(secret), "{name}: secret in text {text}");
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_id_is_covered_by_a_case() {
    let covered: BTreeSet<&str> = CASES.iter().flat_map(|c| c.2.iter().copied()).collect();
    let all: BTreeSet<&str> = all_ids().into_iter().collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    assert!(missing.is_empty(), "ids without a case: {missing:?}");
    assert_eq!(all.len(), all_ids().len(), "an id is produced by two rules");
}

#[test]
fn unknown_facts_never_fire_rules() {
    let mut facts = Facts::new("192.0.2.10");
    facts.supplied = healthy().supplied;
    facts.supplied.stored_code = Some(Secret::new("Zt9w4kLp"));
    let r = diagnose(&facts, &Policy::default());
    assert!(r.findings.is_empty(), "{:?}", r.ids());
    assert!(r.unknown.len() >= 8, "{:?}", r.unknown);
    // nothing fired, yet nothing was read either: not healthy, every needed fact unchecked
    assert!(!r.healthy && r.inconclusive());
    let unchecked: Vec<&str> = r.unchecked.iter().map(|u| u.fact).collect();
    assert_eq!(unchecked, crate::doctor::REQUIRED_FACTS);
}

#[test]
fn symptoms_fold_into_their_cause_and_alone_they_show() {
    let policy = Policy::default();
    let mut facts = healthy();
    unregistered(&mut facts);
    net(&mut facts).primary_dns = None;
    net(&mut facts).secondary_dns = None;
    let raw: Vec<_> = run_all(&facts, &policy).into_iter().map(|f| f.id).collect();
    assert!(raw.contains(&ids::PLATFORM_NOT_REGISTERED) && raw.contains(&ids::DNS_MISSING));
    let r = diagnose(&facts, &policy);
    assert_eq!(r.ids(), [ids::DNS_MISSING]);
    assert_eq!(r.folded.len(), 1);
    assert_eq!(r.folded[0].into, ids::DNS_MISSING);
    assert!(
        r.render_human()
            .contains("Also explains: platform.not_registered")
    );
}

#[test]
fn several_causes_are_ordered_by_likelihood() {
    let mut facts = healthy();
    plat(&mut facts).enabled = Some(false);
    plat(&mut facts).registered = Some(false);
    net(&mut facts).secondary_dns = Some("192.0.2.53".into());
    facts.supplied.stored_code = Some(Secret::new("zzzzzz"));
    let r = diagnose(&facts, &Policy::default());
    assert_eq!(
        r.ids(),
        [ids::PLATFORM_DISABLED, ids::CODE_MISMATCH, ids::DNS_EQUAL]
    );
    let l: Vec<u8> = r.findings.iter().map(|f| f.likelihood).collect();
    assert!(l.windows(2).all(|w| w[0] >= w[1]), "{l:?}");
}

#[test]
fn fixes_are_attached_where_safe() {
    let policy = Policy::default();
    let fix_of = |breakit: fn(&mut Facts)| {
        let mut f = healthy();
        breakit(&mut f);
        diagnose(&f, &policy)
            .findings
            .first()
            .and_then(|x| x.fix.clone())
    };
    assert_eq!(
        fix_of(|f| plat(f).enabled = Some(false)),
        Some(FixAction::EnablePlatform)
    );
    assert_eq!(
        fix_of(|f| {
            net(f).primary_dns = None;
            net(f).secondary_dns = None;
        }),
        Some(FixAction::SetDns {
            primary: "8.8.8.8".into(),
            secondary: "8.8.4.4".into()
        })
    );
    assert_eq!(
        fix_of(|f| plat(f).server_address = Some("p2p.example.net".into())),
        Some(FixAction::SetServerAddress {
            host: "dev.hik-connect.com".into()
        })
    );
    assert_eq!(
        fix_of(|f| f.time.known_mut().unwrap().skew_secs = Some(3600)),
        Some(FixAction::SyncTime)
    );
    assert_eq!(
        fix_of(|f| {
            plat(f).code_type = Some("empty".into());
            f.supplied.stored_code = None;
            f.supplied.label = None;
        }),
        Some(FixAction::SetVerificationCode { generate: true })
    );
    // Never automatic: gateway, unbinding, activation, password.
    assert_eq!(fix_of(|f| net(f).gateway = None), None);
    assert_eq!(fix_of(|f| f.supplied.in_own_account = Some(false)), None);
    assert_eq!(fix_of(|f| f.activated = Fact::Known(false)), None);
    assert_eq!(
        fix_of(|f| f.login.known_mut().unwrap().risky_password = Some(true)),
        None
    );
}

#[test]
fn firmware_rule_is_data_driven_and_heuristic() {
    let mut facts = healthy();
    facts.supplied.app_error = Some(2020);
    // Current firmware: the default table does not match.
    assert!(diagnose(&facts, &Policy::default()).healthy);
    // A caller-supplied range matches by version.
    let policy = Policy {
        firmware_code_bug: vec![FirmwareRange {
            model_prefix: Some("DS-2CD2386".into()),
            min_version: Some(vec![5, 7, 0]),
            max_version: Some(vec![5, 7, 99]),
            built_from: None,
            built_until: None,
            source: "test range".into(),
        }],
        ..Policy::default()
    };
    let r = diagnose(&facts, &policy);
    assert_eq!(r.ids(), [ids::FIRMWARE_CODE_BUG]);
    assert_eq!(r.findings[0].confidence, Confidence::Heuristic);
    assert!(
        r.findings[0]
            .evidence
            .iter()
            .any(|e| e.value == "test range")
    );
    // No symptom: silent even in range.
    facts.supplied.app_error = None;
    assert!(diagnose(&facts, &policy).healthy);
    // An empty table never fires.
    facts.supplied.app_error = Some(2020);
    let none = Policy {
        firmware_code_bug: Vec::new(),
        ..Policy::default()
    };
    assert!(diagnose(&facts, &none).healthy);
}

#[test]
fn lock_time_is_shown_in_plain_words() {
    let mut facts = healthy();
    blind(&mut facts, "locked");
    facts.login = Fact::Known(LoginFacts {
        user: "admin".into(),
        state: LoginState::Locked {
            retry_after_secs: Some(1800),
        },
        risky_password: None,
        default_password: None,
    });
    let r = diagnose(&facts, &Policy::default());
    assert!(
        r.findings[0].cause.contains("30 min"),
        "{}",
        r.findings[0].cause
    );
}

#[test]
fn custom_platform_hosts_are_accepted() {
    let mut facts = healthy();
    plat(&mut facts).server_addressing = Some("ipaddress".into());
    plat(&mut facts).server_address = Some("127.0.0.1".into());
    assert_eq!(
        diagnose(&facts, &Policy::default()).ids(),
        [ids::PLATFORM_SERVER_ADDRESS]
    );
    let policy = Policy {
        platform_hosts: vec!["127.0.0.1".into()],
        ..Policy::default()
    };
    assert!(diagnose(&facts, &policy).healthy);
}

#[test]
fn report_json_shape_is_stable() {
    let mut facts = healthy();
    plat(&mut facts).enabled = Some(false);
    let r = diagnose(&facts, &Policy::default());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["target"], "192.0.2.10");
    assert_eq!(v["healthy"], false);
    let f = &v["findings"][0];
    assert_eq!(f["id"], "platform.disabled");
    assert_eq!(f["confidence"], "high");
    assert_eq!(f["fix"]["action"], "enablePlatform");
    assert!(f["remedy"][0]["cli"].as_str().unwrap().contains("--fix"));
    assert!(f["evidence"][0]["field"].is_string());
}

#[test]
fn unread_facts_are_never_healthy() {
    // every fact the rules need, unread in turn: no finding fires, yet the report is not healthy
    // and names the fact with its error
    for name in crate::doctor::REQUIRED_FACTS {
        let mut facts = healthy();
        let why = "device error: HTTP 500";
        match *name {
            "activated" => facts.activated = Fact::unknown(why),
            "login" => facts.login = Fact::unknown(why),
            "deviceInfo" => facts.device = Fact::unknown(why),
            "platform" => facts.platform = Fact::unknown(why),
            "network" => facts.network = Fact::unknown(why),
            "time" => facts.time = Fact::unknown(why),
            other => panic!("no case for {other}"),
        }
        let r = diagnose(&facts, &Policy::default());
        assert!(!r.healthy, "{name}: {r:#?}");
        assert!(r.inconclusive(), "{name}");
        assert_eq!(r.unchecked.len(), 1, "{name}");
        assert_eq!(r.unchecked[0].fact, *name);
        assert_eq!(r.unchecked[0].reason, why);
        assert!(
            r.summary_line().contains("not checked"),
            "{}",
            r.summary_line()
        );
        assert!(r.render_human().contains("NOT CHECKED"), "{name}");
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["healthy"], false);
        assert_eq!(v["unchecked"][0]["fact"], *name);
    }
}

#[test]
fn facts_the_device_does_not_offer_do_not_block_health() {
    let mut facts = healthy();
    facts.time = Fact::unknown("not supported by the device");
    facts.parameter_test = Fact::unknown("not offered by the device");
    let r = diagnose(&facts, &Policy::default());
    assert!(r.healthy, "{r:#?}");
    assert!(r.unchecked.is_empty());
    assert_eq!(r.unknown.len(), 2);
    let s = crate::doctor::FleetSummary::of([&r, &{
        let mut f = healthy();
        f.login = Fact::unknown("timed out");
        diagnose(&f, &Policy::default())
    }]);
    assert_eq!((s.healthy, s.with_findings, s.not_checked), (1, 0, 1));
    assert!(s.render_human().contains("1 not checked"));
}

#[test]
fn remedies_speak_the_readers_language() {
    use crate::doctor::Audience;
    let mut facts = healthy();
    plat(&mut facts).enabled = Some(false);
    facts.login = Fact::unknown("timed out");
    let mut r = diagnose(&facts, &Policy::default());
    // a finding whose remedy names a library call
    facts.activated = Fact::Known(false);
    r.findings
        .extend(diagnose(&facts, &Policy::default()).findings);
    let cli = r.render_for(Audience::Cli);
    assert!(cli.contains("run:  hikproto"), "{cli}");
    assert!(!cli.contains("API:") && !cli.contains("::"), "{cli}");
    let py = r.render_for(Audience::Python);
    assert!(py.contains("Python: device."), "{py}");
    assert!(!py.contains("::") && !py.contains("run:"), "{py}");
    let c = r.render_for(Audience::C);
    assert!(c.contains("C:      hikproto_"), "{c}");
    assert!(!c.contains("::"), "{c}");
    let rust = r.for_audience(Audience::Rust);
    assert_eq!(rust, r);
}
