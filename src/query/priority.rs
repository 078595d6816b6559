//! Short queries first: a query that has run past a grace period pauses while younger queries are in flight.
//!
//! An endpoint's queries differ in cost by orders of magnitude: a lookup of
//! one article takes a fraction of a millisecond, an aggregation over the
//! whole store many milliseconds. When the operating system time-slices them
//! evenly, every cheap query that arrives while expensive ones hold the cores
//! waits for a slice, and its latency grows many times over. [`Priority`]
//! orders them by the time they have already run instead (least attained
//! service, which minimises mean response time when most queries are short
//! and a few are long):
//!
//! * each query takes a [`Ticket`] when its request arrives; it counts as
//!   *young* until its evaluation has used the grace period (default 2 ms)
//!   of CPU time — its thread's own clock, so a short query that waited for
//!   a core does not age meanwhile (wall time where the platform has no
//!   thread clock) — or has finished;
//! * a query past its grace period checks, at the guard's checkpoints (every
//!   256 quads pulled or values computed and every 4096 terms cloned, see
//!   [`super::guard`]; some 50 µs apart in an aggregation), whether young
//!   queries are in flight and the old ones running leave them fewer than
//!   one core each plus one for reading requests and writing answers, and
//!   if so pauses until they do not — at most [`Priority::MAX_PAUSE`] at a
//!   time, after which it runs for at least [`Priority::MIN_RUN`] before it
//!   may pause again, so a stream of short queries slows a long one down
//!   without holding it at a checkpoint forever, and cores no young query
//!   needs keep working on old ones.
//!
//! A paused query still stops at its deadline (within one pause) and is
//! woken as soon as a young query finishes or another old one stops running.
//! The waiting is an ordinary condition variable.
//!
//! Between checkpoints the OS scheduler decides, so a query that turns old
//! also lowers its thread's OS priority ([`thread_lowered`]). On Linux its
//! thread moves to the `SCHED_IDLE` policy: a thread of normal policy that
//! wakes on a core an old query holds (a young query's, or one reading a
//! request or writing an answer) takes the core at once. At equal or merely
//! nicer priority it may wait for the old one's next scheduler tick
//! (4 ms on a 250 Hz kernel); that wait was most of the short queries' tail
//! in the load test. An old query then runs on what normal threads leave,
//! plus the small share the kernel keeps for idle-policy threads, and still
//! stops at its deadline. Where that policy is refused the thread's nice
//! value goes up by 10 instead; elsewhere than Linux nothing changes.
//! Lowering needs no privilege and raising it back would, so the thread
//! must not evaluate young queries afterwards: the endpoint's evaluation
//! pool retires it after its job.
//!
//! Two holes remain in that, both seen with `perf sched` in the load test
//! (Linux 6.18), and both why an old query pauses rather than relying on its
//! priority alone, and offers its core every [`Priority::YIELD_EVERY`]
//! while it runs:
//!
//! * a waking thread counts a core that runs only idle-policy threads as
//!   idle, so a short query often lands on the old query's core while
//!   another core stays idle;
//! * the kernel (EEVDF) runs a waiting thread only once it is *eligible*,
//!   not ahead of its fair share. A busy normal thread often is not, just
//!   after it was preempted or woke, and the old query, far behind its own
//!   share, then runs on until the next tick: a short query's thread, the
//!   I/O thread or a client on the same machine waited 2–4 ms so while the
//!   other core was idle. A yield lets the kernel choose again, by which
//!   time the other thread is eligible.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The shared state of one endpoint's queries (cheap to clone).
#[derive(Clone, Debug)]
pub struct Priority(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    grace: Duration,
    /// Cores the queries share.
    cores: usize,
    /// Tickets in flight that are still young.
    young: AtomicUsize,
    /// Old queries running (not paused).
    running_old: Mutex<usize>,
    /// Signalled whenever a young query retires or an old one stops running.
    changed: Condvar,
    pauses: AtomicU64,
    yields: AtomicU64,
}

impl Shared {
    fn running_old(&self) -> std::sync::MutexGuard<'_, usize> {
        self.running_old
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes paused queries to look again. Taking the lock orders this with
    /// a waiter between its check and its wait, so no wake-up is lost.
    fn notify(&self) {
        let _guard = self.running_old();
        self.changed.notify_all();
    }
}

impl Priority {
    /// The longest a query waits in one pause.
    pub const MAX_PAUSE: Duration = Duration::from_millis(10);
    /// How long a query runs after a pause that reached [`Self::MAX_PAUSE`].
    pub const MIN_RUN: Duration = Duration::from_millis(1);
    /// The default grace period.
    pub const GRACE: Duration = Duration::from_millis(2);
    /// How often an old query offers its core to other threads.
    pub const YIELD_EVERY: Duration = Duration::from_micros(100);

