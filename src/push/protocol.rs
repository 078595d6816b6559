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
//! — or `INSERT {…} WHERE {}` for a graph with blank nodes, which `INSERT DATA`
//! may not hold (Virtuoso refuses them); each graph's blank node labels get
//! their own prefix, as labels are shared by a whole request. A batch holds
//! at most `batch_size` graphs (100 by default) and closes once it reaches
//! [`MAX_BATCH_TRIPLES`], so one large graph goes alone. Graphs gone are
//! dropped in batches of `batch_size` too.

use super::graphs::{ntriples, LocalGraph};
use crate::store::FrozenDataset;
use ureq::http::Method;

/// The triples after which an update batch takes no further graph.
pub const MAX_BATCH_TRIPLES: u64 = 20_000;

/// The default number of graphs per SPARQL Update request.
pub const DEFAULT_BATCH_SIZE: usize = 100;

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
                current.push(i);
                triples += graphs[i].triples;
                if current.len() >= batch_size || triples >= MAX_BATCH_TRIPLES {
                    out.push(Job::Update {
                        send: std::mem::take(&mut current),
                        delete: Vec::new(),
                    });
                    triples = 0;
                }
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

/// The request of a job against `endpoint`.
pub fn request(
    job: &Job,
    endpoint: &str,
    dataset: &FrozenDataset,
    graphs: &[LocalGraph],
) -> HttpRequest {
    match job {
        Job::Put(i) => {
            let (body, triples, _) = ntriples(dataset, &graphs[*i].iri, "");
            HttpRequest {
                method: Method::PUT,
                url: graph_url(endpoint, &graphs[*i].iri),
                content_type: Some("application/n-triples"),
                body: body.into_bytes(),
                triples,
            }
        }
        Job::Delete(iri) => HttpRequest {
            method: Method::DELETE,
            url: graph_url(endpoint, iri),
            content_type: None,
            body: Vec::new(),
            triples: 0,
        },
        Job::Update { send, delete } => {
            let mut ops = Vec::new();
            for iri in delete {
                ops.push(format!("DROP SILENT GRAPH <{iri}>"));
            }
            let mut triples = 0;
            for (k, &i) in send.iter().enumerate() {
                let iri = &graphs[i].iri;
                let (body, n, blank) = ntriples(dataset, iri, &format!("g{k}x"));
                triples += n;
                ops.push(format!("DROP SILENT GRAPH <{iri}>"));
                ops.push(if blank {
                    format!("INSERT {{ GRAPH <{iri}> {{\n{body}}} }} WHERE {{}}")
                } else {
                    format!("INSERT DATA {{ GRAPH <{iri}> {{\n{body}}} }}")
                });
            }
            HttpRequest {
                method: Method::POST,
                url: endpoint.to_string(),
                content_type: Some("application/sparql-update"),
                body: ops.join(" ;\n").into_bytes(),
                triples,
            }
        }
    }
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
            .map(|i| graph(&format!("g{i}"), if i == 1 { 30_000 } else { 10 }))
            .collect();
        let jobs = jobs(
            Protocol::Update,
            &graphs,
            &[0, 1, 2, 3, 4],
            &["x".into(), "y".into(), "z".into()],
            2,
        );
        let shape: Vec<(usize, usize)> = jobs
            .iter()
            .map(|j| match j {
                Job::Update { send, delete } => (send.len(), delete.len()),
                _ => panic!(),
            })
            .collect();
        // Deletes by two; graph 1 closes its batch on its triples.
        assert_eq!(shape, vec![(0, 2), (0, 1), (2, 0), (2, 0), (1, 0)]);
        let gsp = super::jobs(Protocol::GraphStore, &graphs, &[3], &["x".into()], 2);
        assert_eq!(gsp, vec![Job::Delete("x".into()), Job::Put(3)]);
    }
}
