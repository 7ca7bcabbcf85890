//! SADP carries a secret only sealed with the `exchangecode` session key, or in clear after an
//! explicit opt-in (`SadpClient::allow_plaintext_secrets`). The simulated responder keeps every
//! datagram it received, so each case proves what reached the device: nothing at all for a
//! refusal, no secret in clear for a sealed command.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hikproto::sadp::{DeviceTarget, DiscoverOptions, GuidFile, SadpClient, discover};
use hikproto::{Error, Secret};
use hikproto_sim::sadp::{
    DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig, tokens,
};

const PW: &str = "Sadp!Adm1n#Pw7";
const RESET_PW: &str = "R3set!Sadp#Pw4";
const NEW_CODE: &str = "Vq8Lm2Xe";
const ANSWERS: [&str; 3] = ["Pelicanfjord", "Marmaladeway", "Cobaltpine9"];

struct Dev {
    responder: Responder,
    dev: Arc<MemoryDevice>,
    target: DeviceTarget,
}

async fn device(index: u32, code_encrypt: bool) -> Dev {
    let mut view = DeviceView::camera(index).with_password(PW);
    view.features.code_encrypt = code_encrypt;
    let dev = MemoryDevice::new(view);
    let responder = Responder::start(
        ResponderConfig::loopback(),
        vec![Registration::new(dev.clone(), Quirks::default())],
    )
    .await
    .expect("responder starts");
    let opts = DiscoverOptions {
        timeout: Duration::from_secs(3),
        resend_interval: Duration::from_millis(200),
        ..DiscoverOptions::unicast(vec![responder.local_addr()])
    }
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    .expect(1);
    let found = discover(&opts).await.expect("discovery runs");
    assert_eq!(found.len(), 1, "the device answered discovery");
    let target = found[0].target();
    assert_eq!(
        target.code_encrypt, code_encrypt,
        "codeEncrypt as advertised"
    );
    Dev {
        responder,
        dev,
        target,
    }
}

async fn client() -> SadpClient {
    hikproto_tests::clients::sadp_client().await
}

fn s(v: &str) -> Secret {
    Secret::new(v)
}

