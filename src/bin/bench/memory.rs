//! Peak resident memory of this process, which holds the server *and* the clients.
//!
//! Linux keeps the peak in `VmHWM`; writing `5` to `/proc/self/clear_refs` resets it, which lets
//! each measurement report its own peak instead of the seeding's (the generator holds a whole
//! data set in memory before writing it). Elsewhere the numbers are simply absent.

use std::sync::atomic::{AtomicBool, Ordering};

static RESET_WORKS: AtomicBool = AtomicBool::new(true);

/// Peak RSS in KiB since the process started or since the last successful [`reset_peak`].
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts a new peak from the current RSS; remembers a failure so the report can say that the
/// peaks are since process start.
pub fn reset_peak() {
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        RESET_WORKS.store(false, Ordering::Relaxed);
    }
}

/// Whether every reset so far worked, i.e. whether per-measurement peaks are their own.
pub fn resets_work() -> bool {
    RESET_WORKS.load(Ordering::Relaxed)
}
