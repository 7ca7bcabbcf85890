//! Scale: a LAN-addressed simulated site (every device on its own loopback address, one
//! listening socket per port) swept through `Fleet`, SADP discovery by address range, idle
//! keep-alive connections closed by the device, and connections to addresses without a device
//! dropped. Correctness only: nothing here is timed except bounded waits against hangs.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use hikproto::Device;
use hikproto::fleet::{Fleet, Summary};
use hikproto::sadp::{DiscoverOptions, ProbeTarget, discover};
use hikproto_sim::{LanAddressing, Site};

const PW: &str = "Scale-Pass1x";

async fn lan_site(n: usize, first: Ipv4Addr) -> Site {
    Site::builder()
        .devices(n)
        .password(PW)
        .lan(LanAddressing::ephemeral(first))
        .start()
        .await
        .expect("simulator starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_thousand_device_lan_sweep_has_no_failure() {
    const N: usize = 10_000;
    let site = lan_site(N, Ipv4Addr::new(127, 10, 0, 1)).await;
    let port = site.device(0).http_addr().port();
    // one port for all, one address each
    let addrs: HashSet<_> = site.devices().iter().map(|d| d.http_addr()).collect();
    assert_eq!(addrs.len(), N);
    assert!(site.devices().iter().all(|d| d.http_addr().port() == port));
    assert_eq!(
        site.device(N - 1).http_addr().ip().to_string(),
        "127.10.39.16"
    );
    let devices: Vec<Device> = site
        .devices()
        .iter()
        .map(|d| {
            Device::builder(d.host())
                .credentials("admin", PW)
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client builds")
        })
        .collect();
    let results = Fleet::new()
        .concurrency(64)
        .run(devices, |dev| async move { dev.device_info().await })
        .await;
    let s = Summary::of(&results);
    let failures: Vec<_> = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| (r.index, e.to_string())))
        .take(5)
        .collect();
    assert_eq!((s.ok, s.failed), (N, 0), "first failures: {failures:?}");
    // each answer came from the device at that address
    for (r, d) in results.iter().zip(site.devices()) {
        let info = r.outcome.as_ref().expect("checked above");
        assert_eq!(info.serial_number.as_deref(), Some(d.serial()));
        assert!(
            d.stats().connections >= 1,
            "device {} saw no connection",
            r.index
        );
    }
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_range_discovery_finds_every_lan_device_once() {
    const N: usize = 300;
    let site = Site::builder()
        .devices(N)
        .password(PW)
        .lan(LanAddressing::ephemeral(Ipv4Addr::new(127, 11, 1, 1)))
        .sadp_port(0)
        .start()
        .await
        .expect("simulator starts");
    let port = site.device(0).sadp_addr().expect("SADP runs").port();
    let mut options =
        DiscoverOptions::subnet_range(Ipv4Addr::new(127, 11, 1, 1), Ipv4Addr::new(127, 11, 4, 255))
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .timeout(Duration::from_secs(20))
            .expect(N);
    options.targets = vec![ProbeTarget::SubnetRange {
        start: Ipv4Addr::new(127, 11, 1, 1),
        end: Ipv4Addr::new(127, 11, 4, 255),
        port,
    }];
    let found = discover(&options).await.expect("discovery runs");
    assert_eq!(found.len(), N);
    let by_ip: HashSet<_> = found.iter().map(|f| f.from.ip()).collect();
    for d in site.devices() {
        let ip = d.sadp_addr().expect("SADP runs").ip();
        assert!(by_ip.contains(&ip), "{ip} did not answer");
        assert_eq!(d.http_addr().ip(), ip);
    }
    site.shutdown().await;
}

/// Sends one request on a raw connection and reads the answer's head.
fn one_request(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("request sent");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).expect("answer read");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed_and_strangers_dropped() {
    let site = Site::builder()
        .devices(2)
        .password(PW)
        .lan(LanAddressing::ephemeral(Ipv4Addr::new(127, 12, 0, 1)))
        .idle_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("simulator starts");
    let addr = site.device(1).http_addr();
    let port = addr.port();
    let (head, closed, stranger) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = one_request(&mut s);
        // the connection is kept alive, then closed by the device once idle: EOF, not a timeout
        let mut rest = [0u8; 64];
        let closed = matches!(s.read(&mut rest), Ok(0));
        // an address of the range without a device: accepted by the shared socket, then dropped
        let mut other = TcpStream::connect((Ipv4Addr::new(127, 12, 0, 3), port)).expect("connects");
        other
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let _ = other.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let stranger = matches!(other.read(&mut rest), Ok(0) | Err(_));
        (head, closed, stranger)
    })
    .await
    .unwrap();
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    assert!(closed, "the idle connection was not closed by the device");
    assert!(
        stranger,
        "a connection to an address without a device was served"
    );
    assert_eq!(site.device(1).stats().connections, 1);
    assert_eq!(site.device(0).stats().connections, 0);
    site.shutdown().await;
}
