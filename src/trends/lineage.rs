//! Trend lineage through time windows: when each trend starts and stops, and the events between trends: birth, death, merge, split.
//!
//! A trend is a level-0 cluster of the whole articles projection, cut at
//! its merges and splits ([`super::refine`]), so an article belongs to one
//! trend for good and a trend's identity does not depend on how a window
//! happens to be cut. Time enters through the articles' dates: a trend's
//! *onset* is the first window `w` where windows `w` and `w+1` hold at
//! least [`ONSET_SHARE`] of its articles (and at least [`MIN_TREND`]), or
//! the window after when `w` holds a lone article, so a few early strays
//! do not date it (a trend cut at a change point begins at its first
//! article); its *end* is the last window holding one of its articles, but
//! for strays that Leiden put with it after more than [`DORMANT_AFTER`]
//! silent windows: one article before the last windows or of a trend of at
//! least [`BUSY_RATE`] articles a window (for such a trend that stays
//! silent after it, one silent window before it is enough: the trend was
//! already ending), or up to [`STRAY_TAIL`] articles
//! where the trend's recent rate would have given [`STRAY_RATIO`] times
//! as many. A trend is *new* when its
//! onset comes after the first two windows (one quiet window at the start of
//! a collection is chance, not absence) and its rate before the onset is at
//! most [`BIRTH_RATE_RATIO`] of its rate after (a growing trend has an onset
//! too, but publishes before it).
//!
//! Trends pass on to each other what they are about: a group of articles
//! has a *profile*, its concepts weighted by inverse document frequency,
//! and two profiles compare by cosine. A trend `Y` with onset `w` has
//! *parent* `X` when `X` started before `w` and ended at most two windows
//! before it, and its articles of the [`HEIR_WINDOWS`] windows before `w`
//! are at least [`PARENT_SIMILARITY`] like `Y`'s first articles (dated in
//! the [`HEIR_WINDOWS`] windows from `w`); the parts a cluster was cut into
//! are parents of the part they flowed into, unless they had ended
//! ([`ENDED_AFTER`] silent windows) by its onset. A trend `X`
//! that falls silent *hands on* to a trend `Y` that published before its
//! end and goes on when the
//! articles `Y` publishes in the [`HEIR_WINDOWS`] windows after `X`'s end
//! are at least [`PARENT_SIMILARITY`] like `X`'s last [`HEIR_WINDOWS`]
//! windows, and at least [`HEIR_GAIN`] more than `Y`'s own articles of
//! those last windows were (a neighbour that was always alike inherits
//! nothing). Then:
//! * **merge**: two or more trends that fall silent are parents of one new
//!   trend, or one that falls silent hands on to one that goes on (the two
//!   flow into the latter), seen at the new trend's onset or the window after
//!   the silent one's end;
//! * **split**: a trend is the parent of two or more new trends, or of one
//!   new trend while it goes on itself, seen at the first new trend's onset;
//! * **birth**: a new trend without parents;
//! * **death**: a trend with no article in the last [`DORMANT_AFTER`]
//!   windows that is no parent and hands on to none, seen at the window after
//!   its end. Its activity is then *dormant*, and *ended* after
//!   [`ENDED_AFTER`] silent windows.
//!
//! A new trend whose only parent falls silent around its onset continues it
//! under another id: no event. Why not one partition per window: Leiden on
//! each sliding window's subgraph (warm-started from the previous window or
//! from the whole partition) cut and joined the planted groups of generated
//! collections from window to window, and only 7 % of the events it gave
//! matched a planted event (see BENCHMARKS.md).

