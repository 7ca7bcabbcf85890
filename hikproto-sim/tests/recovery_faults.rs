//! Recovery routes, the support-desk scheme, faults, reboot, factory reset, persistence and
//! HTTPS, over real loopback sockets.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::client_crypto as cc;
use common::{digest, salt_of, send};
use hikproto_sim::support::{self, SupportError};
use hikproto_sim::{DeviceConfig, Fault, Site};

const PW: &str = "Passw0rd!x";
const INFO: &str = "/ISAPI/System/deviceInfo";

async fn activated() -> Site {
    Site::builder()
        .devices(2)
        .password(PW)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn security_questions_route() {
    let site = activated().await;
    let dev = site.device(0);
    let host = dev.host();
    let caps = send(
        &host,
        "GET",
        "/ISAPI/Security/extern/capabilities",
        &[],
        b"",
    )
    .await
    .unwrap()
    .xml();
    assert_eq!(
        caps.text_at("RestAdminPassWord/isSupportWithSecurityQuestion"),
        Some("true")
    );
    let q = send(
        &host,
        "GET",
        "/ISAPI/Security/questionConfiguration",
        &[],
        b"",
    )
    .await
    .unwrap()
    .xml();
    assert!(
        q.path("QuestionList")
            .unwrap()
            .children_named("Question")
            .all(|x| x.text_at("mark") == Some("false"))
    );
    let cert = |answers: [&str; 3], pw: &str| {
        let qs: String = answers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "<Question><id>{}</id><answer>{a}</answer></Question>",
                    i + 1
                )
            })
            .collect();
        format!(
            "<SecurityQuestion><QuestionList>{qs}</QuestionList><password>{pw}</password></SecurityQuestion>"
        )
    };
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/questionCertification",
        &[],
        cert(["a", "b", "c"], "N3w-Secret!").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.xml().text_at("subStatusCode"), Some("ResetErrorNoSEQ"));
    // Configure (encrypted with security=1), two questions is the wrong count.
    let salt = salt_of(&host, "admin").await;
    let key = cc::field_key("admin", PW, &salt, 100);
    let iv = [1u8; 16];
    let e = |v: &str| cc::enc_field(&key, &iv, v);
    let conf = |n: usize| {
        let qs: String = (1..=n)
            .map(|i| {
                format!(
                    "<Question><id>{i}</id><answer>{}</answer></Question>",
                    e(&format!("answer {i}"))
                )
            })
            .collect();
        format!(
            "<SecurityQuestion><QuestionList>{qs}</QuestionList><password>{}</password></SecurityQuestion>",
            e(PW)
        )
    };
    let target = format!(
        "/ISAPI/Security/questionConfiguration?security=1&iv={}",
        hex::encode(iv)
    );
    let r = digest(&host, "PUT", &target, "admin", PW, conf(2).as_bytes()).await;
    assert_eq!(r.xml().text_at("subStatusCode"), Some("SEQConfigNumError"));
    let r = digest(&host, "PUT", &target, "admin", PW, conf(3).as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let q = send(
        &host,
        "GET",
        "/ISAPI/Security/questionConfiguration",
        &[],
        b"",
    )
    .await
    .unwrap();
    assert!(!q.text().contains("answer 1"));
    assert!(
        q.xml()
            .path("QuestionList")
            .unwrap()
            .children_named("Question")
            .all(|x| x.text_at("mark") == Some("true"))
    );
    // A wrong answer: attempts left.
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/questionCertification",
        &[],
        cert(["answer 1", "answer 2", "nope"], "N3w-Secret!").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    let x = r.xml();
    assert_eq!(x.text_at("subStatusCode"), Some("SEQCertificateUnmatch"));
    assert_eq!(x.num_at::<u32>("retryTimes"), Some(6));
    // Right answers, weak new password: refused by policy; then a good one.
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/questionCertification",
        &[],
        cert(["answer 1", "answer 2", "answer 3"], "weak").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("passwordMustContainMorethan8Characters")
    );
    let r = send(
        &host,
        "POST",
        "/ISAPI/Security/questionCertification",
        &[],
        cert(["answer 1", "answer 2", "answer 3"], "N3w-Secret!").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "N3w-Secret!", b"")
            .await
            .status,
        200
    );
    // Seven wrong answers lock the recovery routes.
    for _ in 0..7 {
        send(
            &host,
            "PUT",
            "/ISAPI/Security/questionCertification",
            &[],
            cert(["x", "y", "z"], "N3w-Secret2!").as_bytes(),
        )
        .await
        .unwrap();
    }
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/questionCertification",
        &[],
        cert(["answer 1", "answer 2", "answer 3"], "N3w-Secret2!").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("MaxPassword attempts")
    );
    site.shutdown().await;
}

