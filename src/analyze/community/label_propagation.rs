//! Asynchronous label propagation (Raghavan, Albert & Kumara 2007, "Near
//! linear time algorithm to detect community structures in large-scale
//! networks").

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::graph::Csr;

use super::aggregate::{prefetch_rows, shuffled_nodes};
use super::components::connected_parts;
use super::Partition;

/// Safety net against label oscillation on adversarial weighted graphs; real
/// graphs settle in a few dozen sweeps.
const MAX_SWEEPS: usize = 1000;

/// Communities by asynchronous label propagation.
///
/// Every node starts with its own label. Each sweep visits the nodes in a new
/// seeded random order and gives each the label with the largest total edge
/// weight among its neighbours (self-loops do not vote), ties broken
/// uniformly at random. A node whose label is already one of the heaviest
/// keeps it, so the search ends after the first sweep that changes no label:
/// then every node carries a label of maximal weight among its neighbours, the
/// stopping rule of Raghavan et al. 2007. Asynchronous updates can leave one
/// label on groups of nodes that are not connected to each other; each such
/// group becomes a community of its own, so communities are connected.
///
/// O(m) per sweep; the number of sweeps is small in practice.
pub fn label_propagation(g: &Csr, seed: u64) -> Partition {
    let n = g.node_count();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut labels: Vec<u32> = (0..n as u32).collect();
    let mut weight = vec![0.0f64; n];
    let mut seen = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut order = shuffled_nodes(n, &mut rng);
    // A node none of whose neighbours changed label since it was last
    // visited would keep its label (without drawing a random number), so
    // only these "dirty" nodes are visited; the result is the same.
    let mut dirty = vec![true; n];

    for sweep in 0..MAX_SWEEPS {
        if sweep > 0 {
            rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
        }
        let mut changes = 0usize;
        for (position, &v) in order.iter().enumerate() {
            if !dirty[v as usize] {
                continue;
            }
            let ahead = |k| order.get(position + k).copied();
            prefetch_rows(g.offsets(), g.targets(), g.weights(), &ahead);
            dirty[v as usize] = false;
            let (ts, ws) = g.neighbours(v);
            for (&u, &w) in ts.iter().zip(ws) {
                if u == v {
                    continue;
                }
                let label = labels[u as usize];
                if !seen[label as usize] {
                    seen[label as usize] = true;
                    touched.push(label);
                }
                weight[label as usize] += w;
            }
            if touched.is_empty() {
                continue;
            }

            let own = labels[v as usize];
            let max = touched
                .iter()
                .map(|&l| weight[l as usize])
                .fold(f64::NEG_INFINITY, f64::max);
            if weight[own as usize] != max {
                // Reservoir sampling: the k-th tie replaces the pick with
                // probability 1/k.
                let mut ties = 0u32;
                let mut pick = own;
                for &l in &touched {
                    if weight[l as usize] == max {
                        ties += 1;
                        if ties == 1 || rng.random_range(0..ties) == 0 {
                            pick = l;
                        }
                    }
                }
                labels[v as usize] = pick;
                changes += 1;
                for &u in ts {
                    dirty[u as usize] = true;
                }
            }
            for &l in &touched {
                weight[l as usize] = 0.0;
                seen[l as usize] = false;
            }
            touched.clear();
        }
        if changes == 0 {
            break;
        }
    }
    connected_parts(n, |u| g.neighbours(u).0, &labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_cliques_joined_by_one_edge_get_two_labels() {
        let mut edges = Vec::new();
        for base in [0u32, 5] {
            for i in 0..5 {
                for j in i + 1..5 {
                    edges.push((base + i, base + j, 1.0));
                }
            }
        }
        edges.push((4, 5, 1.0));
        let g = Csr::from_edges(10, edges);
        for seed in 0..10 {
            let p = label_propagation(&g, seed);
            assert_eq!(
                p.membership,
                vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
                "seed {seed}"
            );
        }
    }

    #[test]
    fn isolated_nodes_keep_their_own_label() {
        let g = Csr::from_edges(3, [(0, 1, 1.0)]);
        let p = label_propagation(&g, 1);
        assert_eq!(p.membership[2], 1);
        assert_eq!(p.count, 2);
    }
}
