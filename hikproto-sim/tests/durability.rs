//! State durability: the `hikproto-sim` binary with a state file is killed with SIGKILL at random
//! moments while clients change device settings through ISAPI, then restarted, again and again.
//! After every kill the state file must parse, and every change the simulator acknowledged must
//! be in it (the only other value allowed is the one change in flight at the kill); after every
//! restart the devices must serve what the file holds.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hikproto::Device;
use hikproto::isapi::time::{NtpServer, NtpServers};
use hikproto_sim::SiteConfig;
use rand::Rng;

const PW: &str = "Durable-Pass1";
const DEVICES: usize = 2;
const ROUNDS: usize = 12;

/// Per device: the last acknowledged NTP host and the one in flight (sent, not yet answered).
type Ledger = Arc<Mutex<Vec<(Option<String>, Option<String>)>>>;

fn start(config: &Path) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hikproto-sim"))
        .args(["--config", config.to_str().expect("utf-8 path"), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start hikproto-sim");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("device list");
    let v: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("device list {line:?}: {e}"));
    let hosts = v["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| {
            d["isapi_url"]
                .as_str()
                .and_then(|u| u.strip_prefix("http://"))
                .expect("an http URL")
                .to_owned()
        })
        .collect();
    (child, hosts)
}

fn client(host: &str) -> Device {
    Device::builder(host)
        .credentials("admin", PW)
        .timeout(Duration::from_secs(3))
        .lockout_guard(hikproto::LockoutGuard::new())
        .build()
        .expect("client")
}

/// Changes device `i`'s NTP host over and over, recording what was acknowledged.
async fn writer(i: usize, host: String, round: usize, ledger: Ledger) {
    let dev = client(&host);
    for n in 0.. {
        let name = format!("ntp-r{round}-d{i}-{n}.example");
        ledger.lock().expect("ledger")[i].1 = Some(name.clone());
        let mut list = NtpServers::default();
        list.servers = vec![NtpServer::new("1", &name)];
        let body = list.to_element();
        match dev.put_xml("/ISAPI/System/time/ntpServers", &body).await {
            Ok(st) if st.is_success() => {
                let mut l = ledger.lock().expect("ledger");
                l[i] = (Some(name), None);
            }
            // the process is being killed: stop
            _ => return,
        }
    }
}

/// Asserts each device's NTP host is the acknowledged one or the one in flight.
fn check(what: &str, found: &[String], ledger: &Ledger) {
    let l = ledger.lock().expect("ledger");
    for (i, host) in found.iter().enumerate() {
        let (acked, in_flight) = &l[i];
        let Some(acked) = acked else {
            continue;
        };
        assert!(
            host == acked || Some(host) == in_flight.as_ref(),
            "{what}, device {i}: found {host:?}, acknowledged {acked:?}, in flight {in_flight:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    let config = dir.path().join("site.toml");
    let mut toml = format!("state_file = {:?}\n", state.to_str().expect("utf-8"));
    for _ in 0..DEVICES {
        toml.push_str(&format!(
            "\n[[devices]]\nactivated = true\nusers = [{{ name = \"admin\", password = \"{PW}\" }}]\n"
        ));
    }
    std::fs::write(&config, toml).expect("config");
    let ledger: Ledger = Arc::new(Mutex::new(vec![(None, None); DEVICES]));
    let mut rng = rand::thread_rng();
    let mut acked_total = 0;
    for round in 0..ROUNDS {
        let (mut child, hosts) = start(&config);
        assert_eq!(hosts.len(), DEVICES);
        // after a restart the devices serve what was kept
        let mut served = Vec::new();
        for h in &hosts {
            let s = client(h)
                .ntp_servers()
                .await
                .expect("restarted device answers");
            served.push(
                s.servers
                    .first()
                    .and_then(|s| s.host_name.clone())
                    .unwrap_or_default(),
            );
        }
        check(&format!("after restart {round}"), &served, &ledger);
        {
            // what is served is now the baseline: nothing is in flight
            let mut l = ledger.lock().expect("ledger");
            for (i, s) in served.iter().enumerate() {
                if l[i].0.is_some() {
                    l[i] = (Some(s.clone()), None);
                }
            }
        }
        let tasks: Vec<_> = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| tokio::spawn(writer(i, h.clone(), round, ledger.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(50..700))).await;
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reaped");
        assert!(!status.success(), "killed, not exited: {status:?}");
        for t in tasks {
            let _ = t.await;
        }
        // the file parses and holds every acknowledged change
        let saved = SiteConfig::from_file(&state)
            .unwrap_or_else(|e| panic!("round {round}: the state file does not parse: {e}"));
        assert_eq!(saved.devices.len(), DEVICES);
        let on_disk: Vec<String> = saved
            .devices
            .iter()
            .map(|d| d.time.ntp_server.clone())
            .collect();
        check(&format!("state file after kill {round}"), &on_disk, &ledger);
        acked_total += ledger
            .lock()
            .expect("ledger")
            .iter()
            .filter(|(a, _)| {
                a.as_deref()
                    .is_some_and(|a| a.contains(&format!("-r{round}-")))
            })
            .count();
    }
    assert!(
        acked_total >= ROUNDS / 2,
        "changes were acknowledged in most rounds ({acked_total})"
    );
    // only the state file is left, plus at most temporary files of writes cut short
    let others: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "state.json" && n != "site.toml")
        .collect();
    assert!(others.len() <= ROUNDS, "stray files: {others:?}");
}
