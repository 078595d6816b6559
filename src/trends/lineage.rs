//! Trend identities through time windows, and the lineage events between them: birth, death, merge, split.
//!
//! The input is one partition of the dated articles per window (see
//! [`super::timeline`]): window `w`'s partition covers the articles of the
//! last [`super::timeline::SPAN`] windows up to `w`, so consecutive
//! partitions share the articles of the windows they overlap, and articles
//! compare one by one.
//!
//! Trend ids: each window's clusters are matched to the previous window's
//! trends ([`super::matching`]); a cluster that continues nothing may take
//! the id it had in the previous scan's same window (`earlier`), so a
//! rescan does not renumber history; otherwise it gets a new id. Clusters
//! of fewer than [`MIN_TREND`] articles are noise: no id, no event.
//!
//! Events between window `w-1` and `w` (all thresholds are the constants
//! below); only trends seen in at least [`MIN_AGE`] windows before take
//! part in a merge or split, so fragments of a young topic that Leiden
//! cut apart and joined again make no event:
//! * **merge**: one cluster of `w` holds at least [`FLOW_SHARE`] of the
//!   shared articles of each of two or more trends of `w-1`;
//! * **split**: at least [`SPLIT_SHARE`] of one trend's shared articles,
//!   and at least [`MIN_TREND`] articles, go to each of two or more clusters
//!   of `w`;
//! * **birth**: a trend first seen in `w` (after the first window) that is
//!   not the product of a split;
//! * **death**: a trend none of whose articles is dated in the last
//!   [`DORMANT_AFTER`] windows of the timeline, unless it flowed into
//!   another trend (a merge or split); dated at the first window of its
//!   silence. Its status is then *dormant*, and *ended* after
//!   [`ENDED_AFTER`] silent windows.

use super::matching::{match_trends, MatchRule, Overlap};
use std::collections::{BTreeMap, BTreeSet};

/// Fewest articles of a trend; smaller clusters are noise.
pub const MIN_TREND: u32 = 3;
/// Share of a trend that must flow into one cluster to count in a merge.
pub const FLOW_SHARE: f64 = 0.5;
/// Share of a trend each part of a split must receive.
pub const SPLIT_SHARE: f64 = 0.25;
/// Windows a trend must have been seen in to take part in a merge or split.
pub const MIN_AGE: usize = 2;
/// Silent windows after which a trend is dormant (and its death recorded).
pub const DORMANT_AFTER: usize = 2;
/// Silent windows after which a trend has ended.
pub const ENDED_AFTER: usize = 4;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// A trend appeared.
    Birth,
    /// A trend stopped getting articles.
    Death,
    /// Two or more trends flowed into one.
    Merge,
    /// One trend flowed into two or more.
    Split,
}

impl EventKind {
    /// The event's name in the report and the exports.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Birth => "birth",
            EventKind::Death => "death",
            EventKind::Merge => "merge",
            EventKind::Split => "split",
        }
    }
}

/// One lineage event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The window where it was seen.
    pub window: usize,
    /// Trend ids before (empty for a birth).
    pub from: Vec<u32>,
    /// Trend ids after (empty for a death).
    pub to: Vec<u32>,
    /// The articles that show it (indices): the new trend's articles for a
    /// birth, the articles that flowed for a merge or split, the trend's
    /// last articles for a death.
    pub articles: Vec<u32>,
}

/// Where a trend stands at the end of the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Activity {
    /// It has an article dated within the last [`DORMANT_AFTER`] windows.
    Active,
    /// No article dated in the last [`DORMANT_AFTER`] windows.
    Dormant,
    /// No article dated in the last [`ENDED_AFTER`] windows.
    Ended,
}

