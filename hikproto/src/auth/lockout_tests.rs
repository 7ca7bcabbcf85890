use std::time::Duration;

use super::*;

const HOST: &str = "192.0.2.1:80";

fn rejected() -> LoginOutcome {
    LoginOutcome::Rejected {
        attempts_left: None,
    }
}

#[test]
fn rejected_credential_is_latched_until_cleared() {
    let g = LockoutGuard::new();
    let bad = Credentials::new("admin", "wrong");
    let good = Credentials::new("admin", "right");
    assert!(g.check(HOST, &bad).is_ok());
    g.latch(
        HOST,
        &bad,
        &LoginOutcome::Rejected {
            attempts_left: Some(4),
        },
    );
    assert!(matches!(
        g.check(HOST, &bad),
        Err(Error::CredentialLatched { user }) if user == "admin"
    ));
    // another password, another device, another user: all fine
    assert!(g.check(HOST, &good).is_ok());
    assert!(g.check("192.0.2.2:80", &bad).is_ok());
    assert!(
        g.check(HOST, &Credentials::new("operator", "wrong"))
            .is_ok()
    );
    // success with another credential does not lift the latch of the bad one
    g.record_success(HOST, &good);
    assert!(g.check(HOST, &bad).is_err());
    assert_eq!(
        g.latch_reason(HOST, &bad),
        Some((LatchReason::Rejected, None))
    );
    g.clear(HOST, "admin");
    assert!(g.check(HOST, &bad).is_ok());
    assert_eq!(g.latched_accounts(), 0);
}

#[test]
fn scheme_port_and_case_share_the_latch_serial_joins_names() {
    let g = LockoutGuard::new();
    let c = Credentials::new("admin", "wrong");
    g.latch("Cam.Example:80", &c, &rejected());
    for same in [
        "cam.example:443",
        "https://cam.example:8443/x",
        "CAM.EXAMPLE",
    ] {
        assert!(g.is_latched(same, &c), "{same}");
    }
    assert!(!g.is_latched("192.0.2.7:80", &c));
    // once both spellings learned the serial, they share it
    g.learn_serial("cam.example:80", "DS-1234");
    g.learn_serial("192.0.2.7:443", "DS-1234");
    assert!(g.is_latched("192.0.2.7:443", &c));
    assert!(!g.is_latched("192.0.2.7:80", &Credentials::new("admin", "other")));
    // IPv6 literal with and without port
    g.latch("[2001:db8::1]:80", &c, &rejected());
    assert!(g.is_latched("[2001:DB8::1]:443", &c));
    g.clear("192.0.2.7:443", "admin");
    assert!(!g.is_latched("192.0.2.7:443", &c));
}

#[test]
fn lock_latch_expires_only_for_a_verified_credential() {
    let g = LockoutGuard::new();
    let good = Credentials::new("admin", "pw");
    let unknown = Credentials::new("admin", "pw2");
    let lock = LoginOutcome::Locked {
        retry_after: Some(Duration::from_millis(30)),
    };
    g.record_success(HOST, &good);
    // the first answer saying "locked" may have been caused by the credential it answered
    g.latch(HOST, &unknown, &lock);
    g.latch(HOST, &good, &lock);
    assert!(g.is_latched(HOST, &good));
    std::thread::sleep(Duration::from_millis(60));
    assert!(!g.is_latched(HOST, &good), "the lock was not caused by it");
    assert!(g.is_latched(HOST, &unknown), "it may have caused the lock");
    g.latch(HOST, &good, &LoginOutcome::Locked { retry_after: None });
    assert!(g.is_latched(HOST, &good), "a lock without a time stays");
}

