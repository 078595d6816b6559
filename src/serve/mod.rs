//! `signalgraph serve`: a read-only SPARQL 1.1 Protocol endpoint over an opened store.
//!
//! Routes: `GET/POST /sparql` answers queries (the SPARQL 1.1 Protocol query
//! operation, `default-graph-uri`/`named-graph-uri` honoured, results by
//! content negotiation, see [`protocol`]); `GET /sparql` without a query gives
//! the [service description](service_description); `GET /` a query page
//! ([`page`]); `GET /report` the store's `report.html` when there is one.
//! Nothing writes: updates are refused with a message.
//!
//! **HTTP stack.** tokio with hyper 1 (HTTP/1.1 only) and hyper-util's
//! graceful shutdown: the most used and maintained Rust HTTP server core,
//! with explicit control over everything the endpoint must bound (header read
//! timeout, body size, keep-alive), and no framework layer we would not use
//! (routing here is five paths, [`routes`]). Connections are async tasks
//! ([`accept`]), so slow or idle clients cost a few kilobytes rather than a
//! thread. They all run on one thread (tokio's current-thread runtime):
//! reading requests and writing answers is a small share of the work, and a
//! pool of I/O threads wakes idle ones to look for work, which takes cores
//! from the queries. Queries are CPU-bound and synchronous (spareval), so
//! each runs on a thread of the endpoint's evaluation pool ([`sparql`],
//! [`schedule::pool`]), at most `max_concurrent` at once — beyond that the
//! endpoint answers 503 with `Retry-After` at once instead of queueing.
//! Queries that have run past a grace period give way to younger ones
//! ([`schedule`]), so a cheap query is not stuck behind an expensive one.
//!
//! **Limits.** Every query runs under [`crate::query::Limits`]: a timeout and a
//! memory budget checked while the engine pulls quads and compares terms, and
//! a result-size limit checked while the results are serialised into a
//! buffer — the answer is only sent once complete, so a stopped query is a
//! clean `503` with a message, never a truncated `200`. The whole server
//! has a memory budget too ([`budget`]): over it, new queries get 503 and
//! the oldest running one is stopped. Request bodies are capped (`413`), a
//! GET's query string likewise (`414`) and the request head (`431`), header
//! and body reads time out, and a connection whose client stops reading its
//! response is dropped (see [`limits`]). At the connection cap the
//! connection idle the longest makes room for a new one ([`connections`]). Queries
//! too long or nested too deep are refused before parsing, by
//! [`query::parse`]. A panic in a request is caught and answered `500`; it never
//! takes the connection task, another request or the process with it.

mod accept;
mod budget;
mod connections;
mod limits;
pub mod page;
pub mod protocol;
mod routes;
mod schedule;
pub mod service_description;
mod sparql;

pub use budget::{available_memory, default_max_memory, resident_bytes};

use crate::query;
use crate::store::FrozenDataset;
use accept::{accept_loop, listen, ShutdownSignals};
use budget::Queries;
use bytes::Bytes;
use schedule::pool::Evaluators;
use schedule::Priority;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Largest request head (request line and headers), in bytes; larger ones get 431.
/// (The URL alone is held to 64 KiB by the `http` crate, which answers 414 past it.)
pub const MAX_HEAD_BYTES: usize = 128 << 10;

/// How long after its timeout a query's answer is waited for before the
/// client gets a 503 anyway (the stop is normally noticed within milliseconds).
const LATE: Duration = Duration::from_secs(2);

