//! Routing requests: the query page, the report, `/sparql` and its `OPTIONS`, and the responses they share.

use super::connections::Busy;
use super::limits::{panic_message, CatchUnwind};
use super::protocol::{self, Rejection};
use super::sparql::sparql;
use super::{page, Options, State};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

pub(super) type Body = Full<Bytes>;

/// A response body that keeps its connection marked busy until hyper has
/// taken all of it (see [`connections`]).
pub(super) struct Tracked {
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

/// Answers one request: routed, a panic turned into a 500, common headers
/// added, and a log line.
pub(super) async fn handle(
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

/// The response for a request, by path and method.
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

pub(super) fn reject(rejection: Rejection) -> Response<Body> {
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

pub(super) fn text(status: StatusCode, message: &str) -> Response<Body> {
    response(
        status,
        "text/plain; charset=utf-8",
        Bytes::from(format!("{message}\n")),
    )
}

pub(super) fn response(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> Response<Body> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}
