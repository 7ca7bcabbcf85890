use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hikproto::sadp::{
    ClientOptions, DeviceTarget, DiscoverOptions, DiscoveryEvent, Message, NetworkParams,
    ProbeTarget, SadpClient, Via, WatchOptions, Watcher, decode, discover, watch,
};

use crate::*;
use hikproto_sim::sadp::{
    DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig, Separator,
};

#[tokio::test]
async fn finds_quirky_responders_by_unicast() {
    let plain = one(
        DeviceView::camera(1),
        Quirks::default(),
        ResponderConfig::loopback(),
    )
    .await;
    let quirky = one(
        DeviceView::camera(2).with_password(PW),
        Quirks::all(),
        ResponderConfig::loopback(),
    )
    .await;
    let bare = one(
        DeviceView::camera(3),
        Quirks {
            separator: Separator::None,
            ipv4_lower_v: true,
            ..Quirks::default()
        },
        ResponderConfig::loopback(),
    )
    .await;
    let addrs = vec![
        plain.responder.local_addr(),
        quirky.responder.local_addr(),
        bare.responder.local_addr(),
    ];
    let found = discover(&fast(addrs.clone()).expect(3)).await.unwrap();
    assert_eq!(found.len(), 3);
    for (i, one) in [&plain, &quirky, &bare].into_iter().enumerate() {
        let v = one.dev.view();
        let d = found
            .iter()
            .find(|d| d.info.device_sn.as_deref() == Some(v.serial.as_str()))
            .unwrap_or_else(|| panic!("device {i} missing"));
        assert_eq!(d.from, addrs[i]);
        assert_eq!(d.via, Via::Unicast);
        assert_eq!(d.mac.to_string(), v.mac);
        assert_eq!(d.info.ipv4_address, Some(v.ipv4), "device {i}");
        assert_eq!(d.info.ipv4_subnet_mask, Some(v.mask));
        assert_eq!(d.info.activated, Some(v.activated));
        assert_eq!(d.info.hc_platform_enable, Some(false), "flase or false");
        assert_eq!(d.info.device_lock, Some(true));
        assert_eq!(d.info.device_type, Some(141_945));
        assert_eq!(d.info.salt.as_deref(), v.salt.as_deref());
        assert_eq!(d.info.command_port, Some(8000));
        assert!(d.info.malformed.is_empty(), "{:?}", d.info.malformed);
    }
    let t = found[0].target();
    assert_eq!(t.user, "admin");
    assert!(t.salt.is_some());
}

#[tokio::test]
async fn one_responder_many_devices_deduplicated_by_mac() {
    let devs: Vec<_> = (10..15)
        .map(|i| MemoryDevice::new(DeviceView::camera(i)))
        .collect();
    let regs = devs
        .iter()
        .map(|d| Registration::new(d.clone(), Quirks::default()))
        .collect();
    let r = Responder::start(ResponderConfig::loopback(), regs)
        .await
        .unwrap();
    // the same device also answers from a second responder: still one entry
    let twin = Responder::start(
        ResponderConfig::loopback(),
        vec![Registration::new(devs[0].clone(), Quirks::default())],
    )
    .await
    .unwrap();
    let opts = DiscoverOptions {
        timeout: Duration::from_millis(700),
        ..fast(vec![r.local_addr(), r.local_addr(), twin.local_addr()])
    };
    let found = discover(&opts).await.unwrap();
    assert_eq!(found.len(), 5, "{found:#?}");
    let mut macs: Vec<String> = found.iter().map(|d| d.mac.to_string()).collect();
    macs.sort();
    macs.dedup();
    assert_eq!(macs.len(), 5);
    let first = found
        .iter()
        .find(|d| d.mac.to_string() == devs[0].view().mac)
        .unwrap();
    assert!(
        first.replies >= 2,
        "heard from both responders: {}",
        first.replies
    );
}

#[tokio::test]
async fn subnet_sweep_with_inquiry_v32() {
    // four responders on 127.0.0.2..=127.0.0.5, all on the same port, found by sweeping .1–.8
    let probe = std::net::UdpSocket::bind("127.0.0.2:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut rs = Vec::new();
    for (i, last) in (2u8..=5).enumerate() {
        let cfg = ResponderConfig {
            bind: SocketAddr::from(([127, 0, 0, last], port)),
            ..ResponderConfig::loopback()
        };
        rs.push(one(DeviceView::camera(20 + i as u32), Quirks::default(), cfg).await);
    }
    let opts = DiscoverOptions {
        targets: vec![ProbeTarget::SubnetRange {
            start: Ipv4Addr::new(127, 0, 0, 1),
            end: Ipv4Addr::new(127, 0, 0, 8),
            port,
        }],
        ..fast(Vec::new())
    }
    .expect(4);
    let found = discover(&opts).await.unwrap();
    assert_eq!(found.len(), 4);
    for d in &found {
        assert_eq!(d.info.types, hikproto::sadp::ProbeType::InquiryV32);
        assert_eq!(d.info.ipv4_dhcp_ability, Some(true), "the v32 reply fields");
        assert!(rs.iter().any(|r| r.responder.local_addr() == d.from));
    }
    // more than 4096 addresses is refused before anything is sent
    let too_many =
        DiscoverOptions::subnet_range(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 16, 0));
    assert!(matches!(
        discover(&too_many).await,
        Err(Error::InvalidInput(_))
    ));
}

