//! Centrality measures over a [`crate::graph::Csr`].
//!
//! Every measure follows one networkx function (checked to 1e-6 in
//! `tests/centrality.rs` against values in `tests/reference/`), so scores can
//! be compared with published analyses:
//!
//! | function | networkx |
//! | --- | --- |
//! | [`degree`], [`weighted_degree`] | `G.degree()`, `G.degree(weight=)` |
//! | [`pagerank`] | `pagerank` |
//! | [`eigenvector`] | `eigenvector_centrality` |
//! | [`betweenness`] | `betweenness_centrality` (exact or `k=` sampled) |
//! | [`closeness`] | `closeness_centrality` |
//! | [`harmonic`] | `harmonic_centrality` |
//! | [`core_number`] | `core_number` (self-loops ignored) |
//!
//! Results are vectors indexed by [`NodeId`]; an empty graph gives empty
//! vectors. Shortest-path measures take an [`EdgeLength`]: hops, the weight,
//! or its inverse (for similarity weights).
//!
//! The parallel measures (PageRank, eigenvector, betweenness, closeness,
//! harmonic) give the same bits whatever the number of rayon threads: work is
//! split into chunks fixed by the input alone, and partial sums are added in
//! chunk order.

mod betweenness;
mod closeness;
mod degree;
mod eigenvector;
mod kcore;
mod pagerank;

pub use betweenness::{betweenness, BetweennessOptions, Sampling};
pub use closeness::{closeness, harmonic, ClosenessOptions};
pub use degree::{degree, weighted_degree};
pub use eigenvector::{eigenvector, Eigenvector, EigenvectorOptions};
pub use kcore::core_number;
pub use pagerank::{pagerank, PageRank, PageRankOptions};

use crate::graph::{Csr, NodeId};
use std::cmp::Ordering;

/// Why a centrality measure could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CentralityError {
    /// A power iteration hit its iteration limit before converging.
    #[error("{algorithm} did not converge in {iterations} iterations (tolerance {tolerance:e})")]
    NotConverged {
        /// The measure (`pagerank`, `eigenvector`).
        algorithm: &'static str,
        /// The iteration limit it reached.
        iterations: usize,
        /// The tolerance it did not reach.
        tolerance: f64,
    },
    /// The PageRank damping factor is outside `[0, 1)`.
    #[error("damping factor must be in [0, 1), got {0}")]
    InvalidDamping(f64),
    /// A convergence tolerance is not a positive number.
    #[error("tolerance must be positive, got {0}")]
    InvalidTolerance(f64),
    /// An edge weight cannot be used by a power iteration.
    #[error("edge {}-{} has weight {weight}; weights must be finite and non-negative", .edge.0, .edge.1)]
    InvalidWeight {
        /// The edge's end nodes.
        edge: (NodeId, NodeId),
        /// Its weight.
        weight: f64,
    },
    /// An edge length for shortest paths is not positive and finite.
    #[error("edge {}-{} has length {length}; shortest-path lengths must be positive and finite", .edge.0, .edge.1)]
    InvalidLength {
        /// The edge's end nodes.
        edge: (NodeId, NodeId),
        /// Its length.
        length: f64,
    },
    /// Sampled betweenness was asked for an impossible number of sources.
    #[error(
        "cannot sample {sources} sources from {nodes} nodes (need between min(2, nodes) and nodes)"
    )]
    InvalidSampleSize {
        /// Sources asked for.
        sources: usize,
        /// Nodes of the graph.
        nodes: usize,
    },
}

/// What the length of an edge is, for shortest-path measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EdgeLength {
    /// Every edge has length 1 (breadth-first search); weights are ignored.
    #[default]
    Hops,
    /// The edge weight is its length (a distance or cost).
    Weight,
    /// The inverse of the weight is its length: heavier edges are shorter.
    /// For similarity or co-occurrence weights.
    InverseWeight,
}

