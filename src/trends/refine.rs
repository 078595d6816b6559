//! Cuts a cluster that holds a merge or a split at its change point, so the lineage sees the trends before and after it.
//!
//! The clusters come from the whole articles projection. Two topics that
//! fuse (their articles start to share vocabulary and links, then appear
//! only together) mostly end up in one cluster with the topic they became,
//! and a topic that breaks in two stays one cluster: the lineage then has no
//! trend before or after the event to see. So each cluster of at least
//! [`MIN_ARTICLES`] dated articles is looked at once:
//!
//! 1. Its articles' concept vectors (inverse document frequency, unit
//!    length) are cut in two by spherical two-means, and each article gets
//!    its *margin*: its cosine to its own part's centroid minus its cosine
//!    to the other's.
//! 2. The margins over the windows are fitted by two segments: the boundary
//!    window `b` that maximises `gap² · n_before · n_after` (the difference
//!    of the mean margins before and after `b`, weighted by the articles on
//!    each side), each side holding at least [`MIN_SIDE`] of the articles.
//!    Two topics that merge give high margins before (two distinct parts)
//!    and low ones after (one mixed topic); a split the other way round.
//! 3. The side with the higher margins is cut in two again by two-means of
//!    its own articles: without the mixed side its parts separate more
//!    cleanly.
//! 4. When the gap is at least [`MIN_GAP`] and the smaller part holds at
//!    least [`MIN_PART`] of that side, the cluster becomes three: the two
//!    parts of the high side, as new clusters, and the mixed side, which
//!    keeps the cluster. The parts are the parents of the mixed side (a
//!    merge, when the high side came first) or its children (a split).
//!
//! 5. Otherwise, when the articles before some boundary are one topic and
//!    those after it another (a *drift*: a topic that flowed into a merge
//!    with another cluster's, lumped with what it became), the cluster is
//!    cut in two there: each side's articles must be closer to their own
//!    side's centroid than to the other's, at least [`MIN_PURITY`] of them
//!    on average over the two sides. The part before is the parent of the
//!    part after; the lineage looks for the other parents.
//!
//! 6. Otherwise, when the two-means parts are two distinct topics and one
//!    of them stopped while the other goes on, the stopped part is cut off
//!    (its death then shows; it flowed into nothing).
//!
//! A cluster that stays one topic has no such gap (its two-means parts mix
//! through its whole life) and no such boundary, so it is left whole. The
//! thresholds were chosen on generated collections (BENCHMARKS.md, "Merges and splits inside a
//! cluster"). O(i · n · k) for n articles of k concepts each and at most
//! [`ITERATIONS`] rounds of two-means, the clusters in parallel.

use super::idf::idf;
use super::lineage::DORMANT_AFTER;
use crate::model::ConceptId;
use rayon::prelude::*;

/// Fewest dated articles of a cluster to look for a change point in.
pub const MIN_ARTICLES: usize = 20;
/// Least share of a cluster's articles on each side of the boundary.
pub const MIN_SIDE: f64 = 0.15;
/// Least difference of the mean margins before and after the boundary.
pub const MIN_GAP: f64 = 0.1;
/// Least share of the high side its smaller part must hold.
pub const MIN_PART: f64 = 0.25;
/// Least balanced share of a cluster's articles closer to their own side
/// of a drift's boundary than to the other (on generated collections,
/// clusters of one steady topic reached at most 0.76, drifts at least 0.91).
pub const MIN_PURITY: f64 = 0.85;
/// Share of a part's articles published by the window it stopped in.
pub const STOP_SHARE: f64 = 0.95;
/// Least mean margin of a cluster's articles for its two-means parts to be
/// two topics, one of which can stop (on generated collections, clusters of
/// one topic at 10k articles stayed under 0.13; at 1k, clusters of 20–40
/// articles reached 0.28 by chance).
pub const STOP_MARGIN: f64 = 0.3;
/// Least share of a cluster's articles on each side of a drift's boundary
/// (the topic that flowed into a merge may be a small one).
pub const DRIFT_SIDE: f64 = 0.1;
/// Fewest articles of each of the clusters a cut makes.
pub const MIN_PIECE: usize = 8;
/// Most rounds of two-means.
pub const ITERATIONS: usize = 20;

