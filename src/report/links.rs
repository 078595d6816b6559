//! Where clusters meet: neighbours with their bridging articles, signals and concepts, and structural gaps.
//!
//! Two clusters are **neighbours** when links of the articles projection
//! cross between them; they are ranked by the summed weight of those links.
//! For each neighbour the report names the **bridging articles** (the ends
//! of the crossing links with the highest betweenness), the **bridging
//! signals** (signals of those articles whose driving force the article at
//! the other end of a crossing link also names — a path across the boundary
//! through the signal — most such links first, then highest betweenness) and the **bridging
//! concepts** (concepts both ends of crossing links name, ranked by how many
//! crossing links share them times their IDF, i.e. by how much of the links'
//! weight they carry).
//!
//! A **structural gap** is a pair of clusters (of at least [`GAP_MIN_SIZE`]
//! articles) whose concept profiles are alike — the cosine similarity of
//! their c-TF-IDF vectors is in the top tenth of all pairs and at least
//! [`GAP_MIN_SIMILARITY`] — yet with fewer direct links than one per ten
//! articles of the smaller cluster: the same topics, discussed apart.
//! (c-TF-IDF vectors stress what sets a cluster apart, so even related
//! clusters rarely pass 0.2: the bar is relative to the collection.)

use super::{round6, ArticleRef, Prepared, SignalRef};
use crate::graph::ProjectedGraph;
use crate::model::ConceptId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Neighbours listed per cluster.
const NEIGHBOURS: usize = 5;
/// Bridging articles, signals and concepts listed per neighbour.
const BRIDGES: usize = 3;
const BRIDGING_CONCEPTS: usize = 5;
/// Smallest clusters considered for gaps, and how many of the largest are.
pub const GAP_MIN_SIZE: usize = 3;
const GAP_CANDIDATES: usize = 200;
/// Least concept similarity of a gap, whatever the collection.
pub const GAP_MIN_SIMILARITY: f64 = 0.05;
/// A gap's similarity is at least this quantile of all pairs' similarities.
pub const GAP_SIMILARITY_QUANTILE: f64 = 0.9;
/// A gap has fewer links than this per article of the smaller cluster.
pub const GAP_MAX_LINKS_PER_ARTICLE: f64 = 0.1;
const GAPS: usize = 10;

/// A neighbouring cluster and what links the two.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// The neighbouring cluster's number.
    pub cluster: u32,
    /// Its name.
    pub name: String,
    /// Links of the articles projection between the two clusters.
    pub links: usize,
    /// Total weight of those links.
    pub weight: f64,
    /// Articles whose links join the two clusters most.
    pub bridging_articles: Vec<ArticleRef>,
    /// Signals of those articles.
    pub bridging_signals: Vec<SignalRef>,
    /// For each bridging signal, the articles across the boundary linked to
    /// its article that name its driving force.
    #[serde(default)]
    pub bridging_signal_articles: Vec<u32>,
    /// Concepts both clusters name.
    pub bridging_concepts: Vec<String>,
}

/// Two clusters that share concepts yet have few direct links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// The two clusters' numbers.
    pub clusters: [u32; 2],
    /// Their names.
    pub names: [String; 2],
    /// Cosine similarity of their c-TF-IDF concept vectors.
    pub similarity: f64,
    /// Links of the articles projection between them.
    pub links: usize,
    /// Concepts distinctive of both.
    pub shared_concepts: Vec<String>,
    /// An article of each cluster naming the first shared concept.
    pub articles: Vec<ArticleRef>,
}

/// The links between each pair of clusters.
pub struct CrossLinks {
    /// By (smaller, larger) cluster number.
    pairs: BTreeMap<(u32, u32), Pair>,
    /// The other clusters each cluster has links to.
    by_cluster: Vec<Vec<u32>>,
}

#[derive(Default)]
struct Pair {
    weight: f64,
    /// Article pairs of the crossing links.
    edges: Vec<(usize, usize)>,
}

impl CrossLinks {
    fn links(&self, a: u32, b: u32) -> usize {
        self.pairs
            .get(&(a.min(b), a.max(b)))
            .map_or(0, |pair| pair.edges.len())
    }
}

/// Collects the links of the articles projection that cross between clusters.
pub(crate) fn cross_links(p: &Prepared, graph: &ProjectedGraph) -> CrossLinks {
    let mut pairs: BTreeMap<(u32, u32), Pair> = BTreeMap::new();
    for (a, b, weight) in p.article_links(graph) {
        let (Some(x), Some(y)) = (p.cluster_of[a], p.cluster_of[b]) else {
            continue;
        };
        if x == y {
            continue;
        }
        let pair = pairs.entry((x.min(y), x.max(y))).or_default();
        pair.weight += weight;
        pair.edges.push(if x < y { (a, b) } else { (b, a) });
    }
    let mut by_cluster = vec![Vec::new(); p.clusters];
    for &(x, y) in pairs.keys() {
        by_cluster[x as usize].push(y);
        by_cluster[y as usize].push(x);
    }
    CrossLinks { pairs, by_cluster }
}

