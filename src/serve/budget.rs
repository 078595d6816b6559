//! The server-wide memory budget, and the registry of running queries that
//! lets shutdown and the budget stop them.
//!
//! The budget is on the process's resident memory (the store included), as
//! the operating system counts it: that is what runs a machine out of memory,
//! whatever holds it. A query is admitted only while the process is under the
//! budget (else 503 with `Retry-After`), and its own heap budget is cut to
//! its share of the room left at admission (the room divided among it and
//! the queries already running), so queries that arrive together cannot take
//! the process far over. Queries admitted while the server was nearly empty
//! still can: while queries run, a monitor thread reads the resident size
//! every [`SAMPLE`] and, when it is over the budget, stops the query that has
//! run longest (its heap is only known to its own thread; the oldest one has
//! had the most time to grow and, with short queries first, is the one least
//! likely to finish soon). It then waits until that query has ended and its
//! memory was returned ([`release_freed_memory`]) before it stops another —
//! one stop is enough when one query was the problem — but no longer than
//! [`STOP_WAIT`]: a query that is slow to notice its stop does not leave
//! the others free to grow.
//!
//! Resident size is read from `/proc/self/statm`; elsewhere the budget is off.
#![allow(unsafe_code)] // mimalloc's mi_collect and libc's sysconf

use spareval::CancellationToken;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often the resident size is read while queries run.
pub(crate) const SAMPLE: Duration = Duration::from_millis(10);

/// After a stopped query ended (and returned its memory), how long before
/// the resident size counts again.
const SETTLE: Duration = Duration::from_millis(20);

/// How long a stopped query may take to end before, if the server is still
/// over its budget, the next one is stopped too.
pub(crate) const STOP_WAIT: Duration = Duration::from_millis(100);

// The binary's allocator; `mi_collect` below is in its C library.
use mimalloc as _;

extern "C" {
    fn mi_collect(force: bool);
}

/// Hands the memory mimalloc holds free back to the operating system.
///
/// mimalloc returns freed pages lazily, on later allocations of the same
/// thread, so the gigabyte an evaluation thread freed at the end of a big
/// query would stay resident while the thread waits for work, and the budget
/// would go on counting it. Called on the evaluation thread after a query
/// that ran long or was stopped (for a short query it is not worth the walk
/// over the heap).
pub(crate) fn release_freed_memory() {
    // SAFETY: mi_collect takes no pointers; it is safe to call at any time,
    // also when mimalloc is not the global allocator (it then has little to do).
    unsafe { mi_collect(true) }
}

/// The process's resident memory in bytes (`None` where it cannot be read).
pub fn resident_bytes() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
        static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        // SAFETY: sysconf only reads a system constant.
        let page =
            *PAGE.get_or_init(|| unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as usize);
        Some(pages.saturating_mul(page))
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// The memory this process may use on the machine: the physical memory, or
/// the cgroup's limit when it is lower (`None` where neither can be read).
pub fn available_memory() -> Option<usize> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let total_kib: usize = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let total = total_kib.saturating_mul(1024);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|s| s.trim().parse::<usize>().ok())
    .min();
    Some(cgroup.map_or(total, |c| c.min(total)))
}

/// The default server budget: half of [`available_memory`].
pub fn default_max_memory() -> Option<usize> {
    available_memory().map(|m| m / 2)
}

/// Running queries, and the budget they share.
pub(crate) struct Queries {
    /// The budget in bytes (`None`: only the registry, for shutdown).
    max: Option<usize>,
    state: Mutex<Registry>,
    /// Signalled when a query starts or ends, and at close.
    changed: Condvar,
    /// Queries stopped for the budget.
    stopped: AtomicU64,
    /// Log each stop on stderr.
    log: bool,
}

#[derive(Default)]
struct Registry {
    next: u64,
    /// By admission order: the first is the one running longest.
    running: BTreeMap<u64, Running>,
    /// Set at shutdown: queries admitted from then on start cancelled.
    cancelled: bool,
    closed: bool,
    /// When the last query stopped for the budget ended.
    settled_from: Option<Instant>,
    /// When the monitor last stopped a query, and the stop before that.
    last_stop: Option<Instant>,
    previous_stop: Option<Instant>,
}

struct Running {
    token: CancellationToken,
    over_budget: Arc<AtomicBool>,
}

/// A query's place in the registry; dropping it (when the evaluation has
/// really ended) removes it.
pub(crate) struct Admitted {
    queries: Arc<Queries>,
    id: u64,
    /// Cancelled at shutdown or when the budget stops this query.
    pub token: CancellationToken,
    /// Whether the budget stopped this query.
    pub over_budget: Arc<AtomicBool>,
    /// Bytes left under the budget when the query was admitted.
    pub room: Option<usize>,
}

/// Why a query was not admitted: the resident size and the budget, in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OverBudget {
    pub resident: usize,
    pub max: usize,
}

impl Queries {
    /// A registry with an optional budget; the monitor thread runs only with a budget.
    pub(crate) fn new(max: Option<usize>, log: bool) -> Arc<Queries> {
        let queries = Arc::new(Queries {
            max: max.filter(|_| resident_bytes().is_some()),
            state: Mutex::new(Registry::default()),
            changed: Condvar::new(),
            stopped: AtomicU64::new(0),
            log,
        });
        if queries.max.is_some() {
            let q = Arc::clone(&queries);
            // Without the thread the budget only holds at admission.
            let _ = std::thread::Builder::new()
                .name("sg-memory".into())
                .stack_size(64 << 10)
                .spawn(move || q.monitor());
        }
        queries
    }

    /// The budget in bytes, if one applies.
    pub(crate) fn max(&self) -> Option<usize> {
        self.max
    }

