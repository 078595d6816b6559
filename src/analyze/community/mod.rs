//! Community detection over a [`crate::graph::Csr`].
//!
//! One file per algorithm:
//!
//! - [`louvain()`]: Blondel et al. 2008, a [`Hierarchy`] of ever coarser partitions;
//! - [`leiden()`]: Traag, Waltman & van Eck 2019, modularity or CPM, connected
//!   communities guaranteed;
//! - [`label_propagation()`]: Raghavan, Albert & Kumara 2007, asynchronous;
//! - [`components()`]: connected components;
//! - [`hierarchical()`] and [`split_large()`]: re-cluster the communities that
//!   are too large on their induced subgraphs;
//! - [`modularity()`], [`cpm_quality()`] and [`nmi()`] to score and compare
//!   partitions.
//!
//! Every randomized algorithm takes a seed and draws from one `ChaCha8Rng`, so
//! the same graph and seed give the same partition on any machine and with any
//! number of rayon threads. Communities are numbered by their first node
//! ([`Partition`]), so equal partitions compare equal.

mod aggregate;
mod components;
mod hierarchy;
mod label_propagation;
mod leiden;
mod louvain;
mod modularity;

use std::collections::HashMap;

use crate::graph::Csr;

pub use components::components;
pub use hierarchy::{hierarchical, split_large, Method};
pub use label_propagation::label_propagation;
pub use leiden::{leiden, leiden_from, LeidenOptions, LeidenResult, Objective};
pub use louvain::{louvain, Hierarchy, LouvainOptions};
pub use modularity::{cpm_quality, modularity};

/// Why a community detection call was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CommunityError {
    /// The graph has no nodes.
    #[error("the graph has no nodes")]
    EmptyGraph,
    /// The edges weigh 0 in total, so modularity is undefined.
    #[error("modularity is undefined on a graph whose edges weigh 0 in total")]
    NoEdgeWeight,
    /// The resolution is negative or not finite.
    #[error("resolution must be a finite number >= 0, got {0}")]
    InvalidResolution(f64),
    /// An edge weight is negative or not finite.
    #[error("edge ({u}, {v}) has weight {weight}; weights must be finite and >= 0")]
    InvalidWeight {
        /// One end node.
        u: u32,
        /// The other end node.
        v: u32,
        /// The weight.
        weight: f64,
    },
    /// Leiden's randomness is not positive and finite.
    #[error("randomness must be a finite number > 0, got {0}")]
    InvalidRandomness(f64),
    /// The tolerance is negative or not finite.
    #[error("tolerance must be a finite number >= 0, got {0}")]
    InvalidTolerance(f64),
    /// The maximum community size is 0.
    #[error("the maximum community size must be at least 1")]
    InvalidMaxSize,
    /// The iteration limit is 0.
    #[error("iterations must be at least 1 (or None to run until stable)")]
    InvalidIterations,
    /// The level limit is 0.
    #[error("the maximum number of levels must be at least 1")]
    InvalidMaxLevels,
}

/// A partition of the nodes `0..n` into `count` communities.
///
/// Communities are numbered `0..count` in the order of their first (smallest)
/// node, so two equal partitions have equal `membership` vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partition {
    /// The community of each node.
    pub membership: Vec<u32>,
    /// The number of communities.
    pub count: usize,
}

impl Partition {
    /// Renumbers arbitrary labels by order of first appearance. O(n).
    pub fn from_membership(mut membership: Vec<u32>) -> Partition {
        let count = renumber(&mut membership);
        Partition { membership, count }
    }

    /// Every node in its own community. O(n).
    pub fn singletons(node_count: usize) -> Partition {
        Partition {
            membership: (0..node_count as u32).collect(),
            count: node_count,
        }
    }

    /// The number of nodes in each community. O(n).
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.count];
        for &c in &self.membership {
            sizes[c as usize] += 1;
        }
        sizes
    }

    /// The nodes of each community, ascending. O(n).
    pub fn communities(&self) -> Vec<Vec<u32>> {
        let mut communities: Vec<Vec<u32>> =
            self.sizes().into_iter().map(Vec::with_capacity).collect();
        for (node, &c) in self.membership.iter().enumerate() {
            communities[c as usize].push(node as u32);
        }
        communities
    }
}

/// Renumbers labels in place by order of first appearance; returns how many
/// distinct labels there are. O(n), with a dense table when the labels are
/// small (always, inside this module) and a hash map otherwise.
pub(crate) fn renumber(labels: &mut [u32]) -> usize {
    const UNSEEN: u32 = u32::MAX;
    let max = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut count = 0u32;
    if max < 2 * labels.len() + 1024 {
        let mut new_label = vec![UNSEEN; max + 1];
        for label in labels.iter_mut() {
            let slot = &mut new_label[*label as usize];
            if *slot == UNSEEN {
                *slot = count;
                count += 1;
            }
            *label = *slot;
        }
    } else {
        let mut new_label = HashMap::new();
        for label in labels.iter_mut() {
            *label = *new_label.entry(*label).or_insert_with(|| {
                count += 1;
                count - 1
            });
        }
    }
    count as usize
}

