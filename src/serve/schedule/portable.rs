//! The scheduler's OS calls where there is no Linux: no thread clock, and threads are never lowered.

use std::time::Duration;

/// No thread clock: a query's age is the wall time since its arrival.
pub(super) fn thread_cpu_time() -> Option<Duration> {
    None
}

/// Leaves the thread's priority as it is.
pub(super) fn lower_thread_priority() -> bool {
    false
}
