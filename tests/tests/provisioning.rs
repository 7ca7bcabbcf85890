//! End-to-end provisioning against the simulator: activation (legacy, V3, wrapped), the password
//! policy on both sides, users with `loginPassword` and `security=1`, the Hik-Connect
//! verification code and platform access, ISUP, network settings, and secrets staying out of
//! `Debug` output, logs and error messages.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hikproto::crypto::activation::ActivationFlow;
use hikproto::isapi::users::UserLevel;
use hikproto::keys::{IsupKey, Password, PasswordPolicy, Secret, VerificationCode};
use hikproto::{Device, Error};
use hikproto_sim::{DeviceConfig, Personality, RiskyPasswords, SimDevice, Site};

const ADMIN_PW: &str = "Hik!Vision2024";
const CODE: &str = "Hq7pRt2mW";

async fn site(devices: Vec<DeviceConfig>) -> Site {
    let mut b = Site::builder();
    for d in devices {
        b = b.device(d);
    }
    b.start().await.expect("simulated site")
}

fn anonymous(dev: &SimDevice) -> Device {
    Device::builder(dev.host()).build().unwrap()
}

fn admin(dev: &SimDevice, password: &str) -> Device {
    Device::builder(dev.host())
        .credentials("admin", password)
        // its own guard: every simulated device listens on 127.0.0.1, and latches are per host
        .lockout_guard(hikproto::LockoutGuard::new())
        .build()
        .unwrap()
}

/// The admin over HTTPS, the simulator's certificate pinned (the site must serve HTTPS).
fn admin_tls(dev: &SimDevice, password: &str) -> Device {
    Device::builder(dev.https_url().expect("the site serves HTTPS"))
        .tls(hikproto::TlsMode::PinSha256(
            dev.cert_sha256().expect("a certificate"),
        ))
        .credentials("admin", password)
        .build()
        .unwrap()
}

async fn tls_site(devices: Vec<DeviceConfig>) -> Site {
    let mut b = Site::builder().https(true);
    for d in devices {
        b = b.device(d);
    }
    b.start().await.expect("simulated site")
}

/// True when `e` is the refusal to send a secret unprotected.
fn is_plaintext_refusal(e: &Error) -> bool {
    let text = e.to_string();
    matches!(e, Error::InvalidInput(_))
        && text.contains("HTTPS")
        && text.contains("security=1")
        && text.contains("allow_plaintext_secrets")
}

fn activated_camera(p: Personality) -> DeviceConfig {
    activated_camera_n(0, p)
}

fn activated_camera_n(index: usize, p: Personality) -> DeviceConfig {
    DeviceConfig::camera(index)
        .with_personality(p)
        .with_admin(ADMIN_PW)
}

fn pw(user: &str, p: &str) -> Password {
    Password::new(user, p).unwrap()
}

#[tokio::test]
async fn activates_a_factory_camera_with_the_legacy_flow() {
    let site = site(vec![DeviceConfig::camera(0)]).await;
    let sim = site.device(0);
    let dev = anonymous(sim);
    let st = dev.activation_status().await.unwrap();
    assert!(!st.activated);
    assert_eq!(st.flow(), ActivationFlow::Legacy);

    let report = dev.activate(&pw("admin", ADMIN_PW)).await.unwrap();
    assert_eq!(report.flow, ActivationFlow::Legacy);
    assert!(!report.risky_password_warning && !report.wrapped);
    assert!(sim.is_activated());
    assert_eq!(sim.password("admin").unwrap().expose(), ADMIN_PW);
    let stats = sim.stats();
    assert_eq!(stats.logins, 1, "exactly one verification login");
    assert_eq!(stats.auth_failures, 0);
    assert_eq!(stats.hits_method("PUT", "/ISAPI/System/activate"), 1);
    // the handle now logs in as admin with the new password
    assert_eq!(dev.user().as_deref(), Some("admin"));
    dev.device_info().await.unwrap();

    let again = dev
        .activate(&pw("admin", "Other!Pass2024"))
        .await
        .unwrap_err();
    assert!(matches!(again, Error::AlreadyActivated), "{again:?}");
    assert_eq!(sim.password("admin").unwrap().expose(), ADMIN_PW);
    site.shutdown().await;
}

