//! The device's password policy and lock-out, as the responder enforces them.

use std::time::{Duration, Instant};

/// Why a new password is refused (the device answers `riskPassword`, SADP error 2020).
pub fn is_risky(user: &str, password: &str) -> bool {
    let p = password;
    if !(8..=16).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_graphic()) {
        return true;
    }
    let classes = [
        p.bytes().any(|b| b.is_ascii_digit()),
        p.bytes().any(|b| b.is_ascii_lowercase()),
        p.bytes().any(|b| b.is_ascii_uppercase()),
        p.bytes().any(|b| b.is_ascii_punctuation()),
    ];
    if classes.iter().filter(|c| **c).count() < 2 {
        return true;
    }
    let lower = p.to_ascii_lowercase();
    let name = user.to_ascii_lowercase();
    let reversed: String = name.chars().rev().collect();
    if lower.contains("admin")
        || (name.len() >= 3 && (lower.contains(&name) || lower.contains(&reversed)))
    {
        return true;
    }
    let b = p.as_bytes();
    let same_run = b.windows(4).any(|w| w.iter().all(|&c| c == w[0]));
    let digit_run = b.windows(4).any(|w| {
        w.iter().all(u8::is_ascii_digit)
            && (w.windows(2).all(|x| x[1] == x[0] + 1) || w.windows(2).all(|x| x[0] == x[1] + 1))
    });
    same_run || digit_run
}

/// Lock-out settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    /// Wrong attempts (password, answer, code, GUID) that lock the device.
    pub max_attempts: u32,
    /// How long the lock lasts.
    pub lock_for: Duration,
}

impl Default for LockPolicy {
    /// 7 attempts, 30 minutes.
    fn default() -> Self {
        Self {
            max_attempts: 7,
            lock_for: Duration::from_secs(30 * 60),
        }
    }
}

/// One device's failure counter.
#[derive(Debug, Default, Clone)]
pub(crate) struct LockState {
    failures: u32,
    locked_until: Option<Instant>,
}

/// What a failure did.
pub(crate) enum Failure {
    /// Attempts left.
    Retry(u32),
    /// Now locked; minutes left.
    Locked(u32),
}

fn minutes(d: Duration) -> u32 {
    u32::try_from(d.as_secs().div_ceil(60))
        .unwrap_or(u32::MAX)
        .max(1)
}

impl LockState {
    /// Minutes left when locked.
    pub(crate) fn locked(&mut self, now: Instant) -> Option<u32> {
        match self.locked_until {
            Some(t) if t > now => Some(minutes(t - now)),
            Some(_) => {
                self.locked_until = None;
                self.failures = 0;
                None
            }
            None => None,
        }
    }

    pub(crate) fn fail(&mut self, policy: &LockPolicy, now: Instant) -> Failure {
        self.failures += 1;
        if self.failures >= policy.max_attempts {
            self.locked_until = Some(now + policy.lock_for);
            Failure::Locked(minutes(policy.lock_for))
        } else {
            Failure::Retry(policy.max_attempts - self.failures)
        }
    }

    pub(crate) fn succeed(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        for weak in [
            "12345",
            "abcdefgh",
            "ABCDEFGH",
            "Admin12345",
            "xadminx12",
            "aaaa1234B",
            "Xy1234567",
            "has space1A",
            "x".repeat(17).as_str(),
        ] {
            assert!(is_risky("admin", weak), "{weak} should be risky");
        }
        for ok in ["Str0ng!Passw0rd", "Abcdef12", "k9#Lm2$Qx"] {
            assert!(!is_risky("admin", ok), "{ok} should pass");
        }
        assert!(is_risky("operator", "operator1A"));
        assert!(is_risky("operator", "rotarepo1A"));
    }

    #[test]
    fn lock_counts_and_expires() {
        let p = LockPolicy {
            max_attempts: 3,
            lock_for: Duration::from_secs(90),
        };
        let mut s = LockState::default();
        let t0 = Instant::now();
        assert!(matches!(s.fail(&p, t0), Failure::Retry(2)));
        assert!(matches!(s.fail(&p, t0), Failure::Retry(1)));
        assert!(matches!(s.fail(&p, t0), Failure::Locked(2)));
        assert_eq!(s.locked(t0 + Duration::from_secs(10)), Some(2));
        assert_eq!(s.locked(t0 + Duration::from_secs(91)), None);
        assert!(matches!(s.fail(&p, t0), Failure::Retry(2)));
        s.succeed();
        assert!(matches!(s.fail(&p, t0), Failure::Retry(2)));
    }
}
