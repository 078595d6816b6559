//! Connected components, and the connected parts of communities.

use crate::graph::Csr;

use super::Partition;

/// The connected components of `g`, numbered by their smallest node.
///
/// Iterative depth-first search. O(n + m).
pub fn components(g: &Csr) -> Partition {
    let n = g.node_count();
    connected_parts(n, |u| g.neighbours(u).0, &vec![0; n])
}

/// Splits every community of `membership` into its connected parts, numbered
/// by their smallest node. `neighbours(u)` lists the neighbours of `u`.
/// Iterative depth-first search. O(n + m).
pub(super) fn connected_parts<'g>(
    node_count: usize,
    neighbours: impl Fn(u32) -> &'g [u32],
    membership: &[u32],
) -> Partition {
    let unvisited = u32::MAX;
    let mut part = vec![unvisited; node_count];
    let mut stack = Vec::new();
    let mut count = 0u32;
    for start in 0..node_count as u32 {
        if part[start as usize] != unvisited {
            continue;
        }
        part[start as usize] = count;
        stack.push(start);
        while let Some(v) = stack.pop() {
            for &u in neighbours(v) {
                if part[u as usize] == unvisited && membership[u as usize] == membership[v as usize]
                {
                    part[u as usize] = count;
                    stack.push(u);
                }
            }
        }
        count += 1;
    }
    Partition {
        membership: part,
        count: count as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_components_by_smallest_node() {
        let g = Csr::from_edges(6, [(4, 1, 1.0), (1, 0, 1.0), (2, 5, 1.0), (3, 3, 1.0)]);
        let p = components(&g);
        assert_eq!(p.membership, vec![0, 0, 1, 2, 0, 1]);
        assert_eq!(p.count, 3);
    }

    #[test]
    fn splits_communities_into_connected_parts() {
        // A path 0-1-2-3 with 0 and 3 in one community, 1 and 2 in another.
        let g = Csr::from_edges(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)]);
        let parts = connected_parts(4, |u| g.neighbours(u).0, &[7, 8, 8, 7]);
        assert_eq!(parts.membership, vec![0, 1, 1, 2]);
        assert_eq!(parts.count, 3);
    }
}
