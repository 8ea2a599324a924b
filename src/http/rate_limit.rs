//! A token bucket per caller (GCRA, from `governor`): an API key by its id, a JWT caller by its
//! subject. Every operation takes one token, so a batch of five takes five.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::Principal;
use crate::config::RateLimitConfig;
use crate::error::AppError;

/// How often (in checks) buckets that have filled up again are forgotten.
const SWEEP_EVERY: u64 = 4_096;

pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
    burst: NonZeroU32,
    checks: AtomicU64,
}

impl RateLimit {
    /// `None` when switched off.
    pub fn new(config: &RateLimitConfig) -> Option<Self> {
        if !config.enabled {
            return None;
        }
        let per_second = NonZeroU32::new(config.per_second)?;
        let burst = NonZeroU32::new(config.burst)?;
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Some(Self {
            limiter: RateLimiter::keyed(quota),
            burst,
            checks: AtomicU64::new(0),
        })
    }

    /// Takes `operations` tokens from the caller's bucket, or says how long until they are
    /// there (`RATE_LIMITED`).
    pub fn check(&self, principal: &Principal, operations: usize) -> Result<(), AppError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let key = match principal.key_id {
            Some(id) => id.to_string(),
            None => format!("subject:{}", principal.actor),
        };
        let n = u32::try_from(operations)
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MIN);
        match self.limiter.check_key_n(&key, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(AppError::RateLimited {
                    retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                })
            }
            // More operations in one request than the bucket holds: never possible.
            Err(_) => Err(AppError::bad_input(format!(
                "{operations} operations in one request are more than the rate limit's burst of {}",
                self.burst
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::auth::{Role, Scope};

    fn principal(key: u128) -> Principal {
        Principal {
            actor: "job".to_owned(),
            key_id: Some(uuid::Uuid::from_u128(key)),
            role: Role::Reader,
            scope: Scope::Unrestricted,
        }
    }

    #[test]
    fn each_key_has_its_own_bucket() {
        let limit = RateLimit::new(&RateLimitConfig {
            enabled: true,
            per_second: 1,
            burst: 3,
        })
        .unwrap();
        for _ in 0..3 {
            limit.check(&principal(1), 1).unwrap();
        }
        match limit.check(&principal(1), 1) {
            Err(AppError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("{other:?}"),
        }
        limit.check(&principal(2), 3).unwrap();
        assert!(limit.check(&principal(3), 4).is_err(), "beyond the burst");
    }
}