/// Which way a cut cluster's parts flowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutKind {
    /// The parts came first and flowed into the mixed side.
    Merge,
    /// The mixed side came first and flowed into the parts.
    Split,
    /// The part stopped while the rest went on (no flow between them).
    Stop,
}

/// One cluster cut in three (a merge or a split) or in two (a drift, a stop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// Which way the parts flowed.
    pub kind: CutKind,
    /// The mixed side, which keeps the cluster's number.
    pub mixed: u32,
    /// The parts cut off, as new clusters: the two parts of the high side,
    /// or the one topic before a drift.
    pub parts: Vec<u32>,
    /// The first window after the boundary.
    pub boundary: usize,
}

/// Clusters with their merges and splits cut out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refined {
    /// Each node's cluster: the clusters given, with the parts cut off
    /// numbered from their count on.
    pub membership: Vec<u32>,
    /// The cuts, by cluster.
    pub cuts: Vec<Cut>,
}

/// Cuts the clusters `clusters[u]` of nodes with concepts `concepts_of[u]`
/// dated in window `window_of[u]` (of `windows`) that hold a merge or a
/// split; see the module documentation. Nodes without a window stay in
/// their cluster.
pub fn refine(
    concepts_of: &[&[ConceptId]],
    clusters: &[u32],
    window_of: &[Option<usize>],
    windows: usize,
) -> Refined {
    let count = clusters.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (u, &c) in clusters.iter().enumerate() {
        if window_of[u].is_some() && !concepts_of[u].is_empty() {
            members[c as usize].push(u);
        }
    }
    let idf = idf(concepts_of);
    let found: Vec<(u32, ChangePoint)> = members
        .par_iter()
        .enumerate()
        .filter(|(_, nodes)| nodes.len() >= MIN_ARTICLES)
        .filter_map(|(c, nodes)| {
            let vectors = Vectors::of(nodes, concepts_of, &idf);
            let windows_of: Vec<usize> = nodes.iter().filter_map(|&u| window_of[u]).collect();
            Some((c as u32, change_point(&vectors, &windows_of, windows)?))
        })
        .collect();
    let mut membership = clusters.to_vec();
    let mut cuts = Vec::with_capacity(found.len());
    let mut next = count as u32;
    for (c, point) in found {
        let parts: Vec<u32> = (next..next + point.parts).collect();
        next += point.parts;
        for (&u, side) in members[c as usize].iter().zip(&point.side) {
            if let Some(side) = side {
                membership[u] = parts[usize::from(*side)];
            }
        }
        cuts.push(Cut {
            kind: point.kind,
            mixed: c,
            parts,
            boundary: point.boundary,
        });
    }
    Refined { membership, cuts }
}

/// A cluster's articles as unit vectors over the concepts they name,
/// numbered `0..dimensions` within the cluster.
struct Vectors {
    rows: Vec<Vec<(u32, f64)>>,
    dimensions: usize,
}

impl Vectors {
    fn of(nodes: &[usize], concepts_of: &[&[ConceptId]], idf: &[f64]) -> Vectors {
        let mut named: Vec<ConceptId> = nodes
            .iter()
            .flat_map(|&u| concepts_of[u].iter().copied())
            .collect();
        named.sort_unstable();
        named.dedup();
        let rows = nodes
            .iter()
            .map(|&u| {
                let mut row: Vec<(u32, f64)> = concepts_of[u]
                    .iter()
                    .map(|c| {
                        let local = named.binary_search(c).unwrap_or(0) as u32;
                        (local, idf[*c])
                    })
                    .collect();
                row.sort_unstable_by_key(|x| x.0);
                row.dedup_by_key(|x| x.0);
                let norm = row.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
                if norm > 0.0 {
                    row.iter_mut().for_each(|x| x.1 /= norm);
                }
                row
            })
            .collect();
        Vectors {
            rows,
            dimensions: named.len(),
        }
    }
}

/// A centroid: the summed vectors and their norm.
struct Centroid {
    sum: Vec<f64>,
    norm: f64,
}

