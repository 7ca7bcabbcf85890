//! `/ISAPI/System/time` and its NTP servers. The device clock is the host's plus
//! [`crate::config::TimeConfig::clock_offset_secs`]; a `localTime` written over ISAPI sets that
//! offset.

use hikproto::xml::Element;

use super::system::{iso_time, unix_now};
use super::{Call, body_xml, ok, refuse, xml};
use crate::config::TimeConfig;
use crate::http::Reply;

/// `GET /ISAPI/System/time`.
pub(super) fn get_time(c: &mut Call<'_>) -> Reply {
    let t = &c.rt.cfg.time;
    let e = Element::new("Time")
        .push_text("timeMode", t.mode.clone())
        .push_text("localTime", iso_time(device_now(t)))
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
    if let Some(lt) = doc.text_at("localTime") {
        let Some(set) = parse_local_time(lt, &c.rt.cfg.time.time_zone) else {
            return refuse(c, "badParameters");
        };
        let now = i64::try_from(unix_now()).unwrap_or(i64::MAX);
        c.rt.cfg.time.clock_offset_secs = set.saturating_sub(now);
    }
    ok(c)
}

/// The device clock: the host's plus the configured offset, in Unix seconds (UTC).
pub(crate) fn device_now(t: &TimeConfig) -> u64 {
    let now = i64::try_from(unix_now()).unwrap_or(i64::MAX);
    u64::try_from(now.saturating_add(t.clock_offset_secs)).unwrap_or(0)
}

/// Reads `YYYY-MM-DDThh:mm:ss` followed by `Z`, `±hh:mm`, or nothing (then the device's
/// `timeZone`, POSIX style: `CST-8:00:00` is eight hours *ahead* of UTC), into Unix seconds.
fn parse_local_time(text: &str, zone: &str) -> Option<i64> {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (h, mi, s) = (n(11..13)?, n(14..16)?, n(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "" => -posix_zone_secs(zone)?,
        "Z" | "z" => 0,
        o => {
            let sign = match o.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = o[1..].split_once(':').unwrap_or((&o[1..], "0"));
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// The POSIX offset of a zone like `CST-8:00:00` (seconds *behind* UTC: -28800 here).
fn posix_zone_secs(zone: &str) -> Option<i64> {
    let z = zone.trim();
    let start = z.find(|c: char| c == '+' || c == '-' || c.is_ascii_digit())?;
    let (sign, body) = match z[start..].strip_prefix('-') {
        Some(b) => (-1, b),
        None => (1, z[start..].trim_start_matches('+')),
    };
    let mut parts = body.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    let s: i64 = parts.next().map_or(Some(0), |p| {
        p.trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .ok()
    })?;
    Some(sign * (h * 3600 + m * 60 + s))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    fn local_time_round_trip() {
        for t in [0_u64, 951_782_400, 1_700_000_000] {
            let text = iso_time(t);
            assert_eq!(
                parse_local_time(&text, "CST+0:00:00"),
                Some(t as i64),
                "{text}"
            );
        }
        let utc = parse_local_time("2023-11-14T22:13:20Z", "").unwrap();
        assert_eq!(parse_local_time("2023-11-15T06:13:20+08:00", ""), Some(utc));
        assert_eq!(
            parse_local_time("2023-11-15T06:13:20", "CST-8:00:00"),
            Some(utc)
        );
        assert_eq!(
            parse_local_time("2023-11-14T17:13:20.5", "EST5:00:00"),
            Some(utc)
        );
        for bad in [
            "",
            "2023-13-01T00:00:00Z",
            "yesterday",
            "2023-11-14T22:13:20+xx",
        ] {
            assert_eq!(parse_local_time(bad, "CST+0:00:00"), None, "{bad}");
        }
    }
}
