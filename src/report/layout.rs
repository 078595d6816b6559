//! Positions for the report's cluster map: the exact layout of a small articles projection, a sampled one of a large one.
//!
//! The map draws at most [`MAP_POINTS`] articles: every article of a
//! projection up to that size, else every `step`-th node ([`map_step`]).
//! Up to [`MAP_POINTS`] nodes, [`map_positions`] is the ForceAtlas2 layout of
//! the whole projection (`export::layout_of`, the same picture the GraphML
//! and GEXF exports carry). Above it, laying out the whole projection only to
//! draw a sample of it costs seconds (6.6 s at 100k articles), so a small
//! stand-in graph is laid out instead:
//!
//! - the sampled articles;
//! - one anchor node per level-0 cluster that has a sampled article;
//! - an edge between two sampled articles linked in the projection (its weight);
//! - an edge from each sampled article to its cluster's anchor, weighted by
//!   the mean weight of the article's links into its own cluster (the
//!   projection's mean link weight when it has none), standing in for the
//!   cluster members that are not drawn. The mean rather than the sum: one
//!   edge to one point pulling with the whole sum collapses every cluster
//!   onto its anchor, while the members it stands for are spread out;
//! - an edge between two anchors weighted by the total projection weight
//!   between their clusters, divided by the sampling step (only about one
//!   in `step` of those links has a drawn end), so clusters that link a lot
//!   sit together.
//!
//! That graph has at most `2 × MAP_POINTS` nodes and is laid out with the
//! same seeded ForceAtlas2 ([`crate::layout::forceatlas2`],
//! [`LayoutOptions::for_size`]), so the map is deterministic. The drawn
//! articles keep their positions; the others get none (NaN), which the map
//! never reads. The exports keep the layout of the whole projection, so for
//! a large collection Gephi and the report show different pictures of the
//! same clusters.

use super::MAP_POINTS;
use crate::analyze::stored::StoredAnalysis;
use crate::analyze::Level;
use crate::graph::{Csr, NodeId, ProjectedGraph};
use crate::layout::LayoutOptions;
use std::collections::BTreeMap;

/// Every `step`-th node of a projection of `n` nodes is drawn on the map.
pub fn map_step(n: usize) -> usize {
    n.div_ceil(MAP_POINTS).max(1)
}

/// Positions of the articles projection's nodes for the map (see the module
/// documentation); the nodes not drawn are NaN.
pub fn map_positions(graph: &ProjectedGraph, analysis: &StoredAnalysis) -> Vec<[f64; 2]> {
    let n = graph.node_count();
    if n <= MAP_POINTS {
        return crate::export::layout_of(graph);
    }
    let sample = Sample::new(n, analysis.levels.first());
    let edges = stand_in_edges(graph, &sample);
    let csr = Csr::from_edges(sample.samples + sample.anchors, edges);
    let laid = crate::layout::forceatlas2(&csr, &LayoutOptions::for_size(csr.node_count()));
    let mut positions = vec![[f64::NAN; 2]; n];
    for (i, node) in (0..n).step_by(sample.step).enumerate() {
        positions[node] = laid[i];
    }
    positions
}

/// The drawn articles (stand-in node `i` is node `i * step`) and their clusters' anchors.
struct Sample<'a> {
    n: usize,
    step: usize,
    samples: usize,
    level: Option<&'a Level>,
    /// Level-0 cluster count.
    count: usize,
    /// Stand-in node of each cluster's anchor, if it has a drawn article.
    anchor_of: Vec<Option<NodeId>>,
    anchors: usize,
}

impl<'a> Sample<'a> {
    fn new(n: usize, level: Option<&'a Level>) -> Self {
        let step = map_step(n);
        let samples = n.div_ceil(step);
        let count = level.map_or(0, |l| l.count);
        let mut sample = Sample {
            n,
            step,
            samples,
            level,
            count,
            anchor_of: vec![None; count],
            anchors: 0,
        };
        // Anchors, numbered after the samples in cluster order.
        for node in (0..n).step_by(step) {
            if let Some(k) = sample.cluster_of(node) {
                sample.anchor_of[k] = Some(0);
            }
        }
        let mut anchors = 0;
        for slot in sample.anchor_of.iter_mut().filter(|a| a.is_some()) {
            *slot = Some((samples + anchors) as NodeId);
            anchors += 1;
        }
        sample.anchors = anchors;
        sample
    }

    /// The level-0 cluster of `node`, if it has one.
    fn cluster_of(&self, node: usize) -> Option<usize> {
        let k = *self.level?.membership.get(node)? as usize;
        (k < self.count).then_some(k)
    }
}

/// The stand-in graph's edges: between drawn articles, from each drawn article
/// to its cluster's anchor, and between anchors.
fn stand_in_edges(graph: &ProjectedGraph, s: &Sample) -> Vec<(NodeId, NodeId, f64)> {
    let step = s.step;
    let mut edges: Vec<(NodeId, NodeId, f64)> = Vec::new();
    // Weight and number of each sampled article's links into its cluster.
    let mut inner = vec![(0.0, 0u32); s.samples];
    let mut between: BTreeMap<(NodeId, NodeId), f64> = BTreeMap::new();
    let mut total = 0.0;
    for e in graph.graph.raw_edges() {
        let (u, v, w) = (e.source().index(), e.target().index(), e.weight.weight);
        total += w;
        if u % step == 0 && v % step == 0 {
            edges.push(((u / step) as NodeId, (v / step) as NodeId, w));
        }
        match (s.cluster_of(u), s.cluster_of(v)) {
            (Some(a), Some(b)) if a == b => {
                for x in [u, v] {
                    if x % step == 0 {
                        inner[x / step].0 += w;
                        inner[x / step].1 += 1;
                    }
                }
            }
            (Some(a), Some(b)) => {
                if let (Some(x), Some(y)) = (s.anchor_of[a], s.anchor_of[b]) {
                    *between.entry((x.min(y), x.max(y))).or_insert(0.0) += w;
                }
            }
            _ => {}
        }
    }
    let mean = if graph.edge_count() > 0 {
        total / graph.edge_count() as f64
    } else {
        1.0
    };
    for (i, node) in (0..s.n).step_by(step).enumerate() {
        if let Some(anchor) = s.cluster_of(node).and_then(|k| s.anchor_of[k]) {
            let (weight, links) = inner[i];
            let w = if links > 0 {
                weight / links as f64
            } else {
                mean
            };
            edges.push((i as NodeId, anchor, w));
        }
    }
    edges.extend(
        between
            .into_iter()
            .map(|((x, y), w)| (x, y, w / step as f64)),
    );
    edges
}
