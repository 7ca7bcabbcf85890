//! The SADP `ProbeMatch`: captured without identifiers, played back by simulator B.

use std::time::Duration;

use hikproto_sim::captured::set_element_text;
use serde_json::{Value, json};

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_answer_is_captured_without_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _, text) = sadp_captured_camera(dir.path()).await;
    let da = a.device(0);
    let site: Value = serde_json::from_str(&text).unwrap();
    let pm = site["devices"][0]["captured"]["sadp_probe_match"]
        .as_str()
        .expect("the ProbeMatch");
    assert!(pm.contains("<ProbeMatch"), "{pm}");
    let d = hikproto::decode::decode_any(pm.as_bytes()).unwrap();
    assert_eq!(d.kind, "SadpProbeMatch");
    let mac_dashes = da.mac().replace(':', "-");
    for id in [da.serial(), da.short_serial(), da.mac(), &mac_dashes] {
        assert!(
            !text.to_ascii_lowercase().contains(&id.to_ascii_lowercase()),
            "{id} in {pm}"
        );
    }
    a.shutdown().await;
}

/// capture --sadp → a simulator serving the file answers SADP inquiries with the captured
/// `ProbeMatch`: the SADP client reads the captured fields, and the device's own address,
/// ports and identity where those belong to the simulated device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_captured_probe_match_is_played_back() {
    let dir = tempfile::tempdir().unwrap();
    let (a, file, _) = sadp_captured_camera(dir.path()).await;
    a.shutdown().await;
    // a field the simulator never writes, to tell the captured answer from a generated one
    let mut site: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let pm = site["devices"][0]["captured"]["sadp_probe_match"]
        .as_str()
        .unwrap()
        .replace(
            "</ProbeMatch>",
            "<FutureFeature>42</FutureFeature></ProbeMatch>",
        );
    assert!(!pm.contains("<Uuid>"), "the inquiry's UUID was kept: {pm}");
    site["devices"][0]["captured"]["sadp_probe_match"] = json!(pm);
    std::fs::write(&file, site.to_string()).unwrap();
    let captured = hikproto::sadp::ProbeMatch::from_element(
        &hikproto::xml::Element::parse(pm.as_bytes()).unwrap(),
    )
    .unwrap();

    let b = site_from_with(&file, |c| c.sadp_port = Some(0)).await;
    let db = b.device(0);
    let opts = hikproto::sadp::DiscoverOptions::unicast([db.sadp_addr().unwrap()])
        .timeout(Duration::from_secs(5))
        .expect(1);
    let found = hikproto::sadp::discover(&opts).await.unwrap();
    assert_eq!(found.len(), 1);
    let got = &found[0].info;
    // the device's own values
    let bcfg = db.config();
    assert_eq!(got.device_sn.as_deref(), Some(db.serial()));
    assert_eq!(
        got.mac
            .map(|m| m.to_string().replace('-', ":").to_ascii_lowercase()),
        Some(db.mac().to_ascii_lowercase())
    );
    assert_eq!(
        got.ipv4_address.map(|a| a.to_string()),
        Some(bcfg.network.ip.clone())
    );
    assert_eq!(got.http_port, Some(db.http_addr().port()));
    assert_eq!(got.is_activated(), Some(true));
    // the captured ones, the unknown element included
    let mut expected = captured.clone();
    let mut seen = got.clone();
    for m in [&mut expected, &mut seen] {
        m.uuid.clear();
        (
            m.device_sn,
            m.mac,
            m.ipv4_address,
            m.ipv4_subnet_mask,
            m.ipv4_gateway,
        ) = (None, None, None, None, None);
        (m.http_port, m.https_port, m.dhcp, m.ipv4_dhcp) = (None, None, None, None);
        (m.activated, m.salt) = (None, None);
    }
    assert_eq!(seen, expected);
    assert!(
        got.unknown
            .iter()
            .any(|e| e.name == "FutureFeature" && e.text == "42")
    );
    // a capture of B reads the template back byte for byte, but for B's own port and salt
    let sadp_port = db.sadp_addr().unwrap().port().to_string();
    let again = capture_with(
        &db.host(),
        &dir.path().join("sadp-b.json"),
        false,
        &["--sadp", "--sadp-port", &sadp_port],
    );
    let again: Value = serde_json::from_str(&again).unwrap();
    let port = db.http_addr().port().to_string();
    let expected = set_element_text(&pm, "HttpPort", &port).unwrap();
    let salt = &bcfg.users.iter().find(|u| u.id == 1).unwrap().salt;
    let expected = set_element_text(&expected, "Salt", salt).unwrap_or(expected);
    assert_eq!(
        again["devices"][0]["captured"]["sadp_probe_match"].as_str(),
        Some(expected.as_str())
    );
    b.shutdown().await;
}
