//! Which new cluster continues which earlier trend: a maximum-weight matching on shared articles.
//!
//! The rule (documented in the README): a new cluster *may continue* an
//! earlier trend when they share at least [`MatchRule::min_share`] (half) of
//! the smaller of the trend's articles and the cluster's earlier articles.
//! Among those pairs each trend continues in at most one cluster and each
//! cluster continues at most one trend, chosen to maximise the number of
//! shared articles (a maximum-weight bipartite matching, Kuhn–Munkres).
//! That is exactly the number of earlier articles that keep their trend id,
//! so no other one-to-one choice keeps more. A cluster left unmatched is a
//! new trend; a trend left unmatched has merged into or been split among
//! other clusters, or lost its articles.
//!
//! The matching runs separately on each connected component of the
//! candidate pairs (usually a handful of clusters each), so the cubic cost
//! of Kuhn–Munkres applies to components, not to all clusters at once.

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;
use std::collections::BTreeMap;

/// When a cluster may continue a trend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatchRule {
    /// Shared articles needed, as a share of the smaller side (0 to 1).
    pub min_share: f64,
}

impl Default for MatchRule {
    fn default() -> MatchRule {
        MatchRule { min_share: 0.5 }
    }
}

/// Shared articles between earlier trends and new clusters: for every
/// article, its earlier trend (`before`) and its new cluster (`after`).
#[derive(Clone, Debug, Default)]
pub struct Overlap {
    /// `(trend, cluster)` → articles in both.
    pub shared: BTreeMap<(u32, u32), u32>,
    /// Articles per earlier trend that are still present.
    pub before_sizes: BTreeMap<u32, u32>,
    /// Articles per new cluster that had a trend before.
    pub after_known: BTreeMap<u32, u32>,
}

impl Overlap {
    /// Counts the overlap of two labellings of the same articles.
    pub fn count(before: &[Option<u32>], after: &[Option<u32>]) -> Overlap {
        assert_eq!(before.len(), after.len(), "one label per article");
        let mut overlap = Overlap::default();
        for (b, a) in before.iter().zip(after) {
            if let Some(b) = *b {
                *overlap.before_sizes.entry(b).or_default() += 1;
                if let Some(a) = *a {
                    *overlap.shared.entry((b, a)).or_default() += 1;
                    *overlap.after_known.entry(a).or_default() += 1;
                }
            }
        }
        overlap
    }

    /// Whether `trend` and `cluster` share enough under `rule`.
    pub fn may_continue(&self, trend: u32, cluster: u32, rule: &MatchRule) -> bool {
        let shared = self.shared.get(&(trend, cluster)).copied().unwrap_or(0);
        let smaller = self.before_sizes[&trend].min(self.after_known[&cluster]);
        shared > 0 && f64::from(shared) >= rule.min_share * f64::from(smaller)
    }
}

/// The matched pairs `(trend, cluster)`, sorted by trend.
pub fn match_trends(overlap: &Overlap, rule: &MatchRule) -> Vec<(u32, u32)> {
    let candidates: Vec<(u32, u32, u32)> = overlap
        .shared
        .iter()
        .filter(|(&(t, c), _)| overlap.may_continue(t, c, rule))
        .map(|(&(t, c), &n)| (t, c, n))
        .collect();
    let mut pairs = Vec::new();
    for component in components(&candidates) {
        pairs.extend(match_component(&component));
    }
    pairs.sort_unstable();
    pairs
}

/// The candidate pairs grouped by connected component (union–find on trends and clusters).
fn components(candidates: &[(u32, u32, u32)]) -> Vec<Vec<(u32, u32, u32)>> {
    // Nodes: trends as 2t, clusters as 2c + 1.
    let mut parent: BTreeMap<u64, u64> = BTreeMap::new();
    fn find(parent: &mut BTreeMap<u64, u64>, x: u64) -> u64 {
        let p = *parent.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let root = find(parent, p);
        parent.insert(x, root);
        root
    }
    for &(t, c, _) in candidates {
        let (a, b) = (
            find(&mut parent, 2 * u64::from(t)),
            find(&mut parent, 2 * u64::from(c) + 1),
        );
        if a != b {
            parent.insert(a.max(b), a.min(b));
        }
    }
    let mut groups: BTreeMap<u64, Vec<(u32, u32, u32)>> = BTreeMap::new();
    for &(t, c, n) in candidates {
        let root = find(&mut parent, 2 * u64::from(t));
        groups.entry(root).or_default().push((t, c, n));
    }
    groups.into_values().collect()
}

