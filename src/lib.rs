//! signalgraph: turn foresight seed-article collections into a knowledge graph.
//!
//! Data flows one way: [`seed`] reads files into typed articles with
//! diagnostics, [`model`] merges them into a collection with stable ids,
//! [`store`] turns the collection into RDF (oxigraph) and saves it,
//! [`analyze`] finds clusters and central nodes in its graph views,
//! [`export`] writes it in RDF and graph formats, [`report`] writes the
//! trend-cluster report, [`pipeline`] runs all of it in one go, [`query`]
//! answers SPARQL over the opened store, [`serve`] makes it a SPARQL 1.1
//! endpoint, and [`generate`] writes synthetic collections for tests and
//! benchmarks.

pub mod align;
pub mod analyze;
pub mod build;
pub mod export;
pub mod generate;
pub mod graph;
pub mod layout;
pub mod memory;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod progress;
pub mod query;
pub mod report;
pub mod seed;
pub mod serve;
pub mod store;
pub mod trends;
