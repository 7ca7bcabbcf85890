//! The values a fix overwrites, recorded before it runs, and putting them back.
//!
//! Every reversible [`FixAction`](super::FixAction) reads what it is about to change and keeps it
//! in its [`FixOutcome::previous`](super::FixOutcome::previous); the outcome is serialised with
//! the report, so a saved report is enough to undo the fixes later ([`undo_fixes`], the
//! command line's `doctor --undo FILE`). Nothing secret is recorded.

use serde::{Deserialize, Serialize};

use super::gather::MAIN_INTERFACE;
use crate::client::Device;
use crate::error::Result;
use crate::isapi::ezviz::ServerAddress;
use crate::isapi::network::{self, AddressPair};
use crate::isapi::status::ResponseStatus;
use crate::isapi::time::{NtpServer, NtpServers, TimeMode};

/// The values one fix overwrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum Previous {
    /// Platform access before [`FixAction::EnablePlatform`](super::FixAction::EnablePlatform).
    #[serde(rename_all = "camelCase")]
    Platform {
        /// `EZVIZ/enabled` as it was.
        enabled: Option<bool>,
    },
    /// The main interface's DNS servers before [`FixAction::SetDns`](super::FixAction::SetDns).
    #[serde(rename_all = "camelCase")]
    Dns {
        /// `PrimaryDNS` (IPv4, IPv6) as it was.
        primary: Option<(Option<String>, Option<String>)>,
        /// `SecondaryDNS` (IPv4, IPv6) as it was.
        secondary: Option<(Option<String>, Option<String>)>,
    },
    /// The platform server before
    /// [`FixAction::SetServerAddress`](super::FixAction::SetServerAddress).
    #[serde(rename_all = "camelCase")]
    ServerAddress {
        /// `addressingFormatType`.
        addressing_format_type: Option<String>,
        /// `hostName`.
        host_name: Option<String>,
        /// `ipAddress`.
        ip_address: Option<String>,
    },
    /// The time settings before [`FixAction::SyncTime`](super::FixAction::SyncTime), which
    /// switches `timeMode` to manual (NTP off).
    #[serde(rename_all = "camelCase")]
    Time {
        /// `timeMode` as it was (`NTP`, `manual`, …).
        time_mode: Option<String>,
        /// The NTP servers as they were: `(id, host or address)`.
        ntp_servers: Vec<(String, String)>,
    },
}

fn pair(p: &Option<AddressPair>) -> Option<(Option<String>, Option<String>)> {
    p.as_ref()
        .map(|p| (p.ip_address.clone(), p.ipv6_address.clone()))
}

/// The pair to write back. "No server" (absent, empty or `0.0.0.0`) is written empty, the form
/// devices accept for it (they refuse `0.0.0.0` as an address).
fn unpair(p: &Option<(Option<String>, Option<String>)>) -> AddressPair {
    match p {
        Some((v4, v6)) => AddressPair {
            ip_address: Some(
                v4.clone()
                    .filter(|a| a.trim() != "0.0.0.0")
                    .unwrap_or_default(),
            ),
            ipv6_address: v6.clone(),
        },
        // the element was absent: write it empty, which devices read as "none"
        None => AddressPair {
            ip_address: Some(String::new()),
            ipv6_address: None,
        },
    }
}

impl Previous {
    /// Reads the DNS servers a DNS fix will overwrite.
    pub(crate) async fn dns(dev: &Device) -> Result<Self> {
        let ip = dev.ip_addressing(MAIN_INTERFACE).await?;
        Ok(Self::Dns {
            primary: pair(&ip.primary_dns),
            secondary: pair(&ip.secondary_dns),
        })
    }

    /// Records the server address before it is overwritten.
    pub(crate) fn server(addr: Option<&ServerAddress>) -> Self {
        Self::ServerAddress {
            addressing_format_type: addr.and_then(|a| a.addressing_format_type.clone()),
            host_name: addr.and_then(|a| a.host_name.clone()),
            ip_address: addr.and_then(|a| a.ip_address.clone()),
        }
    }