impl EdgeLength {
    /// Every edge length rule, in the order the CLI lists them.
    pub const ALL: [EdgeLength; 3] = [
        EdgeLength::Hops,
        EdgeLength::Weight,
        EdgeLength::InverseWeight,
    ];

    /// The rule's name on the command line (`hops`, `weight`, `inverse-weight`).
    pub fn name(self) -> &'static str {
        match self {
            EdgeLength::Hops => "hops",
            EdgeLength::Weight => "weight",
            EdgeLength::InverseWeight => "inverse-weight",
        }
    }
}

/// Per-arc lengths aligned with [`Csr::targets`], or `None` when every edge
/// has length 1 and breadth-first search gives the same distances.
///
/// Both arcs of an edge get the same bits (taken from the row of the smaller
/// endpoint), so that `dist[v] + length == dist[w]` tests agree whichever
/// way an edge is read.
fn arc_lengths(g: &Csr, length: EdgeLength) -> Result<Option<Vec<f64>>, CentralityError> {
    if length == EdgeLength::Hops || !g.is_weighted() {
        return Ok(None);
    }
    let mut lengths = Vec::with_capacity(g.targets().len());
    for source in 0..g.node_count() as NodeId {
        let (targets, weights) = g.neighbours(source);
        for (&target, &weight) in targets.iter().zip(weights) {
            let weight = if target < source {
                let (reverse_targets, reverse_weights) = g.neighbours(target);
                let i = reverse_targets
                    .binary_search(&source)
                    .expect("CSR rows are symmetric");
                reverse_weights[i]
            } else {
                weight
            };
            let arc_length = match length {
                EdgeLength::InverseWeight => 1.0 / weight,
                _ => weight,
            };
            if !(arc_length > 0.0 && arc_length.is_finite()) {
                return Err(CentralityError::InvalidLength {
                    edge: (source.min(target), source.max(target)),
                    length: arc_length,
                });
            }
            lengths.push(arc_length);
        }
    }
    Ok(Some(lengths))
}

/// Checks that every weight is finite and non-negative (power iterations).
fn check_weights(g: &Csr) -> Result<(), CentralityError> {
    for (source, target, weight) in g.edges() {
        if !(weight >= 0.0 && weight.is_finite()) {
            return Err(CentralityError::InvalidWeight {
                edge: (source, target),
                weight,
            });
        }
    }
    Ok(())
}

/// Checks the input of an iterative measure; returns whether to read weights
/// (asked for and not all 1: unit weights iterate without the weight array).
fn check_iterative(g: &Csr, tolerance: f64, weighted: bool) -> Result<bool, CentralityError> {
    check_tolerance(tolerance)?;
    let weighted = weighted && g.is_weighted();
    if weighted {
        check_weights(g)?;
    }
    Ok(weighted)
}

fn check_tolerance(tolerance: f64) -> Result<(), CentralityError> {
    if tolerance > 0.0 {
        Ok(())
    } else {
        Err(CentralityError::InvalidTolerance(tolerance))
    }
}

/// A tentative distance in a Dijkstra heap; ordered so that
/// `BinaryHeap` pops the smallest distance first (ties by node id).
#[derive(Debug, Clone, Copy, PartialEq)]
struct HeapEntry {
    distance: f64,
    node: NodeId,
}

impl Eq for HeapEntry {}

impl Ord for HeapEntry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .distance
            .total_cmp(&self.distance)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for HeapEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Nodes per chunk of the parallel per-node loops. Fixed, so that chunked
/// partial sums (and so the results) do not depend on the thread count.
const NODE_CHUNK: usize = 4096;

/// Sums `values` in fixed [`NODE_CHUNK`]s, then the chunk sums in order.
fn chunked_sum(values: &[f64]) -> f64 {
    use rayon::prelude::*;
    let partials: Vec<f64> = values
        .par_chunks(NODE_CHUNK)
        .map(|chunk| chunk.iter().sum::<f64>())
        .collect();
    partials.iter().sum()
}
