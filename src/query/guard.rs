//! Stopping a query that runs too long, holds too much memory or writes too much.
//!
//! spareval has a [`CancellationToken`] that it checks each time it pulls a
//! quad from the dataset. That is not enough on its own: nothing sets the
//! token when a deadline passes, and between two pulls the engine may do
//! unbounded work that never touches the dataset — a cartesian product
//! emits every combination of its materialised sides for each quad it pulls
//! (`{?a ?b ?c} {?d ?e ?f} {?g ?h ?i}` emits 21 million tuples per quad on the
//! 47-article sample, one more pattern 10^11), ORDER BY collects and sorts,
//! GROUP BY folds. So a query is evaluated under a [`Control`] with three
//! kinds of checks:
//!
//! * a **watchdog thread** (one per process, started on first use) holds the
//!   deadlines of running queries and raises a query's stop flag when its
//!   deadline passes, so no evaluation step ever reads the clock; the
//!   counting allocator raises the same flag when the query's thread holds
//!   more than its memory budget ([`crate::memory::Budget`]);
//! * the query runs over [`Guarded`], a [`QueryableDataset`] that forwards to
//!   the [`FrozenDataset`] and, on every call (each quad pulled, each term
//!   turned into a value for a FILTER or an ORDER BY comparison, each result
//!   term), checks the flag (one relaxed atomic load; the external stop
//!   token every 256th call); once stopped it cancels spareval's token and
//!   every call fails, which ends each scan after one error;
//! * the engine's terms are [`GuardedTerm`]s, whose `Clone` checks the same
//!   flag: spareval clones terms for every tuple it builds (joins, products,
//!   projections, sort keys), so a product that never calls the dataset still
//!   clones. Once stopped, a clone unwinds (`resume_unwind`, no panic hook)
//!   with an [`Interrupted`] payload that [`super::evaluate`] catches. This is
//!   sound: unwinding is memory-safe Rust (spareval has no `unsafe` code), the
//!   evaluation state is dropped by the unwind, and a clone never unwinds
//!   while the thread is already unwinding.
//!
//! The serialised results go through [`Limited`], which counts bytes against
//! the output limit and checks the same flags, so a deadline also stops the
//! serialisation. Whatever noticed the stop — spareval's `Cancelled`, a
//! dataset error, a write error, the unwind — the recorded reason is what
//! [`super::evaluate`] reports.
//!
//! Every 256th call and every 4096th term clone is a checkpoint, where the
//! caller's [`Checkpoint`] runs (the endpoint's scheduler lets shorter
//! queries go first there); a stopped query skips it.

use crate::memory::Budget;
use crate::store::dataset::{FrozenTerm, UnknownTermId};
use crate::store::FrozenDataset;
use oxigraph::model::Term;
use spareval::{CancellationToken, ExpressionTerm, InternalQuad, QueryableDataset};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Limits of one query evaluation; all are off by default.
#[derive(Clone, Default)]
pub struct Limits {
    /// Stop the query this long after evaluation starts (parsing excluded).
    pub timeout: Option<Duration>,
    /// Stop the query when its thread holds more than this many heap bytes
    /// beyond what it held at the start (needs [`crate::memory::CountingAllocator`]).
    pub max_memory: Option<usize>,
    /// Stop writing results past this many bytes.
    pub max_output: Option<usize>,
    /// Stop the query when this token is cancelled (e.g. at server shutdown).
    pub cancel: Option<CancellationToken>,
    /// Called at the evaluation's checkpoints (the endpoint's scheduler).
    pub checkpoint: Option<Arc<dyn Checkpoint>>,
}

