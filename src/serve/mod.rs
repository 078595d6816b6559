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
//! clean `503` with a message, never a truncated `200`. Request bodies are
//! capped (`413`), header and body reads time out, and a connection whose
//! client stops reading its response is dropped (see [`limits`]). Queries
//! nested deeper than [`MAX_NESTING`] are refused before parsing (the parser
//! recurses). A panic in a request is caught and answered `500`; it never
//! takes the connection task, another request or the process with it.

mod evaluators;
mod limits;
pub mod page;
pub mod protocol;
pub mod service_description;

use crate::query::{self, GraphSelection, Limits, Priority, QueryError, Stop, Ticket};
use crate::store::FrozenDataset;
use bytes::Bytes;
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
use spareval::CancellationToken;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Queries nested deeper than this (parentheses, braces, brackets) are refused.
pub const MAX_NESTING: usize = 256;

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
    /// The one origin allowed by CORS (`*` for any); `None`: no CORS headers.
    pub cors: Option<String>,
    /// Print a line per request on stderr.
    pub log_requests: bool,
    /// Open connections at once (more wait to be accepted).
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
}

struct State {
    endpoint: Endpoint,
    options: Options,
    /// Permits for queries being evaluated.
    slots: Arc<Semaphore>,
    /// Cancelled when shutdown stops waiting for queries.
    shutdown: CancellationToken,
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
    let page = Bytes::from(page::query_page(&endpoint.base));
    let state = Arc::new(State {
        slots: Arc::new(Semaphore::new(options.max_concurrent)),
        shutdown: CancellationToken::new(),
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
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(ServeError::Runtime)?;
        // Listening for signals before saying the server is ready: a SIGTERM
        // right after must stop it gracefully, not kill it.
        let signals = ShutdownSignals::new().map_err(ServeError::Runtime)?;
        ready(local);
        Ok(accept_loop(listener, signals, Arc::clone(&state)).await)
    });
    state.evaluators.close();
    // Queries that ignored cancellation must not hold the process.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
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
    let connections = Arc::new(Semaphore::new(state.options.max_connections));
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = signals.recv() => break,
        };
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
        let service = service_fn(move |req| handle(Arc::clone(&st), remote, req));
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(state.options.io_timeout)
            .keep_alive(true);
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
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
            state.shutdown.cancel();
            tokio::select! {
                _ = &mut all_done => {}
                _ = &mut again => forced = true,
                _ = tokio::time::sleep(LATE) => forced = true,
            }
        }
    }
    state.shutdown.cancel();
    Summary {
        requests: state.requests.load(Ordering::Relaxed),
        forced,
        pauses: state.priority.as_ref().map_or(0, Priority::pauses),
    }
}

type Body = Full<Bytes>;

async fn handle(
    state: Arc<State>,
    remote: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
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
    Ok(response)
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
    let path = state.endpoint.store_dir.join("report.html");
    let read = tokio::task::spawn_blocking(move || std::fs::read(path)).await;
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
                "the URL is longer than {} bytes: send long queries with POST",
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
        st.answer(
            &text_of_query,
            selection,
            accept.as_deref(),
            &request.formats,
            evaluation_ticket,
        )
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
    ) -> Response<Body> {
        let options = &self.options;
        if protocol::nesting_depth(text_of_query) > MAX_NESTING {
            return text(
                StatusCode::BAD_REQUEST,
                &format!("invalid SPARQL query: nested deeper than {MAX_NESTING} levels"),
            );
        }
        let parsed = match query::parse(text_of_query) {
            Ok(p) => p,
            Err(e) => return query_error(&e, options),
        };
        let format = match protocol::negotiate(parsed.answer(), accept, formats) {
            Ok(f) => f,
            Err(rejection) => return reject(rejection),
        };
        let eval = query::Options {
            dataset: selection,
            limits: Limits {
                timeout: Some(options.timeout),
                max_memory: options.max_query_memory,
                max_output: Some(options.max_result_bytes),
                cancel: Some(self.shutdown.clone()),
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
