//! k-core decomposition (core numbers).

use crate::graph::{Csr, NodeId};

/// The core number of each node: the largest `k` such that the node belongs
/// to a subgraph in which every node has degree at least `k`.
///
/// Batagelj & Zaversnik, "An O(m) Algorithm for Cores Decomposition of
/// Networks" (2003): nodes bucketed by degree, peeled in order of current
/// degree. O(n + m). Weights are ignored.
///
/// Matches `networkx.core_number` on the graph without its self-loops
/// (networkx refuses graphs with self-loops; here they are ignored, so a
/// self-loop never raises a core number).
pub fn core_number(g: &Csr) -> Vec<u32> {
    let n = g.node_count();
    let mut degree: Vec<usize> = (0..n as NodeId)
        .map(|u| g.neighbours(u).0.iter().filter(|&&v| v != u).count())
        .collect();
    let max_degree = degree.iter().copied().max().unwrap_or(0);

    // Counting sort by degree: `order` lists nodes by current degree,
    // `bucket_start[d]` is where degree `d` begins, `position[u]` is where `u` is.
    let mut bucket_start = vec![0usize; max_degree + 2];
    for &d in &degree {
        bucket_start[d + 1] += 1;
    }
    for d in 0..=max_degree {
        bucket_start[d + 1] += bucket_start[d];
    }
    let mut order = vec![0 as NodeId; n];
    let mut position = vec![0usize; n];
    let mut next_slot = bucket_start.clone();
    for u in 0..n {
        let slot = next_slot[degree[u]];
        next_slot[degree[u]] += 1;
        order[slot] = u as NodeId;
        position[u] = slot;
    }

    for i in 0..n {
        let u = order[i];
        let (neighbours, _) = g.neighbours(u);
        for &v in neighbours {
            let (u_deg, v_deg) = (degree[u as usize], degree[v as usize]);
            if v_deg > u_deg {
                // Move v to the front of its bucket, then shrink the bucket
                // by one so v falls into the bucket below.
                let front = bucket_start[v_deg];
                let front_node = order[front];
                if front_node != v {
                    order.swap(front, position[v as usize]);
                    position[front_node as usize] = position[v as usize];
                    position[v as usize] = front;
                }
                bucket_start[v_deg] += 1;
                degree[v as usize] -= 1;
            }
        }
    }
    degree.into_iter().map(|d| d as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_with_tail_and_self_loop() {
        // Triangle 0-1-2, tail 2-3-4, self-loop on 4, isolated 5.
        let g = Csr::from_edges(
            6,
            [
                (0, 1, 1.0),
                (1, 2, 1.0),
                (0, 2, 1.0),
                (2, 3, 1.0),
                (3, 4, 1.0),
                (4, 4, 1.0),
            ],
        );
        assert_eq!(core_number(&g), vec![2, 2, 2, 1, 1, 0]);
        assert!(core_number(&Csr::default()).is_empty());
    }
}
