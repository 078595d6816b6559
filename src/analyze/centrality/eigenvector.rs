//! Eigenvector centrality by power iteration.

use super::{check_iterative, chunked_sum, CentralityError, NODE_CHUNK};
use crate::graph::Csr;
use rayon::prelude::*;

/// Options for [`eigenvector`]; the defaults are networkx's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EigenvectorOptions {
    /// Stop when the L1 change of the (unit-norm) score vector is below
    /// `node_count * tolerance` (networkx's test).
    pub tolerance: f64,
    /// Give up (with an error) after this many iterations.
    pub max_iterations: usize,
    /// Use edge weights as the adjacency matrix entries rather than 1.
    pub weighted: bool,
}

impl Default for EigenvectorOptions {
    fn default() -> Self {
        EigenvectorOptions {
            tolerance: 1e-6,
            max_iterations: 100,
            weighted: true,
        }
    }
}

/// Eigenvector scores (Euclidean norm 1, non-negative) and the number of
/// iterations they took.
#[derive(Debug, Clone, PartialEq)]
pub struct Eigenvector {
    /// One score per node (unit length).
    pub scores: Vec<f64>,
    /// Power iterations taken.
    pub iterations: usize,
}

/// Eigenvector centrality (Bonacich 1987): the leading eigenvector of the
/// adjacency matrix `A`.
///
/// Matches `networkx.eigenvector_centrality(G, max_iter=max_iterations,
/// tol=tolerance, weight="weight" or None)`: start from the uniform vector
/// `1/n`, repeat `x <- (A + I) x` and scale `x` to Euclidean norm 1 (the
/// shift by `I` keeps bipartite graphs from oscillating, and does not change
/// the eigenvector), until the L1 change is below `n * tolerance`. A
/// self-loop is one diagonal entry of `A`. With non-negative weights the
/// scores stay non-negative, so no sign flip is needed.
///
/// On a disconnected graph the iteration converges towards the eigenvector
/// of the component with the largest leading eigenvalue, the other
/// components' scores shrinking towards 0 at a rate set by the eigenvalue
/// gap; so the result is whatever networkx gives after the same number of
/// iterations, and may be [`CentralityError::NotConverged`] when two
/// components have (nearly) the same leading eigenvalue. Run it per
/// component for meaningful scores there.
///
/// O(iterations * (n + m)), each iteration parallel over the CSR rows.
///
/// # Errors
/// [`CentralityError::NotConverged`] after `max_iterations`;
/// `InvalidTolerance` or `InvalidWeight` (negative or non-finite, when
/// weighted) for bad input.
pub fn eigenvector(g: &Csr, options: &EigenvectorOptions) -> Result<Eigenvector, CentralityError> {
    let weighted = check_iterative(g, options.tolerance, options.weighted)?;
    let n = g.node_count();
    if n == 0 {
        return Ok(Eigenvector {
            scores: Vec::new(),
            iterations: 0,
        });
    }
    let offsets = g.offsets();
    let targets = g.targets();
    let weights = g.weights();

    let mut scores = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    let mut squares = vec![0.0; n];
    let mut changes = vec![0.0; n];
    for iteration in 1..=options.max_iterations {
        next.par_chunks_mut(NODE_CHUNK)
            .zip(squares.par_chunks_mut(NODE_CHUNK))
            .enumerate()
            .for_each(|(chunk, (chunk_next, chunk_squares))| {
                let first = chunk * NODE_CHUNK;
                for (i, (value, square)) in chunk_next.iter_mut().zip(chunk_squares).enumerate() {
                    let v = first + i;
                    let row = offsets[v]..offsets[v + 1];
                    let pulled: f64 = if weighted {
                        targets[row.clone()]
                            .iter()
                            .zip(&weights[row])
                            .map(|(&u, &w)| scores[u as usize] * w)
                            .sum()
                    } else {
                        targets[row].iter().map(|&u| scores[u as usize]).sum()
                    };
                    *value = scores[v] + pulled;
                    *square = *value * *value;
                }
            });
        let norm = chunked_sum(&squares).sqrt();
        let scale = if norm == 0.0 { 1.0 } else { 1.0 / norm };
        next.par_iter_mut()
            .zip(changes.par_iter_mut())
            .zip(scores.par_iter())
            .for_each(|((value, change), &old)| {
                *value *= scale;
                *change = (*value - old).abs();
            });
        std::mem::swap(&mut scores, &mut next);
        if chunked_sum(&changes) < n as f64 * options.tolerance {
            return Ok(Eigenvector {
                scores,
                iterations: iteration,
            });
        }
    }
    Err(CentralityError::NotConverged {
        algorithm: "eigenvector centrality",
        iterations: options.max_iterations,
        tolerance: options.tolerance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_centre_has_the_closed_form_score() {
        // Star K_{1,4}: leading eigenvector (2, 1, 1, 1, 1) / sqrt(8).
        let g = Csr::from_edges(5, [(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (0, 4, 1.0)]);
        let options = EigenvectorOptions {
            tolerance: 1e-12,
            max_iterations: 1000,
            ..Default::default()
        };
        let result = eigenvector(&g, &options).unwrap();
        let expected = [2.0, 1.0, 1.0, 1.0, 1.0].map(|x: f64| x / 8f64.sqrt());
        for (got, want) in result.scores.iter().zip(expected) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
    }

    #[test]
    fn edgeless_and_empty_graphs() {
        let g = Csr::from_edges(4, []);
        let result = eigenvector(&g, &EigenvectorOptions::default()).unwrap();
        assert_eq!(result.scores, vec![0.5; 4]);
        assert!(eigenvector(&Csr::default(), &EigenvectorOptions::default())
            .unwrap()
            .scores
            .is_empty());
    }
}