/// Server settings; [`Options::default`] is what `signalgraph serve` uses without flags.
#[derive(Clone, Debug)]
pub struct Options {
    /// Address to listen on (port 0 picks a free port).
    pub bind: SocketAddr,
    /// Per-query time limit.
    pub timeout: Duration,
    /// Largest serialised answer, in bytes.
    pub max_result_bytes: usize,
    /// Largest request body (and URL query string), in bytes.
    pub max_body_bytes: usize,
    /// Queries evaluated at once; more get 503.
    pub max_concurrent: usize,
    /// Heap one query may hold, in bytes (needs the counting allocator, see [`crate::memory`]).
    pub max_query_memory: Option<usize>,
    /// Resident memory the whole process may hold, in bytes: past it new
    /// queries get 503 and running ones are stopped (see [`budget`]); `None`: no limit.
    pub max_memory: Option<usize>,
    /// The one origin allowed by CORS (`*` for any); `None`: no CORS headers.
    pub cors: Option<String>,
    /// Print a line per request on stderr.
    pub log_requests: bool,
    /// Open connections at once; past it the connection idle the longest is
    /// closed for a new one (see [`connections`]), or new ones wait when all are busy.
    pub max_connections: usize,
    /// Time allowed to send request headers (also the keep-alive idle time),
    /// to send a body, and for a stalled response write.
    pub io_timeout: Duration,
    /// After SIGINT/SIGTERM, how long requests in flight may take before their queries are cancelled.
    pub shutdown_grace: Duration,
    /// Queries running longer than this give way to younger ones
    /// (short queries first, see [`schedule`]); `None`: off.
    pub short_first: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bind: SocketAddr::from(([127, 0, 0, 1], 7878)),
            timeout: Duration::from_secs(30),
            max_result_bytes: 256 << 20,
            max_body_bytes: 1 << 20,
            max_concurrent: 32,
            max_query_memory: Some(1 << 30),
            max_memory: None,
            cors: None,
            log_requests: true,
            max_connections: 1024,
            io_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
            short_first: Some(Priority::GRACE),
        }
    }
}

/// What the endpoint serves.
pub struct Endpoint {
    /// The opened store every query is answered from.
    pub dataset: Arc<FrozenDataset>,
    /// The store directory (for `report.html`).
    pub store_dir: PathBuf,
    /// The data base IRI.
    pub base: String,
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it could not be bound.
        source: io::Error,
    },
    /// The runtime (threads, signal handlers) could not start.
    #[error("cannot start the server: {0}")]
    Runtime(io::Error),
    /// The store alone already needs more memory than `--max-memory`.
    #[error(
        "the server already holds {} MiB with the store loaded, over --max-memory {} MiB: raise it",
        .resident >> 20,
        .max >> 20
    )]
    OverBudget {
        /// Resident bytes with the store loaded.
        resident: usize,
        /// The `--max-memory` limit in bytes.
        max: usize,
    },
}

/// How the server ended.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Requests answered.
    pub requests: u64,
    /// Whether requests still in flight were cut off at shutdown.
    pub forced: bool,
    /// Times a long query paused for younger ones.
    pub pauses: u64,
    /// Queries stopped because the server was over its memory budget.
    pub memory_stops: u64,
    /// Idle connections closed to make room for new ones.
    pub evicted: u64,
}

struct State {
    endpoint: Endpoint,
    options: Options,
    /// Permits for queries being evaluated.
    slots: Arc<Semaphore>,
    /// Running queries (cancelled when shutdown stops waiting for them) and the memory budget.
    queries: Arc<Queries>,
    requests: AtomicU64,
    page: Bytes,
    /// Short queries first (when on).
    priority: Option<Priority>,
    /// The threads queries are evaluated on.
    evaluators: Evaluators,
}

/// Serves `endpoint` until SIGINT or SIGTERM. `ready` is called with the
/// bound address once the socket listens (before any request is read).
pub fn run(
    endpoint: Endpoint,
    options: Options,
    ready: impl FnOnce(SocketAddr),
) -> Result<Summary, ServeError> {
    // One I/O thread: see the module documentation.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("sg-serve")
        .build()
        .map_err(ServeError::Runtime)?;
    // Old queries' threads run at a lower priority; the deadline thread must not.
    query::start_watchdog();
    if let (Some(max), Some(resident)) = (options.max_memory, resident_bytes()) {
        if resident >= max {
            return Err(ServeError::OverBudget { resident, max });
        }
    }
    let page = Bytes::from(page::query_page(&endpoint.base));
    let state = Arc::new(State {
        slots: Arc::new(Semaphore::new(options.max_concurrent)),
        queries: Queries::new(options.max_memory, options.log_requests),
        requests: AtomicU64::new(0),
        page,
        priority: options.short_first.map(Priority::new),
        // Room for the parser and planner on deep (but allowed) queries.
        evaluators: Evaluators::new("sg-query", query::STACK_SIZE),
        endpoint,
        options,
    });
    let result = runtime.block_on(async {
        let addr = state.options.bind;
        let listener = listen(addr).map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(ServeError::Runtime)?;
        // Listening for signals before saying the server is ready: a SIGTERM
        // right after must stop it gracefully, not kill it.
        let signals = ShutdownSignals::new().map_err(ServeError::Runtime)?;
        ready(local);
        Ok(accept_loop(listener, signals, Arc::clone(&state)).await)
    });
    state.evaluators.close();
    state.queries.close();
    // Queries that ignored cancellation must not hold the process.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}
