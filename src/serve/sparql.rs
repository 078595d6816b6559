//! The `/sparql` route: a SPARQL Protocol request read, admitted (or 503), evaluated on the pool under its limits, and answered.

use super::budget::{self, Admitted};
use super::limits::panic_message;
use super::protocol::{self, SparqlRequest};
use super::routes::{reject, response, text, Body};
use super::schedule::{Priority, Ticket, Turn};
use super::{Options, State, LATE};
use crate::query::{self, Checkpoint, GraphSelection, Limits, QueryError, Stop};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::OwnedSemaphorePermit;

/// Under a memory budget, a query that ran this long (or failed) hands the
/// memory it freed back to the OS at once (see [`budget`]).
const RELEASE_AFTER: Duration = Duration::from_millis(20);

/// A query as asked: what [`State::answer`] needs besides the server's state.
struct Asked {
    text: String,
    selection: Option<GraphSelection>,
    accept: Option<String>,
    /// The protocol's `format` parameters.
    formats: Vec<String>,
}

/// Answers `GET/POST /sparql`: the service description without a query,
/// else the query's answer (or why there is none).
pub(super) async fn sparql(state: &Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let request = match read_request(&parts, body, &state.options).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(text_of_query) = request.query.clone() else {
        return service_description(state, &parts.headers);
    };
    let selection = match request.graph_selection() {
        Ok(s) => s,
        Err(rejection) => return reject(rejection),
    };
    let (permit, admitted) = match admit(state) {
        Ok(admitted) => admitted,
        Err(r) => return *r,
    };
    let asked = Asked {
        text: text_of_query,
        selection,
        accept: parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        formats: request.formats,
    };
    // Young from here (the request is read) until the answer is ready.
    let ticket = state.priority.as_ref().map(Priority::arrive);
    let reply = evaluate_on_pool(state, asked, ticket.clone(), permit, admitted).await;
    drop(ticket);
    reply
}

/// The protocol request of a GET (its query string) or a POST (its body).
async fn read_request(
    parts: &Parts,
    body: Incoming,
    options: &Options,
) -> Result<SparqlRequest, Response<Body>> {
    let query_string = parts.uri.query();
    if query_string.is_some_and(|q| q.len() > options.max_body_bytes) {
        return Err(text(
            StatusCode::URI_TOO_LONG,
            &format!(
                "the URL's query string is longer than {} bytes (the server's --max-body): send long queries with POST",
                options.max_body_bytes
            ),
        ));
    }
    let request = if parts.method == Method::POST {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let body = read_body(body, &parts.headers, options).await?;
        protocol::from_post(content_type, query_string, &body)
    } else {
        protocol::from_get(query_string)
    };
    request.map_err(reject)
}

/// A slot among the queries evaluated at once and a place under the memory
/// budget, or a 503 with `Retry-After` (no queueing).
fn admit(state: &Arc<State>) -> Result<(OwnedSemaphorePermit, Admitted), Box<Response<Body>>> {
    let retry = |r: Response<Body>| Box::new(retry_after(r));
    let Ok(permit) = Arc::clone(&state.slots).try_acquire_owned() else {
        return Err(retry(text(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "too many queries at once (at most {}, the server's --max-concurrent): retry shortly",
                state.options.max_concurrent
            ),
        )));
    };
    match state.queries.admit() {
        Ok(admitted) => Ok((permit, admitted)),
        Err(over) => Err(retry(text(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "the server is out of memory for queries now ({} MiB held, the server's --max-memory is {} MiB): retry shortly",
                over.resident >> 20,
                over.max >> 20
            ),
        ))),
    }
}

/// Evaluates the query on a thread of the evaluation pool and waits for its
/// answer, at most until a little after its timeout.
async fn evaluate_on_pool(
    state: &Arc<State>,
    asked: Asked,
    ticket: Option<Ticket>,
    permit: OwnedSemaphorePermit,
    admitted: Admitted,
) -> Response<Body> {
    let st = Arc::clone(state);
    let job = state.evaluators.run(move || {
        // The slot is held until the evaluation has really stopped.
        let _permit = permit;
        let started = Instant::now();
        let reply = st.answer(asked, ticket, &admitted);
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
    let timeout = state.options.timeout;
    match tokio::time::timeout(timeout + LATE, job).await {
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
                timeout.as_secs_f64()
            ),
        ),
    }
}