    /// Queries stopped because the server was over its budget.
    pub(crate) fn stopped_for_memory(&self) -> u64 {
        self.stopped.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a query, unless the process is over the budget.
    pub(crate) fn admit(self: &Arc<Self>) -> Result<Admitted, OverBudget> {
        let mut room = None;
        if let Some(max) = self.max {
            let resident = resident_bytes().unwrap_or(0);
            if resident >= max {
                return Err(OverBudget { resident, max });
            }
            room = Some(max - resident);
        }
        let token = CancellationToken::new();
        let over_budget = Arc::new(AtomicBool::new(false));
        let mut state = self.lock();
        let room = room.map(|r| r / (state.running.len() + 1));
        if state.cancelled {
            token.cancel();
        }
        let id = state.next;
        state.next += 1;
        state.running.insert(
            id,
            Running {
                token: token.clone(),
                over_budget: Arc::clone(&over_budget),
            },
        );
        drop(state);
        self.changed.notify_all();
        Ok(Admitted {
            queries: Arc::clone(self),
            id,
            token,
            over_budget,
            room,
        })
    }

    /// Cancels every running query, and every query admitted from now on.
    pub(crate) fn cancel_all(&self) {
        let mut state = self.lock();
        state.cancelled = true;
        for r in state.running.values() {
            r.token.cancel();
        }
    }

    /// Ends the monitor thread.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Samples the resident size while queries run and stops the oldest
    /// query when it is over the budget (see the module documentation).
    fn monitor(&self) {
        let Some(max) = self.max else { return };
        let mut state = self.lock();
        loop {
            if state.closed {
                return;
            }
            if state.running.is_empty() {
                state = self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            let stopping = state.last_stop.is_some_and(|t| t.elapsed() < STOP_WAIT)
                && state
                    .running
                    .values()
                    .any(|r| r.over_budget.load(Ordering::Relaxed));
            let settling = state.settled_from.is_some_and(|t| t.elapsed() < SETTLE);
            if !stopping && !settling {
                drop(state);
                let resident = resident_bytes().unwrap_or(0);
                state = self.lock();
                if resident > max {
                    let oldest = state.running.values().find(|r| !r.token.is_cancelled());
                    if let Some(r) = oldest {
                        r.over_budget.store(true, Ordering::Relaxed);
                        r.token.cancel();
                        self.stopped.fetch_add(1, Ordering::Relaxed);
                        state.previous_stop = state.last_stop;
                        state.last_stop = Some(Instant::now());
                        if self.log {
                            eprintln!(
                                "warning: {} MiB held, over --max-memory {} MiB: stopping the query that has run longest",
                                resident >> 20,
                                max >> 20
                            );
                        }
                    }
                }
            }
            state = self
                .changed
                .wait_timeout(state, SAMPLE)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut state = self.queries.lock();
        state.running.remove(&self.id);
        if self.over_budget.load(Ordering::Relaxed) {
            state.settled_from = Some(Instant::now());
        }
        drop(state);
        self.queries.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_figures_are_read_on_linux() {
        if cfg!(target_os = "linux") {
            let resident = resident_bytes().unwrap();
            assert!(resident > 0);
            let available = available_memory().unwrap();
            assert!(available > resident);
            assert_eq!(default_max_memory(), Some(available / 2));
        }
    }

    #[test]
    fn over_budget_queries_are_refused_and_shutdown_cancels_the_rest() {
        let unlimited = Queries::new(None, false);
        let a = unlimited.admit().unwrap();
        assert!(a.room.is_none());
        unlimited.cancel_all();
        assert!(a.token.is_cancelled());
        // Admitted after shutdown began: cancelled from the start.
        assert!(unlimited.admit().unwrap().token.is_cancelled());
        if resident_bytes().is_some() {
            let tiny = Queries::new(Some(1), false);
            let refused = tiny.admit().err().unwrap();
            assert_eq!(refused.max, 1);
            assert!(refused.resident > 1);
            tiny.close();
            let roomy = Queries::new(Some(usize::MAX / 2), false);
            let q = roomy.admit().unwrap();
            assert!(q.room.unwrap() > usize::MAX / 4);
            // A second query shares the room with the first.
            let shared = roomy.admit().unwrap();
            assert!(shared.room.unwrap() < usize::MAX / 4);
            assert!(!q.over_budget.load(Ordering::Relaxed));
            roomy.close();
        }
    }

    #[test]
    fn the_oldest_query_is_stopped_when_over_budget() {
        if resident_bytes().is_none() {
            return;
        }
        // Admit two queries under a budget that is then exceeded by a
        // large allocation held here.
        let now = resident_bytes().unwrap();
        let queries = Queries::new(Some(now + (64 << 20)), false);
        let first = queries.admit().unwrap();
        let second = queries.admit().unwrap();
        // Far over the budget, whatever the tests running beside this one
        // (same process) allocate or free meanwhile.
        let hog: Vec<u8> = vec![1; 512 << 20];
        std::hint::black_box(&hog);
        let started = Instant::now();
        while !first.token.is_cancelled() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(SAMPLE);
        }
        assert!(first.over_budget.load(Ordering::Relaxed));
        // The second is stopped too, but not before the first had STOP_WAIT
        // to end (the checker's own stop times: no test timing involved).
        while !second.token.is_cancelled() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(SAMPLE);
        }
        assert!(second.over_budget.load(Ordering::Relaxed));
        assert_eq!(queries.stopped_for_memory(), 2);
        let (first_stop, second_stop) = {
            let state = queries.lock();
            (state.previous_stop.unwrap(), state.last_stop.unwrap())
        };
        assert!(
            second_stop.duration_since(first_stop) >= STOP_WAIT,
            "{:?}",
            second_stop.duration_since(first_stop)
        );
        drop(first);
        drop(hog);
        queries.close();
    }
}
