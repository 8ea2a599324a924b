//! Peak resident memory of a process: the bench itself (`"self"`, while seeding) or a server
//! process (by pid).
//!
//! Linux keeps the peak in `VmHWM`; writing `5` to `/proc/<pid>/clear_refs` resets it, which lets
//! each measurement report its own peak. Elsewhere the numbers are simply absent.

use std::sync::atomic::{AtomicBool, Ordering};

static RESET_WORKS: AtomicBool = AtomicBool::new(true);

/// Peak RSS in KiB of `/proc/<process>` since it started or since the last successful
/// [`reset_peak`].
pub fn peak_rss_kib(process: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts a new peak from the current RSS; remembers a failure so the report can say that the
/// peaks are since the process started.
pub fn reset_peak(process: &str) {
    if std::fs::write(format!("/proc/{process}/clear_refs"), "5").is_err() {
        RESET_WORKS.store(false, Ordering::Relaxed);
    }
}

/// Whether every reset so far worked, i.e. whether per-measurement peaks are their own.
pub fn resets_work() -> bool {
    RESET_WORKS.load(Ordering::Relaxed)
}
