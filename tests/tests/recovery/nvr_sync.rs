//! A recorder pushing its new admin password to the cameras on its channels
//! (`syncIPCPassword`), and not doing so without the flag.

use std::net::SocketAddr;
use std::time::Duration;

use hikproto::Secret;
use hikproto::reset::NewPassword;
use hikproto::sadp::{ClientOptions, DiscoverOptions, SadpClient, discover};
use hikproto_sim::{DeviceConfig, Site};

use super::app::{ME, bind};
use crate::{NEW_PW, PW, admin, anonymous, answers, password_works};

/// The cameras' own admin password (different from the recorder's).
const CAM_PW: &str = "Cam3ra!Pass";

/// A recorder (device 0) with two cameras (devices 1 and 2) on its channels, and a camera
/// (device 3) that is not.
async fn nvr_site() -> Site {
    let cams: Vec<DeviceConfig> = (1..=3)
        .map(|i| DeviceConfig::camera(i).with_admin(CAM_PW))
        .collect();
    let mut nvr = DeviceConfig::nvr(0).with_admin(PW);
    nvr.channel_cameras = cams[..2].iter().map(|c| c.serial.clone()).collect();
    let mut b = Site::builder().device(nvr).sadp_port(0).https(true);
    for c in cams {
        b = b.device(c);
    }
    b.start().await.expect("simulator starts")
}

#[tokio::test]
async fn reset_with_sync_changes_the_channel_cameras() {
    let site = nvr_site().await;
    let nvr = site.device(0);
    let caps = admin(nvr).reset_capabilities().await.unwrap();
    assert_eq!(caps.sync_ipc_password, Some(true));
    bind(nvr, ME);
    let open = anonymous(nvr);
    let qr = open.app_reset_qr().await.unwrap();
    let code = site.platform().app_reset_code(ME, &qr.qr_text).unwrap();
    let out = open
        .reset_with_app_code(
            &hikproto::reset::ResetCode::parse(&code).unwrap(),
            &NewPassword::new(NEW_PW).sync_camera_passwords(true),
        )
        .await
        .unwrap();
    assert!(out.sync_camera_passwords_requested);
    assert!(password_works(nvr, NEW_PW).await);
    for cam in [site.device(1), site.device(2)] {
        assert!(password_works(cam, NEW_PW).await, "{}", cam.serial());
        assert!(!password_works(cam, CAM_PW).await);
    }
    let outside = site.device(3);
    assert!(password_works(outside, CAM_PW).await, "not on a channel");
    for d in site.devices() {
        assert_eq!(d.stats().repeated_rejected_credentials, 0, "{}", d.serial());
    }
    site.shutdown().await;
}

#[tokio::test]
async fn reset_without_sync_leaves_the_cameras_alone() {
    let site = nvr_site().await;
    let nvr = site.device(0);
    admin(nvr).set_security_questions(&answers()).await.unwrap();
    anonymous(nvr)
        .reset_with_security_answers(&answers(), &NewPassword::new(NEW_PW))
        .await
        .unwrap();
    assert!(password_works(nvr, NEW_PW).await);
    for cam in [site.device(1), site.device(2)] {
        assert!(password_works(cam, CAM_PW).await, "{}", cam.serial());
    }
    // The same route with the flag: the cameras follow.
    let third = "Thr33-Passw0rd";
    anonymous(nvr)
        .reset_with_security_answers(
            &answers(),
            &NewPassword::new(third).sync_camera_passwords(true),
        )
        .await
        .unwrap();
    for cam in [site.device(1), site.device(2)] {
        assert!(password_works(cam, third).await, "{}", cam.serial());
    }
    site.shutdown().await;
}

#[tokio::test]
async fn sadp_reset_with_sync_changes_the_channel_cameras() {
    let site = nvr_site().await;
    let nvr = site.device(0);
    admin(nvr).set_security_questions(&answers()).await.unwrap();
    let local: SocketAddr = ([127, 0, 0, 1], 0).into();
    let mut opts = DiscoverOptions::unicast(vec![nvr.sadp_addr().expect("SADP responder")])
        .bind(local)
        .timeout(Duration::from_secs(3));
    opts.expect = Some(1);
    let found = discover(&opts).await.unwrap();
    let target = found.first().expect("the recorder answers").target();
    let client = SadpClient::new(ClientOptions {
        bind: local,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    })
    .await
    .unwrap();
    let sadp_answers: Vec<(u32, Secret)> =
        answers().into_iter().map(|a| (a.id, a.answer)).collect();
    client
        .reset_by_answers(&target, &sadp_answers, &Secret::new(NEW_PW), true)
        .await
        .unwrap();
    assert!(password_works(nvr, NEW_PW).await);
    for cam in [site.device(1), site.device(2)] {
        assert!(password_works(cam, NEW_PW).await, "{}", cam.serial());
    }
    assert!(password_works(site.device(3), CAM_PW).await);
    site.shutdown().await;
}