/// Work that the caller of an evaluation does at its checkpoints: every 256
/// quads pulled or values computed, and every 4096 terms cloned.
pub trait Checkpoint: Send + Sync {
    /// Called on the evaluating thread, never once the query is stopped.
    /// `stopped` tells whether a limit (or the external token) has stopped
    /// it meanwhile: a checkpoint that waits ends its wait when it turns
    /// true, and the query stops right after.
    fn checkpoint(&self, stopped: &dyn Fn() -> bool);
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("timeout", &self.timeout)
            .field("max_memory", &self.max_memory)
            .field("max_output", &self.max_output)
            .field(
                "cancel",
                &self.cancel.as_ref().map(CancellationToken::is_cancelled),
            )
            .field("checkpoint", &self.checkpoint.is_some())
            .finish()
    }
}

/// Why a query was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// It ran past its timeout.
    Timeout(Duration),
    /// It held more heap than its budget (bytes).
    Memory(usize),
    /// Its results were larger than the limit (bytes).
    Output(usize),
    /// The external token was cancelled.
    Cancelled,
}

/// The running state of one query's limits (single-threaded, like spareval).
pub(crate) struct Control {
    /// spareval's token, cancelled once the query is stopped.
    token: CancellationToken,
    /// The stop flag, the external token and the caller's checkpoint.
    signal: Arc<Signal>,
    timeout: Duration,
    budget: Option<Budget>,
    stop: Cell<Option<Stop>>,
    ticks: Cell<u32>,
    /// Keeps the deadline registered with the watchdog while the query runs.
    _deadline: Option<Registration>,
    /// Makes [`GuardedTerm`] clones on this thread check the flag (only
    /// when some limit can raise it, or there is a checkpoint to call).
    _armed: Option<Armed>,
}

/// What every checkpoint of a query looks at, from [`Control`] or from a term clone.
struct Signal {
    /// Raised by the watchdog at the deadline, by the memory budget, or by [`Control::halt`].
    flag: Arc<AtomicBool>,
    external: Option<CancellationToken>,
    checkpoint: Option<Arc<dyn Checkpoint>>,
}

impl Signal {
    /// Whether the query is stopped (the flag is up or the external token cancelled).
    fn stopped(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
            || self.external.as_ref().is_some_and(|t| t.is_cancelled())
    }

    /// Calls the caller's checkpoint, unless the query is already stopped.
    fn checkpoint(&self) {
        if let Some(checkpoint) = &self.checkpoint {
            if !self.stopped() {
                checkpoint.checkpoint(&|| self.stopped());
            }
        }
    }
}

impl Control {
    /// Starts the limits of a query on the current thread; the query must be
    /// evaluated on this thread, and the control dropped on it.
    pub(crate) fn start(limits: &Limits) -> Rc<Control> {
        let token = CancellationToken::new();
        let flag = Arc::new(AtomicBool::new(false));
        let budget = limits
            .max_memory
            .and_then(|max| Budget::start(max, Arc::clone(&flag)));
        let deadline = limits
            .timeout
            .and_then(|t| Instant::now().checked_add(t))
            .map(|at| Watchdog::get().register(at, Arc::clone(&flag)));
        let armed = limits.timeout.is_some()
            || budget.is_some()
            || limits.max_output.is_some()
            || limits.cancel.is_some()
            || limits.checkpoint.is_some();
        let signal = Arc::new(Signal {
            flag,
            external: limits.cancel.clone(),
            checkpoint: limits.checkpoint.clone(),
        });
        Rc::new(Control {
            token,
            _armed: armed.then(|| Armed::new(Arc::clone(&signal))),
            signal,
            timeout: limits.timeout.unwrap_or_default(),
            budget,
            stop: Cell::new(None),
            ticks: Cell::new(0),
            _deadline: deadline,
        })
    }

    /// The token to give spareval.
    pub(crate) fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Why the query was stopped, if it was.
    pub(crate) fn stopped(&self) -> Option<Stop> {
        if self.cancelled() {
            self.halt(Stop::Cancelled);
        }
        self.tick();
        self.stop.get()
    }

    fn cancelled(&self) -> bool {
        self.signal
            .external
            .as_ref()
            .is_some_and(|t| t.is_cancelled())
    }