use super::matching::{match_trends, MatchRule, Overlap};
use crate::model::ConceptId;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Fewest articles of a trend; smaller clusters are noise.
pub const MIN_TREND: u32 = 3;
/// Share of a trend's articles its first two windows must hold to date its onset.
pub const ONSET_SHARE: f64 = 0.05;
/// Highest ratio of a trend's rate before its onset to its rate after for
/// the onset to be a birth (a growing trend has an onset too, but publishes
/// before it). At 0.15, growing trends and trends that took in a smaller,
/// older one were reported as born on generated collections (BENCHMARKS.md).
pub const BIRTH_RATE_RATIO: f64 = 0.05;
/// Cosine similarity of concept profiles that makes one trend the parent or heir of another.
pub const PARENT_SIMILARITY: f64 = 0.3;
/// How much closer to a silent trend the articles of a trend that goes on
/// must come after its end than before, for the silent one to have flowed into it.
pub const HEIR_GAIN: f64 = 0.2;
/// Windows on each side of a silent trend's end whose articles the heir
/// test compares, and of a new trend's onset for the parent test. At 2, the profiles of a few articles each were too noisy
/// on 1k-article collections: planted merges into a trend that goes on were
/// read as deaths (BENCHMARKS.md).
pub const HEIR_WINDOWS: usize = 4;
/// Most articles after a trend's silence that can be strays ([`STRAY_RATIO`]).
pub const STRAY_TAIL: u32 = 3;
/// How many more articles than [`STRAY_TAIL`] (or fewer) the trend's rate
/// in its last two windows before a silence of more than [`DORMANT_AFTER`]
/// windows would have given over the silence and the tail, for the tail
/// to be strays.
pub const STRAY_RATIO: f64 = 4.0;
/// Mean articles per window from which a trend is busy: one article of it
/// after more than [`DORMANT_AFTER`] silent windows is a stray even in the
/// last windows.
pub const BUSY_RATE: f64 = 4.0;
/// Silent windows after which a trend is dormant (and its death recorded).
pub const DORMANT_AFTER: usize = 2;
/// Silent windows after which a trend has ended.
pub const ENDED_AFTER: usize = 4;
/// Windows of articles in each window's view of the trends ([`Lineage::trend_at`]).
pub const SPAN: usize = 2;

/// What happened.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// New trends that continue a trend fallen silent at their onset, under
    /// another id (no event): `(later, earlier, window of the onset)`.
    pub continues: Vec<(u32, u32, usize)>,
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

/// Finds the events of the trends `trend_of[u]` of nodes with concepts `concepts_of[u]`
/// dated in windows `window_of[u]` (of `windows` windows); see the module
/// documentation. O(m + t·w) for t trends.
pub fn detect(
    concepts_of: &[&[ConceptId]],
    trend_of: &[Option<u32>],
    window_of: &[Option<usize>],
    windows: usize,
    next_id: u32,
    cut_parents: &BTreeMap<u32, Vec<u32>>,
) -> Lineage {
    let timing = Timing::of(trend_of, window_of, windows, cut_parents);
    let profiles = Profiles::new(concepts_of);
    let (events, continues) = events(
        &profiles,
        trend_of,
        window_of,
        &timing,
        windows,
        cut_parents,
    );
    let became = successors(&events, &continues, &timing);
    let trend_at = trend_views(trend_of, window_of, windows, &became);
    let mut lineage = Lineage::new(trend_at, events, window_of, next_id);
    lineage.continues = continues;
    lineage
}

