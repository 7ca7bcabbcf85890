//! What the rules compare against: platform server names, fallback DNS, clock tolerance, and the
//! firmware table for the verification-code bug. Everything here is data a caller may replace.

use serde::Serialize;

use crate::isapi::device_info::parse_version;

/// The host name Hik-Connect platform access uses by default (installer guide: "Server:
/// dev.hik-connect.com (auto)").
pub const DEFAULT_PLATFORM_SERVER: &str = "dev.hik-connect.com";

/// A firmware range in which the verification-code bug is suspected.
///
/// All bounds are inclusive; a `None` bound is open. A range matches when every bound that is
/// set is met and at least one bound is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirmwareRange {
    /// Model prefix (e.g. `DS-7608`), or `None` for every model.
    pub model_prefix: Option<String>,
    /// Lowest affected version, e.g. `[4, 1, 0]`.
    pub min_version: Option<Vec<u32>>,
    /// Highest affected version.
    pub max_version: Option<Vec<u32>>,
    /// Earliest affected build date as `YYYYMMDD`.
    pub built_from: Option<u32>,
    /// Latest affected build date as `YYYYMMDD`.
    pub built_until: Option<u32>,
    /// Where the entry comes from and how far to trust it.
    pub source: String,
}

impl FirmwareRange {
    /// True when the firmware text (e.g. `V5.6.2 build 190701`) and model fall in the range.
    pub fn matches(&self, model: Option<&str>, firmware: &str) -> bool {
        if self.min_version.is_none()
            && self.max_version.is_none()
            && self.built_from.is_none()
            && self.built_until.is_none()
        {
            return false;
        }
        if let Some(p) = &self.model_prefix {
            match model {
                Some(m) if m.to_ascii_uppercase().starts_with(&p.to_ascii_uppercase()) => {}
                _ => return false,
            }
        }
        if self.min_version.is_some() || self.max_version.is_some() {
            let Some(v) = parse_version(firmware) else {
                return false;
            };
            if self.min_version.as_ref().is_some_and(|min| v < *min) {
                return false;
            }
            if self.max_version.as_ref().is_some_and(|max| v > *max) {
                return false;
            }
        }
        if self.built_from.is_some() || self.built_until.is_some() {
            let Some(d) = build_date(firmware) else {
                return false;
            };
            if self.built_from.is_some_and(|from| d < from) {
                return false;
            }
            if self.built_until.is_some_and(|until| d > until) {
                return false;
            }
        }
        true
    }
}