impl Centroid {
    fn of<'a>(dimensions: usize, rows: impl Iterator<Item = &'a Vec<(u32, f64)>>) -> Centroid {
        let mut sum = vec![0.0; dimensions];
        for row in rows {
            for &(k, w) in row {
                sum[k as usize] += w;
            }
        }
        let norm = sum.iter().map(|w| w * w).sum::<f64>().sqrt();
        Centroid { sum, norm }
    }

    /// The cosine of `row` (a unit vector, one of the centroid's) to the
    /// centroid of the others.
    fn cosine_without(&self, row: &[(u32, f64)]) -> f64 {
        let dot: f64 = row.iter().map(|&(k, w)| w * self.sum[k as usize]).sum();
        let norm = (self.norm * self.norm - 2.0 * dot + 1.0).max(0.0).sqrt();
        if norm <= 1e-12 {
            return 0.0;
        }
        (dot - 1.0) / norm
    }

    fn cosine(&self, row: &[(u32, f64)]) -> f64 {
        if self.norm == 0.0 {
            return 0.0;
        }
        row.iter()
            .map(|&(k, w)| w * self.sum[k as usize])
            .sum::<f64>()
            / self.norm
    }
}

/// The side of `row` between two centroids (ties go to the first) and its margin.
fn side_of(row: &[(u32, f64)], centroids: &[Centroid; 2]) -> (bool, f64) {
    let (a, b) = (centroids[0].cosine(row), centroids[1].cosine(row));
    (b > a, (a - b).abs())
}

/// Spherical two-means of the rows `chosen` of `vectors`, started from the
/// row least like their centroid and the row least like that one.
fn two_means(vectors: &Vectors, chosen: &[usize]) -> [Centroid; 2] {
    let rows = |pick: &[usize]| pick.iter().map(|&i| &vectors.rows[i]).collect::<Vec<_>>();
    let least_like = |centroid: &Centroid| {
        chosen
            .iter()
            .copied()
            .min_by(|&a, &b| {
                centroid
                    .cosine(&vectors.rows[a])
                    .total_cmp(&centroid.cosine(&vectors.rows[b]))
                    .then(a.cmp(&b))
            })
            .unwrap_or(0)
    };
    let all = Centroid::of(vectors.dimensions, rows(chosen).into_iter());
    let first = least_like(&all);
    let one = Centroid::of(vectors.dimensions, std::iter::once(&vectors.rows[first]));
    let second = least_like(&one);
    let mut centroids = [
        one,
        Centroid::of(vectors.dimensions, std::iter::once(&vectors.rows[second])),
    ];
    let mut side: Vec<Option<bool>> = vec![None; chosen.len()];
    for _ in 0..ITERATIONS {
        let mut changed = false;
        for (s, &i) in side.iter_mut().zip(chosen) {
            let now = side_of(&vectors.rows[i], &centroids).0;
            if *s != Some(now) {
                *s = Some(now);
                changed = true;
            }
        }
        if !changed {
            break;
        }
        for (k, centroid) in centroids.iter_mut().enumerate() {
            let members: Vec<usize> = chosen
                .iter()
                .zip(&side)
                .filter(|(_, s)| **s == Some(k == 1))
                .map(|(&i, _)| i)
                .collect();
            if !members.is_empty() {
                *centroid = Centroid::of(vectors.dimensions, rows(&members).into_iter());
            }
        }
    }
    centroids
}

/// The boundary window that best cuts `margin` (of articles in windows
/// `windows_of`) in two segments, each side at least [`MIN_SIDE`] of the
/// articles: the gap of the mean margins (before minus after) and the
/// first window after the boundary.
fn boundary(windows_of: &[usize], margin: &[f64], windows: usize) -> Option<(f64, usize)> {
    let mut sum = vec![0.0; windows];
    let mut count = vec![0usize; windows];
    for (&w, &m) in windows_of.iter().zip(margin) {
        sum[w] += m;
        count[w] += 1;
    }
    let total = windows_of.len();
    let all: f64 = sum.iter().sum();
    let least = MIN_SIDE * total as f64;
    let (mut sum_before, mut before) = (0.0, 0usize);
    let mut best: Option<(f64, f64, usize)> = None;
    for b in 1..windows {
        sum_before += sum[b - 1];
        before += count[b - 1];
        let after = total - before;
        if (before as f64) < least || (after as f64) < least {
            continue;
        }
        let gap = sum_before / before as f64 - (all - sum_before) / after as f64;
        let score = gap * gap * (before * after) as f64;
        if best.is_none_or(|(_, s, _)| score > s) {
            best = Some((gap, score, b));
        }
    }
    best.map(|(gap, _, b)| (gap, b))
}

