//! Follows the trends of a store's articles projection from one analysis to the next, and keeps them in `<store>/trends.bin`.
//!
//! After an analysis of the articles projection, the level-0 clusters that
//! hold a merge or a split are cut at their change point
//! ([`super::refine`]; the analysis takes the cut clusters as its level 0).
//! Each cluster of at least [`super::lineage::MIN_TREND`] articles is then
//! a trend, with the id of
//! the previous analysis's trend it continues (a [`super::matching`] of the
//! clusters to the articles' earlier trends) or a new one from the state's
//! counter (never given twice); then the windows, the lineage
//! ([`super::lineage::detect`]) and the strategic placements, all saved.

use super::history::History;
use super::lineage::{detect, drop_noise, inherit};
use super::matching::MatchRule;
use super::refine::{refine, Cut, CutKind};
use super::state::{StateError, TrendState, WindowTrends, NO_TREND};
use super::strategic::{place, Placement};
use super::windows::{window_of, Span, Window};
use crate::analyze::by_size;
use crate::analyze::community::CommunityError;
use crate::graph::projection::article_concepts;
use crate::graph::{Csr, NodeRef, ProjectedGraph};
use crate::model::Collection;
use crate::model::ConceptId;
use crate::seed::Date;
use crate::store::{write_atomically, StoreDir, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Where the state is kept.
pub fn state_path(dir: &StoreDir) -> PathBuf {
    dir.path().join("trends.bin")
}

/// The trends after one analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracked {
    /// The trends through the windows, over the collection's articles.
    pub history: History,
    /// The trend of each level-0 cluster of the analysis (`None` for
    /// clusters under [`super::lineage::MIN_TREND`] articles).
    pub cluster_trends: Vec<Option<u32>>,
    /// Each level-0 cluster's place on the strategic diagram (`None` for
    /// clusters without a trend).
    pub placements: Vec<Option<Placement>>,
    /// A warning to show, when the earlier state could not be used.
    pub warning: Option<String>,
}

/// Why trends could not be followed.
#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    /// A window's partition failed.
    #[error(transparent)]
    Community(#[from] CommunityError),
    /// The state could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Follows the trends of `graph` (the articles projection of `collection`,
/// as `csr`) whose clusters are `clusters` (level 0), saves the state and
/// returns what it found, with the level-0 clusters cut at merges and
/// splits ([`super::refine`], numbered by size, largest first).
/// `window` `None` picks [`Window::auto`].
pub fn track(
    dir: &StoreDir,
    collection: &Collection,
    graph: &ProjectedGraph,
    csr: &Csr,
    clusters: &[u32],
    window: Option<Window>,
) -> Result<(Tracked, Vec<u32>), TrackError> {
    let path = state_path(dir);
    let (earlier, warning) = read_earlier(&path);
    let (dates, ids) = dates_and_ids(collection, graph, csr.node_count());
    let (window, spans) = windows(window, &dates);
    let windows_of: Vec<Option<usize>> = dates
        .iter()
        .map(|d| d.and_then(|d| window_of(&spans, d)))
        .collect();
    let concepts = article_concepts(collection);
    let concepts_of: Vec<&[ConceptId]> = (0..csr.node_count() as u32)
        .map(|u| match graph.node(u) {
            NodeRef::Article(i) => concepts[i].as_slice(),
            _ => &[],
        })
        .collect();
    let refined = refine(&concepts_of, clusters, &windows_of, spans.len());
    let (clusters, rank) = by_size(&refined.membership);
    let previous = previous_trends(&earlier, &ids);
    let mut next_id = earlier.next_id;
    let cluster_trends = name_clusters(&clusters, &previous, &mut next_id);
    let trend_of: Vec<Option<u32>> = clusters
        .iter()
        .map(|&c| cluster_trends[c as usize])
        .collect();
    let trend = |c: u32| cluster_trends[rank[c as usize] as usize];
    let cut_parents = cut_parents(&refined.cuts, trend);
    let lineage = detect(
        &concepts_of,
        &trend_of,
        &windows_of,
        spans.len(),
        next_id,
        &cut_parents,
    );
    let placements = placements(csr, &clusters, &cluster_trends);
    let state = TrendState {
        next_id,
        window: window.to_string(),
        articles: ids.iter().map(|id| id.unwrap_or("").to_string()).collect(),
        windows: spans
            .iter()
            .zip(&lineage.trend_at)
            .map(|(span, labels)| WindowTrends {
                start: span.first_date().to_string(),
                labels: labels.iter().map(|t| t.unwrap_or(NO_TREND)).collect(),
            })
            .collect(),
        cluster_trends: cluster_trends
            .iter()
            .map(|t| t.unwrap_or(NO_TREND))
            .collect(),
        article_clusters: clusters.clone(),
        placements: cluster_trends
            .iter()
            .zip(&placements)
            .filter_map(|(t, p)| Some(((*t)?, (*p)?)))
            .collect(),
        events: lineage.events.clone(),
        continues: lineage.continues.clone(),
        scans: earlier.scans,
    };
    write_atomically(&path, |w| state.write(w))?;
    let history = History::from_state(&state, collection, &concepts);
    let tracked = Tracked {
        history,
        cluster_trends,
        placements,
        warning,
    };
    Ok((tracked, clusters))
}

/// The parents of each trend cut from a cluster ([`super::refine`]): a
/// merge's mixed side has the two parts as parents, a split's parts have
/// the mixed side; `trend` gives a cut's cluster's trend, if it is one.
fn cut_parents(cuts: &[Cut], trend: impl Fn(u32) -> Option<u32>) -> BTreeMap<u32, Vec<u32>> {
    let mut parents: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for cut in cuts {
        let parts: Vec<u32> = cut.parts.iter().filter_map(|&p| trend(p)).collect();
        let Some(mixed) = trend(cut.mixed) else {
            continue;
        };
        match cut.kind {
            CutKind::Merge => parents.entry(mixed).or_default().extend(parts),
            CutKind::Stop => {}
            CutKind::Split => {
                for part in parts {
                    parents.entry(part).or_default().push(mixed);
                }
            }
        }
    }
    parents
}

/// The strategic-diagram place of each cluster that is a trend, the
/// medians taken over those clusters.
fn placements(
    csr: &Csr,
    clusters: &[u32],
    cluster_trends: &[Option<u32>],
) -> Vec<Option<Placement>> {
    let group: Vec<Option<u32>> = clusters
        .iter()
        .map(|&c| cluster_trends[c as usize].map(|_| c))
        .collect();
    place(csr, &group, cluster_trends.len())
}

/// The saved state, or a fresh one and a warning when it cannot be used
/// (a damaged file is set aside as `trends.bin.damaged`).
fn read_earlier(path: &Path) -> (TrendState, Option<String>) {
    match TrendState::read(path) {
        Ok(state) => (state.unwrap_or_default(), None),
        Err(e @ StateError::Damaged { .. }) => {
            let aside = path.with_extension("bin.damaged");
            let kept = std::fs::rename(path, &aside).map_or_else(
                |_| String::new(),
                |()| format!(", kept as {}", aside.display()),
            );
            (
                TrendState::default(),
                Some(format!("{e}{kept}; trend ids start afresh")),
            )
        }
        Err(e @ StateError::Io { .. }) => (
            TrendState::default(),
            Some(format!("{e}; trend ids start afresh")),
        ),
    }
}

/// Each node's date and article id (`None` for a stub).
fn dates_and_ids<'a>(
    collection: &'a Collection,
    graph: &ProjectedGraph,
    nodes: usize,
) -> (Vec<Option<Date>>, Vec<Option<&'a str>>) {
    (0..nodes as u32)
        .map(|u| match graph.node(u) {
            NodeRef::Article(i) => {
                let article = &collection.articles[i].article;
                (article.date, Some(article.id.as_str()))
            }
            _ => (None, None),
        })
        .unzip()
}