    /// Returns whether the query must stop. Cheap: one relaxed atomic load
    /// (the watchdog and the memory budget raise the flag), and every 256th
    /// time a checkpoint: a look at the external token and, unless the
    /// query is stopped, the caller's [`Checkpoint`].
    #[inline]
    pub(crate) fn tick(&self) -> bool {
        let n = self.ticks.get().wrapping_add(1);
        self.ticks.set(n);
        if n.is_multiple_of(256) {
            self.checkpoint();
        }
        if self.signal.flag.load(Ordering::Relaxed) {
            // A flag raised without a reason is the budget's or the watchdog's.
            if self.stop.get().is_none() {
                self.stop.set(Some(match &self.budget {
                    Some(budget) if budget.exceeded() => Stop::Memory(budget.max()),
                    _ => Stop::Timeout(self.timeout),
                }));
            }
            self.token.cancel();
            return true;
        }
        false
    }

    #[cold]
    fn checkpoint(&self) {
        if self.cancelled() {
            self.halt(Stop::Cancelled);
        }
        self.signal.checkpoint();
    }

    /// Records the first reason and stops the evaluation.
    pub(crate) fn halt(&self, reason: Stop) {
        if self.stop.get().is_none() {
            self.stop.set(Some(reason));
        }
        self.signal.flag.store(true, Ordering::Relaxed);
        self.token.cancel();
    }
}

/// The unwind payload of a stopped query (see [`GuardedTerm`]).
pub(crate) struct Interrupted;

thread_local! {
    /// The signal of the query evaluated on this thread (null: none).
    static ARMED: Cell<*const Signal> = const { Cell::new(std::ptr::null()) };
    /// Term clones on this thread, for a checkpoint every [`CLONES_PER_CHECKPOINT`].
    static CLONES: Cell<u32> = const { Cell::new(0) };
}

/// A product or a join can build many tuples per quad it pulls, so clones
/// are checkpoints too (at a lower rate: a clone is cheaper than a pull).
const CLONES_PER_CHECKPOINT: u32 = 4096;

/// Points [`ARMED`] at a query's signal while it lives; restores the previous value on drop.
struct Armed {
    previous: *const Signal,
    /// Keeps the signal [`ARMED`] points at alive.
    _signal: Arc<Signal>,
}

impl Armed {
    fn new(signal: Arc<Signal>) -> Armed {
        let previous = ARMED
            .try_with(|a| a.replace(Arc::as_ptr(&signal)))
            .unwrap_or(std::ptr::null());
        Armed {
            previous,
            _signal: signal,
        }
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        let _ = ARMED.try_with(|a| a.set(self.previous));
    }
}

/// What a term clone checks: whether the query on this thread (if any) was
/// stopped, and every [`CLONES_PER_CHECKPOINT`] clones a checkpoint.
#[inline]
#[allow(unsafe_code)] // dereferences ARMED's pointer (see SAFETY)
fn check_clone() {
    let armed = ARMED.try_with(Cell::get).unwrap_or(std::ptr::null());
    // SAFETY: `ARMED` is only non-null while the `Armed` that set it is
    // alive on this thread, and that `Armed` owns an `Arc` of the signal.
    if let Some(signal) = unsafe { armed.as_ref() } {
        interrupt_if_stopped(signal);
        count_clone(signal);
    }
}

/// Unwinds with [`Interrupted`] when the query on this thread has been stopped.
#[inline]
fn interrupt_if_stopped(signal: &Signal) {
    if signal.flag.load(Ordering::Relaxed) && !std::thread::panicking() {
        interrupt();
    }
}

#[cold]
#[inline(never)]
fn interrupt() {
    std::panic::resume_unwind(Box::new(Interrupted));
}

/// A [`FrozenTerm`] whose clone stops the query once its limits are hit.
#[derive(PartialEq, Eq, Hash, Debug)]
pub(crate) struct GuardedTerm(FrozenTerm);

impl Clone for GuardedTerm {
    #[inline]
    fn clone(&self) -> Self {
        check_clone();
        GuardedTerm(self.0.clone())
    }
}

