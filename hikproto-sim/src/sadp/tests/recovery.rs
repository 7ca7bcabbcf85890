use std::time::Duration;

use hikproto::Error;
use hikproto::sadp::{GuidFile, SadpErrorCode, SecurityQuestion};

use super::super::{DeviceView, Quirks, ResponderConfig, tokens};
use super::*;

#[tokio::test]
async fn export_file_reset_answered_by_the_support_desk() {
    let o = activated(200).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let e = c
        .reset_with_code(&t, &secret("ABCDEF"), &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(
        code_of(&e),
        SadpErrorCode::EmptyEncryptString,
        "no export yet"
    );

    let exported = c.encrypt_string(&t).await.unwrap();
    assert!(!exported.is_empty());
    let reply = tokens::support_reply(&exported);

    let e = c
        .reset_with_code(&t, &secret("NOT-THE-REPLY"), &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::InvalidResetCode);
    assert!(e.to_string().contains("6 attempts left"), "{e}");

    // a password the device would refuse as risky is stopped by the client before the reply
    // is spent (the device's own refusal is covered by the activation test)
    let e = c
        .reset_with_code(&t, &secret(&reply), &secret("weakpassword"), false)
        .await
        .unwrap_err();
    assert!(matches!(e, hikproto::Error::InvalidInput(_)), "{e}");
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        PW,
        "unchanged"
    );

    c.reset_with_code(&t, &secret(&reply), &secret("N3w!Passw0rd"), true)
        .await
        .unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
    // the reply is single-use
    let e = c
        .reset_with_code(&t, &secret(&reply), &secret("Oth3r!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::EmptyEncryptString);
}

#[tokio::test]
async fn an_expired_export_and_encrypted_codes() {
    let mut view = DeviceView::camera(201).with_password(PW);
    view.features.code_encrypt = true;
    let cfg = ResponderConfig {
        export_ttl: Duration::from_millis(300),
        ..ResponderConfig::loopback()
    };
    let o = one(view, Quirks::default(), cfg).await;
    let t = target_of(o.responder.local_addr()).await;
    assert!(t.code_encrypt, "the device advertises codeEncrypt");
    let c = client().await;
    let exported = c.encrypt_string(&t).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let e = c
        .reset_with_code(
            &t,
            &secret(&tokens::support_reply(&exported)),
            &secret("N3w!Passw0rd"),
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::ExportFileOverdue);
    // a fresh export within its validity works, with the code sent encrypted
    let exported = c.encrypt_string(&t).await.unwrap();
    c.reset_with_code(
        &t,
        &secret(&tokens::support_reply(&exported)),
        &secret("N3w!Passw0rd"),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
}

#[tokio::test]
async fn legacy_security_code_reset() {
    let mut view = DeviceView::camera(202).with_password(PW);
    view.features.legacy_reset = true;
    let o = one(view, Quirks::default(), ResponderConfig::loopback()).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let e = c.reset_legacy(&t, &secret("0000000000")).await.unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::InvalidResetCode);
    let v = o.dev.view();
    let code = tokens::legacy_code(&v.serial, v.boot_time.split(' ').next().unwrap());
    c.reset_legacy(&t, &secret(&code)).await.unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "12345",
        "factory password"
    );
}

#[tokio::test]
async fn guid_export_and_reset() {
    let o = activated(203).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    assert!(matches!(
        c.export_guid(&t, &secret("Wrong-Passw0rd")).await,
        Err(Error::CredentialsRejected { .. })
    ));
    let guid = c.export_guid(&t, &secret(PW)).await.unwrap();
    assert_eq!(guid.to_bytes().len(), 96);
    assert!(c.password_reset_types(&t).await.unwrap().guid_file == Some(true));
    let e = c
        .reset_by_guid(&t, &GuidFile::new("AAAA"), &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::InvalidGuid);
    c.reset_by_guid(&t, &guid, &secret("N3w!Passw0rd"), false)
        .await
        .unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
}

#[tokio::test]
async fn security_questions_set_and_answered() {
    let o = activated(204).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await;
    assert!(c.security_questions(&t).await.unwrap().is_empty());
    let answers = [
        (1, secret("Blue")),
        (5, secret("Rex")),
        (9, secret("Lisbon")),
    ];
    c.set_security_questions(&t, &answers, &secret(PW))
        .await
        .unwrap();
    assert_eq!(
        c.security_questions(&t).await.unwrap(),
        vec![
            SecurityQuestion {
                id: 1,
                is_set: true
            },
            SecurityQuestion {
                id: 5,
                is_set: true
            },
            SecurityQuestion {
                id: 9,
                is_set: true
            }
        ]
    );
    assert_eq!(
        c.password_reset_types(&t).await.unwrap().security_question,
        Some(true)
    );
    let wrong = [
        (1, secret("Blue")),
        (5, secret("Max")),
        (9, secret("Lisbon")),
    ];
    let e = c
        .reset_by_answers(&t, &wrong, &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::AnswerError);
    let e = c
        .reset_by_answers(&t, &answers[..2], &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::QuestionNumError);
    c.reset_by_answers(&t, &answers, &secret("N3w!Passw0rd"), false)
        .await
        .unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
}

#[tokio::test]
async fn reserved_email_reset() {
    let o = activated(205).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let e = c.mail_reset_qr(&t).await.unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::MailboxNotSet);
    c.set_mailbox(&t, "owner@example.com", &secret(PW))
        .await
        .unwrap();
    assert_eq!(o.dev.view().mailbox.as_deref(), Some("owner@example.com"));
    let qr = c.mail_reset_qr(&t).await.unwrap();
    assert_eq!(qr.mail_box.as_deref(), Some("o***@example.com"));
    assert!(qr.mail_service_box.is_some());
    let e = c
        .reset_by_mail_code(&t, &secret("ZZZZZZZZ"), &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::InvalidResetCode);
    c.reset_by_mail_code(
        &t,
        &secret(&tokens::mail_code(&qr.qr_codes)),
        &secret("N3w!Passw0rd"),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
}

#[tokio::test]
async fn hik_connect_app_reset() {
    let o = activated(206).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let e = c.phone_reset_qr(&t).await.unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::PhoneNotSet);
    o.dev.update(|v| v.bound_account = Some("+15550100".into()));
    let qr = c.phone_reset_qr(&t).await.unwrap();
    assert_eq!(qr.model.as_deref(), Some("DS-2CD2386G2-IU"));
    assert_eq!(
        c.password_reset_types(&t)
            .await
            .unwrap()
            .hc_verification_code,
        Some(true)
    );
    c.reset_by_phone_code(
        &t,
        &secret(&tokens::app_code(&qr.qr_code)),
        &secret("N3w!Passw0rd"),
    )
    .await
    .unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
}

#[tokio::test]
async fn reset_attempts_share_the_lock_counter() {
    let cfg = ResponderConfig {
        lock: super::super::LockPolicy {
            max_attempts: 2,
            lock_for: Duration::from_secs(600),
        },
        ..ResponderConfig::loopback()
    };
    let o = one(
        DeviceView::camera(207).with_password(PW),
        Quirks::default(),
        cfg,
    )
    .await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let e = c
        .reset_by_guid(&t, &GuidFile::new("AAAA"), &secret("N3w!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::InvalidGuid);
    let e = c
        .export_guid(&t, &secret("Wrong-Passw0rd"))
        .await
        .unwrap_err();
    match e {
        Error::Locked { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(600)))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.export_guid(&t, &secret(PW)).await,
        Err(Error::Locked { .. })
    ));
}
