//! The `signalgraph` command-line tool: a thin layer over the library (see `cli`).

mod cli;

// oxigraph's in-memory store allocates a small node per quad; mimalloc makes
// opening a large store markedly faster than the system allocator does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
