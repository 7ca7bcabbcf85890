//! The site's SADP responder shares state with ISAPI: discovery shows the site's devices, and
//! an activation over SADP makes the device answer ISAPI with the new password.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use hikproto::Secret;
use hikproto::sadp::{ClientOptions, DiscoverOptions, SadpClient, discover};
use hikproto_sim::{DeviceConfig, Site};

const PW: &str = "Passw0rd!x";

#[tokio::test]
async fn sadp_discovery_and_activation_reach_isapi_state() {
    let site = Site::builder()
        .device(DeviceConfig::camera(0))
        .device(DeviceConfig::camera(1).with_admin(PW))
        .sadp_port(0)
        .start()
        .await
        .unwrap();
    let addrs: Vec<SocketAddr> = site
        .devices()
        .iter()
        .map(|d| d.sadp_addr().expect("every device runs a SADP responder"))
        .collect();
    assert_ne!(addrs[0], addrs[1], "one responder per device");
    let local: SocketAddr = ([127, 0, 0, 1], 0).into();
    let mut opts = DiscoverOptions::unicast(addrs)
        .bind(local)
        .timeout(Duration::from_secs(3));
    opts.expect = Some(2);
    let found = discover(&opts).await.unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let inactive = found
        .iter()
        .find(|d| d.info.is_activated() == Some(false))
        .expect("the factory-state device");
    assert_eq!(
        inactive.info.device_sn.as_deref(),
        Some(site.device(0).serial())
    );

    let client = SadpClient::new(ClientOptions {
        bind: local,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    })
    .await
    .unwrap();
    client
        .activate(&inactive.target(), &Secret::new("Sadp-Act1v8"))
        .await
        .unwrap();
    assert!(site.device(0).is_activated());
    let r = common::digest(
        &site.device(0).host(),
        "GET",
        "/ISAPI/System/deviceInfo",
        "admin",
        "Sadp-Act1v8",
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    site.shutdown().await;
}
