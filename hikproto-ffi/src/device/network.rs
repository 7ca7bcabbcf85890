//! Network, DNS and time on a `hikproto_device`: read the interfaces and their addressing,
//! change the IPv4 addressing, set the DNS servers, read the time and NTP settings, switch to NTP, change the time settings.
//!
//! Writes are read-modify-writes and report, through an optional `bool *reboot_required`,
//! whether the device said the change takes effect after a reboot (`statusCode` 7, common for
//! address changes).

use std::ffi::c_char;
use std::net::IpAddr;

use hikproto_core::isapi::network::Ipv4Change;
use hikproto_core::isapi::time::{Time, TimeMode};
use serde::Deserialize;

use crate::buffer::{opt_str_arg, str_arg};
use crate::call::{Flag, JsonOut};
use crate::error::{Fail, hikproto_error};
use crate::result::hikproto_result;

use super::{device_op, hikproto_device};

fn interface(id: *const c_char) -> Result<String, Fail> {
    Ok(opt_str_arg(id, "interface_id")?.unwrap_or("1").to_owned())
}

fn ip(s: &str, what: &str) -> Result<IpAddr, Fail> {
    s.trim()
        .parse()
        .map_err(|_| Fail::invalid(format!("{what} is not an IP address")))
}

/// Lists the network interfaces (`GET /ISAPI/System/Network/interfaces`) as a JSON array
/// into `buf`; each entry has `id`, `ip` (its addressing, as `hikproto_device_ip_addressing_json`
/// writes it, or `null`), `macAddress` (or `null`) and `link` (an object of the link fields the
/// device sent, such as `{"MTU": 1500, "speed": 0, "duplex": "full", "autoNegotiation": true}`:
/// `MTU` and `speed` are numbers, `autoNegotiation` a boolean, other fields text). Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks again). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_network_interfaces_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_network_interfaces_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_network_interfaces_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_network_interfaces_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_network_interfaces_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_network_interfaces_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| {
        Ok(async move {
            d.network_interfaces()
                .await
                .map(crate::shape::InterfacesJson)
        })
    })
}

/// Reads the addressing of interface `interface_id` (NULL means `"1"`) as a JSON object into
/// `buf`: `ipVersion`, `addressingType` (`static`/`dynamic`), `ipAddress`, `subnetMask`,
/// `ipv6Address`, `bitMask`, `defaultGateway`, `primaryDns`, `secondaryDns` (each
/// `{"ipAddress", "ipv6Address"}` or `null`), `extra`. Buffer contract as
/// for `hikproto_device_network_interfaces_json`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_ip_addressing_json(
    device: *const hikproto_device,
    interface_id: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_ip_addressing_json_to(
        device,
        interface_id,
        JsonOut::new(buf, len, out_n),
        err_out,
    )
}

/// As `hikproto_device_ip_addressing_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_ip_addressing_json_alloc(
    device: *const hikproto_device,
    interface_id: *const c_char,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_ip_addressing_json_to(device, interface_id, JsonOut::alloc(out), err_out)
}

fn hikproto_device_ip_addressing_json_to(
    device: *const hikproto_device,
    interface_id: *const c_char,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| {
        let id = interface(interface_id)?;
        Ok(async move { d.ip_addressing(&id).await })
    })
}

/// Changes the IPv4 addressing of interface `interface_id` (NULL means `"1"`) by
/// read-modify-write; what the change does not name is written back as the device sent it.
/// `settings_json` is a JSON object with any of `address`, `subnetMask`, `gateway` (IPv4 text),
/// `dhcp` (bool), `primaryDns`, `secondaryDns` (IPv4 or IPv6 text). An `address` implies static
/// addressing; `dhcp: true` with static values, a secondary DNS without a primary one, an empty
/// object, unknown names and bad addresses are `INVALID_ARGUMENT` before anything is sent.
/// Moving the address or switching to DHCP cuts this handle off once it takes effect.
/// `reboot_required` as for `hikproto_device_set_dns`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_ipv4(
    device: *const hikproto_device,
    interface_id: *const c_char,
    settings_json: *const c_char,
    reboot_required: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::reboot(reboot_required), |d| {
        let id = interface(interface_id)?;
        let change: Ipv4Change = serde_json::from_str(str_arg(settings_json, "settings_json")?)
            .map_err(|e| Fail::invalid(format!("settings_json is not a valid IPv4 change: {e}")))?;
        change.check()?;
        Ok(async move { d.change_ipv4(&id, &change).await })
    })
}

