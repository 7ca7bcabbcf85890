//! Capture → simulator B → capture again, for every personality; writes after playback.

use hikproto::Device;
use hikproto::Secret;
use hikproto_sim::Site;
use serde_json::Value;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_round_trip_for_every_personality() {
    let dir = tempfile::tempdir().unwrap();
    for (name, p) in personalities() {
        let nonce = expected_nonce(&p);
        let a = Site::builder().device(device_a(p)).start().await.unwrap();
        let da = a.device(0);
        let anon = dir.path().join(format!("{name}-a.json"));
        let text = capture(&da.host(), &anon, false);
        let kept = dir.path().join(format!("{name}-a-kept.json"));
        let kept_text = capture(&da.host(), &kept, true);

        // no secret in either file, and no identifier of A in the anonymised one
        for s in [ADMIN_PW, OP_PW, CODE, ISUP_KEY] {
            assert!(
                !text.contains(s) && !kept_text.contains(s),
                "{name}: {s} captured"
            );
        }
        let mac_dashes = da.mac().replace(':', "-");
        for id in [
            da.serial(),
            da.short_serial(),
            da.mac(),
            &mac_dashes,
            NAME,
            IP,
            GATEWAY,
        ] {
            assert!(
                !text.to_ascii_lowercase().contains(&id.to_ascii_lowercase()),
                "{name}: identifier {id} in the anonymised capture"
            );
        }
        assert!(
            kept_text.contains(da.serial()),
            "{name}: --keep-identity lost the serial"
        );

        // the documents were read
        let site: Value = serde_json::from_str(&text).unwrap();
        let docs = &site["devices"][0]["captured"]["documents"];
        for p in [
            "/ISAPI/System/deviceInfo",
            "/ISAPI/System/capabilities",
            "/ISAPI/Security/users",
            "/ISAPI/System/Network/EZVIZ",
        ] {
            assert!(docs.get(p).is_some(), "{name}: {p} not captured: {docs}");
        }
        let captured = &site["devices"][0]["captured"];
        assert!(captured["challenge"]["status"] == 401, "{name}");
        // the 401 as A sent it: headers, content type and body
        let raw = unauthenticated(&da.isapi_url()).await;
        let ch = &captured["challenge"];
        assert_eq!(
            ch["body"].as_str().unwrap().as_bytes(),
            &raw.body[..],
            "{name}"
        );
        assert_eq!(
            ch["content_type"].as_str(),
            raw.content_type.as_deref(),
            "{name}"
        );
        assert_eq!(
            shape(ch["www_authenticate"].as_array().unwrap()),
            shape_of(&raw.www),
            "{name}"
        );
        // the nonce behaviour A showed
        assert_eq!(captured["nonce"], nonce, "{name}");

        // B plays the capture: a second capture is identical, the client reads the same
        for (file, first) in [(&anon, &text), (&kept, &kept_text)] {
            let b = site_from(file).await;
            let again = dir.path().join(format!("{name}-b.json"));
            let second = capture(&b.device(0).host(), &again, file == &kept);
            assert_eq!(
                &second, first,
                "{name}: the capture of B differs from the capture of A"
            );
            // B answers without credentials byte for byte as A did, with fresh nonces
            let (ra, rb) = (
                unauthenticated(&da.isapi_url()).await,
                unauthenticated(&b.device(0).isapi_url()).await,
            );
            assert_eq!(ra.body, rb.body, "{name}: 401 bodies differ");
            assert_eq!(ra.content_type, rb.content_type, "{name}");
            assert_eq!(
                shape_of(&ra.www),
                shape_of(&rb.www),
                "{name}: challenges differ"
            );
            if ra.www.iter().any(|h| h.contains("nonce=")) {
                assert_ne!(ra.www, rb.www, "{name}: B repeats A's nonces");
            }
            if file == &kept {
                let (mut ra, mut rb) = (reads(da).await, reads(b.device(0)).await);
                // the clock moves on between the two reads
                for r in [&mut ra, &mut rb] {
                    assert!(
                        r["time"]["localTime"]
                            .as_str()
                            .is_some_and(|t| t.len() >= 19),
                        "{name}"
                    );
                    r["time"]["localTime"] = Value::Null;
                }
                for k in [
                    "deviceInfo",
                    "capabilities",
                    "users",
                    "ezviz",
                    "interfaces",
                    "time",
                ] {
                    assert!(ra[k].get("error").is_none(), "{name}: {k}: {}", ra[k]);
                }
                assert_eq!(ra["users"].as_array().map(Vec::len), Some(2), "{name}");
                // capture cuts the secret elements: B never serves the binding code
                assert!(
                    rb["ezviz"]["operateCode"].is_null(),
                    "{name}: {}",
                    rb["ezviz"]
                );
                ra["ezviz"]["operateCode"] = Value::Null;
                assert_eq!(ra, rb, "{name}: reads differ");
            }
            b.shutdown().await;
        }
        a.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_go_through_the_state_machine() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, file) = captured_camera(dir.path()).await;
    let b = site_from(&file).await;
    let dev = Device::builder(b.device(0).host())
        .credentials("admin", Secret::new(ADMIN_PW))
        .build()
        .unwrap();
    // the captured document, verbatim
    let before = dev.ezviz().await.unwrap();
    assert_eq!(before.enabled, Some(true));
    dev.disable_platform_access().await.unwrap();
    // after the write, the state machine answers
    assert_eq!(dev.ezviz().await.unwrap().enabled, Some(false));
    // documents nobody wrote are still the captured ones
    let info = dev.device_info().await.unwrap();
    assert_eq!(info.device_name.as_deref(), Some("Captured device"));
}
