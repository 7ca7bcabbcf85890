//! The rules: pure functions from [`Facts`] (and a [`Policy`]) to at most one [`Finding`] each.
//!
//! Every rule reads only known facts; an unknown fact never fires a rule. [`RULES`] lists them
//! all with the ids each may produce; [`run_all`] evaluates them in order.

mod access;
mod code;
mod network;
mod platform;
#[cfg(test)]
mod tests;

use super::facts::Facts;
use super::finding::Finding;
use super::policy::Policy;

pub use code::{CodeDiff, compare_codes};
pub use network::{AddrValue, classify_addr};

/// The stable finding ids.
pub mod ids {
    /// The device does not answer.
    pub const DEVICE_UNREACHABLE: &str = "device.unreachable";
    /// The device is not activated.
    pub const DEVICE_NOT_ACTIVATED: &str = "device.not_activated";
    /// The credentials were rejected.
    pub const LOGIN_REJECTED: &str = "login.rejected";
    /// The account is locked.
    pub const LOGIN_LOCKED: &str = "login.locked";
    /// The password is risky (SADP error 2020).
    pub const PASSWORD_RISKY: &str = "password.risky";
    /// The device has no Hik-Connect platform access.
    pub const PLATFORM_UNSUPPORTED: &str = "platform.unsupported";
    /// Platform access is disabled.
    pub const PLATFORM_DISABLED: &str = "platform.disabled";
    /// Platform access is enabled but the device is not registered.
    pub const PLATFORM_NOT_REGISTERED: &str = "platform.not_registered";
    /// The server address is not the platform's.
    pub const PLATFORM_SERVER_ADDRESS: &str = "platform.server_address";
    /// The device is bound to another account.
    pub const BINDING_CONFLICT: &str = "binding.conflict";
    /// No verification code is set on the device.
    pub const CODE_NOT_SET: &str = "code.not_set";
    /// The stored code differs from the device's.
    pub const CODE_MISMATCH: &str = "code.mismatch";
    /// The stored code differs from the device's only in letter case.
    pub const CODE_CASE_MISMATCH: &str = "code.case_mismatch";
    /// The stored code differs from the device's only in look-alike characters or spaces.
    pub const CODE_LOOKALIKE_MISMATCH: &str = "code.lookalike_mismatch";
    /// The code was changed after binding; the platform holds the old one.
    pub const CODE_CHANGED_AFTER_BINDING: &str = "code.changed_after_binding";
    /// The label's serial is not the device's.
    pub const LABEL_SERIAL_MISMATCH: &str = "label.serial_mismatch";
    /// The label's code is not the device's current code.
    pub const LABEL_CODE_MISMATCH: &str = "label.code_mismatch";
    /// The label QR text could not be read.
    pub const LABEL_UNREADABLE: &str = "label.unreadable";
    /// No usable DNS server.
    pub const DNS_MISSING: &str = "dns.missing";
    /// A DNS server value is not a usable address.
    pub const DNS_INVALID: &str = "dns.invalid";
    /// Primary and secondary DNS are the same.
    pub const DNS_EQUAL: &str = "dns.equal";
    /// No (valid) default gateway.
    pub const NETWORK_NO_GATEWAY: &str = "network.no_gateway";
    /// The gateway is outside the device's subnet.
    pub const NETWORK_GATEWAY_OFF_SUBNET: &str = "network.gateway_off_subnet";
    /// The device reports an IP address conflict.
    pub const NETWORK_IP_CONFLICT: &str = "network.ip_conflict";
    /// The clock is not synchronised.
    pub const TIME_NOT_SYNCHRONISED: &str = "time.not_synchronised";
    /// The firmware is in a range suspected of the verification-code bug.
    pub const FIRMWARE_CODE_BUG: &str = "firmware.code_bug";
}

/// Findings that are symptoms: a root-cause finding that explains them folds them in.
pub(crate) const SYMPTOMS: &[&str] = &[ids::PLATFORM_NOT_REGISTERED, ids::FIRMWARE_CODE_BUG];

/// A rule's signature.
pub type RuleFn = fn(&Facts, &Policy) -> Option<Finding>;

