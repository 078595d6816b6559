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
//! (routing here is five paths). Connections are async tasks, so slow or idle
//! clients cost a few kilobytes rather than a thread. They all run on one
//! thread (tokio's current-thread runtime): reading requests and writing
//! answers is a small share of the work, and with a pool of I/O threads an
//! idle one is woken to look for work whenever another gets some, which
//! took the core from whatever ran there (a short query, or its client on
//! the same machine) in the load test. Queries are CPU-bound
//! and synchronous (spareval), so each runs on a thread of the endpoint's
//! evaluation pool ([`evaluators`]), at most `max_concurrent` at once —
//! beyond that the endpoint answers 503 with `Retry-After` at once instead
//! of queueing. Evaluation threads share the cores, and a query that has run
//! past a grace period (2 ms of CPU) pauses while younger ones need its core
//! and runs at a lower OS priority from then on (short queries first,
//! [`crate::query::Priority`]), so a cheap query is neither stuck behind an
//! expensive one nor time-sliced with it, and reading a new request or
//! writing an answer never waits for an expensive query's time slice.
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

mod budget;
mod connections;
mod evaluators;
mod limits;
pub mod page;
pub mod protocol;
pub mod service_description;

pub use budget::{available_memory, default_max_memory, resident_bytes};

use crate::query::{self, GraphSelection, Limits, Priority, QueryError, Stop, Ticket};
use crate::store::FrozenDataset;
use budget::{Admitted, Queries};
use bytes::Bytes;
use connections::{Busy, Connections};
use evaluators::Evaluators;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use limits::{panic_message, CatchUnwind, StallGuard};
use protocol::Rejection;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Largest request head (request line and headers), in bytes; larger ones get 431.
/// (The URL alone is held to 64 KiB by the `http` crate, which answers 414 past it.)
pub const MAX_HEAD_BYTES: usize = 128 << 10;

/// Under a memory budget, a query that ran this long (or failed) hands the
/// memory it freed back to the OS at once (see [`budget`]).
const RELEASE_AFTER: Duration = Duration::from_millis(20);

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
    /// Queries running longer than this pause while younger ones run
    /// (short queries first, see [`crate::query::Priority`]); `None`: off.
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
    pub dataset: Arc<FrozenDataset>,
    /// The store directory (for `report.html`).
    pub store_dir: PathBuf,
    /// The data base IRI.
    pub base: String,
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("cannot start the server: {0}")]
    Runtime(io::Error),
    #[error(
        "the server already holds {} MiB with the store loaded, over --max-memory {} MiB: raise it",
        .resident >> 20,
        .max >> 20
    )]
    OverBudget { resident: usize, max: usize },
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

/// Connections waiting to be accepted (the OS caps it at `somaxconn`). Under
/// a flood of reconnecting clients the usual 128 overflows, and a new
/// client's connection attempt is then dropped and retried a second later.
const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As std's bind does on Unix: a restarted server can take its port at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// SIGINT and SIGTERM, caught from the moment this is made.
struct ShutdownSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn new() -> io::Result<ShutdownSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(ShutdownSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(ShutdownSignals {})
    }

    /// Resolves on the next SIGINT or SIGTERM.
    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    mut signals: ShutdownSignals,
    state: Arc<State>,
) -> Summary {
    let graceful = GracefulShutdown::new();
    let connections = Connections::new(state.options.max_connections);
    loop {
        tokio::select! {
            _ = connections.room() => {}
            _ = signals.recv() => break,
        }
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    if state.options.log_requests {
                        eprintln!("warning: accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = signals.recv() => break,
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(StallGuard::new(stream, state.options.io_timeout));
        let st = Arc::clone(&state);
        let entry = Arc::new(connections.open());
        let on_request = Arc::clone(&entry);
        let service =
            service_fn(move |req| handle(Arc::clone(&st), remote, on_request.busy(), req));
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(state.options.io_timeout)
            .max_header_size(MAX_HEAD_BYTES)
            .keep_alive(true);
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                // Closed to make room: dropping the connection closes the socket.
                _ = entry.close.notified() => {}
            }
        });
    }
    drop(listener);
    if state.options.log_requests {
        eprintln!("shutting down: finishing requests in flight");
    }
    // Requests in flight may finish within the grace period; then their
    // queries are cancelled (answered 503) and given a moment to go out.
    let all_done = graceful.shutdown();
    tokio::pin!(all_done);
    let again = signals.recv();
    tokio::pin!(again);
    let mut forced = false;
    tokio::select! {
        _ = &mut all_done => {}
        _ = &mut again => forced = true,
        _ = tokio::time::sleep(state.options.shutdown_grace) => {
            state.queries.cancel_all();
            tokio::select! {
                _ = &mut all_done => {}
                _ = &mut again => forced = true,
                _ = tokio::time::sleep(LATE) => forced = true,
            }
        }
    }
    state.queries.cancel_all();
    Summary {
        requests: state.requests.load(Ordering::Relaxed),
        forced,
        pauses: state.priority.as_ref().map_or(0, Priority::pauses),
        memory_stops: state.queries.stopped_for_memory(),
        evicted: connections.evicted(),
    }
}

