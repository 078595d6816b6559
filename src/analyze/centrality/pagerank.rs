//! PageRank by power iteration, pulled over the CSR rows.

use super::{check_iterative, CentralityError, NODE_CHUNK};
use crate::graph::{Csr, NodeId};
use rayon::prelude::*;

/// Options for [`pagerank`]; the defaults are networkx's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRankOptions {
    /// Probability of following an edge rather than jumping; in `[0, 1)`.
    pub damping: f64,
    /// Stop when the L1 change of the score vector is below
    /// `node_count * tolerance` (networkx's test).
    pub tolerance: f64,
    /// Give up (with an error) after this many iterations.
    pub max_iterations: usize,
    /// Follow edges in proportion to their weight rather than uniformly.
    pub weighted: bool,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        PageRankOptions {
            damping: 0.85,
            tolerance: 1e-6,
            max_iterations: 100,
            weighted: true,
        }
    }
}

/// PageRank scores (summing to 1) and the number of iterations they took.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRank {
    /// One score per node.
    pub scores: Vec<f64>,
    /// Power iterations taken.
    pub iterations: usize,
}

/// PageRank of every node (Page, Brin, Motwani & Winograd 1999).
///
/// Matches `networkx.pagerank(G, alpha=damping, tol=tolerance,
/// max_iter=max_iterations, weight="weight" or None)` with no
/// personalization: start from the uniform vector; each iteration a node
/// passes `damping` of its score to its neighbours in proportion to edge
/// weight, nodes without edges (dangling) spread theirs uniformly, and every
/// node gets `(1 - damping) / n`. As in networkx, a self-loop counts once in
/// a node's out-weight (it is one entry of the adjacency matrix).
///
/// Each iteration pulls over the CSR rows in parallel (a node sums its
/// neighbours' score per unit of out-weight), without allocating.
/// O(iterations * (n + m)).
///
/// # Errors
/// [`CentralityError::NotConverged`] after `max_iterations`;
/// `InvalidDamping`, `InvalidTolerance`, or `InvalidWeight` (negative or
/// non-finite, when weighted) for bad input.
pub fn pagerank(g: &Csr, options: &PageRankOptions) -> Result<PageRank, CentralityError> {
    let damping = options.damping;
    if !(0.0..1.0).contains(&damping) {
        return Err(CentralityError::InvalidDamping(damping));
    }
    let weighted = check_iterative(g, options.tolerance, options.weighted)?;
    let n = g.node_count();
    if n == 0 {
        return Ok(PageRank {
            scores: Vec::new(),
            iterations: 0,
        });
    }

    let rows = Rows::new(g, weighted);
    let uniform = 1.0 / n as f64;
    let mut scores = vec![uniform; n];
    // Score per unit of out-weight: what a node sends along each unit of weight.
    let mut sent: Vec<f64> = rows
        .inverse_out_weight
        .iter()
        .map(|&i| uniform * i)
        .collect();
    let mut dangling: f64 = rows
        .out_weight
        .iter()
        .filter(|&&w| w == 0.0)
        .map(|_| uniform)
        .sum();
    let mut next_scores = vec![0.0; n];
    let mut next_sent = vec![0.0; n];
    // Per chunk: (L1 change, dangling score).
    let mut partials = vec![(0.0, 0.0); n.div_ceil(NODE_CHUNK)];

    for iteration in 1..=options.max_iterations {
        let teleport = (1.0 - damping) * uniform + damping * dangling * uniform;
        let current = Current {
            scores: &scores,
            sent: &sent,
            teleport,
            damping,
        };
        rows.pull(&current, &mut next_scores, &mut next_sent, &mut partials);
        std::mem::swap(&mut scores, &mut next_scores);
        std::mem::swap(&mut sent, &mut next_sent);
        let change: f64 = partials.iter().map(|p| p.0).sum();
        dangling = partials.iter().map(|p| p.1).sum();
        if change < n as f64 * options.tolerance {
            return Ok(PageRank {
                scores,
                iterations: iteration,
            });
        }
    }
    Err(CentralityError::NotConverged {
        algorithm: "PageRank",
        iterations: options.max_iterations,
        tolerance: options.tolerance,
    })
}

