//! Per-thread heap accounting, so a query can be stopped when it holds too much memory.
//!
//! spareval evaluates a query on the thread that pulls its results, so the
//! heap a query holds is (almost exactly) what its thread allocated and did
//! not free since the query started. [`CountingAllocator`] wraps the global
//! allocator and keeps per-thread byte counters; a [`Budget`] sets a ceiling
//! on the bytes the current thread holds beyond what it held when the budget
//! started, and the allocator raises a per-thread flag ([`Budget::exceeded`])
//! as soon as an allocation crosses it — the allocator never fails or
//! unwinds; the query's guard reads the flag and stops the query. The binary
//! installs the allocator (`src/main.rs`); where it is not installed
//! [`Budget::start`] gives `None` and no memory limit applies.
//!
//! The counters are `const`-initialised thread locals of plain `Cell`s:
//! reading them never allocates and registers no destructor, so the allocator
//! may touch them at any time; `try_with` keeps a thread being torn down safe.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

thread_local! {
    /// Bytes this thread has allocated (ever).
    static ALLOCATED: Cell<u64> = const { Cell::new(0) };
    /// Bytes this thread has freed (ever), whoever allocated them.
    static FREED: Cell<u64> = const { Cell::new(0) };
    /// The live-bytes level (`ALLOCATED - FREED`) above which [`OVER`] is raised.
    static CEILING: Cell<i64> = const { Cell::new(i64::MAX) };
    /// Whether an allocation crossed [`CEILING`] since the budget started.
    static OVER: Cell<bool> = const { Cell::new(false) };
}

/// Live bytes of this thread by its counters (may be negative: it freed
/// memory other threads allocated).
#[inline]
fn live() -> i64 {
    let allocated = ALLOCATED.try_with(Cell::get).unwrap_or(0);
    let freed = FREED.try_with(Cell::get).unwrap_or(0);
    allocated.wrapping_sub(freed) as i64
}

#[inline]
fn allocated(bytes: usize) {
    let _ = ALLOCATED.try_with(|c| c.set(c.get().wrapping_add(bytes as u64)));
    if CEILING
        .try_with(Cell::get)
        .is_ok_and(|ceiling| live() > ceiling)
    {
        let _ = OVER.try_with(|o| o.set(true));
    }
}

#[inline]
fn freed(bytes: usize) {
    let _ = FREED.try_with(|c| c.set(c.get().wrapping_add(bytes as u64)));
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

/// A ceiling on the heap the current thread may hold while it lives (not `Send`).
#[derive(Debug)]
pub struct Budget {
    max: usize,
    previous_ceiling: i64,
    previous_over: bool,
    /// Budgets belong to the thread that started them.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Budget {
    /// Starts a budget of `max` bytes above what the thread holds now, or
    /// `None` when [`CountingAllocator`] is not the global allocator.
    pub fn start(max: usize) -> Option<Budget> {
        // Make sure this thread has allocated through the global allocator at least once.
        drop(std::hint::black_box(Box::new(0u8)));
        if ALLOCATED.try_with(Cell::get).ok()? == 0 {
            return None;
        }
        let ceiling = live().saturating_add(i64::try_from(max).unwrap_or(i64::MAX));
        let previous_ceiling = CEILING.try_with(|c| c.replace(ceiling)).ok()?;
        let previous_over = OVER.try_with(|o| o.replace(false)).unwrap_or(false);
        Some(Budget {
            max,
            previous_ceiling,
            previous_over,
            _not_send: std::marker::PhantomData,
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
    }
}

/// Whether the current thread's budget (if any) has been exceeded.
#[inline]
pub fn exceeded() -> bool {
    OVER.try_with(Cell::get).unwrap_or(false)
}
