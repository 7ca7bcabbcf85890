//! Rules about the network path to the platform: DNS, gateway, address conflicts, and the clock
//! (TLS to the platform fails when the clock is far off).

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use super::super::facts::{Facts, NetworkFacts};
use super::super::finding::{Confidence, Finding, FixAction, Step};
use super::super::policy::Policy;
use super::super::remedy::{self, UI_TCPIP, UI_TIME, call};
use super::{SYMPTOMS, ids, show_text};

/// What an address field of the device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AddrValue {
    /// Empty, absent, `0.0.0.0` or `::`.
    Unset,
    /// A unicast address a device could use.
    Valid(IpAddr),
    /// Not an address, or one no device can use (loopback, multicast, broadcast, `0.x.x.x`).
    Invalid,
}

/// Classifies an address field's text.
pub fn classify_addr(text: Option<&str>) -> AddrValue {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return AddrValue::Unset;
    };
    let Ok(ip) = t.parse::<IpAddr>() else {
        return AddrValue::Invalid;
    };
    if ip.is_unspecified() {
        return AddrValue::Unset;
    }
    let unusable = ip.is_loopback()
        || ip.is_multicast()
        || match ip {
            IpAddr::V4(v4) => v4.is_broadcast() || v4.octets()[0] == 0,
            IpAddr::V6(_) => false,
        };
    if unusable {
        AddrValue::Invalid
    } else {
        AddrValue::Valid(ip)
    }
}

fn dns_pair(n: &NetworkFacts) -> (AddrValue, AddrValue) {
    (
        classify_addr(n.primary_dns.as_deref()),
        classify_addr(n.secondary_dns.as_deref()),
    )
}

