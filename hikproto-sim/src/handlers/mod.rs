//! Request processing: routing, authentication, refusals, and the ISAPI resources.
//!
//! One module per resource family. Each handler is a plain function over the locked device
//! state, so it cannot hold the lock across an `.await`.

mod activation;
mod ezviz;
mod network;
mod recovery;
mod security;
mod session;
pub(crate) mod system;
pub(crate) mod time;
mod users;

pub(crate) use recovery::push_to_cameras;
pub(crate) use system::unix_now;
pub(crate) use users::check_policy;

use hikproto::isapi::status::ResponseStatus;
use hikproto::isapi::user_check::UserCheck;
use hikproto::xml::Element;

use crate::auth::{self, AuthRequest, AuthResult};
use crate::http::{Reply, Req};
use crate::state::{DeviceRuntime, DeviceShared};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// No authentication (activation, session login, recovery, discovery of capabilities).
    Open,
    /// Any authenticated user.
    User,
    /// An authenticated administrator.
    Admin,
}

/// Everything a handler may look at or change.
pub(crate) struct Call<'a> {
    pub(crate) rt: &'a mut DeviceRuntime,
    pub(crate) shared: &'a DeviceShared,
    pub(crate) req: &'a Req,
    /// The authenticated user (None on open endpoints).
    pub(crate) user: Option<String>,
    /// Set by a password reset that asked a recorder to update its cameras; applied once the
    /// device's lock is released.
    pub(crate) sync: Option<CameraSync>,
}

/// A recorder's new admin password, for the cameras on its channels.
pub(crate) struct CameraSync {
    /// Full serials of the cameras.
    pub(crate) serials: Vec<String>,
    /// The new password.
    pub(crate) password: hikproto::Secret,
}