impl Lineage {
    /// The lineage of trends named in every window (`trend_at[w][a]`) with
    /// `events` already found, for articles dated in windows `window_of[a]`.
    pub fn new(
        trend_at: Vec<Vec<Option<u32>>>,
        mut events: Vec<Event>,
        window_of: &[Option<usize>],
        next_id: u32,
    ) -> Lineage {
        let mut seen: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        let mut last_dated: BTreeMap<u32, usize> = BTreeMap::new();
        for (w, trends) in trend_at.iter().enumerate() {
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
        events.sort_by(|x, y| {
            (x.window, x.kind, &x.from, &x.to).cmp(&(y.window, y.kind, &y.from, &y.to))
        });
        Lineage {
            trend_at,
            events,
            seen,
            last_dated,
            continues: Vec::new(),
            next_id,
        }
    }
}

/// Each window's view of the articles dated in it and the [`SPAN`]` - 1`
/// windows before: an article shows its trend in the window of its date, and
/// in a later window what its trend had become by then (merged into another
/// or continued under another id, `became`), so a merge shows as the last
/// articles of the trends before it passing into the trend after it.
fn trend_views(
    trend_of: &[Option<u32>],
    window_of: &[Option<usize>],
    windows: usize,
    became: &BTreeMap<u32, (usize, u32)>,
) -> Vec<Vec<Option<u32>>> {
    (0..windows)
        .map(|w| {
            trend_of
                .iter()
                .zip(window_of)
                .map(|(t, aw)| {
                    let aw = (*aw).filter(|&aw| aw <= w && aw + SPAN > w)?;
                    let t = (*t)?;
                    Some(if w == aw { t } else { resolve(t, w, became) })
                })
                .collect()
        })
        .collect()
}

/// Per trend, the window from which it is another trend and which: the
/// trend a merge took it into (from the merge's window, or the window after
/// the trend's last article if that comes first, so its last articles show
/// the passage), or the trend that continued it.
fn successors(
    events: &[Event],
    continues: &[(u32, u32, usize)],
    timing: &Timing,
) -> BTreeMap<u32, (usize, u32)> {
    let mut became = BTreeMap::new();
    for e in events.iter().filter(|e| e.kind == EventKind::Merge) {
        for &from in e.from.iter().filter(|&&t| t != e.to[0]) {
            let after_end = timing.span.get(&from).map_or(e.window, |&(_, end)| end + 1);
            became
                .entry(from)
                .or_insert((e.window.min(after_end), e.to[0]));
        }
    }
    for &(later, earlier, w) in continues {
        became.entry(earlier).or_insert((w, later));
    }
    became
}

/// What trend `t` had become by window `w` (following at most as many
/// steps as there are trends, so a cycle cannot hang).
fn resolve(mut t: u32, w: usize, became: &BTreeMap<u32, (usize, u32)>) -> u32 {
    for _ in 0..=became.len() {
        match became.get(&t) {
            Some(&(at, next)) if at <= w => t = next,
            _ => break,
        }
    }
    t
}

/// When each trend starts and stops.
struct Timing {
    /// Per trend: onset and end window.
    span: BTreeMap<u32, (usize, usize)>,
    /// Trends whose onset is a birth.
    new: BTreeSet<u32>,
    last: usize,
}

impl Timing {
    fn of(
        trend_of: &[Option<u32>],
        window_of: &[Option<usize>],
        windows: usize,
        cut_parents: &BTreeMap<u32, Vec<u32>>,
    ) -> Timing {
        let mut counts: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (t, w) in trend_of.iter().zip(window_of) {
            if let (Some(t), Some(w)) = (*t, *w) {
                counts.entry(t).or_insert_with(|| vec![0; windows])[w] += 1;
            }
        }
        let mut new = BTreeSet::new();
        let span = counts
            .into_iter()
            .map(|(t, c)| {
                let mut life = Life::of(&c);
                if cut_parents.contains_key(&t) {
                    // A trend cut from a cluster at its change point
                    // begins there, however few its first articles.
                    life.onset = c.iter().position(|&n| n > 0).unwrap_or(0);
                    life.born = life.onset >= 2;
                }
                if life.born {
                    new.insert(t);
                }
                (t, (life.onset, life.end))
            })
            .collect();
        Timing {
            span,
            new,
            last: windows.saturating_sub(1),
        }
    }

    fn born(&self, t: u32) -> bool {
        self.new.contains(&t)
    }

    fn silent(&self, t: u32) -> bool {
        self.span[&t].1 + DORMANT_AFTER <= self.last
    }
}

/// When a group of articles starts and stops, from its count per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Life {
    /// The onset window (see the module documentation).
    onset: usize,
    /// The last window with an article.
    end: usize,
    /// Whether the onset is a birth.
    born: bool,
}

