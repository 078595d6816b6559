//! Degree and weighted degree (strength).

use crate::graph::{Csr, NodeId};

/// The number of edges at each node; a self-loop counts twice.
///
/// Matches `networkx.Graph.degree`. O(n log d) (a binary search per row for
/// the self-loop).
pub fn degree(g: &Csr) -> Vec<f64> {
    (0..g.node_count() as NodeId)
        .map(|u| {
            let (targets, _) = g.neighbours(u);
            let self_loop = targets.binary_search(&u).is_ok();
            (targets.len() + usize::from(self_loop)) as f64
        })
        .collect()
}

/// The sum of edge weights at each node; a self-loop counts twice.
///
/// Matches `networkx.Graph.degree(weight="weight")` (the strength). O(n):
/// the [`Csr`] keeps it.
pub fn weighted_degree(g: &Csr) -> Vec<f64> {
    g.strengths().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_loop_counts_twice() {
        let g = Csr::from_edges(3, [(0, 1, 2.0), (1, 1, 0.5), (1, 2, 1.0)]);
        assert_eq!(degree(&g), vec![1.0, 4.0, 1.0]);
        assert_eq!(weighted_degree(&g), vec![2.0, 4.0, 1.0]);
        assert!(degree(&Csr::default()).is_empty());
    }
}
