//! The two ways a push writes to an endpoint: requests of the SPARQL 1.1 Graph Store HTTP Protocol and of SPARQL 1.1 Update.
//!
//! Graph Store Protocol (the default): one `PUT URL?graph=IRI` per graph
//! with its N-Triples (`application/n-triples`), which replaces the graph
//! whole, and one `DELETE URL?graph=IRI` per graph gone (404, already gone,
//! counts as done).
//!
//! SPARQL Update (`--protocol update`), for stores without the Graph Store
//! Protocol: one `POST` (`application/sparql-update`) per batch of graphs,
//! each graph `DROP SILENT GRAPH <IRI>` then `INSERT DATA { GRAPH <IRI> {…} }`
//! operations of at most [`INSERT_CHUNK`] triples: Virtuoso 7 compiles each
//! operation to SQL and refuses one of about 1500 triples ("generated SQL
//! text has exceeded 10000 lines"), while many operations in one request are
//! fine. Triples with blank nodes, which `INSERT DATA` may not hold (Virtuoso
//! refuses them), go in `INSERT {…} WHERE {}`, one per connected group of
//! blank nodes (a label must not span operations; Virtuoso also refuses a
//! large template), with labels prefixed per graph. A batch holds at most
//! `batch_size` graphs ([`DEFAULT_BATCH_SIZE`]) and closes once it reaches
//! `batch_triples` triples ([`DEFAULT_BATCH_TRIPLES`]); a graph larger
//! than that goes alone, its operations spread over several requests made
//! one after the other (the `DROP` first; the graph counts as pushed once
//! the last is acknowledged). Graphs gone are dropped in batches of
//! `batch_size` too.
//!
//! Why small batches: Virtuoso 7's time per update grows faster than its
//! size (measured on loopback: 1000 triples in 10 graphs 0.3 s, 2500 in 50
//! graphs 1.6 s, 4500 in 5 graphs 12 s) and it refuses a request of about
//! 5000 triples ("Maximum size (32767) of a code vector exceeded").

use super::graphs::{update_parts, LocalGraph, StoreGraphs};
use crate::store::StoreError;
use ureq::http::Method;

/// The default number of triples after which an update batch takes no further graph.
pub const DEFAULT_BATCH_TRIPLES: u64 = 250;

/// Triples per `INSERT DATA` operation.
pub const INSERT_CHUNK: usize = 1000;

/// The default number of graphs per SPARQL Update request.
pub const DEFAULT_BATCH_SIZE: usize = 50;

/// How graphs are written to the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    /// SPARQL 1.1 Graph Store HTTP Protocol: `PUT`/`DELETE ?graph=IRI`; the URL is the store's GSP endpoint.
    #[default]
    GraphStore,
    /// SPARQL 1.1 Update: `DROP SILENT GRAPH` + `INSERT DATA`; the URL is the update endpoint.
    Update,
}

impl Protocol {
    /// Every protocol.
    pub const ALL: [Protocol; 2] = [Protocol::GraphStore, Protocol::Update];

    /// The name `--protocol` takes.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::GraphStore => "gsp",
            Protocol::Update => "update",
        }
    }
}

/// One request's worth of work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// Replace a graph (index into the local graphs) with a `PUT`.
    Put(usize),
    /// Remove a graph with a `DELETE`.
    Delete(String),
    /// Replace and drop graphs with one SPARQL Update request.
    Update {
        /// Local graphs to replace.
        send: Vec<usize>,
        /// Graphs to drop.
        delete: Vec<String>,
    },
}

impl Job {
    /// How many graphs the job covers.
    pub fn graphs(&self) -> usize {
        match self {
            Job::Put(_) | Job::Delete(_) => 1,
            Job::Update { send, delete } => send.len() + delete.len(),
        }
    }
}

/// Cuts a plan's sends and deletes into jobs (deletes first: a store that
/// is short of space gets it back before new data arrives).
pub fn jobs(
    protocol: Protocol,
    graphs: &[LocalGraph],
    send: &[usize],
    delete: &[String],
    batch_size: usize,
    batch_triples: u64,
) -> Vec<Job> {
    match protocol {
        Protocol::GraphStore => delete
            .iter()
            .map(|iri| Job::Delete(iri.clone()))
            .chain(send.iter().map(|&i| Job::Put(i)))
            .collect(),
        Protocol::Update => {
            let batch_size = batch_size.max(1);
            let mut out: Vec<Job> = delete
                .chunks(batch_size)
                .map(|d| Job::Update {
                    send: Vec::new(),
                    delete: d.to_vec(),
                })
                .collect();
            let mut current = Vec::new();
            let mut triples = 0;
            for &i in send {
                let n = graphs[i].triples;
                if !current.is_empty()
                    && (current.len() >= batch_size || triples + n > batch_triples)
                {
                    out.push(Job::Update {
                        send: std::mem::take(&mut current),
                        delete: Vec::new(),
                    });
                    triples = 0;
                }
                current.push(i);
                triples += n;
            }
            if !current.is_empty() {
                out.push(Job::Update {
                    send: current,
                    delete: Vec::new(),
                });
            }
            out
        }
    }
}

