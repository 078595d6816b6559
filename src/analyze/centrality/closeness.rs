//! Closeness and harmonic centrality, parallel over sources.

use super::{arc_lengths, CentralityError, EdgeLength, HeapEntry};
use crate::graph::{Csr, NodeId};
use rayon::prelude::*;
use std::collections::BinaryHeap;

/// Options for [`closeness`]; the defaults are networkx's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosenessOptions {
    /// How long an edge is.
    pub length: EdgeLength,
    /// Scale by the fraction of other nodes reached (Wasserman & Faust), so
    /// that nodes in small components do not score as if central.
    pub wf_improved: bool,
}

impl Default for ClosenessOptions {
    fn default() -> Self {
        ClosenessOptions {
            length: EdgeLength::Hops,
            wf_improved: true,
        }
    }
}

/// Closeness centrality of every node: the number of other nodes it reaches
/// over the sum of their distances, `(r - 1) / sum(d)` where `r` counts the
/// nodes reached including itself; with `wf_improved`, times `(r - 1) / (n - 1)`
/// (Wasserman & Faust 1994, for disconnected graphs). A node that reaches no
/// other node scores 0.
///
/// Matches `networkx.closeness_centrality(G, distance=None / "weight" / an
/// attribute holding 1/w, wf_improved=wf_improved)`. For hops, breadth-first
/// searches from 64 sources at a time share one pass (bit-parallel
/// multi-source BFS, Then et al. 2014); for lengths, one Dijkstra per node.
/// Parallel over sources. O(n m) for hops (in practice far less: about `n m / 64` times the
/// number of levels a node spans), O(n m log n) for lengths.
///
/// # Errors
/// [`CentralityError::InvalidLength`] for a weight that gives a
/// non-positive or non-finite length.
pub fn closeness(g: &Csr, options: &ClosenessOptions) -> Result<Vec<f64>, CentralityError> {
    let other_nodes = g.node_count() as f64 - 1.0;
    let reach = reach_from_every_node(g, options.length)?;
    Ok(reach
        .iter()
        .map(|r| {
            if r.distance_sum > 0.0 {
                let others = r.others as f64;
                let closeness = others / r.distance_sum;
                if options.wf_improved {
                    closeness * others / other_nodes
                } else {
                    closeness
                }
            } else {
                0.0
            }
        })
        .collect())
}

/// Harmonic centrality of every node: the sum of `1 / d` over the other
/// nodes it reaches (Marchiori & Latora 2000), unnormalized.
///
/// Matches `networkx.harmonic_centrality(G, distance=None / "weight" / an
/// attribute holding 1/w)`. Same searches and cost as [`closeness`].
///
/// # Errors
/// [`CentralityError::InvalidLength`] for a weight that gives a
/// non-positive or non-finite length.
pub fn harmonic(g: &Csr, length: EdgeLength) -> Result<Vec<f64>, CentralityError> {
    let reach = reach_from_every_node(g, length)?;
    Ok(reach.iter().map(|r| r.inverse_distance_sum).collect())
}

/// What one source reaches: the other nodes, and their distances summed.
#[derive(Debug, Clone, Copy, Default)]
struct Reach {
    others: u64,
    distance_sum: f64,
    inverse_distance_sum: f64,
}

/// Sources per bit-parallel breadth-first search: one bit of a `u64` each.
const BATCH: usize = 64;

/// The [`Reach`] of every node, in parallel. Each value depends on its own
/// source (and batch, fixed by node ids) only, so the result is the same for
/// any number of threads.
fn reach_from_every_node(g: &Csr, length: EdgeLength) -> Result<Vec<Reach>, CentralityError> {
    let lengths = arc_lengths(g, length)?;
    let n = g.node_count();
    let mut reach = vec![Reach::default(); n];
    match lengths {
        None => reach.par_chunks_mut(BATCH).enumerate().for_each_init(
            || BatchSearch::new(n),
            |search, (batch, reach)| {
                reach_by_hops(g, search, (batch * BATCH) as NodeId, reach);
            },
        ),
        Some(lengths) => reach.par_iter_mut().enumerate().for_each_init(
            || DijkstraSearch::new(n),
            |search, (source, reach)| {
                *reach = search.reach(g, &lengths, source as NodeId);
            },
        ),
    }
    Ok(reach)
}