type Body = Full<Bytes>;

/// A response body that keeps its connection marked busy until hyper has
/// taken all of it (see [`connections`]).
struct Tracked {
    inner: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

async fn handle(
    state: Arc<State>,
    remote: SocketAddr,
    busy: Busy,
    req: Request<Incoming>,
) -> Result<Response<Tracked>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut response = match CatchUnwind(Box::pin(route(&state, req))).await {
        Ok(response) => response,
        Err(panic) => {
            let message = panic_message(&*panic);
            eprintln!("error: {method} {path}: internal error: {message}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error (see the server log)",
            )
        }
    };
    add_common_headers(&state.options, origin.as_ref(), response.headers_mut());
    state.requests.fetch_add(1, Ordering::Relaxed);
    if state.options.log_requests {
        let bytes = hyper::body::Body::size_hint(response.body())
            .exact()
            .unwrap_or(0);
        eprintln!(
            "{remote} {method} {path} {} {:.1} ms {bytes} B",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(response.map(|inner| Tracked { inner, _busy: busy }))
}

fn add_common_headers(options: &Options, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(allowed) = &options.cors {
        let allow = if allowed == "*" {
            Some(HeaderValue::from_static("*"))
        } else {
            origin
                .filter(|o| o.as_bytes() == allowed.as_bytes())
                .cloned()
        };
        if let Some(value) = allow {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        }
        if allowed != "*" {
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
}

async fn route(state: &Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let get = matches!(*req.method(), Method::GET | Method::HEAD);
    match req.uri().path() {
        "/" | "/index.html" if get => {
            let mut r = response(StatusCode::OK, "text/html; charset=utf-8", state.page.clone());
            r.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(page::CSP),
            );
            r
        }
        "/report" if get => report(state).await,
        "/" | "/index.html" | "/report" => not_allowed("GET, HEAD"),
        "/sparql" => match *req.method() {
            Method::GET | Method::HEAD | Method::POST => sparql(state, req).await,
            Method::OPTIONS => {
                let mut r = response(StatusCode::NO_CONTENT, "text/plain", Bytes::new());
                let h = r.headers_mut();
                h.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST, OPTIONS"));
                if state.options.cors.is_some() {
                    h.insert(
                        header::ACCESS_CONTROL_ALLOW_METHODS,
                        HeaderValue::from_static("GET, POST, OPTIONS"),
                    );
                    h.insert(
                        header::ACCESS_CONTROL_ALLOW_HEADERS,
                        HeaderValue::from_static("Content-Type, Accept"),
                    );
                    h.insert(
                        header::ACCESS_CONTROL_MAX_AGE,
                        HeaderValue::from_static("600"),
                    );
                }
                r
            }
            _ => {
                let mut r = text(StatusCode::METHOD_NOT_ALLOWED, protocol::READ_ONLY);
                r.headers_mut().insert(
                    header::ALLOW,
                    HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
                );
                r
            }
        },
        other => text(
            StatusCode::NOT_FOUND,
            &format!(
                "not found: {other} (the SPARQL endpoint is /sparql; / has a query page, /report the trend report)"
            ),
        ),
    }
}

/// `<store>/report.html`, read on each request (a new report needs no restart).
async fn report(state: &Arc<State>) -> Response<Body> {
    let dir = crate::store::StoreDir::new(state.endpoint.store_dir.clone());
    let read = tokio::task::spawn_blocking(move || crate::report::read_store_copy(&dir)).await;
    match read {
        Ok(Ok(bytes)) => response(StatusCode::OK, "text/html; charset=utf-8", bytes.into()),
        Ok(Err(e)) if e.kind() == io::ErrorKind::NotFound => {
            let page = page::no_report_page(&state.endpoint.store_dir.display().to_string());
            let mut r = response(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                page.into(),
            );
            r.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(page::CSP),
            );
            r
        }
        Ok(Err(e)) if e.kind() == io::ErrorKind::InvalidData => {
            text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
        Ok(Err(e)) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot read the report: {e}"),
        ),
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the report"),
    }
}

async fn sparql(state: &Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let options = &state.options;
    let query_string = parts.uri.query();
    if query_string.is_some_and(|q| q.len() > options.max_body_bytes) {
        return text(
            StatusCode::URI_TOO_LONG,
            &format!(
                "the URL's query string is longer than {} bytes (the server's --max-body): send long queries with POST",
                options.max_body_bytes
            ),
        );
    }
    let request = if parts.method == Method::POST {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let body = match read_body(body, &parts.headers, options).await {
            Ok(b) => b,
            Err(r) => return r,
        };
        protocol::from_post(content_type, query_string, &body)
    } else {
        protocol::from_get(query_string)
    };
    let request = match request {
        Ok(r) => r,
        Err(rejection) => return reject(rejection),
    };
    let Some(text_of_query) = request.query.clone() else {
        return service_description(state, &parts.headers);
    };
    let selection = match request.graph_selection() {
        Ok(s) => s,
        Err(rejection) => return reject(rejection),
    };
    let Ok(permit) = Arc::clone(&state.slots).try_acquire_owned() else {
        let mut r = text(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "too many queries at once (at most {}, the server's --max-concurrent): retry shortly",
                options.max_concurrent
            ),
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    let admitted = match state.queries.admit() {
        Ok(admitted) => admitted,
        Err(over) => {
            let mut r = text(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!(
                    "the server is out of memory for queries now ({} MiB held, the server's --max-memory is {} MiB): retry shortly",
                    over.resident >> 20,
                    over.max >> 20
                ),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
    };
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Young from here (the request is read) until the answer is ready.
    let ticket = state.priority.as_ref().map(Priority::arrive);
    let st = Arc::clone(state);
    let evaluation_ticket = ticket.clone();
    let job = state.evaluators.run(move || {
        // The slot is held until the evaluation has really stopped.
        let _permit = permit;
        let started = Instant::now();
        let reply = st.answer(
            &text_of_query,
            selection,
            accept.as_deref(),
            &request.formats,
            evaluation_ticket,
            &admitted,
        );
        if st.queries.max().is_some()
            && (started.elapsed() >= RELEASE_AFTER || reply.status().is_server_error())
        {
            budget::release_freed_memory();
        }
        // Out of the registry only once its memory is gone.
        drop(admitted);
        reply
    });
    let no_thread = |why: &dyn std::fmt::Display| {
        eprintln!("error: cannot start a query thread: {why}");
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server cannot start a thread for the query now: retry shortly",
        )
    };
    let job = match job {
        Ok(job) => job,
        Err(e) => return no_thread(&e),
    };
    let reply = match tokio::time::timeout(options.timeout + LATE, job).await {
        Ok(Ok(Ok(reply))) => reply,
        Ok(Ok(Err(panic))) => {
            eprintln!(
                "error: query evaluation panicked: {}",
                panic_message(&*panic)
            );
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error while evaluating the query (see the server log)",
            )
        }
        // The job was dropped unrun: no thread could be started for it.
        Ok(Err(_)) => no_thread(&"the job was left without a thread"),
        Err(_) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "query stopped: it ran longer than {} s (the server's --timeout)",
                options.timeout.as_secs_f64()
            ),
        ),
    };
    drop(ticket);
    reply
}

impl State {
    /// Parses, negotiates and evaluates one query (on an evaluation thread).
    fn answer(
        &self,
        text_of_query: &str,
        selection: Option<GraphSelection>,
        accept: Option<&str>,
        formats: &[String],
        ticket: Option<Ticket>,
        admitted: &Admitted,
    ) -> Response<Body> {
        let options = &self.options;
        let parsed = match query::parse(text_of_query) {
            Ok(p) => p,
            Err(e) => return query_error(&e, options),
        };
        let format = match protocol::negotiate(parsed.answer(), accept, formats) {
            Ok(f) => f,
            Err(rejection) => return reject(rejection),
        };
        // No query may take more than the room the server had left when it started.
        let max_memory = match (options.max_query_memory, admitted.room) {
            (Some(own), Some(room)) => Some(own.min(room)),
            (own, room) => own.or(room),
        };
        let eval = query::Options {
            dataset: selection,
            limits: Limits {
                timeout: Some(options.timeout),
                max_memory,
                max_output: Some(options.max_result_bytes),
                cancel: Some(admitted.token.clone()),
                ticket,
            },
        };
        let mut body = Vec::new();
        match query::evaluate(
            &self.endpoint.dataset,
            &parsed,
            &eval,
            Some(format),
            &self.endpoint.base,
            &mut body,
        ) {
            Ok(_) => {
                let mut r = response(StatusCode::OK, format.media_type(), body.into());
                r.headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept"));
                r
            }
            Err(QueryError::Stopped(Stop::Cancelled))
                if admitted.over_budget.load(Ordering::Relaxed) =>
            {
                let mut r = text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!(
                        "query stopped: the server went over its memory budget of {} MiB (the server's --max-memory) and this query had run the longest; retry later",
                        self.queries.max().unwrap_or(0) >> 20
                    ),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                r
            }
            Err(e) => query_error(&e, options),
        }
    }
}

/// The service description, with the endpoint IRI from the Host header.
fn service_description(state: &State, headers: &HeaderMap) -> Response<Body> {
    let endpoint = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}/sparql"));
    let turtle = service_description::turtle(endpoint.as_deref(), state.endpoint.dataset.len());
    response(StatusCode::OK, "text/turtle", turtle.into())
}

