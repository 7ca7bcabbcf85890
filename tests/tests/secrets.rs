//! Secret hygiene: library operations that handle passwords, verification codes, ISUP keys and
//! recovery answers run with a `tracing` subscriber capturing everything at TRACE; every log
//! line, every error (Display and Debug, with its sources) and the Debug form of every value
//! involved is then scanned for the secrets, in clear and in base64 (as Basic authentication
//! would carry them). None may appear.

mod secrets {
    pub(crate) mod debug_scan;
    pub(crate) mod sadp;
}

use std::fmt::Debug;
use std::io::Write;
use std::sync::{Mutex, Once};

use hikproto::isapi::security::QuestionAnswer;
use hikproto::keys::{Credentials, IsupKey, Password, Secret, VerificationCode};
use hikproto::reset::NewPassword;
use hikproto::{AuthMode, Device, LockoutGuard};
use hikproto_sim::{DeviceConfig, Personality, Site};

const ADMIN_PW: &str = "Qz7!Adm1n#Pw";
const WRONG_PW: &str = "Wr0ng!Zx#q81";
const NEW_PW: &str = "N3w!Qx#Pw2209";
const RESET_PW: &str = "R3set!Kp#5501";
const WEAK_PW: &str = "weakling";
const CODE: &str = "Kq7Vz3Wm9";
const WRONG_CODE: &str = "Jx4Tn8Rb2";
const BAD_CODE: &str = "Bad code!7";
const ISUP_KEY: &str = "isupK3y-Xq9zR";
const BAD_KEY: &str = "k\u{e9}y";
const ANSWERS: [&str; 3] = ["Zebrafish42", "Quokkaville", "Ultramarine7"];
const WRONG_ANSWER: &str = "Narwhalcity";

/// Every secret the test uses.
fn secrets() -> Vec<&'static str> {
    let mut v = vec![
        ADMIN_PW,
        WRONG_PW,
        NEW_PW,
        RESET_PW,
        WEAK_PW,
        CODE,
        WRONG_CODE,
        BAD_CODE,
        ISUP_KEY,
        WRONG_ANSWER,
    ];
    v.extend(ANSWERS);
    v
}

/// Standard base64 (no dependency for one small function).
fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The forms in which a secret must never show: clear, base64, and `admin:<secret>` in base64.
fn forbidden() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for s in secrets() {
        v.push((s.to_owned(), s.to_owned()));
        // base64 of the secret alone is only distinctive for the longer ones
        let b = base64(s.as_bytes());
        v.push((format!("base64 of {s}"), b.trim_end_matches('=').to_owned()));
        v.push((
            format!("Basic credentials with {s}"),
            base64(format!("admin:{s}").as_bytes()),
        ));
    }
    v
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let sub = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_ansi(false)
            .with_writer(|| Capture)
            .finish();
        tracing::subscriber::set_global_default(sub).expect("no other subscriber");
    });
}

/// Everything seen: logs, errors, Debug strings.
#[derive(Default)]
struct Seen {
    texts: Vec<(String, String)>,
}

impl Seen {
    fn debug(&mut self, what: &str, v: &impl Debug) {
        self.texts.push((what.to_owned(), format!("{v:?}")));
        self.texts
            .push((format!("{what} (pretty)"), format!("{v:#?}")));
    }