#[tokio::test]
async fn activates_with_v3_and_with_the_wrapper() {
    let mut v3 = Personality::camera();
    v3.activation_version = 3;
    let mut wrapped = Personality::camera();
    wrapped.activate_wrapper_required = true;
    let site = site(vec![
        DeviceConfig::camera(0).with_personality(v3),
        DeviceConfig::camera(1).with_personality(wrapped),
    ])
    .await;

    let r = anonymous(site.device(0))
        .activate(&pw("admin", ADMIN_PW))
        .await
        .unwrap();
    assert_eq!(r.flow, ActivationFlow::V3);
    assert!(site.device(0).is_activated());
    assert_eq!(
        site.device(0)
            .stats()
            .hits("/ISAPI/System/activate/StartActivateV3"),
        1
    );

    let r = anonymous(site.device(1))
        .activate(&pw("admin", ADMIN_PW))
        .await
        .unwrap();
    assert_eq!(r.flow, ActivationFlow::Legacy);
    assert!(r.wrapped, "the device wanted <Activate>");
    assert!(site.device(1).is_activated());
    site.shutdown().await;
}

#[tokio::test]
async fn weak_and_risky_passwords_are_refused() {
    let mut warn = Personality::camera();
    warn.risky_passwords = RiskyPasswords::Warn;
    let site = site(vec![
        DeviceConfig::camera(0),
        DeviceConfig::camera(1).with_personality(warn),
    ])
    .await;
    let sim = site.device(0);

    // refused locally: nothing is built, nothing is sent
    for weak in ["short1A", "alllowercase", "admin12345", "Has space1"] {
        assert!(Password::new("admin", weak).is_err(), "{weak}");
    }
    assert!(
        !PasswordPolicy::dvr()
            .check("admin", "Xk1234!ab")
            .issues
            .is_empty()
    );
    assert_eq!(sim.stats().requests, 0);

    // accepted by the local policy, refused by the device as risky (a run of four)
    let risky = pw("admin", "Abcd!xyz9");
    let err = anonymous(sim).activate(&risky).await.unwrap_err();
    assert!(err.is_risky_password(), "{err:?}");
    assert!(err.is_password_policy_refusal());
    assert!(!sim.is_activated());
    assert!(!err.to_string().contains("Abcd!xyz9"));

    // the same password on a device that accepts it with a warning
    let r = anonymous(site.device(1)).activate(&risky).await.unwrap();
    assert!(r.risky_password_warning);
    assert!(site.device(1).is_activated());
    site.shutdown().await;
}