/// The datagrams received since `from` (an index into [`Responder::received`]).
fn since(d: &Dev, from: usize) -> Vec<String> {
    d.responder
        .received()
        .into_iter()
        .skip(from)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

/// The secrets (each in clear) found in `datagrams`.
fn in_clear(datagrams: &[String], secrets: &[&str]) -> Vec<String> {
    secrets
        .iter()
        .filter(|sec| datagrams.iter().any(|d| d.contains(*sec)))
        .map(|sec| (*sec).to_owned())
        .collect()
}

#[track_caller]
fn assert_sadp_refusal(r: hikproto::Result<()>) {
    match r {
        Err(Error::InvalidInput(m)) => {
            assert!(
                m.contains("over SADP") && m.contains("allow_plaintext_secrets"),
                "the refusal names the opt-in: {m}"
            );
        }
        other => panic!("expected the SADP plain-text refusal, got {other:?}"),
    }
}

/// A support reply for the device's current export string (the support desk's answer).
async fn support_reply(c: &SadpClient, d: &Dev) -> String {
    tokens::support_reply(&c.encrypt_string(&d.target).await.expect("export string"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_code_travels_sealed_or_only_after_the_opt_in() {
    let c = client().await;

    // a device without codeEncrypt: the reply would go in clear
    let d = device(310, false).await;
    let reply = support_reply(&c, &d).await;
    let before = d.responder.received().len();
    let commands = d.responder.stats().commands;
    assert_sadp_refusal(
        c.reset_with_code(&d.target, &s(&reply), &s(RESET_PW), false)
            .await,
    );
    assert!(since(&d, before).is_empty(), "nothing reached the device");
    assert_eq!(d.responder.stats().commands, commands);
    for r in [
        c.reset_by_mail_code(&d.target, &s("123456"), &s(RESET_PW), false)
            .await,
        c.reset_by_phone_code(&d.target, &s("654321"), &s(RESET_PW))
            .await,
        c.reset_legacy(&d.target, &s("LegacyCode77")).await,
    ] {
        assert_sadp_refusal(r);
    }
    assert!(since(&d, before).is_empty(), "nothing reached the device");
    assert_eq!(d.dev.view().admin_password.unwrap().expose(), PW);

    // the opt-in sends it: the code is on the wire in clear (the scan sees it), the new
    // password is not (sealed)
    c.allow_plaintext_secrets()
        .reset_with_code(&d.target, &s(&reply), &s(RESET_PW), false)
        .await
        .expect("the opted-in reset succeeds");
    assert_eq!(d.dev.view().admin_password.unwrap().expose(), RESET_PW);
    let wire = since(&d, before);
    assert_eq!(in_clear(&wire, &[reply.as_str()]), vec![reply.clone()]);
    assert!(in_clear(&wire, &[RESET_PW, PW]).is_empty(), "{wire:?}");

    // a device advertising codeEncrypt: no opt-in needed, nothing in clear
    let d = device(311, true).await;
    let reply = support_reply(&c, &d).await;
    let before = d.responder.received().len();
    c.reset_with_code(&d.target, &s(&reply), &s(RESET_PW), false)
        .await
        .expect("the sealed reset succeeds");
    assert_eq!(d.dev.view().admin_password.unwrap().expose(), RESET_PW);
    let wire = since(&d, before);
    assert!(!wire.is_empty(), "the reset reached the device");
    assert!(
        in_clear(&wire, &[reply.as_str(), RESET_PW, PW]).is_empty(),
        "{wire:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guid_travels_only_after_the_opt_in() {
    let c = client().await;
    let d = device(312, true).await;
    let guid: GuidFile = c.export_guid(&d.target, &s(PW)).await.expect("export");
    let token = guid.token().expose().trim().to_owned();
    let before = d.responder.received().len();
    assert_sadp_refusal(c.reset_by_guid(&d.target, &guid, &s(RESET_PW), false).await);
    assert!(since(&d, before).is_empty(), "nothing reached the device");
    c.allow_plaintext_secrets()
        .reset_by_guid(&d.target, &guid, &s(RESET_PW), false)
        .await
        .expect("the opted-in GUID reset succeeds");
    assert_eq!(d.dev.view().admin_password.unwrap().expose(), RESET_PW);
    let wire = since(&d, before);
    assert_eq!(
        in_clear(&wire, &[token.as_str()]).len(),
        1,
        "positive control"
    );
    assert!(in_clear(&wire, &[RESET_PW, PW]).is_empty(), "{wire:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_commands_never_put_a_secret_on_the_wire_in_clear() {
    let c = client().await;
    let d = device(313, false).await;
    let before = d.responder.received().len();
    let answers: Vec<(u32, Secret)> = ANSWERS
        .iter()
        .zip(1u32..)
        .map(|(a, id)| (id, s(a)))
        .collect();
    c.set_security_questions(&d.target, &answers, &s(PW))
        .await
        .expect("questions set");
    c.set_verification_code(&d.target, &s(NEW_CODE), &s(PW))
        .await
        .expect("code set");
    c.set_mailbox(&d.target, "owner.sadp@example.net", &s(PW))
        .await
        .expect("mailbox set");
    c.reset_by_answers(&d.target, &answers, &s(RESET_PW), false)
        .await
        .expect("answers reset");
    assert_eq!(d.dev.view().admin_password.unwrap().expose(), RESET_PW);
    let wire = since(&d, before);
    assert!(
        wire.len() >= 8,
        "exchanges and commands arrived: {}",
        wire.len()
    );
    let mut secrets = vec![PW, RESET_PW, NEW_CODE, "owner.sadp@example.net"];
    secrets.extend(ANSWERS);
    assert!(in_clear(&wire, &secrets).is_empty(), "{wire:?}");
}
