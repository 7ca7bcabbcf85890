//! The doctor against simulated devices: for every rule that the simulator can put a device
//! into, a device in that broken state produces exactly that finding; a healthy device produces
//! none; and every fixable fault is fixed by `--fix` (the device is then healthy and registered).
//!
//! Each case runs on its own simulated site (loopback only), so platform-wide switches of one
//! case cannot leak into another.

use std::collections::BTreeSet;
use std::time::Duration;

use hikproto::doctor::{self, Options, UserInputs, ids, rules};
use hikproto::{Device, Secret};
use hikproto_sim::{DeviceConfig, Fault, SimDevice, Site};

const PASSWORD: &str = "Gx7!pLm2qR";
const CODE: &str = "Hk7Q2mZx";
const ME: &str = "me@example.net";

/// How a case breaks the device, and what the user tells the doctor.
struct Case {
    name: &'static str,
    /// Builds the site's one device (before start).
    config: fn(DeviceConfig) -> DeviceConfig,
    /// Breaks the running device (after the healthy set-up).
    breakit: fn(&SimDevice),
    /// The user's inputs.
    inputs: fn(&SimDevice) -> UserInputs,
    /// The password the doctor logs in with.
    password: Option<&'static str>,
    /// Exactly the findings expected.
    want: &'static [&'static str],
    /// `--fix` must make the device healthy and registered.
    fixable: bool,
}

fn healthy_config(c: DeviceConfig) -> DeviceConfig {
    let mut c = c.with_admin(PASSWORD);
    c.verification_code = Some(Secret::new(CODE));
    c.ezviz.enabled = true;
    c
}

fn label(d: &SimDevice, code: &str) -> String {
    format!(
        "www.hik-connect.com\r\n{}\r\n{code}\r\n{}\r\n",
        d.short_serial(),
        d.model()
    )
}

fn user_inputs(d: &SimDevice) -> UserInputs {
    UserInputs {
        stored_code: Some(Secret::new(CODE)),
        label_qr: Some(label(d, CODE)),
        password: Some(Secret::new(PASSWORD)),
        ..UserInputs::default()
    }
}

fn same(c: DeviceConfig) -> DeviceConfig {
    c
}

fn nothing(_: &SimDevice) {}

