//! The responder bound to the simulator's site devices: SADP and ISAPI see one device.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hikproto::Error;
use hikproto::sadp::{DeviceTarget, NetworkParams, SadpErrorCode, UnbindStatus, discover};

use super::*;
use crate::config::{DeviceConfig, SiteConfig};
use crate::site::Site;

async fn site() -> Site {
    let config = SiteConfig {
        sadp_port: Some(0),
        devices: vec![
            DeviceConfig::camera(0),
            DeviceConfig::camera(1).with_admin(PW),
        ],
        ..SiteConfig::default()
    };
    Site::start(config).await.expect("site starts")
}

fn addrs(site: &Site) -> Vec<SocketAddr> {
    site.devices()
        .iter()
        .map(|d| d.sadp_addr().expect("a SADP responder per device"))
        .collect()
}

async fn targets(site: &Site) -> Vec<DeviceTarget> {
    let found = discover(&fast(addrs(site)).expect(2)).await.unwrap();
    assert_eq!(found.len(), 2);
    site.devices()
        .iter()
        .map(|d| {
            found
                .iter()
                .find(|f| f.info.device_sn.as_deref() == Some(d.serial()))
                .expect("every site device is discovered")
                .target()
        })
        .collect()
}

async fn isapi_ok(host: &str, password: &str) -> hikproto::Result<()> {
    let dev = hikproto::Device::builder(host)
        .credentials("admin", password)
        .build()?;
    dev.device_info().await.map(drop)
}

#[tokio::test]
async fn site_devices_are_discovered_with_their_real_state() {
    let s = site().await;
    let found = discover(&fast(addrs(&s)).expect(2)).await.unwrap();
    for d in s.devices() {
        let f = found
            .iter()
            .find(|f| f.info.device_sn.as_deref() == Some(d.serial()))
            .unwrap();
        assert_eq!(Some(f.mac), d.mac().parse().ok());
        assert_eq!(f.info.device_description.as_deref(), Some(d.model()));
        assert_eq!(f.info.http_port, Some(d.http_addr().port()));
        assert_eq!(f.info.hc_platform_enable, Some(false), "sent as flase");
    }
    let active: Vec<Option<bool>> = s
        .devices()
        .iter()
        .map(|d| {
            found
                .iter()
                .find(|f| f.info.device_sn.as_deref() == Some(d.serial()))
                .and_then(|f| f.info.activated)
        })
        .collect();
    assert_eq!(active, vec![Some(false), Some(true)]);
    let started = Instant::now();
    s.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "responders stop on shutdown"
    );
}

#[tokio::test]
async fn activation_over_sadp_opens_isapi() {
    let s = site().await;
    let t = targets(&s).await;
    let c = client().await;
    let e = c.activate(&t[0], &secret("password12")).await.unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::RiskPassword);
    c.activate(&t[0], &secret("Str0ng!Passw0rd")).await.unwrap();
    isapi_ok(&s.device(0).host(), "Str0ng!Passw0rd")
        .await
        .unwrap();
    assert!(matches!(
        c.activate(&t[0], &secret("Oth3r!Passw0rd")).await,
        Err(Error::AlreadyActivated)
    ));
    s.shutdown().await;
}

#[tokio::test]
async fn network_change_and_support_desk_reset_are_seen_by_isapi() {
    let s = site().await;
    let t = targets(&s).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let found = discover(&fast(vec![t[1].addr]).expect(1)).await.unwrap();
    let mut params = NetworkParams::from_probe_match(&found[0].info).unwrap();
    params.ipv4_address = "192.168.1.99".parse().unwrap();
    c.update_network(&t[1], &params, &secret(PW)).await.unwrap();
    assert_eq!(s.snapshot().devices[1].network.ip, "192.168.1.99");

    // the site's support desk answers an export made over SADP
    let export = c.encrypt_string(&t[1]).await.unwrap();
    let reply = crate::support::answer_export(&export).unwrap();
    c.reset_with_code(&t[1], &secret(&reply), &secret("N3w!Passw0rd"), false)
        .await
        .unwrap();
    isapi_ok(&s.device(1).host(), "N3w!Passw0rd").await.unwrap();
    // a newer export makes that reply stale
    let _ = c.encrypt_string(&t[1]).await.unwrap();
    let e = c
        .reset_with_code(&t[1], &secret(&reply), &secret("Oth3r!Passw0rd"), false)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::ExportFileOverdue);
    s.shutdown().await;
}

#[tokio::test]
async fn guid_and_platform_over_sadp() {
    let s = site().await;
    let t = targets(&s).await;
    let c = client().await.allow_plaintext_secrets(); // resets send codes/GUIDs in clear
    let guid = c.export_guid(&t[1], &secret(PW)).await.unwrap();
    assert_eq!(
        guid.to_bytes().len(),
        128,
        "the same 128-byte file GUIDFileData exports"
    );
    c.reset_by_guid(&t[1], &guid, &secret("Gu1d!Passw0rd"), false)
        .await
        .unwrap();
    isapi_ok(&s.device(1).host(), "Gu1d!Passw0rd")
        .await
        .unwrap();
    let pw = secret("Gu1d!Passw0rd");

    c.set_verification_code(&t[1], &secret("ABC123"), &pw)
        .await
        .unwrap();
    c.set_hc_platform(&t[1], true, &pw).await.unwrap();
    let serial = s.device(1).serial().to_owned();
    s.platform()
        .bind(&serial, "installer@example.com", "ABC123")
        .unwrap();
    c.unbind_hik_connect(&t[1], &pw).await.unwrap();
    assert_eq!(c.unbind_status(&t[1]).await.unwrap(), UnbindStatus::Success);
    assert_eq!(s.platform().record(&serial).unwrap().account, None);

    c.restore_inactive(&t[1], &pw).await.unwrap();
    assert!(!s.snapshot().devices[1].activated);
    s.shutdown().await;
}
