//! The gatherer: collects the facts the rules need from one device, with **one login at most**.
//!
//! Order: the unauthenticated activation probe (which also tells whether the device answers at
//! all), one credential probe (`userCheck`), then — only when that login was accepted — the
//! reads: `deviceInfo`, capabilities, platform access, the platform parameter test where
//! offered, the network interface, time and NTP. Every read that fails is recorded as unknown
//! with its reason; nothing is retried. A rejected login is never repeated: the client's
//! lock-out guard refuses to send a rejected credential again.
//!
//! The platform parameter test's answer shape is not public (inferred): the gatherer keeps the
//! device's words and reads a pass/fail only from an obvious boolean or `ok`-like status.
//!
//! Not gathered, because no documented endpoint reports them: an NTP failure
//! ([`TimeFacts::ntp_error`], filled by callers that saw `NTPUnconnect`) and a SADP lock
//! ([`SadpView::locked`], known only from a SADP command's reply; the gatherer sends none, so as
//! not to spend login attempts). The account lock comes from the one ISAPI login.

use serde_json::Value;

use super::clock;
use super::facts::{
    BindStatus, Fact, Facts, LoginFacts, LoginState, NetworkFacts, ParameterTest, PlatformFacts,
    Reachability, SadpView, TimeFacts, UserInputs,
};
use super::inputs;
use super::policy::Policy;
use super::report::{Report, diagnose};
use crate::client::{Device, Request};
use crate::error::{Error, ErrorReport};
use crate::isapi::capabilities::DeviceCap;
use crate::isapi::ezviz::{self, Ezviz};
use crate::isapi::network::{AddressPair, IpAddressing};
use crate::isapi::time::TimeMode;
use crate::isapi::user_check::{self, LoginOutcome, UserCheck};
use crate::keys::VerificationCode;
use crate::sadp::ProbeMatch;
use crate::xml::FromXml;

/// The interface the doctor reads and fixes (the main wired interface on every family seen).
pub const MAIN_INTERFACE: &str = "1";

/// Longest device text kept as evidence.
const MAX_DETAIL: usize = 300;

fn unreachable(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport { .. } | Error::Timeout { .. } | Error::Tls { .. }
    )
}

/// The error with its sources (transport errors keep the cause, e.g. "connection refused",
/// in a source). hikproto's errors and their sources carry no secrets.
fn chain(e: &Error) -> String {
    clip(&ErrorReport::new(e).to_string())
}

