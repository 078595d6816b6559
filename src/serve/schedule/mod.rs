//! Short queries first: the endpoint's queries that have run past a grace period give way to younger ones.
//!
//! An endpoint's queries differ in cost by orders of magnitude (a lookup
//! takes a fraction of a millisecond, an aggregation over the store many
//! milliseconds), and when the cores are time-sliced evenly every cheap
//! query waits behind the expensive ones. [`Priority`] orders them by the
//! CPU time they have already used instead (least attained service):
//!
//! * each query takes a [`Ticket`] when its request arrives and is *young*
//!   until its evaluation has used the grace period (default 2 ms) of its
//!   thread's CPU clock, or has finished;
//! * from then on, at the guard's checkpoints ([`Turn`] is the query's
//!   [`Checkpoint`]), the *old* query pauses on a condition variable while
//!   young queries are in flight and the old ones running leave them fewer
//!   than one core each plus one for request I/O — at most
//!   [`Priority::MAX_PAUSE`] at a time, then it runs for at least
//!   [`Priority::MIN_RUN`] — so a stream of short queries slows a long one
//!   down without holding it forever; its deadline still stops it;
//! * between checkpoints the OS decides, so the old query's thread also
//!   drops to the lowest OS priority ([`os`]: `SCHED_IDLE` on Linux): a
//!   thread of normal priority waking on its core takes the core at once.
//!   Raising a thread's priority back needs a privilege, so a lowered thread
//!   leaves the evaluation [`pool`] after its job.
//!
//! What each of these layers was measured to buy is in `benches/BENCHMARKS.md`
//! ("Serving queries").

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;
#[cfg(not(target_os = "linux"))]
mod portable;
#[cfg(not(target_os = "linux"))]
use portable as os;
pub(crate) mod pool;

use crate::query::Checkpoint;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The shared state of one endpoint's queries (cheap to clone).
#[derive(Clone, Debug)]
pub(crate) struct Priority(Arc<Shared>);

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
}

impl Shared {
    fn running_old(&self) -> MutexGuard<'_, usize> {
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
    pub(crate) const MAX_PAUSE: Duration = Duration::from_millis(10);
    /// How long a query runs after a pause that reached [`Self::MAX_PAUSE`].
    pub(crate) const MIN_RUN: Duration = Duration::from_millis(1);
    /// The default grace period.
    pub(crate) const GRACE: Duration = Duration::from_millis(2);

    /// Queries past `grace` give way to younger ones on this machine's cores.
    pub(crate) fn new(grace: Duration) -> Priority {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Priority::with_cores(grace, cores)
    }

    /// Queries past `grace` give way to younger ones on `cores` cores.
    pub(crate) fn with_cores(grace: Duration, cores: usize) -> Priority {
        Priority(Arc::new(Shared {
            grace,
            cores: cores.max(1),
            young: AtomicUsize::new(0),
            running_old: Mutex::new(0),
            changed: Condvar::new(),
            pauses: AtomicU64::new(0),
        }))
    }

    /// A ticket for a query that arrives now.
    pub(crate) fn arrive(&self) -> Ticket {
        self.0.young.fetch_add(1, Ordering::AcqRel);
        Ticket(Arc::new(TicketState {
            shared: Arc::clone(&self.0),
            arrived: Instant::now(),
            young: AtomicBool::new(true),
        }))
    }

    /// Young queries in flight now.
    #[cfg(test)]
    pub(crate) fn young(&self) -> usize {
        self.0.young.load(Ordering::Acquire)
    }

    /// How many times a query has paused for younger ones so far.
    pub(crate) fn pauses(&self) -> u64 {
        self.0.pauses.load(Ordering::Relaxed)
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
pub(crate) struct Ticket(Arc<TicketState>);

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

/// A query being evaluated under a [`Ticket`]: its [`Checkpoint`].
#[derive(Debug)]
pub(crate) struct Turn {
    ticket: Ticket,
    /// The evaluating thread's CPU clock when the evaluation started.
    cpu_at_start: Option<Duration>,
    /// Only the evaluating thread calls the checkpoint: never contended.
    state: Mutex<TurnState>,
}

#[derive(Debug, Default)]
struct TurnState {
    /// No pause before this instant (after a pause that reached the maximum).
    run_until: Option<Instant>,
    /// Whether this query is counted among the old ones running.
    running_old: bool,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if state.running_old {
            let shared = &self.ticket.0.shared;
            *shared.running_old() -= 1;
            shared.changed.notify_all();
        }
    }
}

impl Checkpoint for Turn {
    fn checkpoint(&self, stopped: &dyn Fn() -> bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.checkpoint_with(&mut state, stopped);
    }
}

impl Turn {
    /// The turn of a query whose evaluation starts now on the calling
    /// thread, which must be the one that evaluates it.
    pub(crate) fn new(ticket: Ticket) -> Turn {
        Turn {
            ticket,
            cpu_at_start: os::thread_cpu_time(),
            state: Mutex::new(TurnState::default()),
        }
    }