    fn error(&mut self, what: &str, e: &(dyn std::error::Error + 'static)) {
        let mut text = format!("{e}\n{e:?}");
        let mut src = e.source();
        while let Some(s) = src {
            text.push_str(&format!("\n{s}\n{s:?}"));
            src = s.source();
        }
        self.texts.push((what.to_owned(), text));
    }

    fn result<T: Debug>(&mut self, what: &str, r: &hikproto::Result<T>) {
        match r {
            Ok(v) => self.debug(what, v),
            Err(e) => self.error(what, e),
        }
    }
}

fn client(d: &hikproto_sim::SimDevice, password: &str, mode: AuthMode) -> Device {
    Device::builder(d.host())
        .credentials("admin", password)
        .auth_mode(mode)
        .lockout_guard(LockoutGuard::new())
        .build()
        .expect("client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_errors_or_debug_output() {
    init_logs();
    let mut seen = Seen::default();
    let site = Site::builder()
        .device(DeviceConfig::camera(0))
        .device(DeviceConfig::camera(1).with_admin(ADMIN_PW))
        .device(
            DeviceConfig::camera(2)
                .with_admin(ADMIN_PW)
                .with_personality(Personality::legacy()),
        )
        .start()
        .await
        .expect("simulator starts");
    let fresh = site.device(0);
    let cam = site.device(1);
    let legacy = site.device(2);

    // activation
    let anon = Device::builder(fresh.host()).build().expect("client");
    let weak = Password::new("admin", WEAK_PW);
    match &weak {
        Ok(p) => seen.debug("weak password", p),
        Err(e) => seen.error("weak password refused", e),
    }
    let pw = Password::new("admin", ADMIN_PW).expect("strong password");
    seen.debug("password", &pw);
    let r = anon.activate(&pw).await;
    assert!(r.is_ok(), "activation: {r:?}");
    seen.result("activate", &r);
    let again = anon.activate(&pw).await;
    seen.result("activate again", &again);

    // logins: digest, session, basic, and wrong passwords on each
    for (d, mode) in [
        (cam, AuthMode::Digest),
        (cam, AuthMode::Session),
        (legacy, AuthMode::Basic),
    ] {
        let dev = client(d, ADMIN_PW, mode);
        seen.debug("device handle", &dev);
        let r = dev.device_info().await;
        assert!(r.is_ok(), "{mode:?} login: {r:?}");
        seen.result("login", &r);
        let bad = client(d, WRONG_PW, mode);
        let r = bad.device_info().await;
        assert!(r.is_err(), "{mode:?} with a wrong password");
        seen.result("wrong login", &r);
        let r = bad.device_info().await;
        seen.result("latched login", &r);
        seen.debug("wrong device handle", &bad);
        d.unlock_all();
    }
    seen.debug("credentials", &Credentials::new("admin", ADMIN_PW));
    seen.debug("secret", &Secret::from(ADMIN_PW));
    let admin = client(cam, ADMIN_PW, AuthMode::Auto);
    let r = admin.login().await;
    seen.result("explicit login", &r);

    // verification code
    let code = VerificationCode::new(CODE).expect("code");
    seen.debug("verification code", &code);
    let r = admin.set_verification_code(&code).await;
    assert!(r.is_ok(), "{r:?}");
    seen.result("set code", &r);
    let r = admin.check_verification_code(&code).await;
    assert_eq!(r.as_ref().ok(), Some(&true), "{r:?}");
    seen.result("check code", &r);
    let wrong = VerificationCode::new(WRONG_CODE).expect("code");
    let r = admin.check_verification_code(&wrong).await;
    seen.result("check wrong code", &r);
    seen.result("bad code", &VerificationCode::new(BAD_CODE).map(drop));
    let r = admin.verification_code().await;
    seen.result("read code", &r);
    let r = admin.ezviz().await;
    seen.result("read platform settings", &r);

    // ISUP key
    let mut e = admin.ehome(Some(1)).await.expect("ehome");
    e.enabled = Some(true);
    e.ip_address = Some("192.0.2.20".into());
    e.device_id = Some("site-cam-01".into());
    e.key = Some(IsupKey::new(ISUP_KEY).expect("key"));
    seen.debug("ehome with key", &e);
    // no cipher covers the ISUP key: over plain HTTP it needs the opt-in
    let r = admin.set_ehome(Some(1), &e).await;
    assert!(r.is_err(), "refused without the opt-in");
    seen.result("set ehome, refused", &r);
    let r = admin.allow_plaintext_secrets().set_ehome(Some(1), &e).await;
    assert!(r.is_ok(), "{r:?}");
    seen.result("set ehome", &r);
    seen.result("bad key", &IsupKey::new(BAD_KEY).map(drop));
    let r = admin.ehome(Some(1)).await;
    seen.result("read ehome", &r);

    // recovery answers, then a reset with them
    let answers: Vec<QuestionAnswer> = ANSWERS
        .iter()
        .zip(1..)
        .map(|(a, id)| QuestionAnswer::new(id, *a))
        .collect();
    seen.debug("answers", &answers);
    let r = admin.set_security_questions(&answers).await;
    assert!(r.is_ok(), "{r:?}");
    seen.result("set answers", &r);
    let mut wrong_answers = answers.clone();
    wrong_answers[1] = QuestionAnswer::new(2, WRONG_ANSWER);
    // the reset routes cannot use the cipher (its key derives from the lost password)
    let open = Device::builder(cam.host())
        .build()
        .expect("client")
        .allow_plaintext_secrets();
    let reset = NewPassword::new(RESET_PW);
    seen.debug("new password", &reset);
    let r = open
        .reset_with_security_answers(&wrong_answers, &reset)
        .await;
    assert!(r.is_err());
    seen.result("reset, wrong answers", &r);
    let r = open
        .reset_with_security_answers(&answers, &NewPassword::new(WEAK_PW))
        .await;
    seen.result("reset, weak password", &r);
    let r = open.reset_with_security_answers(&answers, &reset).await;
    assert!(r.is_ok(), "{r:?}");
    seen.result("reset", &r);

    // password change (with the reset password now), including a wrong login password
    let admin = client(cam, RESET_PW, AuthMode::Auto);
    let new = Password::new("admin", NEW_PW).expect("strong");
    let r = admin
        .change_password("admin", &new, Some(&Secret::from(WRONG_PW)))
        .await;
    seen.result("change password, wrong login password", &r);
    let r = admin.change_password("admin", &new, None).await;
    assert!(r.is_ok(), "{r:?}");
    seen.result("change password", &r);
    let r = admin.device_info().await;
    assert!(r.is_ok(), "the handle follows the change: {r:?}");
    seen.debug("handle after the change", &admin);

    site.shutdown().await;

    let logs =
        String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "the subscriber captured the library's logs"
    );
    seen.texts.push(("captured logs".to_owned(), logs));
    let mut leaks = Vec::new();
    for (what, text) in &seen.texts {
        for (name, form) in forbidden() {
            if text.contains(&form) {
                let at = text.find(&form).unwrap_or(0);
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(80)
                    .map_or(0, |(i, _)| i);
                let context: String = text[from..].chars().take(200).collect();
                leaks.push(format!("{name} in {what}: …{context}…"));
            }
        }
    }
    println!(
        "scanned {} texts ({} bytes) for {} forms of {} secrets",
        seen.texts.len(),
        seen.texts.iter().map(|(_, t)| t.len()).sum::<usize>(),
        forbidden().len(),
        secrets().len()
    );
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Protection: every operation that carries a secret, over plain HTTP without the cipher (refused
// before the secret is sent), inside TLS, under the security=1 cipher, and with the opt-in.

const OP_PW: &str = "Op3r!Tq#Pw77";
const OP_NEW_PW: &str = "Op3r!Nw#Pw88";
const EMAIL: &str = "owner@example.net";
const RESET_CODE: &str = "Rc7Qx2Lm9Tz";

/// Every secret of the protection test.
fn protection_secrets() -> Vec<&'static str> {
    let mut v = vec![
        ADMIN_PW, OP_PW, OP_NEW_PW, NEW_PW, RESET_PW, CODE, ISUP_KEY, RESET_CODE,
    ];
    v.extend(ANSWERS);
    v
}

/// The secret-carrying operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    AddUser,
    ChangePassword,
    DeleteUser,
    SetCode,
    SetIsupKey,
    SetQuestions,
    SetEmail,
    ExportGuid,
    ResetWithAnswers,
    ResetWithGuidFile,
    ResetWithEmailCode,
    ResetWithAppCode,
}

const OPS: [Op; 12] = [
    Op::AddUser,
    Op::ChangePassword,
    Op::DeleteUser,
    Op::SetCode,
    Op::SetIsupKey,
    Op::SetQuestions,
    Op::SetEmail,
    Op::ExportGuid,
    Op::ResetWithAnswers,
    Op::ResetWithGuidFile,
    Op::ResetWithEmailCode,
    Op::ResetWithAppCode,
];

impl Op {
    /// The reset routes run without credentials: no field cipher can protect them.
    fn is_reset(self) -> bool {
        matches!(
            self,
            Self::ResetWithAnswers
                | Self::ResetWithGuidFile
                | Self::ResetWithEmailCode
                | Self::ResetWithAppCode
        )
    }