#[tokio::test]
async fn users_with_login_password_and_field_encryption() {
    let site = site(vec![activated_camera(Personality::camera())]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);
    assert!(
        dev.field_key().await.unwrap().is_some(),
        "camera offers security=1"
    );

    let id = dev
        .add_user(
            "oper7",
            &pw("oper7", "Op1!Strong99"),
            UserLevel::Operator,
            None,
        )
        .await
        .unwrap();
    assert!(id > 1);
    assert_eq!(sim.password("oper7").unwrap().expose(), "Op1!Strong99");
    let users = dev.users().await.unwrap();
    assert!(
        users
            .iter()
            .any(|u| u.user_name == "oper7" && u.level == Some(UserLevel::Operator))
    );

    // a wrong loginPassword is refused by the device and changes nothing
    let err = dev
        .change_password(
            "oper7",
            &pw("oper7", "Op1!Newer77"),
            Some(&Secret::new("Wrong!Pass11")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.response_status().map(|s| s.sub_status_code.as_str()),
        Some("loginPasswordError"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("Wrong!Pass11") && !err.to_string().contains("Op1!Newer77"));
    assert_eq!(sim.password("oper7").unwrap().expose(), "Op1!Strong99");

    dev.change_password("oper7", &pw("oper7", "Op1!Newer77"), None)
        .await
        .unwrap();
    assert_eq!(sim.password("oper7").unwrap().expose(), "Op1!Newer77");

    // the logged-in admin changes its own password; the handle follows
    dev.change_password("admin", &pw("admin", "N3w!Boss#pw9"), None)
        .await
        .unwrap();
    assert_eq!(sim.password("admin").unwrap().expose(), "N3w!Boss#pw9");
    dev.device_info().await.unwrap();

    assert!(dev.delete_user("admin", None).await.is_err());
    dev.delete_user("oper7", None).await.unwrap();
    assert!(sim.password("oper7").is_none());
    assert_eq!(sim.stats().repeated_rejected_credentials, 0);
    assert_eq!(sim.stats().auth_failures, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn users_on_legacy_firmware_need_tls_or_the_opt_in() {
    let site = tls_site(vec![activated_camera(Personality::legacy())]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);
    assert!(
        dev.field_key().await.unwrap().is_none(),
        "no securityVersion"
    );
    // plain HTTP without the cipher: refused before the password is sent
    let err = dev
        .add_user(
            "viewer1",
            &pw("viewer1", "View!er2024"),
            UserLevel::Viewer,
            None,
        )
        .await
        .unwrap_err();
    assert!(is_plaintext_refusal(&err), "{err}");
    assert_eq!(sim.stats().hits_method("POST", "/ISAPI/Security/users"), 0);
    assert!(sim.password("viewer1").is_none());
    // inside TLS
    admin_tls(sim, ADMIN_PW)
        .add_user(
            "viewer1",
            &pw("viewer1", "View!er2024"),
            UserLevel::Viewer,
            None,
        )
        .await
        .unwrap();
    // in clear, opted in for this call
    dev.allow_plaintext_secrets()
        .change_password("viewer1", &pw("viewer1", "View!er2025"), None)
        .await
        .unwrap();
    assert_eq!(sim.password("viewer1").unwrap().expose(), "View!er2025");
    site.shutdown().await;
}

#[tokio::test]
async fn verification_code_set_read_and_check() {
    let site = tls_site(vec![
        activated_camera_n(0, Personality::camera()),
        activated_camera_n(1, Personality::legacy()),
    ])
    .await;
    for i in 0..2 {
        let sim = site.device(i);
        // the camera offers security=1 over plain HTTP; legacy firmware has no cipher, so its
        // code goes inside TLS
        let dev = if i == 0 {
            admin(sim, ADMIN_PW)
        } else {
            let code = VerificationCode::new(CODE).unwrap();
            let err = admin(sim, ADMIN_PW)
                .set_verification_code(&code)
                .await
                .unwrap_err();
            assert!(is_plaintext_refusal(&err), "{err}");
            assert_eq!(
                sim.stats()
                    .hits_method("PUT", "/ISAPI/System/Network/EZVIZ"),
                0
            );
            sim.reset_stats();
            admin_tls(sim, ADMIN_PW)
        };
        let code = VerificationCode::new(CODE).unwrap();
        let st = dev.set_verification_code(&code).await.unwrap();
        assert!(st.is_success());
        // the camera offers the secretKey endpoint and security=1; legacy firmware gets the
        // read-modify-write of the EZVIZ document (inside TLS)
        let stats = sim.stats();
        let via_secret_key = stats.hits_method("PUT", "/ISAPI/System/Network/EZVIZ/secretKey");
        let via_ezviz = stats.hits_method("PUT", "/ISAPI/System/Network/EZVIZ");
        assert_eq!(
            (via_secret_key, via_ezviz),
            if i == 0 { (1, 0) } else { (0, 1) }
        );
        assert_eq!(sim.verification_code().unwrap().expose(), CODE);
        let read = dev.verification_code().await.unwrap().expect("readable");
        assert!(read.matches(CODE), "device {i}");
        assert!(dev.check_verification_code(&code).await.unwrap());
        let other = VerificationCode::new("Zz9Yy8Xx7").unwrap();
        assert!(!dev.check_verification_code(&other).await.unwrap());
    }
    // obvious and malformed codes never leave the process
    for bad in ["ABCDEF", "123456", "aaaaaa", "ab1", "Abc-123"] {
        assert!(VerificationCode::new(bad).is_err(), "{bad}");
    }
    let serial = site.device(0).serial().to_owned();
    assert!(VerificationCode::new_for_device(site.device(0).short_serial(), &serial).is_err());
    site.shutdown().await;
}

#[tokio::test]
async fn enabling_platform_access_registers() {
    let site = site(vec![activated_camera(Personality::camera())]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);

    let before = dev.ezviz().await.unwrap();
    assert_eq!(before.enabled, Some(false));
    assert!(!before.is_registered());
    // enabling without any code is refused by the device
    let mut no_code = before.clone();
    no_code.enabled = Some(true);
    let err = dev.set_ezviz(&no_code).await.unwrap_err();
    assert_eq!(
        err.response_status().map(|s| s.sub_status_code.as_str()),
        Some("lackVerificationCode")
    );

    let code = VerificationCode::generate();
    dev.enable_platform_access(&code).await.unwrap();
    let e = dev
        .wait_until_registered(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(e.is_registered());
    assert_eq!(e.enabled, Some(true));
    assert_eq!(sim.verification_code().unwrap().expose(), code.expose());

    // the account binds with the code; the device unbinds itself
    sim.platform()
        .bind(sim.serial(), "installer@example.com", code.expose())
        .unwrap();
    assert!(
        sim.platform()
            .record(sim.serial())
            .is_some_and(|r| r.account.is_some())
    );
    dev.unbind_platform().await.unwrap();
    assert!(
        sim.platform()
            .record(sim.serial())
            .is_none_or(|r| r.account.is_none())
    );

    let qr = dev.platform_qr_code().await.unwrap();
    assert!(qr.expose().contains(sim.short_serial()));
    assert!(
        !format!("{qr:?}").contains(sim.short_serial()),
        "redacted in Debug"
    );
    let test = dev.test_platform_parameters().await.unwrap();
    assert!(test.is_object());

    dev.disable_platform_access().await.unwrap();
    // with platform access off it can never register: the wait says so at once, with the reason
    let err = dev
        .wait_until_registered(Duration::from_secs(30))
        .await
        .unwrap_err();
    let Error::Device { status, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(status.sub_status_code, "platformAccessDisabled", "{err:?}");
    site.shutdown().await;
}

#[tokio::test]
async fn unsupported_endpoints_per_personality() {
    let p = Personality::camera()
        .refuse("/ISAPI/System/Network/EZVIZ/QRCode", "notSupport")
        .refuse("/ISAPI/System/Network/verificationCodeCheck", "notSupport");
    let site = site(vec![activated_camera(p)]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);
    assert!(matches!(
        dev.platform_qr_code().await.unwrap_err(),
        Error::NotSupported { .. }
    ));
    // without the check endpoint the code is read with security=1 and compared locally
    let code = VerificationCode::new(CODE).unwrap();
    dev.set_verification_code(&code).await.unwrap();
    assert!(dev.check_verification_code(&code).await.unwrap());
    site.shutdown().await;
}

#[tokio::test]
async fn isup_key_is_write_only() {
    let site = tls_site(vec![activated_camera(Personality::camera())]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);
    let mut e = dev.ehome(Some(1)).await.unwrap();
    assert!(e.key.is_none());
    e.enabled = Some(true);
    e.ip_address = Some("192.0.2.20".into());
    e.device_id = Some("site-cam-01".into());
    e.key = Some(IsupKey::new("isupKey-2024").unwrap());
    // no field cipher covers the ISUP key: plain HTTP is refused, TLS carries it
    let err = dev.set_ehome(Some(1), &e).await.unwrap_err();
    assert!(is_plaintext_refusal(&err), "{err}");
    assert!(sim.config().ehome.iter().all(|c| c.key.is_none()));
    let dev = admin_tls(sim, ADMIN_PW);
    assert!(dev.set_ehome(Some(1), &e).await.unwrap().is_success());
    let cfg = sim.config();
    let centre = cfg.ehome.iter().find(|c| c.center_id == 1).unwrap();
    assert_eq!(centre.key.as_ref().unwrap().expose(), "isupKey-2024");
    assert_eq!(centre.device_id, "site-cam-01");
    let back = dev.ehome(Some(1)).await.unwrap();
    assert!(back.key.is_none(), "a GET never returns the key");
    assert_eq!(back.enabled, Some(true));
    site.shutdown().await;
}

#[tokio::test]
async fn network_dns_ports_and_ntp() {
    let site = site(vec![activated_camera(Personality::camera())]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);
    let ifs = dev.network_interfaces().await.unwrap();
    assert!(!ifs.is_empty());
    let id = ifs[0].id.clone();
    let st = dev
        .set_dns(
            &id,
            "1.1.1.1".parse().unwrap(),
            Some("9.9.9.9".parse().unwrap()),
        )
        .await
        .unwrap();
    assert!(st.is_success());
    assert_eq!(sim.config().network.dns1, "1.1.1.1");
    assert_eq!(sim.config().network.dns2, "9.9.9.9");
    let same = dev
        .set_dns(
            &id,
            "1.1.1.1".parse().unwrap(),
            Some("1.1.1.1".parse().unwrap()),
        )
        .await
        .unwrap_err();
    assert!(matches!(same, Error::InvalidInput(_)));

    let mut ip = dev.ip_addressing(&id).await.unwrap();
    ip.ip_address = Some("192.168.1.80".into());
    let st = dev.set_ip_addressing(&id, &ip).await.unwrap();
    assert!(st.is_success());
    assert!(
        st.reboot_required(),
        "an address change needs a reboot: {st:?}"
    );

    let ports = dev.admin_accesses().await.unwrap();
    assert!(ports.port("HTTP").is_some());

    dev.use_ntp("pool.ntp.org").await.unwrap();
    assert_eq!(sim.config().time.ntp_server, "pool.ntp.org");
    assert_eq!(
        dev.time().await.unwrap().time_mode,
        Some(hikproto::isapi::time::TimeMode::Ntp)
    );
    site.shutdown().await;
}

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn secrets_never_appear_in_debug_logs_or_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secrets = [
        ADMIN_PW,
        "Op1!Strong99",
        "Wrong!Pass11",
        CODE,
        "isupKey-2024",
    ];
    let mut shown = String::new();
    rt.block_on(async {
        let site = site(vec![DeviceConfig::camera(0)]).await;
        let sim = site.device(0);
        let dev = anonymous(sim);
        let password = pw("admin", ADMIN_PW);
        shown += &format!("{password:?}");
        dev.activate(&password).await.unwrap();
        shown += &format!("{dev:?}");
        let code = VerificationCode::new(CODE).unwrap();
        shown += &format!("{code:?} {code}");
        dev.enable_platform_access(&code).await.unwrap();
        let e = dev.ezviz().await.unwrap();
        assert!(e.verification_code.as_ref().unwrap().matches(CODE));
        shown += &format!("{e:?} {}", serde_json::to_string(&e).unwrap());
        let key = IsupKey::new("isupKey-2024").unwrap();
        shown += &format!("{key:?}");
        dev.add_user(
            "oper7",
            &pw("oper7", "Op1!Strong99"),
            UserLevel::Operator,
            None,
        )
        .await
        .unwrap();
        let err = dev
            .change_password(
                "oper7",
                &pw("oper7", "Op1!Newer77"),
                Some(&Secret::new("Wrong!Pass11")),
            )
            .await
            .unwrap_err();
        shown += &format!("{err:?} {err}");
        let bad = Password::new("admin", "Wrong!Pass11 ").unwrap_err();
        shown += &format!("{bad:?} {bad}");
        let bad_code = VerificationCode::new("Hq7pRt2mW!").unwrap_err();
        shown += &format!("{bad_code:?} {bad_code}");
        site.shutdown().await;
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        !logs.is_empty(),
        "the client and the simulator log at TRACE"
    );
    for s in secrets {
        assert!(!logs.contains(s), "{s} appears in the logs");
        assert!(
            !shown.contains(s),
            "{s} appears in Debug/Display output: {shown}"
        );
    }
}

#[tokio::test]
async fn nvr_documents_keep_their_namespace() {
    let site = site(vec![DeviceConfig::nvr(0).with_admin(ADMIN_PW)]).await;
    let sim = site.device(0);
    let dev = admin(sim, ADMIN_PW);
    let e = dev.ezviz().await.unwrap();
    assert_eq!(e.namespace(), Some(hikproto::xml::ns::ISAPI_V20));
    assert_eq!(
        e.to_element(None).namespace(),
        Some(hikproto::xml::ns::ISAPI_V20),
        "a write echoes the device's namespace"
    );
    let code = VerificationCode::new(CODE).unwrap();
    dev.enable_platform_access(&code).await.unwrap();
    assert!(
        dev.wait_until_registered(Duration::from_secs(10))
            .await
            .unwrap()
            .is_registered()
    );
    let caps = dev.capabilities().await.unwrap();
    assert!(caps.supports_ezviz() && caps.supports_field_encryption());
    assert_eq!(
        caps.verification_code_modification()
            .unwrap()
            .code_type
            .as_deref(),
        Some("normal"),
        "a code is set now"
    );
    site.shutdown().await;
}