#[inline]
fn count_clone(signal: &Signal) {
    let _ = CLONES.try_with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        if n.is_multiple_of(CLONES_PER_CHECKPOINT) {
            clone_checkpoint(signal);
        }
    });
}

/// A checkpoint at a clone: the caller's [`Checkpoint`] unless the query is
/// stopped, and a stop noticed meanwhile unwinds at once.
#[cold]
#[inline(never)]
fn clone_checkpoint(signal: &Signal) {
    signal.checkpoint();
    interrupt_if_stopped(signal);
}

/// The watchdog's state: stop flags by deadline (a sequence number keeps
/// keys unique), the next number, and when the watchdog will next look.
struct Deadlines {
    flags: BTreeMap<(Instant, u64), Arc<AtomicBool>>,
    next: u64,
    wake_at: Instant,
}

/// The longest the watchdog sleeps; a deadline later than its next look
/// needs no wake-up, so registering one costs a lock and a map insert.
const WATCHDOG_NAP: Duration = Duration::from_secs(1);

/// The process's deadline thread: raises each registered flag at its deadline.
struct Watchdog {
    deadlines: Mutex<Deadlines>,
    changed: Condvar,
}

/// A deadline registered with the [`Watchdog`]; dropping it unregisters it.
pub(crate) struct Registration {
    key: (Instant, u64),
}

impl Drop for Registration {
    fn drop(&mut self) {
        let watchdog = Watchdog::get();
        let mut guard = watchdog
            .deadlines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        guard.flags.remove(&self.key);
    }
}

/// Starts the deadline thread now rather than at the first query with a
/// timeout, so it takes the caller's OS priority, not a query thread's.
pub fn start_watchdog() {
    Watchdog::get();
}

impl Watchdog {
    fn get() -> &'static Watchdog {
        static WATCHDOG: OnceLock<&'static Watchdog> = OnceLock::new();
        WATCHDOG.get_or_init(|| {
            let watchdog: &'static Watchdog = Box::leak(Box::new(Watchdog {
                deadlines: Mutex::new(Deadlines {
                    flags: BTreeMap::new(),
                    next: 0,
                    wake_at: Instant::now(),
                }),
                changed: Condvar::new(),
            }));
            // If the thread cannot start, deadlines are simply not enforced
            // here; the caller's own timeout (the server's) still answers.
            let _ = std::thread::Builder::new()
                .name("sg-query-deadlines".into())
                .spawn(move || watchdog.watch());
            watchdog
        })
    }

    fn register(&self, at: Instant, flag: Arc<AtomicBool>) -> Registration {
        let mut guard = self
            .deadlines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        guard.next += 1;
        let key = (at, guard.next);
        guard.flags.insert(key, flag);
        let wake = at < guard.wake_at;
        drop(guard);
        if wake {
            self.changed.notify_one();
        }
        Registration { key }
    }

    fn watch(&self) {
        let mut guard = self
            .deadlines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = Instant::now();
            while let Some(entry) = guard.flags.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                entry.remove().store(true, Ordering::Relaxed);
            }
            let nap = now + WATCHDOG_NAP;
            let until = guard
                .flags
                .keys()
                .next()
                .map_or(nap, |(at, _)| (*at).min(nap));
            guard.wake_at = until;
            guard = self
                .changed
                .wait_timeout(guard, until.saturating_duration_since(now))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// What [`Guarded`] reports once its query is stopped.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// A term id the dataset does not know (a bug, not bad input).
    #[error(transparent)]
    UnknownTerm(#[from] UnknownTermId),
    /// The query was stopped (deadline, memory budget, output cap or cancel).
    #[error("the query was stopped")]
    Stopped,
}

/// A [`FrozenDataset`] seen through one query's [`Control`].
pub(crate) struct Guarded<'a> {
    inner: &'a FrozenDataset,
    control: Rc<Control>,
}

impl<'a> Guarded<'a> {
    pub(crate) fn new(inner: &'a FrozenDataset, control: Rc<Control>) -> Self {
        Guarded { inner, control }
    }

