//! The scheduler's Linux calls: a thread's own CPU clock, and moving a thread to `SCHED_IDLE`.
#![allow(unsafe_code)] // sched_setscheduler, setpriority and the thread CPU clock through libc

use std::time::Duration;

/// How many nice steps an old query's thread gives up where `SCHED_IDLE`
/// is refused.
const OLD_NICER_BY: i32 = 10;

/// The calling thread's CPU time.
pub(super) fn thread_cpu_time() -> Option<Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

/// Moves the calling thread to the `SCHED_IDLE` policy, so that a thread of
/// normal policy waking on its core takes the core at once, or raises its
/// nice value by [`OLD_NICER_BY`] if that is refused; returns whether
/// either took effect.
pub(super) fn lower_thread_priority() -> bool {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: a plain system call on the calling thread (pid 0) with a
    // valid parameter block.
    let idle = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0;
    // On Linux the "process" priority of `None` is the calling thread's.
    idle || rustix::process::getpriority_process(None).is_ok_and(|nice| {
        rustix::process::setpriority_process(None, (nice + OLD_NICER_BY).min(19)).is_ok()
    })
}