impl Life {
    /// The life of a group with `counts[w]` articles in window `w`.
    fn of(counts: &[u32]) -> Life {
        let windows = counts.len();
        let total: u32 = counts.iter().sum();
        let needed = (ONSET_SHARE * f64::from(total))
            .ceil()
            .max(f64::from(MIN_TREND)) as u32;
        let first = counts.iter().position(|&n| n > 0).unwrap_or(0);
        let onset = (0..windows)
            .find(|&w| counts[w] + counts.get(w + 1).copied().unwrap_or(0) >= needed)
            .map_or(first, |w| if counts[w] == 0 { w + 1 } else { w });
        // A lone first article before the others is a stray.
        let onset = if counts[onset] == 1 && counts.get(onset + 1).is_some_and(|&n| n >= 2) {
            onset + 1
        } else {
            onset
        };
        let mut end = counts.iter().rposition(|&n| n > 0).unwrap_or(0);
        // One article after more than DORMANT_AFTER silent windows is a
        // stray, not the trend going on, unless it is recent and the trend
        // small: a small trend with an article in the last windows is
        // active, not dead; for a busy one, one article is noise.
        let busy = f64::from(total) / (end + 1) as f64 >= BUSY_RATE;
        let silent_after = end + DORMANT_AFTER < windows;
        if counts[end] == 1 && (silent_after || busy) {
            if let Some(body) = counts[..end].iter().rposition(|&n| n > 0) {
                // A busy trend that missed a window was already ending.
                let gap = if busy && silent_after {
                    1
                } else {
                    DORMANT_AFTER
                };
                if end - body > gap && body >= onset {
                    end = body;
                }
            }
        }
        // At most STRAY_TAIL articles after more than DORMANT_AFTER silent
        // windows, where the trend's recent rate would have given at least
        // STRAY_RATIO times as many, are strays.
        let mut tail = 0;
        for body in (onset..end).rev() {
            tail += counts[body + 1];
            if tail > STRAY_TAIL {
                break;
            }
            if counts[body] == 0 {
                continue;
            }
            let recent = f64::from(counts[body] + counts[body.saturating_sub(1)]) / 2.0;
            let silence = counts[body + 1..].iter().take_while(|&&n| n == 0).count();
            if silence > DORMANT_AFTER
                && recent * (end - body) as f64 >= STRAY_RATIO * f64::from(tail)
            {
                end = body;
                break;
            }
        }
        let before: u32 = counts[..onset].iter().sum();
        let rate_before = f64::from(before) / onset.max(1) as f64;
        let rate_after = f64::from(total - before) / (end + 1 - onset) as f64;
        Life {
            onset,
            end,
            born: onset >= 2 && rate_before <= BIRTH_RATE_RATIO * rate_after,
        }
    }
}

/// Each trend's dated nodes, ordered by window, to take those of a run of
/// windows as a slice.
struct ByWindow {
    /// Per trend: the nodes' windows (ascending) and the nodes.
    trends: BTreeMap<u32, (Vec<usize>, Vec<usize>)>,
}

impl ByWindow {
    fn of(trend_of: &[Option<u32>], window_of: &[Option<usize>]) -> ByWindow {
        let mut pairs: BTreeMap<u32, Vec<(usize, usize)>> = BTreeMap::new();
        for (u, t) in trend_of.iter().enumerate() {
            if let (Some(t), Some(w)) = (*t, window_of[u]) {
                pairs.entry(t).or_default().push((w, u));
            }
        }
        let trends = pairs
            .into_iter()
            .map(|(t, mut p)| {
                p.sort_unstable();
                (t, p.into_iter().unzip())
            })
            .collect();
        ByWindow { trends }
    }

    /// The nodes of trend `t` dated in windows `from..=to`.
    fn nodes(&self, t: u32, from: usize, to: usize) -> &[usize] {
        self.trends.get(&t).map_or(&[], |(windows, nodes)| {
            let start = windows.partition_point(|&w| w < from);
            let end = windows.partition_point(|&w| w <= to);
            &nodes[start..end.max(start)]
        })
    }
}

/// A group's profile: concepts (ascending) with their summed weights.
type Profile = Vec<(ConceptId, f64)>;

/// The nodes' concepts weighted by inverse document frequency, to compare
/// groups of articles by what they are about.
struct Profiles<'a> {
    concepts_of: &'a [&'a [ConceptId]],
    /// Per concept id.
    idf: Vec<f64>,
}

impl<'a> Profiles<'a> {
    fn new(concepts_of: &'a [&'a [ConceptId]]) -> Profiles<'a> {
        let idf = super::idf::idf(concepts_of);
        Profiles { concepts_of, idf }
    }

    /// The nodes' summed concept vector.
    fn of(&self, nodes: &[usize]) -> Profile {
        let mut named: Vec<ConceptId> = nodes
            .iter()
            .flat_map(|&u| self.concepts_of[u].iter().copied())
            .collect();
        named.sort_unstable();
        let mut v: Profile = Vec::new();
        for c in named {
            match v.last_mut() {
                Some((last, w)) if *last == c => *w += self.idf[c],
                _ => v.push((c, self.idf[c])),
            }
        }
        v
    }
}

/// Cosine similarity of two profiles (0 when either is empty).
fn cosine(a: &Profile, b: &Profile) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    let norm = |v: &Profile| v.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}

