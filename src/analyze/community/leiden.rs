//! Leiden community detection (Traag, Waltman & van Eck 2019, "From Louvain
//! to Leiden: guaranteeing well-connected communities").

use std::collections::VecDeque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::graph::Csr;

use super::aggregate::{shuffled_nodes, NeighbourWeights, WorkGraph};
use super::components::connected_parts;
use super::{
    check_graph, check_resolution, cpm_quality, modularity, renumber, CommunityError, Partition,
};

/// The quality function [`leiden()`] maximises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Modularity with resolution `γ` ([`super::modularity()`]).
    Modularity,
    /// Constant Potts Model with resolution `γ` ([`super::cpm_quality()`]):
    /// communities denser than `γ` are favoured.
    Cpm,
}

impl Objective {
    /// Both objectives.
    pub const ALL: [Objective; 2] = [Objective::Modularity, Objective::Cpm];
}

/// Settings for [`leiden()`].
#[derive(Clone, Debug, PartialEq)]
pub struct LeidenOptions {
    /// What the partition optimises (default modularity).
    pub objective: Objective,
    /// Resolution `γ` of the objective.
    pub resolution: f64,
    /// Seed for node orders and the randomized refinement.
    pub seed: u64,
    /// How many times to run the algorithm, each run starting from the
    /// previous result; `None` repeats until a run changes nothing.
    pub iterations: Option<usize>,
    /// Randomness `θ` of the refinement: a node joins a community with
    /// probability proportional to `exp(gain / θ)`, the gain measured in
    /// edge-weight units (as igraph's `beta`).
    pub randomness: f64,
}

impl Default for LeidenOptions {
    fn default() -> LeidenOptions {
        LeidenOptions {
            objective: Objective::Modularity,
            resolution: 1.0,
            seed: 0,
            iterations: Some(2),
            randomness: 0.01,
        }
    }
}

/// What [`leiden()`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct LeidenResult {
    /// The communities found.
    pub partition: Partition,
    /// The objective's value for `partition` ([`super::modularity()`] or
    /// [`super::cpm_quality()`]).
    pub quality: f64,
    /// How many iterations ran.
    pub iterations: usize,
}

/// Leiden community detection.
///
/// Follows Traag, Waltman & van Eck 2019. Each level
/// 1. moves nodes with a queue ("fast local moving"): a node moves to the
///    neighbouring (or an empty) community with the best gain, and its
///    neighbours outside that community are queued again;
/// 2. refines each community: starting from singletons, nodes well connected
///    to their community merge, in seeded random order, into well-connected
///    sub-communities, picking among those with a non-negative gain with
///    probability `∝ exp(gain / θ)`;
/// 3. aggregates the refined partition, the unrefined one giving the
///    aggregate nodes their starting communities.
///
/// An iteration ends when local moving leaves every aggregate node in its
/// own community. Every community of the result is connected.
///
/// O(m) per pass over the graph; in practice about O(m log n) per iteration.
pub fn leiden(g: &Csr, options: &LeidenOptions) -> Result<LeidenResult, CommunityError> {
    leiden_from(g, options, None)
}

/// [`leiden()`] starting from a partition instead of singletons (a warm
/// start): `initial[u]` is node `u`'s community, `None` for a node of its
/// own (a node the earlier partition did not have). The first iteration's
/// local moving starts from it, so where little changed the result stays
/// close to it and the run is short. Labels need not be contiguous.
pub fn leiden_from(
    g: &Csr,
    options: &LeidenOptions,
    initial: Option<&[Option<u32>]>,
) -> Result<LeidenResult, CommunityError> {
    check_graph(g)?;
    check_resolution(options.resolution)?;
    if !(options.randomness.is_finite() && options.randomness > 0.0) {
        return Err(CommunityError::InvalidRandomness(options.randomness));
    }
    if options.iterations == Some(0) {
        return Err(CommunityError::InvalidIterations);
    }
    let (node_weights, scaled_resolution) = match options.objective {
        Objective::Modularity => {
            let m = g.total_weight();
            if m <= 0.0 {
                return Err(CommunityError::NoEdgeWeight);
            }
            (g.strengths().to_vec(), options.resolution / (2.0 * m))
        }
        Objective::Cpm => (vec![1.0; g.node_count()], options.resolution),
    };
    let graph = WorkGraph::from_csr(g, node_weights);
    let search = Search {
        scaled_resolution,
        randomness: options.randomness,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);

    let mut membership: Vec<u32> = match initial {
        Some(initial) => starting_membership(initial, g.node_count()),
        None => (0..g.node_count() as u32).collect(),
    };
    let mut iterations = 0;
    loop {
        let next = search.iterate(&graph, membership.clone(), &mut rng);
        iterations += 1;
        let changed = next != membership;
        membership = next;
        if !changed || options.iterations.is_some_and(|max| iterations >= max) {
            break;
        }
    }

    let quality = match options.objective {
        Objective::Modularity => modularity(g, &membership, options.resolution),
        Objective::Cpm => cpm_quality(g, &membership, options.resolution),
    };
    Ok(LeidenResult {
        partition: Partition::from_membership(membership),
        quality,
        iterations,
    })
}

