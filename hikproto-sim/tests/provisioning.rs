//! Activation, users, `security=1`, Hik-Connect (with the simulated platform), session login,
//! network, time and ISUP, over real loopback sockets.

mod common;

use common::client_crypto as cc;
use common::{PW, activated, digest, open, salt_of, with_cookie};
use hikproto_sim::{DeviceConfig, Personality, PlatformError, Site};

const EZ: &str = "/ISAPI/System/Network/EZVIZ";

async fn put_xml(host: &str, target: &str, body: &str, pw: &str) -> common::Resp {
    digest(host, "PUT", target, "admin", pw, body.as_bytes()).await
}

#[tokio::test]
async fn legacy_activation() {
    let site = Site::builder().devices(1).start().await.unwrap();
    let dev = site.device(0);
    let host = dev.host();
    let key = cc::rsa_key(1024);
    let pk = format!(
        "<PublicKey version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><key>{}</key></PublicKey>",
        cc::public_key_b64(&key)
    );
    let activate = |r: String, pw: &str| {
        format!(
            "<ActivateInfo version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><password>{}</password></ActivateInfo>",
            cc::seal_ecb(&r, pw)
        )
    };
    // Activating before asking for a challenge is refused.
    let r = open(
        &host,
        "PUT",
        "/ISAPI/System/activate",
        activate("0".repeat(32), PW).as_bytes(),
    )
    .await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("invalidOperation"));
    let ch = open(&host, "POST", "/ISAPI/Security/challenge", pk.as_bytes()).await;
    assert_eq!(ch.status, 200, "{}", ch.text());
    let r_hex = cc::open_challenge(&key, ch.xml().text_at("key").unwrap());
    assert_eq!(r_hex.len(), 32);
    for (weak, sub, code) in [
        ("Ab1", "passwordMustContainMorethan8Characters", 6),
        ("abcdefghij", "passwordMustContainMorethan2Types", 6),
        ("Abcd1234!", "riskPassword", 6),
    ] {
        let r = open(
            &host,
            "PUT",
            "/ISAPI/System/activate",
            activate(r_hex.clone(), weak).as_bytes(),
        )
        .await;
        assert_eq!(r.status, 400, "{weak}");
        let x = r.xml();
        assert_eq!(x.text_at("subStatusCode"), Some(sub));
        assert_eq!(x.num_at::<u32>("statusCode"), Some(code));
    }
    // A password sealed with another R does not decrypt.
    let r = open(
        &host,
        "PUT",
        "/ISAPI/System/activate",
        activate("f".repeat(32), PW).as_bytes(),
    )
    .await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("passwordDecodeError")
    );
    assert!(!dev.is_activated());
    let r = open(
        &host,
        "PUT",
        "/ISAPI/System/activate",
        activate(r_hex.clone(), PW).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml().num_at::<u32>("statusCode"), Some(1));
    assert!(dev.is_activated());
    assert_eq!(dev.password("admin").unwrap().expose(), PW);
    let st = open(&host, "GET", "/SDK/activateStatus", b"").await;
    assert_eq!(st.xml().text_at("Activated"), Some("true"));
    assert_eq!(
        digest(&host, "GET", "/ISAPI/System/deviceInfo", "admin", PW, b"")
            .await
            .status,
        200
    );
    let again = open(&host, "POST", "/ISAPI/Security/challenge", pk.as_bytes()).await;
    assert_eq!(again.status, 403);
    assert_eq!(again.xml().text_at("subStatusCode"), Some("hasActivated"));
    site.shutdown().await;
}

