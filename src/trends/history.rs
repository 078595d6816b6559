//! A store's trends through time as the report and the exports show them: windows, trends with names, lineage events and concept bursts, over the collection's articles.
//!
//! [`History::from_state`] reads what the last analysis saved
//! (`trends.bin`) against the collection it analysed: each window's trends
//! and the events' articles are mapped from the state's article order to
//! the collection's, and the concept bursts are computed from the collection.
//!
//! An article belongs to one trend for good (see [`super::lineage`]): its
//! *home* trend. A trend's articles, its per-window counts and the name of
//! a trend that matches no cluster of the last analysis come from them.

use super::bursts::BurstOptions;
use super::concept_bursts::{concept_bursts, ConceptBurst};
use super::lineage::{Activity, Event, Lineage};
use super::state::{Scan, StateError, TrendState, NO_TREND};
use super::strategic::Placement;
use super::track::state_path;
use super::windows::{window_of, Span, Window};
use crate::analyze::naming;
use crate::graph::projection::article_concepts;
use crate::model::{Collection, ConceptId};
use crate::store::StoreDir;
use std::collections::{BTreeMap, HashMap};

/// The trends of a store through time.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The window kind.
    pub window: Window,
    /// The windows, oldest first (empty when no article is dated).
    pub spans: Vec<Span>,
    /// Trend ids per window and the events, over the collection's articles
    /// (`lineage.trend_at[w][a]` for article index `a`).
    pub lineage: Lineage,
    /// Each article's home trend: its trend in the last analysis (see the
    /// module documentation).
    pub home: Vec<Option<u32>>,
    /// Every trend seen, by id.
    pub trends: Vec<TrendHistory>,
    /// Concept bursts, strongest first.
    pub bursts: Vec<ConceptBurst>,
    /// Every scan so far, oldest first.
    pub scans: Vec<Scan>,
}

/// One trend through time.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendHistory {
    /// The id (`{base}trend/{id}`).
    pub id: u32,
    /// Its name: its cluster's name when it is a cluster of the last
    /// analysis, else from its home articles (c-TF-IDF, as clusters).
    pub name: String,
    /// Its level-0 cluster in the last analysis, if it is one.
    pub cluster: Option<u32>,
    /// The first and last window it is seen in (`None` for a trend that is
    /// only a cluster of the last analysis, for instance when no article is dated).
    pub seen: Option<(usize, usize)>,
    /// Where it stands at the end of the timeline (`None` without windows).
    pub activity: Option<Activity>,
    /// Its home articles dated in each window.
    pub per_window: Vec<u32>,
    /// Its home articles (indices), by date then id.
    pub articles: Vec<u32>,
    /// Its place on the strategic diagram, when it is a cluster of the last analysis.
    pub placement: Option<Placement>,
}

impl History {
    /// The history saved in `dir`: `Ok(None)` when the store has no trend state.
    pub fn read(dir: &StoreDir, collection: &Collection) -> Result<Option<History>, StateError> {
        let Some(state) = TrendState::read(&state_path(dir))? else {
            return Ok(None);
        };
        Ok(Some(History::from_state(
            &state,
            collection,
            &article_concepts(collection),
        )))
    }