impl State {
    /// Parses, negotiates and evaluates one query (on an evaluation thread).
    fn answer(&self, asked: Asked, ticket: Option<Ticket>, admitted: &Admitted) -> Response<Body> {
        let options = &self.options;
        let parsed = match query::parse(&asked.text) {
            Ok(p) => p,
            Err(e) => return query_error(&e, options),
        };
        let format =
            match protocol::negotiate(parsed.answer(), asked.accept.as_deref(), &asked.formats) {
                Ok(f) => f,
                Err(rejection) => return reject(rejection),
            };
        // No query may take more than the room the server had left when it started.
        let max_memory = match (options.max_query_memory, admitted.room) {
            (Some(own), Some(room)) => Some(own.min(room)),
            (own, room) => own.or(room),
        };
        let eval = query::Options {
            dataset: asked.selection,
            limits: Limits {
                timeout: Some(options.timeout),
                max_memory,
                max_output: Some(options.max_result_bytes),
                cancel: Some(admitted.token.clone()),
                // The evaluation starts now, on this thread.
                checkpoint: ticket.map(|t| Arc::new(Turn::new(t)) as Arc<dyn Checkpoint>),
            },
        };
        let mut body = Vec::new();
        let evaluated = query::evaluate(
            &self.endpoint.dataset,
            &parsed,
            &eval,
            Some(format),
            &self.endpoint.base,
            &mut body,
        );
        match evaluated {
            Ok(_) => {
                let mut r = response(StatusCode::OK, format.media_type(), body.into());
                r.headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept"));
                r
            }
            Err(QueryError::Stopped(Stop::Cancelled))
                if admitted.over_budget.load(Ordering::Relaxed) =>
            {
                retry_after(text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!(
                        "query stopped: the server went over its memory budget of {} MiB (the server's --max-memory) and this query had run the longest; retry later",
                        self.queries.max().unwrap_or(0) >> 20
                    ),
                ))
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
    let turtle =
        super::service_description::turtle(endpoint.as_deref(), state.endpoint.dataset.len());
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
///
/// A query held to its share of the room the server's budget left when it
/// started may fit once the others are done, so that 503 carries
/// `Retry-After`, as a refusal does.
fn query_error(e: &QueryError, options: &Options) -> Response<Body> {
    let unavailable = StatusCode::SERVICE_UNAVAILABLE;
    let (status, flag, retry) = match e {
        QueryError::Syntax(_)
        | QueryError::Update
        | QueryError::Unsupported(_)
        | QueryError::Format(_) => (StatusCode::BAD_REQUEST, "", false),
        QueryError::Stopped(stop) => match stop {
            Stop::Timeout(_) => (unavailable, " (the server's --timeout)", false),
            Stop::Memory(max) if options.max_query_memory.is_none_or(|own| *max < own) => (
                unavailable,
                " (its share of the room left under the server's --max-memory when it started)",
                true,
            ),
            Stop::Memory(_) => (unavailable, " (the server's --max-query-memory)", false),
            Stop::Output(_) => (unavailable, " (the server's --max-result-size)", false),
            Stop::Cancelled => (unavailable, "", false),
        },
        QueryError::Evaluation(_) | QueryError::Io(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "", false)
        }
    };
    let message = match e {
        QueryError::Stopped(Stop::Timeout(_)) => format!(
            "query stopped: it ran longer than {} s",
            options.timeout.as_secs_f64()
        ),
        e => e.to_string(),
    };
    let response = text(status, &format!("{message}{flag}"));
    match retry {
        true => retry_after(response),
        false => response,
    }
}

/// `response` telling the client to retry in a second.
fn retry_after(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