/// Sets the primary and (when `secondary` is not NULL) secondary DNS server of interface
/// `interface_id` (NULL means `"1"`), keeping every other setting. Addresses are IPv4 or IPv6
/// text, checked first (`INVALID_ARGUMENT`). `reboot_required`: NULL, or receives whether the
/// device wants a reboot. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_dns(
    device: *const hikproto_device,
    interface_id: *const c_char,
    primary: *const c_char,
    secondary: *const c_char,
    reboot_required: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::reboot(reboot_required), |d| {
        let id = interface(interface_id)?;
        let primary = ip(str_arg(primary, "primary")?, "primary")?;
        let secondary = opt_str_arg(secondary, "secondary")?
            .map(|s| ip(s, "secondary"))
            .transpose()?;
        Ok(async move { d.set_dns(&id, primary, secondary).await })
    })
}

/// Reads the time settings (`GET /ISAPI/System/time`) as JSON into `buf`: `timeMode`
/// (`"NTP"`, `"manual"`, …), `localTime`, `timeZone` (POSIX style, e.g. `"CST-8:00:00"`),
/// `platformType`, `extra`. Buffer contract as for `hikproto_device_network_interfaces_json`.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_time_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_time_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_time_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_time_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_time_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_time_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.time()))
}

/// Reads the NTP servers (`GET /ISAPI/System/time/ntpServers`) as JSON into `buf`:
/// `{"servers": [{"id", "addressingFormatType", "hostName", "ipAddress", "portNo",
/// "synchronizeInterval", …}]}`. Buffer contract as for
/// `hikproto_device_network_interfaces_json`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_ntp_servers_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_ntp_servers_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_ntp_servers_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_ntp_servers_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_ntp_servers_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_ntp_servers_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.ntp_servers()))
}

/// Points the device at NTP server `host` (a host name or address) and switches its time mode
/// to NTP: two writes; `reboot_required` (NULL allowed) is true if either asked for a reboot.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_use_ntp(
    device: *const hikproto_device,
    host: *const c_char,
    reboot_required: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::reboot(reboot_required), |d| {
        let host = str_arg(host, "host")?;
        Ok(d.use_ntp(host))
    })
}

/// The time settings a caller may change; absent fields keep the device's value.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TimeChange {
    time_mode: Option<String>,
    local_time: Option<String>,
    time_zone: Option<String>,
}

impl TimeChange {
    fn parse(json: &str) -> Result<Self, Fail> {
        let c: Self = serde_json::from_str(json)
            .map_err(|e| Fail::invalid(format!("settings_json is not valid time settings: {e}")))?;
        let bad = |s: &Option<String>| {
            s.as_deref()
                .is_some_and(|v| v.trim().is_empty() || v.chars().any(char::is_control))
        };
        if bad(&c.time_mode) || bad(&c.local_time) || bad(&c.time_zone) {
            return Err(Fail::invalid(
                "time settings must not be empty or contain control characters",
            ));
        }
        Ok(c)
    }

    fn apply(self, t: &mut Time) {
        if let Some(m) = self.time_mode {
            t.time_mode = Some(TimeMode::parse(&m));
        }
        t.local_time = self.local_time.or(t.local_time.take());
        t.time_zone = self.time_zone.or(t.time_zone.take());
    }
}

/// Changes the time settings by read-modify-write. `settings_json` is a JSON object with any of
/// `timeMode` (`"NTP"`, `"manual"`), `localTime` (ISO 8601, e.g. `"2024-05-01T12:00:00"`, for
/// manual mode) and `timeZone` (POSIX style, e.g. `"CST-8:00:00"`); unknown names give
/// `INVALID_ARGUMENT`. `reboot_required` as for `hikproto_device_set_dns`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_time(
    device: *const hikproto_device,
    settings_json: *const c_char,
    reboot_required: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::reboot(reboot_required), |d| {
        let change = TimeChange::parse(str_arg(settings_json, "settings_json")?)?;
        Ok(async move {
            let mut t = d.time().await?;
            change.apply(&mut t);
            d.set_time(&t).await
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_changes_are_checked() {
        assert!(TimeChange::parse(r#"{"mode":"NTP"}"#).is_err());
        assert!(TimeChange::parse(r#"{"timeZone":""}"#).is_err());
        assert!(TimeChange::parse(r#"{"timeZone":"CST\n"}"#).is_err());
        let mut t = Time::default();
        t.time_zone = Some("CST+0:00:00".into());
        TimeChange::parse(r#"{"timeMode":"manual","localTime":"2024-05-01T12:00:00"}"#)
            .unwrap()
            .apply(&mut t);
        assert_eq!(t.time_mode, Some(TimeMode::Manual));
        assert_eq!(t.time_zone.as_deref(), Some("CST+0:00:00"));
        assert!(ip("10.0.0.300", "primary").is_err());
        assert!(ip(" ::1 ", "primary").is_ok());
    }
}