/// Contiguous labels `0..k` for `initial`, in order of first appearance,
/// with every unlabelled node (and any node past the end) in its own community.
fn starting_membership(initial: &[Option<u32>], n: usize) -> Vec<u32> {
    let mut labels: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    let mut next = 0u32;
    (0..n)
        .map(|u| {
            let fresh = |next: &mut u32| {
                *next += 1;
                *next - 1
            };
            match initial.get(u).copied().flatten() {
                Some(l) => *labels.entry(l).or_insert_with(|| fresh(&mut next)),
                None => fresh(&mut next),
            }
        })
        .collect()
}

/// The parameters shared by every phase of one Leiden run.
struct Search {
    /// `γ / 2m` for modularity, `γ` for CPM.
    scaled_resolution: f64,
    randomness: f64,
}

impl Search {
    /// One Leiden iteration from `membership` (labels `< n`); returns the new
    /// membership, renumbered by first node.
    fn iterate(
        &self,
        base: &WorkGraph,
        mut membership: Vec<u32>,
        rng: &mut ChaCha8Rng,
    ) -> Vec<u32> {
        let mut aggregated: Option<WorkGraph> = None;
        // The aggregate node each original node belongs to.
        let mut aggregate_of: Vec<u32> = (0..base.node_count() as u32).collect();
        loop {
            let graph = aggregated.as_ref().unwrap_or(base);
            let n = graph.node_count();
            self.move_nodes_fast(graph, &mut membership, rng);
            let count = renumber(&mut membership);
            if count == n {
                break;
            }
            let mut refined = self.refine(graph, &membership, count, rng);
            let mut refined_count = renumber(&mut refined);
            if refined_count == n {
                // Nothing merged (possible only through zero gains): fall back
                // to the connected parts of each community, still connected.
                let parts = connected_parts(n, |u| graph.neighbours(u).0, &membership);
                (refined, refined_count) = (parts.membership, parts.count);
                if refined_count == n {
                    membership = refined;
                    break;
                }
            }
            let mut next_membership = vec![0u32; refined_count];
            for (node, &r) in refined.iter().enumerate() {
                next_membership[r as usize] = membership[node];
            }
            for a in aggregate_of.iter_mut() {
                *a = refined[*a as usize];
            }
            aggregated = Some(graph.aggregate(&refined, refined_count));
            membership = next_membership;
        }
        let mut result: Vec<u32> = aggregate_of
            .iter()
            .map(|&a| membership[a as usize])
            .collect();
        renumber(&mut result);
        result
    }