/// The trends of every window and the events between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lineage {
    /// `trend_at[w][a]`: article `a`'s trend in window `w`.
    pub trend_at: Vec<Vec<Option<u32>>>,
    /// Events in window order, then by kind and trend ids.
    pub events: Vec<Event>,
    /// Per trend: the first and last window it is seen in.
    pub seen: BTreeMap<u32, (usize, usize)>,
    /// Per trend: the latest window one of its articles is dated in.
    pub last_dated: BTreeMap<u32, usize>,
    /// Trends that flowed into other trends (merged, or split away entirely).
    pub absorbed: BTreeSet<u32>,
    /// The next unused trend id.
    pub next_id: u32,
}

impl Lineage {
    /// A trend's activity at the end of the timeline (`None` for an unknown trend).
    pub fn activity(&self, trend: u32) -> Option<Activity> {
        let last = *self.last_dated.get(&trend)?;
        let silent = self.trend_at.len().saturating_sub(1) - last;
        Some(if silent >= ENDED_AFTER {
            Activity::Ended
        } else if silent >= DORMANT_AFTER {
            Activity::Dormant
        } else {
            Activity::Active
        })
    }
}

/// Follows the partitions through the windows.
///
/// * `partitions[w][a]`: article `a`'s cluster in window `w` (any numbering;
///   `None` when the article is not in the window);
/// * `window_of[a]`: the window of the article's date (`None` if undated);
/// * `earlier[w]`: the previous scan's trend of each article in window `w`,
///   when that scan had the same window;
/// * `next_id`: the first id never used.
pub fn trace(
    partitions: &[Vec<Option<u32>>],
    window_of: &[Option<usize>],
    earlier: &[Option<Vec<Option<u32>>>],
    next_id: u32,
) -> Lineage {
    let (trend_at, next_id) = assign_ids(partitions, earlier, next_id);
    Lineage::from_trends(trend_at, window_of, next_id)
}

/// Names each window's clusters with trend ids (see the module
/// documentation): the trends of every window and the next unused id.
pub fn assign_ids(
    partitions: &[Vec<Option<u32>>],
    earlier: &[Option<Vec<Option<u32>>>],
    mut next_id: u32,
) -> (Vec<Vec<Option<u32>>>, u32) {
    let rule = MatchRule::default();
    let mut trend_at: Vec<Vec<Option<u32>>> = Vec::with_capacity(partitions.len());
    for (w, clusters) in partitions.iter().enumerate() {
        let clusters = drop_noise(clusters);
        let mut ids: BTreeMap<u32, u32> = BTreeMap::new();
        if let Some(before) = trend_at.last() {
            for (trend, cluster) in match_trends(&Overlap::count(before, &clusters), &rule) {
                ids.insert(cluster, trend);
            }
        }
        if let Some(Some(before)) = earlier.get(w) {
            inherit(before, &clusters, &mut ids, &rule);
        }
        let mut sizes: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
        for (a, c) in clusters.iter().enumerate() {
            if let Some(c) = c {
                sizes.entry(*c).or_insert((0, a as u32)).0 += 1;
            }
        }
        // New ids for the rest, largest first, then by first article.
        let mut fresh: Vec<(u32, u32, u32)> = sizes
            .iter()
            .filter(|(c, _)| !ids.contains_key(c))
            .map(|(&c, &(n, first))| (n, first, c))
            .collect();
        fresh.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        for (_, _, c) in fresh {
            ids.insert(c, next_id);
            next_id += 1;
        }
        trend_at.push(clusters.iter().map(|c| c.map(|c| ids[&c])).collect());
    }
    (trend_at, next_id)
}