fn reason(e: &Error) -> String {
    match e {
        Error::NotSupported { .. } => "not supported by the device".to_owned(),
        other => other.to_string(),
    }
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_DETAIL {
        return s.to_owned();
    }
    let mut end = MAX_DETAIL;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Marks every device fact that needs a login as unknown for `why`.
fn blind(f: &mut Facts, why: &str) {
    f.device = Fact::unknown(why);
    f.platform = Fact::unknown(why);
    f.parameter_test = Fact::unknown(why);
    f.network = Fact::unknown(why);
    f.time = Fact::unknown(why);
}

/// Gathers the facts of one device. Never fails: what cannot be read is recorded as unknown.
///
/// `sadp` is the device's SADP reply when the caller has one (from [`crate::sadp::discover`]);
/// `inputs` are what the user supplies. The device handle should carry the credentials to log
/// in with; without them only the unauthenticated facts are read.
pub async fn gather(dev: &Device, sadp: Option<&ProbeMatch>, inputs: &UserInputs) -> Facts {
    let mut f = Facts::new(dev.host());
    f.supplied = inputs::supplied(inputs);
    f.sadp = sadp.map_or_else(
        || Fact::unknown("no SADP reply (not on this LAN, or not searched)"),
        |pm| Fact::Known(SadpView::from(pm)),
    );

    // 1. Does it answer, and is it activated? (no credentials sent)
    match dev.activation_status().await {
        Ok(s) => {
            f.reachability = Fact::Known(Reachability::Reachable);
            f.activated = Fact::Known(s.activated);
        }
        Err(e) if unreachable(&e) => {
            f.reachability = Fact::Known(Reachability::Unreachable { error: chain(&e) });
            f.activated = Fact::unknown("device unreachable");
            f.login = Fact::unknown("device unreachable");
            blind(&mut f, "device unreachable");
            return f;
        }
        Err(e) => {
            f.reachability = Fact::Known(Reachability::Reachable);
            f.activated = Fact::unknown(reason(&e));
        }
    }
    if f.activated.known() == Some(&false) {
        f.login = Fact::unknown("device not activated");
        blind(&mut f, "device not activated");
        return f;
    }

    // 2. One login.
    let Some(user) = dev.user() else {
        f.login = Fact::Known(LoginFacts {
            user: inputs.user_name().to_owned(),
            state: LoginState::NotTried,
            risky_password: None,
            default_password: None,
        });
        blind(&mut f, "no password given");
        return f;
    };
    let login = login(dev, &user).await;
    match login {
        Err(e) if unreachable(&e) => {
            f.reachability = Fact::Known(Reachability::Unreachable { error: chain(&e) });
            f.login = Fact::unknown("device unreachable");
            blind(&mut f, "device unreachable");
            return f;
        }
        Err(Error::NotActivated) => {
            f.activated = Fact::Known(false);
            f.login = Fact::unknown("device not activated");
            blind(&mut f, "device not activated");
            return f;
        }
        Err(e) => {
            f.login = Fact::unknown(reason(&e));
        }
        Ok((lf, activated)) => {
            if let Some(a) = activated {
                if !f.activated.is_known() || !a {
                    f.activated = Fact::Known(a);
                }
            }
            let refused = match lf.state {
                LoginState::Rejected { .. } => Some("login rejected"),
                LoginState::Locked { .. } => Some("account locked"),
                _ => None,
            };
            f.login = Fact::Known(lf);
            if let Some(why) = refused {
                blind(&mut f, why);
                return f;
            }
        }
    }

    // 3. The reads.
    f.device = Fact::from_result(dev.device_info().await).map_unknown(reason_text);
    let caps = dev.capabilities().await;
    f.platform = platform(dev, caps.as_ref().ok(), inputs).await;
    f.parameter_test = parameter_test(dev, caps.as_ref().ok()).await;
    f.network = network(dev).await;
    f.time = time(dev).await;
    f
}

/// Rewrites a "not supported" error message into plain words (used for `from_result`).
fn reason_text(r: String) -> String {
    if r.starts_with("not supported by the device") {
        "not supported by the device".to_owned()
    } else {
        r
    }
}

impl<T> Fact<T> {
    /// Rewrites the reason of an unknown fact.
    fn map_unknown(self, f: impl FnOnce(String) -> String) -> Self {
        match self {
            Self::Unknown { reason } => Self::Unknown { reason: f(reason) },
            known => known,
        }
    }
}

/// The credential probe: `GET /ISAPI/Security/userCheck`, once.
async fn login(dev: &Device, user: &str) -> crate::Result<(LoginFacts, Option<bool>)> {
    let mk = |state| LoginFacts {
        user: user.to_owned(),
        state,
        risky_password: None,
        default_password: None,
    };
    match dev.request(Request::get(user_check::PATH)).await {
        Ok(resp) => {
            let check = UserCheck::from_xml(&resp.body).unwrap_or_default();
            if check.status_value == Some(401) {
                return Ok((
                    mk(match LoginOutcome::from_body(&resp.body) {
                        LoginOutcome::Rejected { attempts_left } => {
                            LoginState::Rejected { attempts_left }
                        }
                        LoginOutcome::Locked { retry_after } => LoginState::Locked {
                            retry_after_secs: retry_after.map(|d| d.as_secs()),
                        },
                    }),
                    check.is_activated,
                ));
            }
            Ok((
                LoginFacts {
                    risky_password: check.is_risk_password,
                    default_password: check.is_default_password,
                    ..mk(LoginState::Accepted)
                },
                check.is_activated,
            ))
        }
        Err(Error::CredentialsRejected { attempts_left, .. }) => {
            Ok((mk(LoginState::Rejected { attempts_left }), None))
        }
        Err(Error::CredentialLatched { .. }) => Ok((
            mk(LoginState::Rejected {
                attempts_left: None,
            }),
            None,
        )),
        Err(Error::Locked { retry_after, .. }) => Ok((
            mk(LoginState::Locked {
                retry_after_secs: retry_after.map(|d| d.as_secs()),
            }),
            None,
        )),
        Err(e) => Err(e),
    }
}

async fn platform(
    dev: &Device,
    caps: Option<&DeviceCap>,
    inputs: &UserInputs,
) -> Fact<PlatformFacts> {
    let net = caps.and_then(|c| c.network.as_ref());
    let supported = net.and_then(|n| n.is_support_ezviz);
    let code_type = caps
        .and_then(DeviceCap::verification_code_modification)
        .and_then(|v| v.code_type.clone());
    if supported == Some(false) {
        return Fact::Known(PlatformFacts {
            supported,
            code_type,
            device_code: Fact::unknown("the device has no platform access"),
            ..PlatformFacts::default()
        });
    }
    let e: Ezviz = match dev.ezviz().await {
        Ok(e) => e,
        Err(e) => return Fact::unknown(reason(&e)),
    };
    let (addressing, address) = match &e.server_address {
        Some(s) => {
            let by_ip = s
                .addressing_format_type
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case("ipaddress"));
            let addr = if by_ip {
                s.ip_address.clone().or_else(|| s.ipv6_address.clone())
            } else {
                s.host_name.clone()
            };
            (s.addressing_format_type.clone(), addr)
        }
        None => (None, None),
    };
    let device_code = match &e.verification_code {
        Some(c) => Fact::Known(c.secret().clone()),
        None => Fact::unknown("the device does not reveal its verification code"),
    };
    // The device's own check of the stored code, when the code itself cannot be read.
    let code_check = match (&e.verification_code, &inputs.stored_code) {
        (None, Some(stored)) if code_type.as_deref() != Some("empty") => {
            match VerificationCode::new(stored.clone()) {
                // a code the device could never have: certainly not its code
                Err(_) => Some(false),
                Ok(code) => dev.check_verification_code(&code).await.ok(),
            }
        }
        _ => None,
    };
    Fact::Known(PlatformFacts {
        supported,
        enabled: e.enabled,
        registered: e.register_status,
        offline_status: e.offline_status.clone(),
        bind_status: match &e.bind_status {
            Some(ezviz::BindStatus::Bound) => Some(BindStatus::Bound),
            Some(ezviz::BindStatus::Unbound) => Some(BindStatus::NotBound),
            Some(ezviz::BindStatus::Other(s)) => BindStatus::parse(s),
            None => None,
        },
        server_addressing: addressing,
        server_address: address,
        code_type,
        device_code,
        code_check,
    })
}

