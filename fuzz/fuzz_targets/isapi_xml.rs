//! Every ISAPI XML model: the bounded `Element` parser, then each `FromXml` model and the other
//! element readers, then a write/re-parse round trip of the tree.
#![no_main]

use hikproto::auth::session::SessionLoginCap;
use hikproto::isapi::activation::{ActivateStatus, challenge_key};
use hikproto::isapi::capabilities::{
    DeviceCap, NetworkCap, SecurityCap, VerificationCodeModification,
};
use hikproto::isapi::device_info::DeviceInfo;
use hikproto::isapi::ehome::Ehome;
use hikproto::isapi::ezviz::{Ezviz, code_check_result};
use hikproto::isapi::network::{AdminAccesses, IpAddressing, NetworkInterface};
use hikproto::isapi::security::guid::{GuidCertification, file_from_export_answer};
use hikproto::isapi::security::{ExternSecurityCap, ResetCapabilities, SecurityQuestions};
use hikproto::isapi::status::ResponseStatus;
use hikproto::isapi::time::{NtpServer, NtpServers, Time};
use hikproto::isapi::user_check::UserCheck;
use hikproto::isapi::users::{User, users};
use hikproto::xml::{Element, FromXml};
use libfuzzer_sys::fuzz_target;

fn models(el: &Element) {
    let _ = DeviceInfo::from_element(el);
    let _ = ResponseStatus::from_element(el);
    let _ = UserCheck::from_element(el);
    let _ = UserCheck::from_any(el);
    let _ = SessionLoginCap::from_element(el);
    let _ = IpAddressing::from_element(el);
    let _ = NetworkInterface::from_element(el);
    let _ = AdminAccesses::from_element(el);
    let _ = Ehome::from_element(el);
    let _ = User::from_element(el);
    let _ = users(el);
    let _ = SecurityCap::from_element(el);
    let _ = VerificationCodeModification::from_element(el);
    let _ = NetworkCap::from_element(el);
    let _ = DeviceCap::from_element(el);
    let _ = ActivateStatus::from_element(el);
    let _ = challenge_key(el);
    let _ = Time::from_element(el);
    let _ = NtpServer::from_element(el);
    let _ = NtpServers::from_element(el);
    let _ = Ezviz::from_element_with(el, None);
    let _ = code_check_result(el);
    let _ = GuidCertification::from_element(el);
    let _ = el.to_json();
}

fuzz_target!(|data: &[u8]| {
    let _ = ExternSecurityCap::from_xml(data);
    let _ = ResetCapabilities::from_xml(data);
    let _ = SecurityQuestions::from_xml(data);
    let _ = file_from_export_answer(data);
    if let Ok(el) = Element::parse(data) {
        models(&el);
        // What we write we must read back, identically.
        let text = el.to_xml();
        let again = Element::parse(text.as_bytes()).expect("re-parse of written XML");
        assert_eq!(again.to_xml(), text, "XML round trip changed the document");
    }
});