impl Lineage {
    /// The events and activity of trends already named in every window
    /// (`trend_at[w][a]`), for articles dated in windows `window_of[a]`.
    pub fn from_trends(
        trend_at: Vec<Vec<Option<u32>>>,
        window_of: &[Option<usize>],
        next_id: u32,
    ) -> Lineage {
        let mut seen: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        let mut last_dated: BTreeMap<u32, usize> = BTreeMap::new();
        let mut events = Vec::new();
        for (w, trends) in trend_at.iter().enumerate() {
            if w > 0 {
                let age = |t: u32| seen.get(&t).map_or(0, |&(first, _)| w - first);
                let mut found = flows(w, &trend_at[w - 1], trends, window_of, age);
                let split_into: BTreeSet<u32> = found
                    .iter()
                    .filter(|e| e.kind == EventKind::Split)
                    .flat_map(|e| e.to.iter().copied())
                    .collect();
                let present: BTreeSet<u32> = trends.iter().flatten().copied().collect();
                for t in present {
                    if !seen.contains_key(&t) && !split_into.contains(&t) {
                        found.push(Event {
                            kind: EventKind::Birth,
                            window: w,
                            from: Vec::new(),
                            to: vec![t],
                            articles: members(trends, t),
                        });
                    }
                }
                events.extend(found);
            }
            for (t, aw) in trends.iter().zip(window_of) {
                if let Some(t) = *t {
                    let span = seen.entry(t).or_insert((w, w));
                    span.1 = w;
                    if let Some(aw) = *aw {
                        let last = last_dated.entry(t).or_insert(aw);
                        *last = (*last).max(aw);
                    }
                }
            }
        }
        let absorbed: BTreeSet<u32> = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Merge | EventKind::Split))
            .flat_map(|e| e.from.iter().copied().filter(|t| !e.to.contains(t)))
            .collect();
        let mut lineage = Lineage {
            trend_at,
            events,
            seen,
            last_dated,
            absorbed,
            next_id,
        };
        lineage.events.extend(deaths(&lineage, window_of));
        lineage.events.sort_by(|x, y| {
            (x.window, x.kind, &x.from, &x.to).cmp(&(y.window, y.kind, &y.from, &y.to))
        });
        lineage
    }
}

/// The labels with clusters under [`MIN_TREND`] articles removed.
pub(super) fn drop_noise(clusters: &[Option<u32>]) -> Vec<Option<u32>> {
    let mut sizes: BTreeMap<u32, u32> = BTreeMap::new();
    for c in clusters.iter().flatten() {
        *sizes.entry(*c).or_default() += 1;
    }
    clusters
        .iter()
        .map(|c| c.filter(|c| sizes[c] >= MIN_TREND))
        .collect()
}

/// Gives clusters not yet named the trend of `before` they continue
/// ([`match_trends`]), among the trends not taken yet.
pub(super) fn inherit(
    before: &[Option<u32>],
    clusters: &[Option<u32>],
    ids: &mut BTreeMap<u32, u32>,
    rule: &MatchRule,
) {
    let taken: BTreeSet<u32> = ids.values().copied().collect();
    let open: Vec<Option<u32>> = clusters
        .iter()
        .map(|c| c.filter(|c| !ids.contains_key(c)))
        .collect();
    let before: Vec<Option<u32>> = before
        .iter()
        .map(|t| t.filter(|t| !taken.contains(t)))
        .collect();
    for (trend, cluster) in match_trends(&Overlap::count(&before, &open), rule) {
        ids.insert(cluster, trend);
    }
}

/// Merges and splits between the trends of window `w-1` and those of `w`,
/// over the articles the two windows share; `age(t)` is how many windows
/// trend `t` has been seen in before `w`.
fn flows(
    w: usize,
    before: &[Option<u32>],
    after: &[Option<u32>],
    window_of: &[Option<usize>],
    age: impl Fn(u32) -> usize,
) -> Vec<Event> {
    // Articles of `w-1` that are still in window `w` (sliding out otherwise).
    let oldest_kept = (w + 1).saturating_sub(super::timeline::SPAN);
    let shared: Vec<Option<u32>> = before
        .iter()
        .zip(window_of)
        .map(|(t, aw)| t.filter(|&t| aw.is_some_and(|aw| aw >= oldest_kept) && age(t) >= MIN_AGE))
        .collect();
    let overlap = Overlap::count(&shared, after);
    let mut into: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut out_of: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (&(t, c), &n) in &overlap.shared {
        let size = f64::from(overlap.before_sizes[&t]);
        if f64::from(n) >= FLOW_SHARE * size && overlap.before_sizes[&t] >= MIN_TREND {
            into.entry(c).or_default().push(t);
        }
        if f64::from(n) >= SPLIT_SHARE * size && n >= MIN_TREND {
            out_of.entry(t).or_default().push(c);
        }
    }
    let flowing = |from: &[u32], to: &[u32]| -> Vec<u32> {
        (0..shared.len())
            .filter(|&a| {
                shared[a].is_some_and(|t| from.contains(&t))
                    && after[a].is_some_and(|c| to.contains(&c))
            })
            .map(|a| a as u32)
            .collect()
    };
    let mut events = Vec::new();
    for (c, from) in into.into_iter().filter(|(_, f)| f.len() >= 2) {
        events.push(Event {
            kind: EventKind::Merge,
            window: w,
            articles: flowing(&from, &[c]),
            from,
            to: vec![c],
        });
    }
    for (t, to) in out_of.into_iter().filter(|(_, to)| to.len() >= 2) {
        events.push(Event {
            kind: EventKind::Split,
            window: w,
            articles: flowing(&[t], &to),
            from: vec![t],
            to,
        });
    }
    events
}

