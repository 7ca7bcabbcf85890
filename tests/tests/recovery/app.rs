//! The Hik-Connect-app route: the device shows a QR payload, the app of the account the device
//! is bound to (played by the simulated platform) shows a code, the code and a new password go
//! back to the device.

use std::time::Duration;

use hikproto::Secret;
use hikproto::client::Request;
use hikproto::isapi::security::{QrKind, phone};
use hikproto::reset::{NewPassword, ResetCode, ResetMethod, ResetRefusal, RouteStatus};
use hikproto_sim::{PlatformError, SimDevice};

use crate::{NEW_PW, PW, admin, anonymous, password_works, site, status};

/// The Hik-Connect account the devices are bound to.
pub(crate) const ME: &str = "owner@example.net";
const VCODE: &str = "Hk7Q2mZx";

/// Enables platform access with a verification code and binds the device to `account`.
pub(crate) fn bind(dev: &SimDevice, account: &str) {
    dev.update(|c| {
        c.verification_code = Some(Secret::new(VCODE));
        c.ezviz.enabled = true;
    });
    dev.platform()
        .bind(dev.serial(), account, VCODE)
        .expect("the account adds the device");
}

fn code(s: &str) -> ResetCode {
    ResetCode::parse(s).unwrap()
}

fn refusal(err: &hikproto::Error) -> Option<ResetRefusal> {
    ResetRefusal::classify(ResetMethod::HikConnectApp, err)
}

fn wrong_code(attempts_left: u32) -> Option<ResetRefusal> {
    Some(ResetRefusal::WrongCode {
        attempts_left: Some(attempts_left),
    })
}

#[tokio::test]
async fn reset_by_hik_connect_app_code() {
    let site = site(2).await;
    let (dev, other) = (site.device(0), site.device(1));
    let open = anonymous(dev);
    let new = NewPassword::new(NEW_PW);

    // Not bound to an account: no QR code, and the plan says what is missing.
    let err = open.app_reset_qr().await.unwrap_err();
    assert_eq!(refusal(&err), Some(ResetRefusal::NotConfigured), "{err}");
    let plan = admin(dev).recovery_plan().await.unwrap();
    assert_eq!(
        status(&plan, ResetMethod::HikConnectApp),
        RouteStatus::NeedsPreparation
    );

    bind(dev, ME);
    bind(other, ME);
    let plan = admin(dev).recovery_plan().await.unwrap();
    assert_eq!(
        status(&plan, ResetMethod::HikConnectApp),
        RouteStatus::Ready
    );

    let qr = open.app_reset_qr().await.unwrap();
    assert_eq!(qr.kind, QrKind::HikConnectApp);
    assert_eq!(qr.model.as_deref(), Some(dev.model()));
    assert!(qr.domain.is_some());

    // Only the bound account's app shows a code.
    let platform = site.platform();
    assert_eq!(
        platform.app_reset_code("someone-else@example.net", &qr.qr_text),
        Err(PlatformError::NotBound)
    );
    assert_eq!(
        platform.app_reset_code(ME, "not a QR payload"),
        Err(PlatformError::InvalidQrCode)
    );
    let good = platform.app_reset_code(ME, &qr.qr_text).unwrap();
    assert_eq!(dev.app_reset_code(ME), Some(Ok(good.clone())));

    // A wrong code, then the code of another device: refused with attempts left.
    let err = open
        .reset_with_app_code(&code("00000000"), &new)
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), wrong_code(6), "{err}");
    let other_qr = anonymous(other).app_reset_qr().await.unwrap();
    let other_code = platform.app_reset_code(ME, &other_qr.qr_text).unwrap();
    assert_ne!(other_code, good);
    let err = open
        .reset_with_app_code(&code(&other_code), &new)
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), wrong_code(5), "{err}");
    assert!(!err.to_string().contains(&other_code), "{err}");

    // A new password the device's policy calls risky (the client's own check passes it on
    // here only because the request is built by hand): refused, and the code stays usable.
    let weak = Request::put(phone::RESET_PATH)
        .json(&phone::reset_body(
            &Secret::new(good.as_str()),
            &Secret::new("Abcd1234"),
            false,
        ))
        .without_auth();
    let err = open
        .request(weak)
        .await
        .and_then(|r| r.status())
        .unwrap_err();
    assert_eq!(refusal(&err), Some(ResetRefusal::PasswordRefused), "{err}");
    assert!(password_works(dev, PW).await, "nothing changed");

    let out = open.reset_with_app_code(&code(&good), &new).await.unwrap();
    assert_eq!(out.method, ResetMethod::HikConnectApp);
    assert!(password_works(dev, NEW_PW).await);
    assert!(!password_works(dev, PW).await);
    assert!(
        password_works(other, PW).await,
        "the other device is untouched"
    );

    // The code worked once.
    let err = open
        .reset_with_app_code(&code(&good), &NewPassword::new("Thr33-Passw0rd"))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), wrong_code(6), "{err}");
    assert!(password_works(dev, NEW_PW).await);

    // An expired code.
    let qr = open.app_reset_qr().await.unwrap();
    let late = platform.app_reset_code(ME, &qr.qr_text).unwrap();
    dev.age_reset_codes(Duration::from_secs(31 * 60));
    let err = open
        .reset_with_app_code(&code(&late), &NewPassword::new("Thr33-Passw0rd"))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), wrong_code(5), "{err}");
    assert!(password_works(dev, NEW_PW).await);

    for d in [dev, other] {
        assert_eq!(d.stats().repeated_rejected_credentials, 0);
    }
    site.shutdown().await;
}

#[tokio::test]
async fn app_route_locks_after_repeated_wrong_codes() {
    let site = site(1).await;
    let dev = site.device(0);
    bind(dev, ME);
    let open = anonymous(dev);
    let new = NewPassword::new(NEW_PW);
    let qr = open.app_reset_qr().await.unwrap();
    let good = site.platform().app_reset_code(ME, &qr.qr_text).unwrap();
    let mut lefts = Vec::new();
    for i in 0..7 {
        let err = open
            .reset_with_app_code(&code(&format!("9999000{i}")), &new)
            .await
            .unwrap_err();
        lefts.push(refusal(&err));
    }
    assert_eq!(lefts, (0..7).rev().map(wrong_code).collect::<Vec<_>>());
    // Locked: the right code is refused too, and no new QR payload is issued.
    let err = open
        .reset_with_app_code(&code(&good), &new)
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(&err), Some(ResetRefusal::Locked { .. })),
        "{err}"
    );
    let err = open.app_reset_qr().await.unwrap_err();
    assert!(
        matches!(refusal(&err), Some(ResetRefusal::Locked { .. })),
        "{err}"
    );
    assert!(password_works(dev, PW).await);
    assert_eq!(dev.stats().repeated_rejected_credentials, 0);
    site.shutdown().await;
}