    /// Queries past `grace` give way to younger ones on this machine's cores.
    pub fn new(grace: Duration) -> Priority {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Priority::with_cores(grace, cores)
    }

    /// Queries past `grace` give way to younger ones on `cores` cores.
    pub fn with_cores(grace: Duration, cores: usize) -> Priority {
        Priority(Arc::new(Shared {
            grace,
            cores: cores.max(1),
            young: AtomicUsize::new(0),
            running_old: Mutex::new(0),
            changed: Condvar::new(),
            pauses: AtomicU64::new(0),
            yields: AtomicU64::new(0),
        }))
    }

    /// A ticket for a query that arrives now.
    pub fn arrive(&self) -> Ticket {
        self.0.young.fetch_add(1, Ordering::AcqRel);
        Ticket(Arc::new(TicketState {
            shared: Arc::clone(&self.0),
            arrived: Instant::now(),
            young: AtomicBool::new(true),
        }))
    }

    /// Young queries in flight now.
    pub fn young(&self) -> usize {
        self.0.young.load(Ordering::Acquire)
    }

    /// How many times a query has paused for younger ones so far.
    pub fn pauses(&self) -> u64 {
        self.0.pauses.load(Ordering::Relaxed)
    }

    /// How many times an old query has offered its core so far.
    pub fn yields(&self) -> u64 {
        self.0.yields.load(Ordering::Relaxed)
    }
}

impl Default for Priority {
    fn default() -> Self {
        Priority::new(Priority::GRACE)
    }
}

/// One query's place in a [`Priority`]: young from its arrival until its
/// grace period has passed or every clone of the ticket is dropped.
#[derive(Clone, Debug)]
pub struct Ticket(Arc<TicketState>);

#[derive(Debug)]
struct TicketState {
    shared: Arc<Shared>,
    /// When the request was read (the age without a thread clock).
    arrived: Instant,
    young: AtomicBool,
}

impl TicketState {
    /// Stops counting this query as young (once).
    fn retire(&self) {
        if self.young.swap(false, Ordering::AcqRel) {
            self.shared.young.fetch_sub(1, Ordering::AcqRel);
            self.shared.notify();
        }
    }
}

impl Drop for TicketState {
    fn drop(&mut self) {
        self.retire();
    }
}

/// What a running query keeps between checkpoints (single-threaded).
#[derive(Debug)]
pub(crate) struct Turn {
    ticket: Ticket,
    /// The evaluating thread's CPU clock when the evaluation started.
    cpu_at_start: Option<Duration>,
    /// No pause before this instant (after a pause that reached the maximum).
    run_until: Option<Instant>,
    /// Whether this query is counted among the old ones running.
    running_old: bool,
    /// When an old query next offers its core to other runnable threads.
    next_yield: Option<Instant>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.running_old {
            let shared = &self.ticket.0.shared;
            *shared.running_old() -= 1;
            shared.changed.notify_all();
        }
    }
}

/// The calling thread's CPU time, where the platform keeps one.
fn thread_cpu_time() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

impl Turn {
    /// The turn of a query whose evaluation starts now on this thread.
    pub(crate) fn new(ticket: Ticket) -> Turn {
        Turn {
            ticket,
            cpu_at_start: thread_cpu_time(),
            run_until: None,
            running_old: false,
            next_yield: None,
        }
    }

