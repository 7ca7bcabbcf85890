//! The schemas' null rules come from the types, not from what one device happened to send:
//! each result type is written with every optional field absent (nested optional objects
//! present, so their own fields are checked too), and every key that comes out `null` must be a
//! key of the function's schema that admits `null`; every key must be one the schema names.

use std::path::Path;

use hikproto_core::isapi::device_info::DeviceInfo;
use hikproto_core::isapi::ehome::Ehome;
use hikproto_core::isapi::ezviz::{Ezviz, ServerAddress};
use hikproto_core::isapi::network::{AddressPair, IpAddressing, NetworkInterface};
use hikproto_core::isapi::security::email::SecurityEmail;
use hikproto_core::isapi::time::{NtpServer, NtpServers, Time};
use hikproto_core::isapi::users::User;
use serde::Serialize;
use serde_json::Value;

use crate::shape::{InfoJson, InterfacesJson};

fn schema(function: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schema/{function}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn admits_null(node: &Value) -> bool {
    match node.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        None => ["anyOf", "oneOf"].iter().any(|k| {
            node.get(*k)
                .and_then(Value::as_array)
                .is_some_and(|subs| subs.iter().any(admits_null))
        }),
        _ => false,
    }
}

/// The schema of `key` in an object schema (a property, or `additionalProperties`).
fn property<'a>(node: &'a Value, key: &str) -> Option<&'a Value> {
    if let Some(p) = node.get("properties").and_then(|p| p.get(key)) {
        return Some(p);
    }
    if let Some(sub) = ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|s| property(s, key))
    {
        return Some(sub);
    }
    match node.get("additionalProperties") {
        Some(Value::Bool(false)) | None => None,
        Some(extra) => Some(extra),
    }
}

fn items(node: &Value) -> Option<&Value> {
    node.get("items").or_else(|| {
        ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| node.get(*k).and_then(Value::as_array))
            .flatten()
            .find_map(|s| s.get("items"))
    })
}

fn check(value: &Value, node: &Value, path: &str, bad: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let at = format!("{path}.{key}");
                match property(node, key) {
                    None => bad.push(format!("{at}: not in the schema")),
                    Some(sub) if v.is_null() && !admits_null(sub) => {
                        bad.push(format!("{at}: null, which the schema does not admit"));
                    }
                    Some(sub) => check(v, sub, &at, bad),
                }
            }
        }
        Value::Array(list) => {
            if let Some(sub) = items(node) {
                for v in list {
                    check(v, sub, &format!("{path}[]"), bad);
                }
            }
        }
        _ => {}
    }
}

fn nulls_fit<T: Serialize>(function: &str, v: &T, bad: &mut Vec<String>) {
    let mut value = serde_json::to_value(v).unwrap();
    crate::json::normalize(&mut value);
    check(&value, &schema(function), function, bad);
}

fn pair() -> Option<AddressPair> {
    Some(AddressPair::default())
}

fn addressing() -> IpAddressing {
    let mut a = IpAddressing::default();
    a.default_gateway = pair();
    a.primary_dns = pair();
    a.secondary_dns = pair();
    a
}

#[test]
fn every_optional_field_is_nullable_in_its_schema() {
    let mut bad = Vec::new();
    nulls_fit(
        "hikproto_device_info_json",
        &InfoJson(DeviceInfo::default()),
        &mut bad,
    );
    let interface = NetworkInterface {
        ip: Some(addressing()),
        ..NetworkInterface::default()
    };
    nulls_fit(
        "hikproto_device_network_interfaces_json",
        &InterfacesJson(vec![interface, NetworkInterface::default()]),
        &mut bad,
    );
    nulls_fit(
        "hikproto_device_ip_addressing_json",
        &addressing(),
        &mut bad,
    );
    nulls_fit("hikproto_device_time_json", &Time::default(), &mut bad);
    let mut ntp = NtpServers::default();
    ntp.servers.push(NtpServer::default());
    nulls_fit("hikproto_device_ntp_servers_json", &ntp, &mut bad);
    let mut ezviz = Ezviz::default();
    ezviz.server_address = Some(ServerAddress::default());
    nulls_fit("hikproto_device_platform_json", &ezviz, &mut bad);
    nulls_fit("hikproto_device_platform_json", &Ezviz::default(), &mut bad);
    nulls_fit("hikproto_device_wait_until_registered", &ezviz, &mut bad);
    nulls_fit("hikproto_device_isup_json", &Ehome::default(), &mut bad);
    nulls_fit(
        "hikproto_device_security_email_json",
        &SecurityEmail::default(),
        &mut bad,
    );
    nulls_fit(
        "hikproto_device_users_json",
        &vec![User::default()],
        &mut bad,
    );
    assert!(
        bad.is_empty(),
        "schemas disagree with the types:\n{}",
        bad.join("\n")
    );
}