    /// Reads the time mode and NTP servers a time sync will overwrite (a device without NTP
    /// settings records none).
    pub(crate) async fn time(dev: &Device, time_mode: Option<&TimeMode>) -> Result<Self> {
        let ntp_servers = match dev.ntp_servers().await {
            Ok(list) => list
                .servers
                .iter()
                .filter_map(|s| {
                    let host = s
                        .host_name
                        .clone()
                        .or_else(|| s.ip_address.clone())
                        .or_else(|| s.ipv6_address.clone())?;
                    Some((s.id.clone(), host))
                })
                .collect(),
            Err(crate::Error::NotSupported { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Self::Time {
            time_mode: time_mode.map(|m| m.as_str().to_owned()),
            ntp_servers,
        })
    }

    /// What undoing writes back, in plain words.
    pub fn describe(&self) -> String {
        let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unset)".into());
        match self {
            Self::Platform { enabled } => format!(
                "platform access back to {}",
                match enabled {
                    Some(true) => "enabled",
                    Some(false) | None => "disabled",
                }
            ),
            Self::Dns { primary, secondary } => {
                let show = |p: &Option<(Option<String>, Option<String>)>| {
                    p.as_ref()
                        .and_then(|(a, b)| a.clone().filter(|s| !s.is_empty()).or(b.clone()))
                        .unwrap_or_else(|| "(unset)".into())
                };
                format!(
                    "DNS back to {} (primary) and {} (secondary)",
                    show(primary),
                    show(secondary)
                )
            }
            Self::ServerAddress {
                host_name,
                ip_address,
                ..
            } => format!(
                "platform server back to {}",
                host_name.clone().or(ip_address.clone()).unwrap_or_default()
            ),
            Self::Time {
                time_mode,
                ntp_servers,
            } => {
                let hosts: Vec<&str> = ntp_servers.iter().map(|(_, h)| h.as_str()).collect();
                format!(
                    "time mode back to {} (NTP servers: {})",
                    or_unset(time_mode),
                    if hosts.is_empty() {
                        "none recorded".to_owned()
                    } else {
                        hosts.join(", ")
                    }
                )
            }
        }
    }

    /// Writes the recorded values back.
    pub async fn restore(&self, dev: &Device) -> Result<ResponseStatus> {
        match self {
            Self::Platform { enabled } => {
                let mut e = dev.ezviz().await?;
                e.enabled = Some(enabled.unwrap_or(false));
                // the device keeps its code; none is sent
                e.verification_code = None;
                dev.set_ezviz(&e).await
            }
            Self::Dns { primary, secondary } => {
                let mut ip = dev.ip_addressing(MAIN_INTERFACE).await?;
                ip.primary_dns = Some(unpair(primary));
                ip.secondary_dns = Some(unpair(secondary));
                // written as the device had it, even where the local checks would refuse a
                // new value (an empty server)
                dev.put_xml(&network::ip_address_path(MAIN_INTERFACE), &ip.to_element())
                    .await
            }
            Self::ServerAddress {
                addressing_format_type,
                host_name,
                ip_address,
            } => {
                let mut e = dev.ezviz().await?;
                let mut addr = e.server_address.take().unwrap_or_default();
                addr.addressing_format_type = addressing_format_type.clone();
                addr.host_name = host_name.clone();
                addr.ip_address = ip_address.clone();
                e.server_address = Some(addr);
                e.verification_code = None;
                dev.set_ezviz(&e).await
            }
            Self::Time {
                time_mode,
                ntp_servers,
            } => {
                if !ntp_servers.is_empty() {
                    let now = dev.ntp_servers().await?;
                    let differs = now.servers.len() != ntp_servers.len()
                        || now.servers.iter().zip(ntp_servers).any(|(s, (id, host))| {
                            s.id != *id
                                || [&s.host_name, &s.ip_address, &s.ipv6_address]
                                    .iter()
                                    .all(|v| v.as_deref() != Some(host.as_str()))
                        });
                    if differs {
                        let mut list: NtpServers = now;
                        list.servers = ntp_servers
                            .iter()
                            .map(|(id, host)| NtpServer::new(id.clone(), host))
                            .collect();
                        dev.set_ntp_servers(&list).await?;
                    }
                }
                let mut t = dev.time().await?;
                t.time_mode = time_mode.as_deref().map(TimeMode::parse);
                t.local_time = None;
                dev.set_time(&t).await
            }
        }
    }
}

/// What happened when one recorded fix was undone.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoOutcome {
    /// The finding whose fix was undone.
    pub finding: String,
    /// What was written back.
    pub description: String,
    /// True when the device accepted it.
    pub restored: bool,
    /// The device's answer or the error, in plain words.
    pub message: String,
}

/// The fixes recorded in a saved doctor result (the JSON of an examination with fixes, as
/// `doctor --fix --json` prints it, or just its `fixes` array): `(finding, previous values)`
/// for every applied fix that recorded its previous values, in the order they ran.
pub fn recorded(saved: &serde_json::Value) -> Vec<(String, Previous)> {
    let fixes = saved
        .pointer("/doctor/fixes")
        .or_else(|| saved.get("fixes"))
        .or(Some(saved))
        .and_then(serde_json::Value::as_array);
    let Some(fixes) = fixes else {
        return Vec::new();
    };
    fixes
        .iter()
        .filter(|f| f.get("applied").and_then(serde_json::Value::as_bool) == Some(true))
        .filter_map(|f| {
            let prev = serde_json::from_value(f.get("previous")?.clone()).ok()?;
            let finding = f
                .pointer("/fix/finding")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Some((finding, prev))
        })
        .collect()
}

/// Undoes the recorded fixes, last applied first. A failed undo does not stop the others.
pub async fn undo_fixes(dev: &Device, recorded: &[(String, Previous)]) -> Vec<UndoOutcome> {
    let mut out = Vec::new();
    for (finding, prev) in recorded.iter().rev() {
        let r = prev.restore(dev).await;
        out.push(UndoOutcome {
            finding: finding.clone(),
            description: prev.describe(),
            restored: r.is_ok(),
            message: match r {
                Ok(s) if s.reboot_required() => "restored; takes effect after a reboot".into(),
                Ok(_) => "restored".into(),
                Err(e) => e.to_string(),
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_values_round_trip_through_json() {
        let all = [
            Previous::Platform {
                enabled: Some(false),
            },
            Previous::Dns {
                primary: Some((Some("0.0.0.0".into()), None)),
                secondary: None,
            },
            Previous::server(None),
            Previous::Time {
                time_mode: Some("NTP".into()),
                ntp_servers: vec![("1".into(), "pool.ntp.org".into())],
            },
        ];
        for p in &all {
            let v = serde_json::to_value(p).unwrap();
            assert_eq!(&serde_json::from_value::<Previous>(v).unwrap(), p);
            assert!(!p.describe().is_empty());
        }
        let saved = serde_json::json!({"doctor": {"fixes": [
            {"fix": {"finding": "time.skew"}, "applied": true,
             "previous": serde_json::to_value(&all[3]).unwrap()},
            {"fix": {"finding": "code.mismatch"}, "applied": true},
            {"fix": {"finding": "dns.missing"}, "applied": false,
             "previous": serde_json::to_value(&all[1]).unwrap()},
        ]}});
        let r = recorded(&saved);
        assert_eq!(r, vec![("time.skew".to_owned(), all[3].clone())]);
        assert!(recorded(&serde_json::json!({"other": 1})).is_empty());
    }
}