#[tokio::test]
async fn v3_activation_and_wrapper() {
    let mut d = DeviceConfig::camera(0);
    d.personality.activation_version = 3;
    let site = Site::builder().device(d).start().await.unwrap();
    let host = site.device(0).host();
    let st = open(&host, "GET", "/SDK/activateStatus", b"").await;
    assert_eq!(st.xml().num_at::<u32>("supportVersion"), Some(3));
    let small = cc::rsa_key(2048);
    let body = serde_json::json!({ "publicKey": cc::public_key_b64(&small) }).to_string();
    let r = open(
        &host,
        "POST",
        "/ISAPI/System/activate/GetChallengeV3?format=json",
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["subStatusCode"], "badJsonContent");
    let key = cc::rsa_key(3072);
    let body = serde_json::json!({ "publicKey": cc::public_key_b64(&key) }).to_string();
    let r = open(
        &host,
        "POST",
        "/ISAPI/System/activate/GetChallengeV3?format=json",
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r_hex = cc::open_challenge(&key, r.json()["challenge"].as_str().unwrap());
    let iv = [9u8; 16];
    let body =
        serde_json::json!({ "password": cc::seal_cbc(&r_hex, PW, &iv), "iv": hex::encode(iv) })
            .to_string();
    let r = open(
        &host,
        "POST",
        "/ISAPI/System/activate/StartActivateV3?format=json",
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["statusCode"], 1);
    assert!(site.device(0).is_activated());
    site.shutdown().await;

    let mut d = DeviceConfig::camera(0);
    d.personality.activate_wrapper_required = true;
    let site = Site::builder().device(d).start().await.unwrap();
    let host = site.device(0).host();
    let key = cc::rsa_key(1024);
    let pk = format!(
        "<PublicKey><key>{}</key></PublicKey>",
        cc::public_key_b64(&key)
    );
    let ch = open(&host, "POST", "/ISAPI/Security/challenge", pk.as_bytes()).await;
    let r_hex = cc::open_challenge(&key, ch.xml().text_at("key").unwrap());
    let bare = format!(
        "<ActivateInfo><password>{}</password></ActivateInfo>",
        cc::seal_ecb(&r_hex, PW)
    );
    let r = open(&host, "PUT", "/ISAPI/System/activate", bare.as_bytes()).await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("MessageParametersLack")
    );
    let wrapped = format!("<Activate>{bare}</Activate>");
    let r = open(&host, "PUT", "/ISAPI/System/activate", wrapped.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    site.shutdown().await;
}

#[tokio::test]
async fn users_and_security_1() {
    let site = activated(1).await;
    let dev = site.device(0);
    let host = dev.host();
    let salt = salt_of(&host, "admin").await;
    let iv = [3u8; 16];
    let ivh = hex::encode(iv);
    let key = cc::field_key("admin", PW, &salt, 100);
    let target = format!("/ISAPI/Security/users/1?security=1&iv={ivh}");
    let body = |name: &str, new: &str, login: &str| {
        format!(
            "<User><id>1</id><userName>{}</userName><password>{}</password><loginPassword>{}</loginPassword></User>",
            cc::enc_field(&key, &iv, name),
            cc::enc_field(&key, &iv, new),
            cc::enc_field(&key, &iv, login)
        )
    };
    let r = put_xml(
        &host,
        &target,
        &body("admin", "N3w-Secret!", "Wrong-login1"),
        PW,
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.xml().text_at("subStatusCode"), Some("loginPasswordError"));
    let r = put_xml(&host, &target, &body("admin", PW, PW), PW).await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("cannotSameAsOldPassword")
    );
    let r = put_xml(&host, &target, &body("admin", "Myadmin1!", PW), PW).await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("illegalPassword"));
    let r = put_xml(&host, &target, &body("admin", "Qw!1234xyz", PW), PW).await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("riskPassword"));
    assert_eq!(r.xml().num_at::<u32>("statusCode"), Some(6));
    // Without loginPassword on a device that requires it.
    let r = put_xml(
        &host,
        "/ISAPI/Security/users/1",
        "<User><id>1</id><password>N3w-Secret!</password></User>",
        PW,
    )
    .await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("MessageParametersLack")
    );
    let r = put_xml(&host, &target, &body("admin", "N3w-Secret!", PW), PW).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(dev.password("admin").unwrap().expose(), "N3w-Secret!");
    assert_eq!(
        digest(&host, "GET", "/ISAPI/Security/userCheck", "admin", PW, b"")
            .await
            .status,
        401
    );
    assert_eq!(
        digest(
            &host,
            "GET",
            "/ISAPI/Security/userCheck",
            "admin",
            "N3w-Secret!",
            b""
        )
        .await
        .status,
        200
    );
    // The old password is recognised when it is sent again after its rejection.
    digest(&host, "GET", "/ISAPI/Security/userCheck", "admin", PW, b"").await;
    assert_eq!(dev.stats().repeated_rejected_credentials, 1);

    // Add, list (names encrypted with security=1), delete.
    let new_pw = "N3w-Secret!";
    let key2 = cc::field_key("admin", new_pw, &salt, 100);
    let add = format!(
        "<User><userName>viewer1</userName><password>View3r!pass</password><userLevel>Viewer</userLevel><loginPassword>{new_pw}</loginPassword></User>"
    );
    let r = digest(
        &host,
        "POST",
        "/ISAPI/Security/users",
        "admin",
        new_pw,
        add.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml().text_at("id"), Some("2"));
    let r = digest(
        &host,
        "POST",
        "/ISAPI/Security/users",
        "admin",
        new_pw,
        add.as_bytes(),
    )
    .await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("userExist"));
    let list = digest(
        &host,
        "GET",
        &format!("/ISAPI/Security/users?security=1&iv={ivh}"),
        "admin",
        new_pw,
        b"",
    )
    .await
    .xml();
    let names: Vec<String> = list
        .children_named("User")
        .map(|u| cc::dec_field(&key2, &iv, u.text_at("userName").unwrap()))
        .collect();
    assert_eq!(names, ["admin", "viewer1"]);
    // A viewer may not list users.
    let r = digest(
        &host,
        "GET",
        "/ISAPI/Security/users",
        "viewer1",
        "View3r!pass",
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    let r = digest(
        &host,
        "DELETE",
        &format!("/ISAPI/Security/users/1?loginPassword={new_pw}"),
        "admin",
        new_pw,
        b"",
    )
    .await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("userCannotDelAdmin"));
    let enc_login = cc::enc_field(&key2, &iv, new_pw);
    let r = digest(
        &host,
        "DELETE",
        &format!("/ISAPI/Security/users/2?loginPassword={enc_login}&security=1&iv={ivh}"),
        "admin",
        new_pw,
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(dev.config().users.len(), 1);
    // A security=1 value that does not decrypt.
    let r = put_xml(
        &host,
        &format!("/ISAPI/Security/loginPassword?security=1&iv={ivh}"),
        "<LoginPassword><password>00ff</password></LoginPassword>",
        new_pw,
    )
    .await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("passwordDecodeError")
    );
    site.shutdown().await;
}

