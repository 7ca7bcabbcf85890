//! Password recovery end to end: the hikproto client against hikproto-sim.
//!
//! Every ISAPI route (security answers, GUID file, reserved e-mail, factory reset, reboot), the
//! preparation operations, the recovery plan, and the failures a user meets: a wrong answer
//! with attempts left, an invalid GUID, a device locked after repeated failures, a file made for
//! another device, an expired export and a superseded reply. The key-file route's SADP commands
//! are not exercised here; its files are, against the simulator's documented support-desk
//! scheme (`hikproto_sim::support`). The Hik-Connect-app route is in `recovery/app.rs`, a
//! recorder pushing its new password to its cameras in `recovery/nvr_sync.rs`.

mod recovery {
    pub(crate) mod app;
    pub(crate) mod nvr_sync;
}

use std::time::{Duration, SystemTime};

use hikproto::Device;
use hikproto::isapi::security::{QrKind, QuestionAnswer};
use hikproto::isapi::system::FactoryResetMode;
use hikproto::reset::files::{
    FileError, FileKind, GuidFile, KeyExport, QrPayloadFile, SupportReply,
};
use hikproto::reset::{
    NewPassword, RecoveryPlan, ResetCode, ResetMethod, ResetRefusal, RouteStatus,
};
use hikproto_sim::{RiskyPasswords, SimDevice, Site, support};
use hikproto_tests::clients::password_works;

const PW: &str = "Passw0rd!x";
const NEW_PW: &str = "N3w-Passw0rd";

async fn site(n: usize) -> Site {
    Site::builder()
        .devices(n)
        .password(PW)
        .https(true)
        .start()
        .await
        .expect("simulator starts")
}

fn admin(dev: &SimDevice) -> Device {
    hikproto_tests::clients::admin(dev, PW)
}

/// A handle without credentials, as the reset routes use, over HTTPS with the simulator's
/// certificate pinned: the reset secrets (answers, codes, GUID file, new password) cannot use
/// the field cipher, whose key derives from the lost password, so they travel only inside TLS.
fn anonymous(dev: &SimDevice) -> Device {
    Device::builder(dev.https_url().expect("the site serves HTTPS"))
        .tls(hikproto::TlsMode::PinSha256(
            dev.cert_sha256().expect("a certificate"),
        ))
        .build()
        .unwrap()
}

fn answers() -> Vec<QuestionAnswer> {
    vec![
        QuestionAnswer::new(1, "Rex"),
        QuestionAnswer::new(2, "Lisbon"),
        QuestionAnswer::new(3, "blue"),
    ]
}

fn wrong_answers() -> Vec<QuestionAnswer> {
    vec![
        QuestionAnswer::new(1, "Rex"),
        QuestionAnswer::new(2, "Porto"),
        QuestionAnswer::new(3, "blue"),
    ]
}

fn status(plan: &RecoveryPlan, m: ResetMethod) -> RouteStatus {
    plan.route(m).unwrap().status
}