#[test]
fn a_credential_sent_into_a_known_lock_expires_with_it_on_that_address_only() {
    let g = LockoutGuard::new();
    let lock = LoginOutcome::Locked {
        retry_after: Some(Duration::from_millis(40)),
    };
    let first = Credentials::new("admin", "tipped-it");
    let later = Credentials::new("admin", "right");
    g.latch(HOST, &first, &lock);
    g.latch(HOST, &later, &lock);
    assert!(g.is_latched(HOST, &later));
    assert!(
        !g.is_latched("192.0.2.1:8080", &later),
        "another device behind the same address is not locked"
    );
    std::thread::sleep(Duration::from_millis(80));
    assert!(!g.is_latched(HOST, &later), "it met an existing lock");
    assert!(g.is_latched(HOST, &first), "it may have triggered the lock");
    assert!(g.is_latched("192.0.2.1:8080", &first));
}

#[test]
fn a_rejection_is_never_downgraded_to_a_lock() {
    let g = LockoutGuard::new();
    let c = Credentials::new("admin", "pw");
    g.record_success(HOST, &c);
    g.latch(HOST, &c, &rejected());
    g.latch(
        HOST,
        &c,
        &LoginOutcome::Locked {
            retry_after: Some(Duration::from_millis(1)),
        },
    );
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(
        g.latch_reason(HOST, &c),
        Some((LatchReason::Rejected, None))
    );
}

#[test]
fn guards_are_isolated_but_global_is_shared() {
    let a = LockoutGuard::new();
    let b = LockoutGuard::new();
    let c = Credentials::new("admin", "x");
    a.latch(HOST, &c, &rejected());
    assert!(!b.is_latched(HOST, &c));
    assert!(LockoutGuard::global().same_as(&LockoutGuard::global()));
    assert!(!a.same_as(&b));
    assert!(a.same_as(&a.clone()));
}

#[test]
fn bounded() {
    let g = LockoutGuard::new();
    for i in 0..(MAX_LATCHES_PER_ACCOUNT + 3) {
        let c = Credentials::new("admin", format!("pw{i}"));
        g.latch(HOST, &c, &rejected());
    }
    let st = g.lock();
    assert_eq!(
        st.accounts[&("host:192.0.2.1".to_owned(), "admin".to_owned())].len(),
        MAX_LATCHES_PER_ACCOUNT
    );
}

#[test]
fn debug_shows_no_secret() {
    let g = LockoutGuard::new();
    let c = Credentials::new("admin", "Sup3rSecret");
    g.latch(HOST, &c, &rejected());
    let s = format!("{g:?}");
    assert!(!s.contains("Sup3rSecret"));
}

#[tokio::test]
async fn single_flight_one_carrier_waiters_share_the_verdict() {
    let g = LockoutGuard::new();
    let c = Credentials::new("admin", "wrong");
    let carrier = g.admit(HOST, &c).await.expect("first call carries");
    assert!(carrier.is_carrier());
    let waiters: Vec<_> = (0..8)
        .map(|_| {
            let (g, c) = (g.clone(), c.clone());
            tokio::spawn(async move { g.admit("https://192.0.2.1:443", &c).await })
        })
        .collect();
    tokio::task::yield_now().await;
    carrier.refused(&LoginOutcome::Rejected {
        attempts_left: Some(6),
    });
    for w in waiters {
        let e = w.await.unwrap().unwrap_err();
        assert!(
            matches!(
                e,
                Error::CredentialsRejected {
                    attempts_left: Some(6),
                    ..
                }
            ),
            "{e:?}"
        );
    }
    assert!(matches!(
        g.admit(HOST, &c).await,
        Err(Error::CredentialLatched { .. })
    ));
}

#[tokio::test]
async fn released_flight_passes_to_a_waiter_and_accepted_never_waits() {
    let g = LockoutGuard::new();
    let c = Credentials::new("admin", "pw");
    let first = g.admit(HOST, &c).await.unwrap();
    let (g2, c2) = (g.clone(), c.clone());
    let waiter = tokio::spawn(async move { g2.admit(HOST, &c2).await });
    tokio::task::yield_now().await;
    drop(first); // no verdict: the waiter carries it now
    let second = waiter.await.unwrap().unwrap();
    assert!(second.is_carrier());
    second.accepted();
    for _ in 0..3 {
        let a = g.admit(HOST, &c).await.unwrap();
        assert!(!a.is_carrier(), "an accepted credential is not serialized");
    }
}