#[tokio::test]
async fn guid_email_and_export_routes() {
    let site = activated().await;
    let dev = site.device(0);
    let host = dev.host();
    // GUID export (logged in, password encrypted) and reset with the file.
    let salt = salt_of(&host, "admin").await;
    let key = cc::field_key("admin", PW, &salt, 100);
    let iv = [2u8; 16];
    let body = format!(
        "<LoginPassword><password>{}</password></LoginPassword>",
        cc::enc_field(&key, &iv, PW)
    );
    let r = digest(
        &host,
        "PUT",
        &format!(
            "/ISAPI/Security/GUIDFileData?security=1&iv={}",
            hex::encode(iv)
        ),
        "admin",
        PW,
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body.len(), 128);
    let file = r.body.clone();
    let b64 = base64::engine::general_purpose::STANDARD;
    let guid_reset = |f: &[u8], pw: &str| {
        format!(
            "<GUIDCertification><GUIDFileData>{}</GUIDFileData><password>{pw}</password></GUIDCertification>",
            b64.encode(f)
        )
    };
    let mut wrong = file.clone();
    wrong[0] = if wrong[0] == b'a' { b'b' } else { b'a' };
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/GUIDFileData/certification",
        &[],
        guid_reset(&wrong, "Guid-Reset1").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        r.xml().text_at("subStatusCode"),
        Some("GUIDFileDataUnmatch")
    );
    assert_eq!(r.xml().num_at::<u32>("retryTimes"), Some(6));
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/GUIDFileData/certification",
        &[],
        guid_reset(&file, "Guid-Reset1").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(dev.password("admin").unwrap().expose(), "Guid-Reset1");

    // Reserved e-mail: set, QR out, code from "support", reset.
    let pw = "Guid-Reset1";
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/Security/email/parameter?format=json",
        "admin",
        pw,
        br#"{"SecurityEmail":{"SecurityInformation":[{"emailAddress":"not-an-email"}]}}"#,
    )
    .await;
    assert_eq!(r.json()["subStatusCode"], "emailFormatError");
    let r = send(
        &host,
        "GET",
        "/ISAPI/Security/email/qrCode?format=json",
        &[],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.json()["subStatusCode"], "noSetSecurityEmail");
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/Security/email/parameter?format=json",
        "admin",
        pw,
        br#"{"SecurityEmail":{"SecurityInformation":[{"emailAddress":"owner@example.com"}]}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = digest(
        &host,
        "GET",
        "/ISAPI/Security/email/parameter?format=json",
        "admin",
        pw,
        b"",
    )
    .await
    .json();
    assert_eq!(
        g["SecurityEmail"]["SecurityInformation"][0]["emailAddress"],
        "owner@example.com"
    );
    let qr = send(
        &host,
        "GET",
        "/ISAPI/Security/email/qrCode?format=json",
        &[],
        b"",
    )
    .await
    .unwrap()
    .json();
    let code = support::answer_email_qr(qr["QRCode"].as_str().unwrap()).unwrap();
    let cert = |c: &str, p: &str| {
        serde_json::json!({ "EmailCertification": { "verificationCode": c, "password": p } })
            .to_string()
    };
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/emailCertification?format=json",
        &[],
        cert("ZZZZZZZZ", "Mail-Reset1").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.json()["subStatusCode"], "checkCodeError");
    assert_eq!(r.json()["retryTimes"], 6);
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/emailCertification?format=json",
        &[],
        cert(&code, "Mail-Reset1").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(dev.password("admin").unwrap().expose(), "Mail-Reset1");
    // The code is single-use.
    let r = send(
        &host,
        "PUT",
        "/ISAPI/Security/emailCertification?format=json",
        &[],
        cert(&code, "Mail-Reset2").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);

    // Exported key file answered by support.
    let other = site.device(1);
    let e_other = other.export_reset_string().unwrap();
    let reply_other = support::answer_export(&e_other).unwrap();
    let e1 = dev.export_reset_string().unwrap();
    let reply1 = support::answer_export(&e1).unwrap();
    assert_eq!(
        dev.apply_reset_reply(&reply_other, "File-Reset1"),
        Err(SupportError::OtherDevice)
    );
    let e2 = dev.export_reset_string().unwrap();
    assert_eq!(
        dev.apply_reset_reply(&reply1, "File-Reset1"),
        Err(SupportError::Expired)
    );
    let reply2 = support::answer_export(&e2).unwrap();
    assert_eq!(
        dev.apply_reset_reply(&reply2, "abc"),
        Err(SupportError::Password(
            "passwordMustContainMorethan8Characters".into()
        ))
    );
    dev.apply_reset_reply(&reply2, "File-Reset1").unwrap();
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "File-Reset1", b"")
            .await
            .status,
        200
    );
    assert_eq!(
        dev.apply_reset_reply(&reply2, "File-Reset2"),
        Err(SupportError::NoExport)
    );
    site.shutdown().await;
}