#[tokio::test]
async fn plan_follows_preparation() {
    let site = site(1).await;
    let dev = site.device(0);
    let dir = tempfile::tempdir().unwrap();

    // Before login: only the extern capabilities.
    let facts = anonymous(dev).recovery_facts().await.unwrap();
    let ext = facts
        .extern_caps
        .clone()
        .expect("extern capabilities are readable before login");
    assert_eq!(ext.with_security_question, Some(true));
    assert_eq!(ext.min_reset_methods, Some(1));
    assert_eq!(facts.password_known, None);
    assert!(
        facts.gaps.iter().any(|g| g.contains("no credentials")),
        "{:?}",
        facts.gaps
    );
    let plan = RecoveryPlan::from_facts(&facts);
    assert_eq!(
        status(&plan, ResetMethod::SecurityQuestions),
        RouteStatus::Possible
    );

    // Logged in, nothing prepared yet.
    let d = admin(dev);
    let plan = d.recovery_plan().await.unwrap();
    assert_eq!(
        status(&plan, ResetMethod::SecurityQuestions),
        RouteStatus::NeedsPreparation
    );
    assert_eq!(
        status(&plan, ResetMethod::ReservedEmail),
        RouteStatus::NeedsPreparation
    );
    assert!(plan.methods_configured.is_empty());
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("at least 1 reset method")),
        "{:?}",
        plan.warnings
    );
    assert_eq!(plan.device.serial.as_deref(), Some(dev.serial()));

    // Prepare three routes.
    d.set_security_questions(&answers()).await.unwrap();
    d.set_security_email("owner@example.com").await.unwrap();
    let guid_path = dir.path().join("DeviceGUID.bin");
    let guid = d.export_guid_file(&guid_path).await.unwrap();
    assert_eq!(std::fs::read(&guid_path).unwrap(), guid.as_bytes());
    assert_eq!(guid.serial(), Some(dev.serial()));

    let facts = d
        .recovery_facts()
        .await
        .unwrap()
        .with_guid_file_on_hand(true);
    assert_eq!(facts.questions_configured, Some(true));
    assert_eq!(facts.email_configured, Some(true));
    let plan = RecoveryPlan::from_facts(&facts);
    for m in [
        ResetMethod::SecurityQuestions,
        ResetMethod::ReservedEmail,
        ResetMethod::GuidFile,
    ] {
        assert_eq!(status(&plan, m), RouteStatus::Ready, "{m:?}");
    }
    assert!(
        plan.warnings.iter().all(|w| !w.contains("reset method")),
        "{:?}",
        plan.warnings
    );
    assert_eq!(d.security_questions().await.unwrap().configured_count(), 3);
    assert_eq!(
        d.security_email().await.unwrap().address.as_deref(),
        Some("owner@example.com")
    );
    site.shutdown().await;
}

#[tokio::test]
async fn reset_by_security_answers() {
    let site = site(1).await;
    let dev = site.device(0);
    admin(dev).set_security_questions(&answers()).await.unwrap();
    let open = anonymous(dev);

    let err = open
        .reset_with_security_answers(&wrong_answers(), &NewPassword::new(NEW_PW))
        .await
        .unwrap_err();
    assert_eq!(
        ResetRefusal::classify(ResetMethod::SecurityQuestions, &err),
        Some(ResetRefusal::WrongAnswer {
            attempts_left: Some(6)
        }),
        "{err}"
    );
    assert!(!err.to_string().contains("Porto"));
    assert!(
        password_works(dev, PW).await,
        "a refused reset changes nothing"
    );

    let out = open
        .reset_with_security_answers(&answers(), &NewPassword::new(NEW_PW))
        .await
        .unwrap();
    assert_eq!(out.method, ResetMethod::SecurityQuestions);
    assert!(out.status.is_success());
    assert!(!out.password_is_risky());
    assert!(password_works(dev, NEW_PW).await);
    assert!(!password_works(dev, PW).await);
    site.shutdown().await;
}

/// A firmware that accepts a password it rates risky (statusCode 1 `riskPassword`) is a success
/// that says so, on the outcome and in its JSON form.
#[tokio::test]
async fn risky_new_password_is_accepted_with_a_warning() {
    let site = site(1).await;
    let dev = site.device(0);
    dev.update(|c| c.personality.risky_passwords = RiskyPasswords::Warn);
    admin(dev).set_security_questions(&answers()).await.unwrap();
    // The standard policy passes it; the simulated firmware rates the "wxyz" run as risky.
    let risky = "Wxyz-Ma1led#3";
    let out = anonymous(dev)
        .reset_with_security_answers(&answers(), &NewPassword::new(risky))
        .await
        .unwrap();
    assert!(out.password_is_risky(), "{out:?}");
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["passwordRisky"], true, "{json}");
    assert!(password_works(dev, risky).await);
    site.shutdown().await;
}

