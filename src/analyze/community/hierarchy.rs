//! Hierarchical clustering by splitting communities that are too large again
//! on their induced subgraphs, as graspologic's `hierarchical_leiden` does.

use rayon::prelude::*;

use crate::graph::Csr;

use super::{
    check_graph, label_propagation, leiden, louvain, mix_seed, CommunityError, LeidenOptions,
    LouvainOptions, Partition,
};

/// A flat clustering algorithm to run at each level of [`hierarchical()`].
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// [`louvain()`], keeping its coarsest level.
    Louvain(LouvainOptions),
    /// [`leiden()`], keeping its coarsest level.
    Leiden(LeidenOptions),
    /// [`label_propagation()`].
    LabelPropagation {
        /// Seed of the random visiting order.
        seed: u64,
    },
}

impl Method {
    /// Clusters the whole of `g`; costs what the method costs.
    pub fn run(&self, g: &Csr) -> Result<Partition, CommunityError> {
        match self {
            Method::Louvain(options) => Ok(louvain(g, options)?.best().clone()),
            Method::Leiden(options) => Ok(leiden(g, options)?.partition),
            Method::LabelPropagation { seed } => {
                check_graph(g)?;
                Ok(label_propagation(g, *seed))
            }
        }
    }

    fn seed(&self) -> u64 {
        match self {
            Method::Louvain(options) => options.seed,
            Method::Leiden(options) => options.seed,
            Method::LabelPropagation { seed } => *seed,
        }
    }

    fn with_seed(&self, seed: u64) -> Method {
        match self {
            Method::Louvain(options) => Method::Louvain(LouvainOptions {
                seed,
                ..options.clone()
            }),
            Method::Leiden(options) => Method::Leiden(LeidenOptions {
                seed,
                ..options.clone()
            }),
            Method::LabelPropagation { .. } => Method::LabelPropagation { seed },
        }
    }
}

/// Splits every community of `partition` with more than `max_size` nodes by
/// running `method` on its induced subgraph; smaller communities are kept.
///
/// The result refines `partition`. Each split runs with a seed derived from
/// the method's seed and the community's first node, and the splits run in
/// parallel (rayon) with the same result for any thread count. A community
/// whose subgraph has no edge weight is kept whole. O(n + m) plus the
/// method's cost on each large community.
pub fn split_large(
    g: &Csr,
    partition: &Partition,
    max_size: usize,
    method: &Method,
) -> Result<Partition, CommunityError> {
    check_graph(g)?;
    if max_size == 0 {
        return Err(CommunityError::InvalidMaxSize);
    }
    assert_eq!(
        partition.membership.len(),
        g.node_count(),
        "partition of {} nodes for a graph of {}",
        partition.membership.len(),
        g.node_count()
    );
    let communities = partition.communities();
    let large: Vec<usize> = (0..communities.len())
        .filter(|&c| communities[c].len() > max_size)
        .collect();
    if large.is_empty() {
        return Ok(partition.clone());
    }

    // Position of each node within its community: its id in the subgraph.
    let mut local_id = vec![0u32; g.node_count()];
    for members in &communities {
        for (i, &u) in members.iter().enumerate() {
            local_id[u as usize] = i as u32;
        }
    }
    let membership = &partition.membership;
    let local_id = &local_id;
    let splits: Vec<Option<Partition>> = large
        .par_iter()
        .map(|&c| {
            let members = &communities[c];
            let edges = members.iter().flat_map(|&u| {
                let (ts, ws) = g.neighbours(u);
                ts.iter()
                    .zip(ws)
                    .filter(move |&(&v, _)| u <= v && membership[v as usize] == c as u32)
                    .map(move |(&v, &w)| (local_id[u as usize], local_id[v as usize], w))
            });
            let subgraph = Csr::from_edges(members.len(), edges);
            if subgraph.total_weight() <= 0.0 {
                return Ok(None);
            }
            let seed = mix_seed(&[method.seed(), u64::from(members[0])]);
            method.with_seed(seed).run(&subgraph).map(Some)
        })
        .collect::<Result<_, _>>()?;

    // Split communities take fresh labels after the kept ones; renumbering
    // then orders everything by first node.
    let mut labels = membership.clone();
    let mut next_label = partition.count as u32;
    for (&c, split) in large.iter().zip(&splits) {
        let Some(split) = split else { continue };
        for (&u, &sub) in communities[c].iter().zip(&split.membership) {
            labels[u as usize] = next_label + sub;
        }
        next_label += split.count as u32;
    }
    Ok(Partition::from_membership(labels))
}