/// A change point found in one cluster.
struct ChangePoint {
    kind: CutKind,
    boundary: usize,
    /// How many parts are cut off (1 or 2).
    parts: u32,
    /// Each article's part (`None` on the mixed side).
    side: Vec<Option<bool>>,
}

/// The merge or split in one cluster's articles (`vectors`, dated in
/// windows `windows_of`), if it holds one.
fn change_point(vectors: &Vectors, windows_of: &[usize], windows: usize) -> Option<ChangePoint> {
    let all: Vec<usize> = (0..vectors.rows.len()).collect();
    let whole = two_means(vectors, &all);
    let sided: Vec<(bool, f64)> = vectors.rows.iter().map(|r| side_of(r, &whole)).collect();
    two_parts(vectors, &sided, windows_of, windows)
        .or_else(|| drift(vectors, windows_of, windows))
        .or_else(|| stopped_part(&sided, windows_of, windows))
}

/// The balanced share of articles closer to the centroid of their own side
/// than to the other side's, leaving the article out of its own (each
/// side's share counts as much, so a small side counts as much as a large
/// one; ties, articles alike on both sides, do not count). `first[i]` is
/// article `i`'s side.
fn purity(vectors: &Vectors, first: &[bool]) -> f64 {
    let rows = |side: bool| {
        vectors
            .rows
            .iter()
            .zip(first)
            .filter(move |(_, &f)| f == side)
            .map(|(r, _)| r)
    };
    let sides = [
        Centroid::of(vectors.dimensions, rows(true)),
        Centroid::of(vectors.dimensions, rows(false)),
    ];
    let (mut placed, mut size) = ([0usize; 2], [0usize; 2]);
    for (row, &f) in vectors.rows.iter().zip(first) {
        let (own, other) = if f { (0, 1) } else { (1, 0) };
        size[own] += 1;
        if sides[own].cosine_without(row) > sides[other].cosine(row) + 1e-9 {
            placed[own] += 1;
        }
    }
    (placed[0] as f64 / size[0].max(1) as f64 + placed[1] as f64 / size[1].max(1) as f64) / 2.0
}

/// A merge or a split: two parts on the high-margin side of the boundary
/// (`sided`: each article's side and margin in the whole cluster's
/// two-means).
fn two_parts(
    vectors: &Vectors,
    sided: &[(bool, f64)],
    windows_of: &[usize],
    windows: usize,
) -> Option<ChangePoint> {
    let all: Vec<usize> = (0..vectors.rows.len()).collect();
    let margin: Vec<f64> = sided.iter().map(|x| x.1).collect();
    let (gap, b) = boundary(windows_of, &margin, windows)?;
    if gap.abs() < MIN_GAP {
        return None;
    }
    let kind = if gap > 0.0 {
        CutKind::Merge
    } else {
        CutKind::Split
    };
    let high: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| (windows_of[i] < b) == (kind == CutKind::Merge))
        .collect();
    let parts = two_means(vectors, &high);
    let mut side = vec![None; all.len()];
    let mut second = 0;
    for &i in &high {
        let s = side_of(&vectors.rows[i], &parts).0;
        second += usize::from(s);
        side[i] = Some(s);
    }
    let smaller = second.min(high.len() - second);
    let mixed = all.len() - high.len();
    if (smaller as f64) < MIN_PART * high.len() as f64 || smaller < MIN_PIECE || mixed < MIN_PIECE {
        return None;
    }
    Some(ChangePoint {
        kind,
        boundary: b,
        parts: 2,
        side,
    })
}