#[tokio::test]
async fn ezviz_and_platform() {
    let site = activated(1).await;
    let dev = site.device(0);
    let host = dev.host();
    let platform = site.platform();
    let get = digest(&host, "GET", EZ, "admin", PW, b"").await.xml();
    assert_eq!(get.text_at("enabled"), Some("false"));
    assert_eq!(get.text_at("registerStatus"), Some("false"));
    assert_eq!(get.text_at("bindStatus"), Some("unbind"));
    // Enabling with no code.
    let r = put_xml(&host, EZ, "<EZVIZ><enabled>true</enabled></EZVIZ>", PW).await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("lackVerificationCode")
    );
    let r = put_xml(
        &host,
        EZ,
        "<EZVIZ><enabled>true</enabled><verificationCode>ab!</verificationCode></EZVIZ>",
        PW,
    )
    .await;
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("illegalVerificationCode")
    );
    // Set the code encrypted with security=1.
    let salt = salt_of(&host, "admin").await;
    let key = cc::field_key("admin", PW, &salt, 100);
    let iv = [5u8; 16];
    let ivh = hex::encode(iv);
    let body = format!(
        "<EZVIZ version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><enabled>true</enabled><verificationCode>{}</verificationCode></EZVIZ>",
        cc::enc_field(&key, &iv, "Abc123xyz")
    );
    let r = put_xml(&host, &format!("{EZ}?security=1&iv={ivh}"), &body, PW).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(dev.verification_code().unwrap().expose(), "Abc123xyz");
    // A plain GET leaves the code out; security=1 returns it encrypted.
    let plain = digest(&host, "GET", EZ, "admin", PW, b"").await;
    assert!(!plain.text().contains("Abc123xyz"));
    assert_eq!(plain.xml().text_at("registerStatus"), Some("true"));
    let enc = digest(
        &host,
        "GET",
        &format!("{EZ}?security=1&iv={ivh}"),
        "admin",
        PW,
        b"",
    )
    .await
    .xml();
    assert_eq!(
        cc::dec_field(&key, &iv, enc.text_at("verificationCode").unwrap()),
        "Abc123xyz"
    );
    // Check without revealing.
    let check = |code: &str| {
        let r = "1234abcd";
        let v = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(cc::sha256_hex(format!("{r}{code}")))
        };
        format!(
            "<CheckInfo><randomString>{r}</randomString><verificationCode>{v}</verificationCode></CheckInfo>"
        )
    };
    let ok = digest(
        &host,
        "POST",
        "/ISAPI/System/Network/verificationCodeCheck",
        "admin",
        PW,
        check("Abc123xyz").as_bytes(),
    )
    .await;
    assert_eq!(ok.status, 200);
    let bad = digest(
        &host,
        "POST",
        "/ISAPI/System/Network/verificationCodeCheck",
        "admin",
        PW,
        check("abc123xyz").as_bytes(),
    )
    .await;
    assert_eq!(bad.xml().text_at("subStatusCode"), Some("checkCodeError"));
    // Platform: bind with the wrong code, then the right one, then from another account.
    assert_eq!(
        platform.bind(dev.short_serial(), "alice", "Wrong1234"),
        Err(PlatformError::WrongVerificationCode)
    );
    platform
        .bind(dev.short_serial(), "alice", "Abc123xyz")
        .unwrap();
    assert_eq!(
        platform.bind(dev.serial(), "bob", "Abc123xyz"),
        Err(PlatformError::AddedByOther)
    );
    assert_eq!(
        platform
            .bind(dev.serial(), "alice", "Abc123xyz")
            .unwrap_err()
            .code(),
        Some(105_000)
    );
    assert_eq!(platform.app_open(dev.serial(), "alice"), Ok(()));
    let get = digest(&host, "GET", EZ, "admin", PW, b"").await.xml();
    assert_eq!(get.text_at("bindStatus"), Some("bind"));
    // Change the code after binding: the platform keeps the old one ("Error 2020").
    let r = put_xml(
        &host,
        EZ,
        "<EZVIZ><verificationCode>Newcode77</verificationCode></EZVIZ>",
        PW,
    )
    .await;
    assert_eq!(r.status, 200);
    let rec = platform.record(dev.serial()).unwrap();
    assert_eq!(rec.code.unwrap().expose(), "Abc123xyz");
    assert!(!rec.registered);
    assert_eq!(rec.offline_reason.as_deref(), Some("secretKeyInvalid"));
    let err = platform.app_open(dev.serial(), "alice").unwrap_err();
    assert_eq!(err, PlatformError::VerificationCodeMismatch);
    assert_eq!(err.code(), Some(2020));
    let get = digest(&host, "GET", EZ, "admin", PW, b"").await.xml();
    assert_eq!(get.text_at("registerStatus"), Some("false"));
    assert_eq!(get.text_at("offlineStatus"), Some("secretKeyInvalid"));
    // Remove and re-add with the new code.
    platform.unbind(dev.serial()).unwrap();
    platform.bind(dev.serial(), "alice", "Newcode77").unwrap();
    assert_eq!(platform.app_open(dev.serial(), "alice"), Ok(()));
    // Device-side unbind.
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/System/Network/EZVIZ/unbind?format=json",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(r.json()["statusCode"], 1);
    assert_eq!(platform.record(dev.serial()).unwrap().account, None);
    // DNS and host resolution.
    platform.block_host("dev.hik-connect.com");
    let t = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/EZVIZ/parameterTest?format=json",
        "admin",
        PW,
        b"",
    )
    .await
    .json();
    assert_eq!(t["EZVIZParameterTest"]["registerStatus"], false);
    assert_eq!(t["EZVIZParameterTest"]["dnsResolve"], false);
    platform.unblock_host("dev.hik-connect.com");
    platform.break_dns("8.8.8.8");
    assert!(
        platform.record(dev.serial()).unwrap().registered,
        "secondary DNS still answers"
    );
    platform.break_dns("8.8.4.4");
    assert_eq!(
        platform
            .record(dev.serial())
            .unwrap()
            .offline_reason
            .as_deref(),
        Some("dnsResolveFailed")
    );
    platform.fix_dns("8.8.8.8");
    platform.set_reachable(false);
    assert_eq!(
        platform
            .record(dev.serial())
            .unwrap()
            .offline_reason
            .as_deref(),
        Some("serverUnreachable")
    );
    platform.set_reachable(true);
    assert!(platform.record(dev.serial()).unwrap().registered);
    // QR code and secretKey.
    let qr = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/EZVIZ/QRCode?format=json",
        "admin",
        PW,
        b"",
    )
    .await
    .json();
    let text = qr["EZVIZQRCode"]["QRCode"].as_str().unwrap();
    assert_eq!(text.split("\r\n").nth(1), Some(dev.short_serial()));
    assert_eq!(text.split("\r\n").nth(2), Some("Newcode77"));
    let sk = serde_json::json!({ "EZVIZSecretKey": { "secretKey": cc::enc_field(&key, &iv, "Third333") } }).to_string();
    let r = digest(
        &host,
        "PUT",
        &format!("/ISAPI/System/Network/EZVIZ/secretKey?format=json&security=1&iv={ivh}"),
        "admin",
        PW,
        sk.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(dev.verification_code().unwrap().expose(), "Third333");
    site.shutdown().await;
}

