//! Runs a push's jobs on a few worker threads and records each acknowledged graph in the push state, saved every few seconds.

use super::client::{Client, HttpError};
use super::graphs::{LocalGraph, StoreGraphs};
use super::protocol::{requests, Job};
use super::state::{PushState, PENDING};
use super::{Failure, PushError};
use crate::progress::Progress;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the state is saved while a push runs.
const SAVE_EVERY: Duration = Duration::from_secs(3);

/// The most jobs whose graphs are marked pending (and saved) at once, ahead
/// of their requests. Until the server has acknowledged a job the window is
/// one job, so a push refused at once (server down, wrong password) marks
/// one graph per worker in vain; then it is this many, so a push saves the
/// state once per this many jobs, not per request.
const MARK_AHEAD: usize = 64;

/// Failed requests after which a push stops trying the rest.
const MAX_FAILURES: usize = 10;

/// What the jobs need.
pub(super) struct Context<'a> {
    /// The store's graphs.
    pub store: &'a StoreGraphs,
    /// The local graphs the jobs point into.
    pub graphs: &'a [LocalGraph],
    /// The HTTP client.
    pub client: &'a Client,
    /// The endpoint URL.
    pub endpoint: &'a str,
    /// Triples per SPARQL Update request.
    pub batch_triples: u64,
}

/// The push state and where it is saved.
pub(super) struct Tracker {
    /// The state.
    pub state: PushState,
    /// Its file.
    pub path: PathBuf,
    last_save: Instant,
    dirty: bool,
    /// Jobs before this index have their graphs marked pending.
    marked: usize,
    /// Whether the server has acknowledged a job.
    acknowledged: bool,
}

impl Tracker {
    /// Tracks `state`, saved to `path`.
    pub(super) fn new(state: PushState, path: PathBuf) -> Tracker {
        Tracker {
            state,
            path,
            last_save: Instant::now(),
            dirty: false,
            marked: 0,
            acknowledged: false,
        }
    }

    /// Makes sure job `index` is marked: the graphs a job replaces are
    /// recorded as [`PENDING`] and saved before its request goes out, so a
    /// push that dies in the middle of it leaves them to be sent again.
    fn mark_through(
        &mut self,
        index: usize,
        jobs: &[Job],
        graphs: &[LocalGraph],
    ) -> Result<(), PushError> {
        if index < self.marked {
            return Ok(());
        }
        let window = if self.acknowledged { MARK_AHEAD } else { 1 };
        let end = (index + window).min(jobs.len());
        for job in &jobs[self.marked..end] {
            let sends: &[usize] = match job {
                Job::Put(i) => std::slice::from_ref(i),
                Job::Update { send, .. } => send,
                Job::Delete(_) => &[],
            };
            for &i in sends {
                self.state
                    .graphs
                    .insert(graphs[i].iri.clone(), PENDING.to_string());
            }
        }
        self.marked = end;
        self.save()
    }

    /// Saves the state now.
    pub(super) fn save(&mut self) -> Result<(), PushError> {
        self.state.write(&self.path)?;
        self.last_save = Instant::now();
        self.dirty = false;
        Ok(())
    }

    fn save_if_due(&mut self) -> Result<(), PushError> {
        if self.dirty && self.last_save.elapsed() >= SAVE_EVERY {
            self.save()?;
        }
        Ok(())
    }
}

/// What the jobs did.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Graphs the server took.
    pub sent: usize,
    /// Graphs the server removed.
    pub deleted: usize,
    /// Triples in the graphs it took.
    pub triples_sent: u64,
    /// Requests that failed.
    pub failures: Vec<Failure>,
    /// Why the push stopped before the end, if it did.
    pub stopped: Option<String>,
}