/// The best `k` of `items` by `cmp` (smallest first), in order; O(n k).
pub(crate) fn best<T: Copy>(
    items: impl Iterator<Item = T>,
    k: usize,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    let mut kept: Vec<T> = Vec::with_capacity(k + 1);
    for item in items {
        if kept.len() == k && kept.last().is_some_and(|last| cmp(&item, last).is_ge()) {
            continue;
        }
        let at = kept.partition_point(|x| cmp(x, &item).is_le());
        kept.insert(at, item);
        kept.truncate(k);
    }
    kept
}

/// The neighbours of cluster `k`, strongest first.
pub(crate) fn neighbours(p: &Prepared, k: u32, cross: &CrossLinks) -> Vec<Neighbour> {
    let mut list: Vec<(f64, u32)> = cross.by_cluster[k as usize]
        .iter()
        .map(|&other| (cross.pairs[&(k.min(other), k.max(other))].weight, other))
        .collect();
    list.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    list.truncate(NEIGHBOURS);
    list.into_iter()
        .map(|(weight, other)| {
            let pair = &cross.pairs[&(k.min(other), k.max(other))];
            let mut ends: Vec<usize> = pair.edges.iter().flat_map(|&(a, b)| [a, b]).collect();
            ends.sort_unstable();
            ends.dedup();
            let articles = best(ends.iter().copied(), BRIDGES, |&x, &y| {
                super::key(p.article_betweenness[y])
                    .total_cmp(&super::key(p.article_betweenness[x]))
                    .then(
                        super::key(p.article_pagerank[y])
                            .total_cmp(&super::key(p.article_pagerank[x])),
                    )
                    .then(x.cmp(&y))
            });
            // A signal bridges when its driving force is also named by the
            // article at the other end of its article's crossing links: a
            // path article – signal – driving force – article across the
            // boundary. Signals with more such links first, then betweenness.
            let mut crossings: BTreeMap<(usize, usize), u32> = BTreeMap::new();
            for &(a, b) in &pair.edges {
                for (from, to) in [(a, b), (b, a)] {
                    for s in p.signals_of(from) {
                        let force = p.collection.links[from]
                            .signals
                            .get(s.1)
                            .and_then(|l| l.driving_force);
                        let shared =
                            force.is_some_and(|f| p.concepts_of[to].binary_search(&f).is_ok());
                        *crossings.entry(s).or_insert(0) += u32::from(shared);
                    }
                }
            }
            let signals = best(crossings.iter(), BRIDGES, |x, y| {
                y.1.cmp(x.1).then_with(|| p.by_betweenness(x.0, y.0))
            });
            let mut shared: BTreeMap<ConceptId, u32> = BTreeMap::new();
            for &(a, b) in &pair.edges {
                for id in intersection(&p.concepts_of[a], &p.concepts_of[b]) {
                    *shared.entry(id).or_insert(0) += 1;
                }
            }
            let concepts = best(shared.into_iter(), BRIDGING_CONCEPTS, |x, y| {
                let (sx, sy) = (f64::from(x.1) * p.idf[x.0], f64::from(y.1) * p.idf[y.0]);
                sy.total_cmp(&sx).then(x.0.cmp(&y.0))
            });
            Neighbour {
                cluster: other,
                name: p.name(other),
                links: pair.edges.len(),
                weight: round6(weight),
                bridging_articles: articles.into_iter().map(|a| p.article_ref(a)).collect(),
                bridging_signals: signals
                    .iter()
                    .map(|(&(a, j), _)| p.signal_ref(a, j))
                    .collect(),
                bridging_signal_articles: signals.iter().map(|(_, &n)| n).collect(),
                bridging_concepts: concepts
                    .into_iter()
                    .map(|(id, _)| p.collection.concepts[id].label.clone())
                    .collect(),
            }
        })
        .collect()
}

/// The elements two sorted lists share.
fn intersection<'a>(
    a: &'a [ConceptId],
    b: &'a [ConceptId],
) -> impl Iterator<Item = ConceptId> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
}

