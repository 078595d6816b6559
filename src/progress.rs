//! Progress reporting from long library work, shown by the CLI as progress bars.

/// Receives progress of long work: a phase starts with a total, advances, finishes.
///
/// Work made of several steps (the `run` pipeline) announces each with
/// [`Progress::step`]; the phases of a step are reported inside it.
pub trait Progress: Sync {
    /// A phase of `total` units (0: unknown) begins.
    fn start(&self, _phase: &'static str, _total: u64) {}
    /// `n` more units of the phase are done.
    fn advance(&self, _n: u64) {}
    /// The phase is over.
    fn finish(&self) {}
    /// Step `index` (1-based) of `total` begins.
    fn step(&self, _index: usize, _total: usize, _name: &'static str) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