/// A cluster that is one topic until a boundary and another after it (a
/// topic taken into a merge with another cluster's, which the lineage then
/// finds): for each boundary with at least [`DRIFT_SIDE`] of the articles on
/// each side, the share of articles closer to the centroid of their own
/// side than to the other's (leaving the article out of its own), the best
/// of which must be at least [`MIN_PURITY`].
fn drift(vectors: &Vectors, windows_of: &[usize], windows: usize) -> Option<ChangePoint> {
    let total = windows_of.len();
    let least = DRIFT_SIDE * total as f64;
    let mut best: Option<(f64, usize, usize)> = None;
    for b in 1..windows {
        let early = windows_of.iter().filter(|&&w| w < b).count();
        if (early as f64) < least || ((total - early) as f64) < least {
            continue;
        }
        let before: Vec<bool> = windows_of.iter().map(|&w| w < b).collect();
        let purity = purity(vectors, &before);
        if best.is_none_or(|(p, _, _)| purity > p) {
            best = Some((purity, b, early));
        }
    }
    let (purity, b, early) = best?;
    if purity < MIN_PURITY || early < MIN_PIECE || total - early < MIN_PIECE {
        return None;
    }
    Some(ChangePoint {
        kind: CutKind::Merge,
        boundary: b,
        parts: 1,
        side: windows_of
            .iter()
            .map(|&w| (w < b).then_some(false))
            .collect(),
    })
}

