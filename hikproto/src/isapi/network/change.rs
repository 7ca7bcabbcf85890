//! A change to an interface's IPv4 addressing, applied to the settings read from the device, so
//! everything it does not name (IPv6, link settings, unknown elements) is written back as read.
//! The CLI, the C and the Python bindings all change addresses through it.

use std::net::{IpAddr, Ipv4Addr};

use serde::Deserialize;

use super::{AddressPair, IpAddressing};
use crate::error::{Error, Result};

/// What to change in an interface's IPv4 addressing; `None` keeps the device's value.
///
/// Its JSON form (used by the C binding) is an object with any of `address`, `subnetMask`,
/// `gateway`, `dhcp`, `primaryDns`, `secondaryDns`; unknown names are refused.
///
/// ```
/// use hikproto::isapi::network::{IpAddressing, Ipv4Change};
///
/// let mut ip = IpAddressing::default();
/// let change = Ipv4Change {
///     address: Some("192.168.1.64".parse().unwrap()),
///     subnet_mask: Some("255.255.255.0".parse().unwrap()),
///     ..Ipv4Change::default()
/// };
/// change.apply(&mut ip).unwrap();
/// assert_eq!(ip.addressing_type.as_deref(), Some("static"));
/// assert_eq!(ip.ip_address.as_deref(), Some("192.168.1.64"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ipv4Change {
    /// A static IPv4 address (implies static addressing unless `dhcp` says otherwise).
    pub address: Option<Ipv4Addr>,
    /// The subnet mask (contiguous; checked before sending).
    pub subnet_mask: Option<Ipv4Addr>,
    /// The IPv4 default gateway (an IPv6 gateway the device has is kept).
    pub gateway: Option<Ipv4Addr>,
    /// `true`: DHCP (`dynamic`); `false`: static addressing.
    pub dhcp: Option<bool>,
    /// The primary DNS server (IPv4 or IPv6).
    pub primary_dns: Option<IpAddr>,
    /// The secondary DNS server; needs `primary_dns`.
    pub secondary_dns: Option<IpAddr>,
}

impl Ipv4Change {
    /// True when the change names nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks the change on its own: refuses one that names nothing, DHCP together with static
    /// values, and a secondary DNS without a primary one.
    pub fn check(&self) -> Result<()> {
        if self.is_empty() {
            return Err(Error::invalid("the IPv4 change names nothing to change"));
        }
        let static_values =
            self.address.is_some() || self.subnet_mask.is_some() || self.gateway.is_some();
        if self.dhcp == Some(true) && static_values {
            return Err(Error::invalid(
                "DHCP and a static address, mask or gateway are exclusive",
            ));
        }
        if self.secondary_dns.is_some() && self.primary_dns.is_none() {
            return Err(Error::invalid("a secondary DNS server needs a primary one"));
        }
        Ok(())
    }

    /// Applies the change to `ip` (read from the device) after [`check`](Self::check); on an
    /// error `ip` is left as it was.
    pub fn apply(&self, ip: &mut IpAddressing) -> Result<()> {
        self.check()?;
        let dhcp = self.dhcp.or(self.address.map(|_| false));
        if let Some(d) = dhcp {
            ip.addressing_type = Some(if d { "dynamic" } else { "static" }.to_owned());
        }
        if let Some(v) = self.address {
            ip.ip_address = Some(v.to_string());
        }
        if let Some(v) = self.subnet_mask {
            ip.subnet_mask = Some(v.to_string());
        }
        if let Some(v) = self.gateway {
            let ipv6 = ip.default_gateway.take().and_then(|g| g.ipv6_address);
            ip.default_gateway = Some(AddressPair {
                ipv6_address: ipv6,
                ..AddressPair::v4(v)
            });
        }
        if let Some(p) = self.primary_dns {
            ip.set_dns(p, self.secondary_dns);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> IpAddressing {
        IpAddressing {
            addressing_type: Some("dynamic".into()),
            ip_address: Some("10.0.0.5".into()),
            subnet_mask: Some("255.255.255.0".into()),
            default_gateway: Some(AddressPair {
                ip_address: Some("10.0.0.1".into()),
                ipv6_address: Some("fe80::1".into()),
            }),
            ..IpAddressing::default()
        }
    }

    #[test]
    fn a_static_address_keeps_what_it_does_not_name() {
        let mut ip = current();
        let c: Ipv4Change =
            serde_json::from_str(r#"{"address":"10.0.0.9","gateway":"10.0.0.254"}"#).unwrap();
        c.apply(&mut ip).unwrap();
        assert_eq!(ip.addressing_type.as_deref(), Some("static"));
        assert_eq!(ip.ip_address.as_deref(), Some("10.0.0.9"));
        assert_eq!(ip.subnet_mask.as_deref(), Some("255.255.255.0"));
        let gw = ip.default_gateway.unwrap();
        assert_eq!(gw.ip_address.as_deref(), Some("10.0.0.254"));
        assert_eq!(
            gw.ipv6_address.as_deref(),
            Some("fe80::1"),
            "IPv6 gateway kept"
        );
    }

    #[test]
    fn dhcp_and_dns() {
        let mut ip = current();
        ip.addressing_type = Some("static".into());
        let c: Ipv4Change =
            serde_json::from_str(r#"{"dhcp":true,"primaryDns":"1.1.1.1","secondaryDns":"::1"}"#)
                .unwrap();
        c.apply(&mut ip).unwrap();
        assert_eq!(ip.addressing_type.as_deref(), Some("dynamic"));
        assert_eq!(ip.ip_address.as_deref(), Some("10.0.0.5"));
        let dns2 = ip.secondary_dns.unwrap();
        assert_eq!(dns2.ipv6_address.as_deref(), Some("::1"));
    }

    #[test]
    fn contradictions_are_refused() {
        let mut ip = current();
        let before = ip.clone();
        for json in [
            "{}",
            r#"{"dhcp":true,"address":"10.0.0.9"}"#,
            r#"{"secondaryDns":"8.8.8.8"}"#,
        ] {
            let c: Ipv4Change = serde_json::from_str(json).unwrap();
            assert!(c.apply(&mut ip).is_err(), "{json}");
            assert_eq!(ip, before, "{json}: nothing applied");
        }
        assert!(serde_json::from_str::<Ipv4Change>(r#"{"ip":"10.0.0.9"}"#).is_err());
        assert!(serde_json::from_str::<Ipv4Change>(r#"{"address":"10.0.0.300"}"#).is_err());
    }
}
