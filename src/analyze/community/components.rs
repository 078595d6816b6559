//! Connected components.

use crate::graph::Csr;

use super::Partition;

/// The connected components of `g`, numbered by their smallest node.
///
/// Iterative depth-first search. O(n + m).
pub fn components(g: &Csr) -> Partition {
    let n = g.node_count();
    let unvisited = u32::MAX;
    let mut membership = vec![unvisited; n];
    let mut stack = Vec::new();
    let mut count = 0u32;
    for start in 0..n as u32 {
        if membership[start as usize] != unvisited {
            continue;
        }
        membership[start as usize] = count;
        stack.push(start);
        while let Some(v) = stack.pop() {
            for &u in g.neighbours(v).0 {
                if membership[u as usize] == unvisited {
                    membership[u as usize] = count;
                    stack.push(u);
                }
            }
        }
        count += 1;
    }
    Partition {
        membership,
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
}