type Handler = fn(&mut Call<'_>) -> Reply;

/// Finds the handler for a request.
fn route(method: &str, path: &str) -> Option<(Access, Handler)> {
    use Access::{Admin, Open, User};
    let r: (Access, Handler) = match (method, path) {
        // Discovery and activation (no authentication).
        ("GET", "/SDK/activateStatus") => (Open, activation::status),
        ("POST", "/ISAPI/Security/challenge") => (Open, activation::challenge),
        ("PUT", "/ISAPI/System/activate") => (Open, activation::activate),
        ("POST", "/ISAPI/System/activate/GetChallengeV3") => (Open, activation::challenge_v3),
        ("POST", "/ISAPI/System/activate/StartActivateV3") => (Open, activation::activate_v3),
        ("GET", "/ISAPI/Security/extern/capabilities") => (Open, recovery::extern_capabilities),
        // Session login.
        ("GET", "/ISAPI/Security/sessionLogin/capabilities") => (Open, session::capabilities),
        ("POST", "/ISAPI/Security/sessionLogin") => (Open, session::login),
        ("PUT", "/ISAPI/Security/sessionHeartbeat") => (User, session::heartbeat),
        ("PUT", "/ISAPI/Security/sessionLogout") => (User, session::logout),
        // System.
        ("GET", "/ISAPI/System/deviceInfo") => (User, system::device_info),
        ("GET", "/ISAPI/System/capabilities") => (User, system::capabilities),
        ("GET", "/ISAPI/System/status") => (User, system::status),
        ("GET", "/ISAPI/System/deviceInfo/capabilities") => (User, system::device_info_caps),
        ("PUT", "/ISAPI/System/reboot") => (Admin, system::reboot),
        ("PUT", "/ISAPI/System/factoryReset") => (Admin, system::factory_reset),
        ("GET", "/ISAPI/System/time") => (User, time::get_time),
        ("PUT", "/ISAPI/System/time") => (Admin, time::put_time),
        ("GET", "/ISAPI/System/time/ntpServers") => (User, time::get_ntp),
        ("PUT", "/ISAPI/System/time/ntpServers") => (Admin, time::put_ntp),
        ("GET", "/ISAPI/System/time/ntpServers/1") => (User, time::get_ntp_one),
        ("PUT", "/ISAPI/System/time/ntpServers/1") => (Admin, time::put_ntp_one),
        // Security.
        ("GET", "/ISAPI/Security/userCheck") => (User, security::user_check),
        ("GET", "/ISAPI/Security/capabilities") => (User, security::capabilities),
        ("GET", "/ISAPI/Security/illegalLoginLock") => (User, security::get_illegal_login_lock),
        ("PUT", "/ISAPI/Security/illegalLoginLock") => (Admin, security::put_illegal_login_lock),
        ("GET", "/ISAPI/Security/adminAccesses") => (User, security::admin_accesses),
        ("PUT" | "POST", "/ISAPI/Security/loginPassword") => (User, security::check_login_password),
        ("GET", "/ISAPI/Security/users") => (Admin, users::list),
        ("POST", "/ISAPI/Security/users") => (Admin, users::add),
        // Recovery preparation (logged in) and recovery routes (not logged in).
        ("GET", "/ISAPI/Security/questionConfiguration") => (Open, recovery::get_questions),
        ("PUT", "/ISAPI/Security/questionConfiguration") => (Admin, recovery::put_questions),
        ("PUT" | "POST", "/ISAPI/Security/questionCertification") => {
            (Open, recovery::certify_questions)
        }
        ("PUT" | "POST", "/ISAPI/Security/GUIDFileData") => (Admin, recovery::export_guid),
        ("PUT" | "POST", "/ISAPI/Security/GUIDFileData/certification") => {
            (Open, recovery::certify_guid)
        }
        ("GET", "/ISAPI/Security/email/parameter") => (Admin, recovery::get_email),
        ("PUT", "/ISAPI/Security/email/parameter") => (Admin, recovery::put_email),
        ("GET", "/ISAPI/Security/email/parameter/capabilities") => (User, recovery::email_caps),
        ("GET", "/ISAPI/Security/email/qrCode") => (Open, recovery::email_qr),
        ("PUT" | "POST", "/ISAPI/Security/emailCertification") => (Open, recovery::certify_email),
        ("GET" | "POST", "/ISAPI/Security/resetPassword/GetPhoneNoQRCode") => {
            (Open, recovery::app_qr)
        }
        ("PUT" | "POST", "/ISAPI/Security/resetPassword/ResetPasswordByPhoneNoSecurityCode") => {
            (Open, recovery::certify_app_code)
        }
        // Network, EZVIZ, Ehome.
        ("GET", "/ISAPI/System/Network/capabilities") => (User, network::capabilities),
        ("GET", "/ISAPI/System/Network/interfaces") => (User, network::interfaces),
        ("GET", "/ISAPI/System/Network/interfaces/1") => (User, network::interface),
        ("GET", "/ISAPI/System/Network/interfaces/1/ipAddress") => (User, network::get_ip),
        ("PUT", "/ISAPI/System/Network/interfaces/1/ipAddress") => (Admin, network::put_ip),
        ("GET", "/ISAPI/System/Network/interfaces/1/capabilities") => {
            (User, network::interface_caps)
        }
        ("GET", "/ISAPI/System/Network/socketIP") => (User, network::socket_ip),
        ("GET", "/ISAPI/System/Network/EZVIZ") => (Admin, ezviz::get),
        ("PUT", "/ISAPI/System/Network/EZVIZ") => (Admin, ezviz::put),
        ("GET", "/ISAPI/System/Network/EZVIZ/capabilities") => (User, ezviz::capabilities),
        ("POST", "/ISAPI/System/Network/verificationCodeCheck") => (Admin, ezviz::check_code),
        ("PUT" | "POST", "/ISAPI/System/Network/EZVIZ/unbind") => (Admin, ezviz::unbind),
        ("GET", "/ISAPI/System/Network/EZVIZ/QRCode") => (Admin, ezviz::qr_code),
        ("GET" | "PUT" | "POST", "/ISAPI/System/Network/EZVIZ/parameterTest") => {
            (Admin, ezviz::parameter_test)
        }
        ("PUT", "/ISAPI/System/Network/EZVIZ/secretKey") => (Admin, ezviz::secret_key),
        ("GET", "/ISAPI/System/Network/Ehome") => (Admin, network::get_ehome),
        ("PUT", "/ISAPI/System/Network/Ehome") => (Admin, network::put_ehome),
        ("GET", "/ISAPI/System/Network/Ehome/capabilities") => (User, network::ehome_caps),
        _ => {
            if let Some(rest) = path.strip_prefix("/ISAPI/Security/users/") {
                if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                    return match method {
                        "GET" => Some((Admin, users::get_one)),
                        "PUT" => Some((User, users::put_one)),
                        "DELETE" => Some((Admin, users::delete_one)),
                        _ => None,
                    };
                }
            }
            return None;
        }
    };
    Some(r)
}