    /// Fast local moving: a queue of nodes, initially all in random order; a
    /// node that moves queues its neighbours outside its new community.
    fn move_nodes_fast(&self, graph: &WorkGraph, membership: &mut [u32], rng: &mut ChaCha8Rng) {
        let n = graph.node_count();
        let mut community_weight = vec![0.0; n];
        let mut community_size = vec![0u32; n];
        for (v, &c) in membership.iter().enumerate() {
            community_weight[c as usize] += graph.node_weights[v];
            community_size[c as usize] += 1;
        }
        let mut empty: Vec<u32> = (0..n as u32)
            .rev()
            .filter(|&c| community_size[c as usize] == 0)
            .collect();
        let mut queue: VecDeque<u32> = shuffled_nodes(n, rng).into();
        let mut queued = vec![true; n];
        let mut neighbours = NeighbourWeights::new(n);

        while let Some(v) = queue.pop_front() {
            graph.prefetch_ahead(|k| queue.get(k - 1).copied());
            queued[v as usize] = false;
            let own = membership[v as usize];
            let node_weight = graph.node_weights[v as usize];
            let (ts, ws) = graph.neighbours(v);
            for (&u, &w) in ts.iter().zip(ws) {
                neighbours.add(membership[u as usize], w);
            }
            community_weight[own as usize] -= node_weight;
            community_size[own as usize] -= 1;
            if community_size[own as usize] == 0 {
                community_weight[own as usize] = 0.0; // no rounding residue
            }

            let gain = |c: u32| {
                neighbours.weight(c)
                    - self.scaled_resolution * node_weight * community_weight[c as usize]
            };
            let (mut best, mut best_gain) = (own, gain(own));
            for &c in neighbours.touched() {
                let g = gain(c);
                if g > best_gain {
                    (best, best_gain) = (c, g);
                }
            }
            // An empty community gains 0. If v was alone, `own` is one and
            // gains 0 already; otherwise v left n - 1 nodes, so an id is free.
            if best_gain < 0.0 && community_size[own as usize] > 0 {
                best = empty.pop().expect("fewer than n communities are in use");
            }
            if community_size[own as usize] == 0 && best != own {
                empty.push(own);
            }
            community_weight[best as usize] += node_weight;
            community_size[best as usize] += 1;
            neighbours.clear();

            if best != own {
                membership[v as usize] = best;
                for &u in ts {
                    if !queued[u as usize] && membership[u as usize] != best {
                        queued[u as usize] = true;
                        queue.push_back(u);
                    }
                }
            }
        }
    }

    /// Refinement: within each community of `membership` (labels `< count`),
    /// merges singletons into well-connected sub-communities. Returns the
    /// refined labels (not renumbered); each refined community is connected.
    fn refine(
        &self,
        graph: &WorkGraph,
        membership: &[u32],
        count: usize,
        rng: &mut ChaCha8Rng,
    ) -> Vec<u32> {
        let n = graph.node_count();
        let resolution = self.scaled_resolution;
        let mut community_weight = vec![0.0; count];
        for (v, &c) in membership.iter().enumerate() {
            community_weight[c as usize] += graph.node_weights[v];
        }
        // Refined communities start as singletons, named by their first node.
        let mut refined: Vec<u32> = (0..n as u32).collect();
        let mut refined_weight = graph.node_weights.clone();
        let mut refined_size = vec![1u32; n];
        // Weight from each refined community to the rest of its community.
        let mut external: Vec<f64> = (0..n as u32)
            .map(|v| {
                let (ts, ws) = graph.neighbours(v);
                ts.iter()
                    .zip(ws)
                    .filter(|(&u, _)| membership[u as usize] == membership[v as usize])
                    .map(|(_, &w)| w)
                    .sum()
            })
            .collect();
        let well_connected = |external: f64, weight: f64, community: u32| {
            external >= resolution * weight * (community_weight[community as usize] - weight)
        };

        let mut neighbours = NeighbourWeights::new(n);
        let mut candidates: Vec<(u32, f64)> = Vec::new();
        let order = shuffled_nodes(n, rng);
        for (position, &v) in order.iter().enumerate() {
            graph.prefetch_ahead(|k| order.get(position + k).copied());
            let vi = v as usize;
            let community = membership[vi];
            // Only singletons move: v must not have been joined already.
            if refined_size[vi] != 1
                || !well_connected(external[vi], graph.node_weights[vi], community)
            {
                continue;
            }
            let node_weight = graph.node_weights[vi];
            let (ts, ws) = graph.neighbours(v);
            for (&u, &w) in ts.iter().zip(ws) {
                if membership[u as usize] == community {
                    neighbours.add(refined[u as usize], w);
                }
            }
            candidates.clear();
            candidates.push((v, 0.0));
            let mut max_gain = 0.0f64;
            for &r in neighbours.touched() {
                let ri = r as usize;
                if !well_connected(external[ri], refined_weight[ri], community) {
                    continue;
                }
                let gain = neighbours.weight(r) - resolution * node_weight * refined_weight[ri];
                if gain >= 0.0 {
                    candidates.push((r, gain));
                    max_gain = max_gain.max(gain);
                }
            }
            let chosen = self.choose(&candidates, max_gain, rng);
            if chosen != v {
                let ci = chosen as usize;
                external[ci] += external[vi] - 2.0 * neighbours.weight(chosen);
                refined_weight[ci] += node_weight;
                refined_size[ci] += 1;
                refined_size[vi] = 0;
                refined[vi] = chosen;
            }
            neighbours.clear();
        }
        refined
    }