/// The DNS pair the fix writes: the device's valid, distinct values first, the fallbacks after.
fn proposed_dns(n: &NetworkFacts, policy: &Policy) -> (String, String) {
    let (a, b) = dns_pair(n);
    let mut out: Vec<String> = Vec::with_capacity(2);
    for v in [a, b] {
        if let AddrValue::Valid(ip) = v {
            let s = ip.to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    for s in [&policy.fallback_dns.0, &policy.fallback_dns.1] {
        if out.len() < 2 && !out.contains(s) {
            out.push(s.clone());
        }
    }
    let second = out.get(1).cloned().unwrap_or_default();
    (out.swap_remove(0), second)
}

/// Adds the DNS evidence, fix and remedy to a started finding.
fn dns_finding(facts: &Facts, policy: &Policy, n: &NetworkFacts, start: Finding) -> Finding {
    let t = &facts.target;
    let (primary, secondary) = proposed_dns(n, policy);
    let dhcp = n
        .addressing
        .as_deref()
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("dynamic"));
    let mut f = start
        .evidence("network.PrimaryDNS", show_text(n.primary_dns.as_deref()))
        .evidence(
            "network.SecondaryDNS",
            show_text(n.secondary_dns.as_deref()),
        )
        .evidence("network.addressingType", show_text(n.addressing.as_deref()))
        .fix(FixAction::SetDns {
            primary: primary.clone(),
            secondary: secondary.clone(),
        })
        .step(remedy::apply_fix(
            t,
            &format!("Set DNS to {primary} and {secondary}"),
            call::APPLY_FIXES,
        ))
        .step(Step::text("Or set the DNS servers by hand").ui(UI_TCPIP));
    if dhcp {
        f = f.step(Step::text(
            "The address comes from DHCP: also fix the DNS servers the DHCP server hands out, or \
             the next lease may bring the problem back",
        ));
    }
    f.step(remedy::network_test()).step(remedy::rerun(t))
}

/// `dns.missing`: no DNS server at all.
pub(crate) fn dns_missing(facts: &Facts, policy: &Policy) -> Option<Finding> {
    let n = facts.network.known()?;
    if dns_pair(n) != (AddrValue::Unset, AddrValue::Unset) {
        return None;
    }
    Some(
        dns_finding(
            facts,
            policy,
            n,
            Finding::new(
                ids::DNS_MISSING,
                "No DNS server is set",
                Confidence::High,
                68,
            )
            .cause(
                "The device has no DNS server, so it cannot resolve the platform's host name and \
                 never reaches Hik-Connect to validate its verification code",
            ),
        )
        .explains(SYMPTOMS),
    )
}

/// `dns.invalid`: a DNS field holds something that is not a usable address.
pub(crate) fn dns_invalid(facts: &Facts, policy: &Policy) -> Option<Finding> {
    let n = facts.network.known()?;
    let (a, b) = dns_pair(n);
    if a != AddrValue::Invalid && b != AddrValue::Invalid {
        return None;
    }
    let usable = matches!(a, AddrValue::Valid(_)) || matches!(b, AddrValue::Valid(_));
    let mut f = dns_finding(
        facts,
        policy,
        n,
        Finding::new(
            ids::DNS_INVALID,
            "A DNS server setting is invalid",
            Confidence::High,
            if usable { 50 } else { 66 },
        )
        .cause(if usable {
            "One DNS server setting is not a usable address (not an IP, or loopback, multicast or \
             broadcast); name resolution fails whenever the device falls back to it"
        } else {
            "The DNS server settings are not usable addresses (not an IP, or loopback, multicast or \
             broadcast), so the device cannot resolve the platform's host name"
        }),
    );
    if !usable {
        f = f.explains(SYMPTOMS);
    }
    Some(f)
}

/// `dns.equal`: primary and secondary DNS are the same server.
pub(crate) fn dns_equal(facts: &Facts, policy: &Policy) -> Option<Finding> {
    let n = facts.network.known()?;
    match dns_pair(n) {
        (AddrValue::Valid(a), AddrValue::Valid(b)) if a == b => {}
        _ => return None,
    }
    Some(dns_finding(
        facts,
        policy,
        n,
        Finding::new(
            ids::DNS_EQUAL,
            "Primary and secondary DNS are the same",
            Confidence::Medium,
            35,
        )
        .cause(
            "Primary and secondary DNS are the same server, so there is no fallback when it fails; \
             devices also refuse this on a change (dns1dns2CanNotSame)",
        ),
    ))
}

/// `network.no_gateway`: no usable default gateway.
pub(crate) fn no_gateway(facts: &Facts, _: &Policy) -> Option<Finding> {
    let n = facts.network.known()?;
    if matches!(classify_addr(n.gateway.as_deref()), AddrValue::Valid(_)) {
        return None;
    }
    let t = &facts.target;
    Some(
        Finding::new(
            ids::NETWORK_NO_GATEWAY,
            "No default gateway",
            Confidence::High,
            65,
        )
        .cause(
            "The device has no usable default gateway, so it can talk to its own subnet but not to \
             the internet: it never reaches Hik-Connect",
        )
        .evidence("network.DefaultGateway", show_text(n.gateway.as_deref()))
        .evidence("network.addressingType", show_text(n.addressing.as_deref()))
        .explains(SYMPTOMS)
        .step(
            Step::text(
                "Set the router's LAN address as the default gateway (or turn DHCP on). The doctor \
                 does not change the gateway itself: a wrong one can cut the device off",
            )
            .ui(UI_TCPIP),
        )
        .step(remedy::network_test())
        .step(remedy::rerun(t)),
    )
}

fn v4(text: Option<&str>) -> Option<Ipv4Addr> {
    match classify_addr(text) {
        AddrValue::Valid(IpAddr::V4(a)) => Some(a),
        _ => None,
    }
}

/// A contiguous IPv4 mask (`255.255.255.0`), as a bit mask.
fn mask_bits(text: Option<&str>) -> Option<u32> {
    let m = u32::from(text?.trim().parse::<Ipv4Addr>().ok()?);
    (m != 0 && m.leading_ones() + m.trailing_zeros() == 32).then_some(m)
}

/// `network.gateway_off_subnet`: the gateway is outside the device's subnet.
pub(crate) fn gateway_off_subnet(facts: &Facts, _: &Policy) -> Option<Finding> {
    let n = facts.network.known()?;
    let gw = v4(n.gateway.as_deref())?;
    let ip = v4(n.ipv4_address.as_deref())?;
    let mask = mask_bits(n.subnet_mask.as_deref())?;
    if u32::from(gw) & mask == u32::from(ip) & mask {
        return None;
    }
    let t = &facts.target;
    Some(
        Finding::new(
            ids::NETWORK_GATEWAY_OFF_SUBNET,
            "The gateway is outside the device's subnet",
            Confidence::Medium,
            58,
        )
        .cause(
            "The default gateway is not in the device's own subnet, so the device cannot reach it \
             and has no way to the internet (wrong mask, gateway or address)",
        )
        .evidence("network.ipAddress", ip.to_string())
        .evidence("network.subnetMask", show_text(n.subnet_mask.as_deref()))
        .evidence("network.DefaultGateway", gw.to_string())
        .explains(SYMPTOMS)
        .step(
            Step::text("Correct the address, mask or gateway so that they share a subnet")
                .ui(UI_TCPIP),
        )
        .step(remedy::rerun(t)),
    )
}

/// `network.ip_conflict`: the device reports another host with its address.
pub(crate) fn ip_conflict(facts: &Facts, _: &Policy) -> Option<Finding> {
    let d = facts.device.known()?;
    if d.abnormal_status.get("ipaddrConflict") != Some(&true) {
        return None;
    }
    let t = &facts.target;
    Some(
        Finding::new(
            ids::NETWORK_IP_CONFLICT,
            "Another host uses the device's IP address",
            Confidence::High,
            66,
        )
        .cause(
            "The device reports an IP address conflict: traffic meant for it (and its platform \
             connection) goes astray intermittently",
        )
        .evidence("deviceInfo.DetailAbnormalStatus.ipaddrConflict", "true")
        .explains(SYMPTOMS)
        .step(Step::text("Give the device a free address (or reserve its DHCP lease)").ui(UI_TCPIP))
        .step(
            Step::text("Find the other host with SADP or the router's lease table")
                .call(call::DISCOVER),
        )
        .step(remedy::rerun(t)),
    )
}

/// `time.not_synchronised`: the clock is far off, or NTP fails.
pub(crate) fn clock(facts: &Facts, policy: &Policy) -> Option<Finding> {
    let tf = facts.time.known()?;
    let skewed = tf
        .skew_secs
        .is_some_and(|s| s.unsigned_abs() > policy.max_clock_skew_secs);
    let ntp_failed = tf
        .ntp_error
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty());
    if !skewed && !ntp_failed {
        return None;
    }
    let t = &facts.target;
    let mut f = Finding::new(
        ids::TIME_NOT_SYNCHRONISED,
        "The device clock is not synchronised",
        if skewed {
            Confidence::High
        } else {
            Confidence::Medium
        },
        56,
    )
    .cause(format!(
        "{} Secure connections to the platform check certificate dates, so a wrong clock breaks \
         registration; recordings get wrong timestamps too",
        if skewed {
            "The device clock differs from this computer's by more than the tolerance."
        } else {
            "The device cannot reach its NTP server."
        }
    ))
    .evidence("time.timeMode", show_text(tf.mode.as_deref()))
    .evidence("time.ntpServer", show_text(tf.ntp_server.as_deref()));
    if let Some(s) = tf.skew_secs {
        f = f.evidence(
            "time.skew",
            format!("{s} s (tolerance {} s)", policy.max_clock_skew_secs),
        );
    }
    if let Some(e) = &tf.ntp_error {
        f = f.evidence("time.ntpError", e.clone());
    }
    if skewed {
        f = f
            .explains(SYMPTOMS)
            .fix(FixAction::SyncTime)
            .step(remedy::apply_fix(
                t,
                "Set the clock from this computer",
                call::APPLY_FIXES,
            ));
    }
    Some(
        f.step(
            Step::text("Use NTP with a reachable server (or let the platform set the time)")
                .ui(UI_TIME),
        )
        .step(remedy::rerun(t)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_classes() {
        assert_eq!(classify_addr(None), AddrValue::Unset);
        assert_eq!(classify_addr(Some(" ")), AddrValue::Unset);
        assert_eq!(classify_addr(Some("0.0.0.0")), AddrValue::Unset);
        assert_eq!(classify_addr(Some("::")), AddrValue::Unset);
        assert!(matches!(
            classify_addr(Some("8.8.8.8")),
            AddrValue::Valid(_)
        ));
        assert!(matches!(
            classify_addr(Some("2001:db8::1")),
            AddrValue::Valid(_)
        ));
        for bad in [
            "8.8.8",
            "dns.example",
            "127.0.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "0.1.2.3",
            "::1",
        ] {
            assert_eq!(classify_addr(Some(bad)), AddrValue::Invalid, "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask_bits(Some("255.255.255.0")), Some(0xFFFF_FF00));
        assert_eq!(mask_bits(Some("255.0.255.0")), None);
        assert_eq!(mask_bits(Some("0.0.0.0")), None);
        assert_eq!(mask_bits(Some("x")), None);
    }

    #[test]
    fn proposed_dns_keeps_valid_and_distinct() {
        let p = Policy::default();
        let n = |a: &str, b: &str| NetworkFacts {
            primary_dns: Some(a.into()),
            secondary_dns: Some(b.into()),
            ..NetworkFacts::default()
        };
        assert_eq!(
            proposed_dns(&n("", ""), &p),
            ("8.8.8.8".into(), "8.8.4.4".into())
        );
        assert_eq!(
            proposed_dns(&n("192.0.2.53", "192.0.2.53"), &p),
            ("192.0.2.53".into(), "8.8.8.8".into())
        );
        assert_eq!(
            proposed_dns(&n("bogus", "8.8.8.8"), &p),
            ("8.8.8.8".into(), "8.8.4.4".into())
        );
        assert_eq!(
            proposed_dns(&n("1.1.1.1", "9.9.9.9"), &p),
            ("1.1.1.1".into(), "9.9.9.9".into())
        );
    }
}