const fn case(
    name: &'static str,
    breakit: fn(&SimDevice),
    want: &'static [&'static str],
    fixable: bool,
) -> Case {
    Case {
        name,
        config: same,
        breakit,
        inputs: user_inputs,
        password: Some(PASSWORD),
        want,
        fixable,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("healthy", nothing, &[], false),
        case(
            "unreachable",
            |d| d.set_fault(Fault::DropConnections),
            &[ids::DEVICE_UNREACHABLE],
            false,
        ),
        Case {
            config: |c| {
                let mut c = healthy_config(c);
                c.activated = false;
                c.users.clear();
                c
            },
            ..case(
                "not activated",
                nothing,
                &[ids::DEVICE_NOT_ACTIVATED],
                false,
            )
        },
        Case {
            password: Some("Wr0ng!Passw0rd"),
            inputs: |d| UserInputs {
                password: Some(Secret::new("Wr0ng!Passw0rd")),
                ..user_inputs(d)
            },
            ..case(
                "credentials rejected",
                nothing,
                &[ids::LOGIN_REJECTED],
                false,
            )
        },
        case("locked", lock_out, &[ids::LOGIN_LOCKED], false),
        Case {
            config: |c| healthy_config(c).with_admin("admin12345"),
            password: Some("admin12345"),
            inputs: |d| UserInputs {
                password: Some(Secret::new("admin12345")),
                ..user_inputs(d)
            },
            ..case("risky password", nothing, &[ids::PASSWORD_RISKY], false)
        },
        Case {
            config: |c| {
                let mut c = healthy_config(c);
                c.ezviz.enabled = false;
                c.personality
                    .refused
                    .insert("/ISAPI/System/Network/EZVIZ".into(), "notSupport".into());
                c
            },
            ..case(
                "platform unsupported",
                nothing,
                &[ids::PLATFORM_UNSUPPORTED],
                false,
            )
        },
        case(
            "platform disabled",
            |d| d.update(|c| c.ezviz.enabled = false),
            &[ids::PLATFORM_DISABLED],
            true,
        ),
        case(
            "not registered (platform unreachable)",
            |d| d.platform().set_reachable(false),
            &[ids::PLATFORM_NOT_REGISTERED],
            false,
        ),
        case(
            "server address not the platform's",
            |d| d.update(|c| c.ezviz.server_host = "p2p.example.net".into()),
            &[ids::PLATFORM_SERVER_ADDRESS],
            true,
        ),
        Case {
            inputs: |d| UserInputs {
                app_error: d
                    .platform()
                    .bind(d.serial(), ME, CODE)
                    .err()
                    .and_then(|e| e.code()),
                ..user_inputs(d)
            },
            ..case(
                "binding conflict",
                |d| d.platform().bind(d.serial(), "someone-else", CODE).unwrap(),
                &[ids::BINDING_CONFLICT],
                false,
            )
        },
        Case {
            config: |c| {
                let mut c = healthy_config(c);
                c.verification_code = None;
                c.ezviz.enabled = false;
                c
            },
            inputs: |_| UserInputs {
                password: Some(Secret::new(PASSWORD)),
                ..UserInputs::default()
            },
            // enabled without a code (the sim refuses that over ISAPI; set it up directly)
            ..case(
                "code not set",
                |d| d.update(|c| c.ezviz.enabled = true),
                &[ids::CODE_NOT_SET],
                true,
            )
        },
        Case {
            inputs: |d| UserInputs {
                stored_code: Some(Secret::new("Zt9w4kLp")),
                ..user_inputs(d)
            },
            ..case("code mismatch", nothing, &[ids::CODE_MISMATCH], false)
        },
        Case {
            inputs: |d| UserInputs {
                stored_code: Some(Secret::new(CODE.to_ascii_uppercase())),
                ..user_inputs(d)
            },
            ..case(
                "code case-only mismatch",
                nothing,
                &[ids::CODE_CASE_MISMATCH],
                false,
            )
        },
        Case {
            inputs: |d| UserInputs {
                stored_code: Some(Secret::new("Hk7O2mZx")),
                ..user_inputs(d)
            },
            ..case(
                "code look-alike mismatch",
                nothing,
                &[ids::CODE_LOOKALIKE_MISMATCH],
                false,
            )
        },
        Case {
            inputs: |d| UserInputs {
                stored_code: Some(Secret::new("Nw5Rt8yu")),
                label_qr: Some(label(d, "Nw5Rt8yu")),
                ..user_inputs(d)
            },
            ..case(
                "code changed after binding",
                |d| {
                    d.platform().bind(d.serial(), ME, CODE).unwrap();
                    d.update(|c| c.verification_code = Some(Secret::new("Nw5Rt8yu")));
                },
                &[ids::CODE_CHANGED_AFTER_BINDING],
                false,
            )
        },
        Case {
            inputs: |d| UserInputs {
                label_qr: Some("www.hik-connect.com\n12\nAB\n".into()),
                ..user_inputs(d)
            },
            ..case("label unreadable", nothing, &[ids::LABEL_UNREADABLE], false)
        },
        Case {
            inputs: |d| UserInputs {
                label_qr: Some(format!(
                    "www.hik-connect.com\r\nK99999999\r\n{CODE}\r\n{}\r\n",
                    d.model()
                )),
                ..user_inputs(d)
            },
            ..case(
                "label of another device",
                nothing,
                &[ids::LABEL_SERIAL_MISMATCH],
                false,
            )
        },
        Case {
            inputs: |d| UserInputs {
                stored_code: None,
                label_qr: Some(label(d, "QWERTY")),
                ..user_inputs(d)
            },
            ..case(
                "label code stale",
                nothing,
                &[ids::LABEL_CODE_MISMATCH],
                false,
            )
        },
        case(
            "dns missing",
            |d| {
                d.update(|c| {
                    c.network.dns1 = "0.0.0.0".into();
                    c.network.dns2 = String::new();
                })
            },
            &[ids::DNS_MISSING],
            true,
        ),
        case(
            "dns invalid",
            |d| {
                d.update(|c| {
                    c.network.dns1 = "8.8.8".into();
                    c.network.dns2 = "255.255.255.255".into();
                })
            },
            &[ids::DNS_INVALID],
            true,
        ),
        case(
            "dns equal",
            |d| d.update(|c| c.network.dns2 = c.network.dns1.clone()),
            &[ids::DNS_EQUAL],
            true,
        ),
        case(
            "ip address conflict",
            |d| d.update(|c| c.network.ip_conflict = true),
            &[ids::NETWORK_IP_CONFLICT],
            false,
        ),
        case(
            "clock three hours ahead (NTP mode)",
            |d| d.update(|c| c.time.clock_offset_secs = 3 * 3600),
            &[ids::TIME_NOT_SYNCHRONISED],
            true,
        ),
        case(
            "clock a day behind (manual mode)",
            |d| {
                d.update(|c| {
                    c.time.mode = "manual".into();
                    c.time.clock_offset_secs = -86_400;
                })
            },
            &[ids::TIME_NOT_SYNCHRONISED],
            true,
        ),
        case(
            "clock a minute off (within tolerance)",
            |d| d.update(|c| c.time.clock_offset_secs = 60),
            &[],
            false,
        ),
        case(
            "no gateway",
            |d| d.update(|c| c.network.gateway = "0.0.0.0".into()),
            &[ids::NETWORK_NO_GATEWAY],
            false,
        ),
        case(
            "gateway off subnet",
            |d| d.update(|c| c.network.gateway = "10.9.8.1".into()),
            &[ids::NETWORK_GATEWAY_OFF_SUBNET],
            false,
        ),
        Case {
            config: |c| {
                let mut c = healthy_config(c);
                c.firmware_build = "build 190701".into();
                c
            },
            inputs: |d| UserInputs {
                app_error: Some(2020),
                ..user_inputs(d)
            },
            ..case(
                "firmware in the suspected range",
                nothing,
                &[ids::FIRMWARE_CODE_BUG],
                false,
            )
        },
    ]
}

