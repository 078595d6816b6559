//! Compressed sparse row adjacency: the one graph layout every analyzer reads.
//!
//! An undirected weighted graph on nodes `0..n`. Each edge `{u, v}` with
//! `u != v` appears twice (in the rows of `u` and of `v`); a self-loop appears
//! once, in its node's row. Parallel edges are merged by summing their weights,
//! and every row is sorted by target, so the same edges in any order give the
//! same layout and the same results.
//!
//! Conventions follow networkx: the strength (weighted degree) of a node counts
//! a self-loop twice, and [`Csr::total_weight`] is the sum of all edge weights
//! (self-loops once), the `m` of the modularity formula.

/// A node index into a [`Csr`].
pub type NodeId = u32;

/// An undirected weighted graph in compressed sparse row form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csr {
    offsets: Vec<usize>,
    targets: Vec<NodeId>,
    weights: Vec<f64>,
    strengths: Vec<f64>,
    edge_count: usize,
    total_weight: f64,
    weighted: bool,
}

impl Csr {
    /// Builds the graph on `node_count` nodes from undirected edges.
    ///
    /// Parallel edges are merged (weights summed, smallest first, so their
    /// order does not matter); edges are symmetric, so `(u, v)` and `(v, u)`
    /// are the same edge. The arcs are placed by a counting sort on their
    /// source and each row is sorted by target: O(n + m + Σ d log d) for
    /// degrees `d`.
    ///
    /// # Panics
    /// If an endpoint is `>= node_count`. Callers map their own ids first.
    pub fn from_edges(
        node_count: usize,
        edges: impl IntoIterator<Item = (NodeId, NodeId, f64)>,
    ) -> Csr {
        let edges: Vec<(NodeId, NodeId, f64)> = edges.into_iter().collect();
        let mut row_start = vec![0usize; node_count + 1];
        for &(u, v, _) in &edges {
            assert!(
                (u as usize) < node_count && (v as usize) < node_count,
                "edge ({u}, {v}) outside 0..{node_count}"
            );
            row_start[u as usize + 1] += 1;
            if u != v {
                row_start[v as usize + 1] += 1;
            }
        }
        for i in 0..node_count {
            row_start[i + 1] += row_start[i];
        }
        let mut arcs: Vec<(NodeId, f64)> = vec![(0, 0.0); row_start[node_count]];
        let mut next = row_start.clone();
        for (u, v, w) in edges {
            arcs[next[u as usize]] = (v, w);
            next[u as usize] += 1;
            if u != v {
                arcs[next[v as usize]] = (u, w);
                next[v as usize] += 1;
            }
        }

        let mut offsets = vec![0usize; node_count + 1];
        let mut targets = Vec::with_capacity(arcs.len());
        let mut weights: Vec<f64> = Vec::with_capacity(arcs.len());
        for u in 0..node_count {
            let row = &mut arcs[row_start[u]..row_start[u + 1]];
            row.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            for &(v, w) in row.iter() {
                if targets.len() > offsets[u] && targets.last() == Some(&v) {
                    *weights.last_mut().expect("an arc was pushed") += w;
                } else {
                    targets.push(v);
                    weights.push(w);
                }
            }
            offsets[u + 1] = targets.len();
        }

        let mut strengths = vec![0.0; node_count];
        let mut edge_count = 0;
        let mut total_weight = 0.0;
        let mut weighted = false;
        for u in 0..node_count {
            for i in offsets[u]..offsets[u + 1] {
                let (v, w) = (targets[i] as usize, weights[i]);
                weighted |= w != 1.0;
                if v == u {
                    strengths[u] += 2.0 * w;
                    edge_count += 1;
                    total_weight += w;
                } else {
                    strengths[u] += w;
                    if u < v {
                        edge_count += 1;
                        total_weight += w;
                    }
                }
            }
        }
        Csr {
            offsets,
            targets,
            weights,
            strengths,
            edge_count,
            total_weight,
            weighted,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of undirected edges after merging, self-loops included.
    pub fn edge_count(&self) -> usize {
        self.edge_count
    }

    /// Sum of edge weights, each undirected edge and self-loop once.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// Whether any edge weight differs from 1.
    pub fn is_weighted(&self) -> bool {
        self.weighted
    }

    /// The neighbours of `u`, sorted, and the weights of the edges to them.
    #[inline]
    pub fn neighbours(&self, u: NodeId) -> (&[NodeId], &[f64]) {
        let range = self.offsets[u as usize]..self.offsets[u as usize + 1];
        (&self.targets[range.clone()], &self.weights[range])
    }

    /// The number of entries in the row of `u` (a self-loop counts once).
    #[inline]
    pub fn degree(&self, u: NodeId) -> usize {
        self.offsets[u as usize + 1] - self.offsets[u as usize]
    }

    /// Weighted degree of `u`; a self-loop counts twice.
    #[inline]
    pub fn strength(&self, u: NodeId) -> f64 {
        self.strengths[u as usize]
    }

    /// Weighted degrees of all nodes.
    pub fn strengths(&self) -> &[f64] {
        &self.strengths
    }

    /// Row offsets: the row of `u` is `offsets[u]..offsets[u + 1]` in
    /// [`Csr::targets`] and [`Csr::weights`].
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// Every row's targets, concatenated.
    pub fn targets(&self) -> &[NodeId] {
        &self.targets
    }

    /// Every row's weights, concatenated.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Each undirected edge once, as `(u, v, w)` with `u <= v`, in row order.
    pub fn edges(&self) -> impl Iterator<Item = (NodeId, NodeId, f64)> + '_ {
        (0..self.node_count() as NodeId).flat_map(move |u| {
            let (ts, ws) = self.neighbours(u);
            ts.iter()
                .zip(ws)
                .filter(move |(&v, _)| u <= v)
                .map(move |(&v, &w)| (u, v, w))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_parallel_edges_and_counts_loops_twice_in_strength() {
        let g = Csr::from_edges(3, [(0, 1, 1.0), (1, 0, 2.0), (2, 2, 0.5), (1, 2, 1.0)]);
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.neighbours(1), (&[0, 2][..], &[3.0, 1.0][..]));
        assert_eq!(g.strength(2), 2.0);
        assert_eq!(g.total_weight(), 4.5);
        assert!(g.is_weighted());
        assert_eq!(
            g.edges().collect::<Vec<_>>(),
            vec![(0, 1, 3.0), (1, 2, 1.0), (2, 2, 0.5)]
        );
    }

    #[test]
    fn same_edges_in_any_order_give_the_same_layout() {
        let a = Csr::from_edges(4, [(0, 1, 1.0), (2, 3, 1.0), (1, 2, 1.0)]);
        let b = Csr::from_edges(4, [(3, 2, 1.0), (1, 0, 1.0), (2, 1, 1.0)]);
        assert_eq!(a, b);
        assert!(!a.is_weighted());
    }

    #[test]
    fn isolated_nodes_have_empty_rows() {
        let g = Csr::from_edges(3, [(0, 1, 1.0)]);
        assert_eq!(g.degree(2), 0);
        assert_eq!(g.neighbours(2).0.len(), 0);
    }
}
