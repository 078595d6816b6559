//! `push`: sends the store's named graphs to a remote SPARQL store, incrementally, and remembers what the remote holds.
//!
//! Each named graph of the store (one per article, the collection, the
//! ontology and the analysis graphs) is hashed over its sorted N-Triples
//! (`graphs`); the push state of the endpoint (`state`: graph IRI → hash the
//! server acknowledged, `<store>/push/<hash of the URL>.json`) tells which
//! changed, are new or are gone (`plan`); those are sent with the SPARQL 1.1
//! Graph Store HTTP Protocol or SPARQL 1.1 Update (`protocol`) by a few
//! worker threads (`send`) through one HTTP client with Basic or Digest
//! authentication, timeouts and retries (`client`, `digest`). A push that
//! fails half-way keeps what was acknowledged, so the next one sends only
//! the rest.

pub mod client;
pub mod digest;
pub mod graphs;
pub mod plan;
pub mod protocol;
mod send;
pub mod state;

pub use client::{AuthMode, CaCerts, Credentials};
pub use protocol::Protocol;

use crate::progress::Progress;
use crate::store::{StoreDir, StoreError};
use serde::Serialize;
use state::PushState;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How to push.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// The endpoint that receives the writes: the Graph Store Protocol
    /// endpoint, or the SPARQL Update endpoint with [`Protocol::Update`].
    pub url: String,
    /// The protocol.
    pub protocol: Protocol,
    /// Resend every graph, whatever the state says.
    pub full: bool,
    /// Plan only: say what would be sent and deleted, send nothing.
    pub dry_run: bool,
    /// Send nothing; record every graph as the endpoint holding it (after
    /// the store's bulk loader read this store's export).
    pub record_only: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Graphs per SPARQL Update request, at most.
    pub batch_size: usize,
    /// Triples after which a SPARQL Update request takes no further graph.
    pub batch_triples: u64,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Retries of a request that failed on the connection, with 429 or 5xx.
    pub retries: u32,
    /// Who to authenticate as.
    pub credentials: Option<Credentials>,
    /// CA certificates trusted for https besides the built-in roots.
    pub ca_certs: Option<CaCerts>,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            url: String::new(),
            protocol: Protocol::GraphStore,
            full: false,
            dry_run: false,
            record_only: false,
            concurrency: 4,
            batch_size: protocol::DEFAULT_BATCH_SIZE,
            batch_triples: protocol::DEFAULT_BATCH_TRIPLES,
            timeout: Duration::from_secs(120),
            retries: 3,
            credentials: None,
            ca_certs: None,
        }
    }
}

/// A request that failed.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// What it was for (`graph <IRI>`, `update of N graphs from <IRI>`).
    pub what: String,
    /// How many graphs it covered.
    pub graphs: usize,
    /// The error, with the server's message.
    pub message: String,
}

/// What a push did (or, with `dry_run`, would do).
#[derive(Clone, Debug, Serialize)]
pub struct PushReport {
    /// Graphs the server took (to be sent, with `dry_run`).
    pub graphs_sent: usize,
    /// Graphs the server removed (to be removed, with `dry_run`).
    pub graphs_deleted: usize,
    /// Graphs the server already had as they are.
    pub graphs_unchanged: usize,
    /// Triples in the graphs sent.
    pub triples_sent: u64,
    /// Wall-clock time of the push.
    pub seconds: f64,
    /// Graphs that are still to be sent or deleted (0 when the remote matches the store).
    pub graphs_pending: usize,
    /// Failed requests.
    pub failures: Vec<Failure>,
    /// Why the push stopped early, if it did.
    pub stopped: Option<String>,
    /// Whether nothing was sent.
    pub dry_run: bool,
    /// The protocol used.
    pub protocol: &'static str,
    /// The endpoint.
    pub endpoint: String,
    /// The state file.
    pub state_file: PathBuf,
    /// With `dry_run`: the graphs that would be sent, with their triples.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub would_send: Vec<(String, u64)>,
    /// With `dry_run`: the graphs that would be deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub would_delete: Vec<String>,
}

impl PushReport {
    /// Whether the remote holds what the store holds (always false for a dry run with work to do).
    pub fn complete(&self) -> bool {
        self.graphs_pending == 0
    }
}

