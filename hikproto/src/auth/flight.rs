//! Single flight: while a credential is unverified for a device, exactly one request carries it.
//!
//! The first caller becomes the *carrier*; every other caller with the same (device, user,
//! credential) waits for the carrier's verdict. Accepted: everyone proceeds (and later calls
//! never wait). Rejected or locked: every waiter fails with the same typed error, without
//! sending. No verdict (the carrier failed for another reason, timed out or was cancelled): the
//! next waiter becomes the carrier.

use std::collections::HashMap;

use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::isapi::user_check::LoginOutcome;
use crate::keys::Credentials;

use super::lockout::{LockoutGuard, latch_in, latched_in, success_in, verified_in};

/// How a flight ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FlightEnd {
    Pending,
    Accepted,
    Refused(LoginOutcome),
    Released,
}

type FlightKey = (String, String, [u8; 32]);

/// The flights in progress, per (primary device key, user, credential fingerprint).
#[derive(Default)]
pub(super) struct Flights(HashMap<FlightKey, (u64, watch::Sender<FlightEnd>)>, u64);

/// Permission to send a credential, from [`LockoutGuard::admit`].
///
/// When it is the carrier of an unverified credential, tell it the verdict with
/// [`Admission::accepted`] or [`Admission::refused`]; dropping it without a verdict lets the next
/// waiting call carry the credential.
#[must_use = "tell the admission the verdict"]
pub struct Admission {
    guard: LockoutGuard,
    keys: Vec<String>,
    user: String,
    fp: [u8; 32],
    /// The flight this admission carries (`None` for an already verified credential).
    flight: Option<(FlightKey, u64)>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("user", &self.user)
            .field("carrier", &self.is_carrier())
            .finish_non_exhaustive()
    }
}

impl Admission {
    /// True when this call carries a credential the device has not judged yet.
    pub fn is_carrier(&self) -> bool {
        self.flight.is_some()
    }

    /// The device accepted the credential (a 2xx answer to an authenticated attempt).
    pub fn accepted(mut self) {
        if self.flight.is_none() {
            return;
        }
        let mut st = self.guard.lock();
        success_in(&mut st, &self.keys, &self.user, &self.fp);
        end_flight(&mut st.flights, self.flight.take(), FlightEnd::Accepted);
    }

    /// The device refused the credential: latch it; waiting calls fail with the same error.
    pub fn refused(mut self, outcome: &LoginOutcome) {
        let mut st = self.guard.lock();
        latch_in(&mut st, &self.keys, &self.user, &self.fp, outcome);
        end_flight(
            &mut st.flights,
            self.flight.take(),
            FlightEnd::Refused(outcome.clone()),
        );
        tracing::debug!(user = %self.user, ?outcome, "credential latched");
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if self.flight.is_some() {
            let mut st = self.guard.lock();
            end_flight(&mut st.flights, self.flight.take(), FlightEnd::Released);
        }
    }
}

fn end_flight(flights: &mut Flights, flight: Option<(FlightKey, u64)>, end: FlightEnd) {
    let Some((key, id)) = flight else {
        return;
    };
    if flights.0.get(&key).is_some_and(|(i, _)| *i == id) {
        if let Some((_, tx)) = flights.0.remove(&key) {
            tx.send_replace(end);
        }
    }
}

pub(super) async fn admit(
    guard: &LockoutGuard,
    address: &str,
    creds: &Credentials,
) -> Result<Admission> {
    loop {
        let mut rx = {
            let mut st = guard.lock();
            let (keys, fp) = LockoutGuard::identify(&st, address, creds);
            if latched_in(&mut st, &keys, &creds.user, &fp) {
                tracing::debug!(address, user = %creds.user, "credential latched: not sending it");
                return Err(Error::CredentialLatched {
                    user: creds.user.clone(),
                });
            }
            let mk = |flight| Admission {
                guard: guard.clone(),
                keys: keys.clone(),
                user: creds.user.clone(),
                fp,
                flight,
            };
            if verified_in(&st, &keys, &creds.user, &fp) {
                return Ok(mk(None));
            }
            let key: FlightKey = (keys[0].clone(), creds.user.clone(), fp);
            match st.flights.0.get(&key) {
                Some((_, tx)) => tx.subscribe(),
                None => {
                    st.flights.1 += 1;
                    let id = st.flights.1;
                    let (tx, _) = watch::channel(FlightEnd::Pending);
                    st.flights.0.insert(key.clone(), (id, tx));
                    tracing::debug!(address, user = %creds.user, "carrying an unverified credential");
                    return Ok(mk(Some((key, id))));
                }
            }
        };
        tracing::debug!(address, user = %creds.user, "waiting for the verdict on this credential");
        let end = match rx.wait_for(|e| *e != FlightEnd::Pending).await {
            Ok(e) => e.clone(),
            Err(_) => FlightEnd::Released,
        };
        if let FlightEnd::Refused(outcome) = end {
            return Err(outcome.into_error(&creds.user));
        }
    }
}
