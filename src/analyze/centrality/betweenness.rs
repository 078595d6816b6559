//! Betweenness centrality (Brandes), exact or sampled, parallel over sources.

use super::{arc_lengths, CentralityError, EdgeLength, HeapEntry, NODE_CHUNK};
use crate::graph::{Csr, NodeId};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::BinaryHeap;

/// Options for [`betweenness`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BetweennessOptions {
    /// Divide by the number of node pairs that could route through a node,
    /// `(n - 1)(n - 2) / 2`, as networkx's `normalized=True`.
    pub normalized: bool,
    /// How long an edge is.
    pub length: EdgeLength,
    /// Estimate from a sample of source nodes instead of all of them.
    pub samples: Option<Sampling>,
}

impl Default for BetweennessOptions {
    fn default() -> Self {
        BetweennessOptions {
            normalized: true,
            length: EdgeLength::Hops,
            samples: None,
        }
    }
}

/// Which source nodes sampled betweenness starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampling {
    /// How many distinct sources, drawn uniformly; between `min(2, n)` and `n`.
    pub sources: usize,
    /// Seed of the ChaCha8 generator that draws them.
    pub seed: u64,
}

/// Most partial score vectors kept at once; more only balances load better.
const MAX_PARTITIONS: usize = 64;
/// Bound on the partial score vectors' total length (64 MiB of `f64`).
const PARTIAL_SCORES_BUDGET: usize = 1 << 23;

/// Betweenness centrality of every node: the (normalized) number of shortest
/// paths between other nodes that pass through it, each pair's paths
/// sharing one unit.
///
/// Brandes, "A faster algorithm for betweenness centrality" (2001): one
/// shortest-path search per source (breadth-first for
/// [`EdgeLength::Hops`] or unit weights, Dijkstra otherwise), then
/// dependencies accumulated in reverse order of distance, each node pulling
/// from its successors. There are no per-node predecessor lists: for hops
/// the search appends each node's successors to one flat array, and for
/// lengths accumulation re-reads each row and keeps the neighbours one edge
/// farther from the source. O(n m) time for hops, O(n m log n) for lengths;
/// O(n + m) memory per thread plus up to 64 partial score vectors.
///
/// Matches `networkx.betweenness_centrality(G, normalized=normalized,
/// weight=None / "weight" / an attribute holding 1/w)`: undirected scores
/// are halved when not normalized, and divided by `(n - 1)(n - 2)` when
/// normalized. With [`Sampling`] it matches networkx's `k=` estimator
/// (networkx 3.5 and later) for a given set of sources: a sampled node's
/// score is scaled by `(n - 1) / (k - 1)` and any other node's by
/// `(n - 1) / k` before the same normalization, which is unbiased since a
/// node is never counted as its own source. The sources come from ChaCha8,
/// so they differ from networkx's for the same seed; with `k = n` the
/// result equals the exact one.
///
/// Sources are split into fixed strided partitions, each summing into its
/// own score vector, and the vectors are added in partition order, so the
/// result is the same for any number of threads.
///
/// # Errors
/// [`CentralityError::InvalidLength`] for a weight that gives a
/// non-positive or non-finite length, [`CentralityError::InvalidSampleSize`]
/// for a sample size outside `min(2, n)..=n`.
pub fn betweenness(g: &Csr, options: &BetweennessOptions) -> Result<Vec<f64>, CentralityError> {
    let n = g.node_count();
    let lengths = arc_lengths(g, options.length)?;
    let sources: Vec<NodeId> = match options.samples {
        None => (0..n as NodeId).collect(),
        Some(sampling) => sample_sources(n, sampling)?,
    };
    if n == 0 {
        return Ok(Vec::new());
    }

    let partitions = (PARTIAL_SCORES_BUDGET / n)
        .clamp(1, MAX_PARTITIONS)
        .min(sources.len())
        .max(1);
    let partial_scores: Vec<Vec<f64>> = (0..partitions)
        .into_par_iter()
        .map(|partition| {
            let mut search = Brandes::new(g, lengths.as_deref());
            let mut scores = vec![0.0; n];
            for &source in sources.iter().skip(partition).step_by(partitions) {
                match &lengths {
                    None => search.accumulate_hops(g, source, &mut scores),
                    Some(lengths) => search.accumulate_lengths(g, lengths, source, &mut scores),
                }
            }
            scores
        })
        .collect();

    let mut scores = vec![0.0; n];
    scores
        .par_chunks_mut(NODE_CHUNK)
        .enumerate()
        .for_each(|(chunk, chunk_scores)| {
            let first = chunk * NODE_CHUNK;
            for (i, score) in chunk_scores.iter_mut().enumerate() {
                *score = partial_scores.iter().map(|p| p[first + i]).sum();
            }
        });
    rescale(&mut scores, options, &sources);
    Ok(scores)
}

