//! Weak signals: recent signals that bring something new to the collection, have few links and reach across clusters, ranked by a documented score.
//!
//! A **new** concept is a theme, keyword or driving force that no article
//! names before the recent part of the period (the last quarter of the
//! collection's dated period, the window of the status rule) and that few
//! articles name: at most [`NEW_MAX_ARTICLES`], or 1 % of the articles in a
//! large collection. Only signals of recent articles that carry a new
//! concept are candidates: being in an emerging cluster is not enough.
//! Each candidate gets
//!
//! ```text
//! score = novelty × few_links × reach
//! ```
//!
//! - `novelty` is `w / (1 + log10 n)` for the best of its new concepts, `n`
//!   the articles naming that concept and `w` 1 for the signal's own driving
//!   force, ½ for a theme or keyword of its article: a new driving force of
//!   one article scores 1, a keyword ten articles share ¼;
//! - `few_links` is `m / max(d, m)`, with `d` the article's links in the
//!   articles projection and `m` the median over all articles: 1 up to the
//!   median, falling as the article gets better connected;
//! - `reach` is `(1 + r) / (1 + MAX_REACH)` with `r` the other clusters
//!   (besides the article's own, at most [`MAX_REACH`]) that the article
//!   links to or whose articles name one of its new concepts.
//!
//! Signals scoring at least [`MIN_SCORE`] are listed, best first (ties by
//! betweenness, then position): one per article, at most [`PER_CLUSTER`]
//! per cluster and [`WEAK_SIGNALS`] in all. Each says why in words: what is
//! new and since when, how many links its article has against the typical
//! article, and which clusters it reaches.

use super::{key, Prepared, SignalRef};
use crate::graph::ProjectedGraph;
use crate::model::ConceptId;
use crate::seed::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Most weak signals listed.
pub const WEAK_SIGNALS: usize = 12;
/// Most weak signals listed per cluster.
pub const PER_CLUSTER: usize = 2;
/// Most articles a new concept may have (or 1 % of the collection, if more).
pub const NEW_MAX_ARTICLES: usize = 5;
/// Other clusters counted in `reach`.
pub const MAX_REACH: usize = 3;
/// Least score of a listed signal: for instance a new driving force of one
/// article with few links that reaches no other cluster (0.25), or a new
/// keyword of a few articles in one that reaches two.
pub const MIN_SCORE: f64 = 0.2;

/// A flagged signal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeakSignal {
    /// The signal.
    pub signal: SignalRef,
    /// `novelty × few_links × reach` (see the module documentation).
    #[serde(default)]
    pub score: f64,
    /// The new concepts it carries (its driving force first when new).
    #[serde(default)]
    pub new_concepts: Vec<String>,
    /// The other clusters it reaches, largest first.
    #[serde(default)]
    pub reaches: Vec<u32>,
    /// Why it was flagged, in words.
    pub reasons: Vec<String>,
}