    /// The evaluation's CPU time so far (wall time since the arrival without a thread clock).
    fn used(&self) -> Duration {
        match (self.cpu_at_start, thread_cpu_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start),
            _ => self.ticket.0.arrived.elapsed(),
        }
    }

    /// Called at the query's checkpoints: retires the ticket once the grace
    /// period has passed; from then on offers the core to other threads now
    /// and then ([`Self::offer_core`]) and pauses while young queries are in
    /// flight and the old ones running leave them too few cores
    /// ([`crowded`]). `stopped` ends a pause early when it turns true
    /// (checked when woken, and at least every [`Priority::MAX_PAUSE`]).
    pub(crate) fn checkpoint(&mut self, stopped: impl Fn() -> bool) {
        if self.ticket.0.young.load(Ordering::Relaxed) {
            if self.used() >= self.ticket.0.shared.grace {
                *self.ticket.0.shared.running_old() += 1;
                self.running_old = true;
                self.ticket.0.retire();
                lower_thread_priority();
            }
            return;
        }
        self.offer_core();
        let shared = &self.ticket.0.shared;
        if shared.young.load(Ordering::Acquire) == 0 {
            return;
        }
        if self.run_until.is_some_and(|until| Instant::now() < until) {
            return;
        }
        let young = || shared.young.load(Ordering::Acquire);
        let mut running = shared.running_old();
        if !crowded(young(), *running, shared.cores) {
            return;
        }
        *running -= 1;
        self.running_old = false;
        shared.pauses.fetch_add(1, Ordering::Relaxed);
        // Another old query may now be under the budget: let it look.
        shared.changed.notify_all();
        let (mut running, waited) = shared
            .changed
            .wait_timeout_while(running, Priority::MAX_PAUSE, |running| {
                crowded(young(), *running + 1, shared.cores) && !stopped()
            })
            .unwrap_or_else(PoisonError::into_inner);
        *running += 1;
        self.running_old = true;
        self.run_until = waited
            .timed_out()
            .then(|| Instant::now() + Priority::MIN_RUN);
    }

    /// Lets the OS run another thread waiting for this core, every
    /// [`Priority::YIELD_EVERY`] of an old query's run, unless more old
    /// queries run than there are cores: those already take turns among
    /// themselves (yielding to each other as well cost a quarter of the
    /// throughput at saturation in a trial). Without it a thread that wakes
    /// or is preempted on this core can wait up to a scheduler tick for the
    /// old query despite its lower priority (see the module documentation).
    fn offer_core(&mut self) {
        let now = Instant::now();
        if self.next_yield.is_some_and(|at| now < at) {
            return;
        }
        let shared = &self.ticket.0.shared;
        if self.next_yield.is_some() && *shared.running_old() <= shared.cores {
            std::thread::yield_now();
            shared.yields.fetch_add(1, Ordering::Relaxed);
        }
        self.next_yield = Some(now + Priority::YIELD_EVERY);
    }
}

/// Whether `old` queries running leave `young` ones in flight too few cores:
/// old queries leave a core to each young one, and one more for reading
/// requests and writing answers (and for clients on the same machine).
fn crowded(young: usize, old: usize, cores: usize) -> bool {
    young > 0 && young + old >= cores
}