/// Scratch for [`reach_by_hops`]: per node, one bit per source of the batch.
struct BatchSearch {
    /// Sources that have reached the node.
    seen: Vec<u64>,
    /// Sources that reached the node at the current level.
    frontier: Vec<u64>,
    /// Sources whose frontier touches the node, during a level.
    next: Vec<u64>,
    frontier_nodes: Vec<NodeId>,
    touched_nodes: Vec<NodeId>,
    seen_nodes: Vec<NodeId>,
}

impl BatchSearch {
    fn new(n: usize) -> BatchSearch {
        BatchSearch {
            seen: vec![0; n],
            frontier: vec![0; n],
            next: vec![0; n],
            frontier_nodes: Vec::new(),
            touched_nodes: Vec::new(),
            seen_nodes: Vec::new(),
        }
    }
}

/// Breadth-first searches from the sources `first..first + reach.len()` (at
/// most 64) at once, filling their [`Reach`].
///
/// Multi-source BFS (Then et al., "The More the Merrier", VLDB 2014): each
/// level, every node on some search's frontier passes its frontier bits to
/// its neighbours, and a neighbour keeps the bits it has not seen. A row is
/// read once per level in which any of the 64 searches has its node on the
/// frontier, instead of once per search.
fn reach_by_hops(g: &Csr, search: &mut BatchSearch, first: NodeId, reach: &mut [Reach]) {
    let BatchSearch {
        seen,
        frontier,
        next,
        frontier_nodes,
        touched_nodes,
        seen_nodes,
    } = search;
    for (bit, source) in (first..first + reach.len() as NodeId).enumerate() {
        seen[source as usize] = 1 << bit;
        frontier[source as usize] = 1 << bit;
        frontier_nodes.push(source);
        seen_nodes.push(source);
    }
    let mut reached_at_level = [0u64; BATCH];
    let mut level = 0u64;
    while !frontier_nodes.is_empty() {
        level += 1;
        for &u in frontier_nodes.iter() {
            let bits = frontier[u as usize];
            for &v in g.neighbours(u).0 {
                if next[v as usize] == 0 {
                    touched_nodes.push(v);
                }
                next[v as usize] |= bits;
            }
        }
        for &u in frontier_nodes.iter() {
            frontier[u as usize] = 0;
        }
        frontier_nodes.clear();
        for &v in touched_nodes.iter() {
            let new = next[v as usize] & !seen[v as usize];
            next[v as usize] = 0;
            if new != 0 {
                if seen[v as usize] == 0 {
                    seen_nodes.push(v);
                }
                seen[v as usize] |= new;
                frontier[v as usize] = new;
                frontier_nodes.push(v);
                let mut bits = new;
                while bits != 0 {
                    reached_at_level[bits.trailing_zeros() as usize] += 1;
                    bits &= bits - 1;
                }
            }
        }
        touched_nodes.clear();
        for (r, count) in reach.iter_mut().zip(&mut reached_at_level) {
            if *count > 0 {
                r.others += *count;
                r.distance_sum += (*count * level) as f64;
                r.inverse_distance_sum += *count as f64 / level as f64;
                *count = 0;
            }
        }
    }
    for &v in seen_nodes.iter() {
        seen[v as usize] = 0;
    }
    seen_nodes.clear();
}

/// Scratch for single-source Dijkstra, reused across sources.
struct DijkstraSearch {
    distance: Vec<f64>,
    settled: Vec<bool>,
    settled_nodes: Vec<NodeId>,
    heap: BinaryHeap<HeapEntry>,
}