    /// The history of `state` over `collection` (articles the state does not
    /// know have no trend), whose articles have concepts `concepts_of`
    /// ([`article_concepts`]).
    pub fn from_state(
        state: &TrendState,
        collection: &Collection,
        concepts_of: &[Vec<ConceptId>],
    ) -> History {
        let n = collection.articles.len();
        let index: HashMap<&str, usize> = collection
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.article.id.as_str(), i))
            .collect();
        let position: Vec<Option<usize>> = state
            .articles
            .iter()
            .map(|id| index.get(id.as_str()).copied())
            .collect();
        let label = |t: u32| (t != NO_TREND).then_some(t);
        let window: Window = state.window.parse().unwrap_or(Window::Quarter);
        let dates = collection.articles.iter().filter_map(|a| a.article.date);
        let spans = match (dates.clone().min(), dates.max()) {
            (Some(first), Some(last)) if !state.windows.is_empty() => window.cover(first, last),
            _ => Vec::new(),
        };
        let window_of_article: Vec<Option<usize>> = collection
            .articles
            .iter()
            .map(|a| a.article.date.and_then(|d| window_of(&spans, d)))
            .collect();
        let by_start: HashMap<&str, &[u32]> = state
            .windows
            .iter()
            .map(|w| (w.start.as_str(), w.labels.as_slice()))
            .collect();
        let trend_at: Vec<Vec<Option<u32>>> = spans
            .iter()
            .map(|span| {
                let mut labels = vec![None; n];
                let start = span.first_date().to_string();
                if let Some(saved) = by_start.get(start.as_str()) {
                    for (&t, p) in saved.iter().zip(&position) {
                        if let Some(p) = *p {
                            labels[p] = label(t);
                        }
                    }
                }
                labels
            })
            .collect();
        let events = state
            .events
            .iter()
            .map(|e| Event {
                articles: e
                    .articles
                    .iter()
                    .filter_map(|&u| {
                        position
                            .get(u as usize)
                            .copied()
                            .flatten()
                            .map(|a| a as u32)
                    })
                    .collect(),
                ..e.clone()
            })
            .collect();
        let mut lineage = Lineage::new(trend_at, events, &window_of_article, state.next_id);
        lineage.continues = state.continues.clone();
        let mut cluster_of: Vec<Option<u32>> = vec![None; n];
        for (&k, p) in state.article_clusters.iter().zip(&position) {
            if let Some(p) = *p {
                cluster_of[p] = label(k);
            }
        }
        let mut home: Vec<Option<u32>> = vec![None; n];
        for (t, p) in state.article_trends().zip(&position) {
            if let Some(p) = *p {
                home[p] = label(t);
            }
        }
        let trends = trends(
            collection,
            concepts_of,
            state,
            &lineage,
            &home,
            &cluster_of,
            &window_of_article,
        );
        History {
            window,
            spans,
            lineage,
            home,
            trends,
            bursts: concept_bursts(
                collection,
                &crate::graph::projection::article_concepts_by_kind(collection),
                &BurstOptions::default(),
            ),
            scans: state.scans.clone(),
        }
    }

    /// The trend with id `id`.
    pub fn trend(&self, id: u32) -> Option<&TrendHistory> {
        self.trends
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.trends[i])
    }
}

/// Every trend seen in a window or in the last analysis's clusters, by id.
/// A trend is named after its cluster: the windows show only trends of the
/// analysis's clusters, so only a state written otherwise leaves a trend
/// without one (it is called `Trend {id}`).
fn trends(
    c: &Collection,
    concepts_of: &[Vec<ConceptId>],
    state: &TrendState,
    lineage: &Lineage,
    home: &[Option<u32>],
    cluster_of: &[Option<u32>],
    window_of_article: &[Option<usize>],
) -> Vec<TrendHistory> {
    let mut ids: Vec<u32> = lineage.seen.keys().copied().collect();
    ids.extend(
        state
            .cluster_trends
            .iter()
            .copied()
            .filter(|&t| t != NO_TREND),
    );
    ids.sort_unstable();
    ids.dedup();
    let slot: BTreeMap<u32, usize> = ids.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let home_slot: Vec<Option<u32>> = home.iter().map(|t| t.map(|t| slot[&t] as u32)).collect();
    let mut articles: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (a, s) in home_slot.iter().enumerate() {
        if let Some(s) = s {
            articles[*s as usize].push(a);
        }
    }
    let clusters = state.cluster_trends.len();
    let mut cluster_members: Vec<Vec<usize>> = vec![Vec::new(); clusters];
    for (a, k) in cluster_of.iter().enumerate() {
        if let Some(k) = k {
            cluster_members[*k as usize].push(a);
        }
    }
    let weights = naming::weights(concepts_of, cluster_of, clusters, c.concepts.len());
    let cluster_names = naming::names(c, &weights, &cluster_members);
    let cluster_of_trend: BTreeMap<u32, u32> = state
        .cluster_trends
        .iter()
        .enumerate()
        .filter(|(_, &t)| t != NO_TREND)
        .map(|(k, &t)| (t, k as u32))
        .collect();
    let placement: BTreeMap<u32, Placement> = state.placements.iter().copied().collect();
    let windows = lineage.trend_at.len();
    ids.iter()
        .zip(articles)
        .map(|(&id, mut members)| {
            let cluster = cluster_of_trend.get(&id).copied();
            let mut per_window = vec![0u32; windows];
            for &a in &members {
                if let Some(w) = window_of_article[a] {
                    per_window[w] += 1;
                }
            }
            members.sort_by(|&x, &y| {
                let (x, y) = (&c.articles[x].article, &c.articles[y].article);
                (x.date, &x.id).cmp(&(y.date, &y.id))
            });
            TrendHistory {
                id,
                name: cluster.map_or_else(
                    || format!("Trend {id}"),
                    |k| cluster_names[k as usize].clone(),
                ),
                cluster,
                seen: lineage.seen.get(&id).copied(),
                activity: lineage.activity(id),
                per_window,
                articles: members.into_iter().map(|a| a as u32).collect(),
                placement: placement.get(&id).copied(),
            }
        })
        .collect()
}