    /// Operations the device's field cipher covers.
    fn has_cipher(self) -> bool {
        !self.is_reset() && self != Self::SetIsupKey
    }
}

/// What the operations need: a user to change and delete, a GUID file, a scratch directory.
struct Ctx {
    guid: hikproto::reset::files::GuidFile,
    dir: tempfile::TempDir,
}

fn answers_of(texts: &[&str]) -> Vec<QuestionAnswer> {
    texts
        .iter()
        .zip(1..)
        .map(|(a, id)| QuestionAnswer::new(id, *a))
        .collect()
}

/// Runs `op` with `dev` (a logged-in handle, or an anonymous one for the reset routes).
/// `round` keeps user names and files apart between rounds.
async fn run_op(op: Op, dev: &Device, ctx: &Ctx, round: &str) -> hikproto::Result<()> {
    use hikproto::isapi::users::UserLevel;
    let user = format!("op{round}");
    match op {
        Op::AddUser => dev
            .add_user(
                &user,
                &Password::new(&user, OP_PW)?,
                UserLevel::Operator,
                None,
            )
            .await
            .map(drop),
        Op::ChangePassword => dev
            .change_password(&user, &Password::new(&user, OP_NEW_PW)?, None)
            .await
            .map(drop),
        Op::DeleteUser => dev.delete_user(&user, None).await.map(drop),
        Op::SetCode => dev
            .set_verification_code(&VerificationCode::new(CODE)?)
            .await
            .map(drop),
        Op::SetIsupKey => {
            let mut e = dev.ehome(Some(1)).await?;
            e.key = Some(IsupKey::new(ISUP_KEY)?);
            dev.set_ehome(Some(1), &e).await.map(drop)
        }
        Op::SetQuestions => dev
            .set_security_questions(&answers_of(&ANSWERS))
            .await
            .map(drop),
        Op::SetEmail => dev.set_security_email(EMAIL).await.map(drop),
        Op::ExportGuid => dev
            .export_guid_file(&ctx.dir.path().join(format!("guid-{round}.bin")))
            .await
            .map(drop),
        // the reset routes with wrong answers and codes: what matters is whether the request
        // is sent, not whether the device accepts it
        Op::ResetWithAnswers => dev
            .reset_with_security_answers(
                &answers_of(&[ANSWERS[0], WRONG_ANSWER, ANSWERS[2]]),
                &NewPassword::new(RESET_PW),
            )
            .await
            .map(drop),
        Op::ResetWithGuidFile => dev
            .reset_with_guid_file(&ctx.guid, &NewPassword::new(RESET_PW))
            .await
            .map(drop),
        Op::ResetWithEmailCode => dev
            .reset_with_email_code(
                &hikproto::reset::ResetCode::parse(RESET_CODE)?,
                &NewPassword::new(RESET_PW),
            )
            .await
            .map(drop),
        Op::ResetWithAppCode => dev
            .reset_with_app_code(
                &hikproto::reset::ResetCode::parse(RESET_CODE)?,
                &NewPassword::new(RESET_PW),
            )
            .await
            .map(drop),
    }
}

fn is_refusal(r: &hikproto::Result<()>) -> bool {
    match r {
        Err(e @ hikproto::Error::InvalidInput(_)) => {
            let t = e.to_string();
            t.contains("allow_plaintext_secrets") && t.contains("security=1")
        }
        _ => false,
    }
}

/// Requests after the first `from` of `sim`'s log that are not GETs (every request that
/// carries a secret is a PUT, POST or DELETE).
fn writes_since(sim: &hikproto_sim::SimDevice, from: usize) -> Vec<hikproto_sim::ReceivedRequest> {
    sim.received_requests()
        .into_iter()
        .skip(from)
        .filter(|r| r.method != "GET")
        .collect()
}

fn tls_handle(sim: &hikproto_sim::SimDevice, creds: bool) -> Device {
    let mut b = Device::builder(sim.https_url().expect("HTTPS"))
        .tls(hikproto::TlsMode::PinSha256(
            sim.cert_sha256().expect("cert"),
        ))
        .lockout_guard(LockoutGuard::new());
    if creds {
        b = b.credentials("admin", ADMIN_PW);
    }
    b.build().expect("client")
}

fn plain_handle(sim: &hikproto_sim::SimDevice, creds: bool) -> Device {
    let mut b = Device::builder(sim.host()).lockout_guard(LockoutGuard::new());
    if creds {
        b = b.credentials("admin", ADMIN_PW);
    }
    b.build().expect("client")
}

/// A camera without `security=1` (digest login, the operator's password checked on user
/// writes), one with it, one offering only securityVersion 2, and a factory-fresh camera.
async fn protection_site() -> Site {
    let mut no_cipher = Personality::camera();
    no_cipher.security_version = 0;
    let mut v2_only = Personality::camera();
    v2_only.security_version = 2;
    Site::builder()
        .https(true)
        .device(
            DeviceConfig::camera(10)
                .with_admin(ADMIN_PW)
                .with_personality(no_cipher),
        )
        .device(DeviceConfig::camera(11).with_admin(ADMIN_PW))
        .device(
            DeviceConfig::camera(12)
                .with_admin(ADMIN_PW)
                .with_personality(v2_only),
        )
        .device(DeviceConfig::camera(13))
        .start()
        .await
        .expect("simulator starts")
}

/// Scans `texts` for every form of the protection secrets; returns the hits.
fn scan(texts: &[(String, String)], secrets: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for (what, text) in texts {
        for s in secrets {
            let forms = [
                s.to_string(),
                base64(s.as_bytes()).trim_end_matches('=').to_owned(),
                base64(format!("admin:{s}").as_bytes()),
            ];
            for f in forms {
                if text.contains(&f) {
                    hits.push(format!("{s:?} in {what}"));
                }
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_secret_is_sent_only_protected() {
    init_logs();
    let site = protection_site().await;
    let (plain, ciphered, v2, fresh) = (
        site.device(0),
        site.device(1),
        site.device(2),
        site.device(3),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    // the GUID file for the reset route, exported inside TLS
    let guid_path = dir.path().join("setup.guid");
    let guid = tls_handle(plain, true)
        .export_guid_file(&guid_path)
        .await
        .expect("GUID export over TLS");
    let ctx = Ctx { guid, dir };
    // the user round "a" changes and deletes (its own add is refused), created inside TLS
    run_op(Op::AddUser, &tls_handle(plain, true), &ctx, "a")
        .await
        .expect("user added over TLS");
    let mut seen = Seen::default();
    let mut wire = Vec::new(); // (what, text) of requests that crossed the network in clear

    // 1. plain HTTP, no cipher: every operation refused, nothing secret sent
    let logged_in = plain_handle(plain, true);
    let anonymous = plain_handle(plain, false);
    for op in OPS {
        let from = plain.received_requests().len();
        let dev = if op.is_reset() {
            &anonymous
        } else {
            &logged_in
        };
        let r = run_op(op, dev, &ctx, "a").await;
        assert!(is_refusal(&r), "{op:?} over plain HTTP: {r:?}");
        seen.result(&format!("{op:?} refused"), &r);
        let writes = writes_since(plain, from);
        assert!(writes.is_empty(), "{op:?} sent {writes:?}");
        if op.is_reset() {
            // the reset routes need nothing from the device first: not a single request
            assert_eq!(plain.received_requests().len(), from, "{op:?}");
        }
    }
    // a device offering only securityVersion 2 (not implemented) is no cipher either
    let v2_dev = plain_handle(v2, true);
    for op in [Op::SetQuestions, Op::SetEmail, Op::ExportGuid] {
        let from = v2.received_requests().len();
        let r = run_op(op, &v2_dev, &ctx, "v2").await;
        assert!(
            is_refusal(&r),
            "{op:?} on a securityVersion 2 device: {r:?}"
        );
        assert!(writes_since(v2, from).is_empty(), "{op:?}");
    }

    // 2. inside TLS: every operation is sent (a user deletion needs the cipher or the opt-in:
    //    its password would sit in the URL)
    let logged_in = tls_handle(plain, true);
    let anonymous = tls_handle(plain, false);
    for op in OPS {
        let from = plain.received_requests().len();
        let dev = if op.is_reset() {
            &anonymous
        } else {
            &logged_in
        };
        let r = run_op(op, dev, &ctx, "b").await;
        seen.result(&format!("{op:?} over TLS"), &r);
        if op == Op::DeleteUser {
            let e = r.expect_err("a deletion with the password in the URL");
            assert!(e.to_string().contains("URL"), "{e}");
            assert!(writes_since(plain, from).is_empty());
            continue;
        }
        assert!(!is_refusal(&r), "{op:?} over TLS: {r:?}");
        if !op.is_reset() {
            assert!(r.is_ok(), "{op:?} over TLS: {r:?}");
        }
        let writes = writes_since(plain, from);
        assert!(
            !writes.is_empty() && writes.iter().all(|w| w.https),
            "{op:?}"
        );
        // request lines and headers never carry a secret, even inside TLS
        for w in writes {
            let mut head = w.line();
            for (k, v) in &w.headers {
                head.push_str(&format!("\n{k}: {v}"));
            }
            seen.texts
                .push((format!("{op:?} over TLS: request line and headers"), head));
        }
    }

    // 3. plain HTTP under the security=1 cipher: the credentialed operations go encrypted; the
    //    ISUP key (no cipher covers it) and the reset routes (the key derives from the lost
    //    password) are still refused
    let logged_in = plain_handle(ciphered, true);
    let anonymous = plain_handle(ciphered, false);
    for op in OPS {
        let from = ciphered.received_requests().len();
        let dev = if op.is_reset() {
            &anonymous
        } else {
            &logged_in
        };
        let r = run_op(op, dev, &ctx, "c").await;
        seen.result(&format!("{op:?} under the cipher"), &r);
        let writes = writes_since(ciphered, from);
        if op.has_cipher() {
            assert!(r.is_ok(), "{op:?} under the cipher: {r:?}");
            assert!(
                !writes.is_empty() && writes.iter().all(|w| w.target.contains("security=1")),
                "{op:?}: {:?}",
                writes.iter().map(|w| w.line()).collect::<Vec<_>>()
            );
        } else {
            assert!(is_refusal(&r), "{op:?} without a cipher: {r:?}");
            assert!(writes.is_empty(), "{op:?}");
        }
    }
    for r in ciphered.received_requests() {
        wire.push((
            format!("received in clear by {}: {}", ciphered.host(), r.path()),
            r.text(),
        ));
    }

    // 4. plain HTTP with the opt-in: sent in clear, on the caller's word (and logged)
    let logged_in = plain_handle(plain, true).allow_plaintext_secrets();
    let anonymous = plain_handle(plain, false).allow_plaintext_secrets();
    let before_opt_in = plain.received_requests().len();
    for op in OPS {
        let from = plain.received_requests().len();
        let dev = if op.is_reset() {
            &anonymous
        } else {
            &logged_in
        };
        let r = run_op(op, dev, &ctx, "d").await;
        assert!(!is_refusal(&r), "{op:?} opted in: {r:?}");
        if !op.is_reset() {
            assert!(r.is_ok(), "{op:?} opted in: {r:?}");
        }
        seen.result(&format!("{op:?} opted in"), &r);
        assert!(!writes_since(plain, from).is_empty(), "{op:?} was sent");
    }
    // the control: the scan does find the secrets the opt-in sent in clear
    let opted: Vec<(String, String)> = plain
        .received_requests()
        .iter()
        .skip(before_opt_in)
        .map(|r| (r.line(), r.text()))
        .collect();
    for s in [OP_PW, ISUP_KEY, RESET_PW, ADMIN_PW] {
        assert!(!scan(&opted, &[s]).is_empty(), "{s} was sent in clear");
    }
    let logs =
        String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logs.contains("in clear over plain HTTP (allow_plaintext_secrets)"),
        "the opt-in is logged"
    );
    // everything received in clear before the opt-in (setup, refusals), and activation
    for r in plain.received_requests().iter().take(before_opt_in) {
        if !r.https {
            wire.push((
                format!("received in clear by {}: {}", plain.host(), r.path()),
                r.text(),
            ));
        }
    }

    // activation: the password travels under the activation key exchange, never in clear
    let r = plain_handle(fresh, false)
        .activate(&Password::new("admin", ADMIN_PW).expect("strong"))
        .await;
    assert!(r.is_ok(), "activation over plain HTTP: {r:?}");
    seen.result("activation", &r);
    for r in fresh.received_requests() {
        wire.push((format!("activation request {}", r.path()), r.text()));
    }

    // a transport failure whose URL would have carried the opted-in login password
    let gone = Device::builder("127.0.0.1:9")
        .credentials("admin", ADMIN_PW)
        .lockout_guard(LockoutGuard::new())
        .build()
        .expect("client")
        .allow_plaintext_secrets();
    let r = gone
        .request(hikproto::client::Request::delete(&format!(
            "/ISAPI/Security/users/5?loginPassword={ADMIN_PW}"
        )))
        .await;
    assert!(r.is_err());
    seen.result("transport failure with a secret in the URL", &r);

    // the Debug forms of the public types that can hold a secret
    let req = hikproto::client::Request::put(&format!("/ISAPI/x?loginPassword={ADMIN_PW}"))
        .json(&serde_json::json!({ "password": NEW_PW, "answer": ANSWERS[0] }));
    seen.debug("request", &req);
    seen.debug("request body", &req.body);
    seen.debug(
        "response",
        &hikproto::client::Response {
            status: 200,
            content_type: None,
            body: format!("<GUIDFileData>{CODE}</GUIDFileData>")
                .into_bytes()
                .into(),
            request: "PUT /ISAPI/Security/GUIDFileData".into(),
        },
    );
    seen.debug("GUID file", &ctx.guid);
    seen.debug(
        "reset code",
        &hikproto::reset::ResetCode::parse(RESET_CODE).expect("code"),
    );
    seen.debug("opted-in handle", &logged_in);
    let reply = hikproto::xml::Element::parse(
        format!(
            "<ProbeMatch><Uuid>U</Uuid><Types>exportGUID</Types><GUID>{CODE}</GUID></ProbeMatch>"
        )
        .as_bytes(),
    )
    .and_then(|el| hikproto::sadp::Reply::from_element(&el));
    assert!(reply.is_ok(), "{reply:?}");
    seen.result("SADP reply", &reply);

    site.shutdown().await;
    let mut texts = seen.texts;
    texts.extend(wire);
    let hits = scan(&texts, &protection_secrets());
    println!(
        "protection: scanned {} texts for {} secrets",
        texts.len(),
        protection_secrets().len()
    );
    assert!(hits.is_empty(), "secrets seen:\n{}", hits.join("\n"));
}