/// Reads a pass/fail from the parameter-test answer when it has an obvious one.
fn test_verdict(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "ok" | "success" | "succeed" | "pass" | "passed" | "true" | "normal" => Some(true),
            "fail" | "failed" | "failure" | "false" | "abnormal" | "error" => Some(false),
            _ => None,
        },
        Value::Object(m) => {
            for key in [
                "result",
                "testResult",
                "status",
                "isPass",
                "success",
                "statusString",
            ] {
                if let Some(r) = m.get(key).and_then(test_verdict) {
                    return Some(r);
                }
            }
            if let Some(code) = m.get("statusCode").and_then(Value::as_u64) {
                return Some(code == 1);
            }
            // An object of check results (`dnsResolve`, `serverConnect`, …): all must hold.
            let checks: Vec<bool> = m.values().filter_map(Value::as_bool).collect();
            if !checks.is_empty() {
                return Some(checks.iter().all(|c| *c));
            }
            m.values()
                .find_map(|x| x.is_object().then(|| test_verdict(x)).flatten())
        }
        _ => None,
    }
}

async fn parameter_test(dev: &Device, caps: Option<&DeviceCap>) -> Fact<ParameterTest> {
    let offered = caps
        .and_then(|c| c.network.as_ref())
        .and_then(|n| n.is_support_ezviz_parameter_test);
    if offered != Some(true) {
        return Fact::unknown("not offered by the device");
    }
    match dev.test_platform_parameters().await {
        Ok(v) => Fact::Known(ParameterTest {
            passed: test_verdict(&v),
            detail: Some(clip(&v.to_string())),
        }),
        Err(e) => Fact::unknown(reason(&e)),
    }
}

