//! Partition quality: modularity (Newman 2006, with a resolution) and the
//! Constant Potts Model (Traag, Van Dooren & Nesterov 2011).

use crate::graph::Csr;

use super::renumber;

/// Per community: the weight of its internal edges (self-loops once) and
/// the sum of its nodes' strengths, plus the community sizes.
struct CommunityTotals {
    internal_weight: Vec<f64>,
    strength: Vec<f64>,
    size: Vec<f64>,
}

fn community_totals(g: &Csr, membership: &[u32]) -> CommunityTotals {
    assert_eq!(
        membership.len(),
        g.node_count(),
        "membership has {} entries for {} nodes",
        membership.len(),
        g.node_count()
    );
    let mut labels = membership.to_vec();
    let count = renumber(&mut labels);
    let mut totals = CommunityTotals {
        internal_weight: vec![0.0; count],
        strength: vec![0.0; count],
        size: vec![0.0; count],
    };
    for (u, v, w) in g.edges() {
        let c = labels[u as usize];
        if c == labels[v as usize] {
            totals.internal_weight[c as usize] += w;
        }
    }
    for (u, &c) in labels.iter().enumerate() {
        totals.strength[c as usize] += g.strength(u as u32);
        totals.size[c as usize] += 1.0;
    }
    totals
}

/// Modularity of a partition with resolution `γ`, as
/// `networkx.community.modularity(G, communities, resolution=γ)`:
///
/// `Q = Σ_c [ L_c / m − γ (K_c / 2m)² ]`
///
/// where `L_c` is the weight of the edges inside community `c` (self-loops
/// once), `K_c` the sum of its nodes' strengths (self-loops twice) and `m`
/// the total edge weight. Labels are arbitrary. NaN when `m` is 0.
/// O(n + m).
///
/// # Panics
/// If `membership.len()` differs from the node count.
pub fn modularity(g: &Csr, membership: &[u32], resolution: f64) -> f64 {
    let totals = community_totals(g, membership);
    let m = g.total_weight();
    totals
        .internal_weight
        .iter()
        .zip(&totals.strength)
        .map(|(&inside, &strength)| inside / m - resolution * (strength / (2.0 * m)).powi(2))
        .sum()
}

/// Constant Potts Model quality with resolution `γ`:
///
/// `H = Σ_c [ L_c − γ n_c (n_c − 1) / 2 ]`
///
/// where `L_c` is the weight of the edges inside community `c` and `n_c` its
/// number of nodes (Traag, Van Dooren & Nesterov 2011). leidenalg's
/// `CPMVertexPartition.quality()` reports twice this value on undirected
/// graphs. O(n + m).
///
/// # Panics
/// If `membership.len()` differs from the node count.
pub fn cpm_quality(g: &Csr, membership: &[u32], resolution: f64) -> f64 {
    let totals = community_totals(g, membership);
    totals
        .internal_weight
        .iter()
        .zip(&totals.size)
        .map(|(&inside, &size)| inside - resolution * size * (size - 1.0) / 2.0)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_triangles_joined_by_an_edge() {
        let g = super::super::two_triangles();
        // networkx: modularity(G, [{0,1,2},{3,4,5}]) == 0.35714285714285715
        let q = modularity(&g, &[0, 0, 0, 1, 1, 1], 1.0);
        assert!((q - 0.357_142_857_142_857_15).abs() < 1e-12);
        assert!(modularity(&g, &[4, 4, 4, 4, 4, 4], 1.0).abs() < 1e-12);
        assert_eq!(cpm_quality(&g, &[0, 0, 0, 1, 1, 1], 0.5), 6.0 - 0.5 * 6.0);
    }

    #[test]
    fn self_loops_count_once_inside_and_twice_in_strength() {
        let g = Csr::from_edges(2, [(0, 0, 1.0), (0, 1, 1.0)]);
        // m = 2, one community: L = 2, K = 4 → 2/2 − (4/4)² = 0
        assert!(modularity(&g, &[0, 0], 1.0).abs() < 1e-12);
        // apart: L_0 = 1, K_0 = 3, K_1 = 1 → 1/2 − 9/16 − 1/16 = −1/8
        assert!((modularity(&g, &[0, 1], 1.0) + 0.125).abs() < 1e-12);
    }

    #[test]
    fn no_edges_gives_nan() {
        let g = Csr::from_edges(2, []);
        assert!(modularity(&g, &[0, 1], 1.0).is_nan());
    }
}