/// Kuhn–Munkres on one component; the smaller side are the matrix rows.
fn match_component(pairs: &[(u32, u32, u32)]) -> Vec<(u32, u32)> {
    if let [(t, c, _)] = pairs {
        return vec![(*t, *c)];
    }
    let mut trends: Vec<u32> = pairs.iter().map(|p| p.0).collect();
    let mut clusters: Vec<u32> = pairs.iter().map(|p| p.1).collect();
    trends.sort_unstable();
    trends.dedup();
    clusters.sort_unstable();
    clusters.dedup();
    let transpose = trends.len() > clusters.len();
    let (rows, cols) = if transpose {
        (&clusters, &trends)
    } else {
        (&trends, &clusters)
    };
    let mut weights = Matrix::new(rows.len(), cols.len(), 0i64);
    for &(t, c, n) in pairs {
        let (r, k) = if transpose { (c, t) } else { (t, c) };
        let r = rows.binary_search(&r).expect("row of the component");
        let k = cols.binary_search(&k).expect("column of the component");
        weights[(r, k)] = i64::from(n);
    }
    let (_, assignment) = kuhn_munkres(&weights);
    assignment
        .into_iter()
        .enumerate()
        .filter(|&(r, k)| weights[(r, k)] > 0)
        .map(|(r, k)| {
            if transpose {
                (cols[k], rows[r])
            } else {
                (rows[r], cols[k])
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(spec: &[(u32, usize)]) -> Vec<Option<u32>> {
        spec.iter()
            .flat_map(|&(l, n)| std::iter::repeat_n(Some(l), n))
            .collect()
    }

    #[test]
    fn unchanged_clusters_keep_their_trends_whatever_their_numbers() {
        let before = labels(&[(7, 10), (3, 5), (9, 4)]);
        let after = labels(&[(0, 10), (1, 5), (2, 4)]);
        let pairs = match_trends(&Overlap::count(&before, &after), &MatchRule::default());
        assert_eq!(pairs, vec![(3, 1), (7, 0), (9, 2)]);
    }

    #[test]
    fn the_matching_keeps_the_most_articles() {
        // Trend 0 (160 articles) sent 100 to cluster 0 and 60 to cluster 1;
        // trend 1 (50) went into cluster 0. Greedy by overlap keeps 100;
        // the matching keeps 60 + 50.
        let mut before = labels(&[(0, 160), (1, 50)]);
        let mut after = labels(&[(0, 100), (1, 60), (0, 50)]);
        before.push(None);
        after.push(Some(5));
        let pairs = match_trends(&Overlap::count(&before, &after), &MatchRule::default());
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn a_small_share_is_not_a_continuation() {
        // Cluster 1 holds 10 of trend 0's 100 articles among 40 earlier ones.
        let before = labels(&[(0, 90), (0, 10), (1, 30)]);
        let after = labels(&[(0, 90), (1, 10), (1, 30)]);
        let pairs = match_trends(&Overlap::count(&before, &after), &MatchRule::default());
        assert_eq!(pairs, vec![(0, 0), (1, 1)]);
        let overlap = Overlap::count(&before, &after);
        assert!(!overlap.may_continue(0, 1, &MatchRule::default()));
    }

    #[test]
    fn more_clusters_than_trends_and_the_reverse() {
        let before = labels(&[(0, 10), (0, 10), (1, 10)]);
        let after = labels(&[(0, 10), (1, 10), (1, 10)]);
        let pairs = match_trends(&Overlap::count(&before, &after), &MatchRule::default());
        // Trend 0 split into 0 and 1; trend 1 went to 1 with half of trend 0:
        // 10 + 10 articles keep their ids whichever pairs are chosen.
        assert_eq!(pairs.len(), 2);
        let kept: u32 = pairs
            .iter()
            .map(|p| Overlap::count(&before, &after).shared[p])
            .sum();
        assert_eq!(kept, 20);
    }
}
