//! Device addresses as people type them: a host name or IP address with an optional port, IPv6
//! literals bracketed when a port follows (`[fe80::1]:8080`).
//!
//! [`DeviceAddress`] is the one place that splits and joins host and port; the client builder,
//! the C and Python bindings and the command line use it.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A host (name, IPv4 or IPv6 address) and an optional port.
///
/// Parses `host`, `host:port`, `[v6]`, `[v6]:port` and a bare IPv6 address (`fe80::1`, which
/// has no port), with an optional `http://`/`https://` prefix and trailing `/` ignored; prints
/// the same forms back, bracketing IPv6 when a port follows.
///
/// ```
/// use hikproto::DeviceAddress;
///
/// let a: DeviceAddress = "[fe80::1]:8080".parse()?;
/// assert_eq!((a.host(), a.port()), ("fe80::1", Some(8080)));
/// assert_eq!(DeviceAddress::new("fe80::1", Some(80)).to_string(), "[fe80::1]:80");
/// assert_eq!(DeviceAddress::new("192.0.2.10", None).to_string(), "192.0.2.10");
/// # Ok::<(), hikproto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceAddress {
    host: String,
    port: Option<u16>,
}

impl DeviceAddress {
    /// An address of `host` (brackets around an IPv6 literal are dropped) and `port`.
    pub fn new(host: impl Into<String>, port: Option<u16>) -> Self {
        let host = host.into();
        let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(inner) => inner.to_owned(),
            None => host,
        };
        Self { host, port }
    }

    /// Parses what a person typed (see the type's documentation for the forms).
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |why: &str| Error::invalid(format!("address {text:?}: {why}"));
        let t = text.trim();
        let t = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"))
            .unwrap_or(t);
        let t = t.strip_suffix('/').unwrap_or(t);
        if t.is_empty() {
            return Err(invalid("no host"));
        }
        if t.contains(['/', '?', '#', '@', ' ']) {
            return Err(invalid(
                "must be a host name or address with an optional port",
            ));
        }
        let (host, port) = if let Some(rest) = t.strip_prefix('[') {
            let (host, tail) = rest
                .split_once(']')
                .ok_or_else(|| invalid("'[' without ']'"))?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid("brackets hold no IPv6 address"));
            }
            match tail {
                "" => (host, None),
                _ => {
                    let p = tail
                        .strip_prefix(':')
                        .ok_or_else(|| invalid("text after ']' that is not a port"))?;
                    (host, Some(p))
                }
            }
        } else if t.matches(':').count() > 1 {
            // a bare IPv6 literal: no port can follow without brackets
            if t.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid("neither host:port nor an IPv6 address"));
            }
            (t, None)
        } else {
            match t.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (t, None),
            }
        };
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let port = match port {
            None => None,
            Some("") => return Err(invalid("ends with ':' but gives no port")),
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| invalid("the port must be 1 to 65535"))?,
            ),
        };
        Ok(Self::new(host, port))
    }

    /// The host, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, when one was given.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The same host with `port`.
    pub fn with_port(self, port: u16) -> Self {
        Self {
            port: Some(port),
            ..self
        }
    }

    /// The host as an IP address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// True when the host is an IPv6 literal (it needs brackets before a port).
    pub fn is_ipv6(&self) -> bool {
        self.host.contains(':')
    }
}

impl fmt::Display for DeviceAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.port, self.is_ipv6()) {
            (Some(p), true) => write!(f, "[{}]:{p}", self.host),
            (Some(p), false) => write!(f, "{}:{p}", self.host),
            (None, _) => f.write_str(&self.host),
        }
    }
}

impl FromStr for DeviceAddress {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_and_prints_back() {
        for (text, host, port, printed) in [
            ("192.0.2.10", "192.0.2.10", None, "192.0.2.10"),
            (
                "192.0.2.10:8080",
                "192.0.2.10",
                Some(8080),
                "192.0.2.10:8080",
            ),
            ("cam.local", "cam.local", None, "cam.local"),
            (
                "https://cam.local:8443/",
                "cam.local",
                Some(8443),
                "cam.local:8443",
            ),
            ("[fe80::1]:80", "fe80::1", Some(80), "[fe80::1]:80"),
            ("[::1]", "::1", None, "::1"),
            ("fe80::1", "fe80::1", None, "fe80::1"),
            (" 10.0.0.5 ", "10.0.0.5", None, "10.0.0.5"),
        ] {
            let a = DeviceAddress::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((a.host(), a.port()), (host, port), "{text}");
            assert_eq!(a.to_string(), printed, "{text}");
            assert_eq!(DeviceAddress::parse(printed).unwrap(), a, "{printed}");
        }
    }

    #[test]
    fn bad_addresses_are_typed_errors() {
        for text in [
            "",
            "   ",
            ":80",
            "10.0.0.5:",
            "10.0.0.5:0",
            "10.0.0.5:70000",
            "10.0.0.5:http",
            "[fe80::1",
            "[cam]:80",
            "[::1]x",
            "fe80::zz",
            "10.0.0.5/ISAPI",
            "user@10.0.0.5",
            "a b",
        ] {
            let e = DeviceAddress::parse(text).expect_err(text);
            assert!(matches!(e, Error::InvalidInput(_)), "{text}: {e:?}");
        }
    }

    #[test]
    fn joining_brackets_ipv6_only_before_a_port() {
        assert_eq!(DeviceAddress::new("::1", Some(81)).to_string(), "[::1]:81");
        assert_eq!(
            DeviceAddress::new("[::1]", Some(81)).to_string(),
            "[::1]:81"
        );
        assert_eq!(DeviceAddress::new("::1", None).to_string(), "::1");
        assert_eq!(
            DeviceAddress::new("cam", None).with_port(80).to_string(),
            "cam:80"
        );
        assert!(DeviceAddress::new("::1", None).is_ipv6());
        assert_eq!(
            DeviceAddress::new("10.0.0.5", None).ip(),
            Some(IpAddr::from([10, 0, 0, 5]))
        );
        assert_eq!(DeviceAddress::new("cam.local", None).ip(), None);
    }
}