    /// Picks a candidate with probability `∝ exp(gain / θ)`.
    fn choose(&self, candidates: &[(u32, f64)], max_gain: f64, rng: &mut ChaCha8Rng) -> u32 {
        if candidates.len() == 1 {
            return candidates[0].0;
        }
        let odds = |gain: f64| ((gain - max_gain) / self.randomness).exp();
        let total: f64 = candidates.iter().map(|&(_, gain)| odds(gain)).sum();
        let mut draw = rng.random::<f64>() * total;
        for &(r, gain) in candidates {
            draw -= odds(gain);
            if draw < 0.0 {
                return r;
            }
        }
        candidates.last().expect("at least one candidate").0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four planted groups of 40 nodes: dense inside, sparse between.
    fn planted() -> Csr {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut edges = Vec::new();
        for u in 0..160u32 {
            for v in u + 1..160 {
                let p = if u / 40 == v / 40 { 0.3 } else { 0.01 };
                if rng.random_bool(p) {
                    edges.push((u, v, 1.0));
                }
            }
        }
        Csr::from_edges(160, edges)
    }

    #[test]
    fn a_warm_start_keeps_a_good_partition_and_repairs_a_bad_one() {
        let g = planted();
        let options = LeidenOptions::default();
        let cold = leiden(&g, &options).unwrap();
        let truth: Vec<u32> = (0..160).map(|u| u / 40).collect();
        assert_eq!(renumbered(&cold.partition.membership), truth);
        let start: Vec<Option<u32>> = truth.iter().map(|&c| Some(c + 100)).collect();
        let warm = leiden_from(&g, &options, Some(&start)).unwrap();
        assert_eq!(renumbered(&warm.partition.membership), truth);
        // Groups 0 and 1 fused, and ten nodes not in the earlier partition.
        let mut fused: Vec<Option<u32>> = truth.iter().map(|&c| Some(c.max(1))).collect();
        for label in &mut fused[150..] {
            *label = None;
        }
        let repaired = leiden_from(&g, &options, Some(&fused)).unwrap();
        assert_eq!(renumbered(&repaired.partition.membership), truth);
    }

    fn renumbered(membership: &[u32]) -> Vec<u32> {
        let mut seen = std::collections::HashMap::new();
        membership
            .iter()
            .map(|&c| {
                let next = seen.len() as u32;
                *seen.entry(c).or_insert(next)
            })
            .collect()
    }

    #[test]
    fn splits_two_triangles() {
        let g = super::super::two_triangles();
        let result = leiden(&g, &LeidenOptions::default()).unwrap();
        assert_eq!(result.partition.membership, vec![0, 0, 0, 1, 1, 1]);
        assert!((result.quality - 0.357_142_857_142_857_15).abs() < 1e-12);

        let cpm = LeidenOptions {
            objective: Objective::Cpm,
            resolution: 0.5,
            iterations: None,
            ..LeidenOptions::default()
        };
        let result = leiden(&g, &cpm).unwrap();
        assert_eq!(result.partition.membership, vec![0, 0, 0, 1, 1, 1]);
    }

    #[test]
    fn cpm_runs_on_a_graph_without_edges() {
        let g = Csr::from_edges(3, []);
        let cpm = LeidenOptions {
            objective: Objective::Cpm,
            ..LeidenOptions::default()
        };
        let result = leiden(&g, &cpm).unwrap();
        assert_eq!(result.partition.count, 3);
        assert_eq!(
            leiden(&g, &LeidenOptions::default()),
            Err(CommunityError::NoEdgeWeight)
        );
    }
}