/// The build date in a firmware text (`build 190701`, `V5.6.2build 190701`) as `YYYYMMDD`.
///
/// Hikvision writes build dates as `yymmdd`; years are taken as 20yy.
pub fn build_date(firmware: &str) -> Option<u32> {
    let lower = firmware.to_ascii_lowercase();
    let at = lower.find("build")?;
    let digits: String = lower[at + 5..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.len() != 6 {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    let (mm, dd) = ((n / 100) % 100, n % 100);
    ((1..=12).contains(&mm) && (1..=31).contains(&dd)).then_some(20_000_000 + n)
}

/// The built-in firmware table for the verification-code bug.
///
/// The public references name **no** firmware version with this bug. The only statement is an
/// installer guide's "Hikvision firmware versions, especially older 2018–2020 models, have a bug.
/// It corrupts or resets the verification code". This table therefore holds one entry, built
/// from that sentence as build dates 2018-01-01 to 2020-12-31 for every model, and the rule
/// that reads it reports [`Confidence::Heuristic`](super::Confidence::Heuristic). Replace
/// [`Policy::firmware_code_bug`] with confirmed ranges when they become known.
pub fn default_firmware_code_bug() -> Vec<FirmwareRange> {
    vec![FirmwareRange {
        model_prefix: None,
        min_version: None,
        max_version: None,
        built_from: Some(20_180_101),
        built_until: Some(20_201_231),
        source: "heuristic: installer guide 'Error 2020' (\"older 2018–2020\" firmware; no version list published)".into(),
    }]
}

/// What the rules compare the facts against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Host names (or domain suffixes, matched on a dot boundary) of the platform the devices
    /// should register with.
    pub platform_hosts: Vec<String>,
    /// Server address the `SetServerAddress` fix writes.
    pub default_server: String,
    /// DNS servers the `SetDns` fix uses when the device has none usable.
    pub fallback_dns: (String, String),
    /// Largest tolerated difference between the device clock and the doctor's, in seconds.
    pub max_clock_skew_secs: u64,
    /// Firmware ranges with the suspected verification-code bug.
    pub firmware_code_bug: Vec<FirmwareRange>,
}

impl Default for Policy {
    /// Hik-Connect's domains, the installer guide's DNS advice (8.8.8.8 / 8.8.4.4), five minutes
    /// of clock tolerance, and the heuristic firmware table.
    ///
    /// `ezvizlife.com` and `ys7.com` (the EZVIZ brand's domains, the latter seen as the first
    /// line of EZVIZ label QR codes) are accepted too, for EZVIZ-branded devices (inferred).
    fn default() -> Self {
        Self {
            platform_hosts: vec![
                "hik-connect.com".into(),
                "ezvizlife.com".into(),
                "ys7.com".into(),
            ],
            default_server: DEFAULT_PLATFORM_SERVER.into(),
            fallback_dns: ("8.8.8.8".into(), "8.8.4.4".into()),
            max_clock_skew_secs: 300,
            firmware_code_bug: default_firmware_code_bug(),
        }
    }
}

impl Policy {
    /// True when `host` is one of the platform hosts or inside one of their domains.
    pub fn is_platform_host(&self, host: &str) -> bool {
        let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
        !h.is_empty()
            && self.platform_hosts.iter().any(|p| {
                let p = p.trim().trim_end_matches('.').to_ascii_lowercase();
                !p.is_empty() && (h == p || h.ends_with(&format!(".{p}")))
            })
    }

    /// The first firmware range that matches, if any.
    pub fn firmware_bug(&self, model: Option<&str>, firmware: &str) -> Option<&FirmwareRange> {
        self.firmware_code_bug
            .iter()
            .find(|r| r.matches(model, firmware))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_dates() {
        assert_eq!(build_date("V5.6.2build 190701"), Some(20_190_701));
        assert_eq!(build_date("V5.7.18 build 240826"), Some(20_240_826));
        assert_eq!(build_date("build 231399"), None);
        assert_eq!(build_date("V5.7.18"), None);
        assert_eq!(build_date("build 12"), None);
    }

    #[test]
    fn platform_hosts_match_on_dot_boundary() {
        let p = Policy::default();
        assert!(p.is_platform_host("dev.hik-connect.com"));
        assert!(p.is_platform_host("LITEDEV.hik-connect.com."));
        assert!(p.is_platform_host("hik-connect.com"));
        assert!(!p.is_platform_host("evilhik-connect.com"));
        assert!(!p.is_platform_host("hik-connect.com.example.net"));
        assert!(!p.is_platform_host(""));
        assert!(!p.is_platform_host("192.0.2.1"));
    }

    #[test]
    fn firmware_ranges() {
        let table = default_firmware_code_bug();
        let r = &table[0];
        assert!(r.matches(Some("DS-7608NI"), "V4.1.0 build 190701"));
        assert!(!r.matches(Some("DS-7608NI"), "V4.62.210 build 230619"));
        assert!(!r.matches(None, "V4.62.210"), "no build date: no match");
        let versioned = FirmwareRange {
            model_prefix: Some("DS-2CD".into()),
            min_version: Some(vec![5, 5, 0]),
            max_version: Some(vec![5, 5, 99]),
            built_from: None,
            built_until: None,
            source: "test".into(),
        };
        assert!(versioned.matches(Some("ds-2cd2032"), "V5.5.6"));
        assert!(!versioned.matches(Some("DS-2CD2032"), "V5.6.0"));
        assert!(!versioned.matches(Some("DS-7608"), "V5.5.6"));
        let empty = FirmwareRange {
            model_prefix: None,
            min_version: None,
            max_version: None,
            built_from: None,
            built_until: None,
            source: "nothing".into(),
        };
        assert!(!empty.matches(None, "V5.5.6 build 190101"));
    }
}