/// The events (see the module documentation).
fn events(
    profiles: &Profiles,
    trend_of: &[Option<u32>],
    window_of: &[Option<usize>],
    timing: &Timing,
    windows: usize,
    cut_parents: &BTreeMap<u32, Vec<u32>>,
) -> (Vec<Event>, Vec<(u32, u32, usize)>) {
    let mut continues = Vec::new();
    let by_trend = &ByWindow::of(trend_of, window_of);
    let in_windows = move |t: u32, from: usize, to: usize| by_trend.nodes(t, from, to);
    // Parents of every new trend (each trend's test on its own, in parallel).
    let born: Vec<(u32, usize)> = timing
        .span
        .iter()
        .filter(|(&y, _)| timing.born(y))
        .map(|(&y, &(onset, _))| (y, onset))
        .collect();
    let parents_of = |(y, onset): (u32, usize)| {
        let early = profiles.of(in_windows(y, onset, onset + HEIR_WINDOWS - 1));
        let mut found: Vec<u32> = timing
            .span
            .iter()
            .filter(|&(&x, &(x_onset, x_end))| {
                x != y
                    && x_onset < onset
                    && x_end + 2 >= onset
                    && cosine(
                        &early,
                        &profiles.of(in_windows(x, onset.saturating_sub(HEIR_WINDOWS), onset - 1)),
                    ) >= PARENT_SIMILARITY
            })
            .map(|(&x, _)| x)
            .collect();
        if let Some(cut) = cut_parents.get(&y) {
            // A cut's part is a parent unless it had ended (been silent for
            // ENDED_AFTER windows) by the onset: a topic that died and
            // another born later in its cluster are not one flowing into the
            // other. Sparse merges at 1k leave two silent windows between.
            found.extend(cut.iter().filter(|x| {
                timing
                    .span
                    .get(x)
                    .is_some_and(|&(_, x_end)| x_end + ENDED_AFTER >= onset)
            }));
            found.sort_unstable();
            found.dedup();
        }
        (y, found)
    };
    let parents: BTreeMap<u32, Vec<u32>> = born.into_par_iter().map(parents_of).collect();
    // A parent of another parent of Y already flowed into Y through it.
    let parents: BTreeMap<u32, Vec<u32>> = parents
        .iter()
        .map(|(&y, xs)| {
            let kept = xs
                .iter()
                .copied()
                .filter(|x| {
                    !xs.iter()
                        .any(|z| parents.get(z).is_some_and(|p| p.contains(x)))
                })
                .collect();
            (y, kept)
        })
        .collect();
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (&y, xs) in &parents {
        for &x in xs {
            children.entry(x).or_default().push(y);
        }
    }
    let fades_at = |x: u32, onset: usize| {
        let end = timing.span[&x].1;
        timing.silent(x) && end + 2 >= onset && end <= onset + 1
    };
    let mut events = Vec::new();
    let mut explained: BTreeSet<u32> = BTreeSet::new();
    let articles = |parts: &[(u32, usize)]| -> Vec<u32> {
        let mut out: Vec<u32> = parts
            .iter()
            .flat_map(|&(t, w)| in_windows(t, w, w))
            .map(|&u| u as u32)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    // Merges into a new trend and births.
    for (&y, xs) in &parents {
        let onset = timing.span[&y].0;
        let fading: Vec<u32> = xs.iter().copied().filter(|&x| fades_at(x, onset)).collect();
        if fading.len() >= 2 {
            let mut parts: Vec<(u32, usize)> =
                fading.iter().map(|&x| (x, timing.span[&x].1)).collect();
            parts.push((y, onset));
            events.push(Event {
                kind: EventKind::Merge,
                window: onset,
                from: fading.clone(),
                to: vec![y],
                articles: articles(&parts),
            });
            explained.extend(fading);
        } else if xs.is_empty() {
            events.push(Event {
                kind: EventKind::Birth,
                window: onset,
                from: Vec::new(),
                to: vec![y],
                articles: articles(&[(y, onset), (y, onset + 1)]),
            });
        }
    }
    // Splits: a parent of two or more new trends, or of one while it goes on.
    for (&x, ys) in &children {
        if explained.contains(&x) {
            continue;
        }
        let ys: Vec<u32> = ys
            .iter()
            .copied()
            .filter(|&y| {
                parents[&y]
                    .iter()
                    .filter(|&&p| fades_at(p, timing.span[&y].0))
                    .count()
                    < 2
            })
            .collect();
        let goes_on = ys
            .iter()
            .all(|&y| timing.span[&x].1 > timing.span[&y].0 + 1);
        let mut to = ys.clone();
        if goes_on {
            to.push(x);
        }
        if to.len() < 2 || ys.is_empty() {
            if let [y] = ys[..] {
                continues.push((y, x, timing.span[&y].0));
            }
            continue;
        }
        to.sort_unstable();
        let window = ys.iter().map(|&y| timing.span[&y].0).min().unwrap_or(0);
        let mut parts: Vec<(u32, usize)> = vec![(x, window.saturating_sub(1))];
        parts.extend(ys.iter().map(|&y| (y, timing.span[&y].0)));
        events.push(Event {
            kind: EventKind::Split,
            window,
            from: vec![x],
            to,
            articles: articles(&parts),
        });
        explained.insert(x);
    }
    // Trends that fall silent: handed on to one that goes on (a merge), or dead.
    let silent: Vec<(u32, usize)> = timing
        .span
        .iter()
        .filter(|(&x, _)| timing.silent(x) && !explained.contains(&x) && !children.contains_key(&x))
        .map(|(&x, &(_, end))| (x, end))
        .collect();
    let heir_of = |&(x, end): &(u32, usize)| {
        let mut heir: Option<(u32, f64)> = None;
        let from = (end + 1).saturating_sub(HEIR_WINDOWS);
        let late = profiles.of(in_windows(x, from, end));
        for (&y, &(_, y_end)) in &timing.span {
            // Y published before X's end (its onset may come later: a
            // trend that grew when X flowed into it).
            let started = in_windows(y, 0, end).len() >= MIN_TREND as usize;
            if y == x || !started || y_end <= end {
                continue;
            }
            let before = cosine(&late, &profiles.of(in_windows(y, from, end)));
            let after = cosine(
                &late,
                &profiles.of(in_windows(y, end + 1, end + HEIR_WINDOWS)),
            );
            let gain = after - before;
            if after >= PARENT_SIMILARITY
                && gain >= HEIR_GAIN
                && heir.is_none_or(|(_, best)| gain > best)
            {
                heir = Some((y, gain));
            }
        }
        heir.map(|(y, _)| y)
    };
    let heirs: Vec<Option<u32>> = silent.par_iter().map(heir_of).collect();
    let mut handed: BTreeMap<(u32, usize), Vec<(u32, usize)>> = BTreeMap::new();
    for (&(x, end), heir) in silent.iter().zip(heirs) {
        let window = (end + 1).min(windows.saturating_sub(1));
        match heir {
            Some(y) => handed.entry((y, window)).or_default().push((x, end)),
            None => events.push(Event {
                kind: EventKind::Death,
                window,
                from: vec![x],
                to: Vec::new(),
                articles: articles(&[(x, end)]),
            }),
        }
    }
    // Trends handed on to the same trend in the same window make one merge.
    for ((y, window), silent) in handed {
        let mut from: Vec<u32> = silent.iter().map(|&(x, _)| x).collect();
        from.push(y);
        from.sort_unstable();
        let mut parts = silent;
        parts.push((y, window));
        events.push(Event {
            kind: EventKind::Merge,
            window,
            from,
            to: vec![y],
            articles: articles(&parts),
        });
    }
    continues.sort_unstable();
    (events, continues)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_late_articles_after_a_long_silence_are_strays() {
        // A busy trend (about 20 a window) that stopped at window 9, with
        // one article in the last window: it ended at 9.
        let mut busy = vec![20; 10];
        busy.extend([0; 9]);
        busy.push(1);
        let life = Life::of(&busy);
        assert_eq!((life.onset, life.end), (0, 9));
        // So is one of a trend of one article a window: nine silent
        // windows at that rate are no chance.
        let mut small = vec![1; 10];
        small.extend([0; 9]);
        small.push(1);
        assert_eq!(Life::of(&small).end, 9);
        // A slow trend (one article in three windows) with an article in
        // the last window after three silent ones is still active.
        let slow = [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1];
        assert_eq!(Life::of(&slow).end, 16);
        // Two articles long after a trend of three a window stopped are
        // strays too; five are not.
        let mut two = vec![3; 10];
        two.extend([0; 6]);
        two.extend([1, 0, 1]);
        assert_eq!(Life::of(&two).end, 9);
        let mut five = vec![3; 10];
        five.extend([0; 6]);
        five.extend([2, 1, 2]);
        assert_eq!(Life::of(&five).end, 18);
        // Before the last windows, one article is a stray whatever the size.
        let mut early = vec![1; 10];
        early.extend([0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(Life::of(&early).end, 9);
    }
}