#[tokio::test]
async fn weak_new_password_is_refused_before_sending() {
    let site = site(1).await;
    let dev = site.device(0);
    let open = anonymous(dev);
    let before = dev.stats().requests;
    for weak in ["short1", "onlyletters", "admin12345", "has space 1"] {
        let err = open
            .reset_with_security_answers(&answers(), &NewPassword::new(weak))
            .await
            .unwrap_err();
        assert!(matches!(err, hikproto::Error::InvalidInput(_)), "{err}");
        assert!(!err.to_string().contains(weak), "{err}");
    }
    assert_eq!(dev.stats().requests, before, "nothing reached the device");
    site.shutdown().await;
}

#[tokio::test]
async fn device_locks_after_repeated_wrong_answers() {
    let site = site(1).await;
    let dev = site.device(0);
    admin(dev).set_security_questions(&answers()).await.unwrap();
    let open = anonymous(dev);
    let new = NewPassword::new(NEW_PW);
    let mut lefts = Vec::new();
    for _ in 0..7 {
        let err = open
            .reset_with_security_answers(&wrong_answers(), &new)
            .await
            .unwrap_err();
        match ResetRefusal::classify(ResetMethod::SecurityQuestions, &err) {
            Some(ResetRefusal::WrongAnswer { attempts_left }) => lefts.push(attempts_left),
            other => panic!("unexpected {other:?} for {err}"),
        }
    }
    assert_eq!(lefts, (0..7).rev().map(Some).collect::<Vec<_>>());
    // Locked now: even the right answers are refused.
    let err = open
        .reset_with_security_answers(&answers(), &new)
        .await
        .unwrap_err();
    let refusal = ResetRefusal::classify(ResetMethod::SecurityQuestions, &err);
    assert!(
        matches!(refusal, Some(ResetRefusal::Locked { .. })),
        "{refusal:?} {err}"
    );
    assert!(password_works(dev, PW).await);
    site.shutdown().await;
}

#[tokio::test]
async fn reset_by_guid_file() {
    let site = site(2).await;
    let (dev, other) = (site.device(0), site.device(1));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guid-0.bin");
    let other_path = dir.path().join("guid-1.bin");
    admin(dev).export_guid_file(&path).await.unwrap();
    admin(other).export_guid_file(&other_path).await.unwrap();

    // A file exported from another device is refused before anything is sent.
    let err = GuidFile::load(&other_path, Some(dev.serial())).unwrap_err();
    assert!(matches!(err, FileError::OtherDevice { .. }), "{err}");
    // The wrong kind of file.
    let sidecar = hikproto::reset::files::sidecar_path(&path);
    let err = GuidFile::load(&sidecar, Some(dev.serial())).unwrap_err();
    assert!(
        matches!(
            err,
            FileError::WrongKind {
                found: FileKind::Sidecar,
                ..
            }
        ),
        "{err}"
    );

    // A GUID the device does not know: refused by the device, with attempts left.
    let open = anonymous(dev);
    let forged = GuidFile::from_export(
        (0u8..128).map(|i| i.wrapping_mul(37) | 1).collect(),
        "isapi",
    )
    .unwrap();
    let err = open
        .reset_with_guid_file(&forged, &NewPassword::new(NEW_PW))
        .await
        .unwrap_err();
    assert_eq!(
        ResetRefusal::classify(ResetMethod::GuidFile, &err),
        Some(ResetRefusal::GuidMismatch {
            attempts_left: Some(6)
        }),
        "{err}"
    );

    let file = GuidFile::load(&path, Some(dev.serial())).unwrap();
    let out = open
        .reset_with_guid_file(&file, &NewPassword::new(NEW_PW))
        .await
        .unwrap();
    assert_eq!(out.method, ResetMethod::GuidFile);
    assert!(password_works(dev, NEW_PW).await);
    assert!(
        password_works(other, PW).await,
        "the other device is untouched"
    );
    site.shutdown().await;
}