/// Fails logins from this client until the device locks it out.
fn lock_out(d: &SimDevice) {
    d.update(|c| c.lockout.max_attempts = 3);
    let host = d.host();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            for i in 0..4 {
                let dev = Device::builder(&host)
                    .credentials("admin", format!("Wr0ng!Pass{i}"))
                    .build()
                    .unwrap();
                let _ = dev.login().await;
            }
        });
    })
    .join()
    .unwrap();
}

async fn site_for(c: &Case) -> Site {
    Site::builder()
        .device((c.config)(healthy_config(DeviceConfig::camera(0))))
        .sadp_port(0)
        .start()
        .await
        .expect("site starts")
}

/// The device's own SADP reply, asked by unicast on loopback.
async fn probe(sim: &SimDevice) -> hikproto::sadp::ProbeMatch {
    use hikproto::sadp::{DiscoverOptions, ProbeTarget, discover};
    let opts = DiscoverOptions {
        targets: vec![ProbeTarget::Unicast(
            sim.sadp_addr().expect("SADP responder"),
        )],
        listen_group: None,
        timeout: Duration::from_secs(3),
        expect: Some(1),
        ..DiscoverOptions::default()
    };
    let found = discover(&opts).await.expect("SADP discovery");
    found.first().expect("the device answers SADP").info.clone()
}

fn device(sim: &SimDevice, password: Option<&str>) -> Device {
    let mut b = Device::builder(sim.host()).timeout(Duration::from_secs(5));
    if let Some(p) = password {
        b = b.credentials("admin", p);
    }
    b.build().unwrap()
}

fn options(fix: bool) -> Options {
    Options {
        fix,
        settle: Duration::from_secs(3),
        ..Options::default()
    }
}