/// The window kind (`window`, else [`Window::auto`]) and the windows over `dates`.
fn windows(window: Option<Window>, dates: &[Option<Date>]) -> (Window, Vec<Span>) {
    let first = dates.iter().flatten().min().copied();
    let last = dates.iter().flatten().max().copied();
    let window = match (window, first, last) {
        (Some(w), _, _) => w,
        (None, Some(f), Some(l)) => Window::auto(f, l),
        (None, _, _) => Window::Quarter,
    };
    let spans = match (first, last) {
        (Some(f), Some(l)) => window.cover(f, l),
        _ => Vec::new(),
    };
    (window, spans)
}

/// Each node's trend in the previous analysis's clusters, by article id.
fn previous_trends(earlier: &TrendState, ids: &[Option<&str>]) -> Vec<Option<u32>> {
    let trend_of: HashMap<&str, u32> = earlier
        .articles
        .iter()
        .zip(earlier.article_trends())
        .filter(|&(_, t)| t != NO_TREND)
        .map(|(id, t)| (id.as_str(), t))
        .collect();
    ids.iter().map(|id| trend_of.get((*id)?).copied()).collect()
}

/// The trend of each cluster of `clusters` (of at least [`super::lineage::MIN_TREND`]
/// nodes): the previous analysis's trend it continues, else a new id.
fn name_clusters(
    clusters: &[u32],
    previous: &[Option<u32>],
    next_id: &mut u32,
) -> Vec<Option<u32>> {
    let labels = drop_noise(&clusters.iter().map(|&c| Some(c)).collect::<Vec<_>>());
    let rule = MatchRule::default();
    let mut ids: BTreeMap<u32, u32> = BTreeMap::new();
    inherit(previous, &labels, &mut ids, &rule);
    let count = clusters.iter().max().map_or(0, |&c| c as usize + 1);
    let trends: BTreeSet<u32> = labels.iter().flatten().copied().collect();
    (0..count as u32)
        .map(|c| {
            trends.contains(&c).then(|| {
                *ids.entry(c).or_insert_with(|| {
                    *next_id += 1;
                    *next_id - 1
                })
            })
        })
        .collect()
}