#[tokio::test]
async fn reset_by_reserved_email_code() {
    let site = site(1).await;
    let dev = site.device(0);
    let dir = tempfile::tempdir().unwrap();
    let open = anonymous(dev);

    // Not set up yet.
    let err = open.email_reset_qr().await.unwrap_err();
    assert_eq!(
        ResetRefusal::classify(ResetMethod::ReservedEmail, &err),
        Some(ResetRefusal::NotConfigured),
        "{err}"
    );

    admin(dev)
        .set_security_email("owner@example.com")
        .await
        .unwrap();
    let qr = open.email_reset_qr().await.unwrap();
    assert_eq!(qr.kind, QrKind::Email);
    let now = SystemTime::now();
    let path = dir
        .path()
        .join(QrPayloadFile::suggested_file_name(QrKind::Email, now));
    QrPayloadFile::save(&path, &qr, Some(dev.serial()), now).unwrap();
    let saved = QrPayloadFile::load(&path, QrKind::Email, Some(dev.short_serial()), now).unwrap();
    assert_eq!(saved.payload.qr_text, qr.qr_text);
    let err = QrPayloadFile::load(&path, QrKind::HikConnectApp, None, now).unwrap_err();
    assert!(matches!(err, FileError::WrongKind { .. }), "{err}");
    let err = QrPayloadFile::load(
        &path,
        QrKind::Email,
        None,
        now + Duration::from_secs(49 * 3600),
    )
    .unwrap_err();
    assert!(matches!(err, FileError::Stale { .. }), "{err}");

    // The vendor's mail service, played by the simulator's documented test scheme.
    let code = support::answer_email_qr(&saved.payload.qr_text).unwrap();
    let wrong = ResetCode::parse("ZZZZ9999").unwrap();
    let err = open
        .reset_with_email_code(&wrong, &NewPassword::new(NEW_PW))
        .await
        .unwrap_err();
    assert_eq!(
        ResetRefusal::classify(ResetMethod::ReservedEmail, &err),
        Some(ResetRefusal::WrongCode {
            attempts_left: Some(6)
        }),
        "{err}"
    );
    let out = open
        .reset_with_email_code(&ResetCode::parse(&code).unwrap(), &NewPassword::new(NEW_PW))
        .await
        .unwrap();
    assert_eq!(out.method, ResetMethod::ReservedEmail);
    assert!(password_works(dev, NEW_PW).await);
    site.shutdown().await;
}

#[tokio::test]
async fn key_file_and_support_reply() {
    let site = site(2).await;
    let (dev, other) = (site.device(0), site.device(1));
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();

    // Export (what SADP getencryptstring returns), written verbatim with its sidecar.
    let export = dev.export_reset_string().unwrap();
    let key_path = dir
        .path()
        .join(KeyExport::suggested_file_name(dev.serial(), now));
    let record =
        KeyExport::write(&key_path, &export, dev.serial(), None, Some(dev.mac()), now).unwrap();
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), export);
    let check = record.check(now, None).unwrap();
    assert!(!check.may_have_expired);

    // Support answers; the reply is checked, then imported (what SADP reset does with `Code`).
    let reply_path = dir
        .path()
        .join(format!("Encrypt_{}_o2.xml", dev.short_serial()));
    std::fs::write(&reply_path, support::answer_export(&export).unwrap()).unwrap();
    let reply = SupportReply::load(&reply_path, Some(&record), Some(dev.serial()), now).unwrap();
    assert_eq!(reply.name_serial.as_deref(), Some(dev.short_serial()));

    // A reply made for another device.
    let other_export = other.export_reset_string().unwrap();
    let other_reply = dir
        .path()
        .join(format!("Encrypt_{}_o2.xml", other.short_serial()));
    std::fs::write(&other_reply, support::answer_export(&other_export).unwrap()).unwrap();
    let err = SupportReply::load(&other_reply, Some(&record), Some(dev.serial()), now).unwrap_err();
    assert!(matches!(err, FileError::OtherDevice { .. }), "{err}");
    // The export file picked by mistake.
    let err = SupportReply::load(&key_path, Some(&record), None, now).unwrap_err();
    assert!(
        matches!(
            err,
            FileError::WrongKind {
                found: FileKind::KeyExport,
                ..
            }
        ),
        "{err}"
    );
    // An expired export.
    let late = now + Duration::from_secs(49 * 3600);
    assert!(matches!(
        record.check(late, None),
        Err(FileError::Stale { .. })
    ));
    assert!(matches!(
        SupportReply::load(&reply_path, Some(&record), None, late),
        Err(FileError::Stale { .. })
    ));

    dev.apply_reset_reply(reply.code().expose(), NEW_PW)
        .unwrap();
    assert!(password_works(dev, NEW_PW).await);

    // A newer export supersedes a reply saved before it.
    let later = now + Duration::from_secs(3600);
    let export2 = dev.export_reset_string().unwrap();
    let key2 = dir.path().join("DeviceKey-2.xml");
    let record2 = KeyExport::write(&key2, &export2, dev.serial(), None, None, later).unwrap();
    let err = SupportReply::load(&reply_path, Some(&record2), None, later).unwrap_err();
    assert!(matches!(err, FileError::Superseded { .. }), "{err}");
    site.shutdown().await;
}