/// One of the two-means parts that stopped while the other goes on: two
/// distinct topics (mean margin at least [`STOP_MARGIN`]), one of at least
/// [`DRIFT_SIDE`] of the articles that published [`STOP_SHARE`] of them by
/// a window more than `DORMANT_AFTER + 1` windows before the last, while
/// the other published at least `1 - STOP_SHARE` of its own after it.
fn stopped_part(
    sided: &[(bool, f64)],
    windows_of: &[usize],
    windows: usize,
) -> Option<ChangePoint> {
    let side: Vec<bool> = sided.iter().map(|x| x.0).collect();
    let mean_margin = sided.iter().map(|x| x.1).sum::<f64>() / sided.len() as f64;
    if mean_margin < STOP_MARGIN {
        return None;
    }
    let mut count = vec![[0usize; 2]; windows];
    for (&w, &s) in windows_of.iter().zip(&side) {
        count[w][usize::from(s)] += 1;
    }
    let total = side.len();
    for k in [false, true] {
        let (mine, other) = (usize::from(k), usize::from(!k));
        let size: usize = count.iter().map(|c| c[mine]).sum();
        let others: usize = total - size;
        if (size as f64) < DRIFT_SIDE * total as f64 || size < MIN_PIECE {
            continue;
        }
        let mut seen = 0;
        let Some(end) = (0..windows).find(|&w| {
            seen += count[w][mine];
            seen as f64 >= STOP_SHARE * size as f64
        }) else {
            continue;
        };
        let later: usize = count[end + 1..].iter().map(|c| c[other]).sum();
        let quiet = DORMANT_AFTER + 1;
        if end + quiet + 1 < windows && later as f64 >= (1.0 - STOP_SHARE) * others as f64 {
            return Some(ChangePoint {
                kind: CutKind::Stop,
                boundary: end + 1,
                parts: 1,
                side: windows_of
                    .iter()
                    .zip(&side)
                    .map(|(&w, &s)| (s == k && w <= end).then_some(false))
                    .collect(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds `n` articles per window of `windows`, each naming three words
    /// of each topic of `topics` (topic `t` has words `10t..10t+8`), picked
    /// by a fixed pseudo-random sequence.
    fn add(
        concepts: &mut Vec<Vec<ConceptId>>,
        window_of: &mut Vec<Option<usize>>,
        topics: &[usize],
        windows: std::ops::Range<usize>,
        n: usize,
    ) {
        let mut state = concepts.len() as u64 * 2_654_435_761 + 1;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for w in windows {
            for _ in 0..n {
                let mut words = Vec::new();
                for &t in topics {
                    for _ in 0..3 {
                        words.push(10 * t + next() % 8);
                    }
                }
                words.sort_unstable();
                words.dedup();
                concepts.push(words);
                window_of.push(Some(w));
            }
        }
    }

    /// [`refine`] of all the articles as one cluster over 12 windows.
    fn one_cluster(concepts: &[Vec<ConceptId>], window_of: &[Option<usize>]) -> Refined {
        let slices: Vec<&[ConceptId]> = concepts.iter().map(Vec::as_slice).collect();
        refine(&slices, &vec![0; concepts.len()], window_of, 12)
    }

    #[test]
    fn a_merge_is_cut_into_its_parents_and_the_merged_topic() {
        let (mut concepts, mut window_of) = (Vec::new(), Vec::new());
        // Topics 0 and 1 for six windows, then one topic naming both, for
        // six more; topic 2 throughout, in a cluster of its own.
        add(&mut concepts, &mut window_of, &[0], 0..6, 4);
        add(&mut concepts, &mut window_of, &[1], 0..6, 4);
        add(&mut concepts, &mut window_of, &[0, 1], 6..12, 6);
        let merged = concepts.len();
        add(&mut concepts, &mut window_of, &[2], 0..12, 4);
        let clusters: Vec<u32> = (0..concepts.len())
            .map(|u| u32::from(u >= merged))
            .collect();
        let slices: Vec<&[ConceptId]> = concepts.iter().map(Vec::as_slice).collect();
        let refined = refine(&slices, &clusters, &window_of, 12);
        assert_eq!(refined.cuts.len(), 1, "{:?}", refined.cuts);
        let cut = &refined.cuts[0];
        assert_eq!((cut.kind, cut.mixed, cut.boundary), (CutKind::Merge, 0, 6));
        // Topic x is one part, topic y the other, the merged topic keeps 0.
        let x = refined.membership[0];
        let y = refined.membership[24];
        assert!(cut.parts.contains(&x) && cut.parts.contains(&y) && x != y);
        assert!(refined.membership[..24].iter().all(|&c| c == x));
        assert!(refined.membership[24..48].iter().all(|&c| c == y));
        assert!(refined.membership[48..merged].iter().all(|&c| c == 0));
        assert!(refined.membership[merged..].iter().all(|&c| c == 1));
    }

    #[test]
    fn a_split_is_cut_the_other_way_round() {
        let (mut concepts, mut window_of) = (Vec::new(), Vec::new());
        add(&mut concepts, &mut window_of, &[0, 1], 0..6, 6);
        add(&mut concepts, &mut window_of, &[0], 6..12, 4);
        add(&mut concepts, &mut window_of, &[1], 6..12, 4);
        let refined = one_cluster(&concepts, &window_of);
        assert_eq!(refined.cuts.len(), 1);
        assert_eq!(refined.cuts[0].kind, CutKind::Split);
        assert!(refined.membership[..36].iter().all(|&c| c == 0));
        assert_ne!(refined.membership[36], refined.membership[60]);
    }

    #[test]
    fn a_drift_is_cut_in_two() {
        let (mut concepts, mut window_of) = (Vec::new(), Vec::new());
        add(&mut concepts, &mut window_of, &[0], 0..6, 4);
        add(&mut concepts, &mut window_of, &[1], 6..12, 6);
        let refined = one_cluster(&concepts, &window_of);
        assert_eq!(refined.cuts.len(), 1);
        let cut = &refined.cuts[0];
        assert_eq!(
            (cut.kind, &cut.parts, cut.boundary),
            (CutKind::Merge, &vec![1], 6)
        );
        assert!(refined.membership[..24].iter().all(|&c| c == 1));
        assert!(refined.membership[24..].iter().all(|&c| c == 0));
    }

    #[test]
    fn a_topic_that_stops_is_cut_off() {
        let (mut concepts, mut window_of) = (Vec::new(), Vec::new());
        add(&mut concepts, &mut window_of, &[0], 0..12, 4);
        add(&mut concepts, &mut window_of, &[1], 0..6, 4);
        let refined = one_cluster(&concepts, &window_of);
        assert_eq!(refined.cuts.len(), 1, "{:?}", refined.cuts);
        assert_eq!(refined.cuts[0].kind, CutKind::Stop);
        assert!(refined.membership[..48].iter().all(|&c| c == 0));
        assert!(refined.membership[48..].iter().all(|&c| c == 1));
    }

    #[test]
    fn a_steady_topic_is_left_whole() {
        let (mut concepts, mut window_of) = (Vec::new(), Vec::new());
        add(&mut concepts, &mut window_of, &[0], 0..12, 6);
        let refined = one_cluster(&concepts, &window_of);
        assert!(refined.cuts.is_empty());
        assert_eq!(refined.membership, vec![0; concepts.len()]);
    }
}
