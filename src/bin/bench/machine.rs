//! CPU time: of a server process, and of the rest of the machine during a measurement. The CPU
//! is shared (builds, other services, PostgreSQL), and a number taken while something else ran
//! is not comparable; the report shows the share instead of guessing. Linux only: elsewhere it
//! is absent.

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
pub const TICKS_PER_SECOND: f64 = 100.0;

/// CPU time (user + system, all threads) of `/proc/<process>` so far, in clock ticks.
pub fn process_ticks(process: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Milliseconds of CPU per request from a tick delta.
pub fn ms_per_request(ticks: u64, requests: usize) -> Option<f64> {
    (requests > 0).then(|| ticks as f64 / TICKS_PER_SECOND * 1000.0 / requests as f64)
}

/// CPU time up to some moment, in clock ticks (`/proc/stat` and `/proc/<pid>/stat` use the
/// same).
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    total: u64,
    busy: u64,
    /// The bench (its clients) and the server under measurement.
    ours: u64,
}

impl CpuSample {
    pub fn now(server_pid: u32) -> Option<Self> {
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
        let ours = process_ticks("self")? + process_ticks(&server_pid.to_string())?;
        Some(Self {
            total,
            busy: total.saturating_sub(idle),
            ours,
        })
    }

    /// Percent of all cores used by processes other than the bench and the server since
    /// `earlier`.
    pub fn others_percent_since(&self, earlier: &CpuSample) -> Option<f64> {
        let total = self.total.checked_sub(earlier.total)?;
        let busy = self.busy.saturating_sub(earlier.busy);
        let ours = self.ours.saturating_sub(earlier.ours);
        (total > 0).then(|| busy.saturating_sub(ours) as f64 * 100.0 / total as f64)
    }
}