/// A hierarchy of ever finer partitions: level 0 is `method` on the whole
/// graph, and each further level splits the communities of the previous one
/// that have more than `max_size` nodes ([`split_large()`]), carrying the
/// others over unchanged. Stops when no community is too large, when a level
/// changes nothing, or after `max_levels` levels.
///
/// Cost: one run of `method` on the graph per level, at most, since the
/// split communities are disjoint.
pub fn hierarchical(
    g: &Csr,
    method: &Method,
    max_size: usize,
    max_levels: usize,
) -> Result<Vec<Partition>, CommunityError> {
    if max_size == 0 {
        return Err(CommunityError::InvalidMaxSize);
    }
    if max_levels == 0 {
        return Err(CommunityError::InvalidMaxLevels);
    }
    let mut levels = vec![method.run(g)?];
    while levels.len() < max_levels {
        let last = levels.last().expect("level 0 exists");
        let next = split_large(g, last, max_size, method)?;
        if next.count == last.count {
            break;
        }
        levels.push(next);
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two groups of two 4-cliques; cliques in a group share two edges, the
    /// groups share one.
    fn nested_cliques() -> Csr {
        let mut edges = Vec::new();
        for k in 0..4u32 {
            let base = 4 * k;
            for i in 0..4 {
                for j in i + 1..4 {
                    edges.push((base + i, base + j, 1.0));
                }
            }
        }
        edges.extend([(0, 4, 1.0), (1, 5, 1.0), (8, 12, 1.0), (9, 13, 1.0)]);
        edges.push((3, 11, 1.0));
        Csr::from_edges(16, edges)
    }

    #[test]
    fn large_communities_are_split_and_small_ones_kept() {
        let g = nested_cliques();
        let whole = Partition {
            membership: vec![0; 8].into_iter().chain(vec![1; 8]).collect(),
            count: 2,
        };
        let method = Method::Leiden(LeidenOptions::default());
        let split = split_large(&g, &whole, 7, &method).unwrap();
        assert_eq!(split.count, 4);
        for c in 0..4 {
            let first = split.membership[4 * c];
            assert!(split.membership[4 * c..4 * c + 4]
                .iter()
                .all(|&x| x == first));
        }
        assert_eq!(split_large(&g, &whole, 8, &method).unwrap(), whole);
    }

    #[test]
    fn levels_refine_each_other() {
        let g = nested_cliques();
        // At resolution 0.5 the two groups beat the four cliques, on the
        // whole graph; within a group the two cliques win.
        let method = Method::Louvain(LouvainOptions {
            resolution: 0.5,
            ..LouvainOptions::default()
        });
        let levels = hierarchical(&g, &method, 7, 5).unwrap();
        assert_eq!(levels.iter().map(|p| p.count).collect::<Vec<_>>(), [2, 4]);
        for pair in levels.windows(2) {
            let (coarse, fine) = (&pair[0], &pair[1]);
            assert!(fine.count > coarse.count);
            for u in 0..16 {
                for v in 0..16 {
                    if fine.membership[u] == fine.membership[v] {
                        assert_eq!(coarse.membership[u], coarse.membership[v]);
                    }
                }
            }
        }
        assert!(matches!(
            hierarchical(&g, &method, 0, 5),
            Err(CommunityError::InvalidMaxSize)
        ));
    }
}
