//! Reading the device clock: ISO 8601 `localTime` and POSIX-style `timeZone` into UTC seconds,
//! and writing a local time back. No date library: the civil-date arithmetic is the standard
//! days-from-civil algorithm.

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn num(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses `±hh:mm`, `±hhmm` or `±hh` into seconds east of UTC.
fn parse_offset(s: &str) -> Option<i64> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (num(h)?, num(m)?),
        None if rest.len() == 4 && rest.is_ascii() => (num(&rest[..2])?, num(&rest[2..])?),
        None => (num(rest)?, 0),
    };
    (h <= 14 && m < 60).then(|| sign * (h * 3600 + m * 60))
}

/// Seconds east of UTC from a POSIX-style zone as devices send it (`CST-8:00:00` is UTC+8: the
/// sign is inverted, as in POSIX `TZ`). Daylight-saving parts after a comma are ignored.
pub fn zone_offset(tz: &str) -> Option<i64> {
    let tz = tz.split(',').next()?.trim();
    let at = tz.find(['+', '-'])?;
    let rest = &tz[at + 1..];
    let sign = if tz.as_bytes()[at] == b'-' { 1 } else { -1 };
    let mut parts = rest
        .split(|c: char| !c.is_ascii_digit())
        .take_while(|p| !p.is_empty());
    let h = num(parts.next()?)?;
    let m = parts.next().map_or(Some(0), num)?;
    let s = parts.next().map_or(Some(0), num)?;
    (h <= 14 && m < 60 && s < 60).then(|| sign * (h * 3600 + m * 60 + s))
}

/// Parses an ISO 8601 local time (`2024-05-01T10:00:00`, with optional fraction and `Z` or
/// `±hh:mm`) into Unix seconds. Without an offset in the text, `zone` (seconds east of UTC)
/// is used; without either, `None`.
pub fn parse_local_time(text: &str, zone: Option<i64>) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = t.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (y, mo, da) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some()
        || !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
    {
        return None;
    }
    let time_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let (clock, tail) = rest.split_at(time_end);
    let clock = clock.split('.').next()?;
    let mut c = clock.split(':');
    let (h, mi) = (num(c.next()?)?, num(c.next()?)?);
    let s = c.next().map_or(Some(0), num)?;
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let offset = match tail.trim() {
        "" => zone?,
        "Z" | "z" => 0,
        o => parse_offset(o)?,
    };
    Some(days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// Formats Unix seconds as local ISO 8601 with an explicit offset (`2024-05-01T18:00:00+08:00`).
pub fn format_local_time(unix: i64, offset: i64) -> String {
    let local = unix + offset;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.unsigned_abs();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        o / 3600,
        (o / 60) % 60
    )
}

/// The doctor's clock, Unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(zone_offset("CST-8:00:00"), Some(8 * 3600));
        assert_eq!(zone_offset("CST+0:00:00"), Some(0));
        assert_eq!(
            zone_offset("EST+5:00:00EDT,M3.2.0/02:00:00,M11.1.0/02:00:00"),
            Some(-5 * 3600)
        );
        assert_eq!(zone_offset("IST-5:30:00"), Some(5 * 3600 + 1800));
        assert_eq!(zone_offset("UTC"), None);
        assert_eq!(zone_offset("X-99"), None);
    }

    #[test]
    fn local_times() {
        assert_eq!(parse_local_time("1970-01-01T00:00:00Z", None), Some(0));
        assert_eq!(
            parse_local_time("2024-05-01T18:00:00+08:00", None),
            parse_local_time("2024-05-01T10:00:00Z", None)
        );
        assert_eq!(
            parse_local_time("2024-05-01T18:00:00", Some(8 * 3600)),
            Some(1_714_557_600)
        );
        assert_eq!(parse_local_time("2024-05-01T18:00:00", None), None);
        assert_eq!(
            parse_local_time("2024-05-01T10:00:00.123Z", None),
            Some(1_714_557_600)
        );
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "2024-05-01T10:00:00+1é1",
            "2024-05-01",
            "x-y-zT1:2:3Z",
            "2024-05-01T25:00:00Z",
        ] {
            assert_eq!(parse_local_time(bad, Some(0)), None, "{bad}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        let base = "2024-05-01T18:00:00+08:00";
        let noise = ['é', '+', '-', ':', 'T', 'Z', '9', ' ', '\u{0}', '.'];
        for i in 0..=base.len() {
            for n in noise {
                let mut s = base.to_owned();
                if base.is_char_boundary(i) {
                    s.insert(i, n);
                }
                let _ = parse_local_time(&s, Some(0));
                let _ = parse_local_time(&s[..i.min(s.len())], None);
                let _ = zone_offset(&s);
            }
        }
        for huge in [
            "99999999999999999-01-01T00:00:00Z",
            "2024-01-01T00:00:00+99999999999999999:00",
            "2024-01-01T99999999999999999:00:00Z",
        ] {
            assert_eq!(parse_local_time(huge, Some(0)), None, "{huge}");
        }
        assert_eq!(zone_offset("X-99999999999999999"), None);
        assert!(format_local_time(i64::MAX / 4, 0).len() > 10);
    }

    #[test]
    fn round_trip() {
        for (unix, off) in [
            (0, 0),
            (1_714_557_600, 8 * 3600),
            (951_782_400, -5 * 3600 - 1800),
        ] {
            let s = format_local_time(unix, off);
            assert_eq!(parse_local_time(&s, None), Some(unix), "{s}");
        }
        assert_eq!(
            format_local_time(1_714_557_600, 8 * 3600),
            "2024-05-01T18:00:00+08:00"
        );
    }
}