/// Reads a request body of at most `max_body_bytes` within `io_timeout`.
async fn read_body(
    body: Incoming,
    headers: &HeaderMap,
    options: &Options,
) -> Result<Bytes, Response<Body>> {
    let max = options.max_body_bytes;
    let too_large = || {
        text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body is larger than {max} bytes (the server's --max-body)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(options.io_timeout, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large())
        }
        Ok(Err(e)) => Err(text(
            StatusCode::BAD_REQUEST,
            &format!("cannot read the request body: {e}"),
        )),
        Err(_) => Err(text(
            StatusCode::REQUEST_TIMEOUT,
            &format!(
                "the request body took longer than {} s to arrive",
                options.io_timeout.as_secs_f64()
            ),
        )),
    }
}

/// The status and message of a failed query.
fn query_error(e: &QueryError, options: &Options) -> Response<Body> {
    let (status, flag) = match e {
        QueryError::Syntax(_)
        | QueryError::Update
        | QueryError::Unsupported(_)
        | QueryError::Format(_) => (StatusCode::BAD_REQUEST, ""),
        QueryError::Stopped(stop) => (
            StatusCode::SERVICE_UNAVAILABLE,
            match stop {
                Stop::Timeout(_) => " (the server's --timeout)",
                Stop::Memory(max) if options.max_query_memory.is_none_or(|own| *max < own) => {
                    " (its share of the room left under the server's --max-memory when it started)"
                }
                Stop::Memory(_) => " (the server's --max-query-memory)",
                Stop::Output(_) => " (the server's --max-result-size)",
                Stop::Cancelled => "",
            },
        ),
        QueryError::Evaluation(_) | QueryError::Io(_) => (StatusCode::INTERNAL_SERVER_ERROR, ""),
    };
    let message = match e {
        QueryError::Stopped(Stop::Timeout(_)) => format!(
            "query stopped: it ran longer than {} s",
            options.timeout.as_secs_f64()
        ),
        e => e.to_string(),
    };
    text(status, &format!("{message}{flag}"))
}

fn reject(rejection: Rejection) -> Response<Body> {
    text(rejection.status, &rejection.message)
}

fn not_allowed(allow: &'static str) -> Response<Body> {
    let mut r = text(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method not allowed: use {allow}"),
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    response(
        status,
        "text/plain; charset=utf-8",
        Bytes::from(format!("{message}\n")),
    )
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}