    /// The evaluation's CPU time so far (wall time since the arrival without a thread clock).
    fn used(&self) -> Duration {
        match (self.cpu_at_start, os::thread_cpu_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start),
            _ => self.ticket.0.arrived.elapsed(),
        }
    }

    /// Retires the ticket (and lowers the thread) once the grace period has
    /// passed; from then on pauses while the cores are [`crowded`]. `stopped` ends a pause early (checked when
    /// woken, and at least every [`Priority::MAX_PAUSE`]).
    fn checkpoint_with(&self, state: &mut TurnState, stopped: &dyn Fn() -> bool) {
        let shared = &self.ticket.0.shared;
        if self.ticket.0.young.load(Ordering::Relaxed) {
            if self.used() >= shared.grace {
                *shared.running_old() += 1;
                state.running_old = true;
                self.ticket.0.retire();
                lower_thread_priority();
            }
            return;
        }
        if shared.young.load(Ordering::Acquire) == 0
            || state.run_until.is_some_and(|until| Instant::now() < until)
        {
            return;
        }
        let young = || shared.young.load(Ordering::Acquire);
        let mut running = shared.running_old();
        if !crowded(young(), *running, shared.cores) {
            return;
        }
        *running -= 1;
        state.running_old = false;
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
        state.running_old = true;
        state.run_until = waited
            .timed_out()
            .then(|| Instant::now() + Priority::MIN_RUN);
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
    static LOWERED: Cell<bool> = const { Cell::new(false) };
}

/// Lowers the calling thread's OS priority, once per thread.
fn lower_thread_priority() {
    if !thread_lowered() {
        LOWERED.with(|l| l.set(os::lower_thread_priority()));
    }
}

/// Whether a query evaluated on this thread turned old and lowered the
/// thread's OS priority: such a thread leaves the pool once its job is done.
pub(crate) fn thread_lowered() -> bool {
    LOWERED.with(Cell::get)
}

/// A query past a zero grace period: old (and its thread lowered) after its
/// first checkpoint on the calling thread, as the endpoint's long queries.
#[cfg(test)]
pub(crate) fn old_query(p: &Priority) -> Turn {
    let turn = Turn::new(p.arrive());
    turn.checkpoint(&|| false);
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
        let turn = Turn::new(b);
        turn.checkpoint(&|| false);
        assert_eq!(p.young(), 1, "still within its grace period");
        thread::sleep(Duration::from_millis(25));
        turn.checkpoint(&|| false);
        if os::thread_cpu_time().is_some() {
            assert_eq!(p.young(), 1, "waiting does not age a query");
            let busy = Instant::now();
            while turn.used() < Duration::from_millis(25) {
                assert!(busy.elapsed() < Duration::from_secs(10));
                std::hint::black_box((0..1000u64).sum::<u64>());
            }
            turn.checkpoint(&|| false);
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
        let old = old_query(&p);
        assert_eq!(p.young(), 0);
        // Young until its own first checkpoint, whatever the grace period.
        let young_ticket = p.arrive();
        let (tx, rx) = mpsc::channel();
        let waiter = thread::spawn(move || {
            old.checkpoint(&|| false);
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
        assert!(old.state.lock().unwrap().run_until.is_none());
        assert_eq!(p.pauses(), 1);
    }

    #[test]
    fn a_pause_is_bounded_and_followed_by_a_run() {
        let p = Priority::with_cores(Duration::ZERO, 1);
        let old = old_query(&p);
        let _young = p.arrive();
        let started = Instant::now();
        old.checkpoint(&|| false);
        let paused = started.elapsed();
        assert!(paused >= Priority::MAX_PAUSE, "{paused:?}");
        // Right after a full pause it runs without pausing.
        let started = Instant::now();
        old.checkpoint(&|| false);
        assert!(started.elapsed() < Priority::MAX_PAUSE);
        assert_eq!(p.pauses(), 1);
    }

    #[test]
    fn a_stopped_query_does_not_wait() {
        let p = Priority::with_cores(Duration::ZERO, 1);
        let old = old_query(&p);
        let _young = p.arrive();
        let started = Instant::now();
        old.checkpoint(&|| true);
        assert!(started.elapsed() < Priority::MAX_PAUSE);
    }

    #[test]
    fn old_queries_leave_a_core_to_each_young_one_and_one_more() {
        let p = Priority::with_cores(Duration::ZERO, 3);
        let old = old_query(&p);
        assert_eq!(p.young(), 0);
        // One young query, one old one and a core for I/O fit on three
        // cores: no pause.
        let first = p.arrive();
        let started = Instant::now();
        old.checkpoint(&|| false);
        assert!(started.elapsed() < Priority::MAX_PAUSE);
        assert_eq!(p.pauses(), 0);
        // Two young ones and the core for I/O need all three: the old one
        // pauses (here until MAX_PAUSE).
        let second = p.arrive();
        let started = Instant::now();
        old.checkpoint(&|| false);
        assert!(started.elapsed() >= Priority::MAX_PAUSE);
        assert_eq!(p.pauses(), 1);
        drop((first, second));
        old.checkpoint(&|| false);
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
}