thread_local! {
    /// Whether an old query lowered this thread's OS priority.
    static LOWERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How many nice steps an old query's thread gives up where `SCHED_IDLE`
/// is refused.
#[cfg(target_os = "linux")]
const OLD_NICER_BY: i32 = 10;

/// Moves the calling thread to `SCHED_IDLE`, or raises its nice value by
/// [`OLD_NICER_BY`] if that is refused (Linux; nothing elsewhere), once per
/// thread, and remembers it when it took effect.
fn lower_thread_priority() {
    if thread_lowered() {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: a plain system call on the calling thread (pid 0) with a
        // valid parameter block.
        let lowered = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0
            // On Linux the "process" priority of `None` is the calling thread's.
            || rustix::process::getpriority_process(None).is_ok_and(|nice| {
                rustix::process::setpriority_process(None, (nice + OLD_NICER_BY).min(19)).is_ok()
            });
        LOWERED.with(|l| l.set(lowered));
    }
}

/// Whether a query evaluated on this thread turned old and lowered the
/// thread's OS priority: such a thread should leave once its job is done.
pub fn thread_lowered() -> bool {
    LOWERED.with(|l| l.get())
}

/// A query past a zero grace period: old (and its thread lowered) after its
/// first checkpoint on the calling thread, as the endpoint's long queries.
#[cfg(test)]
pub(crate) fn old_query(p: &Priority) -> Turn {
    let mut turn = Turn::new(p.arrive());
    turn.checkpoint(|| false);
    turn
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    #[test]
    fn a_ticket_is_young_until_its_grace_period_or_its_drop() {
        let p = Priority::new(Duration::from_millis(20));
        let a = p.arrive();
        let b = p.arrive();
        assert_eq!(p.young(), 2);
        let copy = a.clone();
        drop(a);
        assert_eq!(p.young(), 2, "a clone keeps the ticket young");
        drop(copy);
        assert_eq!(p.young(), 1);
        let mut turn = Turn::new(b);
        turn.checkpoint(|| false);
        assert_eq!(p.young(), 1, "still within its grace period");
        thread::sleep(Duration::from_millis(25));
        turn.checkpoint(|| false);
        if thread_cpu_time().is_some() {
            assert_eq!(p.young(), 1, "waiting does not age a query");
            let busy = Instant::now();
            while turn.used() < Duration::from_millis(25) {
                assert!(busy.elapsed() < Duration::from_secs(10));
                std::hint::black_box((0..1000u64).sum::<u64>());
            }
            turn.checkpoint(|| false);
        }
        assert_eq!(
            p.young(),
            0,
            "retired at the first checkpoint past the grace period"
        );
        drop(turn);
        assert_eq!(p.young(), 0, "retired only once");
    }

    #[test]
    fn an_old_query_waits_until_no_young_query_is_in_flight() {
        let p = Priority::with_cores(Duration::ZERO, 1);
        let mut old = old_query(&p);
        assert_eq!(p.young(), 0);
        // Young until its own first checkpoint, whatever the grace period.
        let young_ticket = p.arrive();
        let (tx, rx) = mpsc::channel();
        let waiter = thread::spawn(move || {
            old.checkpoint(|| false);
            tx.send(()).unwrap();
            old
        });
        // The old query is paused while the young one is in flight…
        assert!(rx.recv_timeout(Duration::from_millis(5)).is_err());
        // …and resumes when it finishes: woken, not timed out (a pause that
        // reached MAX_PAUSE would be followed by a run).
        drop(young_ticket);
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let old = waiter.join().unwrap();
        assert!(old.run_until.is_none());
        assert_eq!(p.pauses(), 1);
    }

    #[test]
    fn a_pause_is_bounded_and_followed_by_a_run() {
        let p = Priority::with_cores(Duration::ZERO, 1);
        let mut old = old_query(&p);
        let _young = p.arrive();
        let started = Instant::now();
        old.checkpoint(|| false);
        let paused = started.elapsed();
        assert!(paused >= Priority::MAX_PAUSE, "{paused:?}");
        // Right after a full pause it runs without pausing.
        let started = Instant::now();
        old.checkpoint(|| false);
        assert!(started.elapsed() < Priority::MAX_PAUSE);
        assert_eq!(p.pauses(), 1);
    }

    #[test]
    fn a_stopped_query_does_not_wait() {
        let p = Priority::with_cores(Duration::ZERO, 1);
        let mut old = old_query(&p);
        let _young = p.arrive();
        let started = Instant::now();
        old.checkpoint(|| true);
        assert!(started.elapsed() < Priority::MAX_PAUSE);
    }

    #[test]
    fn old_queries_leave_a_core_to_each_young_one_and_one_more() {
        let p = Priority::with_cores(Duration::ZERO, 3);
        let mut old = old_query(&p);
        assert_eq!(p.young(), 0);
        // One young query, one old one and a core for I/O fit on three
        // cores: no pause.
        let first = p.arrive();
        let started = Instant::now();
        old.checkpoint(|| false);
        assert!(started.elapsed() < Priority::MAX_PAUSE);
        assert_eq!(p.pauses(), 0);
        // Two young ones and the core for I/O need all three: the old one
        // pauses (here until MAX_PAUSE).
        let second = p.arrive();
        let started = Instant::now();
        old.checkpoint(|| false);
        assert!(started.elapsed() >= Priority::MAX_PAUSE);
        assert_eq!(p.pauses(), 1);
        drop((first, second));
        old.checkpoint(|| false);
        assert_eq!(p.pauses(), 1);
        // A finished old query frees its core.
        assert_eq!(*p.0.running_old(), 1);
        drop(old);
        assert_eq!(*p.0.running_old(), 0);
    }

    #[test]
    fn on_two_cores_one_young_query_pauses_the_old_ones() {
        assert!(!crowded(0, 2, 2), "no young query: old ones keep the cores");
        assert!(
            crowded(1, 1, 2),
            "one core for the young query, one for I/O"
        );
        assert!(!crowded(1, 1, 3));
        assert!(crowded(1, 1, 1));
    }

    #[test]
    fn an_old_query_offers_its_core_now_and_then() {
        let p = Priority::with_cores(Duration::ZERO, 1);
        let mut old = old_query(&p);
        assert_eq!(p.yields(), 0, "not at the first checkpoint as old");
        let before = Instant::now();
        old.next_yield = Some(before);
        old.checkpoint(|| false);
        assert_eq!(p.yields(), 1, "its time had come");
        let next = old.next_yield.unwrap() - before;
        assert!(
            next >= Priority::YIELD_EVERY,
            "the next one YIELD_EVERY later"
        );
        old.next_yield = Some(Instant::now() + Duration::from_secs(60));
        old.checkpoint(|| false);
        assert_eq!(p.yields(), 1, "not before its time");
        // Three old queries on one core take turns at the kernel's pace.
        let others = [old_query(&p), old_query(&p)];
        old.next_yield = Some(Instant::now());
        old.checkpoint(|| false);
        assert_eq!(p.yields(), 1, "no yield among more old queries than cores");
        drop(others);
        old.next_yield = Some(Instant::now());
        old.checkpoint(|| false);
        assert_eq!(p.yields(), 2);
    }
}