/// One rule and the ids it may produce.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The ids this rule may produce.
    pub ids: &'static [&'static str],
    /// The rule.
    pub check: RuleFn,
}

/// Every rule, in evaluation order.
pub const RULES: &[Rule] = &[
    Rule {
        ids: &[ids::DEVICE_UNREACHABLE],
        check: access::unreachable,
    },
    Rule {
        ids: &[ids::DEVICE_NOT_ACTIVATED],
        check: access::not_activated,
    },
    Rule {
        ids: &[ids::LOGIN_LOCKED],
        check: access::locked,
    },
    Rule {
        ids: &[ids::LOGIN_REJECTED],
        check: access::rejected,
    },
    Rule {
        ids: &[ids::PASSWORD_RISKY],
        check: access::risky_password,
    },
    Rule {
        ids: &[ids::PLATFORM_UNSUPPORTED],
        check: platform::unsupported,
    },
    Rule {
        ids: &[ids::PLATFORM_DISABLED],
        check: platform::disabled,
    },
    Rule {
        ids: &[ids::PLATFORM_NOT_REGISTERED],
        check: platform::not_registered_rule,
    },
    Rule {
        ids: &[ids::PLATFORM_SERVER_ADDRESS],
        check: platform::server_address,
    },
    Rule {
        ids: &[ids::BINDING_CONFLICT],
        check: platform::binding_conflict,
    },
    Rule {
        ids: &[ids::FIRMWARE_CODE_BUG],
        check: platform::firmware_code_bug,
    },
    Rule {
        ids: &[ids::CODE_NOT_SET],
        check: code::not_set,
    },
    Rule {
        ids: &[
            ids::CODE_MISMATCH,
            ids::CODE_CASE_MISMATCH,
            ids::CODE_LOOKALIKE_MISMATCH,
        ],
        check: code::mismatch,
    },
    Rule {
        ids: &[ids::CODE_CHANGED_AFTER_BINDING],
        check: code::changed_after_binding,
    },
    Rule {
        ids: &[ids::LABEL_UNREADABLE],
        check: code::label_unreadable,
    },
    Rule {
        ids: &[ids::LABEL_SERIAL_MISMATCH],
        check: code::label_serial,
    },
    Rule {
        ids: &[ids::LABEL_CODE_MISMATCH],
        check: code::label_code,
    },
    Rule {
        ids: &[ids::DNS_MISSING],
        check: network::dns_missing,
    },
    Rule {
        ids: &[ids::DNS_INVALID],
        check: network::dns_invalid,
    },
    Rule {
        ids: &[ids::DNS_EQUAL],
        check: network::dns_equal,
    },
    Rule {
        ids: &[ids::NETWORK_NO_GATEWAY],
        check: network::no_gateway,
    },
    Rule {
        ids: &[ids::NETWORK_GATEWAY_OFF_SUBNET],
        check: network::gateway_off_subnet,
    },
    Rule {
        ids: &[ids::NETWORK_IP_CONFLICT],
        check: network::ip_conflict,
    },
    Rule {
        ids: &[ids::TIME_NOT_SYNCHRONISED],
        check: network::clock,
    },
];

/// Every id any rule may produce.
pub fn all_ids() -> Vec<&'static str> {
    RULES.iter().flat_map(|r| r.ids.iter().copied()).collect()
}

/// Runs every rule; findings come back in rule order, unfolded and unsorted.
pub fn run_all(facts: &Facts, policy: &Policy) -> Vec<Finding> {
    RULES
        .iter()
        .filter_map(|r| (r.check)(facts, policy))
        .collect()
}

/// Formats an optional value for evidence.
pub(crate) fn show<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "(absent)".to_owned(), |v| v.to_string())
}

/// Formats an optional text value for evidence, marking empty text.
pub(crate) fn show_text(v: Option<&str>) -> String {
    match v {
        None => "(absent)".to_owned(),
        Some(s) if s.trim().is_empty() => "(empty)".to_owned(),
        Some(s) => s.to_owned(),
    }
}

/// True when the platform is enabled but not registered (the symptom several causes share).
pub(crate) fn not_registered(facts: &Facts) -> bool {
    facts
        .platform
        .known()
        .is_some_and(|p| p.enabled == Some(true) && p.registered == Some(false))
}