/// `--fix --fix-irreversible`: the fixes that cannot be undone as well.
fn options_all() -> Options {
    Options {
        irreversible: true,
        ..options(true)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_simulated_fault_yields_exactly_its_finding() {
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for c in cases() {
        let site = site_for(&c).await;
        let sim = site.device(0);
        (c.breakit)(sim);
        let inputs = (c.inputs)(sim);
        if let Some(p) = c.password {
            sim.recognise_password(p);
        }
        sim.reset_stats();
        let pm = probe(sim).await;
        let dev = device(sim, c.password);
        let ex = doctor::examine(&dev, Some(&pm), &inputs, &options(false)).await;
        let got = ex.report.ids();
        println!("{:<40} {:?} (folded {:?})", c.name, got, ex.report.folded);
        if got != c.want {
            failures.push(format!(
                "{}: want {:?}, got {:?}\n{}",
                c.name,
                c.want,
                got,
                ex.report.render_human()
            ));
        }
        covered.extend(c.want.iter().copied());
        // Secrets never leave in the report or its JSON.
        let json = serde_json::to_string(&ex).unwrap();
        for s in [
            CODE,
            PASSWORD,
            "Zt9w4kLp",
            "Nw5Rt8yu",
            "admin12345",
            "Wr0ng!Passw0rd",
        ] {
            assert!(!json.contains(s), "{}: secret in JSON", c.name);
            assert!(
                !ex.report.render_human().contains(s),
                "{}: secret in text",
                c.name
            );
        }
        // One login at most: no credential was sent twice after a rejection.
        assert_eq!(
            sim.stats().repeated_rejected_credentials,
            0,
            "{}: a rejected credential was sent again",
            c.name
        );
        site.shutdown().await;
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    let missing: Vec<&str> = rules::all_ids()
        .into_iter()
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a simulated case: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_makes_each_fixable_fault_healthy_and_registered() {
    let mut failures = Vec::new();
    for c in cases().into_iter().filter(|c| c.fixable) {
        let site = site_for(&c).await;
        let sim = site.device(0);
        (c.breakit)(sim);
        let inputs = (c.inputs)(sim);
        let pm = probe(sim).await;
        let dev = device(sim, c.password);
        let mut shown = Vec::new();
        let ex = doctor::examine_with(&dev, Some(&pm), &inputs, &options_all(), |_, plan| {
            shown.extend(plan.iter().map(|p| p.finding));
        })
        .await;
        if shown.is_empty() || ex.fixes.iter().any(|f| !f.applied) {
            failures.push(format!("{}: fixes {:?} / {:#?}", c.name, shown, ex.fixes));
        }
        let after = ex.after.as_ref().expect("re-diagnosed");
        let registered = ex.after.as_ref().map(|_| {
            sim.platform()
                .record(sim.serial())
                .is_some_and(|r| r.registered)
        });
        if !after.healthy || registered != Some(true) {
            failures.push(format!(
                "{}: after --fix healthy={} registered={registered:?}\n{}",
                c.name,
                after.healthy,
                after.render_human()
            ));
        }
        site.shutdown().await;
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_fixes_what_is_not_safe() {
    // A device without gateway and bound elsewhere: findings, but nothing applied.
    let c = case(
        "unsafe",
        |d| {
            d.update(|c| c.network.gateway = String::new());
            d.platform().bind(d.serial(), "someone-else", CODE).unwrap();
        },
        &[],
        false,
    );
    let site = site_for(&c).await;
    let sim = site.device(0);
    (c.breakit)(sim);
    let inputs = UserInputs {
        in_own_account: Some(false),
        ..user_inputs(sim)
    };
    let before = sim.config();
    let ex = doctor::examine(&device(sim, Some(PASSWORD)), None, &inputs, &options(true)).await;
    assert_eq!(
        ex.report.ids(),
        [ids::BINDING_CONFLICT, ids::NETWORK_NO_GATEWAY]
    );
    assert!(ex.fixes.is_empty() && ex.after.is_none());
    let now = sim.config();
    assert_eq!(now.network.gateway, before.network.gateway);
    assert!(
        sim.platform()
            .record(sim.serial())
            .unwrap()
            .account
            .as_deref()
            == Some("someone-else")
    );
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_code_is_printed_once_and_works() {
    let c = case("code not set", nothing, &[], true);
    let site = site_for(&c).await;
    let sim = site.device(0);
    sim.update(|c| c.verification_code = None);
    let dev = device(sim, Some(PASSWORD));
    // `--fix` alone does not set a code: it cannot be undone
    let ex = doctor::examine(&dev, None, &UserInputs::default(), &options(true)).await;
    let skipped: Vec<_> = ex.fixes.iter().filter(|f| f.skipped).collect();
    assert_eq!(skipped.len(), 1, "{:#?}", ex.fixes);
    assert!(!skipped[0].applied && !skipped[0].fix.reversible && !skipped[0].fix.safe);
    assert!(skipped[0].message.contains("--fix-irreversible"));
    assert!(sim.verification_code().is_none());
    let ex = doctor::examine(&dev, None, &UserInputs::default(), &options_all()).await;
    let code = ex
        .fixes
        .iter()
        .find_map(|f| f.new_code.clone())
        .expect("a new code");
    assert_eq!(
        sim.verification_code().map(|c| c.expose().to_owned()),
        Some(code.expose().to_owned())
    );
    assert!(!serde_json::to_string(&ex).unwrap().contains(code.expose()));
    // The app adds the device with it.
    sim.platform()
        .bind(sim.serial(), ME, code.expose())
        .unwrap();
    sim.platform().app_open(sim.serial(), ME).unwrap();
    site.shutdown().await;
}

/// The SADP reply of a loopback responder serving `view`.
async fn sadp_reply(
    view: hikproto_sim::sadp::DeviceView,
) -> (hikproto_sim::sadp::Responder, hikproto::sadp::ProbeMatch) {
    use hikproto::sadp::{DiscoverOptions, ProbeTarget, discover};
    use hikproto_sim::sadp::{MemoryDevice, Quirks, Registration, Responder, ResponderConfig};
    let responder = Responder::start(
        ResponderConfig::loopback(),
        vec![Registration::new(MemoryDevice::new(view), Quirks::all())],
    )
    .await
    .unwrap();
    let opts = DiscoverOptions {
        targets: vec![ProbeTarget::Unicast(responder.local_addr())],
        listen_group: None,
        timeout: Duration::from_secs(3),
        expect: Some(1),
        ..DiscoverOptions::default()
    };
    let found = discover(&opts).await.unwrap();
    assert_eq!(found.len(), 1, "the responder answers");
    (responder, found[0].info.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_facts_explain_a_device_that_http_cannot_reach() {
    use hikproto_sim::sadp::DeviceView;
    // Seen on the LAN (inactive), but its web server does not answer.
    let (responder, pm) = sadp_reply(DeviceView::camera(0)).await;
    let c = case(
        "unreachable",
        |d| d.set_fault(Fault::DropConnections),
        &[],
        false,
    );
    let site = site_for(&c).await;
    let sim = site.device(0);
    (c.breakit)(sim);
    let ex = doctor::examine(
        &device(sim, Some(PASSWORD)),
        Some(&pm),
        &UserInputs::default(),
        &options(false),
    )
    .await;
    assert_eq!(
        ex.report.ids(),
        [ids::DEVICE_UNREACHABLE, ids::DEVICE_NOT_ACTIVATED]
    );
    let f = &ex.report.findings[0];
    assert!(f.cause.contains("answers SADP"), "{}", f.cause);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.field == "sadp.IPv4Address" && e.value.starts_with("10.64."))
    );
    responder.shutdown().await;
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_alone_shows_platform_access_off_without_a_login() {
    use hikproto_sim::sadp::DeviceView;
    // `flase` spelling included (Quirks::all()).
    let (responder, pm) = sadp_reply(DeviceView::camera(1).with_password(PASSWORD)).await;
    let c = case("no login", nothing, &[], false);
    let site = site_for(&c).await;
    let sim = site.device(0);
    let ex = doctor::examine(
        &device(sim, None),
        Some(&pm),
        &UserInputs::default(),
        &options(false),
    )
    .await;
    assert_eq!(ex.report.ids(), [ids::PLATFORM_DISABLED]);
    assert!(
        ex.report.findings[0]
            .evidence
            .iter()
            .any(|e| e.field == "sadp.HCPlatformEnable" && e.value == "false")
    );
    assert!(
        ex.report
            .unknown
            .iter()
            .any(|u| u.reason == "no password given")
    );
    assert_eq!(
        sim.stats().auth_failures,
        0,
        "nothing was tried without a password"
    );
    responder.shutdown().await;
    site.shutdown().await;
}

#[test]
fn every_fix_kind_states_its_safety_and_reversibility() {
    use hikproto::doctor::FixAction;
    // (action, safe, reversible)
    let table = [
        (FixAction::EnablePlatform, true, true),
        (
            FixAction::SetDns {
                primary: "8.8.8.8".into(),
                secondary: "8.8.4.4".into(),
            },
            true,
            true,
        ),
        (
            FixAction::SetServerAddress {
                host: "litedev.hik-connect.com".into(),
            },
            true,
            true,
        ),
        (
            FixAction::SetVerificationCode { generate: true },
            false,
            false,
        ),
        (FixAction::SyncTime, true, true),
    ];
    for (action, safe, reversible) in table {
        assert_eq!(action.is_safe(), safe, "{action:?}");
        assert_eq!(action.is_reversible(), reversible, "{action:?}");
        assert_eq!(action.needs_own_flag(), !reversible, "{action:?}");
        let undo = action.undo();
        if reversible {
            assert!(undo.contains("--undo"), "{action:?}: {undo}");
        } else {
            assert!(undo.contains("cannot be undone"), "{action:?}: {undo}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_then_undo_restores_the_recorded_values() {
    let c = case("platform off, no DNS, clock ahead", nothing, &[], true);
    let site = site_for(&c).await;
    let sim = site.device(0);
    sim.update(|c| {
        c.ezviz.enabled = false;
        c.network.dns1 = "0.0.0.0".into();
        c.network.dns2 = String::new();
        c.time.clock_offset_secs = 3 * 3600;
    });
    let before = sim.config();
    assert_eq!(before.time.mode, "NTP");
    let dev = device(sim, Some(PASSWORD));
    let ex = doctor::examine(&dev, None, &user_inputs(sim), &options(true)).await;
    let applied: Vec<_> = ex.fixes.iter().filter(|f| f.applied).collect();
    assert_eq!(applied.len(), 3, "{:#?}", ex.fixes);
    assert!(applied.iter().all(|f| f.previous.is_some()));
    let fixed = sim.config();
    assert_eq!(fixed.time.mode, "manual", "the sync turns NTP off");
    assert_ne!(fixed.network.dns1, before.network.dns1);
    assert!(fixed.ezviz.enabled);

    // the saved report is all the undo needs
    let saved = serde_json::json!({ "doctor": serde_json::to_value(&ex).unwrap() });
    let recorded = doctor::recorded(&serde_json::from_str(&saved.to_string()).unwrap());
    assert_eq!(recorded.len(), 3);
    let undone = doctor::undo_fixes(&dev, &recorded).await;
    assert!(undone.iter().all(|u| u.restored), "{undone:#?}");
    let now = sim.config();
    assert_eq!(now.time.mode, before.time.mode);
    assert_eq!(now.time.ntp_server, before.time.ntp_server);
    // "no DNS server" again (0.0.0.0 is written back empty, the form devices accept)
    assert_eq!(before.network.dns1, "0.0.0.0");
    assert_eq!(now.network.dns1, "");
    assert_eq!(now.network.dns2, before.network.dns2);
    assert_eq!(now.ezviz.enabled, before.ezviz.enabled);
    assert_eq!(
        now.verification_code
            .as_ref()
            .map(|c| c.expose().to_owned()),
        before
            .verification_code
            .as_ref()
            .map(|c| c.expose().to_owned()),
        "the code was never touched"
    );
    site.shutdown().await;
}