/// True when some method is routed for `path` (so a wrong method gets 405, not 404).
fn path_known(path: &str) -> bool {
    ["GET", "PUT", "POST", "DELETE"]
        .iter()
        .any(|m| route(m, path).is_some())
}

/// Runs one request through the device: routing, authentication, refusals, the handler.
pub(crate) fn process(
    shared: &DeviceShared,
    req: &Req,
    authorization: Option<&str>,
    cookie: Option<&str>,
) -> Reply {
    shared.stats.hit(&req.method, &req.path);
    let mut guard = shared.lock();
    let rt: &mut DeviceRuntime = &mut guard;
    let routed = route(&req.method, &req.path);
    let (access, handler) = match routed {
        Some(r) => r,
        // Unknown paths and methods are answered after authentication, like real firmware.
        None => (Access::User, unknown as Handler),
    };
    let mut user = None;
    if access != Access::Open {
        if !rt.cfg.activated {
            return status(rt, req, "notActivated", 403);
        }
        let verdict = auth::authenticate(
            rt,
            &shared.stats,
            &AuthRequest {
                method: &req.method,
                target: &req.target,
                ip: req.peer,
                authorization,
                cookie,
            },
        );
        match verdict {
            AuthResult::Ok { user: u } => user = Some(u),
            other => return unauthorized(rt, req, other),
        }
        if access == Access::Admin && !is_admin(rt, user.as_deref()) {
            return status(rt, req, "invalidOperation", 403);
        }
    }
    if let Some(sub) = rt.cfg.personality.refused.get(&req.path).cloned() {
        return status(rt, req, &sub, 0);
    }
    if let Some(reply) = crate::captured::serve(rt, req) {
        return reply;
    }
    let mut call = Call {
        rt,
        shared,
        req,
        user,
        sync: None,
    };
    let reply = handler(&mut call);
    if req.method != "GET" && reply.status < 300 {
        crate::captured::invalidate(call.rt, &req.path);
    }
    let sync = call.sync.take();
    drop(guard);
    if let Some(sync) = sync {
        push_to_cameras(shared, &sync);
    }
    if req.method != "GET" && reply.status < 300 {
        shared.mark_dirty();
    }
    reply
}

fn unknown(c: &mut Call<'_>) -> Reply {
    if path_known(&c.req.path) {
        status(c.rt, c.req, "methodNotAllowed", 405)
    } else {
        status(c.rt, c.req, "notSupport", 404)
    }
}

fn is_admin(rt: &DeviceRuntime, user: Option<&str>) -> bool {
    user.is_some_and(|u| {
        rt.cfg
            .users
            .iter()
            .any(|x| x.name == u && x.level.eq_ignore_ascii_case("Administrator"))
    })
}

/// Sets the root attributes of a document the device writes.
pub(crate) fn finish(mut el: Element, ns: Option<(&str, &str)>) -> Element {
    el.attrs.retain(|(k, _)| k != "version" && k != "xmlns");
    if let Some((uri, version)) = ns {
        el.attrs.insert(0, ("xmlns".into(), uri.into()));
        el.attrs.insert(0, ("version".into(), version.into()));
    }
    el
}

/// An XML answer in the device's namespace.
pub(crate) fn xml(rt: &DeviceRuntime, el: Element) -> Reply {
    Reply::xml(200, finish(el, rt.ns()).to_xml())
}