/// Why a push could not run.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The store cannot be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The URL is not one to push to.
    #[error("{0}")]
    Url(String),
    /// The push state file cannot be read or written.
    #[error("push state {path}: {message}")]
    State {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl PushError {
    pub(crate) fn state(path: &Path, message: String) -> PushError {
        PushError::State {
            path: path.to_path_buf(),
            message,
        }
    }
}

/// Checks the endpoint URL: http or https, with a host, no credentials in it.
pub fn check_url(url: &str) -> Result<(), PushError> {
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| PushError::Url(format!("{url}: not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(PushError::Url(format!(
                "{url}: an http:// or https:// URL is needed"
            )))
        }
    }
    let Some(authority) = uri.authority() else {
        return Err(PushError::Url(format!("{url}: no host")));
    };
    if authority.as_str().contains('@') {
        return Err(PushError::Url(
            "the URL holds credentials; give the user with --user and the password in SIGNALGRAPH_PASSWORD".into(),
        ));
    }
    Ok(())
}

/// Pushes the named graphs of the store `dir` to the endpoint.
///
/// Failed requests do not make this an `Err`: they are in the report
/// (`complete()` is false) and the state keeps what was acknowledged. `Err`
/// is for a bad URL, a store or a state file that cannot be read or written.
pub fn push(
    dir: &StoreDir,
    options: &PushOptions,
    progress: &dyn Progress,
) -> Result<PushReport, PushError> {
    let started = Instant::now();
    check_url(&options.url)?;
    progress.start("hashing", 0);
    let store = graphs::StoreGraphs::open(dir)?;
    let local = store.local_graphs()?;
    progress.finish();
    let path = state::state_path(dir, &options.url);
    let state = match PushState::read(&path, &options.url) {
        Err(_) if options.full => PushState {
            endpoint: options.url.clone(),
            ..Default::default()
        },
        other => other?,
    };
    let plan = plan::plan(&local, &state.graphs, options.full);
    let mut report = PushReport {
        graphs_sent: 0,
        graphs_deleted: 0,
        graphs_unchanged: plan.unchanged,
        triples_sent: 0,
        seconds: 0.0,
        graphs_pending: plan.send.len() + plan.delete.len(),
        failures: Vec::new(),
        stopped: None,
        dry_run: options.dry_run,
        protocol: options.protocol.name(),
        endpoint: options.url.clone(),
        state_file: path.clone(),
        would_send: Vec::new(),
        would_delete: Vec::new(),
    };
    if options.record_only {
        PushState {
            endpoint: options.url.clone(),
            graphs: local
                .iter()
                .map(|g| (g.iri.clone(), g.hash.clone()))
                .collect(),
        }
        .write(&path)?;
        report.graphs_unchanged = local.len();
        report.graphs_pending = 0;
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }
    if options.dry_run {
        report.graphs_sent = plan.send.len();
        report.graphs_deleted = plan.delete.len();
        report.triples_sent = plan.send.iter().map(|&i| local[i].triples).sum();
        report.would_send = plan
            .send
            .iter()
            .map(|&i| (local[i].iri.clone(), local[i].triples))
            .collect();
        report.would_delete = plan.delete;
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }
    if report.graphs_pending == 0 {
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }
    let tracker = send::Tracker::new(state, path);
    let client = client::Client::new(client::ClientOptions {
        timeout: options.timeout,
        retries: options.retries,
        credentials: options.credentials.clone(),
        connections: options.concurrency,
        ca_certs: options.ca_certs.clone(),
    });
    let jobs = protocol::jobs(
        options.protocol,
        &local,
        &plan.send,
        &plan.delete,
        options.batch_size,
        options.batch_triples,
    );
    let ctx = send::Context {
        store: &store,
        graphs: &local,
        client: &client,
        endpoint: &options.url,
        batch_triples: options.batch_triples,
    };
    let tracker = Mutex::new(tracker);
    let outcome = send::execute(&ctx, &jobs, options.concurrency, &tracker, progress)?;
    tracker
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .save()?;
    report.graphs_sent = outcome.sent;
    report.graphs_deleted = outcome.deleted;
    report.triples_sent = outcome.triples_sent;
    report.graphs_pending -= outcome.sent + outcome.deleted;
    report.failures = outcome.failures;
    report.stopped = outcome.stopped;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