/// `sources` distinct nodes drawn uniformly from `0..n`, sorted.
fn sample_sources(n: usize, sampling: Sampling) -> Result<Vec<NodeId>, CentralityError> {
    if sampling.sources < n.min(2) || sampling.sources > n {
        return Err(CentralityError::InvalidSampleSize {
            sources: sampling.sources,
            nodes: n,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(sampling.seed);
    let mut sources: Vec<NodeId> = rand::seq::index::sample(&mut rng, n, sampling.sources)
        .into_iter()
        .map(|i| i as NodeId)
        .collect();
    sources.sort_unstable();
    Ok(sources)
}

/// networkx's scaling (`_rescale` with `endpoints=False`): the raw scores
/// count each unordered pair twice, once from each end.
fn rescale(scores: &mut [f64], options: &BetweennessOptions, sources: &[NodeId]) {
    let n = scores.len();
    // Pairs (s, t) with s, t != v: s ranges over the n - 1 other nodes.
    let other_nodes = n as f64 - 1.0;
    if n < 3 {
        return;
    }
    let scale_for_sources = |k: f64| {
        if options.normalized {
            1.0 / (k * (other_nodes - 1.0))
        } else {
            other_nodes / (k * 2.0)
        }
    };
    match options.samples {
        None => {
            let scale = scale_for_sources(other_nodes);
            scores.iter_mut().for_each(|s| *s *= scale);
        }
        Some(_) => {
            let k = sources.len() as f64;
            // A sampled node is a source for the other k - 1 samples only.
            let sampled_scale = scale_for_sources(k - 1.0);
            let other_scale = scale_for_sources(k);
            let mut is_source = vec![false; n];
            for &s in sources {
                is_source[s as usize] = true;
            }
            for (score, sampled) in scores.iter_mut().zip(is_source) {
                *score *= if sampled { sampled_scale } else { other_scale };
            }
        }
    }
}

/// Scratch for one single-source pass, reused across sources.
///
/// Dependencies are pulled rather than pushed: walking back from the
/// farthest nodes, a node `v` sums `(1 + dependency[w]) / path_count[w]` over
/// its successors `w` (neighbours one step farther from the source), and its
/// dependency is `path_count[v]` times that sum, so each node is written
/// once.
struct Brandes {
    /// Hop distance from the source, `UNREACHED` if not (yet) reached.
    hops: Vec<u32>,
    /// Length distance from the source, infinite if not (yet) reached.
    distance: Vec<f64>,
    /// Number of shortest paths from the source; 0 between sources.
    path_count: Vec<f64>,
    /// `(1 + dependency) / path_count` of nodes already accumulated.
    pull: Vec<f64>,
    /// Reached nodes in order of non-decreasing distance, the source first;
    /// one spare slot for the breadth-first search's unconditional writes.
    order: Vec<NodeId>,
    /// Breadth-first search only: the successors of `order[i]` are
    /// `successors[successors_end[i - 1]..successors_end[i]]` (from 0 for
    /// `i = 0`); one spare slot, as for `order`.
    successors: Vec<NodeId>,
    successors_end: Vec<usize>,
    heap: BinaryHeap<HeapEntry>,
}

const UNREACHED: u32 = u32::MAX;

impl Brandes {
    fn new(g: &Csr, lengths: Option<&[f64]>) -> Brandes {
        let n = g.node_count();
        let hops_only = |len| if lengths.is_none() { len } else { 0 };
        Brandes {
            hops: vec![UNREACHED; hops_only(n)],
            distance: vec![f64::INFINITY; n - hops_only(n)],
            path_count: vec![0.0; n],
            pull: vec![0.0; n],
            order: vec![0; n + 1],
            successors: vec![0; hops_only(g.targets().len() + 1)],
            successors_end: vec![0; hops_only(n)],
            heap: BinaryHeap::new(),
        }
    }

    /// Adds the dependencies of `source` (breadth-first) to `scores`.
    ///
    /// The loop over a row has no data-dependent branch (a new node is
    /// written to `order` and a successor to `successors` unconditionally,
    /// and the end moves on only if it counts): on rows of random-looking
    /// neighbours, such branches mispredict often.
    fn accumulate_hops(&mut self, g: &Csr, source: NodeId, scores: &mut [f64]) {
        let Brandes {
            hops,
            path_count,
            pull,
            order,
            successors,
            successors_end,
            ..
        } = self;
        hops[source as usize] = 0;
        path_count[source as usize] = 1.0;
        order[0] = source;
        let mut reached = 1;
        let mut successors_len = 0;
        let mut head = 0;
        while head < reached {
            let v = order[head];
            let next_hops = hops[v as usize] + 1;
            let first_successor = successors_len;
            for &u in g.neighbours(v).0 {
                let discovered = hops[u as usize] == UNREACHED;
                let u_hops = if discovered {
                    next_hops
                } else {
                    hops[u as usize]
                };
                hops[u as usize] = u_hops;
                order[reached] = u;
                reached += usize::from(discovered);
                successors[successors_len] = u;
                successors_len += usize::from(u_hops == next_hops);
            }
            successors_end[head] = successors_len;
            // v's count is final: its predecessors were all dequeued before it.
            let paths = path_count[v as usize];
            for &u in &successors[first_successor..successors_len] {
                path_count[u as usize] += paths;
            }
            head += 1;
        }

        for i in (1..reached).rev() {
            let w = order[i] as usize;
            let pulled: f64 = successors[successors_end[i - 1]..successors_end[i]]
                .iter()
                .map(|&x| pull[x as usize])
                .sum();
            let dependency = path_count[w] * pulled;
            scores[w] += dependency;
            pull[w] = (1.0 + dependency) / path_count[w];
        }
        for &v in &order[..reached] {
            hops[v as usize] = UNREACHED;
            path_count[v as usize] = 0.0;
        }
    }

    /// Adds the dependencies of `source` (Dijkstra over `lengths`) to `scores`.
    fn accumulate_lengths(&mut self, g: &Csr, lengths: &[f64], source: NodeId, scores: &mut [f64]) {
        let Brandes {
            distance,
            path_count,
            pull,
            order,
            heap,
            ..
        } = self;
        let offsets = g.offsets();
        let targets = g.targets();
        let mut reached = 0;
        distance[source as usize] = 0.0;
        path_count[source as usize] = 1.0;
        heap.push(HeapEntry {
            distance: 0.0,
            node: source,
        });
        while let Some(HeapEntry {
            distance: d,
            node: v,
        }) = heap.pop()
        {
            if d > distance[v as usize] {
                continue; // superseded by a shorter path
            }
            order[reached] = v;
            reached += 1;
            let paths = path_count[v as usize];
            let row = offsets[v as usize]..offsets[v as usize + 1];
            for (&w, &length) in targets[row.clone()].iter().zip(&lengths[row]) {
                let via_v = d + length;
                let w_distance = &mut distance[w as usize];
                if via_v < *w_distance {
                    *w_distance = via_v;
                    path_count[w as usize] = paths;
                    heap.push(HeapEntry {
                        distance: via_v,
                        node: w,
                    });
                } else if via_v == *w_distance {
                    path_count[w as usize] += paths;
                }
            }
        }

        // Positive lengths: x follows w exactly when distance[w] + length ==
        // distance[x], the same sum (same bits) that set distance[x].
        for &w in order[1..reached].iter().rev() {
            let w_distance = distance[w as usize];
            let row = offsets[w as usize]..offsets[w as usize + 1];
            let mut pulled = 0.0;
            for (&x, &length) in targets[row.clone()].iter().zip(&lengths[row]) {
                if w_distance + length == distance[x as usize] {
                    pulled += pull[x as usize];
                }
            }
            let dependency = path_count[w as usize] * pulled;
            scores[w as usize] += dependency;
            pull[w as usize] = (1.0 + dependency) / path_count[w as usize];
        }
        for &v in &order[..reached] {
            distance[v as usize] = f64::INFINITY;
            path_count[v as usize] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: u32) -> Csr {
        Csr::from_edges(n as usize, (1..n).map(|i| (i - 1, i, 1.0)))
    }

    #[test]
    fn path_has_the_closed_form_scores() {
        let raw = BetweennessOptions {
            normalized: false,
            ..Default::default()
        };
        assert_eq!(
            betweenness(&path(5), &raw).unwrap(),
            vec![0.0, 3.0, 4.0, 3.0, 0.0]
        );
        let normalized = betweenness(&path(5), &BetweennessOptions::default()).unwrap();
        assert_eq!(normalized, vec![0.0, 0.5, 4.0 / 6.0, 0.5, 0.0]);
    }

    #[test]
    fn weighted_lengths_pick_the_short_way() {
        // Square 0-1-2-3-0: the 0-1-2 side is short, so 1 carries 0..2, and
        // 1..3 has two equal ways, through 0 and through 2.
        let g = Csr::from_edges(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 5.0), (3, 0, 5.0)]);
        let raw = |length| BetweennessOptions {
            normalized: false,
            length,
            samples: None,
        };
        assert_eq!(
            betweenness(&g, &raw(EdgeLength::Weight)).unwrap(),
            vec![0.5, 1.0, 0.5, 0.0]
        );
        // Inverse weights make the 0-3-2 side short instead.
        assert_eq!(
            betweenness(&g, &raw(EdgeLength::InverseWeight)).unwrap(),
            vec![0.5, 0.0, 0.5, 1.0]
        );
        assert_eq!(
            betweenness(&g, &raw(EdgeLength::Hops)).unwrap(),
            vec![0.5; 4]
        );
    }

    #[test]
    fn rejects_bad_lengths_and_sample_sizes() {
        let g = Csr::from_edges(3, [(0, 1, 0.0), (1, 2, 1.0)]);
        let weighted = BetweennessOptions {
            length: EdgeLength::Weight,
            ..Default::default()
        };
        assert!(matches!(
            betweenness(&g, &weighted),
            Err(CentralityError::InvalidLength { edge: (0, 1), .. })
        ));
        let too_many = BetweennessOptions {
            samples: Some(Sampling {
                sources: 4,
                seed: 1,
            }),
            ..Default::default()
        };
        assert!(betweenness(&g, &too_many).is_err());
        assert!(betweenness(&Csr::default(), &BetweennessOptions::default())
            .unwrap()
            .is_empty());
    }
}