/// Normalized mutual information of two partitions of the same nodes.
///
/// `2 I(A; B) / (H(A) + H(B))`, the arithmetic-mean normalization of Danon et
/// al. 2005, as igraph's `compare_communities(method="nmi")` and sklearn's
/// `normalized_mutual_info_score` (default). 1 when both partitions put every
/// node in one community. Labels are arbitrary. O(n log n).
///
/// # Panics
/// If `a` and `b` have different lengths.
pub fn nmi(a: &[u32], b: &[u32]) -> f64 {
    assert_eq!(a.len(), b.len(), "nmi: partitions of different lengths");
    let n = a.len() as f64;
    if a.is_empty() {
        return 1.0;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    let count_a = renumber(&mut a);
    let count_b = renumber(&mut b);

    let entropy = |labels: &[u32], count: usize| {
        let mut sizes = vec![0usize; count];
        for &l in labels {
            sizes[l as usize] += 1;
        }
        let sizes_f: Vec<f64> = sizes.iter().map(|&s| s as f64).collect();
        let h = -sizes_f.iter().map(|&s| s / n * (s / n).ln()).sum::<f64>();
        (h, sizes_f)
    };
    let (h_a, sizes_a) = entropy(&a, count_a);
    let (h_b, sizes_b) = entropy(&b, count_b);
    if h_a + h_b == 0.0 {
        return 1.0;
    }

    let mut pairs: Vec<u64> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| (u64::from(x) << 32) | u64::from(y))
        .collect();
    pairs.sort_unstable();
    let mut mutual_information = 0.0;
    for run in pairs.chunk_by(|x, y| x == y) {
        let (x, y) = ((run[0] >> 32) as usize, (run[0] & 0xffff_ffff) as usize);
        let joint = run.len() as f64;
        mutual_information += joint / n * (joint * n / (sizes_a[x] * sizes_b[y])).ln();
    }
    (2.0 * mutual_information / (h_a + h_b)).clamp(0.0, 1.0)
}

/// Refuses graphs no algorithm here can use: no nodes, or a negative or
/// non-finite edge weight.
pub(crate) fn check_graph(g: &Csr) -> Result<(), CommunityError> {
    if g.node_count() == 0 {
        return Err(CommunityError::EmptyGraph);
    }
    if let Some((u, v, weight)) = g.edges().find(|&(_, _, w)| !(w.is_finite() && w >= 0.0)) {
        return Err(CommunityError::InvalidWeight { u, v, weight });
    }
    Ok(())
}

pub(crate) fn check_resolution(resolution: f64) -> Result<(), CommunityError> {
    if resolution.is_finite() && resolution >= 0.0 {
        Ok(())
    } else {
        Err(CommunityError::InvalidResolution(resolution))
    }
}

/// A well-mixed 64-bit value from `parts` (splitmix64 steps), for deriving
/// independent seeds for sub-runs.
pub(crate) fn mix_seed(parts: &[u64]) -> u64 {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for &part in parts {
        state = state.wrapping_add(part).wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        state = z ^ (z >> 31);
    }
    state
}

/// Two triangles {0, 1, 2} and {3, 4, 5} joined by the edge 2–3: the
/// smallest graph with an obvious community structure, for unit tests.
#[cfg(test)]
fn two_triangles() -> Csr {
    Csr::from_edges(
        6,
        [
            (0, 1, 1.0),
            (1, 2, 1.0),
            (0, 2, 1.0),
            (3, 4, 1.0),
            (4, 5, 1.0),
            (3, 5, 1.0),
            (2, 3, 1.0),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_numbered_by_first_node() {
        let p = Partition::from_membership(vec![7, 7, 3, 9, 3]);
        assert_eq!(p.membership, vec![0, 0, 1, 2, 1]);
        assert_eq!(p.count, 3);
        assert_eq!(p.sizes(), vec![2, 2, 1]);
        assert_eq!(p.communities(), vec![vec![0, 1], vec![2, 4], vec![3]]);
        let big = Partition::from_membership(vec![u32::MAX - 1, 5, u32::MAX - 1]);
        assert_eq!(big.membership, vec![0, 1, 0]);
    }

    #[test]
    fn nmi_of_equal_partitions_is_one_and_of_independent_ones_is_zero() {
        assert!((nmi(&[0, 0, 1, 1], &[5, 5, 2, 2]) - 1.0).abs() < 1e-12);
        assert_eq!(nmi(&[0, 0, 0], &[1, 1, 1]), 1.0);
        assert!(nmi(&[0, 0, 1, 1], &[0, 1, 0, 1]).abs() < 1e-12);
        // igraph.compare_communities([0,0,0,1,1,1], [0,0,1,1,2,2], method="nmi")
        let expected = 0.515_803_742_979_388_8;
        assert!((nmi(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]) - expected).abs() < 1e-12);
    }

    #[test]
    fn refuses_bad_graphs() {
        assert_eq!(
            check_graph(&Csr::from_edges(0, [])),
            Err(CommunityError::EmptyGraph)
        );
        let negative = Csr::from_edges(2, [(0, 1, -1.0)]);
        assert!(matches!(
            check_graph(&negative),
            Err(CommunityError::InvalidWeight { .. })
        ));
        assert!(check_resolution(-0.5).is_err());
        assert!(check_resolution(f64::NAN).is_err());
        assert!(check_resolution(0.0).is_ok());
    }
}
