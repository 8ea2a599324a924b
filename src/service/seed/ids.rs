//! A deterministic source of ids and timestamps: seeded data must come out byte-identical for the
//! same seed, ids included, so nothing here reads the system clock or the thread RNG.

use chrono::{DateTime, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::{Builder, Uuid};

/// 2025-01-01T00:00:00Z: generated data starts here and spreads over the following year.
pub const GENERATED_BASE_MS: u64 = 1_735_689_600_000;

/// 2025-09-01T08:00:00Z: the demo data set's first record.
pub const DEMO_BASE_MS: u64 = 1_756_713_600_000;

pub const MINUTE_MS: u64 = 60_000;
pub const HOUR_MS: u64 = 60 * MINUTE_MS;
pub const DAY_MS: u64 = 24 * HOUR_MS;

/// One UUID v7 and the instant it encodes; records use `at` as their `created_at`, so ordering
/// by id (what lists do) is ordering by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub id: Uuid,
    pub at: DateTime<Utc>,
}

/// Hands out UUID v7 ids on a millisecond counter that only moves forward, so every id is
/// strictly greater than the previous one even though the random bits are random.
#[derive(Debug, Clone)]
pub struct IdClock {
    next_ms: u64,
    rng: SmallRng,
}

impl IdClock {
    pub fn new(base_ms: u64, seed: u64) -> Self {
        Self {
            next_ms: base_ms,
            rng: SmallRng::seed_from_u64(seed),
        }
    }

    /// The next id, one millisecond after the previous one (plus any `advance`).
    pub fn next(&mut self) -> Stamp {
        let ms = self.next_ms;
        self.next_ms += 1;
        let mut random = [0_u8; 10];
        self.rng.fill(&mut random);
        Stamp {
            id: Builder::from_unix_timestamp_millis(ms, &random).into_uuid(),
            at: at_millis(ms),
        }
    }

    /// Lets time pass between records, so data spreads over days rather than milliseconds.
    pub fn advance(&mut self, ms: u64) {
        self.next_ms += ms;
    }
}

/// The UTC instant `ms` milliseconds after the Unix epoch.
pub fn at_millis(ms: u64) -> DateTime<Utc> {
    i64::try_from(ms)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn ids_rise_and_carry_their_timestamp() {
        let mut clock = IdClock::new(GENERATED_BASE_MS, 7);
        let first = clock.next();
        clock.advance(DAY_MS);
        let second = clock.next();
        assert!(first.id < second.id);
        assert_eq!(first.id.get_version_num(), 7);
        assert_eq!(first.at.to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert_eq!(
            second.at - first.at,
            TimeDelta::milliseconds(DAY_MS as i64 + 1)
        );
    }

    #[test]
    fn same_seed_same_ids() {
        let mut a = IdClock::new(DEMO_BASE_MS, 42);
        let mut b = IdClock::new(DEMO_BASE_MS, 42);
        for _ in 0..100 {
            assert_eq!(a.next(), b.next());
        }
    }
}