/// A JSON answer.
pub(crate) fn json(v: serde_json::Value) -> Reply {
    Reply::json(200, v.to_string())
}

/// The HTTP status a `ResponseStatus` travels with.
fn http_for(status_code: u32) -> u16 {
    match status_code {
        0 | 1 | 7 => 200,
        2 => 503,
        3 => 500,
        4 => 403,
        5 | 6 => 400,
        _ => 200,
    }
}

/// A `ResponseStatus` answer (XML, or JSON for `format=json` requests).
/// `http` 0 picks the usual HTTP status for the statusCode.
pub(crate) fn status(rt: &DeviceRuntime, req: &Req, sub_status: &str, http: u16) -> Reply {
    let mut s = if sub_status == "ok" {
        ResponseStatus::ok()
    } else {
        ResponseStatus::from_dictionary(sub_status)
    };
    s.request_url = Some(req.target.clone());
    send_status(rt, req, &s, http)
}

/// A refusal for the dictionary row (`status_code`, `sub_status`): for tokens that exist under
/// two statusCodes (`riskPassword`, `illegalPassword`, `loginPasswordError`).
pub(crate) fn refuse_with(c: &Call<'_>, status_code: u32, sub_status: &str) -> Reply {
    use hikproto::isapi::status::{lookup, status_string};
    let mut s = match lookup(status_code, sub_status, 0).filter(|d| d.status_code == status_code) {
        Some(d) => ResponseStatus {
            status_code: d.status_code,
            status_string: status_string(d.status_code).to_owned(),
            sub_status_code: d.sub_status.to_owned(),
            error_code: d.error_code,
            error_msg: Some(d.meaning.to_owned()),
            ..ResponseStatus::default()
        },
        None => ResponseStatus::from_dictionary(sub_status),
    };
    s.request_url = Some(c.req.target.clone());
    send_status(c.rt, c.req, &s, 0)
}

/// Sends an explicit `ResponseStatus`.
pub(crate) fn send_status(rt: &DeviceRuntime, req: &Req, s: &ResponseStatus, http: u16) -> Reply {
    let http = if http == 0 {
        http_for(s.status_code)
    } else {
        http
    };
    if req.json() {
        let mut v = serde_json::json!({
            "requestURL": s.request_url.clone().unwrap_or_default(),
            "statusCode": s.status_code,
            "statusString": s.status_string,
            "subStatusCode": s.sub_status_code,
            "errorCode": s.error_code,
            "errorMsg": s.error_msg.clone().unwrap_or_else(|| s.sub_status_code.clone()),
        });
        if let Some(id) = &s.id {
            v["id"] = serde_json::Value::String(id.clone());
        }
        Reply::json(http, v.to_string())
    } else {
        Reply::xml(http, finish(s.to_element(None), rt.ns()).to_xml())
    }
}

/// The OK status.
pub(crate) fn ok(c: &Call<'_>) -> Reply {
    status(c.rt, c.req, "ok", 200)
}

/// A refusal by subStatusCode.
pub(crate) fn refuse(c: &Call<'_>, sub_status: &str) -> Reply {
    status(c.rt, c.req, sub_status, 0)
}

/// Parses the request body as XML, or answers `badXmlFormat`.
pub(crate) fn body_xml(c: &Call<'_>) -> Result<Element, Reply> {
    Element::parse(&c.req.body).map_err(|_| refuse(c, "badXmlFormat"))
}

/// Parses the request body as JSON, or answers `badJsonFormat`.
pub(crate) fn body_json(c: &Call<'_>) -> Result<serde_json::Value, Reply> {
    serde_json::from_slice(&c.req.body).map_err(|_| refuse(c, "badJsonFormat"))
}