impl DijkstraSearch {
    fn new(n: usize) -> DijkstraSearch {
        DijkstraSearch {
            distance: vec![f64::INFINITY; n],
            settled: vec![false; n],
            settled_nodes: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Dijkstra over `lengths` from `source`.
    fn reach(&mut self, g: &Csr, lengths: &[f64], source: NodeId) -> Reach {
        let offsets = g.offsets();
        let targets = g.targets();
        let mut reach = Reach::default();
        self.distance[source as usize] = 0.0;
        self.heap.push(HeapEntry {
            distance: 0.0,
            node: source,
        });
        while let Some(HeapEntry {
            distance: d,
            node: v,
        }) = self.heap.pop()
        {
            if self.settled[v as usize] {
                continue;
            }
            self.settled[v as usize] = true;
            self.settled_nodes.push(v);
            if v != source {
                reach.others += 1;
                reach.distance_sum += d;
                reach.inverse_distance_sum += 1.0 / d;
            }
            let row = offsets[v as usize]..offsets[v as usize + 1];
            for (&w, &length) in targets[row.clone()].iter().zip(&lengths[row]) {
                let via_v = d + length;
                if via_v < self.distance[w as usize] {
                    self.distance[w as usize] = via_v;
                    self.heap.push(HeapEntry {
                        distance: via_v,
                        node: w,
                    });
                }
            }
        }
        for &v in &self.settled_nodes {
            self.distance[v as usize] = f64::INFINITY;
            self.settled[v as usize] = false;
        }
        self.settled_nodes.clear();
        reach
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_isolated_node() {
        // Path 0-1-2 and isolated 3: closeness of 1 is 2/2, scaled by 2/3.
        let g = Csr::from_edges(4, [(0, 1, 1.0), (1, 2, 1.0)]);
        let plain = ClosenessOptions {
            wf_improved: false,
            ..Default::default()
        };
        assert_eq!(
            closeness(&g, &plain).unwrap(),
            vec![2.0 / 3.0, 1.0, 2.0 / 3.0, 0.0]
        );
        assert_eq!(
            closeness(&g, &ClosenessOptions::default()).unwrap(),
            vec![4.0 / 9.0, 2.0 / 3.0, 4.0 / 9.0, 0.0]
        );
        assert_eq!(
            harmonic(&g, EdgeLength::Hops).unwrap(),
            vec![1.5, 2.0, 1.5, 0.0]
        );
    }

    #[test]
    fn batches_agree_with_single_source_searches() {
        // A cycle of 150 with chords: three batches, the last one partial.
        // Length 2 on every edge makes Dijkstra give twice the hop distances.
        let n = 150;
        let edges = (0..n).flat_map(|u| [(u, (u + 1) % n, 1.0), (u, (u * 7 + 3) % n, 1.0)]);
        let g = Csr::from_edges(n as usize, edges);
        let twos = Csr::from_edges(n as usize, g.edges().map(|(u, v, _)| (u, v, 2.0)));
        let hops = reach_from_every_node(&g, EdgeLength::Hops).unwrap();
        let doubled = reach_from_every_node(&twos, EdgeLength::Weight).unwrap();
        for (h, d) in hops.iter().zip(&doubled) {
            assert_eq!(h.others, d.others);
            assert_eq!(2.0 * h.distance_sum, d.distance_sum);
            assert!((h.inverse_distance_sum - 2.0 * d.inverse_distance_sum).abs() < 1e-12);
        }
    }

    #[test]
    fn weighted_distances() {
        let g = Csr::from_edges(3, [(0, 1, 2.0), (1, 2, 4.0), (0, 2, 8.0)]);
        assert_eq!(
            harmonic(&g, EdgeLength::Weight).unwrap(),
            vec![0.5 + 1.0 / 6.0, 0.5 + 0.25, 1.0 / 6.0 + 0.25]
        );
        assert_eq!(
            harmonic(&g, EdgeLength::InverseWeight).unwrap(),
            vec![1.0 / 0.375 + 8.0, 1.0 / 0.375 + 4.0, 8.0 + 4.0]
        );
        assert!(closeness(&Csr::default(), &ClosenessOptions::default())
            .unwrap()
            .is_empty());
    }
}