#[tokio::test]
async fn faults_on_demand() {
    let site = activated().await;
    let dev = site.device(0);
    let host = dev.host();
    let open = "/SDK/activateStatus";

    dev.set_fault(Fault::Latency(Duration::from_millis(300)));
    let t = Instant::now();
    assert_eq!(
        send(&host, "GET", open, &[], b"").await.unwrap().status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
    dev.clear_faults();

    dev.set_fault(Fault::DropConnections);
    assert!(send(&host, "GET", open, &[], b"").await.is_err());
    dev.clear_fault(Fault::DropConnections);

    dev.set_fault(Fault::TruncatedBodies);
    let r = send(&host, "GET", open, &[], b"").await.unwrap();
    assert!(r.truncated, "{:?}", r.headers);
    dev.clear_faults();

    dev.set_fault(Fault::Http500);
    let r = send(&host, "GET", open, &[], b"").await.unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(r.xml().text_at("subStatusCode"), Some("deviceError"));
    dev.clear_faults();

    dev.set_fault(Fault::GarbageXml);
    let r = send(&host, "GET", open, &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
    assert!(hikproto::xml::Element::parse(&r.body).is_err());
    dev.clear_faults();

    dev.set_fault(Fault::WrongContentType);
    let r = send(&host, "GET", open, &[], b"").await.unwrap();
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.xml().name, "ActivateStatus");
    dev.clear_faults();

    dev.set_fault(Fault::StopReading);
    let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    s.write_all(b"GET /SDK/activateStatus HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    assert!(
        tokio::time::timeout(Duration::from_millis(400), s.read(&mut buf))
            .await
            .is_err(),
        "a stuck peer answers nothing"
    );
    dev.clear_faults();
    assert_eq!(
        send(&host, "GET", open, &[], b"").await.unwrap().status,
        200
    );
    assert!(dev.stats().faults_injected >= 7);
    // The other device was never affected.
    assert_eq!(site.device(1).stats().faults_injected, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn reboot_and_factory_reset() {
    let mut d = DeviceConfig::camera(0).with_admin(PW);
    d.reboot_ms = 400;
    d.verification_code = Some("Abc123xyz".into());
    d.ezviz.enabled = true;
    let site = Site::builder().device(d).start().await.unwrap();
    let dev = site.device(0);
    let host = dev.host();
    let r = digest(&host, "PUT", "/ISAPI/System/reboot", "admin", PW, b"").await;
    assert_eq!(r.status, 200);
    assert!(dev.is_rebooting());
    assert!(
        send(&host, "GET", "/SDK/activateStatus", &[], b"")
            .await
            .is_err()
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        send(&host, "GET", "/SDK/activateStatus", &[], b"")
            .await
            .unwrap()
            .status,
        200
    );

    let r = digest(
        &host,
        "PUT",
        "/ISAPI/System/factoryReset?mode=part",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(r.status, 400);
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/System/factoryReset?mode=basic",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let cfg = dev.config();
    assert!(cfg.activated && !cfg.ezviz.enabled);
    assert_eq!(cfg.users[0].password.expose(), PW);
    assert_eq!(cfg.verification_code.unwrap().expose(), "Abc123xyz");
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/System/factoryReset?mode=full",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(!dev.is_activated());
    assert!(dev.verification_code().is_none());
    let st = send(&host, "GET", "/SDK/activateStatus", &[], b"")
        .await
        .unwrap();
    assert_eq!(st.xml().text_at("Activated"), Some("false"));
    assert_eq!(dev.serial(), dev.config().serial);
    site.shutdown().await;
}

#[tokio::test]
async fn state_file_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.json");
    let site = Site::builder()
        .devices(2)
        .password(PW)
        .state_file(&path)
        .start()
        .await
        .unwrap();
    let host = site.device(1).host();
    let body = format!(
        "<User><id>1</id><password>Pers1st-ok!</password><loginPassword>{PW}</loginPassword></User>"
    );
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/Security/users/1",
        "admin",
        PW,
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Hik-Connect: bind, then change the code on the device (a mismatch the platform keeps).
    let ez = "/ISAPI/System/Network/EZVIZ";
    let r = digest(
        &host,
        "PUT",
        ez,
        "admin",
        "Pers1st-ok!",
        b"<EZVIZ><enabled>true</enabled><verificationCode>Abc123xyz</verificationCode></EZVIZ>",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    site.platform()
        .bind(site.device(1).serial(), "alice", "Abc123xyz")
        .unwrap();
    let r = digest(
        &host,
        "PUT",
        ez,
        "admin",
        "Pers1st-ok!",
        b"<EZVIZ><verificationCode>Changed99</verificationCode></EZVIZ>",
    )
    .await;
    assert_eq!(r.status, 200);
    // The background saver writes within a few hundred milliseconds.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("Pers1st-ok!"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o077,
            0
        );
    }
    site.shutdown().await;
    let again = Site::builder().state_file(&path).start().await.unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(again.device(1).host(), host, "the same port is bound again");
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Pers1st-ok!", b"")
            .await
            .status,
        200
    );
    let rec = again.platform().record(again.device(1).serial()).unwrap();
    assert_eq!(rec.account.as_deref(), Some("alice"));
    assert_eq!(rec.code.unwrap().expose(), "Abc123xyz");
    assert_eq!(rec.offline_reason.as_deref(), Some("secretKeyInvalid"));
    again.shutdown().await;
}

mod pin {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use sha2::Digest as _;

    #[derive(Debug)]
    pub(crate) struct Pin(
        pub(crate) [u8; 32],
        pub(crate) Arc<rustls::crypto::CryptoProvider>,
    );

    impl ServerCertVerifier for Pin {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if sha2::Sha256::digest(end_entity.as_ref()).as_slice() == self.0 {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::General("pin mismatch".into()))
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.1.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.1.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.1.signature_verification_algorithms.supported_schemes()
        }
    }
}