/// An HTTP request to make.
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// The body's media type, if there is a body.
    pub content_type: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
    /// Triples in the body.
    pub triples: u64,
}

/// The requests of a job against `endpoint`, to be made in order: one,
/// except for an update job of more than `batch_triples` triples (a graph
/// larger than that), whose operations are spread over several requests,
/// the `DROP` in the first.
pub fn requests(
    job: &Job,
    endpoint: &str,
    store: &StoreGraphs,
    graphs: &[LocalGraph],
    batch_triples: u64,
) -> Result<Vec<HttpRequest>, StoreError> {
    Ok(match job {
        Job::Put(i) => {
            let body = store.body(*i)?;
            vec![HttpRequest {
                method: Method::PUT,
                url: graph_url(endpoint, &graphs[*i].iri),
                content_type: Some("application/n-triples"),
                body: body.text.into_bytes(),
                triples: body.triples,
            }]
        }
        Job::Delete(iri) => vec![HttpRequest {
            method: Method::DELETE,
            url: graph_url(endpoint, iri),
            content_type: None,
            body: Vec::new(),
            triples: 0,
        }],
        Job::Update { send, delete } => {
            let ops = update_operations(send, delete, store, graphs, batch_triples)?;
            let update = |ops: &[(String, u64)]| HttpRequest {
                method: Method::POST,
                url: endpoint.to_string(),
                content_type: Some("application/sparql-update"),
                body: ops
                    .iter()
                    .map(|(op, _)| op.as_str())
                    .collect::<Vec<_>>()
                    .join(" ;\n")
                    .into_bytes(),
                triples: ops.iter().map(|(_, n)| n).sum(),
            };
            let mut out = Vec::new();
            let mut start = 0;
            let mut triples = 0;
            for (k, (_, n)) in ops.iter().enumerate() {
                if k > start && triples + n > batch_triples {
                    out.push(update(&ops[start..k]));
                    start = k;
                    triples = 0;
                }
                triples += n;
            }
            out.push(update(&ops[start..]));
            out
        }
    })
}

/// The operations of an update job with the triples each holds.
fn update_operations(
    send: &[usize],
    delete: &[String],
    store: &StoreGraphs,
    graphs: &[LocalGraph],
    batch_triples: u64,
) -> Result<Vec<(String, u64)>, StoreError> {
    let chunk = (batch_triples as usize).clamp(1, INSERT_CHUNK);
    let mut ops = Vec::new();
    for iri in delete {
        ops.push((format!("DROP SILENT GRAPH <{iri}>"), 0));
    }
    for (k, &i) in send.iter().enumerate() {
        let iri = &graphs[i].iri;
        let parts = update_parts(&store.body(i)?.text, &format!("g{k}x"));
        ops.push((format!("DROP SILENT GRAPH <{iri}>"), 0));
        for lines in parts.plain.chunks(chunk) {
            let op = format!("INSERT DATA {{ GRAPH <{iri}> {{\n{}}} }}", lines.concat());
            ops.push((op, lines.len() as u64));
        }
        for group in &parts.blank_groups {
            let op = format!(
                "INSERT {{ GRAPH <{iri}> {{\n{}}} }} WHERE {{}}",
                group.concat()
            );
            ops.push((op, group.len() as u64));
        }
    }
    Ok(ops)
}

/// `endpoint?graph=IRI` (or `&graph=` when the endpoint has a query already).
pub fn graph_url(endpoint: &str, iri: &str) -> String {
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("graph", iri)
        .finish();
    format!("{endpoint}{sep}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(iri: &str, triples: u64) -> LocalGraph {
        LocalGraph {
            iri: iri.into(),
            hash: String::new(),
            triples,
            blank_nodes: false,
        }
    }

    #[test]
    fn graph_urls() {
        assert_eq!(
            graph_url("http://h:1/sparql-graph-crud-auth", "http://ex.org/a#b c"),
            "http://h:1/sparql-graph-crud-auth?graph=http%3A%2F%2Fex.org%2Fa%23b+c"
        );
        assert_eq!(
            graph_url("http://h/gsp?x=1", "urn:g"),
            "http://h/gsp?x=1&graph=urn%3Ag"
        );
    }

    #[test]
    fn update_batches_by_count_and_triples() {
        let graphs: Vec<_> = (0..5)
            .map(|i| graph(&format!("g{i}"), if i == 1 { 3000 } else { 10 }))
            .collect();
        let jobs = jobs(
            Protocol::Update,
            &graphs,
            &[0, 1, 2, 3, 4],
            &["x".into(), "y".into(), "z".into()],
            2,
            1000,
        );
        let shape: Vec<(usize, usize)> = jobs
            .iter()
            .map(|j| match j {
                Job::Update { send, delete } => (send.len(), delete.len()),
                _ => panic!(),
            })
            .collect();
        // Deletes by two; graph 1 is larger than a batch and goes alone.
        assert_eq!(shape, vec![(0, 2), (0, 1), (1, 0), (1, 0), (2, 0), (1, 0)]);
        let gsp = super::jobs(Protocol::GraphStore, &graphs, &[3], &["x".into()], 2, 1000);
        assert_eq!(gsp, vec![Job::Delete("x".into()), Job::Put(3)]);
    }
}
