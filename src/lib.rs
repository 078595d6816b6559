//! signalgraph: turn foresight seed-article collections into a knowledge graph.
//!
//! Data flows one way: [`seed`] reads files into typed articles with
//! diagnostics, [`model`] merges them into a collection with stable ids,
//! [`store`] turns the collection into RDF (oxigraph) and saves it,
//! [`analyze`] finds clusters and central nodes in its graph views and
//! [`trends`] follows them through time windows,
//! [`export`](mod@export) writes it in RDF and graph formats, [`report`] writes the
//! trend-cluster report, [`pipeline`] runs all of it in one go, [`query`]
//! answers SPARQL over the opened store, [`serve`](mod@serve) makes it a SPARQL 1.1
//! endpoint, [`push`](mod@push) sends it to a remote SPARQL store, and `generate` (feature `generate`, on by default) writes
//! synthetic collections for tests and benchmarks. [`align`] holds the rules
//! that will merge spelling variants of a concept (not applied yet).
//!
//! # Entry points
//!
//! The functions the `signalgraph` command runs are re-exported here; each
//! takes a [`StoreDir`] and an options struct, and reports progress to a
//! [`Progress`] ([`NoProgress`] for none):
//!
//! - [`build()`] reads seed files into the store (incrementally),
//!   [`load_collection`] and [`open_rdf`] open what it saved;
//! - [`run()`] builds, analyses, exports and reports in one go ([`RunOptions`]);
//! - [`analyze_store`] finds trend clusters and central nodes in a projection;
//! - [`export()`] writes RDF, GraphML, GEXF, Neo4j or CSV ([`ExportFormat`]);
//! - [`report::compute`] and [`report::write_file`] make the trend-cluster report;
//! - [`run_query`] answers a SPARQL query over an opened store ([`ResultFormat`]);
//! - [`serve()`] runs the SPARQL 1.1 endpoint ([`ServeOptions`]);
//! - [`push()`] sends the named graphs to a remote SPARQL store, incrementally ([`PushOptions`]);
//! - [`read_bytes`] parses one seed file without a store.
//!
//! The modules stay public for what lies below these: the graph algorithms
//! ([`analyze::community`], [`analyze::centrality`], [`layout`]) on a
//! [`graph::Csr`], the store's [`FrozenDataset`], the collection [`model`].
//!
//! # Example
//!
//! Build a store from two seed articles and ask it for their titles:
//!
//! ```
//! use signalgraph::{build, load_collection, open_rdf, run_query};
//! use signalgraph::{BuildOptions, NoProgress, ResultFormat, StoreDir};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tmp = tempfile::tempdir()?;
//! let seeds = tmp.path().join("seeds");
//! std::fs::create_dir(&seeds)?;
//! for (file, title) in [
//!     ("001_aaaaaaaaaaaaaaaa.txt", "Robots Learn to Cook"),
//!     ("002_bbbbbbbbbbbbbbbb.txt", "Heat Pumps Outsell Boilers"),
//! ] {
//!     let article = format!(
//!         "# __{title}__, from ([20240107](https://example.org/20240107).)\n\
//!          \n## Summary\n\n{title}, as reported.\n\
//!          \n## Keywords\n\n* robots\n* energy\n"
//!     );
//!     std::fs::write(seeds.join(file), article)?;
//! }
//!
//! let dir = StoreDir::new(tmp.path().join("store"));
//! let options = BuildOptions { paths: vec![seeds], ..Default::default() };
//! let built = build(&dir, &options, &NoProgress)?;
//! assert_eq!((built.read, built.skipped), (2, 0));
//!
//! let (collection, iris) = load_collection(&dir)?;
//! let dataset = open_rdf(&dir, &collection, &iris, &NoProgress)?;
//! let mut csv = Vec::new();
//! run_query(
//!     &dataset,
//!     "SELECT ?title WHERE { ?a a schema:NewsArticle ; dcterms:title ?title } ORDER BY ?title",
//!     Some(ResultFormat::Csv),
//!     iris.base(),
//!     &mut csv,
//! )?;
//! assert_eq!(
//!     String::from_utf8(csv)?,
//!     "title\r\nHeat Pumps Outsell Boilers\r\nRobots Learn to Cook\r\n"
//! );
//! # Ok(())
//! # }
//! ```
//!
//! The same store as a SPARQL endpoint, until Ctrl+C:
//!
//! ```no_run
//! use signalgraph::{load_collection, open_rdf, serve, Endpoint, NoProgress, ServeOptions, StoreDir};
//! use std::sync::Arc;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = StoreDir::new(".signalgraph");
//! let (collection, iris) = load_collection(&dir)?;
//! let endpoint = Endpoint {
//!     dataset: Arc::new(open_rdf(&dir, &collection, &iris, &NoProgress)?),
//!     store_dir: dir.path().to_path_buf(),
//!     base: iris.base().to_string(),
//! };
//! let options = ServeOptions { bind: "127.0.0.1:8080".parse()?, ..Default::default() };
//! serve(endpoint, options, |addr| eprintln!("listening on http://{addr}/sparql"))?;
//! # Ok(())
//! # }
//! ```
#![warn(unreachable_pub)]

pub mod align;
pub mod analyze;
pub mod build;
pub mod export;
#[cfg(feature = "generate")]
pub mod generate;
pub mod graph;
pub mod layout;
pub mod memory;
pub mod model;
pub(crate) mod normalize;
pub mod pipeline;
pub mod progress;
pub mod push;
pub mod query;
pub mod report;
pub mod seed;
pub mod serve;
pub mod store;
pub mod trends;

pub use analyze::{analyze_store, AnalyzeOptions};
pub use build::{build, load_collection, BuildOptions, BuildReport};
pub use export::{export, ExportOptions, Format as ExportFormat};
#[cfg(feature = "generate")]
pub use generate::{generate, GenerateOptions};
pub use pipeline::{run, RunOptions, RunSummary};
pub use progress::{NoProgress, Progress};
pub use push::{push, PushOptions, PushReport};
pub use query::{run as run_query, ResultFormat};
pub use report::ReportFormat;
pub use seed::read_bytes;
pub use serve::{run as serve, Endpoint, Options as ServeOptions};
pub use store::{open_rdf, FrozenDataset, StoreDir};