async fn tls_get(
    addr: std::net::SocketAddr,
    verifier: Option<[u8; 32]>,
    target: &str,
) -> std::io::Result<common::Resp> {
    use tokio::io::AsyncWriteExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let config = match verifier {
        Some(fp) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(pin::Pin(fp, provider)))
            .with_no_client_auth(),
        None => builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    };
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await?;
    tls.write_all(
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let buf = common::read_all(&mut tls).await?;
    common::parse_response(&buf)
}

#[tokio::test]
async fn https_with_pinned_self_signed_certificate() {
    let site = Site::builder()
        .devices(2)
        .password(PW)
        .https(true)
        .start()
        .await
        .unwrap();
    let dev = site.device(0);
    let fp = dev.cert_sha256().unwrap();
    assert_eq!(
        site.device(1).cert_sha256(),
        Some(fp),
        "one certificate per site by default"
    );
    let addr = dev.https_addr().unwrap();
    assert!(dev.https_url().unwrap().starts_with("https://127.0.0.1:"));
    let r = tls_get(addr, Some(fp), "/SDK/activateStatus")
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.xml().text_at("Activated"), Some("true"));
    assert!(
        tls_get(addr, None, "/SDK/activateStatus").await.is_err(),
        "not trusted by default"
    );
    assert!(
        tls_get(addr, Some([0u8; 32]), "/SDK/activateStatus")
            .await
            .is_err(),
        "wrong pin"
    );
    site.shutdown().await;

    let site = Site::builder()
        .devices(2)
        .password(PW)
        .https(true)
        .cert_per_device(true)
        .start()
        .await
        .unwrap();
    assert_ne!(site.device(0).cert_sha256(), site.device(1).cert_sha256());
    site.shutdown().await;
}