#[tokio::test]
async fn pre_bound_device_and_register_delay() {
    let mut d = DeviceConfig::camera(0).with_admin(PW);
    d.verification_code = Some("Abc123xyz".into());
    d.ezviz.enabled = true;
    d.ezviz.bound_account = Some("installer".into());
    d.ezviz.register_delay_ms = 300;
    let site = Site::builder().device(d).start().await.unwrap();
    let dev = site.device(0);
    let rec = site.platform().record(dev.serial()).unwrap();
    assert_eq!(rec.account.as_deref(), Some("installer"));
    assert!(!rec.registered, "registration takes register_delay_ms");
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    assert!(site.platform().record(dev.serial()).unwrap().registered);
    site.shutdown().await;
}

#[tokio::test]
async fn session_login_cookie_flow() {
    let site = activated(1).await;
    let dev = site.device(0);
    let host = dev.host();
    let login = |sid: &str, hash: &str| {
        format!(
            "<SessionLogin><userName>admin</userName><password>{hash}</password><sessionID>{sid}</sessionID><isSessionIDValidLongTerm>false</isSessionIDValidLongTerm><sessionIDVersion>2</sessionIDVersion></SessionLogin>"
        )
    };
    let caps = open(
        &host,
        "GET",
        "/ISAPI/Security/sessionLogin/capabilities?username=admin&random=12345678",
        b"",
    )
    .await
    .xml();
    let sid = caps.text_at("sessionID").unwrap().to_owned();
    assert_eq!(sid.len(), 64);
    let hash = cc::session_hash(
        "admin",
        PW,
        caps.text_at("salt").unwrap(),
        caps.text_at("challenge").unwrap(),
        caps.num_at("iterations").unwrap(),
    );
    let r = open(
        &host,
        "POST",
        "/ISAPI/Security/sessionLogin?timeStamp=1700000000000",
        login(&sid, &hash).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("WebSession_"), "{cookie}");
    // The session ID is single-use.
    let again = open(
        &host,
        "POST",
        "/ISAPI/Security/sessionLogin",
        login(&sid, &hash).as_bytes(),
    )
    .await;
    assert_eq!(again.status, 401);
    let info = with_cookie(&host, "GET", "/ISAPI/System/deviceInfo", &cookie).await;
    assert_eq!(info.status, 200);
    let hb = with_cookie(&host, "PUT", "/ISAPI/Security/sessionHeartbeat", &cookie).await;
    assert_eq!(hb.status, 200);
    let out = with_cookie(&host, "PUT", "/ISAPI/Security/sessionLogout", &cookie).await;
    assert_eq!(out.status, 200);
    let gone = with_cookie(&host, "GET", "/ISAPI/System/deviceInfo", &cookie).await;
    assert_eq!(gone.status, 401);
    assert_eq!(
        gone.xml().text_at("subStatusCode"),
        Some("theSessionIdDoesNotExist")
    );
    // A wrong password through session login counts like any failed login.
    let caps = open(
        &host,
        "GET",
        "/ISAPI/Security/sessionLogin/capabilities?username=admin",
        b"",
    )
    .await
    .xml();
    let bad = cc::session_hash(
        "admin",
        "Wrong-pass1",
        caps.text_at("salt").unwrap(),
        caps.text_at("challenge").unwrap(),
        100,
    );
    let r = open(
        &host,
        "POST",
        "/ISAPI/Security/sessionLogin",
        login(caps.text_at("sessionID").unwrap(), &bad).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.xml().num_at::<u32>("retryLoginTime"), Some(6));
    assert_eq!(dev.stats().auth_failures, 1);
    site.shutdown().await;

    let site = Site::builder()
        .devices(1)
        .password(PW)
        .personality(Personality::legacy())
        .start()
        .await
        .unwrap();
    let r = open(
        &site.device(0).host(),
        "GET",
        "/ISAPI/Security/sessionLogin/capabilities?username=admin",
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    site.shutdown().await;
}

#[tokio::test]
async fn network_time_and_ehome() {
    let site = activated(1).await;
    let dev = site.device(0);
    let host = dev.host();
    let ip = "/ISAPI/System/Network/interfaces/1/ipAddress";
    let cur = digest(&host, "GET", ip, "admin", PW, b"").await.xml();
    assert_eq!(cur.text_at("PrimaryDNS/ipAddress"), Some("8.8.8.8"));
    let mut doc = cur.clone();
    doc.set_text_at("SecondaryDNS/ipAddress", "8.8.8.8");
    let r = put_xml(&host, ip, &doc.to_xml(), PW).await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("dns1dns2CanNotSame"));
    doc.set_text_at("SecondaryDNS/ipAddress", "999.1.1.1");
    assert_eq!(
        put_xml(&host, ip, &doc.to_xml(), PW)
            .await
            .xml()
            .text_at("subStatusCode"),
        Some("badDns")
    );
    doc.set_text_at("SecondaryDNS/ipAddress", "1.1.1.1");
    let r = put_xml(&host, ip, &doc.to_xml(), PW).await;
    assert_eq!(r.xml().num_at::<u32>("statusCode"), Some(1));
    doc.set_text_at("ipAddress", "192.168.1.80");
    let r = put_xml(&host, ip, &doc.to_xml(), PW).await;
    assert_eq!(
        r.xml().num_at::<u32>("statusCode"),
        Some(7),
        "changing the address needs a reboot"
    );
    assert_eq!(dev.config().network.ip, "192.168.1.80");
    let iface = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/interfaces",
        "admin",
        PW,
        b"",
    )
    .await
    .xml();
    assert_eq!(
        iface.text_at("NetworkInterface/Link/MACAddress"),
        Some(dev.mac())
    );
    let sock = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/socketIP",
        "admin",
        PW,
        b"",
    )
    .await
    .xml();
    assert_eq!(sock.text_at("ipAddress"), Some("127.0.0.1"));
    // Time.
    let t = digest(&host, "GET", "/ISAPI/System/time", "admin", PW, b"")
        .await
        .xml();
    assert_eq!(t.text_at("timeMode"), Some("NTP"));
    let r = put_xml(
        &host,
        "/ISAPI/System/time",
        "<Time><timeMode>platform</timeMode></Time>",
        PW,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = put_xml(
        &host,
        "/ISAPI/System/time",
        "<Time><timeMode>sundial</timeMode></Time>",
        PW,
    )
    .await;
    assert_eq!(r.status, 400);
    let r = put_xml(
        &host,
        "/ISAPI/System/time/ntpServers/1",
        "<NTPServer><id>1</id><hostName>pool.ntp.org</hostName><portNo>123</portNo></NTPServer>",
        PW,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(dev.config().time.ntp_server, "pool.ntp.org");
    // ISUP: the key is write-only.
    let eh = "/ISAPI/System/Network/Ehome?centerID=1";
    let r = put_xml(&host, eh, "<Ehome><enabled>true</enabled><ipAddress>10.0.0.9</ipAddress><portNo>80</portNo><deviceID>cam1</deviceID></Ehome>", PW).await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("badPort"));
    let r = put_xml(&host, eh, "<Ehome><enabled>true</enabled><ipAddress>10.0.0.9</ipAddress><portNo>7660</portNo><deviceID>cam1</deviceID><key>Isup-Key-123</key></Ehome>", PW).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = digest(&host, "GET", eh, "admin", PW, b"").await;
    assert!(!g.text().contains("Isup-Key-123"));
    assert_eq!(g.xml().text_at("registerStatus"), Some("true"));
    assert_eq!(
        dev.config().ehome[0].key.as_ref().unwrap().expose(),
        "Isup-Key-123"
    );
    let g2 = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/Ehome?centerID=2",
        "admin",
        PW,
        b"",
    )
    .await
    .xml();
    assert_eq!(g2.text_at("enabled"), Some("false"));
    let g9 = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/Ehome?centerID=9",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(g9.xml().text_at("subStatusCode"), Some("invalidID"));
    let aa = digest(
        &host,
        "GET",
        "/ISAPI/Security/adminAccesses",
        "admin",
        PW,
        b"",
    )
    .await
    .xml();
    assert_eq!(
        aa.text_at("AdminAccessProtocol/portNo"),
        Some(dev.http_addr().port().to_string().as_str())
    );
    site.shutdown().await;
}
