//! The real-device fixtures as simulator personalities: each fixture device becomes a site file
//! (its documents captured, its personality read from them), a simulator plays it, and the
//! client reads and decodes every captured document exactly as it decodes the fixture itself.

use std::fs;

use hikproto::decode::decode_any;
use hikproto::isapi::capabilities::DeviceCap;
use hikproto::isapi::device_info::DeviceInfo;
use hikproto::isapi::network::AdminAccesses;
use hikproto::xml::{Element, FromXml};
use hikproto::{Device, Secret};
use hikproto_sim::captured::{Captured, CapturedDocument, device_from_capture};
use hikproto_sim::{SiteBuilder, SiteConfig};

const PW: &str = "Fixture!Pass2024";

/// Fixture file → the path a device serves it at.
const FILES: &[(&str, &str)] = &[
    ("System.deviceInfo.xml", "/ISAPI/System/deviceInfo"),
    ("System.capabilities.xml", "/ISAPI/System/capabilities"),
    (
        "Security.adminAccesses.xml",
        "/ISAPI/Security/adminAccesses",
    ),
];

/// The fixture device as a site file on disk, read back as the simulator would.
fn site_file(dir: &std::path::Path, name: &str, path: &std::path::Path) -> SiteConfig {
    let mut cap = Captured::default();
    for (file, target) in FILES {
        cap.documents.insert(
            (*target).to_owned(),
            CapturedDocument {
                format: "xml".into(),
                body: fs::read_to_string(path.join(file)).unwrap(),
            },
        );
    }
    let mut device = device_from_capture(&cap, None);
    device.activated = true;
    device.users = vec![hikproto_sim::config::UserConfig::admin(PW)];
    let site = SiteConfig {
        devices: vec![device],
        ..SiteConfig::default()
    };
    let file = dir.join(format!("{name}.json"));
    fs::write(&file, serde_json::to_string_pretty(&site).unwrap()).unwrap();
    let mut back = SiteConfig::from_file(&file).unwrap();
    back.devices[0].users[0].password = Secret::new(PW);
    back
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_device_plays_in_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in hikproto_tests::fixture_devices() {
        let cfg = site_file(dir.path(), &name, &path);
        let expected_ns = Element::parse(&fs::read(path.join("System.deviceInfo.xml")).unwrap())
            .unwrap()
            .namespace()
            .map(str::to_owned);
        let site = SiteBuilder::from_config(cfg).start().await.unwrap();
        let sd = site.device(0);
        let dev = Device::builder(sd.host())
            .credentials("admin", Secret::new(PW))
            .build()
            .unwrap();

        // the typed reads equal the fixture's own decoding
        let doc = |f: &str| fs::read(path.join(f)).unwrap();
        assert_eq!(
            dev.device_info().await.unwrap(),
            DeviceInfo::from_xml(&doc("System.deviceInfo.xml")).unwrap(),
            "{name}"
        );
        assert_eq!(
            dev.capabilities().await.unwrap(),
            DeviceCap::from_xml(&doc("System.capabilities.xml")).unwrap(),
            "{name}"
        );
        assert_eq!(
            dev.admin_accesses().await.unwrap(),
            AdminAccesses::from_xml(&doc("Security.adminAccesses.xml")).unwrap(),
            "{name}"
        );
        // every captured document, fetched raw and decoded, is the fixture byte for byte
        for (file, target) in FILES {
            let raw = dev
                .request(hikproto::client::Request::get(target))
                .await
                .unwrap();
            assert_eq!(&raw.body[..], &doc(file)[..], "{name}: {target}");
            assert_eq!(
                decode_any(&raw.body).unwrap(),
                decode_any(&doc(file)).unwrap()
            );
        }
        // the personality follows the device: documents the simulator writes itself use the
        // fixture's namespace
        let time = dev.get_xml("/ISAPI/System/time").await.unwrap();
        assert_eq!(time.namespace().map(str::to_owned), expected_ns, "{name}");
        site.shutdown().await;
    }
}
