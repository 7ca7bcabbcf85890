//! Conformance on real device responses (`tests/fixtures`, the repository's copy of public captures).
//!
//! Every model is checked against values read from the same files by plain string search, so a
//! parser that drops or misreads an element fails here.

use std::fs;
use std::path::PathBuf;

use hikproto_tests::fixtures;

use hikproto::isapi::capabilities::DeviceCap;
use hikproto::isapi::device_info::DeviceInfo;
use hikproto::isapi::network::AdminAccesses;
use hikproto::isapi::security::ResetCapabilities;
use hikproto::isapi::status::ResponseStatus;
use hikproto::xml::{Element, FromXml, ns};

fn devices() -> Vec<(String, PathBuf)> {
    hikproto_tests::fixture_devices()
}

/// The text of the first `<name>…</name>` (no attributes), by string search.
fn first_text<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = doc.find(&open)? + open.len();
    let end = doc[start..].find(&format!("</{name}>"))? + start;
    Some(doc[start..end].trim())
}

#[test]
fn device_info_of_every_device() {
    for (name, dir) in devices() {
        let doc = fs::read_to_string(dir.join("System.deviceInfo.xml")).unwrap();
        let info = DeviceInfo::from_xml(doc.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let model = info.model.as_deref().unwrap();
        assert_eq!(Some(model), first_text(&doc, "model"), "{name}");
        assert!(model.starts_with(&name), "{name}: model {model}");
        assert_eq!(
            info.serial_number.as_deref(),
            first_text(&doc, "serialNumber"),
            "{name}"
        );
        assert_eq!(
            info.firmware_version.as_deref(),
            first_text(&doc, "firmwareVersion"),
            "{name}"
        );
        assert!(
            matches!(
                info.device_type.as_deref(),
                Some("IPCamera" | "IPDome" | "NVR" | "DVR")
            ),
            "{name}: {:?}",
            info.device_type
        );
        let nums = info
            .firmware_numbers()
            .unwrap_or_else(|| panic!("{name}: version"));
        assert!(nums[0] == 4 || nums[0] == 5, "{name}: {nums:?}");
        assert_eq!(info.short_serial().map(str::len), Some(9), "{name}");
        let root = Element::parse(doc.as_bytes()).unwrap();
        assert_eq!(info.namespace.as_deref(), root.namespace(), "{name}");
    }
}

#[test]
fn capabilities_of_every_device() {
    let mut with_vcm = 0;
    let mut with_field_encryption = 0;
    for (name, dir) in devices() {
        let doc = fs::read_to_string(dir.join("System.capabilities.xml")).unwrap();
        let cap = DeviceCap::from_xml(doc.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sec = cap
            .security
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: SecurityCap"));
        assert_eq!(
            sec.support_user_nums,
            first_text(&doc, "supportUserNums").map(|t| t.parse().unwrap()),
            "{name}"
        );
        let has_version = doc.contains("<securityVersion");
        assert_eq!(sec.supports_field_encryption(), has_version, "{name}");
        with_field_encryption += usize::from(has_version);
        assert_eq!(
            sec.key_iterate_num,
            first_text(&doc, "keyIterateNum").map(|t| t.parse().unwrap()),
            "{name}"
        );
        assert_eq!(sec.salt.as_deref(), first_text(&doc, "salt"), "{name}");
        assert_eq!(
            sec.is_support_user_check,
            first_text(&doc, "isSupportUserCheck").map(|t| t == "true"),
            "{name}"
        );
        if doc.contains("<LoginPasswordLenLimit") {
            let r = sec.login_password_len.unwrap();
            assert_eq!((r.min, r.max), (Some(1), Some(16)), "{name}");
        }
        // EZVIZ and ISUP flags
        assert_eq!(
            cap.supports_ezviz(),
            first_text(&doc, "isSupportEZVIZ") == Some("true"),
            "{name}"
        );
        assert!(
            cap.supports_ezviz(),
            "{name}: every fixture offers Hik-Connect"
        );
        assert_eq!(
            cap.supports_ehome(),
            first_text(&doc, "isSupportEhome") == Some("true"),
            "{name}"
        );
        let net = cap.network.as_ref().unwrap();
        assert_eq!(
            net.is_support_ezviz_unbind,
            first_text(&doc, "isSupportEZVIZUnbind").map(|t| t == "true"),
            "{name}"
        );
        assert_eq!(
            net.is_support_ezviz_timing,
            first_text(&doc, "isSupportEZVIZTiming").map(|t| t == "true"),
            "{name}"
        );
        // VerificationCodeModification
        let vcm_in_doc = doc.contains("<VerificationCodeModification");
        assert_eq!(
            cap.verification_code_modification().is_some(),
            vcm_in_doc,
            "{name}"
        );
        if let Some(vcm) = cap.verification_code_modification() {
            with_vcm += 1;
            assert_eq!(vcm.code_type.as_deref(), Some("normal"), "{name}");
            assert_eq!(vcm.code_type_options, ["normal", "empty"], "{name}");
            assert!(!vcm.code_is_empty(), "{name}");
            assert_eq!(vcm.modify, Some(true), "{name}");
            assert_eq!(
                vcm.declaration_url.as_deref(),
                Some("https://www.hik-connect.com/views/terms/termsofservice.html")
            );
            assert_eq!(
                vcm.is_support_verification_code_check,
                first_text(&doc, "isSupportVerificationCodeCheck").map(|t| t == "true"),
                "{name}"
            );
        }
        let ns = cap.namespace.as_deref();
        assert!(
            matches!(ns, Some(ns::HIKVISION_V20 | ns::ISAPI_V20)),
            "{name}: {ns:?}"
        );
    }
    assert_eq!(with_vcm, 5);
    assert_eq!(with_field_encryption, 7);
}

#[test]
fn admin_accesses_of_every_device() {
    for (name, dir) in devices() {
        let doc = fs::read_to_string(dir.join("Security.adminAccesses.xml")).unwrap();
        let a = AdminAccesses::from_xml(doc.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let entries = doc.matches("<AdminAccessProtocol>").count()
            + doc.matches("<AdminAccessProtocol ").count();
        assert_eq!(a.protocols.len(), entries, "{name}");
        assert!(a.protocols.len() >= 4, "{name}");
        assert_eq!(a.port("HTTP"), Some(80), "{name}");
        assert_eq!(a.port("DEV_MANAGE"), Some(8000), "{name}");
        assert!(
            a.port("RTSP").is_some_and(|p| p == 554 || p == 10554),
            "{name}"
        );
        for p in &a.protocols {
            assert!(!p.protocol.is_empty(), "{name}");
            if p.protocol != "Bonjour" {
                assert!(p.port_no.is_some(), "{name}: {} has no port", p.protocol);
            }
        }
        // a read-modify-write with no change keeps every entry's values
        let out = AdminAccesses::from_element(&a.to_element()).unwrap();
        assert_eq!(out.protocols, a.protocols, "{name}");
    }
}

#[test]
fn response_status_in_both_namespaces() {
    let dir = fixtures().join("real-responses");
    let hik = fs::read(dir.join("Streaming.channels.x0y.picture-badXmlContent.xml")).unwrap();
    let st = ResponseStatus::from_xml(&hik).unwrap();
    assert_eq!(st.status_code, 6);
    assert_eq!(st.sub_status_code, "badXmlContent");
    assert_eq!(
        st.request_url.as_deref(),
        Some("/ISAPI/Streaming/channels/101/picture")
    );
    assert!(!st.is_success());
    assert!(st.dictionary().is_some());

    let isapi = fs::read(dir.join("Streaming.channels.x0y.picture-deviceError.xml")).unwrap();
    let st = ResponseStatus::from_xml(&isapi).unwrap();
    assert_eq!(
        (st.status_code, st.sub_status_code.as_str()),
        (3, "deviceError")
    );
    assert_eq!(st.request_url, None);
    let err = st
        .into_result("GET /ISAPI/Streaming/channels/101/picture", 500)
        .unwrap_err();
    assert!(err.to_string().contains("deviceError"), "{err}");

    let info =
        DeviceInfo::from_xml(&fs::read(dir.join("System.deviceInfo-ipc1.xml")).unwrap()).unwrap();
    assert_eq!(info.model.as_deref(), Some("DS-2CD2386G2-IU"));
    assert_eq!(info.firmware_version_info.as_deref(), Some("B-R-G5-0"));
    assert_eq!(info.oem_code.as_deref(), Some("1"));
    assert_eq!(info.namespace.as_deref(), Some(ns::HIKVISION_V20));
}

/// Every real device capability document decodes into reset capabilities, with the values the
/// files hold for two of them.
#[test]
fn reset_capabilities_of_every_device() {
    let mut seen = 0;
    for (name, dir) in devices() {
        let path = dir.join("System.capabilities.xml");
        let Ok(bytes) = fs::read(&path) else {
            continue;
        };
        let caps = ResetCapabilities::from_xml(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        seen += 1;
        if name == "DS-2CD2146G2-ISU" {
            assert_eq!(caps.security_question_config, Some(true));
            assert_eq!(caps.security_email, Some(true));
            assert_eq!(caps.security_versions, vec![1]);
            assert_eq!(caps.answer_len.and_then(|l| l.max), Some(128));
        }
        if name == "DS-7616NI-K2" {
            assert_eq!(caps.reset_channel_password, Some(false));
        }
    }
    assert!(seen >= 8, "only {seen} capability documents read");
}