/// Structural gaps, most similar first.
pub(crate) fn gaps(p: &Prepared, cross: &CrossLinks) -> Vec<Gap> {
    let mut candidates: Vec<u32> = (0..p.clusters as u32)
        .filter(|&k| p.members[k as usize].len() >= GAP_MIN_SIZE)
        .collect();
    candidates.sort_by_key(|&k| (std::cmp::Reverse(p.members[k as usize].len()), k));
    candidates.truncate(GAP_CANDIDATES);
    let m = candidates.len();
    if m < 2 {
        return Vec::new();
    }
    let (unit, postings) = unit_vectors(p, &candidates);
    let mut dot = vec![0.0f64; m * m];
    for list in postings.values() {
        for (s, &(i, x)) in list.iter().enumerate() {
            for &(j, y) in &list[s + 1..] {
                dot[i * m + j] += x * y;
            }
        }
    }
    let mut similarities: Vec<f64> = (0..m)
        .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
        .map(|(i, j)| dot[i * m + j])
        .collect();
    similarities.sort_by(f64::total_cmp);
    let rank = ((GAP_SIMILARITY_QUANTILE * similarities.len() as f64).ceil() as usize)
        .clamp(1, similarities.len());
    let bar = round6(similarities[rank - 1]).max(GAP_MIN_SIMILARITY);
    let mut found: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..m {
        for j in i + 1..m {
            let similarity = round6(dot[i * m + j]);
            if similarity < bar {
                continue;
            }
            let (a, b) = (candidates[i], candidates[j]);
            let smaller = p.members[a as usize].len().min(p.members[b as usize].len());
            if (cross.links(a, b) as f64) < GAP_MAX_LINKS_PER_ARTICLE * smaller as f64 {
                found.push((similarity, i, j));
            }
        }
    }
    found.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    found.truncate(GAPS);
    found
        .into_iter()
        .map(|(similarity, i, j)| {
            gap(
                p,
                cross,
                [candidates[i], candidates[j]],
                [&unit[i], &unit[j]],
                similarity,
            )
        })
        .collect()
}

/// The c-TF-IDF vector of each candidate cluster scaled to length 1, and for
/// each concept the candidates naming it (index and weight).
#[allow(clippy::type_complexity)]
fn unit_vectors(
    p: &Prepared,
    candidates: &[u32],
) -> (
    Vec<BTreeMap<ConceptId, f64>>,
    BTreeMap<ConceptId, Vec<(usize, f64)>>,
) {
    let mut postings: BTreeMap<ConceptId, Vec<(usize, f64)>> = BTreeMap::new();
    let mut unit: Vec<BTreeMap<ConceptId, f64>> = Vec::with_capacity(candidates.len());
    for (i, &k) in candidates.iter().enumerate() {
        let weights = &p.weights[k as usize];
        let norm = weights
            .iter()
            .map(|w| w.score * w.score)
            .sum::<f64>()
            .sqrt();
        let v: BTreeMap<ConceptId, f64> = weights
            .iter()
            .map(|w| (w.concept, if norm > 0.0 { w.score / norm } else { 0.0 }))
            .collect();
        for (&id, &x) in &v {
            postings.entry(id).or_default().push((i, x));
        }
        unit.push(v);
    }
    (unit, postings)
}

/// The gap between clusters `a` and `b` (unit vectors `ua`, `ub`): the
/// concepts they share most and, for the first, each side's article naming
/// it with the highest PageRank.
fn gap(
    p: &Prepared,
    cross: &CrossLinks,
    [a, b]: [u32; 2],
    [ua, ub]: [&BTreeMap<ConceptId, f64>; 2],
    similarity: f64,
) -> Gap {
    let shared = best(
        ua.iter()
            .filter_map(|(&id, &x)| ub.get(&id).map(|&y| (id, x.min(y)))),
        BRIDGING_CONCEPTS,
        |x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)),
    );
    let articles = shared
        .first()
        .map(|&(id, _)| {
            [a, b]
                .iter()
                .filter_map(|&k| {
                    best(
                        p.members[k as usize]
                            .iter()
                            .copied()
                            .filter(|&x| p.concepts_of[x].binary_search(&id).is_ok()),
                        1,
                        |&x, &y| {
                            super::key(p.article_pagerank[y])
                                .total_cmp(&super::key(p.article_pagerank[x]))
                                .then(x.cmp(&y))
                        },
                    )
                    .first()
                    .map(|&x| p.article_ref(x))
                })
                .collect()
        })
        .unwrap_or_default();
    Gap {
        clusters: [a, b],
        names: [p.name(a), p.name(b)],
        similarity,
        links: cross.links(a, b),
        shared_concepts: shared
            .into_iter()
            .map(|(id, _)| p.collection.concepts[id].label.clone())
            .collect(),
        articles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_keeps_the_k_smallest_in_order() {
        let got = best([5, 1, 4, 2, 3, 1].into_iter(), 3, |a: &i32, b: &i32| {
            a.cmp(b)
        });
        assert_eq!(got, vec![1, 1, 2]);
        assert!(best(std::iter::empty::<i32>(), 3, |a, b| a.cmp(b)).is_empty());
    }

    #[test]
    fn intersection_of_sorted_lists() {
        let got: Vec<usize> = intersection(&[1, 3, 5, 7], &[2, 3, 4, 7, 9]).collect();
        assert_eq!(got, vec![3, 7]);
    }
}
