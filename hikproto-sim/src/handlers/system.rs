//! `/ISAPI/System/…`: deviceInfo, capabilities, reboot, factory reset, time and NTP.

use std::time::{Duration, Instant};

use hikproto::isapi::device_info::DeviceInfo;
use hikproto::xml::Element;

use super::{Call, b, body_xml, ok, refuse, xml};
use crate::config::{DeviceConfig, EhomeConfig, EzvizConfig, LockoutConfig, TimeConfig};
use crate::http::Reply;
use crate::state::DeviceRuntime;

/// An element with text and attributes.
pub(crate) fn el(name: &str, text: &str, attrs: &[(&str, &str)]) -> Element {
    let mut e = Element::with_text(name, text);
    for (k, v) in attrs {
        e.set_attr(k, *v);
    }
    e
}

/// True unless the personality refuses `path`.
pub(crate) fn supported(rt: &DeviceRuntime, path: &str) -> bool {
    !rt.cfg.personality.refused.contains_key(path)
}

pub(crate) fn device_info_model(cfg: &DeviceConfig) -> DeviceInfo {
    let nvr = cfg.device_type.contains("NVR") || cfg.device_type.contains("DVR");
    DeviceInfo {
        device_name: Some(cfg.name.clone()),
        device_id: Some(device_id(&cfg.serial)),
        device_description: Some(if nvr { "NVR".into() } else { "IPCamera".into() }),
        device_location: Some("hangzhou".into()),
        system_contact: Some("Hikvision.China".into()),
        model: Some(cfg.model.clone()),
        serial_number: Some(cfg.serial.clone()),
        mac_address: Some(cfg.mac.clone()),
        firmware_version: Some(cfg.firmware.clone()),
        firmware_released_date: Some(cfg.firmware_build.clone()),
        encoder_version: Some("V7.3".into()),
        encoder_released_date: Some("build 240801".into()),
        boot_version: Some("V1.3.4".into()),
        boot_released_date: Some("100316".into()),
        hardware_version: Some("0x0".into()),
        device_type: Some(cfg.device_type.clone()),
        telecontrol_id: Some("88".into()),
        support_beep: Some(false),
        support_video_loss: Some(false),
        firmware_version_info: Some("B-R-G5-0".into()),
        manufacturer: Some("hikvision".into()),
        oem_code: Some("1".into()),
        ..DeviceInfo::default()
    }
}

