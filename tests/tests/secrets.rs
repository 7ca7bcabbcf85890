//! Secret hygiene: library operations that handle passwords, verification codes, ISUP keys and
//! recovery answers run with a `tracing` subscriber capturing everything at TRACE; every log
//! line, every error (Display and Debug, with its sources) and the Debug form of every value
//! involved is then scanned for the secrets, in clear and in base64 (as Basic authentication
//! would carry them). None may appear.

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
    let r = admin.set_ehome(Some(1), &e).await;
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
    let open = Device::builder(cam.host()).build().expect("client");
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