async fn next(w: &mut Watcher) -> DiscoveryEvent {
    tokio::time::timeout(Duration::from_secs(5), w.next())
        .await
        .expect("an event in time")
        .expect("watcher running")
}

#[tokio::test]
async fn watch_reports_found_updated_gone() {
    let o = activated(30).await;
    let addr = o.responder.local_addr();
    let mut w = watch(WatchOptions {
        discover: fast(vec![addr]),
        interval: Duration::from_millis(100),
        offline_after: Duration::from_millis(600),
        capacity: 16,
    })
    .await
    .unwrap();
    let first = next(&mut w).await;
    let DiscoveryEvent::Found(d) = &first else {
        panic!("{first:?}")
    };
    let old_ip = d.info.ipv4_address.unwrap();
    // change the address over SADP: the next round reports it
    let c = client().await;
    let mut params = NetworkParams::from_probe_match(&d.info).unwrap();
    params.ipv4_address = Ipv4Addr::new(10, 99, 0, 7);
    c.update_network(&d.target(), &params, &secret(PW))
        .await
        .unwrap();
    let ev = next(&mut w).await;
    match &ev {
        DiscoveryEvent::Updated(d) => {
            assert_ne!(Some(old_ip), d.info.ipv4_address);
            assert_eq!(d.info.ipv4_address, Some(Ipv4Addr::new(10, 99, 0, 7)));
        }
        other => panic!("{other:?}"),
    }
    // the device goes away: no "bye" in SADP, so it is reported gone after offline_after
    o.responder.shutdown().await;
    let ev = next(&mut w).await;
    assert!(
        matches!(ev, DiscoveryEvent::Gone(ref d) if d.mac.to_string() == o.dev.view().mac),
        "{ev:?}"
    );
}

#[tokio::test]
async fn hostile_datagrams_do_not_stop_the_responder() {
    let o = one(
        DeviceView::camera(40),
        Quirks::default(),
        ResponderConfig::loopback(),
    )
    .await;
    let addr = o.responder.local_addr();
    let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    let many = format!(
        "<Probe><Uuid>U</Uuid><Types>inquiry</Types>{}</Probe>",
        "<x/>".repeat(2000)
    );
    let hostile: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0xff; 1500],
        b"<Probe>".to_vec(),
        b"<Probe><Types>inquiry</Types></Probe>".to_vec(),
        b"<ProbeMatch><Uuid>U</Uuid><Types>inquiry</Types></ProbeMatch>".to_vec(),
        b"<Probe><Uuid>U</Uuid><Types>getcode</Types><MAC>zz</MAC></Probe>".to_vec(),
        b"<!DOCTYPE p [<!ENTITY x \"y\">]><Probe>&x;</Probe>".to_vec(),
        deep.into_bytes(),
        many.into_bytes(),
        vec![b'<'; 60_000],
    ];
    for h in &hostile {
        s.send_to(h, addr).await.unwrap();
    }
    // a command for a MAC the responder does not serve is ignored (no reply)
    s.send_to(
        b"<Probe><Uuid>V</Uuid><MAC>00-00-5e-00-53-01</MAC><Types>getcode</Types></Probe>",
        addr,
    )
    .await
    .unwrap();
    // an absurd timeout is not an overflow: the search ends when the device has answered
    let opts = DiscoverOptions {
        timeout: Duration::MAX,
        resend_interval: Duration::MAX,
        ..fast(vec![addr])
    };
    let found = discover(&opts.expect(1)).await.unwrap();
    assert_eq!(found.len(), 1);
    let mut buf = [0u8; 2048];
    let silent = tokio::time::timeout(Duration::from_millis(200), s.recv_from(&mut buf)).await;
    assert!(silent.is_err(), "no reply to hostile input");
    assert!(
        o.responder.stats().malformed >= 9,
        "{:?}",
        o.responder.stats()
    );
}

#[tokio::test]
async fn hello_at_start_up() {
    let listener = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let cfg = ResponderConfig {
        hello_to: Some(listener.local_addr().unwrap()),
        ..ResponderConfig::loopback()
    };
    let o = one(DeviceView::camera(41), Quirks::all(), cfg).await;
    let mut buf = vec![0u8; 65_535];
    let (n, _) = tokio::time::timeout(Duration::from_secs(2), listener.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    match decode(&buf[..n]).unwrap() {
        Message::Hello(m) => {
            assert_eq!(m.mac.unwrap().to_string(), o.dev.view().mac);
            assert_eq!(m.activated, Some(false));
            assert_eq!(m.hc_platform_enable, Some(false), "flase");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn silent_network_gives_an_empty_list_and_commands_time_out() {
    let nobody = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = nobody.local_addr().unwrap();
    drop(nobody);
    let opts = DiscoverOptions {
        timeout: Duration::from_millis(300),
        ..fast(vec![addr])
    };
    assert!(discover(&opts).await.unwrap().is_empty());
    let c = SadpClient::new(ClientOptions {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        timeout: Duration::from_secs(30),
        ..Default::default()
    })
    .await
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    assert_eq!(c.timeout(), Duration::from_millis(300));
    let t = DeviceTarget::new("00-00-5e-00-53-02".parse().unwrap(), addr);
    let started = std::time::Instant::now();
    match c.blink(&t, true).await {
        Err(Error::Timeout { operation, .. }) => assert!(operation.contains("lamp"), "{operation}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
}