/// The answer to a request that did not authenticate.
pub(crate) fn unauthorized(rt: &mut DeviceRuntime, req: &Req, verdict: AuthResult) -> Reply {
    if let AuthResult::Locked { remaining } = &verdict {
        if rt.cfg.personality.locked_answers_403 {
            let mut s = ResponseStatus::from_dictionary("userNameLocked");
            s.request_url = Some(req.target.clone());
            s.locked = Some(true);
            s.lock_remaining_secs = Some(remaining.as_secs().max(1));
            s.retry_times = Some(0);
            return send_status(rt, req, &s, 403);
        }
    }
    let (stale, body) = match verdict {
        AuthResult::Ok { .. } | AuthResult::Challenge | AuthResult::BasicRefused => {
            (false, bare_401(rt))
        }
        AuthResult::Stale => (true, bare_401(rt)),
        AuthResult::NonceReused => (false, status(rt, req, "invalidOperation", 401)),
        AuthResult::Rejected { attempts_left } => (false, failed_401(rt, attempts_left, None)),
        AuthResult::Locked { remaining } => (
            false,
            failed_401(rt, Some(0), Some(remaining.as_secs().max(1))),
        ),
        AuthResult::SessionGone { sub_status } => (false, status(rt, req, sub_status, 401)),
        AuthResult::BadRequest => return status(rt, req, "badParameters", 400),
    };
    let mut reply = body;
    reply.status = 401;
    let headers = crate::captured::challenge_headers(rt, stale)
        .unwrap_or_else(|| auth::challenge_headers(rt, stale));
    for h in headers {
        reply.headers.push(("www-authenticate", h));
    }
    reply
}

fn html_401() -> Reply {
    Reply {
        status: 401,
        content_type: "text/html".into(),
        body: b"<!DOCTYPE html>\n<html><head><title>Document Error: Unauthorized</title></head>\n<body><h2>Access Error: 401 -- Unauthorized</h2>\n<p>Authentication Error</p></body></html>\n".to_vec(),
        headers: Vec::new(),
    }
}

/// The 401 body for a request without (or with unusable) credentials: the captured one when
/// the device plays a capture, else the personality's form.
fn bare_401(rt: &DeviceRuntime) -> Reply {
    use crate::config::UnauthorizedBody as B;
    if let Some(r) = crate::captured::challenge_reply(rt) {
        return r;
    }
    match rt.cfg.personality.unauthorized_body {
        B::Html => html_401(),
        B::Empty => Reply::empty(401),
        B::UserCheck | B::ResponseStatus => {
            let uc = UserCheck {
                status_value: Some(401),
                status_string: Some("Unauthorized".into()),
                ..UserCheck::default()
            };
            Reply::xml(401, finish(uc.to_element(None), rt.ns()).to_xml())
        }
    }
}

/// The 401 body for wrong credentials or a lock, with the lock fields when the form has them.
fn failed_401(rt: &DeviceRuntime, retry: Option<u32>, unlock: Option<u64>) -> Reply {
    use crate::config::UnauthorizedBody as B;
    let locked = unlock.is_some();
    match rt.cfg.personality.unauthorized_body {
        B::Html => html_401(),
        B::Empty => Reply::empty(401),
        B::UserCheck => {
            let uc = UserCheck {
                status_value: Some(401),
                status_string: Some("Unauthorized".into()),
                is_default_password: Some(false),
                is_risk_password: Some(false),
                is_activated: Some(true),
                locked: Some(locked),
                unlock_time: Some(unlock.unwrap_or(0)),
                retry_login_time: retry,
            };
            Reply::xml(401, finish(uc.to_element(None), rt.ns()).to_xml())
        }
        B::ResponseStatus => {
            let mut el = ResponseStatus::from_dictionary("badAuthorization").to_element(None);
            el = el.push_text("lockStatus", if locked { "locked" } else { "unlock" });
            if let Some(r) = retry {
                el = el.push_text("retryTimes", r.to_string());
            }
            el = el.push_text("resLockTime", unlock.unwrap_or(0).to_string());
            Reply::xml(401, finish(el, rt.ns()).to_xml())
        }
    }
}

/// The value of a boolean as devices write it.
pub(crate) fn b(v: bool) -> &'static str {
    hikproto::xml::fmt_bool(v)
}
