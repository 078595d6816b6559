//! The `signalgraph` command-line tool: a thin layer over the library (see `cli`).

mod cli;

// mimalloc makes opening a large store markedly faster than the system
// allocator does; the counting wrapper lets `serve` hold each query to a
// memory budget (per-thread byte counters, see `signalgraph::memory`).
#[global_allocator]
static ALLOCATOR: signalgraph::memory::CountingAllocator<mimalloc::MiMalloc> =
    signalgraph::memory::CountingAllocator(mimalloc::MiMalloc);

fn main() -> std::process::ExitCode {
    cli::main()
}