/// The CSR rows and each node's out-weight (and its inverse, 0 for dangling nodes).
struct Rows<'a> {
    offsets: &'a [usize],
    targets: &'a [NodeId],
    weights: &'a [f64],
    weighted: bool,
    out_weight: Vec<f64>,
    inverse_out_weight: Vec<f64>,
}

/// The scores of the current iteration and what the next one adds to every node.
struct Current<'a> {
    scores: &'a [f64],
    sent: &'a [f64],
    teleport: f64,
    damping: f64,
}

impl<'a> Rows<'a> {
    fn new(g: &'a Csr, weighted: bool) -> Self {
        let n = g.node_count();
        let offsets = g.offsets();
        let weights = g.weights();
        let out_weight: Vec<f64> = (0..n)
            .map(|u| {
                let row = offsets[u]..offsets[u + 1];
                if weighted {
                    weights[row].iter().sum()
                } else {
                    row.len() as f64
                }
            })
            .collect();
        let inverse_out_weight: Vec<f64> = out_weight
            .iter()
            .map(|&w| if w == 0.0 { 0.0 } else { 1.0 / w })
            .collect();
        Rows {
            offsets,
            targets: g.targets(),
            weights,
            weighted,
            out_weight,
            inverse_out_weight,
        }
    }

    /// One iteration: every node pulls its neighbours' score into `next_scores`
    /// (and `next_sent`), in parallel chunks; each chunk leaves its
    /// (L1 change, dangling score) in `partials`.
    fn pull(
        &self,
        current: &Current,
        next_scores: &mut [f64],
        next_sent: &mut [f64],
        partials: &mut [(f64, f64)],
    ) {
        let (offsets, targets, weights) = (self.offsets, self.targets, self.weights);
        let (scores, sent) = (current.scores, current.sent);
        let (teleport, damping) = (current.teleport, current.damping);
        next_scores
            .par_chunks_mut(NODE_CHUNK)
            .zip(next_sent.par_chunks_mut(NODE_CHUNK))
            .zip(partials.par_iter_mut())
            .enumerate()
            .for_each(|(chunk, ((chunk_scores, chunk_sent), partial))| {
                let first = chunk * NODE_CHUNK;
                let mut change = 0.0;
                let mut dangling_part = 0.0;
                for (i, (score, sent_out)) in chunk_scores.iter_mut().zip(chunk_sent).enumerate() {
                    let v = first + i;
                    let row = offsets[v]..offsets[v + 1];
                    let pulled: f64 = if self.weighted {
                        targets[row.clone()]
                            .iter()
                            .zip(&weights[row])
                            .map(|(&u, &w)| sent[u as usize] * w)
                            .sum()
                    } else {
                        targets[row].iter().map(|&u| sent[u as usize]).sum()
                    };
                    let value = teleport + damping * pulled;
                    *score = value;
                    *sent_out = value * self.inverse_out_weight[v];
                    change += (value - scores[v]).abs();
                    if self.out_weight[v] == 0.0 {
                        dangling_part += value;
                    }
                }
                *partial = (change, dangling_part);
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_centre_ranks_highest_and_scores_sum_to_one() {
        let g = Csr::from_edges(5, [(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (0, 4, 1.0)]);
        let result = pagerank(&g, &PageRankOptions::default()).unwrap();
        assert!(result.scores[0] > result.scores[1]);
        assert!((result.scores.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_options_and_reports_non_convergence() {
        let g = Csr::from_edges(2, [(0, 1, 1.0)]);
        let bad_damping = PageRankOptions {
            damping: 1.0,
            ..Default::default()
        };
        assert_eq!(
            pagerank(&g, &bad_damping),
            Err(CentralityError::InvalidDamping(1.0))
        );
        let bad_tolerance = PageRankOptions {
            tolerance: 0.0,
            ..Default::default()
        };
        assert!(pagerank(&g, &bad_tolerance).is_err());
        let path = Csr::from_edges(3, [(0, 1, 1.0), (1, 2, 1.0)]);
        let one_step = PageRankOptions {
            max_iterations: 1,
            ..Default::default()
        };
        let err = pagerank(&path, &one_step).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PageRank did not converge in 1 iterations (tolerance 1e-6)"
        );
    }

    #[test]
    fn empty_graph_gives_no_scores() {
        let result = pagerank(&Csr::default(), &PageRankOptions::default()).unwrap();
        assert!(result.scores.is_empty());
    }
}