    #[inline]
    fn check(&self) -> Result<(), GuardError> {
        if self.control.tick() {
            Err(GuardError::Stopped)
        } else {
            Ok(())
        }
    }
}

fn guard_quad(q: InternalQuad<FrozenTerm>) -> InternalQuad<GuardedTerm> {
    InternalQuad {
        subject: GuardedTerm(q.subject),
        predicate: GuardedTerm(q.predicate),
        object: GuardedTerm(q.object),
        graph_name: q.graph_name.map(GuardedTerm),
    }
}

impl<'a> QueryableDataset<'a> for Guarded<'a> {
    type InternalTerm = GuardedTerm;
    type Error = GuardError;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&GuardedTerm>,
        predicate: Option<&GuardedTerm>,
        object: Option<&GuardedTerm>,
        graph_name: Option<Option<&GuardedTerm>>,
    ) -> impl Iterator<Item = Result<InternalQuad<GuardedTerm>, GuardError>> + use<'a> {
        let control = Rc::clone(&self.control);
        let mut quads = self.inner.internal_quads_for_pattern(
            subject.map(|t| &t.0),
            predicate.map(|t| &t.0),
            object.map(|t| &t.0),
            graph_name.map(|g| g.map(|t| &t.0)),
        );
        // Once stopped, end the scan with one error instead of draining it.
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            if control.tick() {
                done = true;
                return Some(Err(GuardError::Stopped));
            }
            Some(quads.next()?.map(guard_quad).map_err(GuardError::from))
        })
    }

    fn internal_named_graphs(
        &self,
    ) -> impl Iterator<Item = Result<GuardedTerm, GuardError>> + use<'a> {
        let control = Rc::clone(&self.control);
        self.inner.internal_named_graphs().map(move |g| {
            if control.tick() {
                return Err(GuardError::Stopped);
            }
            Ok(GuardedTerm(g?))
        })
    }

    fn contains_internal_graph_name(&self, graph_name: &GuardedTerm) -> Result<bool, GuardError> {
        self.check()?;
        Ok(self.inner.contains_internal_graph_name(&graph_name.0)?)
    }

    fn internalize_term(&self, term: Term) -> Result<GuardedTerm, GuardError> {
        self.check()?;
        Ok(GuardedTerm(self.inner.internalize_term(term)?))
    }

    fn externalize_term(&self, term: GuardedTerm) -> Result<Term, GuardError> {
        self.check()?;
        Ok(self.inner.externalize_term(term.0)?)
    }

    fn externalize_expression_term(&self, term: GuardedTerm) -> Result<ExpressionTerm, GuardError> {
        self.check()?;
        Ok(self.inner.externalize_expression_term(term.0)?)
    }

    fn internalize_expression_term(&self, term: ExpressionTerm) -> Result<GuardedTerm, GuardError> {
        self.check()?;
        Ok(GuardedTerm(self.inner.internalize_expression_term(term)?))
    }

    fn internal_term_effective_boolean_value(
        &self,
        term: GuardedTerm,
    ) -> Result<Option<bool>, GuardError> {
        self.check()?;
        Ok(self.inner.internal_term_effective_boolean_value(term.0)?)
    }
}

/// A writer that counts bytes against the output limit and stops with the query.
pub(crate) struct Limited<'w> {
    out: &'w mut dyn Write,
    written: usize,
    max: Option<usize>,
    control: Rc<Control>,
}

impl<'w> Limited<'w> {
    pub(crate) fn new(out: &'w mut dyn Write, max: Option<usize>, control: Rc<Control>) -> Self {
        Limited {
            out,
            written: 0,
            max,
            control,
        }
    }
}

impl Write for Limited<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(max) = self.max {
            if self.written.saturating_add(buf.len()) > max {
                self.control.halt(Stop::Output(max));
            }
        }
        if self.control.tick() {
            return Err(io::Error::other("the query was stopped"));
        }
        let n = self.out.write(buf)?;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