/// Deaths: trends silent for [`DORMANT_AFTER`] windows by the end of the
/// timeline that did not flow into another trend, with the articles of
/// their last dated window.
fn deaths(lineage: &Lineage, window_of: &[Option<usize>]) -> Vec<Event> {
    let Some(end) = lineage.trend_at.len().checked_sub(1) else {
        return Vec::new();
    };
    lineage
        .last_dated
        .iter()
        .filter(|&(t, &last)| end - last >= DORMANT_AFTER && !lineage.absorbed.contains(t))
        .map(|(&t, &last)| {
            let (_, seen_last) = lineage.seen[&t];
            let trends = &lineage.trend_at[seen_last];
            Event {
                kind: EventKind::Death,
                window: last + 1,
                from: vec![t],
                to: Vec::new(),
                articles: (0..trends.len())
                    .filter(|&a| trends[a] == Some(t) && window_of[a] == Some(last))
                    .map(|a| a as u32)
                    .collect(),
            }
        })
        .collect()
}

fn members(trend_at: &[Option<u32>], t: u32) -> Vec<u32> {
    (0..trend_at.len())
        .filter(|&a| trend_at[a] == Some(t))
        .map(|a| a as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small world: `groups[w]` lists, per window, the articles added
    /// (group label per new article); `regroup[w]` optionally relabels
    /// every article's cluster in window `w` (`label -> label`).
    struct World {
        window_of: Vec<Option<usize>>,
        partitions: Vec<Vec<Option<u32>>>,
    }

    fn world(added: &[&[(u32, usize)]], relabel: &[&[(u32, u32)]]) -> World {
        let mut window_of = Vec::new();
        let mut group = Vec::new();
        for (w, adds) in added.iter().enumerate() {
            for &(g, n) in *adds {
                for _ in 0..n {
                    window_of.push(Some(w));
                    group.push(g);
                }
            }
        }
        let partitions = (0..added.len())
            .map(|w| {
                group
                    .iter()
                    .zip(&window_of)
                    .map(|(&g, aw)| {
                        let aw = aw.unwrap();
                        (aw <= w && aw + crate::trends::timeline::SPAN > w).then(|| {
                            relabel
                                .get(w)
                                .and_then(|r| r.iter().find(|(from, _)| *from == g))
                                .map_or(g, |&(_, to)| to)
                        })
                    })
                    .collect()
            })
            .collect();
        World {
            window_of,
            partitions,
        }
    }

    /// The same additions in each of `n` windows.
    fn same(adds: &'static [(u32, usize)], n: usize) -> Vec<&'static [(u32, usize)]> {
        vec![adds; n]
    }

    fn kinds(l: &Lineage) -> Vec<(EventKind, usize, Vec<u32>, Vec<u32>)> {
        l.events
            .iter()
            .map(|e| (e.kind, e.window, e.from.clone(), e.to.clone()))
            .collect()
    }

    #[test]
    fn steady_trends_keep_their_ids_and_make_no_events() {
        let w = world(&same(&[(0, 10), (1, 8)], 5), &[]);
        let l = trace(&w.partitions, &w.window_of, &[], 0);
        assert!(l.events.is_empty(), "{:?}", l.events);
        assert_eq!(l.next_id, 2);
        for (w, trend_at) in l.trend_at.iter().enumerate() {
            assert_eq!(trend_at[18 * w], Some(0));
            assert_eq!(trend_at[18 * w + 10], Some(1));
        }
    }

    #[test]
    fn a_late_topic_is_born_and_a_stopped_one_dies() {
        let w = world(
            &[
                &[(0, 10), (1, 8)],
                &[(0, 10), (1, 8)],
                &[(0, 10), (2, 6)],
                &[(0, 10), (2, 6)],
                &[(0, 10), (2, 6)],
                &[(0, 10), (2, 6)],
            ],
            &[],
        );
        let l = trace(&w.partitions, &w.window_of, &[], 0);
        assert_eq!(
            kinds(&l),
            vec![
                (EventKind::Birth, 2, vec![], vec![2]),
                (EventKind::Death, 2, vec![1], vec![]),
            ]
        );
        assert_eq!(l.activity(1), Some(Activity::Ended));
        assert_eq!(l.activity(2), Some(Activity::Active));
        assert_eq!(l.activity(0), Some(Activity::Active));
        assert_eq!(l.activity(7), None);
        // Four windows: trend 1 is silent for two, dormant but not ended.
        let short = World {
            window_of: w.window_of.clone(),
            partitions: w.partitions[..4].to_vec(),
        };
        let l = trace(&short.partitions, &short.window_of, &[], 0);
        assert_eq!(l.activity(1), Some(Activity::Dormant));
    }

    #[test]
    fn two_topics_that_fuse_make_a_merge() {
        // From window 2 on, groups 0 and 1 are one cluster (label 0).
        let w = world(
            &same(&[(0, 10), (1, 8)], 4),
            &[&[], &[], &[(1, 0)], &[(1, 0)]],
        );
        let l = trace(&w.partitions, &w.window_of, &[], 0);
        assert_eq!(kinds(&l), vec![(EventKind::Merge, 2, vec![0, 1], vec![0])]);
        assert_eq!(l.events[0].articles.len(), 18);
    }

    #[test]
    fn a_topic_that_breaks_in_two_makes_a_split_not_a_birth() {
        // Group 0 has two halves (labels 0 and 5) that separate in window 2.
        let w = world(
            &same(&[(0, 10), (5, 10), (1, 8)], 4),
            &[&[(5, 0)], &[(5, 0)], &[], &[]],
        );
        let l = trace(&w.partitions, &w.window_of, &[], 0);
        assert_eq!(kinds(&l), vec![(EventKind::Split, 2, vec![0], vec![0, 2])]);
    }

    #[test]
    fn noise_gets_no_id_and_no_event() {
        let w = world(&[&[(0, 10), (9, 2)], &[(0, 10)]], &[]);
        let l = trace(&w.partitions, &w.window_of, &[], 0);
        assert!(l.events.is_empty());
        assert_eq!(l.next_id, 1);
        assert_eq!(l.trend_at[1][10], None);
    }

    #[test]
    fn a_rescan_keeps_the_ids_of_births() {
        let w = world(&[&[(0, 10)], &[(0, 10), (1, 6)], &[(0, 10), (1, 6)]], &[]);
        let first = trace(&w.partitions, &w.window_of, &[], 0);
        // The next scan numbers its clusters differently and starts from id 2.
        let renumbered: Vec<Vec<Option<u32>>> = w
            .partitions
            .iter()
            .map(|p| p.iter().map(|c| c.map(|c| 7 - c)).collect())
            .collect();
        let earlier: Vec<_> = first.trend_at.iter().cloned().map(Some).collect();
        let again = trace(&renumbered, &w.window_of, &earlier, first.next_id);
        assert_eq!(again.trend_at, first.trend_at);
        assert_eq!(again.next_id, first.next_id);
    }
}