/// Runs `jobs` with `concurrency` workers. A worker takes the next job,
/// makes its request and, on success, records its graphs in the tracker;
/// a failure is recorded and the rest goes on, unless the failure says
/// every request will fail (server unreachable, credentials refused) or
/// [`MAX_FAILURES`] requests failed.
///
/// It is one function of about 90 lines because the worker loop shares the
/// job counter, the stop flag, the outcome and the first save error with the
/// thread scope; split up, each piece would take all of them as arguments.
pub(super) fn execute(
    ctx: &Context<'_>,
    jobs: &[Job],
    concurrency: usize,
    tracker: &Mutex<Tracker>,
    progress: &dyn Progress,
) -> Result<Outcome, PushError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let outcome = Mutex::new(Outcome::default());
    let save_error: Mutex<Option<PushError>> = Mutex::new(None);
    progress.start(
        "pushing",
        jobs.iter().map(Job::graphs).sum::<usize>() as u64,
    );
    std::thread::scope(|scope| {
        for _ in 0..concurrency.max(1).min(jobs.len().max(1)) {
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(index) else {
                        break;
                    };
                    let marked = tracker
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .mark_through(index, jobs, ctx.graphs);
                    if let Err(e) = marked {
                        stop.store(true, Ordering::SeqCst);
                        *save_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        break;
                    }
                    let mut triples = 0;
                    let also_ok: &[u16] = if matches!(job, Job::Delete(_)) {
                        &[404]
                    } else {
                        &[]
                    };
                    let built =
                        requests(job, ctx.endpoint, ctx.store, ctx.graphs, ctx.batch_triples);
                    let built = match built {
                        Ok(built) => built,
                        Err(e) => {
                            // The store cannot be read: no use trying the other graphs.
                            stop.store(true, Ordering::SeqCst);
                            *save_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.into());
                            break;
                        }
                    };
                    let mut result = Ok(());
                    for req in built {
                        let sent = ctx.client.send(
                            req.method,
                            &req.url,
                            req.content_type,
                            &req.body,
                            also_ok,
                        );
                        if let Err(e) = sent {
                            result = Err(e);
                            break;
                        }
                        triples += req.triples;
                    }
                    match result {
                        Ok(_) => {
                            let saved = record(ctx, job, tracker);
                            let mut o = outcome.lock().unwrap_or_else(|e| e.into_inner());
                            let (sent, deleted) = match job {
                                Job::Put(_) => (1, 0),
                                Job::Delete(_) => (0, 1),
                                Job::Update { send, delete } => (send.len(), delete.len()),
                            };
                            o.sent += sent;
                            o.deleted += deleted;
                            o.triples_sent += triples;
                            if let Err(e) = saved {
                                stop.store(true, Ordering::SeqCst);
                                *save_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                            }
                        }
                        Err(e) => {
                            let mut o = outcome.lock().unwrap_or_else(|e| e.into_inner());
                            if e.is_fatal() || o.failures.len() + 1 >= MAX_FAILURES {
                                stop.store(true, Ordering::SeqCst);
                                o.stopped.get_or_insert_with(|| stop_reason(&e));
                            }
                            o.failures.push(failure(ctx, job, &e));
                        }
                    }
                    progress.advance(job.graphs() as u64);
                }
            });
        }
    });
    progress.finish();
    if let Some(e) = save_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(outcome.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Records the graphs of an acknowledged job in the state.
fn record(ctx: &Context<'_>, job: &Job, tracker: &Mutex<Tracker>) -> Result<(), PushError> {
    let mut t = tracker.lock().unwrap_or_else(|e| e.into_inner());
    let graphs = &mut t.state.graphs;
    let mut put = |i: usize| {
        let g = &ctx.graphs[i];
        graphs.insert(g.iri.clone(), g.hash.clone());
    };
    match job {
        Job::Put(i) => put(*i),
        Job::Delete(iri) => {
            graphs.remove(iri);
        }
        Job::Update { send, delete } => {
            send.iter().for_each(|&i| put(i));
            for iri in delete {
                graphs.remove(iri);
            }
        }
    }
    t.dirty = true;
    t.acknowledged = true;
    t.save_if_due()
}

fn stop_reason(e: &HttpError) -> String {
    match e {
        HttpError::Transport(_) => "the endpoint cannot be reached".into(),
        HttpError::Certificate(_) => "the endpoint's TLS certificate is not trusted".into(),
        HttpError::Auth(_)
        | HttpError::Status {
            status: 401 | 403, ..
        } => "the endpoint refuses the credentials".into(),
        _ => format!("{MAX_FAILURES} requests failed"),
    }
}

fn failure(ctx: &Context<'_>, job: &Job, e: &HttpError) -> Failure {
    let (what, graphs) = match job {
        Job::Put(i) => (format!("graph <{}>", ctx.graphs[*i].iri), 1),
        Job::Delete(iri) => (format!("deleting graph <{iri}>"), 1),
        Job::Update { send, delete } => {
            let first = send
                .first()
                .map(|&i| ctx.graphs[i].iri.as_str())
                .or(delete.first().map(String::as_str))
                .unwrap_or("");
            let n = send.len() + delete.len();
            (format!("update of {n} graphs from <{first}>"), n)
        }
    };
    Failure {
        what,
        graphs,
        message: e.to_string(),
    }
}