/// The value below which a share `q` of the finite `values` lie (nearest rank).
fn quantile(values: impl Iterator<Item = f64>, q: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// What the collection says about each concept: articles naming it, the
/// first date, and the clusters of its articles.
struct ConceptFacts {
    articles: Vec<u32>,
    first: Vec<Option<Date>>,
    clusters: Vec<BTreeSet<u32>>,
}

fn concept_facts(p: &Prepared) -> ConceptFacts {
    let n = p.collection.concepts.len();
    let mut facts = ConceptFacts {
        articles: vec![0; n],
        first: vec![None; n],
        clusters: vec![BTreeSet::new(); n],
    };
    for (a, ids) in p.concepts_of.iter().enumerate() {
        let date = p.collection.articles[a].article.date;
        for &id in ids {
            facts.articles[id] += 1;
            if let Some(d) = date {
                facts.first[id] = Some(facts.first[id].map_or(d, |f: Date| f.min(d)));
            }
            if let Some(k) = p.cluster_of[a] {
                facts.clusters[id].insert(k);
            }
        }
    }
    facts
}

/// One scored candidate.
struct Candidate {
    article: usize,
    signal: usize,
    score: f64,
    own_force: bool,
    new_concepts: Vec<ConceptId>,
    reaches: Vec<u32>,
}

pub(crate) fn weak_signals(p: &Prepared, graph: &ProjectedGraph) -> Vec<WeakSignal> {
    let Some(period) = p.period else {
        return Vec::new();
    };
    if period.days() < super::trajectory::MIN_PERIOD_DAYS {
        return Vec::new();
    }
    let c = p.collection;
    let since = period.recent_since();
    let recent = |a: usize| c.articles[a].article.date.is_some_and(|d| d >= since);
    let facts = concept_facts(p);
    let max_articles = NEW_MAX_ARTICLES.max(c.articles.len() / 100) as u32;
    let is_new = |id: ConceptId| {
        facts.articles[id] <= max_articles && facts.first[id].is_some_and(|d| d >= since)
    };
    let median = quantile(p.article_degree.iter().copied(), 0.5)
        .unwrap_or(1.0)
        .max(1.0);
    let linked = linked_clusters(p, graph, &recent);
    let mut candidates: Vec<Candidate> = Vec::new();
    for a in (0..c.articles.len()).filter(|&a| recent(a)) {
        let Some(own) = p.cluster_of[a] else {
            continue;
        };
        let article_new: Vec<ConceptId> = p.concepts_of[a]
            .iter()
            .copied()
            .filter(|&id| is_new(id))
            .collect();
        if article_new.is_empty() {
            continue;
        }
        let mut reached: BTreeSet<u32> = linked[a].clone();
        for &id in &article_new {
            reached.extend(facts.clusters[id].iter().copied());
        }
        reached.remove(&own);
        let reaches: Vec<u32> = reached.into_iter().collect();
        let degree = p.article_degree[a];
        let few_links = if degree.is_finite() {
            median / degree.max(median)
        } else {
            1.0
        };
        let reach = (1 + reaches.len().min(MAX_REACH)) as f64 / (1 + MAX_REACH) as f64;
        let Some((j, new_force, novelty, new_concepts)) =
            best_signal(p, a, &article_new, &facts, &is_new)
        else {
            continue;
        };
        candidates.push(Candidate {
            article: a,
            signal: j,
            score: super::round6(novelty * few_links * reach),
            own_force: new_force.is_some(),
            new_concepts,
            reaches,
        });
    }
    select(p, candidates, &facts, median)
}

/// Article `a`'s best signal: the one whose new concept scores most (its
/// own driving force, else one of `article_new`, its article's new
/// concepts), then betweenness; with its new driving force, its novelty and
/// all its new concepts (the driving force first, then the rarest).
fn best_signal(
    p: &Prepared,
    a: usize,
    article_new: &[ConceptId],
    facts: &ConceptFacts,
    is_new: &impl Fn(ConceptId) -> bool,
) -> Option<(usize, Option<ConceptId>, f64, Vec<ConceptId>)> {
    let c = p.collection;
    let article_best = article_new
        .iter()
        .map(|&id| (0.5 * rarity(facts.articles[id]), id))
        .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
    let ((_, j), new_force, novelty) = p
        .signals_of(a)
        .map(|s| {
            let force = c.links[a].signals[s.1]
                .driving_force
                .map(|id| c.concepts[id].meaning)
                .filter(|&id| is_new(id));
            let own = force.map(|id| (rarity(facts.articles[id]), id));
            let novelty = match (own, article_best) {
                (Some(x), Some(y)) if y.0 > x.0 => y.0,
                (Some(x), _) => x.0,
                (None, y) => y.map_or(0.0, |y| y.0),
            };
            (s, force, novelty)
        })
        .min_by(|x, y| {
            y.2.total_cmp(&x.2)
                .then_with(|| p.by_betweenness(&x.0, &y.0))
        })?;
    let mut rest: Vec<ConceptId> = article_new
        .iter()
        .copied()
        .filter(|&id| Some(id) != new_force)
        .collect();
    rest.sort_by_key(|&id| (facts.articles[id], id));
    let mut new_concepts: Vec<ConceptId> = new_force.into_iter().collect();
    new_concepts.extend(rest);
    Some((j, new_force, novelty, new_concepts))
}

/// For each recent article, the clusters of the articles it links to.
fn linked_clusters(
    p: &Prepared,
    graph: &ProjectedGraph,
    recent: &impl Fn(usize) -> bool,
) -> Vec<BTreeSet<u32>> {
    let mut linked = vec![BTreeSet::new(); p.collection.articles.len()];
    for (a, b, _) in p.article_links(graph) {
        for (x, y) in [(a, b), (b, a)] {
            if recent(x) {
                if let Some(k) = p.cluster_of[y] {
                    linked[x].insert(k);
                }
            }
        }
    }
    linked
}

/// The best candidates over [`MIN_SCORE`], at most [`PER_CLUSTER`] per cluster.
fn select(
    p: &Prepared,
    mut candidates: Vec<Candidate>,
    facts: &ConceptFacts,
    median: f64,
) -> Vec<WeakSignal> {
    candidates.retain(|x| x.score >= MIN_SCORE);
    candidates.sort_by(|x, y| {
        y.score.total_cmp(&x.score).then_with(|| {
            let (i, k) = (
                p.signal_offset[x.article] + x.signal,
                p.signal_offset[y.article] + y.signal,
            );
            key(p.signal_betweenness[k])
                .total_cmp(&key(p.signal_betweenness[i]))
                .then((x.article, x.signal).cmp(&(y.article, y.signal)))
        })
    });
    let mut per_cluster = vec![0usize; p.clusters];
    let mut list = Vec::new();
    for x in candidates {
        let Some(k) = p.cluster_of[x.article] else {
            continue;
        };
        if per_cluster[k as usize] >= PER_CLUSTER {
            continue;
        }
        per_cluster[k as usize] += 1;
        list.push(WeakSignal {
            signal: p.signal_ref(x.article, x.signal),
            score: x.score,
            new_concepts: x
                .new_concepts
                .iter()
                .map(|&id| p.collection.concepts[id].label.clone())
                .collect(),
            reasons: reasons(p, &x, facts, median),
            reaches: x.reaches,
        });
        if list.len() == WEAK_SIGNALS {
            break;
        }
    }
    list
}

/// How rare a new concept named by `articles` articles is: 1 for one
/// article, ½ for ten.
pub fn rarity(articles: u32) -> f64 {
    1.0 / (1.0 + f64::from(articles.max(1)).log10())
}

/// A cluster's name cut to its first two concepts.
pub(crate) fn short_name(name: &str) -> String {
    name.split(" · ").take(2).collect::<Vec<_>>().join(" · ")
}

/// Why a candidate is listed, in plain words.
fn reasons(p: &Prepared, x: &Candidate, facts: &ConceptFacts, median: f64) -> Vec<String> {
    let c = p.collection;
    let mut out = Vec::new();
    let named: Vec<String> = x
        .new_concepts
        .iter()
        .take(3)
        .map(|&id| {
            let n = facts.articles[id];
            let first =
                facts.first[id].map_or_else(String::new, |d| format!("first named on {d}; "));
            let kind = c.concepts[id].kind.slug().replace('-', " ");
            format!(
                "{kind} “{}” ({first}{} article{} so far)",
                c.concepts[id].label,
                n,
                if n == 1 { "" } else { "s" }
            )
        })
        .collect();
    let what = if x.own_force {
        "New to the collection"
    } else {
        "Its article brings something new to the collection"
    };
    out.push(format!("{what}: {}", named.join("; ")));
    let degree = p.article_degree[x.article];
    if degree.is_finite() {
        let d = degree.round() as u64;
        let typical = median.round() as u64;
        out.push(if degree <= median {
            format!(
                "few links: its article links to {d} other article{} (typical: {typical})",
                if d == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "its article links to {d} other articles (typical: {typical}), so it counts less"
            )
        });
    }
    if x.reaches.is_empty() {
        out.push("stays within its own cluster so far".to_string());
    } else {
        let names: Vec<String> = x
            .reaches
            .iter()
            .take(MAX_REACH)
            .map(|&k| short_name(&p.name(k)))
            .collect();
        let more = x.reaches.len().saturating_sub(MAX_REACH);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out.push(format!(
            "reaches {} other cluster{}: {}{tail}",
            x.reaches.len(),
            if x.reaches.len() == 1 { "" } else { "s" },
            names.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(v.iter().copied(), 0.5), Some(5.0));
        assert_eq!(quantile(v.iter().copied(), 0.9), Some(9.0));
        assert_eq!(quantile([f64::NAN].into_iter(), 0.5), None);
    }
}
