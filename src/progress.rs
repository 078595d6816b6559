//! Progress reporting from long library work, shown by the CLI as progress bars.

/// Receives progress of long work: a phase starts with a total, advances, finishes.
pub trait Progress: Sync {
    fn start(&self, _phase: &'static str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
