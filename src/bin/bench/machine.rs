//! How busy the rest of the machine was during a measurement. The CPU is shared (builds, other
//! services), and a number taken while something else ran is not comparable; the report shows
//! the share instead of guessing. Linux only: elsewhere it is absent.

/// CPU time up to some moment, in clock ticks (`/proc/stat` and `/proc/self/stat` use the same).
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    total: u64,
    busy: u64,
    own: u64,
}

impl CpuSample {
    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let ticks: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        // user nice system idle iowait irq softirq steal [guest guest_nice, included in user]
        let total: u64 = ticks.iter().take(8).sum();
        let idle = ticks.get(3)? + ticks.get(4)?;
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
        let fields: Vec<&str> = own.rsplit_once(')')?.1.split_whitespace().collect();
        let own = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Self {
            total,
            busy: total.saturating_sub(idle),
            own,
        })
    }

    /// Percent of all cores used by other processes since `earlier`.
    pub fn others_percent_since(&self, earlier: &CpuSample) -> Option<f64> {
        let total = self.total.checked_sub(earlier.total)?;
        let busy = self.busy.saturating_sub(earlier.busy);
        let own = self.own.saturating_sub(earlier.own);
        (total > 0).then(|| busy.saturating_sub(own) as f64 * 100.0 / total as f64)
    }
}