/// A stable UUID-shaped device id derived from the serial.
fn device_id(serial: &str) -> String {
    let h = crate::crypto::md5_hex(serial);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `GET /ISAPI/System/deviceInfo`.
pub(super) fn device_info(c: &mut Call<'_>) -> Reply {
    let d = device_info_model(&c.rt.cfg);
    xml(c.rt, d.to_element(None))
}

/// `GET /ISAPI/System/deviceInfo/capabilities`.
pub(super) fn device_info_caps(c: &mut Call<'_>) -> Reply {
    let e = Element::new("DeviceInfo")
        .push(el("deviceName", "", &[("min", "1"), ("max", "32")]))
        .push(el("deviceID", "", &[("min", "1"), ("max", "64")]));
    xml(c.rt, e)
}

/// `GET /ISAPI/System/capabilities`: `DeviceCap` with `SysCap/NetworkCap` and `SecurityCap`.
pub(super) fn capabilities(c: &mut Call<'_>) -> Reply {
    let user = c.user.clone().unwrap_or_default();
    let sys = Element::new("SysCap")
        .push_text("isSupportDst", "true")
        .push(super::network::network_cap(c.rt))
        .push_text("isSupportFactoryReset", "true")
        .push_text("isSupportReboot", "true")
        .push(el("FactoryResetCap", "", &[]).push(el("mode", "", &[("opt", "basic,full")])));
    let dev = Element::new("DeviceCap")
        .push(sys)
        .push(super::security::security_cap(c.rt, &user))
        .push_text(
            "isSupportSessionLogin",
            b(c.rt.cfg.personality.session_login),
        )
        .push_text("isSupportActivate", "true");
    xml(c.rt, dev)
}

/// `PUT /ISAPI/System/reboot`: answers OK, then the device is unreachable for `reboot_ms`.
pub(super) fn reboot(c: &mut Call<'_>) -> Reply {
    let reply = ok(c);
    start_reboot(c.rt);
    reply
}

pub(crate) fn start_reboot(rt: &mut DeviceRuntime) {
    rt.reboot_until = Some(Instant::now() + Duration::from_millis(rt.cfg.reboot_ms));
    rt.started = Instant::now() + Duration::from_millis(rt.cfg.reboot_ms);
    rt.drop_logins();
    // A reboot invalidates pending reset codes.
    rt.recovery.email_qr = None;
    rt.activation_r = None;
}

/// `PUT /ISAPI/System/factoryReset?mode=basic|full`.
///
/// `basic` restores defaults but keeps the network and user settings (and the recovery set-up);
/// `full` returns the device to factory state: inactive, no users, no verification code.
/// Other modes (for example `part`) are refused with `badParameters` \[inf\].
pub(super) fn factory_reset(c: &mut Call<'_>) -> Reply {
    let mode = c.req.q("mode").unwrap_or("basic").to_ascii_lowercase();
    let cfg = &mut c.rt.cfg;
    match mode.as_str() {
        "basic" => {
            cfg.ezviz = EzvizConfig::default();
            cfg.ehome = vec![EhomeConfig::default()];
            cfg.time = TimeConfig::default();
            cfg.lockout = LockoutConfig::default();
        }
        "full" => {
            let keep = (cfg.http_port, cfg.https_port);
            let identity = (
                cfg.name.clone(),
                cfg.model.clone(),
                cfg.firmware.clone(),
                cfg.firmware_build.clone(),
                cfg.serial.clone(),
                cfg.mac.clone(),
                cfg.device_type.clone(),
            );
            let personality = cfg.personality.clone();
            let reset_methods = cfg.reset_methods.clone();
            let reboot_ms = cfg.reboot_ms;
            *cfg = DeviceConfig {
                name: identity.0,
                model: identity.1,
                firmware: identity.2,
                firmware_build: identity.3,
                serial: identity.4,
                mac: identity.5,
                device_type: identity.6,
                personality,
                reset_methods,
                reboot_ms,
                http_port: keep.0,
                https_port: keep.1,
                ..DeviceConfig::default()
            };
            c.rt.risky_password = false;
            c.rt.clients.clear();
        }
        _ => return refuse(c, "badParameters"),
    }
    let reply = ok(c);
    c.rt.ezviz_changed_at = Instant::now();
    start_reboot(c.rt);
    reply
}

/// Civil date and time (UTC) from unix seconds.
pub(crate) fn iso_time(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `GET /ISAPI/System/status`: time, uptime, CPU and memory (what clients use as a cheap probe).
pub(super) fn status(c: &mut Call<'_>) -> Reply {
    let up = c.rt.started.elapsed().as_secs();
    let e = Element::new("DeviceStatus")
        .push_text("currentDeviceTime", iso_time(unix_now()))
        .push_text("deviceUpTime", up.to_string())
        .push(Element::new("CPUList").push(Element::new("CPU").push_text("cpuUtilization", "7")))
        .push(
            Element::new("MemoryList").push(
                Element::new("Memory")
                    .push_text("memoryUsage", "93.5")
                    .push_text("memoryAvailable", "162.5"),
            ),
        );
    xml(c.rt, e)
}

/// `GET /ISAPI/System/time`.
pub(super) fn get_time(c: &mut Call<'_>) -> Reply {
    let t = &c.rt.cfg.time;
    let e = Element::new("Time")
        .push_text("timeMode", t.mode.clone())
        .push_text("localTime", iso_time(unix_now()))
        .push_text("timeZone", t.time_zone.clone());
    xml(c.rt, e)
}

/// `PUT /ISAPI/System/time`: `timeMode` must be `NTP`, `manual` or `platform`.
pub(super) fn put_time(c: &mut Call<'_>) -> Reply {
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if doc.name != "Time" {
        return refuse(c, "badXmlContent");
    }
    if let Some(mode) = doc.text_at("timeMode") {
        let m = match mode.to_ascii_lowercase().as_str() {
            "ntp" => "NTP",
            "manual" => "manual",
            "platform" => "platform",
            _ => return refuse(c, "badParameters"),
        };
        c.rt.cfg.time.mode = m.into();
    }
    if let Some(tz) = doc.text_at("timeZone") {
        c.rt.cfg.time.time_zone = tz.to_owned();
    }
    ok(c)
}

fn ntp_server(t: &TimeConfig) -> Element {
    Element::new("NTPServer")
        .push_text("id", "1")
        .push_text("addressingFormatType", "hostname")
        .push_text("hostName", t.ntp_server.clone())
        .push_text("portNo", t.ntp_port.to_string())
        .push_text("synchronizeInterval", t.ntp_interval.to_string())
}

/// `GET /ISAPI/System/time/ntpServers`.
pub(super) fn get_ntp(c: &mut Call<'_>) -> Reply {
    let e = Element::new("NTPServerList").push(ntp_server(&c.rt.cfg.time));
    xml(c.rt, e)
}

/// `GET /ISAPI/System/time/ntpServers/1`.
pub(super) fn get_ntp_one(c: &mut Call<'_>) -> Reply {
    let e = ntp_server(&c.rt.cfg.time);
    xml(c.rt, e)
}

fn apply_ntp(c: &mut Call<'_>, server: &Element) -> Option<Reply> {
    let host = server
        .text_at("hostName")
        .or_else(|| server.text_at("ipAddress"))
        .unwrap_or("");
    if host.is_empty() || host.len() > 64 || host.contains(char::is_whitespace) {
        return Some(refuse(c, "badParameters"));
    }
    let port = match server.text_at("portNo") {
        Some(p) => match p.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => return Some(refuse(c, "badPort")),
        },
        None => c.rt.cfg.time.ntp_port,
    };
    c.rt.cfg.time.ntp_server = host.to_owned();
    c.rt.cfg.time.ntp_port = port;
    if let Some(i) = server.num_at::<u32>("synchronizeInterval") {
        c.rt.cfg.time.ntp_interval = i;
    }
    None
}

/// `PUT /ISAPI/System/time/ntpServers` (a list with one server).
pub(super) fn put_ntp(c: &mut Call<'_>) -> Reply {
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let server = if doc.name == "NTPServer" {
        Some(&doc)
    } else {
        doc.child("NTPServer")
    };
    let Some(server) = server.cloned() else {
        return refuse(c, "badXmlContent");
    };
    apply_ntp(c, &server).unwrap_or_else(|| ok(c))
}

/// `PUT /ISAPI/System/time/ntpServers/1`.
pub(super) fn put_ntp_one(c: &mut Call<'_>) -> Reply {
    put_ntp(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_time() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
