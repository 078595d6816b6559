//! Per-thread heap accounting, so a query can be stopped when it holds too much memory.
//!
//! spareval evaluates a query on the thread that pulls its results, so the
//! heap a query holds is (almost exactly) what its thread allocated and did
//! not free since the query started. [`CountingAllocator`] wraps the global
//! allocator and keeps a per-thread count of live bytes; a [`Budget`] sets a ceiling
//! on the bytes the current thread holds beyond what it held when the budget
//! started, and the allocator raises the budget's flag (an `AtomicBool` the
//! caller gives, and [`Budget::exceeded`]) as soon as an allocation crosses
//! it — the allocator never fails or unwinds; the query's guard sees the flag
//! and stops the query. Code that builds one large value at once (the
//! query's string functions) asks [`room_for`] first, so that the value is
//! not allocated at all when it would not fit. The binary
//! installs the allocator (`src/main.rs`); where it is not installed
//! [`Budget::start`] gives `None` and no memory limit applies.
//!
//! The counter is a `const`-initialised thread local of a plain `Cell`:
//! reading them never allocates and registers no destructor, so the allocator
//! may touch them at any time; `try_with` keeps a thread being torn down safe.

#![allow(unsafe_code)] // a GlobalAlloc must be unsafe to implement and to call

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

thread_local! {
    /// Bytes this thread has allocated minus bytes it has freed (whoever
    /// allocated them, so it may be negative).
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// The [`LIVE`] level above which the budget's flag is raised.
    static CEILING: Cell<i64> = const { Cell::new(i64::MAX) };
    /// Whether an allocation crossed [`CEILING`] since the budget started.
    static OVER: Cell<bool> = const { Cell::new(false) };
    /// The flag to raise when [`CEILING`] is crossed (null: none).
    static RAISE: Cell<*const AtomicBool> = const { Cell::new(std::ptr::null()) };
}

#[inline]
fn live() -> i64 {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

#[inline]
fn allocated(bytes: usize) {
    let _ = LIVE.try_with(|c| {
        let live = c.get().wrapping_add(bytes as i64);
        c.set(live);
        if CEILING
            .try_with(Cell::get)
            .is_ok_and(|ceiling| live > ceiling)
        {
            over_budget();
        }
    });
}

#[cold]
fn over_budget() {
    let _ = OVER.try_with(|o| o.set(true));
    let flag = RAISE.try_with(Cell::get).unwrap_or(std::ptr::null());
    if !flag.is_null() {
        // SAFETY: `RAISE` is only non-null while the `Budget` that set it is
        // alive on this thread, and that `Budget` owns an `Arc` of the flag.
        unsafe { &*flag }.store(true, Ordering::Relaxed);
    }
}

#[inline]
fn freed(bytes: usize) {
    let _ = LIVE.try_with(|c| c.set(c.get().wrapping_sub(bytes as i64)));
}

/// A global allocator that counts the bytes each thread allocates and frees.
///
/// ```ignore
/// #[global_allocator]
/// static ALLOCATOR: signalgraph::memory::CountingAllocator<std::alloc::System> =
///     signalgraph::memory::CountingAllocator(std::alloc::System);
/// ```
pub struct CountingAllocator<A>(pub A);

// SAFETY: every call is forwarded to the wrapped allocator unchanged; the
// bookkeeping only touches thread-local cells, which never allocate.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.0.alloc(layout) };
        if !ptr.is_null() {
            allocated(layout.size());
        }
        ptr
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.0.alloc_zeroed(layout) };
        if !ptr.is_null() {
            allocated(layout.size());
        }
        ptr
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        freed(layout.size());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            freed(layout.size());
            allocated(new_size);
        }
        new
    }
}

/// A ceiling on the heap the current thread may hold while it lives (not
/// `Send`: it belongs to the thread that started it).
#[derive(Debug)]
pub struct Budget {
    max: usize,
    previous_ceiling: i64,
    previous_over: bool,
    previous_raise: *const AtomicBool,
    /// Keeps the flag `RAISE` points at alive.
    _flag: Arc<AtomicBool>,
}

impl Budget {
    /// Starts a budget of `max` bytes above what the thread holds now, which
    /// raises `flag` when exceeded; `None` when [`CountingAllocator`] is not
    /// the global allocator.
    pub fn start(max: usize, flag: Arc<AtomicBool>) -> Option<Budget> {
        // The allocator is installed if an allocation moves the counter.
        let before = live();
        let probe = std::hint::black_box(Box::new([0u8; 64]));
        let installed = live() != before;
        drop(probe);
        if !installed {
            return None;
        }
        let ceiling = live().saturating_add(i64::try_from(max).unwrap_or(i64::MAX));
        let previous_ceiling = CEILING.try_with(|c| c.replace(ceiling)).ok()?;
        let previous_over = OVER.try_with(|o| o.replace(false)).unwrap_or(false);
        let previous_raise = RAISE
            .try_with(|r| r.replace(Arc::as_ptr(&flag)))
            .unwrap_or(std::ptr::null());
        Some(Budget {
            max,
            previous_ceiling,
            previous_over,
            previous_raise,
            _flag: flag,
        })
    }

    /// The budget in bytes.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Whether the thread has held more than the budget at some point since it started.
    #[inline]
    pub fn exceeded(&self) -> bool {
        exceeded()
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        let _ = CEILING.try_with(|c| c.set(self.previous_ceiling));
        let _ = OVER.try_with(|o| o.set(self.previous_over));
        let _ = RAISE.try_with(|r| r.set(self.previous_raise));
    }
}

/// Whether the current thread may allocate `bytes` more without passing its
/// budget (always, without one). If not, the budget counts as exceeded
/// (its flag is raised) just as if the allocation had been made: code that
/// builds one large value asks first, so a query is stopped before the
/// value is allocated rather than after.
pub fn room_for(bytes: usize) -> bool {
    let ceiling = CEILING.try_with(Cell::get).unwrap_or(i64::MAX);
    if ceiling == i64::MAX {
        return true;
    }
    let after = live().saturating_add(i64::try_from(bytes).unwrap_or(i64::MAX));
    if after > ceiling {
        over_budget();
        return false;
    }
    !exceeded()
}

/// Whether the current thread's budget (if any) has been exceeded.
#[inline]
pub fn exceeded() -> bool {
    OVER.try_with(Cell::get).unwrap_or(false)
}