/// Waits (bounded) for a simulated reboot to end.
async fn wait_until_up(dev: &SimDevice) {
    for _ in 0..100 {
        if !dev.is_rebooting() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the device did not come back");
}

#[tokio::test]
async fn factory_reset_and_reboot() {
    let site = site(1).await;
    let dev = site.device(0);
    dev.update(|c| c.reboot_ms = 200);
    let d = admin(dev);

    let st = d.factory_reset(&FactoryResetMode::Basic).await.unwrap();
    assert!(st.is_success());
    assert!(dev.is_rebooting(), "a factory reset restarts the device");
    wait_until_up(dev).await;
    assert!(dev.is_activated());
    assert!(password_works(dev, PW).await, "basic keeps the users");

    let d = admin(dev);
    d.reboot().await.unwrap();
    assert!(dev.is_rebooting());
    assert!(
        d.device_info().await.is_err(),
        "unreachable while rebooting"
    );
    wait_until_up(dev).await;

    let d = admin(dev);
    let part = FactoryResetMode::parse("part").unwrap();
    let err = d.factory_reset(&part).await.unwrap_err();
    let sub = err.response_status().map(|s| s.sub_status_code.clone());
    assert_eq!(sub.as_deref(), Some("badParameters"), "{err}");
    assert!(!dev.is_rebooting(), "a refused mode changes nothing");

    assert!(FactoryResetMode::Full.leaves_device_inactive());
    d.factory_reset(&FactoryResetMode::Full).await.unwrap();
    wait_until_up(dev).await;
    assert!(!dev.is_activated(), "full restores factory state");
    site.shutdown().await;
}

#[tokio::test]
async fn route_the_device_does_not_offer() {
    let site = site(1).await;
    let dev = site.device(0);
    dev.update(|c| c.reset_methods.guid_file = false);
    let plan = anonymous(dev).recovery_plan().await.unwrap();
    assert_eq!(
        status(&plan, ResetMethod::GuidFile),
        RouteStatus::Unsupported
    );
    let forged = GuidFile::from_export(vec![7u8; 128], "isapi").unwrap();
    let err = anonymous(dev)
        .reset_with_guid_file(&forged, &NewPassword::new(NEW_PW))
        .await
        .unwrap_err();
    assert_eq!(
        ResetRefusal::classify(ResetMethod::GuidFile, &err),
        Some(ResetRefusal::NotSupported),
        "{err}"
    );
    site.shutdown().await;
}

#[tokio::test]
async fn secrets_stay_out_of_errors_and_debug() {
    let site = site(1).await;
    let dev = site.device(0);
    admin(dev).set_security_questions(&answers()).await.unwrap();
    let open = anonymous(dev);
    let new = NewPassword::new(NEW_PW);
    let err = open
        .reset_with_security_answers(&wrong_answers(), &new)
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?} {new:?} {:?}", wrong_answers());
    for secret in [NEW_PW, "Porto", "Lisbon", PW] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    site.shutdown().await;
}
