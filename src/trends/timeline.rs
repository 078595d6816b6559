//! One partition per time window of a graph whose nodes have dates, each warm-started from the previous window's.
//!
//! Window `w`'s graph is the subgraph induced by the nodes dated in the
//! last [`SPAN`] windows up to `w` (a sliding window); undated nodes cannot
//! be placed in time and take no part. Sliding, not cumulative: with every
//! earlier article kept, two topics that fuse stay apart in the partition
//! (their old articles, never linked to each other, outnumber the new ones
//! that join them), and a topic that stops never leaves. Two windows per
//! partition keep one window of articles shared with the previous
//! partition, which is what trend identity and lineage compare.
//!
//! The induced subgraph of the whole collection's projection is used rather
//! than projecting each window's articles afresh: one projection serves all
//! windows. An article's strongest links are chosen among all articles, so a
//! window's graph can lack a link its own projection would have kept in
//! place of one to an article outside the window. Each window's Leiden run
//! starts from the previous window's partition ([`leiden_from`]), so
//! consecutive windows agree where nothing changed and the run is short.

use crate::analyze::community::{leiden_from, CommunityError, LeidenOptions};
use crate::graph::{Csr, NodeId};

/// Windows of articles in each window's partition.
pub const SPAN: usize = 2;

/// The partition of each window: `partitions[w][u]` is node `u`'s cluster
/// in window `w`, `None` when `u` is not in the window.
///
/// `window_of[u]` is the window of node `u`'s date (`None` when undated).
/// A window whose graph has no edge leaves each of its nodes alone.
/// Cost: one induced subgraph (O(m)) and one warm-started Leiden run per window.
pub fn window_partitions(
    graph: &Csr,
    window_of: &[Option<usize>],
    windows: usize,
    options: &LeidenOptions,
) -> Result<Vec<Vec<Option<u32>>>, CommunityError> {
    assert_eq!(window_of.len(), graph.node_count(), "one window per node");
    let mut partitions: Vec<Vec<Option<u32>>> = Vec::with_capacity(windows);
    for w in 0..windows {
        let present = |u: usize| window_of[u].is_some_and(|aw| aw <= w && aw + SPAN > w);
        let (sub, nodes) = induced(graph, present);
        let initial: Vec<Option<u32>> = match partitions.last() {
            Some(previous) => nodes.iter().map(|&u| previous[u as usize]).collect(),
            None => vec![None; nodes.len()],
        };
        let membership: Vec<u32> = if sub.edge_count() == 0 {
            (0..nodes.len() as u32).collect()
        } else {
            leiden_from(&sub, options, Some(&initial))?
                .partition
                .membership
        };
        let mut partition = vec![None; graph.node_count()];
        for (local, &u) in nodes.iter().enumerate() {
            partition[u as usize] = Some(membership[local]);
        }
        partitions.push(partition);
    }
    Ok(partitions)
}

/// The subgraph on the nodes where `keep` holds, and its nodes' ids in `graph`.
fn induced(graph: &Csr, keep: impl Fn(usize) -> bool) -> (Csr, Vec<NodeId>) {
    let nodes: Vec<NodeId> = (0..graph.node_count())
        .filter(|&u| keep(u))
        .map(|u| u as NodeId)
        .collect();
    let mut local = vec![NodeId::MAX; graph.node_count()];
    for (i, &u) in nodes.iter().enumerate() {
        local[u as usize] = i as NodeId;
    }
    let edges = graph.edges().filter_map(|(u, v, w)| {
        let (a, b) = (local[u as usize], local[v as usize]);
        (a != NodeId::MAX && b != NodeId::MAX).then_some((a, b, w))
    });
    (Csr::from_edges(nodes.len(), edges), nodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trends::lineage::{trace, EventKind};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Groups A and B, 15 new articles each per window; from window 4 on,
    /// 30 new articles per window link to both and to each other: the
    /// topics fuse.
    #[test]
    fn a_planted_merge_is_seen_in_its_window() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut window_of = Vec::new();
        let mut group = Vec::new();
        for w in 0..7 {
            for g in 0..2u32 {
                for _ in 0..15 {
                    window_of.push(Some(w));
                    group.push(if w >= 4 { 2 } else { g });
                }
            }
        }
        let n = window_of.len();
        let mut edges = Vec::new();
        for u in 0..n {
            for v in u + 1..n {
                let (gu, gv) = (group[u], group[v]);
                let p = match (gu, gv) {
                    (a, b) if a == b => 0.6,
                    (2, _) | (_, 2) => 0.3,
                    _ => 0.005,
                };
                if rng.random_bool(p) {
                    edges.push((u as u32, v as u32, 1.0));
                }
            }
        }
        let graph = Csr::from_edges(n, edges);
        let partitions =
            window_partitions(&graph, &window_of, 7, &LeidenOptions::default()).unwrap();
        let lineage = trace(&partitions, &window_of, &[], 0);
        let merges: Vec<_> = lineage
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Merge)
            .map(|e| (e.window, e.from.clone()))
            .collect();
        // Window 4 still holds window 3's separate articles; window 5 is
        // the first of joined articles only.
        assert_eq!(merges, vec![(5, vec![0, 1])], "{:?}", lineage.events);
        assert_ne!(lineage.trend_at[3][90], lineage.trend_at[3][105]);
    }

    #[test]
    fn windows_without_edges_leave_nodes_alone() {
        let graph = Csr::from_edges(4, [(2, 3, 1.0)]);
        let window_of = [Some(0), Some(0), Some(1), Some(1)];
        let partitions =
            window_partitions(&graph, &window_of, 2, &LeidenOptions::default()).unwrap();
        assert_eq!(partitions[0], vec![Some(0), Some(1), None, None]);
        assert_eq!(partitions[1][2], partitions[1][3]);
    }
}