fn network_facts(ip: &IpAddressing) -> NetworkFacts {
    let (primary_dns, secondary_dns) = ip.dns_ipv4();
    NetworkFacts {
        addressing: ip.addressing_type.clone(),
        ipv4_address: ip.ip_address.clone(),
        subnet_mask: ip.subnet_mask.clone(),
        gateway: AddressPair::ipv4_of(&ip.default_gateway),
        primary_dns,
        secondary_dns,
    }
}

/// Reads the main interface; falls back to the first listed interface.
async fn network(dev: &Device) -> Fact<NetworkFacts> {
    match dev.ip_addressing(MAIN_INTERFACE).await {
        Ok(ip) => Fact::Known(network_facts(&ip)),
        Err(first) => match dev.network_interfaces().await {
            Ok(list) => list.iter().find_map(|i| i.ip.as_ref()).map_or_else(
                || Fact::unknown(reason(&first)),
                |ip| Fact::Known(network_facts(ip)),
            ),
            Err(_) => Fact::unknown(reason(&first)),
        },
    }
}

async fn time(dev: &Device) -> Fact<TimeFacts> {
    let t = match dev.time().await {
        Ok(t) => t,
        Err(e) => return Fact::unknown(reason(&e)),
    };
    let now = clock::now_unix();
    let zone = t.time_zone.as_deref().and_then(clock::zone_offset);
    let skew = t
        .local_time
        .as_deref()
        .and_then(|lt| clock::parse_local_time(lt, zone))
        .map(|dev_now| dev_now - now);
    let ntp_server = if t.time_mode == Some(TimeMode::Ntp) {
        dev.ntp_servers()
            .await
            .ok()
            .and_then(|s| s.servers.iter().find_map(|x| x.host().map(str::to_owned)))
    } else {
        None
    };
    Fact::Known(TimeFacts {
        mode: t.time_mode.as_ref().map(|m| m.as_str().to_owned()),
        ntp_server,
        skew_secs: skew,
        ntp_error: None,
    })
}

impl Device {
    /// Gathers this device's facts (without SADP) and diagnoses them with the default policy.
    ///
    /// One login at most; see [`gather`]. For a policy of your own, call [`gather`] and
    /// [`diagnose`] yourself.
    pub async fn doctor(&self, inputs: &UserInputs) -> Report {
        diagnose(&gather(self, None, inputs).await, &Policy::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_test_verdicts() {
        assert_eq!(
            test_verdict(&serde_json::json!({"result": "success"})),
            Some(true)
        );
        assert_eq!(
            test_verdict(&serde_json::json!({"EZVIZParameterTest": {"testResult": "failed"}})),
            Some(false)
        );
        assert_eq!(
            test_verdict(&serde_json::json!({"statusCode": 1, "statusString": "OK"})),
            Some(true)
        );
        assert_eq!(
            test_verdict(&serde_json::json!({"statusCode": 6})),
            Some(false)
        );
        assert_eq!(test_verdict(&serde_json::json!({"x": 3})), None);
        let sim = serde_json::json!({"EZVIZParameterTest": {"registerStatus": false, "dnsResolve": false, "offlineStatus": "dnsResolveFailed"}});
        assert_eq!(test_verdict(&sim), Some(false));
        let ok = serde_json::json!({"EZVIZParameterTest": {"registerStatus": true, "dnsResolve": true, "offlineStatus": ""}});
        assert_eq!(test_verdict(&ok), Some(true));
        assert_eq!(test_verdict(&serde_json::json!([1, 2])), None);
    }

    #[test]
    fn details_are_clipped_on_char_boundaries() {
        let long = "é".repeat(400);
        let c = clip(&long);
        assert!(c.len() <= MAX_DETAIL + 3 && c.ends_with('…'));
        assert_eq!(clip("short"), "short");
    }
}
